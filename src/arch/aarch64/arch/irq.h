/* SPDX-License-Identifier: MIT */
/**
 * @file irq.h
 * @brief AArch64 interrupts and timers: the GICv3 CPU interface's system
 *        registers, the generic timer's registers, and what the HALs ask
 *        before entering the guest (src/arch/aarch64/irq.c, timer.c).
 */
#ifndef ARCH_AARCH64_IRQ_H
#define ARCH_AARCH64_IRQ_H

#include <cvisor/exit.h>
#include <cvisor/types.h>

struct vcpu;

/** @name The generic timer (ARM ARM D11 "The Generic Timer in AArch64 state") @{ */
/** CNTFRQ_EL0: 62.5 MHz, as on QEMU virt: one count every 16 ns of the VM clock. */
#define A64_CNTFRQ 62500000u
#define A64_NS_PER_COUNT 16u
/** The timers' PPIs (INTIDs; Linux's arm,armv8-timer binding, QEMU virt): */
#define A64_PPI_CNTV 27    /**< EL1 virtual timer */
#define A64_PPI_CNTP 30    /**< EL1 physical timer (Non-secure) */
#define A64_PPI_CNTPS 29   /**< secure physical timer (none here) */
#define A64_PPI_CNTHP 26   /**< EL2 physical timer (none here) */
/** The counter CNTPCT_EL0 (= CNTVCT_EL0: CNTVOFF_EL2 is 0) at the vCPU's clock. */
uint64_t a64_counter(const struct vcpu *vcpu);
/** True for a timer or counter register cvisor traps (CNTP_*, CNTV_*, CNTPCT_EL0, CNTVCT_EL0). */
bool a64_timer_sysreg(uint32_t id);
/** Emulates a trapped access to one of them (exit->sysreg). */
void a64_timer_access(struct vcpu *vcpu, struct vcpu_exit *exit);
/** @} */

/** @name The GICv3 CPU interface (IHI 0069 12.2) @{ */
/** The enum gicv3_icc of a system register encoding, or -1 if it is none cvisor emulates. */
int a64_icc_of(uint32_t id);
/** Emulates a trapped access to an ICC_* register (exit->sysreg). */
void a64_icc_access(struct vcpu *vcpu, struct vcpu_exit *exit);
/**
 * True if the vCPU's virtual CPU interface asserts its IRQ: what a HAL
 * without a hardware GIC turns into HCR_EL2.VI before entering the guest.
 */
bool a64_irq_signalled(const struct vcpu *vcpu);
/** @} */

#endif
