/* SPDX-License-Identifier: MIT */
/**
 * @file vcpu_arch.h
 * @brief x86_64 vCPU state: what the hypervisor keeps of a guest between
 *        VM exits (Intel SDM Vol. 3C, 25.4 "Guest-State Area", and the
 *        general registers, which VMX does not save).
 */
#ifndef ARCH_X86_64_VCPU_ARCH_H
#define ARCH_X86_64_VCPU_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/lapic.h>

/** General registers in the order of their encodings (SDM Vol. 2, table 2-2). */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NGPRS
};

/**
 * An event the hypervisor injects at the next VM entry: the VM-entry
 * interruption-information field and error code (SDM Vol. 3C, 24.8.3;
 * delivered as 27.6 "Event Injection" describes, through the guest's IDT).
 * A fault leaves RIP at the instruction that caused it.
 */
struct x86_inject {
	bool valid;
	bool has_error;
	uint8_t vector;
	uint32_t error;
};

struct vcpu_arch {
	uint64_t gpr[X86_NGPRS]; /**< indexed by enum x86_gpr */
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint64_t idtr_base, idtr_limit, gdtr_base, gdtr_limit;
	uint64_t apic_id;        /**< the local APIC id the guest sees (CPUID.1:EBX[31:24]) */
	struct x86_inject inject; /**< an exception for the guest at the next entry */
	uint64_t apic_base;      /**< IA32_APIC_BASE (SDM Vol. 3A, 11.4.4): base, EN, BSP */
	struct lapic apic;       /**< the vCPU's local APIC (arch/lapic.h, irq.c) */
	bool wait_sipi;          /**< an INIT left it waiting for a start-up IPI (8.4.2) */
	/**
	 * The HAL loads the real-mode state of a start-up IPI before the
	 * next entry and clears this: CS = start_cs with base start_cs << 4,
	 * the other segments 0, CR0.PE = 0 (SDM Vol. 3A, 9.1.1, 8.4.4).
	 */
	bool real_mode_start;
	uint16_t start_cs;
};

#endif
