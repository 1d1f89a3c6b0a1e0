/* SPDX-License-Identifier: MIT */
/**
 * @file vmx.h
 * @brief VMX instructions and the VMCS fields cvisor uses (Intel SDM Vol.
 *        3C: chapter 24 "Virtual Machine Control Structures", Appendix B
 *        "Field Encoding in VMCS", Appendix A "VMX Capability Reporting
 *        Facility"), shared by vmx.c and vcpu.c.
 */
#ifndef HAL_BARE_X86_64_VMX_H
#define HAL_BARE_X86_64_VMX_H

#include <cvisor/types.h>

/** @name Capability MSRs (Appendix A) and IA32_FEATURE_CONTROL @{ */
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_EXIT 0x483
#define MSR_VMX_ENTRY 0x484
#define MSR_VMX_MISC 0x485
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT 0x48f
#define MSR_VMX_TRUE_ENTRY 0x490
#define MSR_EFER 0xc0000080
#define MSR_GS_BASE 0xc0000101
/** @} */

/** @name VMCS field encodings (Appendix B) @{ */
enum vmcs_field {
	VMCS_VPID = 0x0000,
	GUEST_ES_SEL = 0x0800, /* ES CS SS DS FS GS LDTR TR: +2 each */
	HOST_ES_SEL = 0x0c00,
	HOST_CS_SEL = 0x0c02,
	HOST_SS_SEL = 0x0c04,
	HOST_DS_SEL = 0x0c06,
	HOST_FS_SEL = 0x0c08,
	HOST_GS_SEL = 0x0c0a,
	HOST_TR_SEL = 0x0c0c,
	EPT_POINTER = 0x201a,
	GUEST_PHYS_ADDR = 0x2400,
	VMCS_LINK_POINTER = 0x2800,
	GUEST_IA32_EFER = 0x2806,
	HOST_IA32_EFER = 0x2c02,
	PIN_CONTROLS = 0x4000,
	PROC_CONTROLS = 0x4002,
	EXCEPTION_BITMAP = 0x4004,
	CR3_TARGET_COUNT = 0x400a,
	EXIT_CONTROLS = 0x400c,
	EXIT_MSR_STORE_COUNT = 0x400e,
	EXIT_MSR_LOAD_COUNT = 0x4010,
	ENTRY_CONTROLS = 0x4012,
	ENTRY_MSR_LOAD_COUNT = 0x4014,
	ENTRY_INTR_INFO = 0x4016,
	ENTRY_EXCEPTION_ERROR = 0x4018,
	ENTRY_INSN_LEN = 0x401a,
	PROC_CONTROLS2 = 0x401e,
	VM_INSN_ERROR = 0x4400,
	EXIT_REASON = 0x4402,
	EXIT_INTR_INFO = 0x4404,
	EXIT_INTR_ERROR = 0x4406,
	IDT_VECTORING_INFO = 0x4408,
	IDT_VECTORING_ERROR = 0x440a,
	EXIT_INSN_LEN = 0x440c,
	GUEST_ES_LIMIT = 0x4800, /* ES CS SS DS FS GS LDTR TR: +2 each */
	GUEST_GDTR_LIMIT = 0x4810,
	GUEST_IDTR_LIMIT = 0x4812,
	GUEST_ES_AR = 0x4814, /* ES CS SS DS FS GS LDTR TR: +2 each */
	GUEST_INTERRUPTIBILITY = 0x4824,
	GUEST_ACTIVITY = 0x4826,
	GUEST_SYSENTER_CS = 0x482a,
	PREEMPTION_TIMER = 0x482e,
	HOST_SYSENTER_CS = 0x4c00,
	CR0_GUEST_HOST_MASK = 0x6000,
	CR4_GUEST_HOST_MASK = 0x6002,
	CR0_READ_SHADOW = 0x6004,
	CR4_READ_SHADOW = 0x6006,
	EXIT_QUALIFICATION = 0x6400,
	GUEST_LINEAR_ADDR = 0x640a,
	GUEST_CR0 = 0x6800,
	GUEST_CR3 = 0x6802,
	GUEST_CR4 = 0x6804,
	GUEST_ES_BASE = 0x6806, /* ES CS SS DS FS GS LDTR TR: +2 each */
	GUEST_GDTR_BASE = 0x6816,
	GUEST_IDTR_BASE = 0x6818,
	GUEST_DR7 = 0x681a,
	GUEST_RSP = 0x681c,
	GUEST_RIP = 0x681e,
	GUEST_RFLAGS = 0x6820,
	GUEST_PENDING_DBG = 0x6822,
	GUEST_SYSENTER_ESP = 0x6824,
	GUEST_SYSENTER_EIP = 0x6826,
	HOST_CR0 = 0x6c00,
	HOST_CR3 = 0x6c02,
	HOST_CR4 = 0x6c04,
	HOST_FS_BASE = 0x6c06,
	HOST_GS_BASE = 0x6c08,
	HOST_TR_BASE = 0x6c0a,
	HOST_GDTR_BASE = 0x6c0c,
	HOST_IDTR_BASE = 0x6c0e,
	HOST_SYSENTER_ESP = 0x6c10,
	HOST_SYSENTER_EIP = 0x6c12,
	HOST_RSP = 0x6c14,
	HOST_RIP = 0x6c16,
};
/** The segment registers in the order of their VMCS fields. */
enum vmx_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };
/** @} */

/** @name Control bits (24.6, 24.7, 24.8) @{ */
#define PIN_EXT_INTR (1u << 0)
#define PIN_NMI (1u << 3)
#define PIN_PREEMPT_TIMER (1u << 6)
#define PROC_INTR_WINDOW (1u << 2)
#define PROC_HLT (1u << 7)
#define PROC_RDTSC (1u << 12)
#define PROC_CR3_LOAD (1u << 15)
#define PROC_CR3_STORE (1u << 16)
#define PROC_UNCOND_IO (1u << 24)
#define PROC_SECONDARY (1u << 31)
#define PROC2_EPT (1u << 1)
#define PROC2_VPID (1u << 5)
#define PROC2_UNRESTRICTED (1u << 7)
#define EXIT_HOST_64 (1u << 9)
#define EXIT_ACK_INTR (1u << 15)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
#define ENTRY_IA32E (1u << 9)
#define ENTRY_LOAD_EFER (1u << 15)
/** @} */

/** What this CPU's VMX gives, found once by vmx_cpu_init(). */
struct vmx_caps {
	uint32_t revision;                 /**< IA32_VMX_BASIC[30:0] */
	uint32_t pin, proc, proc2, exit, entry; /**< the controls cvisor runs guests with */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool unrestricted;                 /**< PROC2_UNRESTRICTED could be set */
	bool vpid;
	bool preempt_timer;                /**< PIN_PREEMPT_TIMER is set */
	unsigned preempt_shift;            /**< the timer counts TSC >> this (IA32_VMX_MISC[4:0]) */
};
/** Exit reason 52: the VMX-preemption timer counted down to zero (24.6.1, 26.5.1). */
#define VMX_EXIT_PREEMPTION_TIMER 52
extern struct vmx_caps vmx_caps;

/** VMREAD; panics (with the VM-instruction error) if the field does not exist. */
uint64_t vmread(enum vmcs_field f);
/** VMWRITE; panics likewise. */
void vmwrite(enum vmcs_field f, uint64_t v);
/** VMCLEAR and VMPTRLD of the VMCS at physical address pa; false (error in *err) on VMfail. */
bool vmclear(uint64_t pa);
bool vmptrld(uint64_t pa);
/** INVEPT single-context for eptp (all-context if the CPU lacks it). */
void invept(uint64_t eptp);
/** What VM-instruction error n means (SDM Vol. 3C, 31.4, table 31-1). */
const char *vmx_insn_error_text(unsigned n);

/** vmx_entry.S: the guest's general registers in VMCS-less form (RSP is GUEST_RSP). */
struct vmx_gprs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
};
/**
 * Enters the guest with VMLAUNCH (launched 0) or VMRESUME: returns 0
 * after a VM exit (registers saved into g), 1 if the instruction failed
 * with VMfailInvalid, 2 with VMfailValid (VM_INSN_ERROR has the number).
 */
int vmx_enter(struct vmx_gprs *g, int launched);

#endif
