/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 registers and instructions cvisor emulates on an EXIT_SYSREG:
 * CPUID (SDM Vol. 2A, "CPUID"), RDMSR/WRMSR of IA32_EFER and
 * IA32_APIC_BASE (SDM Vol. 4), the local APIC's page (irq.c), and MOV to
 * or from CR0, CR2, CR3, CR4 and CLTS (SDM Vol. 3C, 28.1.3 and
 * table 28-3). An RDMSR or WRMSR of any other MSR, or a write of a
 * reserved EFER bit, is a #GP(0) for the guest, as the SDM says for a
 * reserved or unimplemented MSR (Vol. 2B, "RDMSR", "WRMSR") and as KVM
 * does for MSRs it does not know; any other register stops the VM.
 */
#include <arch/irq.h>
#include <arch/lapic.h>
#include <arch/stage1.h>
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

/* CPUID (SDM Vol. 2A, "CPUID"): what a guest of cvisor is told. */
static void cpuid(struct vcpu *vcpu, uint32_t leaf)
{
	uint64_t *g = vcpu->arch.gpr;
	uint32_t r[4] = { 0, 0, 0, 0 }; /* EAX, EBX, ECX, EDX */

	switch (leaf) {
	case 0: /* max basic leaf; the vendor string in EBX, EDX, ECX: "cvisorcvisor" */
		r[0] = 0x15;
		memcpy(&r[1], "cvis", 4);
		memcpy(&r[3], "orcv", 4);
		memcpy(&r[2], "isor", 4);
		break;
	case 1:
		r[0] = 0x000606a6;                        /* family 6 */
		r[1] = (uint32_t)vcpu->arch.apic_id << 24;
		r[2] = 1u << 31;                          /* running under a hypervisor */
		/* FPU TSC MSR PAE CX8 APIC CMOV MMX FXSR SSE SSE2; no x2APIC (ECX[21]), no TSC deadline (ECX[24]) */
		r[3] = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 9) |
		       (1u << 15) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);
		break;
	case 0x15: /* TSC = crystal * EBX / EAX (1 GHz: the VM clock's ns); ECX: the crystal, the APIC timer's clock */
		r[0] = 1;
		r[1] = (uint32_t)(X86_TSC_HZ / LAPIC_BUS_HZ);
		r[2] = (uint32_t)LAPIC_BUS_HZ;
		break;
	case 0x40000000: /* hypervisor leaves: max leaf and signature */
		r[0] = 0x40000000;
		memcpy(&r[1], "cvis", 4);
		memcpy(&r[2], "orcv", 4);
		memcpy(&r[3], "isor", 4);
		break;
	case 0x80000000:
		r[0] = 0x80000001;
		break;
	case 0x80000001:
		r[3] = (1u << 11) | (1u << 20) | (1u << 29); /* SYSCALL, NX, LM */
		break;
	default:
		break;
	}
	static const enum x86_gpr out[4] = { X86_RAX, X86_RBX, X86_RCX, X86_RDX };
	for (int i = 0; i < 4; i++)
		g[out[i]] = r[i]; /* 32-bit results clear the upper halves */
}

/* #GP(0) at the next entry, RIP left at the instruction (a fault). */
static void inject_gp(struct vcpu *vcpu)
{
	vcpu->arch.inject = (struct x86_inject){ .valid = true, .vector = 13, .has_error = true };
}

/*
 * IA32_EFER (SDM Vol. 4, table 2-2): SCE (0), LME (8), NXE (11) writable;
 * LMA (10) is the processor's and ignores writes; LME may not change while
 * paging is on (Vol. 3A, 10.8.5; a start-up trampoline sets it with paging
 * off); any other bit set is a #GP(0).
 */
static void efer(struct vcpu *vcpu, struct vcpu_exit *e)
{
	struct vcpu_arch *a = &vcpu->arch;
	const uint64_t writable = X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE;
	uint64_t v = e->sysreg.value;

	if (!e->sysreg.write) {
		a->gpr[X86_RAX] = (uint32_t)a->efer;
		a->gpr[X86_RDX] = a->efer >> 32;
		return;
	}
	if ((v & ~(writable | X86_EFER_LMA)) || (((v ^ a->efer) & X86_EFER_LME) && (a->cr0 & X86_CR0_PG))) {
		inject_gp(vcpu);
		return;
	}
	a->efer = (v & writable) | (a->efer & X86_EFER_LMA);
}

/*
 * The time-stamp counter (SDM Vol. 3B, 18.17): RDTSC exits ("RDTSC
 * exiting") and reads the VM clock at X86_TSC_HZ, 1 GHz, one count per
 * nanosecond, so a run under --clock=virtual reads the same values. A
 * write of IA32_TIME_STAMP_COUNTER is a #GP(0) (not modelled).
 */
static void tsc(struct vcpu *vcpu, struct vcpu_exit *e)
{
	uint64_t t = hal_vcpu_clock_ns(vcpu);

	if (e->sysreg.write) {
		inject_gp(vcpu);
		return;
	}
	vcpu->arch.gpr[X86_RAX] = (uint32_t)t;
	vcpu->arch.gpr[X86_RDX] = t >> 32;
}

void vcpu_arch_sysreg(struct vcpu *vcpu, struct vcpu_exit *e)
{
	struct vcpu_arch *a = &vcpu->arch;

	if (e->sysreg.id == X86_SYSREG_TSC || e->sysreg.id == X86_MSR_TSC) {
		tsc(vcpu, e);
		return;
	}
	if (e->sysreg.id == X86_SYSREG_CPUID) {
		cpuid(vcpu, (uint32_t)e->sysreg.value);
		return;
	}
	if (e->sysreg.id == X86_MSR_EFER) {
		efer(vcpu, e);
		return;
	}
	if (e->sysreg.id == X86_MSR_APIC_BASE) {
		x86_apic_base_msr(vcpu, e);
		return;
	}
	if (X86_SYSREG_IS_APIC(e->sysreg.id)) {
		x86_apic_access(vcpu, e);
		return;
	}
	if (e->sysreg.id < X86_SYSREG_CPUID) { /* any other MSR index */
		inject_gp(vcpu);
		return;
	}
	if (e->sysreg.id >= X86_SYSREG_CR(0) && e->sysreg.id <= X86_SYSREG_CR(8)) {
		uint64_t *cr[9] = { &a->cr0, NULL, &a->cr2, &a->cr3, &a->cr4, NULL, NULL, NULL, NULL };
		uint64_t *r = cr[e->sysreg.id - X86_SYSREG_CR(0)];
		if (r) {
			if (!e->sysreg.write)
				a->gpr[e->sysreg.reg & 15] = *r;
			else if (e->sysreg.op == SYSREG_OP_CLEAR)
				*r &= ~e->sysreg.value;
			else
				*r = e->sysreg.value;
			return;
		}
	}
	vm_stop(vcpu->vm, VM_FAILED, "vCPU %u: %s of MSR or register 0x%x that cvisor does not emulate",
		vcpu->id, e->sysreg.write ? "write" : "read", e->sysreg.id);
}

