/* SPDX-License-Identifier: MIT */
/**
 * @file irq.h
 * @brief A RISC-V guest hart's interrupts as the hypervisor drives them
 *        (Privileged Architecture v1.12, 8.2.3 "hvip", 4.1.3 "sip and
 *        sie"): the three VS-level interrupts, which the guest, in
 *        VS-mode, sees as its own sip.SSIP, STIP and SEIP.
 *
 *   interrupt   raised by                        cleared by
 *   SSIP (1)    an SBI send_ipi to this hart      the guest (csrc sip, SSIP)
 *   STIP (5)    `time` reaching the SBI timer      the next sbi_set_timer
 *   SEIP (9)    the PLIC, for this hart's S-mode   the guest's claim at the PLIC
 *               context (2 * hart + 1)
 *
 * The guest takes one to stvec (scause = interrupt bit | 1, 5 or 9) when
 * it is pending, its sie bit set, and either sstatus.SIE is set or the
 * hart runs in U-mode (4.1.3). A wait for interrupt (WFI) ends when one
 * is pending with its sie bit set, whatever sstatus.SIE says (3.3.3).
 */
#ifndef ARCH_RISCV64_IRQ_H
#define ARCH_RISCV64_IRQ_H

#include <cvisor/types.h>

struct vcpu;

/** @name The interrupts' bits in sip and sie (4.1.3) @{ */
#define RV_IRQ_SSIP (1ULL << 1)
#define RV_IRQ_STIP (1ULL << 5)
#define RV_IRQ_SEIP (1ULL << 9)
#define RV_IRQ_ALL (RV_IRQ_SSIP | RV_IRQ_STIP | RV_IRQ_SEIP)
/** @} */
/** @name scause codes of the interrupts (with RV_CAUSE_INTERRUPT set) @{ */
#define RV_IRQ_CAUSE_SOFTWARE 1
#define RV_IRQ_CAUSE_TIMER 5
#define RV_IRQ_CAUSE_EXTERNAL 9
/** @} */

/** timer_cmp of a hart whose SBI timer is not armed. */
#define RV_TIMER_OFF UINT64_MAX

/** The PLIC context of hart h's S-mode, as on QEMU virt (M-mode is 2h). */
#define RV_PLIC_S_CONTEXT(h) (2 * (h) + 1)
/** The 16550A UART's PLIC source on QEMU virt (UART0_IRQ). */
#define RV_UART_IRQ 10

/**
 * The level interrupts the hypervisor asserts for vcpu now, in sip's bit
 * positions: STIP if its SBI timer fired, SEIP if the PLIC has an
 * interrupt for its S-mode context. The simulator copies them into its
 * CPU's pending bits before each entry; the bare HAL would write hvip.
 */
uint64_t rv_irq_lines(const struct vcpu *vcpu);
/**
 * True once for each batch of IPIs sent to vcpu: the caller then makes
 * sip.SSIP pending in the hart (the guest clears it itself). Own thread.
 */
bool rv_irq_take_ipi(struct vcpu *vcpu);
/** Makes an IPI pending for vcpu and notifies it (SBI send_ipi). Any thread. */
void rv_irq_send_ipi(struct vcpu *vcpu);
/**
 * Arms vcpu's SBI timer at `time` value cmp (RV_TIMER_OFF: disarmed) and
 * drops its pending timer interrupt (SBI 6.1: "clears the pending timer
 * interrupt bit"); it is raised again once `time` reaches cmp.
 */
void rv_irq_set_timer(struct vcpu *vcpu, uint64_t cmp);
/** The clock value in ns at which `time` reaches ticks (CLOCK_NEVER if never). */
uint64_t rv_time_to_ns(uint64_t ticks);
/** The value of `time` at clock value ns. */
uint64_t rv_ns_to_time(uint64_t ns);

#endif
