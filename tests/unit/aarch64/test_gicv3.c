/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv3 (src/core/gicv3.c) of a two-vCPU VM, driven as a guest
 * and a device would: MMIO accesses on the bus, ICC_* register reads and
 * writes, interrupt lines. Checks the state machine of IHI 0069 4.1
 * (pending, active, active and pending; edge and level), priorities and
 * the priority mask, preemption and the running priority, both EOI modes,
 * SGIs by target list and to all others, what is signalled to each vCPU,
 * the list-register interface, the generic timer's PPI, and the device
 * tree nodes (intc, timer, the PL011's SPI).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include <arch/irq.h>
#include <arch/sysreg.h>
#include <cvisor/arch.h>
#include <cvisor/gicv3.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "../fixture.h"

#define GICD GICV3_DIST_BASE
#define GICR(cpu) (GICV3_REDIST_BASE + (cpu) * GICV3_REDIST_STRIDE)
#define SGI_BASE(cpu) (GICR(cpu) + 0x10000)

static struct vm *vm;
static struct gicv3 *gic;

static const uint8_t kernel[8] = { 0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14 };

static int setup(void **state)
{
	static const char text[] =
		"[base]\nid = 4\nname = \"unit\"\narch = \"aarch64\"\ncpu_num = 2\n"
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

static uint64_t rd(gpa_t gpa, unsigned size)
{
	uint64_t v = 0;
	assert_int_equal(devbus_access(&vm->bus, gpa, size, false, &v), 0);
	return v;
}

static void wr(gpa_t gpa, unsigned size, uint64_t v)
{
	assert_int_equal(devbus_access(&vm->bus, gpa, size, true, &v), 0);
}

/* What a guest does to take interrupts on vCPU cpu: redistributor awake, group 1 on, PMR 0xf0. */
static void cpu_up(unsigned cpu)
{
	wr(GICR(cpu) + 0x14, 4, 0); /* GICR_WAKER.ProcessorSleep = 0 */
	assert_int_equal(rd(GICR(cpu) + 0x14, 4), 0);
	wr(GICD + 0x0, 4, 2); /* GICD_CTLR.EnableGrp1 */
	gicv3_icc_write(gic, cpu, ICC_PMR, 0xf0);
	gicv3_icc_write(gic, cpu, ICC_IGRPEN1, 1);
}

/* SPI intid in group 1 at priority prio, routed to vCPU cpu, enabled; level or edge. */
static void spi_on(unsigned intid, unsigned prio, unsigned cpu, bool edge)
{
	unsigned n = intid / 32, bit = intid % 32;
	wr(GICD + 0x80 + 4 * n, 4, rd(GICD + 0x80 + 4 * n, 4) | (1u << bit));
	wr(GICD + 0x400 + intid, 1, prio);
	wr(GICD + 0x6000 + 8 * intid, 8, cpu);
	unsigned cfg = GICD + 0xc00 + 4 * (intid / 16);
	uint32_t c = (uint32_t)rd(cfg, 4);
	unsigned b = 2 * (intid % 16) + 1;
	wr(cfg, 4, edge ? c | (1u << b) : c & ~(1u << b));
	wr(GICD + 0x100 + 4 * n, 4, 1u << bit);
}

/* PPI or SGI intid of vCPU cpu in group 1 at prio, enabled. */
static void ppi_on(unsigned cpu, unsigned intid, unsigned prio)
{
	wr(SGI_BASE(cpu) + 0x80, 4, rd(SGI_BASE(cpu) + 0x80, 4) | (1u << intid));
	wr(SGI_BASE(cpu) + 0x400 + intid, 1, prio);
	wr(SGI_BASE(cpu) + 0x100, 4, 1u << intid);
}

static bool spi_bit(unsigned reg, unsigned intid)
{
	return (rd(GICD + reg + 4 * (intid / 32), 4) >> (intid % 32)) & 1;
}

static void test_identification(void **state)
{
	(void)state;
	assert_int_equal(rd(GICD + 0xffe8, 4), 0x3b);              /* PIDR2: ArchRev 3 */
	assert_int_equal(rd(GICD + 0x0, 4), 0x50);                 /* CTLR: ARE, DS */
	assert_int_equal(rd(GICD + 0x4, 4), 3 | (9u << 19));       /* TYPER: 128 INTIDs */
	assert_int_equal(rd(GICR(0) + 0xffe8, 4), 0x3b);
	/* GICR_TYPER: Processor_Number, Last on vCPU 1 only, Affinity_Value = Aff0. */
	assert_int_equal(rd(GICR(0) + 0x8, 8), 0x0000000000000000ULL);
	assert_int_equal(rd(GICR(1) + 0x8, 8), 0x0000000100000110ULL);
	/* Asleep at reset, ChildrenAsleep following ProcessorSleep. */
	assert_int_equal(rd(GICR(1) + 0x14, 4), 6);
	/* Beyond the last vCPU's frame and in the gap: RAZ/WI. */
	assert_int_equal(rd(GICR(2) + 0x8, 8), 0);
	assert_int_equal(rd(GICD + 0x80000, 4), 0);
	/* Sizes: a byte of IPRIORITYR yes, a byte of CTLR no. */
	uint64_t v;
	assert_int_equal(devbus_access(&vm->bus, GICD + 0x1, 1, false, &v), -CV_EINVAL);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_SRE), 7);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_CTLR), 4u << 8); /* PRIbits: 5 bits */
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_BPR1), 3);
	gicv3_icc_write(gic, 0, ICC_BPR1, 0);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_BPR1), 3); /* the minimum */
	wr(GICD + 0x400 + 40, 1, 0xff);
	assert_int_equal(rd(GICD + 0x400 + 40, 1), 0xf8); /* five priority bits */
	/* Group 0's registers are kept as written (Linux clears ICC_AP0R0_EL1). */
	gicv3_icc_write(gic, 0, ICC_AP0R0, 0x5);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_AP0R0), 0x5);
	gicv3_icc_write(gic, 0, ICC_BPR0, 0);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_BPR0), 2);
	gicv3_icc_write(gic, 0, ICC_IGRPEN0, 1);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IGRPEN0), 1);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_AP1R0), 0);
}

/* An edge-triggered SPI: pending on a rising edge, acknowledged into active, then ended. */
static void test_edge_spi(void **state)
{
	(void)state;
	cpu_up(0);
	spi_on(40, 0x80, 0, true);
	gicv3_set_level(gic, 0, 40, true);
	assert_true(spi_bit(0x200, 40));                 /* ISPENDR */
	gicv3_set_level(gic, 0, 40, false);
	assert_true(spi_bit(0x200, 40));                 /* still: the edge is latched */
	assert_true(gicv3_signalled(gic, 0));
	assert_false(gicv3_signalled(gic, 1));           /* routed to vCPU 0 */
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_HPPIR1), 40);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), 40);
	assert_false(spi_bit(0x200, 40));
	assert_true(spi_bit(0x300, 40));                 /* ISACTIVER */
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_RPR), 0x80);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_AP1R0), 1u << (0x80 >> 3));
	assert_false(gicv3_signalled(gic, 0));
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), GICV3_SPURIOUS);
	/* A second edge while active: active and pending, not signalled until deactivated. */
	gicv3_set_level(gic, 0, 40, true);
	assert_true(spi_bit(0x200, 40) && spi_bit(0x300, 40));
	assert_false(gicv3_signalled(gic, 0));
	gicv3_icc_write(gic, 0, ICC_EOIR1, 40);
	assert_false(spi_bit(0x300, 40));
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_RPR), 0xff);
	assert_true(gicv3_signalled(gic, 0));
	/* ICPENDR clears an edge's pending state. */
	wr(GICD + 0x280 + 4, 4, 1u << 8);
	assert_false(gicv3_signalled(gic, 0));
}

/* A level-sensitive PPI (a timer's): pending while high, active and pending once acknowledged. */
static void test_level_ppi(void **state)
{
	(void)state;
	cpu_up(1);
	ppi_on(1, 27, 0xa0);
	gicv3_set_level(gic, 1, 27, true);
	assert_true(gicv3_signalled(gic, 1));
	assert_false(gicv3_signalled(gic, 0));           /* another vCPU's PPI 27 is its own */
	assert_int_equal(gicv3_icc_read(gic, 1, ICC_IAR1), 27);
	assert_int_equal(rd(SGI_BASE(1) + 0x200, 4), 1u << 27); /* pending: the line is high */
	assert_int_equal(rd(SGI_BASE(1) + 0x300, 4), 1u << 27); /* and active */
	assert_false(gicv3_signalled(gic, 1));
	gicv3_icc_write(gic, 1, ICC_EOIR1, 27);
	assert_true(gicv3_signalled(gic, 1));            /* the line is still high */
	gicv3_set_level(gic, 1, 27, false);
	assert_false(gicv3_signalled(gic, 1));
	assert_int_equal(rd(SGI_BASE(1) + 0x200, 4), 0);
	/* ICPENDR cannot clear a level that is high. */
	gicv3_set_level(gic, 1, 27, true);
	wr(SGI_BASE(1) + 0x280, 4, 1u << 27);
	assert_true(gicv3_signalled(gic, 1));
	/* ICENABLER stops it being signalled; the state stays. */
	wr(SGI_BASE(1) + 0x180, 4, 1u << 27);
	assert_false(gicv3_signalled(gic, 1));
	assert_int_equal(rd(SGI_BASE(1) + 0x100, 4), 0);
	assert_int_equal(rd(SGI_BASE(1) + 0x200, 4), 1u << 27);
}

/* Priority order, the priority mask, preemption by group priority. */
static void test_priority(void **state)
{
	(void)state;
	cpu_up(0);
	spi_on(50, 0x80, 0, true);
	spi_on(51, 0x40, 0, true);
	spi_on(52, 0x40, 0, true);
	gicv3_set_level(gic, 0, 50, true);
	gicv3_set_level(gic, 0, 52, true);
	gicv3_set_level(gic, 0, 51, true);
	/* Most urgent first; the lower INTID among equals. */
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_HPPIR1), 51);
	/* PMR 0x40: priority 0x40 is not more urgent than the mask. */
	gicv3_icc_write(gic, 0, ICC_PMR, 0x40);
	assert_false(gicv3_signalled(gic, 0));
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), GICV3_SPURIOUS);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_HPPIR1), 51); /* HPPIR ignores the mask */
	gicv3_icc_write(gic, 0, ICC_PMR, 0xf0);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), 51);
	/* 52 has the same group priority as the running one: no preemption. */
	assert_false(gicv3_signalled(gic, 0));
	gicv3_icc_write(gic, 0, ICC_EOIR1, 51);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), 52);
	gicv3_icc_write(gic, 0, ICC_EOIR1, 52);
	/* 50 (0x80) acknowledged; then a more urgent one preempts it. */
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), 50);
	spi_on(53, 0x20, 0, true);
	gicv3_set_level(gic, 0, 53, true);
	assert_true(gicv3_signalled(gic, 0));
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), 53);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_RPR), 0x20);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_AP1R0), (1u << 4) | (1u << 16));
	gicv3_icc_write(gic, 0, ICC_EOIR1, 53); /* drops the most urgent: 0x20 */
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_RPR), 0x80);
	gicv3_icc_write(gic, 0, ICC_EOIR1, 50);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_RPR), 0xff);
	/*
	 * A binary point of 7: the group priority is bit 7 alone, so 0x88 does
	 * not preempt 0xc0 (same group, 0x80), though it is more urgent; 0x20
	 * (group 0x00) does.
	 */
	gicv3_icc_write(gic, 0, ICC_BPR1, 7);
	wr(GICD + 0x400 + 50, 1, 0xc0);
	wr(GICD + 0x400 + 53, 1, 0x88);
	gicv3_set_level(gic, 0, 50, false);
	gicv3_set_level(gic, 0, 50, true);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), 50);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_RPR), 0x80);
	gicv3_set_level(gic, 0, 53, false);
	gicv3_set_level(gic, 0, 53, true);
	assert_false(gicv3_signalled(gic, 0));
	wr(GICD + 0x400 + 53, 1, 0x20);
	assert_true(gicv3_signalled(gic, 0));
}

/* EOImode 1: EOIR only drops the priority, DIR deactivates. */
static void test_eoimode1(void **state)
{
	(void)state;
	cpu_up(0);
	gicv3_icc_write(gic, 0, ICC_CTLR, 2);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_CTLR), 2 | (4u << 8));
	spi_on(60, 0x80, 0, false);
	gicv3_set_level(gic, 0, 60, true);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), 60);
	gicv3_set_level(gic, 0, 60, false);
	gicv3_icc_write(gic, 0, ICC_EOIR1, 60);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_RPR), 0xff);
	assert_true(spi_bit(0x300, 60));                 /* still active */
	gicv3_set_level(gic, 0, 60, true);
	assert_false(gicv3_signalled(gic, 0));           /* active: not again */
	gicv3_icc_write(gic, 0, ICC_DIR, 60);
	assert_false(spi_bit(0x300, 60));
	assert_true(gicv3_signalled(gic, 0));
	/* EOImode 0: EOIR deactivates too. */
	gicv3_icc_write(gic, 0, ICC_CTLR, 0);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), 60);
	gicv3_set_level(gic, 0, 60, false);
	gicv3_icc_write(gic, 0, ICC_EOIR1, 60);
	assert_false(spi_bit(0x300, 60));
}

/* SGIs: by target list (Aff0 bits), to all others (IRM); the sender gets none. */
static void test_sgi(void **state)
{
	(void)state;
	cpu_up(0);
	cpu_up(1);
	ppi_on(0, 3, 0x80);
	ppi_on(1, 3, 0x80);
	gicv3_icc_write(gic, 0, ICC_SGI1R, (3ULL << 24) | (1u << 1)); /* to Aff0 = 1 */
	assert_false(gicv3_signalled(gic, 0));
	assert_true(gicv3_signalled(gic, 1));
	assert_int_equal(gicv3_icc_read(gic, 1, ICC_IAR1), 3);
	gicv3_icc_write(gic, 1, ICC_EOIR1, 3);
	assert_false(gicv3_signalled(gic, 1));
	gicv3_icc_write(gic, 1, ICC_SGI1R, (3ULL << 24) | (1ULL << 40)); /* IRM: every other */
	assert_true(gicv3_signalled(gic, 0));
	assert_false(gicv3_signalled(gic, 1));
	/* An affinity no vCPU has (Aff1 = 1) reaches none. */
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), 3);
	gicv3_icc_write(gic, 0, ICC_EOIR1, 3);
	gicv3_icc_write(gic, 0, ICC_SGI1R, (3ULL << 24) | (1ULL << 16) | 3);
	assert_false(gicv3_signalled(gic, 0) || gicv3_signalled(gic, 1));
}

/* What gates signalling: group 0, the group enables (distributor, CPU interface), sleep. */
static void test_gating(void **state)
{
	(void)state;
	cpu_up(0);
	spi_on(70, 0x80, 0, true);
	gicv3_set_level(gic, 0, 70, true);
	assert_true(gicv3_signalled(gic, 0));
	wr(GICD + 0x80 + 8, 4, 0); /* back to group 0: never signalled (no FIQs) */
	assert_false(gicv3_signalled(gic, 0));
	wr(GICD + 0x80 + 8, 4, 1u << 6);
	gicv3_icc_write(gic, 0, ICC_IGRPEN1, 0);
	assert_false(gicv3_signalled(gic, 0));
	gicv3_icc_write(gic, 0, ICC_IGRPEN1, 1);
	wr(GICD, 4, 0);
	assert_false(gicv3_signalled(gic, 0));
	wr(GICD, 4, 2);
	wr(GICR(0) + 0x14, 4, 2); /* ProcessorSleep */
	assert_false(gicv3_signalled(gic, 0));
	wr(GICR(0) + 0x14, 4, 0);
	assert_true(gicv3_signalled(gic, 0));
	/* Routed to vCPU 1 instead; then to an affinity no vCPU has. */
	wr(GICD + 0x6000 + 8 * 70, 8, 1);
	assert_false(gicv3_signalled(gic, 0));
	wr(GICD + 0x6000 + 8 * 70, 8, 0x100);
	assert_int_equal(rd(GICD + 0x6000 + 8 * 70, 8), 0x100);
	assert_false(gicv3_signalled(gic, 0) || gicv3_signalled(gic, 1));
	/* Enabled PPIs and SPIs count as possible wake-ups, SGIs not. */
	assert_true(gicv3_enabled_any(gic, 0) == false);
	ppi_on(0, 5, 0x80);
	assert_false(gicv3_enabled_any(gic, 0));
	ppi_on(0, 30, 0x80);
	assert_true(gicv3_enabled_any(gic, 0));
}

/* The list-register interface: interrupts leave the model for the LRs and come back. */
static void test_list_registers(void **state)
{
	struct gicv3_lr lr[4];

	(void)state;
	cpu_up(0);
	spi_on(80, 0x80, 0, true);
	spi_on(81, 0x20, 0, true);
	gicv3_set_level(gic, 0, 80, true);
	gicv3_set_level(gic, 0, 81, true);
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 2);
	assert_int_equal(lr[0].intid, 81);
	assert_int_equal(lr[0].priority, 0x20);
	assert_true(lr[0].pending && !lr[0].active && lr[0].group1);
	assert_int_equal(lr[1].intid, 80);
	assert_false(gicv3_signalled(gic, 0));          /* in flight: the LRs present them */
	assert_int_equal(gicv3_lr_pick(gic, 0, lr + 2, 2), 0);
	/* The guest acknowledged and EOId 81 (invalid LR); 80 it acknowledged only (active). */
	struct gicv3_lr done = { .intid = 81 };
	struct gicv3_lr act = { .intid = 80, .priority = 0x80, .group1 = true, .active = true };
	gicv3_lr_sync(gic, 0, &done);
	gicv3_lr_sync(gic, 0, &act);
	assert_false(spi_bit(0x200, 81) || spi_bit(0x300, 81));
	assert_true(spi_bit(0x300, 80));
	/* The active one goes back to a list register to be deactivated there. */
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 1);
	assert_true(lr[0].intid == 80 && lr[0].active && !lr[0].pending);
	struct gicv3_lr pend = { .intid = 80, .pending = true };
	gicv3_lr_sync(gic, 0, &pend); /* it came back pending (not taken yet) */
	assert_true(spi_bit(0x200, 80));
	assert_true(gicv3_signalled(gic, 0));
	gicv3_lr_set_ap(gic, 0, 1u << 2);
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_RPR), 0x10);
}

/*
 * A level-sensitive interrupt through a list register (IHI 0069 4.1.2,
 * 6.4): its pending state is its line's, never latched from the list
 * register, and one that is active goes out active only. The timer's
 * case: acknowledged, an exit inside the handler, the handler re-arms
 * the timer (the line falls), EOI; it must not be pending again.
 */
static void test_list_registers_level(void **state)
{
	struct gicv3_lr lr[4];

	(void)state;
	cpu_up(0);
	ppi_on(0, 27, 0xa0);
	gicv3_set_level(gic, 0, 27, true);
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 1);
	assert_true(lr[0].intid == 27 && lr[0].pending && !lr[0].active);
	/* Acknowledged (the LR active), then an exit in the handler: the line is still high. */
	struct gicv3_lr acked = lr[0];
	acked.pending = false;
	acked.active = true;
	gicv3_lr_sync(gic, 0, &acked);
	gicv3_lr_set_ap(gic, 0, 1u << (0xa0 >> 3));
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 1);
	assert_int_equal(lr[0].intid, 27);
	assert_true(lr[0].active);
	assert_false(lr[0].pending); /* active only: the line may fall before the EOI */
	/* The handler re-arms the timer, then EOIs: the hardware clears Active, keeps Pending. */
	gicv3_set_level(gic, 0, 27, false);
	struct gicv3_lr eoid = lr[0];
	eoid.active = false;
	gicv3_lr_sync(gic, 0, &eoid);
	gicv3_lr_set_ap(gic, 0, 0);
	assert_int_equal(rd(SGI_BASE(0) + 0x200, 4) & (1u << 27), 0); /* GICR_ISPENDR0 */
	assert_int_equal(rd(SGI_BASE(0) + 0x300, 4) & (1u << 27), 0); /* GICR_ISACTIVER0 */
	assert_false(gicv3_signalled(gic, 0));
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 0);
	/* Handed out pending, its line fell before the guest took it: not pending any more. */
	gicv3_set_level(gic, 0, 27, true);
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 1);
	assert_true(lr[0].pending && !lr[0].active);
	gicv3_set_level(gic, 0, 27, false);
	gicv3_lr_sync(gic, 0, &lr[0]);
	assert_false(gicv3_signalled(gic, 0));
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 0);
	/* Made pending by GICR_ISPENDR0 with its line low: that latch survives a list register. */
	wr(SGI_BASE(0) + 0x200, 4, 1u << 27);
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 1);
	assert_true(lr[0].pending);
	gicv3_lr_sync(gic, 0, &lr[0]);
	assert_true(gicv3_signalled(gic, 0));
	/* Then taken and ended through the list register: the latch is gone. */
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 1);
	struct gicv3_lr taken = lr[0];
	taken.pending = false;
	gicv3_lr_sync(gic, 0, &taken);
	assert_false(gicv3_signalled(gic, 0));
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 0);
	/* In group 0 (never signalled by the model) it stays out of the list registers. */
	wr(SGI_BASE(0) + 0x80, 4, rd(SGI_BASE(0) + 0x80, 4) & ~(1u << 27));
	gicv3_set_level(gic, 0, 27, true);
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 0);
	wr(SGI_BASE(0) + 0x80, 4, rd(SGI_BASE(0) + 0x80, 4) | (1u << 27));
	assert_int_equal(gicv3_lr_pick(gic, 0, lr, 4), 1);
}

/* A trapped MSR (write) or MRS of register id, as a HAL hands it over; returns what MRS reads. */
static uint64_t sysreg(struct vcpu *v, uint32_t id, bool write, uint64_t value)
{
	struct vcpu_exit e = { .reason = EXIT_SYSREG };

	e.sysreg.id = id;
	e.sysreg.write = write;
	e.sysreg.value = value;
	vcpu_arch_sysreg(v, &e);
	return e.sysreg.value;
}

/* The virtual timer raises PPI 27 at its deadline, as a level (arch/irq.h, timer.c). */
static void test_timer_ppi(void **state)
{
	struct vcpu *v = vm->vcpus[0];

	(void)state;
	cpu_up(0);
	ppi_on(0, A64_PPI_CNTV, 0xa0);
	sysreg(v, A64_SYSREG(3, 3, 14, 3, 2), true, 100); /* CNTV_CVAL_EL0 = 100 */
	sysreg(v, A64_SYSREG(3, 3, 14, 3, 1), true, 1); /* CNTV_CTL_EL0 = ENABLE */
	assert_int_equal(vcpu_arch_timers(v, 1599), 1600); /* 100 counts of 16 ns */
	assert_false(gicv3_signalled(gic, 0));
	assert_int_equal(vcpu_arch_timers(v, 1600), CLOCK_NEVER);
	assert_true(gicv3_signalled(gic, 0));
	/* A write changes the output at once (the clock is 0): CVAL 0 fires, IMASK lowers it. */
	sysreg(v, A64_SYSREG(3, 3, 14, 3, 2), true, 200);
	assert_false(gicv3_signalled(gic, 0));
	sysreg(v, A64_SYSREG(3, 3, 14, 3, 2), true, 0);
	assert_true(gicv3_signalled(gic, 0));
	sysreg(v, A64_SYSREG(3, 3, 14, 3, 1), true, 3);
	assert_false(gicv3_signalled(gic, 0));
	/* TVAL: CVAL = count + sign-extended TVAL; reads back CVAL - count in 32 bits. */
	sysreg(v, A64_SYSREG(3, 3, 14, 3, 0), true, 0xfffffff0);
	assert_int_equal(v->arch.cntv_cval_el0, (uint64_t)-16);
	assert_int_equal(sysreg(v, A64_SYSREG(3, 3, 14, 3, 0), false, 0), 0xfffffff0);
	/* CTL reads ISTATUS with the condition met (count 0 >= CVAL 0). */
	sysreg(v, A64_SYSREG(3, 3, 14, 3, 2), true, 0);
	assert_int_equal(sysreg(v, A64_SYSREG(3, 3, 14, 3, 1), false, 0), 7);
	/* The physical timer is PPI 30 on the same vCPU. */
	ppi_on(0, A64_PPI_CNTP, 0x90);
	sysreg(v, SYSREG_CNTP_CTL_EL0, true, 1); /* CVAL 0: fires now */
	assert_int_equal(gicv3_icc_read(gic, 0, ICC_IAR1), A64_PPI_CNTP);
}

/* The nodes Linux's GICv3 and arch timer drivers read (compare: QEMU virt, gic-version=3). */
static void test_device_tree(void **state)
{
	static uint8_t buf[65536];
	int len;

	(void)state;
	assert_int_equal(addrspace_read(&vm->as, vm->dtb_gpa, buf, sizeof(buf)), 0);
	assert_int_equal(fdt_check_header(buf), 0);
	int intc = fdt_path_offset(buf, "/intc@8000000");
	assert_true(intc >= 0);
	assert_int_equal(fdt_node_check_compatible(buf, intc, "arm,gic-v3"), 0);
	const fdt64_t *reg = fdt_getprop(buf, intc, "reg", &len);
	assert_int_equal(len, 32);
	assert_int_equal(fdt64_ld(&reg[0]), 0x08000000);
	assert_int_equal(fdt64_ld(&reg[1]), 0x10000);
	assert_int_equal(fdt64_ld(&reg[2]), 0x080a0000);
	assert_int_equal(fdt64_ld(&reg[3]), 2 * 0x20000);
	const fdt32_t *p = fdt_getprop(buf, intc, "#interrupt-cells", &len);
	assert_int_equal(fdt32_ld(p), 3);
	p = fdt_getprop(buf, intc, "#redistributor-regions", &len);
	assert_int_equal(fdt32_ld(p), 1);
	assert_non_null(fdt_getprop(buf, intc, "interrupt-controller", &len));
	uint32_t phandle = fdt_get_phandle(buf, intc);
	assert_true(phandle != 0);
	int timer = fdt_path_offset(buf, "/timer");
	assert_int_equal(fdt_node_check_compatible(buf, timer, "arm,armv8-timer"), 0);
	assert_non_null(fdt_getprop(buf, timer, "always-on", &len));
	p = fdt_getprop(buf, timer, "interrupts", &len);
	static const uint32_t ppis[12] = { 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4 };
	assert_int_equal(len, 48);
	for (int i = 0; i < 12; i++)
		assert_int_equal(fdt32_ld(&p[i]), ppis[i]);
	int uart = fdt_path_offset(buf, "/pl011@9000000");
	p = fdt_getprop(buf, uart, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_ld(&p[0]), 0);
	assert_int_equal(fdt32_ld(&p[1]), 1);
	assert_int_equal(fdt32_ld(&p[2]), 4);
	/* The root's interrupt-parent names the GIC: libfdt finds it as Linux does. */
	p = fdt_getprop(buf, 0, "interrupt-parent", &len);
	assert_non_null(p);
	assert_int_equal(fdt32_ld(p), phandle);
	for (int c = 0; c < 2; c++) {
		char path[32];
		snprintf(path, sizeof(path), "/cpus/cpu@%d", c);
		int cpu = fdt_path_offset(buf, path);
		assert_string_equal(fdt_getprop(buf, cpu, "enable-method", &len), "psci");
		p = fdt_getprop(buf, cpu, "reg", &len);
		assert_int_equal(fdt32_ld(p), c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_spi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_ppi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eoimode1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sgi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gating, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_registers_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_ppi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_tree, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
