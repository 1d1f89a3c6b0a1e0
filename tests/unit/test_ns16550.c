/* SPDX-License-Identifier: MIT */
/*
 * The 16550A UART's registers (PC16550D data sheet, table II), through
 * the device bus as a guest's byte accesses reach them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/devbus.h>
#include <cvisor/ns16550.h>

#include "hal_stub.h"

#define BASE 0x10000000ULL
static struct devbus bus;

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	hal_stub_console_reset();
	return devbus_add(&bus, ns16550_create(NULL, BASE, NS16550_SIZE));
}

static int teardown(void **state)
{
	(void)state;
	devbus_destroy(&bus);
	return 0;
}

static uint64_t rd(unsigned reg)
{
	uint64_t v = 0xdead;
	assert_int_equal(devbus_access(&bus, BASE + reg, 1, false, &v), 0);
	return v;
}

static void wr(unsigned reg, uint64_t v)
{
	assert_int_equal(devbus_access(&bus, BASE + reg, 1, true, &v), 0);
}

static void test_transmit_and_status(void **state)
{
	(void)state;
	assert_int_equal(rd(5), 0x60); /* LSR: THRE | TEMT, no data */
	assert_int_equal(rd(3), 0x03); /* LCR: 8N1 */
	assert_int_equal(rd(2), 0x01); /* IIR: nothing pending, FIFOs off */
	wr(0, 'o');
	wr(0, 'k');
	assert_string_equal(hal_stub_console_output(), "ok");
	assert_int_equal(rd(6), 0xb0); /* MSR: DCD, DSR, CTS */
}

static void test_divisor_latch(void **state)
{
	(void)state;
	wr(3, 0x83); /* DLAB */
	wr(0, 0x0c); /* 9600 baud from 1.8432 MHz */
	wr(1, 0x00);
	assert_int_equal(rd(0), 0x0c);
	assert_int_equal(rd(1), 0x00);
	wr(3, 0x03);
	wr(0, '!'); /* THR again */
	assert_string_equal(hal_stub_console_output(), "!");
	wr(7, 0x5a); /* scratch */
	assert_int_equal(rd(7), 0x5a);
}

static void test_receive_and_interrupt_identification(void **state)
{
	(void)state;
	wr(2, 0x07); /* FCR: FIFOs on (IIR bits 7:6 read 11) */
	wr(1, 0x03); /* IER: RX data and THR empty */
	assert_int_equal(rd(2), 0xc2); /* THR empty pending: cleared by this read */
	assert_int_equal(rd(2), 0xc1);
	hal_stub_console_input("x");
	assert_int_equal(rd(5) & 1, 1); /* DR */
	assert_int_equal(rd(2), 0xc4);  /* received data available */
	assert_int_equal(rd(0), 'x');
	assert_int_equal(rd(5) & 1, 0);
	assert_int_equal(rd(0), 0);
}

static void test_only_bytes(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(devbus_access(&bus, BASE + 4, 4, false, &v), -CV_EINVAL);
	assert_int_equal(devbus_access(&bus, BASE, 2, true, &v), -CV_EINVAL);
	/* Beyond the 8 registers, inside the window: reads 0. */
	assert_int_equal(rd(0x40), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transmit_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_divisor_latch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_and_interrupt_identification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_bytes, setup, teardown),
	};
	return cmocka_run_group_tests_name("ns16550", tests, NULL, NULL);
}
