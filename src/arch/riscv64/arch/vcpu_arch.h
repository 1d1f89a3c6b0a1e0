/* SPDX-License-Identifier: MIT */
/**
 * @file vcpu_arch.h
 * @brief RISC-V 64 vCPU state: the register file the hypervisor keeps for
 *        a guest hart running in VS-mode (RISC-V Privileged Architecture
 *        v1.12, chapter 8 "Hypervisor Extension": the VS-level CSRs), and
 *        the hart's interrupt state (arch/irq.h).
 */
#ifndef ARCH_RISCV64_VCPU_ARCH_H
#define ARCH_RISCV64_VCPU_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu_arch {
	uint64_t x[32];     /**< x0..x31 (x0 always reads 0) */
	uint64_t pc;        /**< sepc on a trap: where the guest resumes */
	/*
	 * The guest's supervisor CSRs (vsstatus, vstvec, ... on hardware). The
	 * simulator keeps them in its CPU; sie and sip are copied here each
	 * time the hart leaves the guest, for the wait decisions (arch/irq.h).
	 */
	uint64_t sstatus, stvec, sepc, scause, stval, sscratch, satp, sie, sip;
	uint64_t hartid;    /**< the hart id the guest sees (a0 at boot) */
	/** The SBI timer's compare value in `time` ticks (RV_TIMER_OFF: none armed). */
	uint64_t timer_cmp;
	/**
	 * The interrupts the hypervisor asserts, as hvip would (Privileged
	 * 8.2.3): VSTIP from the SBI timer (this hart's thread only). VSEIP
	 * follows the PLIC and is not kept here (arch/irq.h).
	 */
	bool vstip;
	/** An IPI arrived that the CPU has not yet made pending (sip.SSIP); any thread. */
	bool ipi;
	/** hart_start: the CPU's supervisor CSRs go back to their start state before it runs. */
	bool csr_reset;
	/** In an SBI hart_suspend (HSM state SUSPENDED). */
	bool suspended;
	/**
	 * An exception the hypervisor injects (vcpu_arch_inject_abort()): the
	 * HAL takes it to the guest's stvec at the next entry, with scause =
	 * cause and stval = tval, instead of completing the exit.
	 */
	struct {
		bool pending;
		uint64_t cause, tval;
	} inject;
};

#endif
