/* SPDX-License-Identifier: MIT */
/**
 * @file sysreg.h
 * @brief x86_64 "system registers" whose guest accesses exit to cvisor:
 *        CPUID (SDM Vol. 2A, "CPUID"), MSRs read and written with
 *        RDMSR/WRMSR (SDM Vol. 4, "Model-Specific Registers") and the
 *        control registers (SDM Vol. 3A, 2.5 "Control Registers").
 *
 * Each is one id in an EXIT_SYSREG exit: an MSR its own index (ECX),
 * CPUID and the control registers ids above every MSR index.
 */
#ifndef ARCH_X86_64_SYSREG_H
#define ARCH_X86_64_SYSREG_H

/** @name System "register" ids of x86 EXIT_SYSREG exits @{ */
#define X86_SYSREG_CPUID 0xffff0000u
#define X86_SYSREG_CR(n) (0xffff1000u + (n))
/**
 * A load or store to the local APIC's page in xAPIC mode, at offset off
 * (0..0xfff): the APIC-access exit (reason 44, qualification table 28-6).
 */
#define X86_SYSREG_APIC(off) (0xffff2000u + (off))
/** RDTSC (exit reason 16): the time-stamp counter into EDX:EAX. */
#define X86_SYSREG_TSC 0xffff3000u
#define X86_SYSREG_IS_APIC(id) ((id) >= X86_SYSREG_APIC(0) && (id) <= X86_SYSREG_APIC(0xfff))
/** What an RDMSR/WRMSR exit's id is until its operands are filled from ECX. */
#define X86_SYSREG_MSR_FROM_ECX 0xfffffff0u
/** @} */

/** IA32_TIME_STAMP_COUNTER (SDM Vol. 4, table 2-2): what RDTSC reads. */
#define X86_MSR_TSC 0x10u

/** IA32_APIC_BASE (SDM Vol. 3A, 11.4.4, figure 11-5): the BSP flag, global enable, base. */
#define X86_MSR_APIC_BASE 0x1bu
#define X86_APIC_BASE_BSP (1ULL << 8)
#define X86_APIC_BASE_EN (1ULL << 11)

/** IA32_EFER (SDM Vol. 4, table 2-2): long mode enable and active, NXE. */
#define X86_MSR_EFER 0xc0000080u
#define X86_EFER_SCE (1ULL << 0)
#define X86_EFER_LME (1ULL << 8)
/* LMA and NXE: arch/stage1.h */

/** @name CR0 bits of the boot state (SDM Vol. 3A, 2.5); WP, PG and CR4 in arch/stage1.h @{ */
#define X86_CR0_PE (1ULL << 0)
#define X86_CR0_MP (1ULL << 1)
#define X86_CR0_ET (1ULL << 4)
#define X86_CR0_NE (1ULL << 5)
/** @} */

#endif
