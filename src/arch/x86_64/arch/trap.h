/* SPDX-License-Identifier: MIT */
/**
 * @file trap.h
 * @brief VMX exits (Intel SDM Vol. 3C, chapter 28 "VM Exits", and Appendix C
 *        "VMX Basic Exit Reasons") and their decoding into the
 *        architecture-neutral exit record. Pure functions, for both HALs.
 */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#include <arch/sysreg.h>
#include <cvisor/exit.h>
#include <cvisor/types.h>

/** @name Basic exit reasons (SDM Vol. 3D, table C-1) @{ */
#define VMX_EXIT_EXCEPTION_NMI 0
#define VMX_EXIT_EXTERNAL_INTERRUPT 1
#define VMX_EXIT_TRIPLE_FAULT 2
#define VMX_EXIT_INIT 3
#define VMX_EXIT_INTERRUPT_WINDOW 7
#define VMX_EXIT_CPUID 10
#define VMX_EXIT_HLT 12
#define VMX_EXIT_INVLPG 14
#define VMX_EXIT_RDTSC 16
#define VMX_EXIT_VMCALL 18
#define VMX_EXIT_CR_ACCESS 28
#define VMX_EXIT_IO 30
#define VMX_EXIT_RDMSR 31
#define VMX_EXIT_WRMSR 32
#define VMX_EXIT_ENTRY_FAIL_GUEST 33
#define VMX_EXIT_APIC_ACCESS 44
#define VMX_EXIT_EPT_VIOLATION 48
#define VMX_EXIT_EPT_MISCONFIG 49
#define VMX_EXIT_XSETBV 55
/** Bit 31 of the exit reason field: the VM entry failed. */
#define VMX_EXIT_ENTRY_FAILURE (1u << 31)
/** @} */

/** The VMCS exit-information fields a HAL reads after a VM exit (SDM 25.9). */
struct vmx_exit_info {
	uint32_t reason;        /**< VM_EXIT_REASON: basic reason in [15:0] */
	uint64_t qualification; /**< EXIT_QUALIFICATION */
	uint64_t guest_phys;    /**< GUEST_PHYSICAL_ADDRESS (EPT violations) */
	uint64_t guest_linear;  /**< GUEST_LINEAR_ADDRESS */
	uint32_t insn_len;      /**< VM_EXIT_INSTRUCTION_LEN */
	uint32_t intr_info;     /**< VM_EXIT_INTR_INFO (exceptions, NMIs) */
	uint64_t rip;           /**< GUEST_RIP: the instruction that exited */
};

/**
 * Decodes a VM exit into exit: I/O instructions become EXIT_PIO, EPT
 * violations EXIT_STAGE2_FAULT (the HAL decodes the instruction of an MMIO
 * access: x86 reports no syndrome), HLT EXIT_HALT, VMCALL EXIT_HYPERCALL,
 * CPUID/RDMSR/WRMSR/MOV CR EXIT_SYSREG, #DB/#BP EXIT_DEBUG, external
 * interrupts EXIT_NONE, anything else EXIT_FATAL naming the reason.
 */
void vmx_decode_exit(const struct vmx_exit_info *info, struct vcpu_exit *exit);
/** Fills operands held in registers: OUT data (RAX), VMCALL RAX/RBX/RCX/RDX/RSI/RDI, MSR index and value. */
void vmx_exit_fill_operands(struct vcpu_exit *exit, const uint64_t gpr[16]);
/** Name of a basic exit reason ("EPT violation", "?"). */
const char *vmx_exit_name(uint32_t reason);

#endif
