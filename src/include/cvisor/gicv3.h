/* SPDX-License-Identifier: MIT */
/**
 * @file gicv3.h
 * @brief A virtual GICv3 (Arm Generic Interrupt Controller, architecture
 *        version 3: "GIC Architecture Specification" IHI 0069): one
 *        distributor, one redistributor per vCPU, and each vCPU's CPU
 *        interface, as one model.
 *
 * What a guest sees (QEMU virt's layout, gic-version=3):
 *   GICD   0x0800_0000, 64 KiB       distributor: SPIs, enables, routing
 *   GICR   0x080a_0000 + n * 128 KiB redistributor of vCPU n: RD_base
 *                                    (control, TYPER, WAKER), then SGI_base
 *                                    (its SGIs and PPIs)
 *   ICC_*_EL1 system registers       CPU interface: acknowledge, EOI,
 *                                    priority mask, SGIs to other vCPUs
 * The model is one security state (GICD_CTLR.DS = 1), affinity routing
 * always on (ARE = 1), no LPIs or ITS, five priority bits (32 levels),
 * group 1 interrupts signalled as IRQs. Group 0 interrupts (the reset
 * value of every IGROUPR) are kept but never signalled: a guest puts its
 * interrupts in group 1, as Linux does.
 *
 * The model is architecture-neutral C and has no notion of how an
 * interrupt reaches the vCPU: a HAL asks gicv3_signalled() (the
 * simulator then raises HCR_EL2.VI), or, on hardware with a GICv3, moves
 * interrupts in and out of the list registers with gicv3_lr_pick() and
 * gicv3_lr_sync(). Every function may be called from any vCPU's thread:
 * the model takes its own lock, and notifies a vCPU (hal_vcpu_notify())
 * whenever what it would signal to that vCPU changes.
 */
#ifndef CVISOR_GICV3_H
#define CVISOR_GICV3_H

#include "devbus.h"
#include "types.h"

struct vm;
struct device;

/** @name QEMU virt's GICv3 windows */
/** @{ */
#define GICV3_DIST_BASE 0x08000000ULL   /**< GICD: the distributor */
#define GICV3_DIST_SIZE 0x10000ULL      /**< GICD: 64 KiB */
#define GICV3_REDIST_BASE 0x080a0000ULL /**< GICR of vCPU 0; vCPU n's follows at n * GICV3_REDIST_STRIDE */
/** One redistributor: RD_base and SGI_base, 64 KiB each. */
#define GICV3_REDIST_STRIDE 0x20000ULL
/**
 * The device's one window: the distributor up to the end of QEMU virt's
 * redistributor region (0x080a_0000 + 0xf6_0000 = 0x0900_0000, the PL011).
 * Between them (0x0801_0000 .. 0x080a_0000: QEMU's ITS and GICv2m) and
 * past the last vCPU's redistributor, reads are 0 and writes are ignored.
 */
#define GICV3_WINDOW_SIZE (0x09000000ULL - GICV3_DIST_BASE)
/** @} */

/** @name Interrupt IDs (IHI 0069 2.2 "INTIDs") */
/** @{ */
#define GICV3_NR_SGI 16      /**< SGIs: 0..15, software generated, per vCPU */
#define GICV3_PPI_BASE 16    /**< PPIs: 16..31, private to a vCPU */
#define GICV3_SPI_BASE 32    /**< SPIs: 32.., shared, routed by GICD_IROUTER<n> */
#define GICV3_NR_SPI 96      /**< SPIs this model implements: INTIDs 32..127 */
#define GICV3_NR_IRQ (GICV3_SPI_BASE + GICV3_NR_SPI) /**< INTIDs 0..GICV3_NR_IRQ-1 exist */
#define GICV3_SPURIOUS 1023  /**< "no interrupt" from ICC_IAR1_EL1 / ICC_HPPIR1_EL1 */
/** @} */

/** @name Priorities (IHI 0069 4.8): lower is more urgent */
/** @{ */
#define GICV3_PRI_BITS 5     /**< implemented bits: [7:3] */
#define GICV3_PRI_MASK 0xf8u /**< the implemented bits of a priority byte */
#define GICV3_PRI_IDLE 0xffu /**< running priority with nothing active */
/** @} */

/** The CPU interface registers a guest reaches (IHI 0069 12.2, AArch64 System registers). */
enum gicv3_icc {
	ICC_SRE,     /**< ICC_SRE_EL1: system register interface, always on (SRE, DFB, DIB = 1) */
	ICC_PMR,     /**< ICC_PMR_EL1: priority mask; an interrupt must be more urgent */
	ICC_IAR1,    /**< ICC_IAR1_EL1 (read): acknowledge the best group 1 interrupt */
	ICC_EOIR1,   /**< ICC_EOIR1_EL1 (write): priority drop (and deactivate, EOImode 0) */
	ICC_DIR,     /**< ICC_DIR_EL1 (write): deactivate (EOImode 1) */
	ICC_HPPIR1,  /**< ICC_HPPIR1_EL1 (read): the best pending group 1 interrupt */
	ICC_BPR1,    /**< ICC_BPR1_EL1: binary point (group priority field) */
	ICC_CTLR,    /**< ICC_CTLR_EL1: EOImode, CBPR; read-only PRIbits, IDbits */
	ICC_IGRPEN1, /**< ICC_IGRPEN1_EL1: group 1 enable */
	ICC_RPR,     /**< ICC_RPR_EL1 (read): running priority */
	ICC_SGI1R,   /**< ICC_SGI1R_EL1 (write): send an SGI by affinity, or to all others (IRM) */
	ICC_AP1R0,   /**< ICC_AP1R0_EL1: active priorities, one bit per group priority */
	/* Group 0's, which a guest may program (Linux does when PMR shows group 0 is
	 * there) though the model never signals it: kept as written. */
	ICC_AP0R0,   /**< ICC_AP0R0_EL1 */
	ICC_BPR0,    /**< ICC_BPR0_EL1 (at least 2) */
	ICC_IGRPEN0, /**< ICC_IGRPEN0_EL1 */
	ICC_NR
};

/** Name of a CPU interface register ("ICC_PMR_EL1"). */
const char *gicv3_icc_name(enum gicv3_icc reg);

/** The model of a VM. */
struct gicv3;

/**
 * Creates the GICv3 of vm as one device over [base, base + size), base
 * being the distributor's (GICV3_DIST_BASE) and the redistributors at
 * base + (GICV3_REDIST_BASE - GICV3_DIST_BASE), one for each of the
 * config's cpu_num vCPUs. NULL if out of memory or the window cannot hold
 * them.
 */
struct device *gicv3_create(struct vm *vm, gpa_t base, uint64_t size);
/** The GICv3 of vm (its device on the bus), or NULL if it has none. */
struct gicv3 *gicv3_of(const struct vm *vm);
/** The model behind a device gicv3_create() made, NULL for another device. */
struct gicv3 *gicv3_from_device(const struct device *dev);
/** Redistributor region of the device tree: [*base, *base + *size) for the VM's vCPUs. */
void gicv3_redist_region(const struct gicv3 *gic, gpa_t *base, uint64_t *size);

/** @name The CPU interface of vCPU cpu */
/** @{ */
/** Reads a CPU interface register (ICC_IAR1 acknowledges). */
uint64_t gicv3_icc_read(struct gicv3 *gic, unsigned cpu, enum gicv3_icc reg);
/** Writes a CPU interface register (ICC_EOIR1, ICC_DIR, ICC_SGI1R act). */
void gicv3_icc_write(struct gicv3 *gic, unsigned cpu, enum gicv3_icc reg, uint64_t val);
/** @} */

/** @name Interrupt lines (devices, timers) */
/** @{ */
/**
 * Sets the level of interrupt intid's input: a PPI of vCPU cpu (a timer),
 * or an SPI (cpu ignored). A level-sensitive interrupt is pending while
 * its line is high; an edge-triggered one becomes pending on a rising
 * edge (IHI 0069 4.1 "Interrupt handling state machine").
 */
void gicv3_set_level(struct gicv3 *gic, unsigned cpu, unsigned intid, bool level);
/** @} */

/** @name What the CPU interface signals */
/** @{ */
/**
 * True if the CPU interface of vCPU cpu asserts its IRQ: a group 1
 * interrupt pending, not active, enabled, the group enabled in GICD_CTLR
 * and ICC_IGRPEN1_EL1, its priority above ICC_PMR_EL1 and its group
 * priority above the running priority (IHI 0069 4.7.2, 4.8). The
 * vCPU takes it when PSTATE.I is clear; WFI ends on it either way.
 */
bool gicv3_signalled(struct gicv3 *gic, unsigned cpu);
/**
 * True if a device or a timer could ever make an interrupt pending for
 * vCPU cpu: a PPI enabled in its redistributor, or an SPI routed to it,
 * in group 1 with group 1 enabled at the distributor. SGIs are not
 * counted: only other vCPUs send them, which the caller knows about.
 */
bool gicv3_enabled_any(struct gicv3 *gic, unsigned cpu);
/** @} */

/**
 * @name List registers (hal_bare with a hardware GICv3)
 *
 * On hardware the vCPU's CPU interface is the GIC's virtual interface:
 * the hypervisor writes up to ICH_VTR_EL2.ListRegs list registers
 * (ICH_LR<n>_EL2: vINTID, priority, group, state pending / active /
 * pending and active) and the guest's ICC_IAR1/EOIR1/DIR accesses act on
 * them without a trap (IHI 0069 6.4 "Virtual interrupt handling"). This
 * model stays the reference state: before entering the guest, take the
 * best interrupts with gicv3_lr_pick() and write them to list registers;
 * after leaving it, read the list registers back and give each to
 * gicv3_lr_sync(). An interrupt handed to a list register is "in flight":
 * the model no longer signals it through gicv3_signalled() or offers it
 * again until it comes back.
 * @{
 */
/** One list register's content, in the model's terms. */
struct gicv3_lr {
	uint32_t intid;    /**< ICH_LR<n>_EL2.vINTID */
	uint8_t priority;  /**< ICH_LR<n>_EL2.Priority */
	bool group1;       /**< ICH_LR<n>_EL2.Group: group 1 (IRQ) rather than 0 (FIQ) */
	bool pending;   /**< ICH_LR<n>_EL2.State bit 0 */
	bool active;    /**< ICH_LR<n>_EL2.State bit 1 */
	bool hw;        /**< a physical interrupt backs it (ICH_LR.HW): not used by the model */
};
/**
 * Fills lr[0..n) with the highest-priority group 1 interrupts of vCPU cpu
 * that are enabled, pending or active and not yet in a list register, most urgent
 * first, and marks them in flight: a pending one leaves the model's
 * pending state for the list register's (an edge's latch is consumed; a
 * level's line is re-sampled after gicv3_lr_sync()). A level-sensitive
 * interrupt that is active goes out active only, never active and
 * pending: its line may fall before the guest's EOI, which the list
 * register cannot see. Returns how many it filled.
 */
unsigned gicv3_lr_pick(struct gicv3 *gic, unsigned cpu, struct gicv3_lr *lr, unsigned n);
/**
 * Takes back a list register after the guest ran: its state as the
 * hardware left it (invalid: both pending and active clear, after the
 * guest's EOI / DIR). The model's interrupt gets its active state; it is
 * pending if edge-triggered and the list register still pending (or an
 * edge came meanwhile), if level-sensitive and its line is high (the
 * list register's pending bit counts only for a latch, GICR_ISPENDR0 or
 * GICD_ISPENDR<n>); the running priority is the guest's own
 * (ICH_AP1R0_EL2), given with gicv3_lr_set_ap().
 */
void gicv3_lr_sync(struct gicv3 *gic, unsigned cpu, const struct gicv3_lr *lr);
/** ICH_AP1R0_EL2 after the guest ran: the model's ICC_AP1R0 (the guest's active priorities). */
void gicv3_lr_set_ap(struct gicv3 *gic, unsigned cpu, uint32_t ap1r0);
/** @} */

#endif
