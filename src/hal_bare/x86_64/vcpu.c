/* SPDX-License-Identifier: MIT */
/**
 * @file vcpu.c
 * @brief Running a vCPU with VMX: its VMCS, the world switch, and a VM
 *        exit made into the core's exit record by the simulator's own
 *        decoder (arch/trap.h's vmx_decode_exit()).
 *
 *   the guest does              the CPU does (SDM Vol. 3C)              cvisor sees
 *   out %al, $0x3f8             VM exit 30 (unconditional I/O exiting)  EXIT_PIO
 *   mov %eax, 0xfec00010        VM exit 48, EPT violation: the GPA,      EXIT_MMIO (the instruction
 *                               read/write, no size or register          decoded: arch/insn.h)
 *   mov %eax, 0xfee000b0        the same, in the local APIC's page       EXIT_SYSREG (APIC register)
 *   vmcall                      VM exit 18                               EXIT_HYPERCALL
 *   hlt / rdtsc / cpuid / rdmsr VM exits 12 / 16 / 10 / 31               EXIT_HALT / EXIT_SYSREG
 *   mov %rax, %cr0 (NE, VMXE)   VM exit 28 (bits of the guest/host masks) EXIT_SYSREG
 *   ud2, int3, #GP ...          VM exit 0 (the exception bitmap):       counted, given back to the
 *                               cvisor watches for storms               guest (event injection)
 *   --                          VM exit 1: cvisor's timer or kick       EXIT_NONE
 *
 * The guest's interrupts come from its local APIC model (arch/irq.h):
 * injected at VM entry (26.6 "Event Injection") when RFLAGS.IF is set and
 * nothing blocks them (interruptibility state), else an interrupt window
 * is asked for (primary control bit 2: a VM exit as soon as it opens).
 * An event whose delivery a VM exit interrupted (IDT-vectoring
 * information, 27.2.4) is injected again at the next entry.
 *
 * The VMCS is made current (VMPTRLD) and the FP/SSE state switched only
 * when another vCPU runs on the CPU (switch_to()).
 */
#include <arch/insn.h>
#include <arch/irq.h>
#include <arch/stage1.h>
#include <arch/sysreg.h>
#include <arch/trap.h>
#include <cvisor/arch.h>
#include <cvisor/config.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#include "../hal_bare.h"
#include "hal_arch.h"
#include "vmx.h"

#define RFLAGS_IF (1ULL << 9)
#define INTR_INFO_VALID (1u << 31)
#define INTR_INFO_ERROR (1u << 11)
#define INTR_TYPE_EXTERNAL 0u
#define INTR_TYPE_HW_EXCEPTION 3u
#define INTR_TYPE_SW_EXCEPTION 6u
#define CR0_NE (1ULL << 5)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
/*
 * The CR0 bits the guest reads from the read shadow, not from the CR0 it
 * runs with (24.6.6): NE, which VMX forces to 1 (23.8), and the cache
 * controls CD and NW, which a CPU under VMX may hold other than the guest
 * wrote (Bochs keeps them clear: an AP's CR0 after INIT reads 0x10, not
 * 0x60000010). A guest's write of one of them exits and is emulated.
 */
#define CR0_SHADOWED (CR0_NE | CR0_NW | CR0_CD)
#define CR4_VMXE (1ULL << 13)
/* Exceptions that exit (24.6.3): all but #PF (14), which a guest takes for its own paging. */
#define EXCEPTIONS_THAT_EXIT (0xffffffffu & ~(1u << 14))
/* Exceptions in a row inside the handler they were delivered to that make a storm (as in the simulator). */
#define STORM_EXCEPTIONS 64

struct bare_vcpu {
	struct bare_vcpu_base base; /* its thread and deadline (../vcpu_thread.c): first */
	struct vmx_gprs g;
	void *vmcs;            /* 4 KiB: the revision, then the CPU's own layout */
	bool launched;         /* VMLAUNCH done: VMRESUME from now on */
	bool set_up;           /* the control and host fields are written */
	uint16_t vpid;
	uint8_t fx[512] __attribute__((aligned(16))); /* FXSAVE area (SDM Vol. 1, 10.5) */
	uint32_t reinject_info, reinject_error;       /* IDT-vectoring information to give back */
	uint32_t reinject_len;
	uint64_t storm_handler; /* where the last exception given to the guest was delivered */
	unsigned storm_count;
};

_Static_assert(sizeof(struct bare_vcpu) <= PAGE_SIZE, "struct bare_vcpu is one page");

int hal_vcpu_init(struct vcpu *vcpu)
{
	const struct bare_vm *bv = vcpu->vm->hal;
	/* A page of its own: FXSAVE's area must be 16-byte aligned, which the heap does not promise. */
	struct bare_vcpu *b = hal_page_alloc(1);

	if (!b)
		return -CV_ENOMEM;
	b->vmcs = hal_page_alloc(1);
	if (!b->vmcs || bare_vcpu_base_init(&b->base) < 0) {
		hal_page_free(b->vmcs, 1);
		hal_page_free(b, 1);
		return -CV_ENOMEM;
	}
	*(uint32_t *)b->vmcs = vmx_caps.revision;
	if (!vmclear(hal_hva_to_hpa(b->vmcs)))
		hal_panic("VMCLEAR of a new VMCS failed");
	/* VPIDs tag the guest's TLB entries (28.1): one per vCPU, never 0 (the host's). */
	b->vpid = (uint16_t)(((bv ? bv->vmid : 1) << 4) + vcpu->id + 1);
	/* The FP state of a CPU after FNINIT, with the SSE exceptions masked (MXCSR 0x1f80). */
	b->fx[0] = 0x7f;
	b->fx[1] = 0x03;
	b->fx[24] = 0x80;
	b->fx[25] = 0x1f;
	vcpu->hal = b;
	return 0;
}

/* Only for a vCPU whose thread never started or has ended (bare_vcpu_gone()). */
void hal_vcpu_destroy(struct vcpu *vcpu)
{
	struct bare_vcpu *b = vcpu->hal;

	if (!b)
		return;
	bare_vcpu_base_free(&b->base, vcpu);
	vmclear(hal_hva_to_hpa(b->vmcs));
	hal_page_free(b->vmcs, 1);
	hal_page_free(b, 1);
	vcpu->hal = NULL;
}

/* On the vCPU's own thread, its run loop over: its CPU forgets it, so nothing is saved into it later. */
void bare_vcpu_unload(struct vcpu *vcpu)
{
	struct pcpu *c = this_cpu();
	if (c->loaded == vcpu->hal) {
		vmclear(hal_hva_to_hpa(((struct bare_vcpu *)vcpu->hal)->vmcs));
		c->loaded = NULL;
	}
}

/*
 * INVEPT single-context (30.3) drops what any CPU cached through the VM's
 * EPT. One CPU only here (smp.c): no other CPU to reach.
 */
void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size)
{
	(void)gpa;
	(void)size;
	invept(stage2_root_register(&vm->as.s2, 0));
}

/* ---- The VMCS ------------------------------------------------------------ */

/* One segment register of the guest-state area (24.4.1): selector, base, limit, access rights. */
static void guest_seg(enum vmx_seg s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	vmwrite((enum vmcs_field)(GUEST_ES_SEL + 2 * s), sel);
	vmwrite((enum vmcs_field)(GUEST_ES_BASE + 2 * s), base);
	vmwrite((enum vmcs_field)(GUEST_ES_LIMIT + 2 * s), limit);
	vmwrite((enum vmcs_field)(GUEST_ES_AR + 2 * s), ar);
}

/* Access rights (24.4.1, table 24-2): type, S, DPL, P, L, D/B, G; bit 16 unusable. */
#define AR_CODE64 0xa09bu /* execute/read accessed, S, P, L, G */
#define AR_DATA 0xc093u   /* read/write accessed, S, P, D/B, G */
#define AR_TSS64 0x008bu  /* busy 64-bit TSS, P */
#define AR_UNUSABLE 0x10000u
#define AR_REAL_CODE 0x009bu
#define AR_REAL_DATA 0x0093u

/* The segments of cvisor's 64-bit boot protocol (arch/x86_64/vcpu.c: CS 0x10, data 0x18). */
static void guest_segments_boot(const struct vcpu_arch *a)
{
	guest_seg(SEG_CS, 0x10, 0, 0xffffffff, AR_CODE64);
	for (enum vmx_seg s = SEG_ES; s <= SEG_GS; s++)
		if (s != SEG_CS)
			guest_seg(s, 0x18, 0, 0xffffffff, AR_DATA);
	guest_seg(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
	guest_seg(SEG_TR, 0, 0, 0x67, AR_TSS64);
	vmwrite(GUEST_GDTR_BASE, a->gdtr_base);
	vmwrite(GUEST_GDTR_LIMIT, a->gdtr_limit);
	vmwrite(GUEST_IDTR_BASE, a->idtr_base);
	vmwrite(GUEST_IDTR_LIMIT, a->idtr_limit);
}

/* The state after a start-up IPI (SDM Vol. 3A, 9.1.1 table 9-1): real mode, CS = VV00. */
static void guest_segments_real(const struct vcpu_arch *a)
{
	guest_seg(SEG_CS, a->start_cs, (uint64_t)a->start_cs << 4, 0xffff, AR_REAL_CODE);
	for (enum vmx_seg s = SEG_ES; s <= SEG_GS; s++)
		if (s != SEG_CS)
			guest_seg(s, 0, 0, 0xffff, AR_REAL_DATA);
	guest_seg(SEG_LDTR, 0, 0, 0xffff, 0x0082);
	guest_seg(SEG_TR, 0, 0, 0xffff, AR_TSS64);
	vmwrite(GUEST_GDTR_BASE, 0);
	vmwrite(GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, 0xffff);
	if (!vmx_caps.unrestricted)
		hal_panic("a start-up IPI needs real mode in the guest: this CPU has no unrestricted guest");
}

void vmx_exit(void); /* vmx_entry.S */

/* The fields that stay: controls, host state, EPT, VPID (24.5-24.8). */
static void vmcs_set_up(struct vcpu *vcpu, struct bare_vcpu *b)
{
	struct pcpu *c = this_cpu();
	uint64_t cr0, cr3, cr4;

	vmwrite(PIN_CONTROLS, vmx_caps.pin);
	vmwrite(PROC_CONTROLS, vmx_caps.proc);
	vmwrite(PROC_CONTROLS2, vmx_caps.proc2);
	vmwrite(EXIT_CONTROLS, vmx_caps.exit);
	vmwrite(ENTRY_CONTROLS, vmx_caps.entry);
	vmwrite(EXCEPTION_BITMAP, EXCEPTIONS_THAT_EXIT);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(EXIT_MSR_STORE_COUNT, 0);
	vmwrite(EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ULL);
	if (vmx_caps.proc2 & PROC2_VPID)
		vmwrite(VMCS_VPID, b->vpid);
	vmwrite(EPT_POINTER, stage2_root_register(&vcpu->vm->as.s2, 0));
	/* The guest owns CR0 and CR4 but for the bits VMX forces (23.8) and the cache controls. */
	vmwrite(CR0_GUEST_HOST_MASK, CR0_SHADOWED);
	vmwrite(CR4_GUEST_HOST_MASK, CR4_VMXE);

	/* Host state (24.5): where a VM exit brings cvisor back. */
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	vmwrite(HOST_CR0, cr0);
	vmwrite(HOST_CR3, cr3);
	vmwrite(HOST_CR4, cr4);
	vmwrite(HOST_CS_SEL, HOST_CS);
	vmwrite(HOST_SS_SEL, HOST_DS);
	vmwrite(HOST_DS_SEL, HOST_DS);
	vmwrite(HOST_ES_SEL, HOST_DS);
	vmwrite(HOST_FS_SEL, 0);
	vmwrite(HOST_GS_SEL, 0);
	vmwrite(HOST_TR_SEL, HOST_TR);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, (uint64_t)(uintptr_t)c);
	vmwrite(HOST_TR_BASE, host_tr_base(c));
	vmwrite(HOST_GDTR_BASE, host_gdt_base());
	vmwrite(HOST_IDTR_BASE, host_idt_base());
	vmwrite(HOST_SYSENTER_CS, 0);
	vmwrite(HOST_SYSENTER_ESP, 0);
	vmwrite(HOST_SYSENTER_EIP, 0);
	vmwrite(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_RIP, (uint64_t)(uintptr_t)vmx_exit);

	/* Guest state that no exit changes behind cvisor's back. */
	vmwrite(GUEST_DR7, 0x400);
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(GUEST_ACTIVITY, 0);
	vmwrite(GUEST_INTERRUPTIBILITY, 0);
	vmwrite(GUEST_PENDING_DBG, 0);
	guest_segments_boot(&vcpu->arch);
	b->set_up = true;
}

/* Makes b's VMCS current on this CPU, and its FP/SSE state the CPU's. */
static void switch_to(struct vcpu *vcpu, struct bare_vcpu *b)
{
	struct pcpu *c = this_cpu();
	struct bare_vcpu *loaded = c->loaded;

	if (loaded == b)
		return;
	if (loaded)
		__asm__ volatile("fxsave64 %0" : "=m"(loaded->fx));
	__asm__ volatile("fxrstor64 %0" ::"m"(b->fx));
	if (!vmptrld(hal_hva_to_hpa(b->vmcs)))
		hal_panic("VMPTRLD of vCPU %u's VMCS failed", vcpu->id);
	c->loaded = b;
	if (!b->set_up)
		vmcs_set_up(vcpu, b);
}

/* The register file the core keeps into the VMCS and vmx_gprs before an entry. */
static void state_load(struct vcpu_arch *a, struct bare_vcpu *b)
{
	const uint64_t *r = a->gpr;
	b->g = (struct vmx_gprs){ r[X86_RAX], r[X86_RCX], r[X86_RDX], r[X86_RBX], r[X86_RBP],
				  r[X86_RSI], r[X86_RDI], r[X86_R8],  r[X86_R9],  r[X86_R10],
				  r[X86_R11], r[X86_R12], r[X86_R13], r[X86_R14], r[X86_R15] };
	vmwrite(GUEST_RSP, r[X86_RSP]);
	vmwrite(GUEST_RIP, a->rip);
	vmwrite(GUEST_RFLAGS, a->rflags);
	vmwrite(GUEST_CR0, ((a->cr0 & ~(CR0_NW | CR0_CD)) | CR0_NE |
			    (vmx_caps.cr0_fixed0 & ~(1ULL << 0 | 1ULL << 31))) &
				   vmx_caps.cr0_fixed1);
	vmwrite(CR0_READ_SHADOW, a->cr0);
	vmwrite(GUEST_CR3, a->cr3);
	vmwrite(GUEST_CR4, (a->cr4 | vmx_caps.cr4_fixed0 | CR4_VMXE) & vmx_caps.cr4_fixed1);
	vmwrite(CR4_READ_SHADOW, a->cr4);
	vmwrite(GUEST_IA32_EFER, a->efer);
	uint64_t entry = vmread(ENTRY_CONTROLS) & ~(uint64_t)ENTRY_IA32E;
	vmwrite(ENTRY_CONTROLS, entry | ((a->efer & X86_EFER_LMA) ? ENTRY_IA32E : 0));
	__asm__ volatile("mov %0, %%cr2" ::"r"(a->cr2));
}

/* ... and back after an exit. */
static void state_save(struct vcpu_arch *a, const struct bare_vcpu *b)
{
	uint64_t *r = a->gpr;
	r[X86_RAX] = b->g.rax;
	r[X86_RCX] = b->g.rcx;
	r[X86_RDX] = b->g.rdx;
	r[X86_RBX] = b->g.rbx;
	r[X86_RBP] = b->g.rbp;
	r[X86_RSI] = b->g.rsi;
	r[X86_RDI] = b->g.rdi;
	r[X86_R8] = b->g.r8;
	r[X86_R9] = b->g.r9;
	r[X86_R10] = b->g.r10;
	r[X86_R11] = b->g.r11;
	r[X86_R12] = b->g.r12;
	r[X86_R13] = b->g.r13;
	r[X86_R14] = b->g.r14;
	r[X86_R15] = b->g.r15;
	r[X86_RSP] = vmread(GUEST_RSP);
	a->rip = vmread(GUEST_RIP);
	a->rflags = vmread(GUEST_RFLAGS);
	a->cr0 = (vmread(GUEST_CR0) & ~CR0_SHADOWED) | (vmread(CR0_READ_SHADOW) & CR0_SHADOWED);
	a->cr3 = vmread(GUEST_CR3);
	a->cr4 = (vmread(GUEST_CR4) & ~CR4_VMXE) | (vmread(CR4_READ_SHADOW) & CR4_VMXE);
	a->efer = vmread(GUEST_IA32_EFER);
	a->gdtr_base = vmread(GUEST_GDTR_BASE);
	a->gdtr_limit = vmread(GUEST_GDTR_LIMIT);
	a->idtr_base = vmread(GUEST_IDTR_BASE);
	a->idtr_limit = vmread(GUEST_IDTR_LIMIT);
	__asm__ volatile("mov %%cr2, %0" : "=r"(a->cr2));
}

/*
 * The event for this entry (26.6): an event a VM exit interrupted, else
 * the exception the core asked for, else the APIC's highest interrupt if
 * the guest can take it now; otherwise an interrupt window is asked for.
 */
static void events_load(struct vcpu *vcpu, struct bare_vcpu *b)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint32_t proc = vmx_caps.proc;

	vmwrite(ENTRY_INTR_INFO, 0);
	if (b->reinject_info & INTR_INFO_VALID) {
		vmwrite(ENTRY_INTR_INFO, b->reinject_info & ~(1u << 12));
		vmwrite(ENTRY_EXCEPTION_ERROR, b->reinject_error);
		vmwrite(ENTRY_INSN_LEN, b->reinject_len);
		b->reinject_info = 0;
	} else if (a->inject.valid) {
		a->inject.valid = false;
		vmwrite(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION << 8 | a->inject.vector |
					    (a->inject.has_error ? INTR_INFO_ERROR : 0));
		vmwrite(ENTRY_EXCEPTION_ERROR, a->inject.error);
	} else if (x86_irq_pending(vcpu) >= 0) {
		bool open = (a->rflags & RFLAGS_IF) && (vmread(GUEST_INTERRUPTIBILITY) & 3) == 0;
		int vector = open ? x86_irq_ack(vcpu) : -1;
		if (vector >= 0)
			vmwrite(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXTERNAL << 8 | (uint32_t)vector);
		else
			proc |= PROC_INTR_WINDOW;
	}
	vmwrite(PROC_CONTROLS, proc);
}

/*
 * The VMX-preemption timer (25.5.1) for when cvisor's timer is due:
 * TSC ticks from now, shifted as IA32_VMX_MISC says, at most 32 bits.
 */
static void preempt_timer_load(void)
{
	const struct pcpu *c = this_cpu();
	uint64_t v = 0xffffffffULL;

	if (!vmx_caps.preempt_timer)
		return;
	if (c->timer_on) {
		uint64_t at = ns_to_tsc(c->timer_at), now = rdtsc();
		v = at > now ? MIN((at - now) >> vmx_caps.preempt_shift, 0xffffffffULL) : 0;
	}
	vmwrite(PREEMPTION_TIMER, v);
}

/* ---- After an exit ---------------------------------------------------------- */

/*
 * An EPT violation at a GPA the simulator takes as an access (a device,
 * or, under unmapped_access = "raz_wi", neither RAM nor a device): the
 * access decoded from the instruction at CS:RIP (arch/insn.h) into
 * EXIT_MMIO, or in the local APIC's page into the register access the
 * APIC model takes (an EXIT_SYSREG, as the simulator makes it). A RAM
 * permission fault, a fetch, the guest's own walk, or an instruction
 * cvisor does not decode stay the stage-2 fault, which the core reports
 * (or turns into the guest's #GP) as in the simulator.
 */
static void mmio_access(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	const struct as_region *r = addrspace_find(&vcpu->vm->as, exit->s2fault.gpa);
	bool apic = (exit->s2fault.gpa & ~0xfffULL) == (a->apic_base & ~0xfffULL);

	if (exit->s2fault.access == ACCESS_FETCH)
		exit->s2fault.size = 1; /* the byte at RIP, as the simulator reports a fetch */
	if (exit->s2fault.s1ptw || exit->s2fault.access == ACCESS_FETCH)
		return;
	bool emulate = apic || (r && r->kind == REGION_MMIO) ||
		       (!r && vcpu->vm->cfg.unmapped_access == UNMAPPED_RAZ_WI);
	uint32_t ss_ar = (uint32_t)vmread(GUEST_ES_AR + 2 * SEG_SS);
	struct x86_s1_regs regs = { .cr0 = a->cr0, .cr3 = a->cr3, .cr4 = a->cr4, .efer = a->efer,
				    .rflags = a->rflags, .cpl = (ss_ar >> 5) & 3 };
	uint8_t insn[X86_INSN_MAX];
	unsigned n = x86_fetch_insn(&vcpu->vm->as, &regs, vmread(GUEST_ES_BASE + 2 * SEG_CS) + a->rip,
				    insn);
	enum x86_mode mode = x86_code_mode(a->efer, (uint32_t)vmread(GUEST_ES_AR + 2 * SEG_CS));
	if (!emulate) {
		/* A fault the core reports: the access's size, as the simulator's report has it. */
		struct x86_access acc;
		if (x86_decode_access(insn, n, mode, &acc) && acc.write == (exit->s2fault.access == ACCESS_WRITE))
			exit->s2fault.size = acc.size;
		return;
	}
	if (apic)
		vmx_decode_apic(insn, n, mode, a->gpr, exit);
	else
		vmx_decode_mmio(insn, n, mode, a->gpr, exit);
}

/*
 * A guest exception that exited (the exception bitmap): given back to
 * the guest at the next entry, and counted; one raised again and again at
 * the address its handler starts is an exception storm, and the VM stops,
 * as in the simulator.
 */
static void guest_exception(struct vcpu *vcpu, struct bare_vcpu *b, uint32_t info)
{
	struct vcpu_arch *a = &vcpu->arch;
	unsigned vector = info & 0xff;
	uint64_t gate[2] = { 0, 0 };
	struct x86_s1_regs r = { .cr0 = a->cr0, .cr3 = a->cr3, .cr4 = a->cr4, .efer = a->efer };
	struct s1_result res;

	vcpu->guest_exceptions++;
	b->reinject_info = info & (0xffu | 7u << 8 | INTR_INFO_ERROR | INTR_INFO_VALID);
	b->reinject_error = (uint32_t)vmread(EXIT_INTR_ERROR);
	b->reinject_len = (uint32_t)vmread(EXIT_INSN_LEN);
	b->storm_count = a->rip == b->storm_handler ? b->storm_count + 1 : 0;
	/* Where this one will be delivered: its IDT gate (SDM Vol. 3A, 6.14.1). */
	b->storm_handler = ~0ULL;
	if ((vector * 16 + 15) <= a->idtr_limit &&
	    x86_s1_translate(&vcpu->vm->as, &r, a->idtr_base + vector * 16, ACCESS_READ, &res, NULL,
			     NULL) == 0 &&
	    addrspace_read(&vcpu->vm->as, res.gpa, gate, sizeof(gate)) == 0)
		b->storm_handler = (gate[0] & 0xffff) | ((gate[0] >> 32) & 0xffff0000ULL) |
				   (gate[1] << 32);
	if (b->storm_count >= STORM_EXCEPTIONS)
		vm_stop(vcpu->vm, VM_FAILED,
			"vCPU %u at PC 0x%llx: exception storm: %u exceptions in a row taken inside "
			"the guest's own handler (0x%llx); last vector %u",
			vcpu->id, (unsigned long long)a->rip, STORM_EXCEPTIONS,
			(unsigned long long)a->rip, vector);
}

/* The VM-instruction error of a failed VMLAUNCH/VMRESUME, in words (31.4). */
static void entry_failed(struct vcpu_exit *exit, int rc, bool launch)
{
	unsigned err = rc == 2 ? (unsigned)vmread(VM_INSN_ERROR) : 0;

	memset(exit, 0, sizeof(*exit));
	exit->reason = EXIT_FATAL;
	if (rc == 1)
		cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg),
			    "%s failed: VMfailInvalid (no current VMCS)", launch ? "VMLAUNCH" : "VMRESUME");
	else
		cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg),
			    "%s failed: VM-instruction error %u (%s)", launch ? "VMLAUNCH" : "VMRESUME",
			    err, vmx_insn_error_text(err));
}

int hal_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct bare_vcpu *b = vcpu->hal;
	struct vcpu_arch *a = &vcpu->arch;

	uint64_t rip = a->rip;
	if (exit->reason != EXIT_NONE)
		vcpu_arch_complete_exit(vcpu, exit);
	bool stepped = a->rip != rip; /* cvisor completed the instruction that exited */

	sched_yield_if_due(); /* between two exits: the slice's end, or another vCPU woke */
	switch_to(vcpu, b);
	if (a->real_mode_start) {
		a->real_mode_start = false;
		guest_segments_real(a);
	} else if (!b->launched) {
		guest_segments_boot(a);
	}
	state_load(a, b);
	/*
	 * An instruction cvisor completed ends an STI or MOV SS shadow, as its
	 * execution would have (SDM Vol. 3C, 25.4.2 table 25-3): HLT right
	 * after STI takes the interrupt that woke it before the next
	 * instruction, as on hardware.
	 */
	if (stepped)
		vmwrite(GUEST_INTERRUPTIBILITY, vmread(GUEST_INTERRUPTIBILITY) & ~3ULL);
	events_load(vcpu, b);
	sched_timer_arm(b->base.deadline);
	preempt_timer_load();

	int rc = vmx_enter(&b->g, b->launched);
	if (rc != 0) {
		entry_failed(exit, rc, !b->launched);
		return 0;
	}
	b->launched = true;
	state_save(a, b);

	struct vmx_exit_info info = {
		.reason = (uint32_t)vmread(EXIT_REASON),
		.qualification = vmread(EXIT_QUALIFICATION),
		.guest_phys = vmread(GUEST_PHYS_ADDR),
		.guest_linear = vmread(GUEST_LINEAR_ADDR),
		.insn_len = (uint32_t)vmread(EXIT_INSN_LEN),
		.intr_info = (uint32_t)vmread(EXIT_INTR_INFO),
		.rip = a->rip,
	};
	/* An event whose delivery this exit interrupted is delivered again (27.2.4). */
	uint32_t vectoring = (uint32_t)vmread(IDT_VECTORING_INFO);
	if (vectoring & INTR_INFO_VALID) {
		b->reinject_info = vectoring;
		b->reinject_error = (uint32_t)vmread(IDT_VECTORING_ERROR);
		b->reinject_len = info.insn_len;
	}
	switch (info.reason & 0xffff) {
	case VMX_EXIT_EXTERNAL_INTERRUPT: {
		/* Acknowledged on exit (24.7.1): the vector is in the interruption information. */
		struct pcpu *c = this_cpu();
		unsigned vector = info.intr_info & 0xff;
		if (vector == VECTOR_TIMER)
			c->timer_fired = true;
		else if (vector == VECTOR_KICK)
			c->kicked = true;
		if (vector != VECTOR_SPURIOUS)
			lapic_host_eoi();
	}
		__attribute__((fallthrough)); /* the scheduler looks at what came */
	case VMX_EXIT_PREEMPTION_TIMER:
		/* cvisor's timer is due; its interrupt waits in the local APIC (cpu_irqs_ack() takes it). */
		memset(exit, 0, sizeof(*exit));
		exit->reason = EXIT_NONE;
		exit->pc = a->rip;
		sched_irqs();
		return 0;
	case VMX_EXIT_EXCEPTION_NMI:
		if (((info.intr_info >> 8) & 7) == INTR_TYPE_HW_EXCEPTION ||
		    ((info.intr_info >> 8) & 7) == INTR_TYPE_SW_EXCEPTION) {
			guest_exception(vcpu, b, info.intr_info);
			memset(exit, 0, sizeof(*exit));
			exit->reason = EXIT_NONE;
			exit->pc = a->rip;
			return 0;
		}
		break;
	default:
		break;
	}
	vmx_decode_exit(&info, exit);
	vmx_exit_fill_operands(exit, a->gpr);
	if (exit->reason == EXIT_STAGE2_FAULT)
		mmio_access(vcpu, exit);
	return 0;
}
