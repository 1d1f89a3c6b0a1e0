/* SPDX-License-Identifier: MIT */
/**
 * @file gic.c
 * @brief The host's GICv3, set up for cvisor's one interrupt: its EL2
 *        timer (xv6's plic.c).
 *
 * GICv3 architecture specification (IHI 0069), chapter 12:
 *  - the distributor, GICD_CTLR (12.9): affinity routing and both groups on;
 *  - the redistributor of CPU 0, GICR_WAKER (12.11): woken up; its SGI/PPI
 *    frame (12.10): the timer's PPI in group 1, middle priority, enabled;
 *  - the CPU interface through system registers: ICC_SRE_EL2, ICC_PMR_EL1,
 *    ICC_IGRPEN1_EL1; an interrupt is acknowledged by reading ICC_IAR1_EL1
 *    and ended by writing its INTID to ICC_EOIR1_EL1.
 * The interrupt reaches EL2 while a guest runs because HCR_EL2.IMO is set
 * (vcpu.c). Guests get no interrupts yet (no list registers).
 */
#include <cvisor/types.h>

#include "hal_aarch64.h"
#include "cpu.h"
#include "virt.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1u << 31) /* a write to GICD_CTLR is still in progress */
#define GICD_CTLR_ARE (1u << 4)  /* affinity routing */
#define GICD_CTLR_GRP1 (1u << 1)
#define GICD_CTLR_GRP0 (1u << 0)

#define GICR_WAKER 0x0014
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)

#define GICR_SGI (VIRT_GICR + 0x10000) /* the SGI/PPI frame, after RD_base */
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_IPRIORITYR 0x0400 /* one byte per INTID */

/* The CPU interface's system registers, by encoding. */
#define ICC_SRE_EL2 S3_4_C12_C9_5
#define ICC_SRE_SRE (1u << 0)    /* use the system registers */
#define ICC_SRE_ENABLE (1u << 3) /* and let EL1 use them too */
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1

/* Reads and writes cannot be cached or merged: 32-bit device registers. */
static volatile uint32_t *mmio32(uintptr_t a)
{
	return (volatile uint32_t *)a;
}

void gic_init(void)
{
	unsigned intid = VIRT_INTID_HYP_TIMER;

	/* Distributor: affinity routing, both groups on. */
	*mmio32(VIRT_GICD + GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_GRP1 | GICD_CTLR_GRP0;
	while (*mmio32(VIRT_GICD + GICD_CTLR) & GICD_CTLR_RWP)
		;
	/* Wake the redistributor up. */
	*mmio32(VIRT_GICR + GICR_WAKER) &= ~WAKER_PROCESSOR_SLEEP;
	while (*mmio32(VIRT_GICR + GICR_WAKER) & WAKER_CHILDREN_ASLEEP)
		;
	/* The timer's PPI: group 1, middle priority, enabled. */
	*mmio32(GICR_SGI + GICR_IGROUPR0) |= 1u << intid;
	((volatile uint8_t *)(GICR_SGI + GICR_IPRIORITYR))[intid] = 0x80;
	*mmio32(GICR_SGI + GICR_ISENABLER0) = 1u << intid;
	/* CPU interface through system registers; every priority passes, group 1 on. */
	WRITE_SYSREG(ICC_SRE_EL2, ICC_SRE_SRE | ICC_SRE_ENABLE);
	ISB();
	WRITE_SYSREG(ICC_PMR_EL1, 0xff);
	WRITE_SYSREG(ICC_IGRPEN1_EL1, 1);
	ISB();
}

uint32_t gic_ack(void)
{
	return (uint32_t)(READ_SYSREG(ICC_IAR1_EL1) & 0xffffff);
}

void gic_eoi(uint32_t intid)
{
	WRITE_SYSREG(ICC_EOIR1_EL1, intid);
}
