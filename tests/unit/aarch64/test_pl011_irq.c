/* SPDX-License-Identifier: MIT */
/*
 * The PL011's interrupt output in a VM of the virt platform: UARTINTR,
 * high while (UARTRIS & UARTIMSC) != 0 (PL011 TRM, "Interrupts"), drives SPI 1
 * (INTID 33) of the VM's GICv3 as a level (vm_irq_set()); console input
 * raises it without any access by the guest (vm_console_input()), as
 * Linux's amba-pl011 driver needs. Read through the distributor's
 * GICD_ISPENDR1 bit 1, the state a guest would see.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/gicv3.h>
#include <cvisor/vm.h>

#include "../fixture.h"
#include "../hal_stub.h"

#define UART 0x09000000ULL
#define UART_INTID 33
/* PL011 registers (TRM table 3-1) and interrupt bits. */
#define DR 0x000
#define FR 0x018
#define LCR_H 0x02c
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define RXIM (1u << 4)
#define TXIM (1u << 5)
#define RTIM (1u << 6)

static struct vm *vm;
static struct gicv3 *gic;

static const uint8_t kernel[8] = {0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14};

static int setup(void **state)
{
	static const char text[] =
	    "[base]\nid = 5\nname = \"unit\"\narch = \"aarch64\"\ncpu_num = 1\n"
	    "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x4008_0000\n"
	    "memory_regions = [[0x4000_0000, 0x800_0000, 7, 0]]\n";

	(void)state;
	if (fixture_vm_boot(text, "unit.toml", kernel, sizeof(kernel), &vm) < 0)
		return -1;
	gic = gicv3_of(vm);
	return gic ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	vm_destroy(vm);
	vm = NULL;
	gic = NULL;
	return 0;
}

static uint64_t rd(gpa_t gpa)
{
	uint64_t v = 0;
	assert_int_equal(devbus_access(&vm->bus, gpa, 4, false, &v), 0);
	return v;
}

static void wr(gpa_t gpa, uint64_t v)
{
	assert_int_equal(devbus_access(&vm->bus, gpa, 4, true, &v), 0);
}

/* The UART's SPI as the distributor has it: pending (GICD_ISPENDR1), i.e. its level line high. */
static bool line_high(void)
{
	return (rd(GICV3_DIST_BASE + 0x200 + 4 * (UART_INTID / 32)) >> (UART_INTID % 32)) & 1;
}

/* What a guest does to take the UART's SPI on vCPU 0: group 1, enabled (level-sensitive by reset).
 */
static void spi_on(void)
{
	wr(GICV3_REDIST_BASE + 0x14, 0);                          /* GICR_WAKER: awake */
	wr(GICV3_DIST_BASE + 0x0, 2);                             /* GICD_CTLR.EnableGrp1 */
	wr(GICV3_DIST_BASE + 0x80 + 4, 1u << (UART_INTID % 32));  /* GICD_IGROUPR1 */
	wr(GICV3_DIST_BASE + 0x100 + 4, 1u << (UART_INTID % 32)); /* GICD_ISENABLER1 */
	gicv3_icc_write(gic, 0, ICC_PMR, 0xf0);
	gicv3_icc_write(gic, 0, ICC_IGRPEN1, 1);
}

static void test_tx_interrupt(void **state)
{
	(void)state;
	spi_on();
	assert_false(line_high()); /* TXRIS set at reset, but masked */
	wr(UART + IMSC, TXIM);
	assert_true(line_high()); /* the empty transmit FIFO */
	assert_true(gicv3_signalled(gic, 0));
	wr(UART + ICR, TXIM);
	assert_false(line_high());
	assert_false(gicv3_signalled(gic, 0));
	/* A character written leaves at once: the FIFO is empty again, TXRIS set. */
	wr(UART + DR, 'x');
	assert_string_equal(hal_stub_console_output(), "x");
	assert_true(line_high());
	wr(UART + IMSC, 0);
	assert_false(line_high());
}

static void test_rx_interrupt_without_polling(void **state)
{
	(void)state;
	spi_on();
	wr(UART + IMSC, RXIM | RTIM);
	assert_false(line_high());
	/* Input arrives while the guest does not touch the UART (FIFOs off: RXRIS). */
	hal_stub_console_input("ab");
	assert_false(line_high()); /* nobody told the UART yet */
	vm_console_input(vm);
	assert_true(line_high());
	assert_int_equal(rd(UART + MIS), RXIM);
	/* Reading one byte: the queue's next takes its place, the line stays high. */
	assert_int_equal(rd(UART + DR), 'a');
	assert_true(line_high());
	assert_int_equal(rd(UART + DR), 'b');
	assert_false(line_high());
	assert_int_equal(rd(UART + FR) & 0x10, 0x10); /* RXFE */
	assert_int_equal(rd(UART + RIS) & (RXIM | RTIM), 0);
}

static void test_rx_timeout_with_fifos(void **state)
{
	(void)state;
	spi_on();
	wr(UART + LCR_H, 0x70); /* FEN, 8 bits */
	wr(UART + IMSC, RTIM);
	hal_stub_console_input("z");
	vm_console_input(vm);
	/* One byte is below any trigger level: the receive timeout, not RXRIS. */
	assert_int_equal(rd(UART + RIS) & (RXIM | RTIM), RTIM);
	assert_true(line_high());
	/* UARTICR.RTIC clears it with the byte still held; reading empties the FIFO. */
	wr(UART + ICR, RTIM);
	assert_false(line_high());
	assert_int_equal(rd(UART + FR) & 0x10, 0);
	assert_int_equal(rd(UART + DR), 'z');
	assert_false(line_high());
}

static void test_stopped_vm_takes_no_input(void **state)
{
	(void)state;
	spi_on();
	wr(UART + IMSC, RXIM);
	vm_stop(vm, VM_OFF, "test");
	hal_stub_console_input("q");
	vm_console_input(vm);
	assert_false(line_high());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tx_interrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_interrupt_without_polling, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_timeout_with_fifos, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stopped_vm_takes_no_input, setup, teardown),
	};
	return cmocka_run_group_tests_name("pl011 interrupt line", tests, NULL, NULL);
}
