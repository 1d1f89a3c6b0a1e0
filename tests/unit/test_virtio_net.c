/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (virtio 1.2, 5.1) and the virtual switch between the
 * devices of a run (vswitch.c): three AArch64 VMs a, b and c, each with
 * a virtio-net device, driven by a small driver written here that sets
 * up both queues in the VM's RAM (through the address-space API, as a
 * guest's stores would leave them) and sends and receives frames through
 * MMIO accesses on the VM's bus. Checked: what arrives in which receive
 * buffer (header and frame, byte for byte, and the used length), the
 * switch's flooding and learning, a full mailbox's drops, frames waiting
 * for receive buffers, frames the device refuses, and drivers that break
 * the rules (DEVICE_NEEDS_RESET).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include <cvisor/addrspace.h>
#include <cvisor/devbus.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/virtio_net.h>
#include <cvisor/vm.h>
#include <cvisor/vswitch.h>

#include "fixture.h"

#define VBASE 0x0a000600ULL /* the device's window */
#define IRQ 51              /* its SPI: INTID 51 */
#define RXQ 0
#define TXQ 1
#define QSIZE 8
/* Rings of queue q at RING(q), RING(q) + 0x1000 (available), + 0x2000 (used). */
#define RING(q) (0x40800000ULL + 0x10000ULL * (q))
#define RXBUF 0x40840000ULL /* receive buffer i at RXBUF + 0x800 * i */
#define TXBUF 0x40860000ULL
#define HDR 12
#define MAX_FRAME 1514

enum {
	DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014,
	DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030,
	QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
	INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS_REG = 0x070, QUEUE_DESC = 0x080,
	QUEUE_DRIVER = 0x090, QUEUE_DEVICE = 0x0a0, CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 64 };
enum { D_NEXT = 1, D_WRITE = 2 };
#define S_LIVE (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
/* GICD_ISPENDR<1>, INTIDs 32-63 (IHI 0069 12.9.24). */
#define GICD_ISPENDR1 (0x08000000ULL + 0x0200 + 4)

/* One VM and what its driver knows. */
struct drv {
	struct vm *vm;
	uint16_t avail[2]; /* the available rings' idx */
	uint16_t used[2];  /* used entries taken */
	uint8_t mac[6];
};

static struct drv a, b, c;
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* A VM named name with id and a virtio-net of config list cfg ("[]"). Returns fixture_vm_boot's. */
static int boot(struct drv *d, const char *name, unsigned id, const char *cfg)
{
	static char text[1024];
	static const uint8_t kernel[4] = { 0x1f, 0x20, 0x03, 0xd5 }; /* NOP: never run */

	snprintf(text, sizeof(text),
		 "[base]\nid = %u\nname = \"%s\"\narch = \"aarch64\"\n"
		 "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x4008_0000\n"
		 "memory_regions = [[0x4000_0000, 0x100_0000, 7, 0]]\n"
		 "[devices]\nemu_devices = [[\"virtio-net\", 0x0a00_0600, 0x200, %d, 3, %s]]\n",
		 id, name, IRQ, cfg);
	memset(d, 0, sizeof(*d));
	return fixture_vm_boot(text, "net.toml", kernel, sizeof(kernel), &d->vm);
}

static void destroy(struct drv *d)
{
	vm_destroy(d->vm);
	d->vm = NULL;
}

static int setup(void **state)
{
	(void)state;
	vswitch_reset();
	if (boot(&a, "a", 1, "[]") || boot(&b, "b", 2, "[]") || boot(&c, "c", 3, "[]"))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	destroy(&a);
	destroy(&b);
	destroy(&c);
	return 0;
}

static uint32_t rd(struct drv *d, uint64_t off)
{
	uint64_t v = 0xdead;
	assert_int_equal(devbus_access(&d->vm->bus, VBASE + off, 4, false, &v), 0);
	return (uint32_t)v;
}

static void wr(struct drv *d, uint64_t off, uint32_t v)
{
	uint64_t x = v;
	assert_int_equal(devbus_access(&d->vm->bus, VBASE + off, 4, true, &x), 0);
}

static bool irq_pending(struct drv *d)
{
	uint64_t v = 0;
	assert_int_equal(devbus_access(&d->vm->bus, GICD_ISPENDR1, 4, false, &v), 0);
	return (v >> (IRQ - 32)) & 1;
}

static void put(struct drv *d, uint64_t gpa, uint64_t v, unsigned n)
{
	uint8_t buf[8];
	for (unsigned i = 0; i < n; i++)
		buf[i] = (uint8_t)(v >> (8 * i));
	assert_int_equal(addrspace_write(&d->vm->as, gpa, buf, n), 0);
}

static uint64_t get(struct drv *d, uint64_t gpa, unsigned n)
{
	uint8_t buf[8];
	uint64_t v = 0;
	assert_int_equal(addrspace_read(&d->vm->as, gpa, buf, n), 0);
	while (n--)
		v = v << 8 | buf[n];
	return v;
}

static void desc(struct drv *d, unsigned q, unsigned i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	uint64_t at = RING(q) + 16 * i;
	put(d, at, addr, 8);
	put(d, at + 8, len, 4);
	put(d, at + 12, flags, 2);
	put(d, at + 14, next, 2);
}

/* 3.1.1 and 4.2.3.2: features VERSION_1 and MAC, both queues, DRIVER_OK; the address read. */
static void init_driver(struct drv *d)
{
	wr(d, STATUS_REG, 0);
	wr(d, STATUS_REG, S_ACK | S_DRIVER);
	wr(d, DRIVER_FEATURES_SEL, 0);
	wr(d, DRIVER_FEATURES, 1u << 5);
	wr(d, DRIVER_FEATURES_SEL, 1);
	wr(d, DRIVER_FEATURES, 1);
	wr(d, STATUS_REG, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(rd(d, STATUS_REG), S_ACK | S_DRIVER | S_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++) {
		wr(d, QUEUE_SEL, q);
		wr(d, QUEUE_NUM, QSIZE);
		wr(d, QUEUE_DESC, (uint32_t)RING(q));
		wr(d, QUEUE_DRIVER, (uint32_t)(RING(q) + 0x1000));
		wr(d, QUEUE_DEVICE, (uint32_t)(RING(q) + 0x2000));
		wr(d, QUEUE_READY, 1);
		assert_int_equal(rd(d, QUEUE_READY), 1);
	}
	wr(d, STATUS_REG, S_LIVE);
	assert_int_equal(rd(d, STATUS_REG), S_LIVE);
	for (unsigned i = 0; i < 6; i++) {
		uint64_t v = 0;
		assert_int_equal(devbus_access(&d->vm->bus, VBASE + CONFIG + i, 1, false, &v), 0);
		d->mac[i] = (uint8_t)v;
	}
}

/* Makes chain head of queue q available; notifies q if notify. */
static void offer(struct drv *d, unsigned q, uint16_t head, bool notify)
{
	put(d, RING(q) + 0x1000 + 4 + 2 * (d->avail[q] % QSIZE), head, 2);
	d->avail[q]++;
	put(d, RING(q) + 0x1000 + 2, d->avail[q], 2);
	if (notify)
		wr(d, QUEUE_NOTIFY, q);
}

/* Receive buffer i (descriptor i of the receive queue): len writable bytes, made available. */
static void add_rx(struct drv *d, unsigned i, uint32_t len, bool notify)
{
	desc(d, RXQ, i, RXBUF + 0x800 * i, len, D_WRITE, 0);
	offer(d, RXQ, (uint16_t)i, notify);
}

/* Entries of q's used ring not yet taken. */
static unsigned used_new(struct drv *d, unsigned q)
{
	return (uint16_t)(get(d, RING(q) + 0x2000 + 2, 2) - d->used[q]);
}

/* Takes the next used entry of q: returns its length, *id its chain. */
static uint32_t take_used(struct drv *d, unsigned q, unsigned *id)
{
	assert_true(used_new(d, q) > 0);
	uint64_t e = RING(q) + 0x2000 + 4 + 8 * (d->used[q] % QSIZE);
	d->used[q]++;
	*id = (unsigned)get(d, e, 4);
	return (uint32_t)get(d, e + 4, 4);
}

/*
 * A frame of len bytes: to dst, from src, EtherType 0x88b5 (local
 * experimental), then bytes seq + i.
 */
static void make_frame(uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src, uint8_t seq)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(seq + i);
}

/* Sends f (len bytes) from d: header and frame in one readable buffer; returns its used length. */
static uint32_t send_raw(struct drv *d, const uint8_t *f, size_t len)
{
	static const uint8_t zero[HDR];
	unsigned id;

	assert_int_equal(addrspace_write(&d->vm->as, TXBUF, zero, HDR), 0);
	assert_int_equal(addrspace_write(&d->vm->as, TXBUF + HDR, f, len), 0);
	desc(d, TXQ, 0, TXBUF, (uint32_t)(HDR + len), 0, 0);
	offer(d, TXQ, 0, true);
	uint32_t n = take_used(d, TXQ, &id);
	assert_int_equal(id, 0);
	return n;
}

/* Sends a frame of len bytes from d to dst with seq; checks the transmit chain came back. */
static void send(struct drv *d, const uint8_t *dst, size_t len, uint8_t seq)
{
	uint8_t f[MAX_FRAME + 1];

	make_frame(f, len, dst, d->mac, seq);
	assert_int_equal(send_raw(d, f, len), 0);
	assert_int_equal(rd(d, STATUS_REG), S_LIVE);
}

/*
 * Checks that d received the frame of len bytes from src to dst with seq
 * in receive buffer i: the header (num_buffers 1, the rest 0), the frame,
 * the used length.
 */
static void expect_frame(struct drv *d, unsigned i, const uint8_t *dst, const uint8_t *src,
			 size_t len, uint8_t seq)
{
	static const uint8_t hdr[HDR] = { [10] = 1 };
	uint8_t want[MAX_FRAME], got[HDR + MAX_FRAME];
	unsigned id;

	assert_int_equal(take_used(d, RXQ, &id), HDR + len);
	assert_int_equal(id, i);
	make_frame(want, len, dst, src, seq);
	assert_int_equal(addrspace_read(&d->vm->as, RXBUF + 0x800 * i, got, HDR + len), 0);
	assert_memory_equal(got, hdr, HDR);
	assert_memory_equal(got + HDR, want, len);
}

/* The used-buffer interrupt is up at d's device and GIC; acknowledged, it drops. */
static void expect_irq(struct drv *d)
{
	assert_int_equal(rd(d, INTERRUPT_STATUS), 1);
	assert_true(irq_pending(d));
	wr(d, INTERRUPT_ACK, 1);
	assert_false(irq_pending(d));
}

/* expect_frame(), and the interrupt that told the driver. */
static void expect_rx(struct drv *d, unsigned i, const uint8_t *dst, const uint8_t *src,
		      size_t len, uint8_t seq)
{
	expect_frame(d, i, dst, src, len, seq);
	expect_irq(d);
}

/* d's counters as virtio_net_stats() writes them. */
static void expect_stats(struct drv *d, const char *want)
{
	char line[120];
	struct device *dev = devbus_find(&d->vm->bus, VBASE);

	assert_true(virtio_net_stats(dev, line, sizeof(line)));
	assert_string_equal(line, want);
}

/* What the driver sees before it starts: device 1, the features, the address, the link up. */
static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(rd(&a, DEVICE_ID), 1);
	wr(&a, DEVICE_FEATURES_SEL, 0);
	/* VIRTIO_F_INDIRECT_DESC, VIRTIO_NET_F_STATUS, VIRTIO_NET_F_MAC */
	assert_int_equal(rd(&a, DEVICE_FEATURES), (1u << 28) | (1u << 16) | (1u << 5));
	wr(&a, DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(&a, DEVICE_FEATURES), 1); /* VIRTIO_F_VERSION_1 */
	for (unsigned q = 0; q < 3; q++) {
		wr(&a, QUEUE_SEL, q);
		assert_int_equal(rd(&a, QUEUE_NUM_MAX), q < 2 ? 128 : 0);
	}
	/* mac 52:54:00:c5:01:00 (VM id 1, its first virtio-net), then status LINK_UP. */
	assert_int_equal(rd(&a, CONFIG), 0xc5005452);
	assert_int_equal(rd(&a, CONFIG + 4), 0x00010001);
	assert_int_equal(rd(&b, CONFIG + 4), 0x00010002);
	assert_int_equal(rd(&a, CONFIG + 8), 0);
	expect_stats(&a, "virtio-net 52:54:00:c5:01:00 sent=0 delivered=0 dropped=0");
}

/*
 * A broadcast from a reaches b and c, not a; b's answer to a's address
 * reaches a only (a was learned); then a's frame to b's address reaches b
 * only (b was learned from its answer).
 */
static void test_flood_then_learn(void **state)
{
	(void)state;
	init_driver(&a);
	init_driver(&b);
	init_driver(&c);
	for (unsigned i = 0; i < 2; i++) {
		add_rx(&a, i, 1526, true);
		add_rx(&b, i, 1526, true);
		add_rx(&c, i, 1526, true);
	}
	send(&a, BCAST, 60, 1);
	expect_rx(&b, 0, BCAST, a.mac, 60, 1);
	expect_rx(&c, 0, BCAST, a.mac, 60, 1);
	assert_int_equal(used_new(&a, RXQ), 0);

	send(&b, a.mac, 100, 2);
	expect_rx(&a, 0, a.mac, b.mac, 100, 2);
	assert_int_equal(used_new(&c, RXQ), 0);

	send(&a, b.mac, MAX_FRAME, 3);
	expect_rx(&b, 1, b.mac, a.mac, MAX_FRAME, 3);
	assert_int_equal(used_new(&c, RXQ), 0);
	assert_int_equal(used_new(&a, RXQ), 0);
	expect_stats(&a, "virtio-net 52:54:00:c5:01:00 sent=2 delivered=1 dropped=0");
	expect_stats(&b, "virtio-net 52:54:00:c5:02:00 sent=1 delivered=2 dropped=0");
	expect_stats(&c, "virtio-net 52:54:00:c5:03:00 sent=0 delivered=1 dropped=0");
}

/*
 * A multicast address and an address nobody has are flooded; a frame to
 * the sender's own address goes nowhere.
 */
static void test_flood_unknown_and_multicast(void **state)
{
	static const uint8_t nobody[6] = { 0x52, 0x54, 0x00, 0xc5, 0x09, 0x00 };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

	(void)state;
	init_driver(&a);
	init_driver(&b);
	init_driver(&c);
	for (unsigned i = 0; i < 2; i++) {
		add_rx(&a, i, 1526, true);
		add_rx(&b, i, 1526, true);
		add_rx(&c, i, 1526, true);
	}
	send(&a, nobody, 64, 4);
	expect_rx(&b, 0, nobody, a.mac, 64, 4);
	expect_rx(&c, 0, nobody, a.mac, 64, 4);
	send(&b, mcast, 70, 5);
	expect_rx(&a, 0, mcast, b.mac, 70, 5);
	expect_rx(&c, 1, mcast, b.mac, 70, 5);
	send(&a, a.mac, 80, 6); /* a is learned on its own port: filtered */
	assert_int_equal(used_new(&a, RXQ) + used_new(&b, RXQ) + used_new(&c, RXQ), 0);
}

/* Header and frame across two writable buffers: split anywhere. */
static void test_split_receive_chain(void **state)
{
	static const uint8_t hdr[HDR] = { [10] = 1 };
	uint8_t want[200], got[HDR + 200];
	unsigned id;

	(void)state;
	init_driver(&a);
	init_driver(&b);
	desc(&b, RXQ, 3, RXBUF, 5, D_WRITE | D_NEXT, 4);
	desc(&b, RXQ, 4, RXBUF + 0x1000, 1000, D_WRITE, 0);
	offer(&b, RXQ, 3, true);
	send(&a, b.mac, 200, 7);
	assert_int_equal(take_used(&b, RXQ, &id), HDR + 200);
	assert_int_equal(id, 3);
	assert_int_equal(addrspace_read(&b.vm->as, RXBUF, got, 5), 0);
	assert_memory_equal(got, hdr, 5);
	assert_int_equal(addrspace_read(&b.vm->as, RXBUF + 0x1000, got, 200 + HDR - 5), 0);
	assert_memory_equal(got, hdr + 5, HDR - 5);
	make_frame(want, 200, b.mac, a.mac, 7);
	assert_memory_equal(got + HDR - 5, want, 200);
}

/*
 * Frames sent before the receiver's driver is up, then before it has
 * receive buffers, wait in its mailbox: they are delivered, in order,
 * when the buffers come (a notify of receiveq1).
 */
static void test_waits_for_buffers(void **state)
{
	(void)state;
	init_driver(&a);
	send(&a, BCAST, 60, 10);             /* b's driver has not started */
	assert_int_equal(rd(&b, STATUS_REG), 0);
	init_driver(&b);
	send(&a, BCAST, 61, 11);             /* b is live, with no receive buffer */
	assert_int_equal(used_new(&b, RXQ), 0);
	assert_false(irq_pending(&b));
	add_rx(&b, 0, 1526, false);          /* available, not notified: not seen yet */
	assert_int_equal(used_new(&b, RXQ), 0);
	wr(&b, QUEUE_NOTIFY, RXQ);
	expect_rx(&b, 0, BCAST, a.mac, 60, 10);
	add_rx(&b, 1, 1526, true);
	expect_rx(&b, 1, BCAST, a.mac, 61, 11);
	/* The next frame finds a buffer waiting: delivered at once (model->input). */
	add_rx(&b, 2, 1526, true);
	send(&a, BCAST, 62, 12);
	expect_rx(&b, 2, BCAST, a.mac, 62, 12);
	expect_stats(&b, "virtio-net 52:54:00:c5:02:00 sent=0 delivered=3 dropped=0");
}

/* A mailbox holds 64 frames: more are dropped and counted; those kept come in order. */
static void test_mailbox_full(void **state)
{
	(void)state;
	init_driver(&a);
	init_driver(&b);
	for (unsigned i = 0; i < VSWITCH_MAILBOX + 6; i++)
		send(&a, b.mac, 60, (uint8_t)i);
	expect_stats(&a, "virtio-net 52:54:00:c5:01:00 sent=70 delivered=0 dropped=0");
	expect_stats(&b, "virtio-net 52:54:00:c5:02:00 sent=0 delivered=0 dropped=6");
	for (unsigned i = 0; i < QSIZE; i++)
		add_rx(&b, i, 1526, false);
	wr(&b, QUEUE_NOTIFY, RXQ);
	expect_irq(&b);
	for (unsigned i = 0; i < QSIZE; i++)
		expect_frame(&b, i, b.mac, a.mac, 60, (uint8_t)i);
	assert_int_equal(used_new(&b, RXQ), 0);
	expect_stats(&b, "virtio-net 52:54:00:c5:02:00 sent=0 delivered=8 dropped=6");
}

/*
 * Frames of 13 and 1515 bytes are refused (warned, the chain used), a
 * frame of 14 bytes goes; the device goes on.
 */
static void test_frame_lengths(void **state)
{
	uint8_t f[MAX_FRAME + 1];

	(void)state;
	init_driver(&a);
	init_driver(&b);
	add_rx(&b, 0, 1526, true);
	make_frame(f, MAX_FRAME + 1, b.mac, a.mac, 20);
	assert_int_equal(send_raw(&a, f, MAX_FRAME + 1), 0);
	assert_int_equal(send_raw(&a, f, 13), 0);
	assert_int_equal(rd(&a, STATUS_REG), S_LIVE);
	assert_int_equal(used_new(&b, RXQ), 0);
	send(&a, b.mac, 14, 21);
	expect_rx(&b, 0, b.mac, a.mac, 14, 21);
	expect_stats(&a, "virtio-net 52:54:00:c5:01:00 sent=1 delivered=0 dropped=0");
}

/*
 * A receive buffer too small for header and frame: the frame is dropped
 * and counted, the buffer used with 0 bytes; the next buffer takes the
 * next frame.
 */
static void test_receive_buffer_too_small(void **state)
{
	(void)state;
	init_driver(&a);
	init_driver(&b);
	add_rx(&b, 0, HDR + 99, true);
	send(&a, b.mac, 100, 30);
	unsigned id;
	assert_int_equal(take_used(&b, RXQ, &id), 0);
	assert_int_equal(id, 0);
	wr(&b, INTERRUPT_ACK, 1);
	assert_int_equal(rd(&b, STATUS_REG), S_LIVE);
	add_rx(&b, 1, HDR + 100, true);
	send(&a, b.mac, 100, 31);
	expect_rx(&b, 1, b.mac, a.mac, 100, 31);
	expect_stats(&b, "virtio-net 52:54:00:c5:02:00 sent=0 delivered=1 dropped=1");
}

/* A receive chain with a readable buffer: DEVICE_NEEDS_RESET; the frame waits for the reset. */
static void test_readable_receive_buffer(void **state)
{
	(void)state;
	init_driver(&a);
	init_driver(&b);
	desc(&b, RXQ, 0, RXBUF, 1526, 0, 0);
	offer(&b, RXQ, 0, true);
	send(&a, b.mac, 60, 40);
	assert_int_equal(rd(&b, STATUS_REG), S_LIVE | S_NEEDS_RESET);
	assert_int_equal(rd(&b, INTERRUPT_STATUS), 2);
	assert_int_equal(used_new(&b, RXQ), 0);
	assert_int_equal(rd(&a, STATUS_REG), S_LIVE);
	init_driver(&b); /* the reset: the frame is still on its way */
	b.avail[RXQ] = b.used[RXQ] = 0;
	add_rx(&b, 0, 1526, true);
	expect_rx(&b, 0, b.mac, a.mac, 60, 40);
}

/* A transmit chain with a writable buffer, or shorter than the header: DEVICE_NEEDS_RESET. */
static void test_bad_transmit_chains(void **state)
{
	(void)state;
	init_driver(&a);
	desc(&a, TXQ, 0, TXBUF, 12, D_NEXT, 1);
	desc(&a, TXQ, 1, TXBUF + 0x100, 60, D_WRITE, 0);
	offer(&a, TXQ, 0, true);
	assert_int_equal(rd(&a, STATUS_REG), S_LIVE | S_NEEDS_RESET);
	assert_int_equal(used_new(&a, TXQ), 0);
	init_driver(&a);
	a.avail[TXQ] = a.used[TXQ] = 0;
	desc(&a, TXQ, 0, TXBUF, 11, 0, 0);
	offer(&a, TXQ, 0, true);
	assert_int_equal(rd(&a, STATUS_REG), S_LIVE | S_NEEDS_RESET);
	expect_stats(&a, "virtio-net 52:54:00:c5:01:00 sent=0 delivered=0 dropped=0");
}

/* Header flags the device did not offer: warned about and ignored, the frame sent. */
static void test_header_flags_ignored(void **state)
{
	uint8_t f[60];

	(void)state;
	init_driver(&a);
	init_driver(&b);
	add_rx(&b, 0, 1526, true);
	make_frame(f, sizeof(f), b.mac, a.mac, 50);
	put(&a, TXBUF, 0x01, 1); /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
	put(&a, TXBUF + 1, 0x01, 1); /* VIRTIO_NET_HDR_GSO_TCPV4 */
	assert_int_equal(addrspace_write(&a.vm->as, TXBUF + HDR, f, sizeof(f)), 0);
	desc(&a, TXQ, 0, TXBUF, HDR + sizeof(f), 0, 0);
	offer(&a, TXQ, 0, true);
	assert_int_equal(rd(&a, STATUS_REG), S_LIVE);
	expect_rx(&b, 0, b.mac, a.mac, sizeof(f), 50);
}

/*
 * The config list: [b] for the address's last byte, six bytes for a whole
 * one; a group address, a byte over 255, two or seven entries, and an
 * address already on the switch are refused.
 */
static void test_config_addresses(void **state)
{
	struct drv d, e;

	(void)state;
	vswitch_reset();
	assert_int_equal(boot(&d, "d", 0x105, "[7]"), 0);
	assert_int_equal(rd(&d, CONFIG), 0xc5005452);
	assert_int_equal(rd(&d, CONFIG + 4), 0x00010705);
	assert_int_equal(boot(&e, "e", 6, "[0x02, 0, 0, 0, 0, 0x2a]"), 0);
	assert_int_equal(rd(&e, CONFIG), 0x00000002);
	assert_int_equal(rd(&e, CONFIG + 4), 0x00012a00);
	struct drv x;
	assert_int_equal(boot(&x, "x", 5, "[7]"), -1);  /* 52:54:00:c5:05:07: d's */
	assert_int_equal(boot(&x, "x", 7, "[0x03, 0, 0, 0, 0, 1]"), -1); /* multicast */
	assert_int_equal(boot(&x, "x", 7, "[0, 0, 0, 0, 0, 0]"), -1);
	assert_int_equal(boot(&x, "x", 7, "[256]"), -1);
	assert_int_equal(boot(&x, "x", 7, "[1, 2]"), -1);
	assert_int_equal(boot(&x, "x", 7, "[2, 0, 0, 0, 0, 1, 0]"), -1);
	destroy(&d);
	/* d's port is gone: its address is free again. */
	assert_int_equal(boot(&x, "x", 5, "[7]"), 0);
	destroy(&x);
	destroy(&e);
}

/* The generated device tree: a virtio,mmio node with its window and SPI 19. */
static void test_device_tree(void **state)
{
	static uint8_t buf[65536];
	int len;

	(void)state;
	assert_int_equal(addrspace_read(&a.vm->as, a.vm->dtb_gpa, buf, sizeof(buf)), 0);
	int node = fdt_path_offset(buf, "/virtio-net@a000600");
	assert_true(node > 0);
	assert_string_equal(fdt_getprop(buf, node, "compatible", NULL), "virtio,mmio");
	const fdt32_t *irq = fdt_getprop(buf, node, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(irq[1]), IRQ - 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_then_learn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_unknown_and_multicast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_receive_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waits_for_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_buffer_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readable_receive_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_transmit_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_flags_ignored, setup, teardown),
		cmocka_unit_test(test_config_addresses),
		cmocka_unit_test_setup_teardown(test_device_tree, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
