/* SPDX-License-Identifier: MIT */
/**
 * @file gic.c
 * @brief The host's GICv3, set up for cvisor's interrupts on each
 *        physical CPU: its EL2 timer, the kick SGI, the guest's virtual
 *        timer and the virtual interface's maintenance interrupt (xv6's
 *        plic.c).
 *
 * GICv3 architecture specification (IHI 0069), chapter 12:
 *  - the distributor, GICD_CTLR (12.9): affinity routing and both groups
 *    on, once, by the boot CPU;
 *  - each CPU's redistributor (12.10, 12.11): found by its affinity in
 *    GICR_TYPER; GICR_WAKER: woken up; its SGI/PPI frame: PPIs 25, 26, 27
 *    and SGI_KICK in group 1, middle priority, enabled;
 *  - the CPU interface through system registers: ICC_SRE_EL2, ICC_PMR_EL1,
 *    ICC_IGRPEN1_EL1; an interrupt is acknowledged by reading ICC_IAR1_EL1
 *    and ended by writing its INTID to ICC_EOIR1_EL1; an SGI is sent by
 *    writing ICC_SGI1R_EL1 (12.2.22).
 * The interrupts reach EL2 while a guest runs because HCR_EL2.IMO is set
 * (vcpu.c); while cvisor runs, PSTATE.I masks them and the scheduler
 * reads them with gic_ack() (sched.c). The guests' own interrupt
 * controller is a model (src/core/gicv3.c) that fills the list registers
 * of the virtual CPU interface (vcpu.c); their ICC_SGI1R_EL1 and group 0
 * accesses trap to it (HCR_EL2.IMO, ICH_HCR_EL2.TALL0), and ICC_SRE_EL1
 * (ICC_SRE_EL2.Enable clear, here).
 */
#include <cvisor/hal.h>

#include "hal_arch.h"
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
#define GICR_TYPER 0x0008 /* 64 bits: Affinity_Value at 63:32, Last at bit 4 */
#define GICR_TYPER_LAST (1u << 4)
#define GICR_STRIDE 0x20000 /* RD_base and SGI_base, 64 KiB each (GICv3 without VLPIs) */

#define GICR_SGI_FRAME 0x10000 /* the SGI/PPI frame, after RD_base */
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_IPRIORITYR 0x0400 /* one byte per INTID */

/* The CPU interface's system registers, by encoding. */
#define ICC_SRE_EL2 S3_4_C12_C9_5
/* SRE: use the system registers; Enable (bit 3) clear: EL1's ICC_SRE_EL1 traps. */
#define ICC_SRE_SRE (1u << 0)
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SGI1R_EL1 S3_0_C12_C11_5

/* Reads and writes cannot be cached or merged: 32-bit device registers. */
static volatile uint32_t *mmio32(uintptr_t a)
{
	return (volatile uint32_t *)a;
}

void gic_dist_init(void)
{
	*mmio32(VIRT_GICD + GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_GRP1 | GICD_CTLR_GRP0;
	while (*mmio32(VIRT_GICD + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

/*
 * The redistributor whose GICR_TYPER.Affinity_Value is mpidr's affinity
 * (Aff3.Aff2.Aff1.Aff0, IHI 0069 12.11.29); the frames follow each other
 * from VIRT_GICR until one has GICR_TYPER.Last.
 */
static uintptr_t find_redistributor(uint64_t mpidr)
{
	uint32_t aff = (uint32_t)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));

	for (uintptr_t rd = VIRT_GICR;; rd += GICR_STRIDE) {
		uint64_t typer = *(volatile uint64_t *)(rd + GICR_TYPER);
		if ((uint32_t)(typer >> 32) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			hal_panic("no GICv3 redistributor for the CPU with MPIDR 0x%llx",
				  (unsigned long long)mpidr);
	}
}

/* Group 1, priority 0x80, enabled: one SGI or PPI of this CPU's redistributor. */
static void enable_private(uintptr_t sgi_frame, unsigned intid)
{
	*mmio32(sgi_frame + GICR_IGROUPR0) |= 1u << intid;
	((volatile uint8_t *)(sgi_frame + GICR_IPRIORITYR))[intid] = 0x80;
	*mmio32(sgi_frame + GICR_ISENABLER0) = 1u << intid;
}

void gic_cpu_init(struct pcpu *c)
{
	c->gicr = find_redistributor(c->mpidr);
	/* Wake the redistributor up. */
	*mmio32(c->gicr + GICR_WAKER) &= ~WAKER_PROCESSOR_SLEEP;
	while (*mmio32(c->gicr + GICR_WAKER) & WAKER_CHILDREN_ASLEEP)
		;
	enable_private(c->gicr + GICR_SGI_FRAME, VIRT_INTID_HYP_TIMER);
	enable_private(c->gicr + GICR_SGI_FRAME, SGI_KICK);
	enable_private(c->gicr + GICR_SGI_FRAME, VIRT_INTID_MAINT);
	enable_private(c->gicr + GICR_SGI_FRAME, VIRT_INTID_VTIMER);
	c->vtimer_on = true;
	/* CPU interface through system registers; every priority passes, group 1 on. */
	WRITE_SYSREG(ICC_SRE_EL2, ICC_SRE_SRE);
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

/*
 * The virtual timer's PPI (27) takes a running guest out when its timer
 * fires, so the model sees the level without waiting for another exit;
 * it stays disabled while the model holds the level high (vcpu.c,
 * enter_irq_load()): a level-sensitive PPI would otherwise fire again at
 * once. GICR_ISENABLER0 / GICR_ICENABLER0 (IHI 0069 12.11.15, 12.11.7).
 */
void gic_vtimer_enable(struct pcpu *c, bool on)
{
	if (c->vtimer_on == on)
		return;
	*mmio32(c->gicr + GICR_SGI_FRAME + (on ? GICR_ISENABLER0 : GICR_ICENABLER0)) =
	    1u << VIRT_INTID_VTIMER;
	c->vtimer_on = on;
}

/*
 * ICC_SGI1R_EL1 (IHI 0069 12.2.22): Aff3 at 55:48, RS at 47:44 (which
 * sixteen Aff0 values TargetList covers), Aff2 at 39:32, INTID at 27:24,
 * Aff1 at 23:16, TargetList at 15:0 (a bit per Aff0). The DSB makes what
 * this CPU wrote before (a thread made runnable) visible to the target
 * before the SGI can reach it.
 */
void gic_send_sgi(const struct pcpu *c, unsigned intid)
{
	uint64_t aff0 = c->mpidr & 0xff, aff1 = (c->mpidr >> 8) & 0xff;
	uint64_t aff2 = (c->mpidr >> 16) & 0xff, aff3 = (c->mpidr >> 32) & 0xff;
	uint64_t v = aff3 << 48 | (aff0 >> 4) << 44 | aff2 << 32 | (uint64_t)intid << 24 |
		     aff1 << 16 | 1ULL << (aff0 & 15);

	__asm__ volatile("dsb ishst" ::: "memory");
	WRITE_SYSREG(ICC_SGI1R_EL1, v);
	ISB();
}
