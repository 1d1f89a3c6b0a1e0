/* SPDX-License-Identifier: MIT */
/**
 * @file cpu.h
 * @brief This CPU from C: its system registers and barriers (xv6's riscv.h).
 *
 * MRS and MSR name the register in the instruction itself, so these are
 * macros, not functions: READ_SYSREG(esr_el2) assembles to `mrs xN, esr_el2`.
 * A register the assembler has no name for is written by its encoding,
 * S<op0>_<op1>_C<n>_C<m>_<op2>, through a macro (the GICv3 ICC_* registers).
 * ISB makes a system register write take effect for the instructions after
 * it; DSB waits for memory accesses and TLB maintenance to complete.
 * ARM ARM C6.2 (MRS, MSR, ISB, DSB).
 */
#ifndef HAL_BARE_AARCH64_CPU_H
#define HAL_BARE_AARCH64_CPU_H

#include <stdint.h>

/* r may be a macro for an encoding: the outer macro expands it before # quotes it. */
#define READ_SYSREG(r) READ_SYSREG_(r)
#define WRITE_SYSREG(r, v) WRITE_SYSREG_(r, v)
#define READ_SYSREG_(r)                                                                            \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));                                        \
		v_;                                                                                \
	})
#define WRITE_SYSREG_(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))
#define ISB() __asm__ volatile("isb" ::: "memory")
#define DSB() __asm__ volatile("dsb sy" ::: "memory")

#endif
