/* SPDX-License-Identifier: MIT */
/*
 * x86_64 vCPU state: cvisor's 64-bit boot protocol, completion of handled
 * exits, reports.
 *
 * Boot protocol (the shape of the Linux x86 64-bit entry, Documentation/
 * arch/x86/boot.rst "64-bit boot protocol"): the guest starts in 64-bit
 * long mode at entry_point with paging on, CR3 pointing at an identity map
 * of the first 4 GiB that cvisor writes into the 64 KiB below the device
 * tree (2 MiB pages), a GDT there too with CS = 0x10 (64-bit code) and
 * DS = ES = SS = 0x18 (flat data), interrupts off, RSI = the device tree's
 * GPA. It must load its own IDT before taking exceptions.
 */
#include <arch/hypercall.h>
#include <arch/insn.h>
#include <arch/lapic.h>
#include <arch/stage1.h>
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

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
	page[0] = (base + 0x1000) | X86_PTE_P | X86_PTE_RW;
	if (addrspace_write(&vm->as, base, page, sizeof(page)) < 0)
		return GPA_INVALID;
	memset(page, 0, sizeof(page));
	for (unsigned i = 0; i < 4; i++)
		page[i] = (base + 0x2000 + 0x1000 * i) | X86_PTE_P | X86_PTE_RW;
	if (addrspace_write(&vm->as, base + 0x1000, page, sizeof(page)) < 0)
		return GPA_INVALID;
	for (unsigned d = 0; d < 4; d++) {
		for (unsigned i = 0; i < 512; i++)
			page[i] = ((uint64_t)d << 30 | (uint64_t)i << 21) | X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
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
	a->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	a->cr4 = X86_CR4_PAE;
	a->efer = X86_EFER_LME | X86_EFER_LMA;
	a->cr3 = write_boot_tables(vcpu->vm, tables);
	if (a->cr3 == GPA_INVALID ||
	    addrspace_write(&vcpu->vm->as, tables + BOOT_GDT_OFFSET, boot_gdt, sizeof(boot_gdt)) < 0)
		log_warn("%s: no RAM for the boot page tables at 0x%llx", vcpu->vm->name,
			 (unsigned long long)tables);
	a->gdtr_base = tables + BOOT_GDT_OFFSET;
	a->gdtr_limit = sizeof(boot_gdt) - 1;
	a->apic_id = vcpu->id;
	/* The local APIC after power-up (SDM Vol. 3A, 11.4.7.1); vCPU 0 is the BSP (8.4.1). */
	a->apic_base = LAPIC_DEFAULT_BASE | X86_APIC_BASE_EN | (vcpu->id == 0 ? X86_APIC_BASE_BSP : 0);
	lapic_reset(&a->apic, vcpu->id);
}

/*
 * Puts the data of an MMIO read into its register as the instruction
 * would (SDM Vol. 1, 3.4.1.1 "General-Purpose Registers in 64-Bit Mode"):
 * with reg_is_64 the whole register takes the value extended from size
 * bytes (MOV r64, and MOV r32 or MOVZX r32, whose 32-bit result is
 * zero-extended); with sign_extend alone, the value is sign-extended into
 * 32 bits and those are zero-extended (MOVSX r32); with neither, an 8- or
 * 16-bit destination, only its size bytes change, bits 15:8 for AH, CH,
 * DH, BH (vmx_decode_mmio() in insn.c fills the exit this way).
 */
static void complete_mmio_read(struct vcpu_arch *a, const struct vcpu_exit *e)
{
	unsigned size = e->mmio.size;
	uint64_t mask = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	uint64_t v = e->mmio.data & mask;
	unsigned reg = e->mmio.reg;

	if (e->mmio.sign_extend && size < 8)
		v = ((v ^ (mask ^ (mask >> 1))) - (mask ^ (mask >> 1)));
	if (reg >= X86_AH && reg <= X86_BH) {
		uint64_t *r = &a->gpr[reg - X86_AH];
		*r = (*r & ~0xff00ULL) | (v & 0xff) << 8;
	} else if (reg < X86_NGPRS) {
		uint64_t *r = &a->gpr[reg];
		if (e->mmio.reg_is_64)
			*r = v;
		else if (e->mmio.sign_extend)
			*r = (uint32_t)v;
		else
			*r = (*r & ~mask) | v;
	}
}

void vcpu_arch_complete_exit(struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;

	switch (exit->reason) {
	case EXIT_MMIO:
		/* A #GP for an access nothing answers is a fault: RIP stays, no register written. */
		if (a->inject.valid)
			break;
		if (!exit->mmio.write)
			complete_mmio_read(a, exit);
		a->rip += exit->insn_len;
		break;
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
		a->gpr[X86_HYPERCALL_RET_REG] = exit->hypercall.ret[0];
		a->rip += exit->insn_len;
		break;
	case EXIT_SYSREG:
		if (a->inject.valid) /* an injected #GP is a fault: RIP stays at the instruction */
			break;
		/*
		 * A read of an APIC register that vmx_decode_apic() decoded (a
		 * 32-bit MOV: zero-extended). The simulator answers its APIC
		 * reads inside the access and never completes them here.
		 */
		if (X86_SYSREG_IS_APIC(exit->sysreg.id) && !exit->sysreg.write && exit->insn_len &&
		    exit->sysreg.reg < X86_NGPRS)
			a->gpr[exit->sysreg.reg] = (uint32_t)exit->sysreg.value;
		a->rip += exit->insn_len;
		break;
	case EXIT_HALT:
		a->rip += exit->insn_len;
		break;
	default:
		break;
	}
}

/*
 * x86 has no exception for a bus that does not answer: on a PC a read of
 * nothing gives all ones and a write vanishes. The nearest fault a guest
 * can handle is #GP(0), as for a non-canonical address (SDM Vol. 3A, 6.15
 * "Interrupt 13"); #MC would need CR4.MCE and machine-check banks cvisor
 * does not model. Only for data (an EXIT_MMIO, which the bare HAL makes
 * of a decoded EPT violation, or the stage-2 fault of a load or store):
 * a fetch or the guest's own page walk outside RAM has no instruction to
 * fault, and Linux KVM gives up on it too (an emulation failure reported
 * to user space), so the VM stops.
 */
bool vcpu_arch_inject_abort(struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	bool data = exit->reason == EXIT_MMIO ||
		    (exit->reason == EXIT_STAGE2_FAULT && exit->s2fault.access != ACCESS_FETCH &&
		     !exit->s2fault.s1ptw);
	if (!data)
		return false;
	vcpu->arch.inject = (struct x86_inject){ .valid = true, .vector = 13, .has_error = true };
	return true;
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
