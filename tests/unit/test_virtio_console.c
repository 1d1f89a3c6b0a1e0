/* SPDX-License-Identifier: MIT */
/*
 * virtio-console and virtio-rng (virtio 1.2, 5.3 and 5.4) at the register
 * level: an AArch64 VM with both devices (and its PL011), a driver written
 * here that sets their queues up in the VM's RAM through the address-space
 * API, and the unit tests' HAL console (hal_stub.h) as the VM's console.
 * Checked: the devices' identity, features and configuration space; a
 * transmit chain reaching the console; console input filling receive
 * buffers (given before and after the input, split over several); the
 * console input claimed from the PL011 while the driver has receive
 * buffers; random bytes in every writable byte of a chain, at most
 * VIRTIO_RNG_MAX_FILL; and chains the devices cannot answer (no writable
 * byte) putting them in DEVICE_NEEDS_RESET.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/addrspace.h>
#include <cvisor/devbus.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/virtio_rng.h>
#include <cvisor/vm.h>

#include "fixture.h"
#include "hal_stub.h"

#define CONS_BASE 0x0a000200ULL /* the console's window */
#define CONS_IRQ 49
#define RNG_BASE 0x0a000400ULL  /* the entropy device's */
#define RNG_IRQ 50
#define UART_BASE 0x09000000ULL /* the PL011: UARTDR at 0, UARTFR at 0x18 */
#define UARTFR_RXFE (1u << 4)
#define QSIZE 8
/* Queue q's areas: descriptors, available ring, used ring; then buffers. */
#define DESC(q) (0x40800000ULL + 0x4000 * (q))
#define AVAIL(q) (DESC(q) + 0x1000)
#define USED(q) (DESC(q) + 0x2000)
#define BUF 0x40900000ULL
#define BIG_BUF 0x40a00000ULL /* 128 KiB */

enum {
	MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010,
	DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024,
	QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044,
	QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS_REG = 0x070,
	QUEUE_DESC = 0x080, QUEUE_DRIVER = 0x090, QUEUE_DEVICE = 0x0a0, CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 64 };
enum { D_NEXT = 1, D_WRITE = 2 };
enum { RECEIVEQ = 0, TRANSMITQ = 1 };
#define S_LIVE (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

/* GICD_ISPENDR<1>, INTIDs 32-63 (IHI 0069 12.9.24). */
#define GICD_ISPENDR1 (0x08000000ULL + 0x0200 + 4)

static struct vm *vm;
static uint64_t base;           /* the device the helpers talk to */
static uint16_t avail_idx[2];   /* per queue */

static int setup(void **state)
{
	static const char text[] =
		"[base]\nid = 1\nname = \"cons\"\narch = \"aarch64\"\n"
		"[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x4008_0000\n"
		"memory_regions = [[0x4000_0000, 0x100_0000, 7, 0]]\n"
		"[devices]\nemu_devices = [[\"virtio-console\", 0x0a00_0200, 0x200, 49, 3, []],\n"
		"  [\"virtio-rng\", 0x0a00_0400, 0x200, 50, 3, []]]\n";
	static const uint8_t kernel[4] = { 0x1f, 0x20, 0x03, 0xd5 }; /* NOP: never run */

	(void)state;
	memset(avail_idx, 0, sizeof(avail_idx));
	base = CONS_BASE;
	return fixture_vm_boot(text, "cons.toml", kernel, sizeof(kernel), &vm);
}

static int teardown(void **state)
{
	(void)state;
	vm_destroy(vm);
	vm = NULL;
	return 0;
}

static uint32_t rd_at(uint64_t addr)
{
	uint64_t v = 0xdead;
	assert_int_equal(devbus_access(&vm->bus, addr, 4, false, &v), 0);
	return (uint32_t)v;
}

static uint32_t rd(uint64_t off)
{
	return rd_at(base + off);
}

static void wr(uint64_t off, uint32_t v)
{
	uint64_t x = v;
	assert_int_equal(devbus_access(&vm->bus, base + off, 4, true, &x), 0);
}

/* The SPI irq is pending at the GIC. */
static bool irq_pending(unsigned irq)
{
	uint64_t v = 0;
	assert_int_equal(devbus_access(&vm->bus, GICD_ISPENDR1, 4, false, &v), 0);
	return (v >> (irq - 32)) & 1;
}

static void put(uint64_t gpa, uint64_t v, unsigned n)
{
	uint8_t b[8];
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	assert_int_equal(addrspace_write(&vm->as, gpa, b, n), 0);
}

static uint64_t get(uint64_t gpa, unsigned n)
{
	uint8_t b[8];
	uint64_t v = 0;
	assert_int_equal(addrspace_read(&vm->as, gpa, b, n), 0);
	while (n--)
		v = v << 8 | b[n];
	return v;
}

static void desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	put(DESC(q) + 16 * i, addr, 8);
	put(DESC(q) + 16 * i + 8, len, 4);
	put(DESC(q) + 16 * i + 12, flags, 2);
	put(DESC(q) + 16 * i + 14, next, 2);
}

/* Makes chain head available on queue q, notifying the device if notify. */
static void offer(unsigned q, uint16_t head, bool notify)
{
	put(AVAIL(q) + 4 + 2 * (avail_idx[q] % QSIZE), head, 2);
	avail_idx[q]++;
	put(AVAIL(q) + 2, avail_idx[q], 2);
	if (notify)
		wr(QUEUE_NOTIFY, q);
}

static uint16_t used_idx(unsigned q)
{
	return (uint16_t)get(USED(q) + 2, 2);
}

/* The used ring's element n of queue q: its id in *id, its length returned. */
static uint32_t used_elem(unsigned q, unsigned n, uint32_t *id)
{
	*id = (uint32_t)get(USED(q) + 4 + 8 * (n % QSIZE), 4);
	return (uint32_t)get(USED(q) + 8 + 8 * (n % QSIZE), 4);
}

/* 3.1.1 with VIRTIO_F_VERSION_1 only, nqueues queues at DESC(q)..., DRIVER_OK. */
static void init_driver(unsigned nqueues)
{
	wr(STATUS_REG, 0);
	wr(STATUS_REG, S_ACK);
	wr(STATUS_REG, S_ACK | S_DRIVER);
	wr(DRIVER_FEATURES_SEL, 1);
	wr(DRIVER_FEATURES, 1);
	wr(DRIVER_FEATURES_SEL, 0);
	wr(DRIVER_FEATURES, 0);
	wr(STATUS_REG, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(rd(STATUS_REG), S_ACK | S_DRIVER | S_FEATURES_OK);
	for (unsigned q = 0; q < nqueues; q++) {
		wr(QUEUE_SEL, q);
		wr(QUEUE_NUM, QSIZE);
		wr(QUEUE_DESC, (uint32_t)DESC(q));
		wr(QUEUE_DRIVER, (uint32_t)AVAIL(q));
		wr(QUEUE_DEVICE, (uint32_t)USED(q));
		wr(QUEUE_READY, 1);
		assert_int_equal(rd(QUEUE_READY), 1);
	}
	wr(STATUS_REG, S_LIVE);
	assert_int_equal(rd(STATUS_REG), S_LIVE);
	memset(avail_idx, 0, sizeof(avail_idx));
}

/* Console input arrived: what the HAL's console thread does (vm_console_input()). */
static void type(const char *s)
{
	hal_stub_console_input(s);
	virtio_mmio_input(virtio_mmio_from_device(devbus_find(&vm->bus, CONS_BASE)));
}

/* The console: DeviceID 3, VIRTIO_CONSOLE_F_SIZE with 80 x 25, two queues. */
static void test_console_identity(void **state)
{
	(void)state;
	assert_int_equal(rd(MAGIC), 0x74726976);
	assert_int_equal(rd(VERSION), 2);
	assert_int_equal(rd(DEVICE_ID), 3);
	wr(DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(DEVICE_FEATURES), (1u << 28) | 1u); /* INDIRECT_DESC, F_SIZE */
	wr(DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(DEVICE_FEATURES), 1); /* VIRTIO_F_VERSION_1 */
	for (unsigned q = 0; q < 3; q++) {
		wr(QUEUE_SEL, q);
		assert_int_equal(rd(QUEUE_NUM_MAX), q < 2 ? 128 : 0);
	}
	assert_int_equal(rd(CONFIG), 80 | 25 << 16); /* cols, rows */
	assert_int_equal(rd(CONFIG + 4), 0);          /* max_nr_ports: no multiport */
	assert_int_equal(rd(CONFIG + 8), 0);          /* emerg_wr */
	assert_false(irq_pending(CONS_IRQ));
}

/* A transmit chain of two readable buffers reaches the console whole; 0 bytes written. */
static void test_console_transmit(void **state)
{
	uint32_t id;

	(void)state;
	init_driver(2);
	assert_int_equal(addrspace_write(&vm->as, BUF, "Hello, ", 7), 0);
	assert_int_equal(addrspace_write(&vm->as, BUF + 0x100, "virtio\n", 7), 0);
	desc(TRANSMITQ, 3, BUF, 7, D_NEXT, 5);
	desc(TRANSMITQ, 5, BUF + 0x100, 7, 0, 0);
	hal_stub_console_reset();
	offer(TRANSMITQ, 3, true);
	assert_string_equal(hal_stub_console_output(), "Hello, virtio\n");
	assert_int_equal(used_idx(TRANSMITQ), 1);
	assert_int_equal(used_elem(TRANSMITQ, 0, &id), 0);
	assert_int_equal(id, 3);
	assert_int_equal(rd(INTERRUPT_STATUS), 1);
	assert_true(irq_pending(CONS_IRQ));
	wr(INTERRUPT_ACK, 1);
	assert_false(irq_pending(CONS_IRQ));
	assert_int_equal(used_idx(RECEIVEQ), 0);
}

/*
 * Input typed while a buffer waits fills it at once; input typed with no
 * buffer waits for the next; input longer than a buffer goes on in the next.
 */
static void test_console_receive(void **state)
{
	uint32_t id;
	char got[8] = { 0 };

	(void)state;
	init_driver(2);
	desc(RECEIVEQ, 0, BUF, 16, D_WRITE, 0);
	offer(RECEIVEQ, 0, true);
	assert_int_equal(used_idx(RECEIVEQ), 0); /* nothing typed yet */
	assert_int_equal(rd(INTERRUPT_STATUS), 0);
	type("abc");
	assert_int_equal(used_idx(RECEIVEQ), 1);
	assert_int_equal(used_elem(RECEIVEQ, 0, &id), 3);
	assert_int_equal(id, 0);
	assert_int_equal(addrspace_read(&vm->as, BUF, got, 3), 0);
	assert_string_equal(got, "abc");
	assert_int_equal(rd(INTERRUPT_STATUS), 1);
	assert_true(irq_pending(CONS_IRQ));
	wr(INTERRUPT_ACK, 1);

	/* No buffer: the input waits. */
	type("xy");
	assert_int_equal(used_idx(RECEIVEQ), 1);
	desc(RECEIVEQ, 1, BUF + 0x100, 16, D_WRITE, 0);
	offer(RECEIVEQ, 1, true);
	assert_int_equal(used_idx(RECEIVEQ), 2);
	assert_int_equal(used_elem(RECEIVEQ, 1, &id), 2);
	assert_int_equal(id, 1);
	memset(got, 0, sizeof(got));
	assert_int_equal(addrspace_read(&vm->as, BUF + 0x100, got, 2), 0);
	assert_string_equal(got, "xy");

	/* Two buffers of 4 bytes, 6 bytes typed: 4 in the first, 2 in the second. */
	desc(RECEIVEQ, 2, BUF + 0x200, 4, D_WRITE, 0);
	desc(RECEIVEQ, 3, BUF + 0x300, 4, D_WRITE, 0);
	offer(RECEIVEQ, 2, false);
	offer(RECEIVEQ, 3, true);
	type("123456");
	assert_int_equal(used_idx(RECEIVEQ), 4);
	assert_int_equal(used_elem(RECEIVEQ, 2, &id), 4);
	assert_int_equal(id, 2);
	assert_int_equal(used_elem(RECEIVEQ, 3, &id), 2);
	assert_int_equal(id, 3);
	memset(got, 0, sizeof(got));
	assert_int_equal(addrspace_read(&vm->as, BUF + 0x200, got, 4), 0);
	assert_string_equal(got, "1234");
	memset(got, 0, sizeof(got));
	assert_int_equal(addrspace_read(&vm->as, BUF + 0x300, got, 2), 0);
	assert_string_equal(got, "56");
}

/*
 * The PL011 takes console input until the console's driver gives receive
 * buffers, and again after a reset.
 */
static void test_console_claims_input(void **state)
{
	uint32_t id;
	char got[2] = { 0 };

	(void)state;
	hal_stub_console_input("a");
	assert_int_equal(rd_at(UART_BASE) & 0xff, 'a');
	init_driver(2);
	desc(RECEIVEQ, 0, BUF, 16, D_WRITE, 0);
	offer(RECEIVEQ, 0, true);
	hal_stub_console_input("b");
	/* The UART has none. */
	assert_int_equal(rd_at(UART_BASE + 0x18) & UARTFR_RXFE, UARTFR_RXFE);
	type("");
	assert_int_equal(used_idx(RECEIVEQ), 1);
	assert_int_equal(used_elem(RECEIVEQ, 0, &id), 1);
	assert_int_equal(addrspace_read(&vm->as, BUF, got, 1), 0);
	assert_string_equal(got, "b");
	wr(STATUS_REG, 0);
	hal_stub_console_input("c");
	assert_int_equal(rd_at(UART_BASE) & 0xff, 'c');
}

/*
 * A receive chain with no writable byte: DEVICE_NEEDS_RESET, the typed
 * byte kept for the driver's next buffer after the reset.
 */
static void test_console_receive_no_writable(void **state)
{
	uint32_t id;
	char got[2] = { 0 };

	(void)state;
	init_driver(2);
	desc(RECEIVEQ, 0, BUF, 16, 0, 0); /* device-readable */
	offer(RECEIVEQ, 0, true);
	type("z");
	assert_int_equal(rd(STATUS_REG), S_LIVE | S_NEEDS_RESET);
	assert_int_equal(rd(INTERRUPT_STATUS), 2);
	assert_true(irq_pending(CONS_IRQ));
	assert_int_equal(used_idx(RECEIVEQ), 0);
	/* Further input is ignored until the reset. */
	type("");
	assert_int_equal(used_idx(RECEIVEQ), 0);
	init_driver(2);
	assert_false(irq_pending(CONS_IRQ));
	desc(RECEIVEQ, 0, BUF, 16, D_WRITE, 0);
	offer(RECEIVEQ, 0, true);
	assert_int_equal(used_idx(RECEIVEQ), 1);
	assert_int_equal(used_elem(RECEIVEQ, 0, &id), 1);
	assert_int_equal(addrspace_read(&vm->as, BUF, got, 1), 0);
	assert_string_equal(got, "z");
}

/* A transmit chain with a descriptor loop: DEVICE_NEEDS_RESET, nothing written. */
static void test_console_transmit_loop(void **state)
{
	(void)state;
	init_driver(2);
	desc(TRANSMITQ, 0, BUF, 4, D_NEXT, 1);
	desc(TRANSMITQ, 1, BUF, 4, D_NEXT, 0);
	hal_stub_console_reset();
	offer(TRANSMITQ, 0, true);
	assert_string_equal(hal_stub_console_output(), "");
	assert_int_equal(rd(STATUS_REG), S_LIVE | S_NEEDS_RESET);
	assert_int_equal(used_idx(TRANSMITQ), 0);
}

/* The entropy device: DeviceID 4, no feature of its own, one queue, no configuration space. */
static void test_rng_identity(void **state)
{
	(void)state;
	base = RNG_BASE;
	assert_int_equal(rd(MAGIC), 0x74726976);
	assert_int_equal(rd(DEVICE_ID), 4);
	wr(DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(DEVICE_FEATURES), 1u << 28); /* INDIRECT_DESC */
	wr(QUEUE_SEL, 0);
	assert_int_equal(rd(QUEUE_NUM_MAX), 128);
	wr(QUEUE_SEL, 1);
	assert_int_equal(rd(QUEUE_NUM_MAX), 0);
	assert_int_equal(rd(CONFIG), 0);
}

/* Zero bytes of a buffer still zero after a fill: some, but never most. */
static unsigned zeros(const uint8_t *b, size_t n)
{
	unsigned z = 0;
	for (size_t i = 0; i < n; i++)
		z += b[i] == 0;
	return z;
}

/* Every writable byte of a chain filled, readable ones untouched; two fills differ. */
static void test_rng_fill(void **state)
{
	static uint8_t a[48], b[48];
	uint32_t id;

	(void)state;
	base = RNG_BASE;
	init_driver(1);
	put(BUF + 0x100, 0x5a5a5a5a5a5a5a5aULL, 8);
	desc(0, 0, BUF + 0x100, 8, D_NEXT, 1); /* readable: ignored */
	desc(0, 1, BUF, 32, D_NEXT | D_WRITE, 2);
	desc(0, 2, BUF + 0x40, 16, D_WRITE, 0);
	offer(0, 0, true);
	assert_int_equal(used_idx(0), 1);
	assert_int_equal(used_elem(0, 0, &id), 48);
	assert_int_equal(id, 0);
	assert_int_equal(rd(INTERRUPT_STATUS), 1);
	assert_true(irq_pending(RNG_IRQ));
	assert_int_equal(addrspace_read(&vm->as, BUF, a, 32), 0);
	assert_int_equal(addrspace_read(&vm->as, BUF + 0x40, a + 32, 16), 0);
	assert_int_equal(get(BUF + 0x100, 8), 0x5a5a5a5a5a5a5a5aULL);
	/* 48 random bytes with more than 8 zeros: a chance below 1e-6. */
	assert_true(zeros(a, sizeof(a)) <= 8);
	offer(0, 0, true);
	assert_int_equal(used_idx(0), 2);
	assert_int_equal(addrspace_read(&vm->as, BUF, b, 32), 0);
	assert_int_equal(addrspace_read(&vm->as, BUF + 0x40, b + 32, 16), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

/* A chain larger than VIRTIO_RNG_MAX_FILL gets that many bytes, the rest untouched. */
static void test_rng_max_fill(void **state)
{
	uint32_t id;

	(void)state;
	base = RNG_BASE;
	init_driver(1);
	put(BIG_BUF + VIRTIO_RNG_MAX_FILL, 0x1122334455667788ULL, 8);
	desc(0, 0, BIG_BUF, 2 * VIRTIO_RNG_MAX_FILL, D_WRITE, 0);
	offer(0, 0, true);
	assert_int_equal(used_elem(0, 0, &id), VIRTIO_RNG_MAX_FILL);
	assert_int_equal(get(BIG_BUF + VIRTIO_RNG_MAX_FILL, 8), 0x1122334455667788ULL);
}

/* A chain with no writable byte: DEVICE_NEEDS_RESET, nothing used; after a reset all is well. */
static void test_rng_no_writable(void **state)
{
	uint32_t id;

	(void)state;
	base = RNG_BASE;
	init_driver(1);
	desc(0, 0, BUF, 32, 0, 0);
	offer(0, 0, true);
	assert_int_equal(rd(STATUS_REG), S_LIVE | S_NEEDS_RESET);
	assert_int_equal(rd(INTERRUPT_STATUS), 2);
	assert_true(irq_pending(RNG_IRQ));
	assert_int_equal(used_idx(0), 0);
	init_driver(1);
	desc(0, 0, BUF, 32, D_WRITE, 0);
	offer(0, 0, true);
	assert_int_equal(used_elem(0, 0, &id), 32);
}

/* Config lists other than [] are refused. */
static void test_bad_configs(void **state)
{
	static const char *const texts[] = {
		"[[\"virtio-console\", 0x0a00_0200, 0x200, 49, 3, [1]]]",
		"[[\"virtio-rng\", 0x0a00_0400, 0x200, 50, 3, [0]]]",
	};
	static const uint8_t kernel[4] = { 0x1f, 0x20, 0x03, 0xd5 };
	char text[512];

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		snprintf(text, sizeof(text),
			 "[base]\nid = 1\nname = \"bad\"\narch = \"aarch64\"\n"
			 "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x4008_0000\n"
			 "memory_regions = [[0x4000_0000, 0x100_0000, 7, 0]]\n"
			 "[devices]\nemu_devices = %s\n",
			 texts[i]);
		int rc = fixture_vm_boot(text, "bad.toml", kernel, sizeof(kernel), &vm);
		assert_int_equal(rc, -1);
	}
	vm = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_console_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_transmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_receive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_claims_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_receive_no_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_transmit_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rng_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rng_fill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rng_max_fill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rng_no_writable, setup, teardown),
		cmocka_unit_test(test_bad_configs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
