/* SPDX-License-Identifier: MIT */
/*
 * The device bus (routing, bounds, access sizes) and the PL011 UART
 * registers as the PL011 TRM (DDI 0183G) describes them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/devbus.h>
#include <cvisor/hal.h>
#include <cvisor/pl011.h>

#include "hal_stub.h"

#define UART 0x09000000ULL

/* ---- A device that records what reaches it ---- */

struct rec {
	uint64_t offset, val;
	unsigned size, reads, writes;
	bool destroyed;
};

static int rec_read(struct device *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct rec *r = dev->priv;
	r->offset = offset;
	r->size = size;
	r->reads++;
	*val = 0x1122334455667788ULL; /* more bytes than asked: the bus trims */
	return 0;
}

static int rec_write(struct device *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct rec *r = dev->priv;
	r->offset = offset;
	r->size = size;
	r->val = val;
	r->writes++;
	return 0;
}

static void rec_destroy(struct device *dev)
{
	((struct rec *)dev->priv)->destroyed = true;
}

static const struct device_ops rec_ops = { .read = rec_read, .write = rec_write, .destroy = rec_destroy };

static struct device *new_rec(gpa_t base, uint64_t size, struct rec *r)
{
	struct device *d = hal_zalloc(sizeof(*d));
	d->base = base;
	d->size = size;
	d->ops = &rec_ops;
	d->priv = r;
	strcpy(d->name, "rec");
	return d;
}

static void test_bus_routing(void **state)
{
	(void)state;
	struct devbus bus = { .ndevs = 0 };
	struct rec a = { 0 }, b = { 0 };
	uint64_t v;

	assert_int_equal(devbus_add(&bus, new_rec(0x1000, 0x100, &a)), 0);
	assert_int_equal(devbus_add(&bus, new_rec(0x2000, 0x1000, &b)), 0);
	assert_ptr_equal(devbus_find(&bus, 0x10ff)->priv, &a);
	assert_null(devbus_find(&bus, 0x1100));
	assert_ptr_equal(devbus_find(&bus, 0x2fff)->priv, &b);

	v = 0xabcdef;
	assert_int_equal(devbus_access(&bus, 0x2010, 2, true, &v), 0);
	assert_int_equal(b.offset, 0x10);
	assert_int_equal(b.size, 2);
	assert_int_equal(b.val, 0xcdef); /* only the bytes written */
	assert_int_equal(a.writes, 0);

	assert_int_equal(devbus_access(&bus, 0x1004, 4, false, &v), 0);
	assert_int_equal(v, 0x55667788);
	assert_int_equal(devbus_access(&bus, 0x1004, 1, false, &v), 0);
	assert_int_equal(v, 0x88);
	assert_int_equal(devbus_access(&bus, 0x1008, 8, false, &v), 0);
	assert_int_equal(v, 0x1122334455667788ULL);

	/* Nothing there, across a device's end, or a silly size. */
	assert_int_equal(devbus_access(&bus, 0x1800, 4, false, &v), -CV_ENOENT);
	assert_int_equal(devbus_access(&bus, 0x10fe, 4, false, &v), -CV_ENOENT);
	assert_int_equal(devbus_access(&bus, 0x1000, 0, false, &v), -CV_ENOENT);
	assert_int_equal(devbus_access(&bus, 0x1000, 16, false, &v), -CV_ENOENT);
	assert_int_equal(a.reads, 3);

	devbus_destroy(&bus);
	assert_true(a.destroyed && b.destroyed);
	assert_int_equal(bus.ndevs, 0);
}

static void test_bus_overlap_and_limits(void **state)
{
	(void)state;
	struct devbus bus = { .ndevs = 0 };
	struct rec r = { 0 };
	struct device *d;

	assert_int_equal(devbus_add(&bus, new_rec(0x1000, 0x1000, &r)), 0);
	d = new_rec(0x1800, 0x1000, &r);
	assert_int_equal(devbus_add(&bus, d), -CV_EOVERLAP);
	hal_free(d);
	d = new_rec(0x0800, 0x801, &r);
	assert_int_equal(devbus_add(&bus, d), -CV_EOVERLAP);
	hal_free(d);
	d = new_rec(0x5000, 0, &r);
	assert_int_equal(devbus_add(&bus, d), -CV_EINVAL);
	hal_free(d);
	for (unsigned i = 1; i < DEVBUS_MAX_DEVICES; i++)
		assert_int_equal(devbus_add(&bus, new_rec(0x100000 * i, 0x1000, &r)), 0);
	d = new_rec(0x7000000, 0x1000, &r);
	assert_int_equal(devbus_add(&bus, d), -CV_ENOMEM);
	hal_free(d);
	devbus_destroy(&bus);
}

/* ---- PL011 ---- */

static struct devbus bus;

static int uart_setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	hal_stub_console_reset();
	return devbus_add(&bus, pl011_create(NULL, UART, 0));
}

static int uart_teardown(void **state)
{
	(void)state;
	devbus_destroy(&bus);
	return 0;
}

static uint64_t rd(uint64_t off, unsigned size)
{
	uint64_t v = 0xdead;
	assert_int_equal(devbus_access(&bus, UART + off, size, false, &v), 0);
	return v;
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	assert_int_equal(devbus_access(&bus, UART + off, size, true, &v), 0);
}

static void test_uart_reset_values(void **state)
{
	(void)state;
	assert_int_equal(rd(0x018, 4), 0x90);   /* FR: TXFE | RXFE */
	assert_int_equal(rd(0x030, 4), 0x300);  /* CR: TXE | RXE */
	assert_int_equal(rd(0x034, 4), 0x12);   /* IFLS */
	assert_int_equal(rd(0x038, 4), 0);      /* IMSC */
	assert_int_equal(rd(0x03c, 4), 0x20);   /* RIS: TX FIFO below its level */
	assert_int_equal(rd(0x040, 4), 0);      /* MIS: all masked */
	/* Identification: PL011 r1p5, PrimeCell. */
	static const uint8_t id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(0xfe0 + 4 * i, 4), id[i]);
}

static void test_uart_transmit(void **state)
{
	(void)state;
	wr(0x000, 4, 'h');
	wr(0x000, 1, 'i');
	wr(0x000, 4, 0x100 | '!'); /* bits above the data byte are ignored */
	assert_string_equal(hal_stub_console_output(), "hi!");
}

static void test_uart_registers(void **state)
{
	(void)state;
	wr(0x024, 4, 0x12345);
	assert_int_equal(rd(0x024, 4), 0x2345); /* IBRD: 16 bits */
	wr(0x028, 4, 0xff);
	assert_int_equal(rd(0x028, 4), 0x3f);   /* FBRD: 6 bits */
	wr(0x02c, 1, 0x70);
	assert_int_equal(rd(0x02c, 4), 0x70);   /* LCR_H */
	wr(0x030, 2, 0x301);
	assert_int_equal(rd(0x030, 2), 0x301);  /* CR */
	/* A byte write to the upper lane keeps the lower one. */
	wr(0x031, 1, 0x02);
	assert_int_equal(rd(0x030, 4), 0x201);
	assert_int_equal(rd(0x031, 1), 0x02);
	/* Read-only registers ignore writes. */
	wr(0x018, 4, 0);
	assert_int_equal(rd(0x018, 4), 0x90);
	wr(0xfe0, 4, 0);
	assert_int_equal(rd(0xfe0, 4), 0x11);
	/* Reserved offsets read as zero. */
	assert_int_equal(rd(0x100, 4), 0);
}

static void test_uart_interrupt_status(void **state)
{
	(void)state;
	wr(0x038, 4, 0x30); /* IMSC: RX and TX */
	assert_int_equal(rd(0x038, 4), 0x30);
	assert_int_equal(rd(0x040, 4), 0x20); /* MIS: TX */
	wr(0x044, 4, 0x20);                   /* ICR clears TX */
	assert_int_equal(rd(0x03c, 4), 0);
	wr(0x000, 1, 'x');                    /* sending empties the FIFO again */
	assert_int_equal(rd(0x03c, 4), 0x20);
	wr(0x038, 4, 0xffffffff);
	assert_int_equal(rd(0x038, 4), 0x7ff);
}

static void test_uart_receive(void **state)
{
	(void)state;
	assert_int_equal(rd(0x000, 4), 0);      /* nothing waiting */
	hal_stub_console_input("ab");
	assert_int_equal(rd(0x018, 4) & 0x10, 0); /* RXFE clear */
	assert_int_equal(rd(0x03c, 4) & 0x10, 0x10); /* RXRIS */
	assert_int_equal(rd(0x000, 4), 'a');
	assert_int_equal(rd(0x000, 1), 'b');
	assert_int_equal(rd(0x018, 4) & 0x10, 0x10); /* empty again */
	assert_int_equal(rd(0x03c, 4) & 0x10, 0);
}

static void test_uart_bad_sizes(void **state)
{
	(void)state;
	uint64_t v = 0;
	/* 64-bit accesses and accesses across a register are refused. */
	assert_int_equal(devbus_access(&bus, UART + 0x24, 8, false, &v), -CV_EINVAL);
	assert_int_equal(devbus_access(&bus, UART + 0x26, 4, true, &v), -CV_EINVAL);
	/* Past the 4 KiB window: not this device. */
	assert_int_equal(devbus_access(&bus, UART + 0x1000, 4, false, &v), -CV_ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bus_routing),
		cmocka_unit_test(test_bus_overlap_and_limits),
		cmocka_unit_test_setup_teardown(test_uart_reset_values, uart_setup, uart_teardown),
		cmocka_unit_test_setup_teardown(test_uart_transmit, uart_setup, uart_teardown),
		cmocka_unit_test_setup_teardown(test_uart_registers, uart_setup, uart_teardown),
		cmocka_unit_test_setup_teardown(test_uart_interrupt_status, uart_setup, uart_teardown),
		cmocka_unit_test_setup_teardown(test_uart_receive, uart_setup, uart_teardown),
		cmocka_unit_test_setup_teardown(test_uart_bad_sizes, uart_setup, uart_teardown),
	};
	return cmocka_run_group_tests_name("devbus and pl011", tests, NULL, NULL);
}
