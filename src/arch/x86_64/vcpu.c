/* SPDX-License-Identifier: MIT */
/*
 * x86_64 vCPU state: cvisor's 64-bit boot protocol, completion of handled
 * exits, VMCALL, CPUID and MSR emulation, reports.
 *
 * Boot protocol (the shape of the Linux x86 64-bit entry, Documentation/
 * arch/x86/boot.rst "64-bit boot protocol"): the guest starts in 64-bit
 * long mode at entry_point with paging on, CR3 pointing at an identity map
 * of the first 4 GiB that cvisor writes into the 64 KiB below the device
 * tree (2 MiB pages), a GDT there too with CS = 0x10 (64-bit code) and
 * DS = ES = SS = 0x18 (flat data), interrupts off, RSI = the device tree's
 * GPA. It must load its own IDT before taking exceptions.
 */
#include <arch/trap.h>

#include <cvisor/arch.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define MSR_EFER 0xc0000080u

/* Page-table entry bits (SDM Vol. 3A, 4.5 "4-Level Paging"). */
#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_PS (1ULL << 7)
#define BOOT_TABLES_SIZE 0x10000ULL
/* The boot GDT follows the six page-table pages. */
#define BOOT_GDT_OFFSET 0x6000ULL

/*
 * Segment descriptors of the 64-bit boot protocol: __BOOT_CS = 0x10, a
 * 64-bit code segment (L = 1), __BOOT_DS = 0x18, flat data (SDM Vol. 3A,
 * 3.4.5 "Segment Descriptors"; Linux boot.rst).
 */
static const uint64_t boot_gdt[4] = {
	0, 0, 0x00af9a000000ffffULL, 0x00cf92000000ffffULL,
};

/*
 * Writes the boot page tables at base: PML4[0] -> PDPT, PDPT[0..3] -> four
 * page directories of 512 2 MiB pages each: GVA = GPA for 0..4 GiB.
 */
static gpa_t write_boot_tables(struct vm *vm, gpa_t base)
{
	uint64_t page[512];

	memset(page, 0, sizeof(page));
	page[0] = (base + 0x1000) | PTE_P | PTE_RW;
	if (addrspace_write(&vm->as, base, page, sizeof(page)) < 0)
		return GPA_INVALID;
	memset(page, 0, sizeof(page));
	for (unsigned i = 0; i < 4; i++)
		page[i] = (base + 0x2000 + 0x1000 * i) | PTE_P | PTE_RW;
	if (addrspace_write(&vm->as, base + 0x1000, page, sizeof(page)) < 0)
		return GPA_INVALID;
	for (unsigned d = 0; d < 4; d++) {
		for (unsigned i = 0; i < 512; i++)
			page[i] = ((uint64_t)d << 30 | (uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;
		if (addrspace_write(&vm->as, base + 0x2000 + 0x1000 * d, page, sizeof(page)) < 0)
			return GPA_INVALID;
	}
	return base;
}

void vcpu_arch_reset(struct vcpu *vcpu, gpa_t entry, gpa_t dtb)
{
	struct vcpu_arch *a = &vcpu->arch;
	gpa_t tables = dtb != GPA_INVALID && dtb >= BOOT_TABLES_SIZE ? dtb - BOOT_TABLES_SIZE : 0;

	memset(a, 0, sizeof(*a));
	a->rip = entry;
	a->rflags = 0x2; /* bit 1 is reserved, always 1; IF = 0 */
	a->gpr[X86_RSI] = dtb == GPA_INVALID ? 0 : dtb;
	a->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	a->cr4 = CR4_PAE;
	a->efer = EFER_LME | EFER_LMA;
	a->cr3 = write_boot_tables(vcpu->vm, tables);
	if (a->cr3 == GPA_INVALID ||
	    addrspace_write(&vcpu->vm->as, tables + BOOT_GDT_OFFSET, boot_gdt, sizeof(boot_gdt)) < 0)
		log_warn("%s: no RAM for the boot page tables at 0x%llx", vcpu->vm->name,
			 (unsigned long long)tables);
	a->gdtr_base = tables + BOOT_GDT_OFFSET;
	a->gdtr_limit = sizeof(boot_gdt) - 1;
	a->apic_id = vcpu->id;
}

void vcpu_arch_complete_exit(struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;

	switch (exit->reason) {
	case EXIT_PIO:
		if (!exit->pio.write) {
			/* IN writes AL/AX, or EAX zero-extended into RAX (SDM Vol. 1, 3.4.1.1). */
			uint64_t *rax = &a->gpr[X86_RAX];
			if (exit->pio.size == 4)
				*rax = exit->pio.data;
			else if (exit->pio.size == 2)
				*rax = (*rax & ~0xffffULL) | (exit->pio.data & 0xffff);
			else
				*rax = (*rax & ~0xffULL) | (exit->pio.data & 0xff);
		}
		a->rip += exit->insn_len;
		break;
	case EXIT_HYPERCALL:
		a->gpr[X86_RAX] = exit->hypercall.ret[0];
		a->rip += exit->insn_len;
		break;
	case EXIT_SYSREG:
	case EXIT_HALT:
		a->rip += exit->insn_len;
		break;
	default:
		break;
	}
}

/*
 * cvisor's VMCALL ABI (docs/hypercalls.md): RAX = the call number, RBX,
 * RCX, RDX = arguments, the result in RAX; other registers are preserved.
 */
void vcpu_arch_hypercall(struct vcpu *vcpu, struct vcpu_exit *e)
{
	const uint64_t *a = e->hypercall.args; /* RAX, RBX, RCX, RDX, RSI, RDI */
	hypercall_handle(vcpu, a[0], &a[1], &e->hypercall.ret[0]);
}

/* CPUID (SDM Vol. 2A, "CPUID"): what a guest of cvisor is told. */
static void cpuid(struct vcpu *vcpu, uint32_t leaf)
{
	uint64_t *g = vcpu->arch.gpr;
	uint32_t r[4] = { 0, 0, 0, 0 }; /* EAX, EBX, ECX, EDX */

	switch (leaf) {
	case 0: /* max basic leaf; the vendor string in EBX, EDX, ECX: "cvisorcvisor" */
		r[0] = 1;
		memcpy(&r[1], "cvis", 4);
		memcpy(&r[3], "orcv", 4);
		memcpy(&r[2], "isor", 4);
		break;
	case 1:
		r[0] = 0x000606a6;                        /* family 6 */
		r[1] = (uint32_t)vcpu->arch.apic_id << 24;
		r[2] = 1u << 31;                          /* running under a hypervisor */
		r[3] = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 15) |
		       (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26); /* FPU TSC MSR PAE CX8 CMOV MMX FXSR SSE SSE2 */
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

void vcpu_arch_sysreg(struct vcpu *vcpu, struct vcpu_exit *e)
{
	struct vcpu_arch *a = &vcpu->arch;

	if (e->sysreg.id == X86_SYSREG_CPUID) {
		cpuid(vcpu, (uint32_t)e->sysreg.value);
		return;
	}
	if (e->sysreg.id == MSR_EFER) {
		if (e->sysreg.write)
			a->efer = e->sysreg.value;
		else {
			a->gpr[X86_RAX] = (uint32_t)a->efer;
			a->gpr[X86_RDX] = a->efer >> 32;
		}
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

const char *vcpu_arch_halt_insn(void)
{
	return "HLT";
}

uint64_t vcpu_arch_pc(const struct vcpu *vcpu)
{
	return vcpu->arch.rip;
}

int vcpu_arch_format_regs(const struct vcpu *vcpu, char *buf, size_t size)
{
	const struct vcpu_arch *a = &vcpu->arch;
	return cv_snprintf(buf, size,
			   "rip=0x%llx rflags=0x%llx rsp=0x%llx rax=0x%llx rbx=0x%llx rcx=0x%llx "
			   "rdx=0x%llx cr3=0x%llx",
			   (unsigned long long)a->rip, (unsigned long long)a->rflags,
			   (unsigned long long)a->gpr[X86_RSP], (unsigned long long)a->gpr[X86_RAX],
			   (unsigned long long)a->gpr[X86_RBX], (unsigned long long)a->gpr[X86_RCX],
			   (unsigned long long)a->gpr[X86_RDX], (unsigned long long)a->cr3);
}
