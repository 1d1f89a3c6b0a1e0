/* SPDX-License-Identifier: MIT */
/**
 * @file vcpu_arch.h
 * @brief AArch64 vCPU state: the register file the hypervisor saves and
 *        restores around the guest (ARM ARM D1 "The AArch64 application
 *        level programmers' model" and the EL1 system registers).
 *
 * Both HALs keep the guest's state here across an exit: hal_bare from its
 * trap frame, hal_sim from Unicorn. The arch code (exit completion, PSCI,
 * boot protocol) reads and writes it.
 */
#ifndef ARCH_AARCH64_VCPU_ARCH_H
#define ARCH_AARCH64_VCPU_ARCH_H

#include <stdbool.h>
#include <stdint.h>

/** PSTATE.M for EL1 using SP_EL1 (EL1h), and the DAIF mask bits. */
#define A64_PSTATE_EL1H 0x5u
#define A64_PSTATE_DAIF (0xfu << 6)
#define A64_PSTATE_I (1u << 7)

struct vcpu_arch {
	uint64_t x[31];     /**< x0..x30 */
	uint64_t sp_el0;
	uint64_t sp_el1;
	uint64_t pc;        /**< ELR_EL2 on hardware: where the guest resumes */
	uint64_t pstate;    /**< SPSR_EL2 on hardware */
	/* EL1 system state the hypervisor touches */
	uint64_t elr_el1, spsr_el1, esr_el1, far_el1, vbar_el1, sctlr_el1;
	/* Emulated registers trapped by cvisor */
	uint64_t oslsr_el1;     /**< OS Lock status (OSLK, bit 1) */
	uint64_t osdlr_el1;     /**< OS Double Lock (DLK, bit 0) */
	uint64_t mdscr_el1;     /**< debug controls as the guest wrote them (never the CPU's) */
	uint64_t mdccint_el1;   /**< debug communication channel interrupt enables */
	uint64_t dbgbvr[2], dbgbcr[2]; /**< breakpoints 0, 1 (A64_GUEST_BRPS): kept, never armed */
	uint64_t dbgwvr[2], dbgwcr[2]; /**< watchpoints 0, 1 (A64_GUEST_WRPS): kept, never armed */
	uint64_t cntp_ctl_el0;  /**< EL1 physical timer control (ENABLE, IMASK) */
	uint64_t cntp_cval_el0; /**< EL1 physical timer compare value */
	uint64_t cntv_ctl_el0;  /**< virtual timer control (ENABLE, IMASK) */
	uint64_t cntv_cval_el0; /**< virtual timer compare value */
	uint64_t mpidr_el1;     /**< the affinity the guest sees */
	uint64_t mmio_pending_srt; /* reserved */
	/**
	 * A synchronous exception the hypervisor injects (vcpu_arch_inject_abort()):
	 * the HAL takes it to the guest's EL1 at the next entry, with ESR_EL1 =
	 * esr and FAR_EL1 = far, instead of completing the exit.
	 */
	struct {
		bool pending;
		uint64_t esr, far;
	} inject;
};

#endif
