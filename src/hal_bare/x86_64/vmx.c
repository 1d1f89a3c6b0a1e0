/* SPDX-License-Identifier: MIT */
/**
 * @file vmx.c
 * @brief VMX on each CPU: VMXON, the controls guests run with (computed
 *        from the capability MSRs, never assumed), and the VMX
 *        instructions' error reports (Intel SDM Vol. 3C, chapters 23
 *        "Introduction to VMX Operation", 24, 31.4, Appendix A).
 *
 * Entering VMX operation (23.7): CPUID.1:ECX.VMX must be set;
 * IA32_FEATURE_CONTROL must be locked with "VMXON outside SMX" enabled
 * (the firmware usually locks it; if it is unlocked cvisor sets and locks
 * it); CR0 and CR4 must hold the bits IA32_VMX_CR0/CR4_FIXED0 require and
 * none that FIXED1 forbids (CR4.VMXE among them); VMXON takes a 4 KiB
 * region whose first word is the VMCS revision identifier of
 * IA32_VMX_BASIC.
 *
 * Controls (A.3-A.5): each control MSR says, in its low 32 bits, which
 * bits must be 1 and, in its high 32 bits, which may be 1. cvisor asks for
 * what it needs, adds what must be 1, and refuses to run if something it
 * needs may not be 1. With IA32_VMX_BASIC[55] the TRUE MSRs say which
 * default-1 bits may be 0 (CR3-load/store exiting, which EPT makes
 * unnecessary).
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "../hal_bare.h"
#include "hal_arch.h"
#include "vmx.h"

#define CPUID1_ECX_VMX (1u << 5)
#define FEATURE_CONTROL_LOCK (1ULL << 0)
#define FEATURE_CONTROL_VMXON (1ULL << 2) /* VMXON outside SMX */
#define CR4_VMXE (1ULL << 13)
#define CR4_OSFXSR (1ULL << 9)      /* FXSAVE/FXRSTOR save the SSE state (vcpu.c switches it) */
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR0_EM (1ULL << 2)
#define CR0_TS (1ULL << 3)
#define BASIC_TRUE_CTLS (1ULL << 55)

struct vmx_caps vmx_caps;

const char *vmx_insn_error_text(unsigned n)
{
	static const char *const text[] = {
		[1] = "VMCALL executed in VMX root operation",
		[2] = "VMCLEAR with invalid physical address",
		[3] = "VMCLEAR with VMXON pointer",
		[4] = "VMLAUNCH with non-clear VMCS",
		[5] = "VMRESUME with non-launched VMCS",
		[6] = "VMRESUME after VMXOFF",
		[7] = "VM entry with invalid control field(s)",
		[8] = "VM entry with invalid host-state field(s)",
		[9] = "VMPTRLD with invalid physical address",
		[10] = "VMPTRLD with VMXON pointer",
		[11] = "VMPTRLD with incorrect VMCS revision identifier",
		[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
		[13] = "VMWRITE to read-only VMCS component",
		[15] = "VMXON executed in VMX root operation",
		[16] = "VM entry with invalid executive-VMCS pointer",
		[17] = "VM entry with non-launched executive VMCS",
		[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
		[19] = "VMCALL with non-clear VMCS",
		[20] = "VMCALL with invalid VM-exit control fields",
		[22] = "VMCALL with incorrect MSEG revision identifier",
		[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
		[24] = "VMCALL with invalid SMM-monitor features",
		[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
		[26] = "VM entry with events blocked by MOV SS",
		[28] = "Invalid operand to INVEPT/INVVPID",
	};
	return n < sizeof(text) / sizeof(text[0]) && text[n] ? text[n] : "unknown error number";
}

/* The VM-instruction error of the current VMCS, for a message. */
static unsigned insn_error(void)
{
	uint64_t v = 0;
	uint64_t f = VM_INSN_ERROR;
	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(f) : "cc");
	return (unsigned)v;
}

uint64_t vmread(enum vmcs_field f)
{
	uint64_t v;
	uint8_t fail;
	__asm__ volatile("vmread %2, %0; setbe %1" : "=&r"(v), "=&q"(fail) : "r"((uint64_t)f) : "cc");
	if (fail)
		hal_panic("VMREAD of VMCS field 0x%x failed: error %u (%s)", (unsigned)f, insn_error(),
			  vmx_insn_error_text(insn_error()));
	return v;
}

void vmwrite(enum vmcs_field f, uint64_t v)
{
	uint8_t fail;
	__asm__ volatile("vmwrite %1, %2; setbe %0" : "=&q"(fail) : "r"(v), "r"((uint64_t)f) : "cc");
	if (fail)
		hal_panic("VMWRITE of 0x%llx to VMCS field 0x%x failed: error %u (%s)",
			  (unsigned long long)v, (unsigned)f, insn_error(),
			  vmx_insn_error_text(insn_error()));
}

bool vmclear(uint64_t pa)
{
	uint8_t fail;
	__asm__ volatile("vmclear %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

bool vmptrld(uint64_t pa)
{
	uint8_t fail;
	__asm__ volatile("vmptrld %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

/* INVEPT (SDM Vol. 3C, 30.3): type 1 single-context (the EPTP's mappings), 2 all-context. */
void invept(uint64_t eptp)
{
	struct {
		uint64_t eptp, zero;
	} desc = { eptp, 0 };
	uint64_t caps = rdmsr(MSR_VMX_EPT_VPID_CAP);
	uint64_t type = (caps & (1ULL << 25)) ? 1 : 2;
	uint8_t fail;
	__asm__ volatile("invept %1, %2; setbe %0" : "=qm"(fail) : "m"(desc), "r"(type) : "cc", "memory");
	if (fail)
		hal_panic("INVEPT type %llu failed", (unsigned long long)type);
}

/*
 * The value of a control: want, plus what the capability MSR's low half
 * requires; panics naming the control if a bit of need may not be 1.
 */
static uint32_t control(const char *name, uint32_t msr, uint32_t want, uint32_t need)
{
	uint64_t cap = rdmsr(msr);
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);
	uint32_t v = (want | must) & may;

	if ((need & ~may) != 0)
		hal_panic("VMX: this CPU cannot set the %s control bits 0x%x cvisor needs (capability "
			  "MSR 0x%x = 0x%llx)",
			  name, need & ~may, msr, (unsigned long long)cap);
	return v;
}

/* The controls guests run with, from this CPU's capability MSRs. */
static void choose_controls(void)
{
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	bool true_ctls = basic & BASIC_TRUE_CTLS;

	vmx_caps.revision = (uint32_t)(basic & 0x7fffffff);
	/*
	 * The VMX-preemption timer too, where the CPU has it: under Bochs 2.7 a
	 * host interrupt does not end a guest that runs with RFLAGS.IF = 0
	 * (the SDM says external-interrupt exiting ignores IF: 25.2), so a
	 * guest spinning with interrupts off would keep the CPU; the timer,
	 * set before each entry for cvisor's next deadline, ends it.
	 */
	vmx_caps.pin = control("pin-based", true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED,
			       PIN_EXT_INTR | PIN_NMI | PIN_PREEMPT_TIMER, PIN_EXT_INTR | PIN_NMI);
	vmx_caps.preempt_timer = vmx_caps.pin & PIN_PREEMPT_TIMER;
	vmx_caps.preempt_shift = (unsigned)(rdmsr(MSR_VMX_MISC) & 0x1f);
	/* All port I/O exits; HLT and RDTSC exit (the VM clock, as in the simulator); MSR accesses
	 * all exit (no MSR bitmap); no CR3 exiting (EPT). */
	uint32_t proc_need = PROC_HLT | PROC_RDTSC | PROC_UNCOND_IO | PROC_SECONDARY;
	vmx_caps.proc = control("primary processor-based",
				true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED, proc_need,
				proc_need);
	uint64_t cap2 = rdmsr(MSR_VMX_PROCBASED2);
	vmx_caps.unrestricted = (cap2 >> 32) & PROC2_UNRESTRICTED;
	vmx_caps.vpid = (cap2 >> 32) & PROC2_VPID;
	vmx_caps.proc2 = control("secondary processor-based", MSR_VMX_PROCBASED2,
				 PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED, PROC2_EPT);
	vmx_caps.exit = control("VM-exit", true_ctls ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT,
				EXIT_HOST_64 | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
				EXIT_HOST_64 | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER);
	vmx_caps.entry = control("VM-entry", true_ctls ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY,
				 ENTRY_LOAD_EFER, ENTRY_LOAD_EFER | ENTRY_IA32E);
	vmx_caps.entry &= ~ENTRY_IA32E; /* per guest, from its EFER.LMA (vcpu.c) */
	vmx_caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
}

void vmx_cpu_init(struct pcpu *c)
{
	uint32_t eax = 1, ebx, ecx, edx;

	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
	if (!(ecx & CPUID1_ECX_VMX))
		hal_panic("this CPU has no VMX (CPUID.1:ECX[5] clear): cvisor cannot run guests here");
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON);
	else if (!(fc & FEATURE_CONTROL_VMXON))
		hal_panic("VMX is disabled by the firmware (IA32_FEATURE_CONTROL = 0x%llx, locked)",
			  (unsigned long long)fc);
	if (c->index == 0)
		choose_controls();

	uint64_t cr0, cr4;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr0 = ((cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1) & ~(CR0_EM | CR0_TS);
	cr4 = (cr4 | vmx_caps.cr4_fixed0 | CR4_VMXE | CR4_OSFXSR | CR4_OSXMMEXCPT) & vmx_caps.cr4_fixed1;
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4));

	c->vmxon_region = hal_page_alloc(1);
	if (!c->vmxon_region)
		hal_panic("no memory for the VMXON region");
	*(uint32_t *)c->vmxon_region = vmx_caps.revision;
	uint64_t pa = hal_hva_to_hpa(c->vmxon_region);
	uint8_t fail;
	__asm__ volatile("vmxon %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	if (fail)
		hal_panic("VMXON failed on CPU %u", c->index);
	if (c->index == 0) {
		/* On the console once, after the banner: what this CPU model gives guests. */
		char line[200];
		cv_snprintf(line, sizeof(line),
			    "cvisor: VMX: revision 0x%x; controls pin 0x%x, primary 0x%x, secondary 0x%x, exit "
			    "0x%x, entry 0x%x%s%s%s",
			    vmx_caps.revision, vmx_caps.pin, vmx_caps.proc, vmx_caps.proc2, vmx_caps.exit,
			    vmx_caps.entry, vmx_caps.unrestricted ? "; unrestricted guest" : "",
			    vmx_caps.vpid ? "; VPID" : "",
			    vmx_caps.preempt_timer ? "; VMX-preemption timer" : "");
		hal_log_write(line);
	}
}
