/* SPDX-License-Identifier: MIT */
/**
 * @file vcpu_arch.h
 * @brief RISC-V 64 vCPU state: the register file the hypervisor keeps for
 *        a guest hart running in VS-mode (RISC-V Privileged Architecture
 *        v1.12, chapter 8 "Hypervisor Extension": the VS-level CSRs).
 */
#ifndef ARCH_RISCV64_VCPU_ARCH_H
#define ARCH_RISCV64_VCPU_ARCH_H

#include <stdint.h>

struct vcpu_arch {
	uint64_t x[32];     /**< x0..x31 (x0 always reads 0) */
	uint64_t pc;        /**< sepc on a trap: where the guest resumes */
	/* The guest's supervisor CSRs (vsstatus, vstvec, ... on hardware) */
	uint64_t sstatus, stvec, sepc, scause, stval, sscratch, satp, sie, sip;
	uint64_t hartid;    /**< the hart id the guest sees (a0 at boot) */
	uint64_t timer_cmp; /**< the last SBI set_timer value (no timer interrupts yet) */
};

#endif
