/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport, split virtqueues and virtio-blk (virtio 1.2,
 * 4.2, 2.7, 5.2), driven by a small driver written here: it sets up a
 * queue in the RAM of an AArch64 VM (through the address-space API, as a
 * guest's stores would leave it), negotiates features, and reads and
 * writes sectors of a temporary disk image through MMIO accesses on the
 * VM's bus. Each result is checked in the image, the guest's buffers, the
 * used ring, the device's registers and the GIC's pending bit of the
 * device's SPI; then drivers that break the rules, each with its exact
 * outcome (DEVICE_NEEDS_RESET or an error status, the image untouched).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include <cvisor/addrspace.h>
#include <cvisor/config.h>
#include <cvisor/diag.h>
#include <cvisor/devbus.h>
#include <cvisor/fdt.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/vm.h>

#include "fixture.h"

#define VBASE 0x0a000000ULL /* the device's window */
#define IRQ 48              /* its SPI: INTID 48 */
#define RAM 0x40000000ULL
#define RAM_SIZE 0x1000000ULL
#define DESC 0x40800000ULL  /* the driver's descriptor table */
#define AVAIL 0x40801000ULL /* available ring */
#define USED 0x40802000ULL  /* used ring */
#define HDR 0x40803000ULL   /* request header */
#define DATA 0x40804000ULL  /* data buffers, up to 32 KiB */
#define STATUS 0x40810000ULL
#define TABLE 0x40811000ULL /* an indirect table */
#define QSIZE 8
#define NSECT 16 /* sectors of the image */
#define SECTOR 512

/* Registers (4.2.2). */
enum {
	MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c,
	DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020,
	DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038,
	QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064,
	STATUS_REG = 0x070, QUEUE_DESC = 0x080, QUEUE_DRIVER = 0x090, QUEUE_DEVICE = 0x0a0,
	SHM_LEN_LOW = 0x0b0, CONFIG_GENERATION = 0x0fc, CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 64 };
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };
enum { D_NEXT = 1, D_WRITE = 2, D_INDIRECT = 4 };
#define F_INDIRECT (1ULL << 28)

/* GICD_ISPENDR<1>, INTIDs 32-63 (IHI 0069 12.9.24). */
#define GICD_ISPENDR1 (0x08000000ULL + 0x0200 + 4)

static struct vm *vm;
static char disk[64];
static uint8_t image[NSECT * SECTOR]; /* what the image holds when the test starts */
static uint16_t avail_idx;

/* The image as a test made it: sector s holds bytes s * 16 + (i % 16). */
static void make_image(void)
{
	for (unsigned i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)((i / SECTOR) * 16 + i % 16);
	strcpy(disk, "/tmp/cvisor-virtio-XXXXXX");
	int fd = mkstemp(disk);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, image, sizeof(image)), (ssize_t)sizeof(image));
	close(fd);
}

/* The image's bytes now. */
static void read_image(uint8_t *buf)
{
	FILE *f = fopen(disk, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(image), f), sizeof(image));
	assert_int_equal(fgetc(f), EOF); /* never grown */
	fclose(f);
}

static void assert_image_unchanged(void)
{
	static uint8_t now[sizeof(image)];
	read_image(now);
	assert_memory_equal(now, image, sizeof(image));
}

/* A VM with a virtio-blk over the image; cfg is its config list ("[]", "[1]"). */
static int boot(const char *cfg)
{
	static char text[1024];
	static const uint8_t kernel[4] = { 0x1f, 0x20, 0x03, 0xd5 }; /* NOP: never run */

	snprintf(text, sizeof(text),
		 "[base]\nid = 1\nname = \"blk\"\narch = \"aarch64\"\n"
		 "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x4008_0000\n"
		 "disk_path = \"%s\"\nmemory_regions = [[0x4000_0000, 0x100_0000, 7, 0]]\n"
		 "[devices]\nemu_devices = [[\"virtio-blk\", 0x0a00_0000, 0x200, %d, 3, %s]]\n",
		 disk, IRQ, cfg);
	avail_idx = 0;
	return fixture_vm_boot(text, "virtio.toml", kernel, sizeof(kernel), &vm);
}

static int setup(void **state)
{
	(void)state;
	make_image();
	return boot("[]");
}

static int setup_ro(void **state)
{
	(void)state;
	make_image();
	return boot("[1]");
}

static int teardown(void **state)
{
	(void)state;
	vm_destroy(vm);
	vm = NULL;
	unlink(disk);
	return 0;
}

static uint32_t rd(uint64_t off)
{
	uint64_t v = 0xdead;
	assert_int_equal(devbus_access(&vm->bus, VBASE + off, 4, false, &v), 0);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	uint64_t x = v;
	assert_int_equal(devbus_access(&vm->bus, VBASE + off, 4, true, &x), 0);
}

/* The device's SPI is pending at the GIC (a level-sensitive line that is high). */
static bool irq_pending(void)
{
	uint64_t v = 0;
	assert_int_equal(devbus_access(&vm->bus, GICD_ISPENDR1, 4, false, &v), 0);
	return (v >> (IRQ - 32)) & 1;
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

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	put(DESC + 16 * i, addr, 8);
	put(DESC + 16 * i + 8, len, 4);
	put(DESC + 16 * i + 12, flags, 2);
	put(DESC + 16 * i + 14, next, 2);
}

/* An entry of the indirect table at TABLE. */
static void tdesc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	put(TABLE + 16 * i, addr, 8);
	put(TABLE + 16 * i + 8, len, 4);
	put(TABLE + 16 * i + 12, flags, 2);
	put(TABLE + 16 * i + 14, next, 2);
}

/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. Returns Status read back. */
static uint32_t negotiate(uint64_t features)
{
	wr(STATUS_REG, 0);
	wr(STATUS_REG, S_ACK);
	wr(STATUS_REG, S_ACK | S_DRIVER);
	wr(DRIVER_FEATURES_SEL, 0);
	wr(DRIVER_FEATURES, (uint32_t)features);
	wr(DRIVER_FEATURES_SEL, 1);
	wr(DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(STATUS_REG, S_ACK | S_DRIVER | S_FEATURES_OK);
	return rd(STATUS_REG);
}

/* Queue 0 of size num with its rings at desc, avail and used. */
static void setup_queue_at(uint32_t num, uint64_t desc_gpa, uint64_t avail, uint64_t used)
{
	wr(QUEUE_SEL, 0);
	wr(QUEUE_NUM, num);
	wr(QUEUE_DESC, (uint32_t)desc_gpa);
	wr(QUEUE_DESC + 4, (uint32_t)(desc_gpa >> 32));
	wr(QUEUE_DRIVER, (uint32_t)avail);
	wr(QUEUE_DRIVER + 4, (uint32_t)(avail >> 32));
	wr(QUEUE_DEVICE, (uint32_t)used);
	wr(QUEUE_DEVICE + 4, (uint32_t)(used >> 32));
	wr(QUEUE_READY, 1);
}

/* Queue 0 of size num at the test's rings. */
static void setup_queue(uint32_t num)
{
	setup_queue_at(num, DESC, AVAIL, USED);
}

/* The whole initialization, with VIRTIO_F_VERSION_1 only; the device is then live. */
static void init_driver(void)
{
	assert_int_equal(negotiate(VIRTIO_F_VERSION_1), S_ACK | S_DRIVER | S_FEATURES_OK);
	setup_queue(QSIZE);
	assert_int_equal(rd(QUEUE_READY), 1);
	wr(STATUS_REG, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_int_equal(rd(STATUS_REG), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* Makes chain head available and notifies queue 0. */
static void submit(uint16_t head)
{
	put(AVAIL + 4 + 2 * (avail_idx % QSIZE), head, 2);
	avail_idx++;
	put(AVAIL + 2, avail_idx, 2);
	wr(QUEUE_NOTIFY, 0);
}

/*
 * A request of three descriptors: header, len bytes of data at DATA (the
 * device writes them when dev_writes), status; no data descriptor when
 * len is 0. Returns the status byte (0xff if the device did not write it).
 */
static unsigned request(uint32_t type, uint64_t sector, uint32_t len, bool dev_writes)
{
	put(HDR, type, 4);
	put(HDR + 4, 0, 4);
	put(HDR + 8, sector, 8);
	put(STATUS, 0xff, 1);
	desc(0, HDR, 16, D_NEXT, 1);
	if (len) {
		desc(1, DATA, len, D_NEXT | (dev_writes ? D_WRITE : 0), 2);
		desc(2, STATUS, 1, D_WRITE, 0);
	} else {
		desc(1, STATUS, 1, D_WRITE, 0);
	}
	submit(0);
	return (unsigned)get(STATUS, 1);
}

static uint16_t used_idx(void)
{
	return (uint16_t)get(USED + 2, 2);
}

/* The device is in DEVICE_NEEDS_RESET, has told the live driver so, and used nothing. */
static void assert_needs_reset(uint16_t used_before)
{
	assert_int_equal(rd(STATUS_REG) & S_NEEDS_RESET, S_NEEDS_RESET);
	assert_int_equal(rd(INTERRUPT_STATUS), 2); /* configuration change only */
	assert_true(irq_pending());
	assert_int_equal(used_idx(), used_before);
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(rd(MAGIC), 0x74726976);
	assert_int_equal(rd(VERSION), 2);
	assert_int_equal(rd(DEVICE_ID), 2);
	assert_int_equal(rd(VENDOR_ID), 0x52535643);
	wr(DEVICE_FEATURES_SEL, 0);
	/* VIRTIO_F_INDIRECT_DESC, VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_SEG_MAX */
	assert_int_equal(rd(DEVICE_FEATURES), (1u << 28) | (1u << 9) | (1u << 2));
	wr(DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(DEVICE_FEATURES), 1); /* VIRTIO_F_VERSION_1 */
	wr(DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(DEVICE_FEATURES), 0);
	wr(QUEUE_SEL, 0);
	assert_int_equal(rd(QUEUE_NUM_MAX), 128);
	assert_int_equal(rd(QUEUE_READY), 0);
	wr(QUEUE_SEL, 1); /* no such queue */
	assert_int_equal(rd(QUEUE_NUM_MAX), 0);
	assert_int_equal(rd(SHM_LEN_LOW), 0xffffffff);
	assert_int_equal(rd(CONFIG_GENERATION), 0);
	assert_int_equal(rd(STATUS_REG), 0);
	assert_int_equal(rd(INTERRUPT_STATUS), 0);
	/* Capacity: 16 sectors, as two 32-bit halves and as one 64-bit read. */
	assert_int_equal(rd(CONFIG), NSECT);
	assert_int_equal(rd(CONFIG + 4), 0);
	uint64_t v = 0;
	assert_int_equal(devbus_access(&vm->bus, VBASE + CONFIG, 8, false, &v), 0);
	assert_int_equal(v, NSECT);
	assert_int_equal(devbus_access(&vm->bus, VBASE + CONFIG + 1, 1, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rd(CONFIG + 8), 0);   /* size_max: not offered */
	assert_int_equal(rd(CONFIG + 12), 126); /* seg_max: 128 less header and status */
	assert_int_equal(rd(CONFIG + 16), 0);
	assert_false(irq_pending());
}

/* 4.2.2.2: registers take 32-bit accesses; others are ignored and read as 0. */
static void test_narrow_register_access(void **state)
{
	uint64_t v = 0xdead;

	(void)state;
	assert_int_equal(devbus_access(&vm->bus, VBASE + MAGIC, 1, false, &v), 0);
	assert_int_equal(v, 0);
	v = S_ACK;
	assert_int_equal(devbus_access(&vm->bus, VBASE + STATUS_REG, 2, true, &v), 0);
	assert_int_equal(rd(STATUS_REG), 0);
	assert_int_equal(devbus_access(&vm->bus, VBASE + STATUS_REG + 2, 4, false, &v), 0);
	assert_int_equal(v, 0);
}

static void test_read_sectors(void **state)
{
	static uint8_t buf[2 * SECTOR];

	(void)state;
	init_driver();
	assert_int_equal(request(T_IN, 3, 2 * SECTOR, true), 0);
	assert_int_equal(addrspace_read(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, image + 3 * SECTOR, sizeof(buf));
	/* The used ring: one element, the chain's head, data and status written. */
	assert_int_equal(used_idx(), 1);
	assert_int_equal(get(USED + 4, 4), 0);
	assert_int_equal(get(USED + 8, 4), 2 * SECTOR + 1);
	assert_int_equal(rd(INTERRUPT_STATUS), 1);
	assert_true(irq_pending());
	wr(INTERRUPT_ACK, 1);
	assert_int_equal(rd(INTERRUPT_STATUS), 0);
	assert_false(irq_pending());
	/* A second request goes to the next slot of the used ring. */
	assert_int_equal(request(T_IN, 15, SECTOR, true), 0);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(get(USED + 4 + 8 + 4, 4), SECTOR + 1);
	assert_int_equal(addrspace_read(&vm->as, DATA, buf, SECTOR), 0);
	assert_memory_equal(buf, image + 15 * SECTOR, SECTOR);
	assert_image_unchanged();
}

static void test_write_sectors(void **state)
{
	static uint8_t buf[2 * SECTOR], now[sizeof(image)];

	(void)state;
	init_driver();
	memset(buf, 0x5a, sizeof(buf));
	buf[0] = 1;
	buf[sizeof(buf) - 1] = 2;
	assert_int_equal(addrspace_write(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_int_equal(request(T_OUT, 14, 2 * SECTOR, false), 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(get(USED + 8, 4), 1); /* the status byte only */
	memcpy(image + 14 * SECTOR, buf, sizeof(buf));
	read_image(now);
	assert_memory_equal(now, image, sizeof(image));
	/* Read back through the device. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(addrspace_write(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_int_equal(request(T_IN, 14, 2 * SECTOR, true), 0);
	assert_int_equal(addrspace_read(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, image + 14 * SECTOR, sizeof(buf));
	assert_int_equal(rd(STATUS_REG) & S_NEEDS_RESET, 0);
}

/* The data split over several descriptors, the status in the last data byte's descriptor. */
static void test_scattered_chain(void **state)
{
	static uint8_t buf[SECTOR];

	(void)state;
	init_driver();
	put(HDR, T_IN, 4);
	put(HDR + 4, 0, 4);
	put(HDR + 8, 7, 8);
	desc(5, HDR, 8, D_NEXT, 3);          /* the header in two pieces */
	desc(3, HDR + 8, 8, D_NEXT, 6);
	desc(6, DATA, 100, D_NEXT | D_WRITE, 1);
	desc(1, DATA + 0x1000, SECTOR - 100 + 1, D_WRITE, 0); /* data end and status */
	submit(5);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(get(USED + 4, 4), 5);
	assert_int_equal(get(USED + 8, 4), SECTOR + 1);
	assert_int_equal(addrspace_read(&vm->as, DATA, buf, 100), 0);
	assert_int_equal(addrspace_read(&vm->as, DATA + 0x1000, buf + 100, SECTOR - 100), 0);
	assert_memory_equal(buf, image + 7 * SECTOR, SECTOR);
	assert_int_equal(get(DATA + 0x1000 + SECTOR - 100, 1), 0); /* status OK */
}

static void test_flush_get_id_unsupported(void **state)
{
	char id[21] = "";

	(void)state;
	init_driver();
	assert_int_equal(request(T_FLUSH, 0, 0, false), 0);
	assert_int_equal(request(T_GET_ID, 0, 20, true), 0);
	assert_int_equal(get(USED + 4 + 8 + 4, 4), strlen("cvisor-blk") + 1);
	assert_int_equal(addrspace_read(&vm->as, DATA, id, 20), 0);
	assert_string_equal(id, "cvisor-blk");
	assert_int_equal(request(99, 0, 0, false), 2); /* VIRTIO_BLK_S_UNSUPP */
	assert_int_equal(used_idx(), 3);
	assert_int_equal(rd(STATUS_REG) & S_NEEDS_RESET, 0);
}

/* Sectors past the end, and lengths that are not whole sectors: VIRTIO_BLK_S_IOERR. */
static void test_out_of_bounds(void **state)
{
	(void)state;
	init_driver();
	assert_int_equal(request(T_OUT, NSECT - 1, 2 * SECTOR, false), 1);
	assert_int_equal(request(T_OUT, NSECT, SECTOR, false), 1);
	assert_int_equal(request(T_OUT, UINT64_MAX, SECTOR, false), 1);
	assert_int_equal(request(T_OUT, UINT64_MAX / SECTOR + 1, SECTOR, false), 1);
	assert_int_equal(request(T_OUT, 0, 100, false), 1);
	assert_int_equal(request(T_IN, NSECT - 1, 2 * SECTOR, true), 1);
	assert_int_equal(request(T_IN, 2, SECTOR + 1, true), 1);
	assert_int_equal(used_idx(), 7);
	assert_int_equal(get(USED + 4 + 8 * 5 + 4, 4), 1); /* an error writes the status only */
	/* The last sector itself is inside. */
	assert_int_equal(request(T_IN, NSECT - 1, SECTOR, true), 0);
	assert_int_equal(rd(STATUS_REG) & S_NEEDS_RESET, 0);
	assert_image_unchanged();
}

static void test_read_only(void **state)
{
	static uint8_t buf[SECTOR];

	(void)state;
	wr(DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(DEVICE_FEATURES), (1u << 28) | (1u << 9) | (1u << 5) | (1u << 2)); /* RO too */
	assert_int_equal(negotiate(VIRTIO_F_VERSION_1 | (1u << 5)), S_ACK | S_DRIVER | S_FEATURES_OK);
	setup_queue(QSIZE);
	wr(STATUS_REG, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(addrspace_write(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_int_equal(request(T_OUT, 0, SECTOR, false), 1);
	assert_int_equal(request(T_IN, 1, SECTOR, true), 0);
	assert_int_equal(addrspace_read(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, image + SECTOR, SECTOR);
	assert_int_equal(request(T_FLUSH, 0, 0, false), 0);
	assert_image_unchanged();
}

/* 2.2.2 and 6.1: FEATURES_OK is refused without VERSION_1, or with a feature not offered. */
static void test_feature_negotiation(void **state)
{
	(void)state;
	assert_int_equal(negotiate(0), S_ACK | S_DRIVER);
	assert_int_equal(negotiate(1u << 9), S_ACK | S_DRIVER);
	assert_int_equal(negotiate(VIRTIO_F_VERSION_1 | (1u << 5)), S_ACK | S_DRIVER); /* RO: not offered */
	assert_int_equal(negotiate(VIRTIO_F_VERSION_1 | (1ULL << 33)), S_ACK | S_DRIVER);
	assert_int_equal(negotiate(VIRTIO_F_VERSION_1 | (1u << 9)),
			 S_ACK | S_DRIVER | S_FEATURES_OK);
	/* Once FEATURES_OK is set, DriverFeatures writes change nothing. */
	wr(DRIVER_FEATURES_SEL, 1);
	wr(DRIVER_FEATURES, 0);
	assert_int_equal(rd(STATUS_REG), S_ACK | S_DRIVER | S_FEATURES_OK);
	/* DRIVER_OK after a refused negotiation: the device gives up. */
	assert_int_equal(negotiate(0), S_ACK | S_DRIVER);
	wr(STATUS_REG, S_ACK | S_DRIVER | S_DRIVER_OK);
	assert_int_equal(rd(STATUS_REG), S_ACK | S_DRIVER | S_DRIVER_OK | S_NEEDS_RESET);
	assert_int_equal(rd(INTERRUPT_STATUS), 2);
	assert_true(irq_pending());
}

/* Status 0 resets: queues, features, interrupt; the line goes low; the driver starts over. */
static void test_reset(void **state)
{
	static uint8_t buf[SECTOR];

	(void)state;
	init_driver();
	assert_int_equal(request(T_IN, 0, SECTOR, true), 0);
	assert_true(irq_pending());
	wr(STATUS_REG, 0);
	assert_int_equal(rd(STATUS_REG), 0);
	assert_int_equal(rd(INTERRUPT_STATUS), 0);
	assert_false(irq_pending());
	wr(QUEUE_SEL, 0);
	assert_int_equal(rd(QUEUE_READY), 0);
	/* A request made available after the reset, notified: the queue is not set up. */
	put(HDR, T_OUT, 4);
	desc(0, HDR, 16, D_NEXT, 1);
	desc(1, DATA, SECTOR, D_NEXT, 2);
	desc(2, STATUS, 1, D_WRITE, 0);
	submit(0);
	assert_int_equal(rd(STATUS_REG), S_NEEDS_RESET);
	assert_int_equal(rd(INTERRUPT_STATUS), 0); /* no DRIVER_OK: no interrupt (2.1.2) */
	assert_false(irq_pending());
	assert_int_equal(used_idx(), 1);
	/* Started over, with fresh rings, it works. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(addrspace_write(&vm->as, USED, buf, 16), 0);
	assert_int_equal(addrspace_write(&vm->as, AVAIL, buf, 16), 0);
	avail_idx = 0;
	init_driver();
	assert_int_equal(request(T_IN, 2, SECTOR, true), 0);
	assert_int_equal(addrspace_read(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, image + 2 * SECTOR, SECTOR);
	assert_int_equal(used_idx(), 1);
	assert_image_unchanged();
}

/* A descriptor loop, and a longer one through every descriptor: refused before any I/O. */
static void test_descriptor_loop(void **state)
{
	(void)state;
	init_driver();
	put(HDR, T_OUT, 4);
	put(HDR + 8, 0, 8);
	desc(0, HDR, 16, D_NEXT, 1);
	desc(1, DATA, SECTOR, D_NEXT, 0);
	submit(0);
	assert_needs_reset(0);
	/* While it needs reset, the device serves nothing. */
	assert_int_equal(request(T_IN, 0, SECTOR, true), 0xff);
	assert_int_equal(used_idx(), 0);
	assert_image_unchanged();
}

/* A chain of QSIZE + 1 descriptors through every index once, then back to the start. */
static void test_chain_longer_than_queue(void **state)
{
	(void)state;
	init_driver();
	put(HDR, T_IN, 4);
	put(HDR + 8, 0, 8);
	desc(0, HDR, 16, D_NEXT, 1);
	for (unsigned i = 1; i < QSIZE; i++)
		desc(i, DATA + 64 * i, 64, D_NEXT | D_WRITE, (uint16_t)((i + 1) % QSIZE));
	submit(0);
	assert_needs_reset(0);
}

/*
 * Indexes at or past the queue size. Past the table lies a request that
 * would be served (a flush): the device must not look there.
 */
static void test_index_out_of_range(void **state)
{
	(void)state;
	init_driver();
	put(HDR, T_FLUSH, 4);
	desc(0, HDR, 16, D_NEXT, QSIZE); /* next = the queue size */
	desc(QSIZE, STATUS, 1, D_WRITE, 0);
	submit(0);
	assert_needs_reset(0);
}

static void test_head_out_of_range(void **state)
{
	(void)state;
	init_driver();
	put(HDR, T_FLUSH, 4);
	desc(QSIZE + 3, HDR, 16, D_NEXT, QSIZE);
	desc(QSIZE, STATUS, 1, D_WRITE, 0);
	submit(QSIZE + 3);
	assert_needs_reset(0);
}

/* The available index more than a queue ahead. */
static void test_avail_idx_runs_ahead(void **state)
{
	(void)state;
	init_driver();
	desc(0, HDR, 16, D_NEXT, 1);
	desc(1, STATUS, 1, D_WRITE, 0);
	put(AVAIL + 2, QSIZE + 1, 2);
	wr(QUEUE_NOTIFY, 0);
	assert_needs_reset(0);
}

/* An indirect table, good but for VIRTIO_F_INDIRECT_DESC not negotiated. */
static void test_indirect_refused(void **state)
{
	(void)state;
	init_driver();
	put(HDR, T_FLUSH, 4);
	tdesc(0, HDR, 16, D_NEXT, 1);
	tdesc(1, STATUS, 1, D_WRITE, 0);
	desc(0, TABLE, 2 * 16, D_INDIRECT, 0);
	submit(0);
	assert_needs_reset(0);
}

/* The driver accepts VIRTIO_F_INDIRECT_DESC; queue 0 is live. */
static void init_indirect_driver(void)
{
	assert_int_equal(negotiate(VIRTIO_F_VERSION_1 | F_INDIRECT), S_ACK | S_DRIVER | S_FEATURES_OK);
	setup_queue(QSIZE);
	wr(STATUS_REG, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* A read whose chain is an indirect table of three descriptors, out of order (2.7.5.3). */
static void test_indirect_read(void **state)
{
	static uint8_t buf[2 * SECTOR];

	(void)state;
	init_indirect_driver();
	put(HDR, T_IN, 4);
	put(HDR + 4, 0, 4);
	put(HDR + 8, 9, 8);
	put(STATUS, 0xff, 1);
	/* The ring's descriptor 4 points to the table, whose walk starts at its entry 0. */
	desc(4, TABLE, 3 * 16, D_INDIRECT, 0);
	tdesc(0, HDR, 16, D_NEXT, 2);
	tdesc(2, DATA, 2 * SECTOR, D_NEXT | D_WRITE, 1);
	tdesc(1, STATUS, 1, D_WRITE, 0);
	submit(4);
	assert_int_equal(get(STATUS, 1), 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(get(USED + 4, 4), 4);
	assert_int_equal(get(USED + 8, 4), 2 * SECTOR + 1);
	assert_int_equal(addrspace_read(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, image + 9 * SECTOR, sizeof(buf));
	/* A direct descriptor before the indirect one: the header, then a table of two. */
	put(HDR + 8, 1, 8);
	desc(0, HDR, 16, D_NEXT, 5);
	desc(5, TABLE + 16, 2 * 16, D_INDIRECT, 0);
	tdesc(1, DATA, 2 * SECTOR, D_NEXT | D_WRITE, 1); /* entry 0 of the table at TABLE + 16 */
	tdesc(2, STATUS, 1, D_WRITE, 0);
	submit(0);
	assert_int_equal(get(STATUS, 1), 0);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(addrspace_read(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, image + SECTOR, sizeof(buf));
	/* A chain of exactly the queue size: header, QSIZE - 2 pieces of a sector, status. */
	put(HDR + 8, 12, 8);
	tdesc(0, HDR, 16, D_NEXT, 1);
	for (unsigned i = 0; i < QSIZE - 2; i++)
		tdesc(1 + i, DATA + 0x1000 * i, i < QSIZE - 3 ? 64 : SECTOR - 64 * (QSIZE - 3),
		      D_NEXT | D_WRITE, (uint16_t)(2 + i));
	tdesc(QSIZE - 1, STATUS, 1, D_WRITE, 0);
	desc(3, TABLE, QSIZE * 16, D_INDIRECT, 0);
	submit(3);
	assert_int_equal(get(STATUS, 1), 0);
	assert_int_equal(used_idx(), 3);
	for (unsigned i = 0; i < QSIZE - 3; i++) {
		assert_int_equal(addrspace_read(&vm->as, DATA + 0x1000 * i, buf, 64), 0);
		assert_memory_equal(buf, image + 12 * SECTOR + 64 * i, 64);
	}
	assert_int_equal(rd(STATUS_REG) & S_NEEDS_RESET, 0);
}

/*
 * Indirect tables that break the rules (2.7.5.3.1): nested, with NEXT,
 * of a length that is not whole descriptors, outside RAM, with a loop or an
 * index past the table. Each: DEVICE_NEEDS_RESET, nothing used, the image as it was.
 */
static void test_indirect_hostile(void **state)
{
	enum { NESTED, WITH_NEXT, LEN_20, LEN_0, OUTSIDE, IN_DEVICE, LOOP, INDEX, LONG, NCASES };

	(void)state;
	for (unsigned c = 0; c < NCASES; c++) {
		init_indirect_driver();
		avail_idx = 0;
		put(USED + 2, 0, 2);
		put(HDR, T_OUT, 4);
		put(HDR + 8, 0, 8);
		tdesc(0, HDR, 16, D_NEXT, 1);
		tdesc(1, DATA, SECTOR, D_NEXT, 2);
		tdesc(2, STATUS, 1, D_WRITE, 0);
		uint64_t table = TABLE;
		uint32_t len = 3 * 16;
		uint16_t flags = D_INDIRECT;
		switch (c) {
		case NESTED: /* entry 1 points to a good table of data and status */
			tdesc(1, TABLE + 0x100, 2 * 16, D_INDIRECT, 0);
			put(TABLE + 0x100, DATA, 8);
			put(TABLE + 0x108, SECTOR, 4);
			put(TABLE + 0x10c, D_NEXT, 2);
			put(TABLE + 0x10e, 1, 2);
			put(TABLE + 0x110, STATUS, 8);
			put(TABLE + 0x118, 1, 4);
			put(TABLE + 0x11c, D_WRITE, 2);
			break;
		case WITH_NEXT:
			flags |= D_NEXT;
			desc(1, STATUS, 1, D_WRITE, 0);
			break;
		case LEN_20:
			len = 20;
			break;
		case LEN_0:
			len = 0;
			break;
		case OUTSIDE:
			table = RAM + RAM_SIZE - 32;
			break;
		case IN_DEVICE:
			table = 0x09000000ULL;
			break;
		case LOOP:
			tdesc(2, STATUS, 1, D_WRITE | D_NEXT, 1);
			break;
		case INDEX: /* entry 3, past the table of 3, would be a good status */
			tdesc(1, DATA, SECTOR, D_NEXT, 3);
			tdesc(3, STATUS, 1, D_WRITE, 0);
			break;
		case LONG: /* a good write of QSIZE + 2 buffers: longer than the queue */
			for (unsigned i = 0; i < QSIZE; i++)
				tdesc(1 + i, DATA + 64 * i, 64, D_NEXT, (uint16_t)(2 + i));
			tdesc(QSIZE + 1, STATUS, 1, D_WRITE, 0);
			len = (QSIZE + 2) * 16;
			break;
		}
		desc(0, table, len, flags, 1);
		submit(0);
		assert_needs_reset(0);
	}
	assert_image_unchanged();
}

/*
 * Buffers outside RAM, in a device window (the PL011's registers, the
 * GIC's), across RAM's end: refused whole, before the device reads or
 * writes anything of them.
 */
static void test_buffer_outside_ram(void **state)
{
	static const struct { uint64_t addr; uint32_t len; } bad[] = {
		{ 0x80000000ULL, SECTOR },          /* nothing there */
		{ 0x09000000ULL, SECTOR },          /* the PL011 */
		{ 0x08000000ULL, SECTOR },          /* the GIC distributor */
		{ VBASE, SECTOR },                  /* the device itself */
		{ RAM + RAM_SIZE - 256, SECTOR },   /* across RAM's end */
		{ RAM - 256, SECTOR },              /* across RAM's start */
		{ UINT64_MAX - 255, SECTOR },       /* wrapping around */
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int out = 0; out < 2; out++) {
			init_driver();
			avail_idx = 0;
			put(USED + 2, 0, 2);
			put(HDR, out ? T_OUT : T_IN, 4);
			put(HDR + 8, 0, 8);
			put(STATUS, 0xff, 1);
			desc(0, HDR, 16, D_NEXT, 1);
			desc(1, bad[i].addr, bad[i].len, D_NEXT | (out ? 0 : D_WRITE), 2);
			desc(2, STATUS, 1, D_WRITE, 0);
			submit(0);
			assert_needs_reset(0);
			assert_int_equal(get(STATUS, 1), 0xff);
		}
	}
	/* The status byte or the header outside RAM. */
	init_driver();
	avail_idx = 0;
	desc(0, HDR, 16, D_NEXT, 1);
	desc(1, 0x09000000ULL, 1, D_WRITE, 0);
	submit(0);
	assert_needs_reset(0);
	assert_image_unchanged();
}

/* A readable buffer after a writable one (2.7.4.2). */
static void test_readable_after_writable(void **state)
{
	(void)state;
	init_driver();
	desc(0, STATUS, 1, D_NEXT | D_WRITE, 1);
	desc(1, HDR, 16, 0, 0);
	submit(0);
	assert_needs_reset(0);
}

/* No room for the header, or for the status byte: not a request. */
static void test_wrong_lengths(void **state)
{
	(void)state;
	init_driver();
	put(HDR, T_IN, 4);
	desc(0, HDR, 8, D_NEXT, 1);
	desc(1, STATUS, 1, D_WRITE, 0);
	submit(0);
	assert_needs_reset(0);
	init_driver();
	avail_idx = 0;
	put(HDR, T_OUT, 4);
	desc(0, HDR, 16, D_NEXT, 1);
	desc(1, DATA, SECTOR, 0, 0); /* no writable byte at all */
	submit(0);
	assert_needs_reset(0);
	assert_image_unchanged();
}

static void test_notify_queue_not_set_up(void **state)
{
	(void)state;
	assert_int_equal(negotiate(VIRTIO_F_VERSION_1), S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(STATUS_REG, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	wr(QUEUE_NOTIFY, 0);
	assert_needs_reset(0);
	/* A queue the device does not have. */
	init_driver();
	wr(QUEUE_NOTIFY, 1);
	assert_needs_reset(0);
	/* Before DRIVER_OK (3.1.1): refused, without an interrupt. */
	assert_int_equal(negotiate(VIRTIO_F_VERSION_1), S_ACK | S_DRIVER | S_FEATURES_OK);
	setup_queue(QSIZE);
	wr(QUEUE_NOTIFY, 0);
	assert_int_equal(rd(STATUS_REG), S_ACK | S_DRIVER | S_FEATURES_OK | S_NEEDS_RESET);
	assert_int_equal(rd(INTERRUPT_STATUS), 0);
}

/* QueueReady with a size that is 0, not a power of 2, or above QueueNumMax; rings outside RAM. */
static void test_bad_queue_setup(void **state)
{
	static const uint32_t sizes[] = { 0, 6, 256, 0x10000 };

	(void)state;
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(negotiate(VIRTIO_F_VERSION_1), S_ACK | S_DRIVER | S_FEATURES_OK);
		setup_queue(sizes[i]);
		assert_int_equal(rd(QUEUE_READY), 0);
		assert_int_equal(rd(STATUS_REG), S_ACK | S_DRIVER | S_FEATURES_OK | S_NEEDS_RESET);
	}
	/* Rings in the PL011's window, off RAM's end, outside the VM, misaligned. */
	static const uint64_t rings[][3] = {
		{ DESC, AVAIL, 0x09000000ULL },
		{ 0x09000000ULL, AVAIL, USED },
		{ DESC, 0x80000000ULL, USED },
		{ RAM + RAM_SIZE - 16 * QSIZE + 16, AVAIL, USED },
		{ DESC, AVAIL, RAM + RAM_SIZE - 6 - 8 * QSIZE + 4 },
		{ DESC + 8, AVAIL, USED },
		{ DESC, AVAIL + 1, USED },
		{ DESC, AVAIL, USED + 2 },
		{ 0xfffffffff0000000ULL, AVAIL, USED },
	};
	for (unsigned i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		assert_int_equal(negotiate(VIRTIO_F_VERSION_1), S_ACK | S_DRIVER | S_FEATURES_OK);
		setup_queue_at(QSIZE, rings[i][0], rings[i][1], rings[i][2]);
		assert_int_equal(rd(QUEUE_READY), 0);
		assert_int_equal(rd(STATUS_REG), S_ACK | S_DRIVER | S_FEATURES_OK | S_NEEDS_RESET);
	}
	/* The same rings, right, are accepted. */
	assert_int_equal(negotiate(VIRTIO_F_VERSION_1), S_ACK | S_DRIVER | S_FEATURES_OK);
	setup_queue_at(QSIZE, RAM + RAM_SIZE - 16 * QSIZE, AVAIL, RAM + RAM_SIZE - 6 - 8 * QSIZE - 2);
	assert_int_equal(rd(QUEUE_READY), 1);
	assert_int_equal(rd(STATUS_REG), S_ACK | S_DRIVER | S_FEATURES_OK);
}

/* A queue register written while the queue is ready is ignored (4.2.3.2). */
static void test_queue_change_while_ready(void **state)
{
	static uint8_t buf[SECTOR];

	(void)state;
	init_driver();
	assert_int_equal(request(T_FLUSH, 0, 0, false), 0);
	wr(QUEUE_DESC, 0x09000000);
	wr(QUEUE_NUM, 3);
	wr(QUEUE_READY, 1); /* again: the queue goes on where it was, the flush stays done */
	assert_int_equal(request(T_IN, 4, SECTOR, true), 0);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(get(USED + 8, 4), 1);              /* the flush: its status byte */
	assert_int_equal(get(USED + 8 + 8, 4), SECTOR + 1); /* the read */
	assert_int_equal(addrspace_read(&vm->as, DATA, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, image + 4 * SECTOR, SECTOR);
}

/* The driver may ask for no used-buffer interrupt (2.7.7). */
static void test_no_interrupt_flag(void **state)
{
	(void)state;
	init_driver();
	put(AVAIL, 1, 2);
	assert_int_equal(request(T_IN, 0, SECTOR, true), 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(rd(INTERRUPT_STATUS), 0);
	assert_false(irq_pending());
}

/* The generated device tree: a virtio,mmio node with its window and its SPI. */
static void test_device_tree(void **state)
{
	static uint8_t buf[65536];

	(void)state;
	assert_int_equal(addrspace_read(&vm->as, vm->dtb_gpa, buf, sizeof(buf)), 0);
	int node = fdt_path_offset(buf, "/virtio-blk@a000000");
	assert_true(node > 0);
	assert_string_equal(fdt_getprop(buf, node, "compatible", NULL), "virtio,mmio");
	int len;
	const fdt64_t *reg = fdt_getprop(buf, node, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_ld(&reg[0]), VBASE);
	assert_int_equal(fdt64_ld(&reg[1]), 0x200);
	const fdt32_t *irq = fdt_getprop(buf, node, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(irq[0]), 0);        /* SPI */
	assert_int_equal(fdt32_to_cpu(irq[1]), IRQ - 32); /* SPI 16 */
	assert_int_equal(fdt32_to_cpu(irq[2]), 4);        /* level, high */
	assert_non_null(fdt_getprop(buf, node, "dma-coherent", NULL));
}

/* Configs that cannot make a disk: vm_create refuses them with a reason. */
static void test_bad_configs(void **state)
{
	(void)state;
	make_image();
	assert_int_equal(boot("[2]"), -1);
	assert_int_equal(boot("[0, 1]"), -1);
	assert_int_equal(boot("[0]"), 0);
	vm_destroy(vm);
	unlink(disk);
	assert_int_equal(boot("[]"), -1); /* the file is gone */
	vm = NULL;
}

/* cvisor check: a virtio-blk without disk_path is a problem, named at its line. */
static void test_check_needs_disk_path(void **state)
{
	static const char text[] = "[base]\nid = 1\narch = \"aarch64\"\n"
				   "[kernel]\nkernel_path = \"k.bin\"\n"
				   "memory_regions = [[0x4000_0000, 0x100_0000, 7, 0]]\n"
				   "[devices]\nemu_devices = [\n  [\"virtio-blk\", 0x0a00_0000, 0x200, 48, 3, []],\n]\n";
	static struct vm_config cfg;
	static struct diag_list dl;

	(void)state;
	assert_int_equal(config_parse(text, strlen(text), "vm.toml", &cfg, &dl), 0);
	memset(&dl, 0, sizeof(dl));
	assert_int_equal(config_validate(&cfg, NULL, &dl), 1);
	assert_int_equal(dl.items[0].line, 9); /* the entry's own line */
	assert_string_equal(dl.items[0].msg,
			    "emu_devices: virtio-blk needs a disk image: set disk_path in [kernel]");
	cfg.disk_path.set = true;
	memset(&dl, 0, sizeof(dl));
	assert_int_equal(config_validate(&cfg, NULL, &dl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_narrow_register_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_sectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_sectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scattered_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_get_id_unsupported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro, teardown),
		cmocka_unit_test_setup_teardown(test_feature_negotiation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptor_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_longer_than_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_avail_idx_runs_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readable_after_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_queue_not_set_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_queue_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_change_while_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_interrupt_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_tree, setup, teardown),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_check_needs_disk_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
