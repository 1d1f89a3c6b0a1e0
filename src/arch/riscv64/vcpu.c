/* SPDX-License-Identifier: MIT */
/*
 * RISC-V vCPU state: boot protocol, completion of handled exits, reports.
 */
#include <arch/irq.h>
#include <arch/trap.h>
#include <cvisor/arch.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

/*
 * The RISC-V boot protocol (Linux Documentation/riscv/boot.rst, and the
 * SBI's hart start): the guest enters in S-mode (VS-mode under the H
 * extension) with a0 = hart id, a1 = the device tree's physical address,
 * satp = 0 (no translation), interrupts disabled (sstatus.SIE = 0). The
 * SBI timer is not armed (OpenSBI sets the compare value to all ones).
 */
void vcpu_arch_reset(struct vcpu *vcpu, gpa_t entry, gpa_t dtb)
{
	struct vcpu_arch *a = &vcpu->arch;

	memset(a, 0, sizeof(*a));
	a->hartid = vcpu->id;
	a->x[10] = a->hartid;
	a->x[11] = dtb == GPA_INVALID ? 0 : dtb;
	a->pc = entry;
	a->timer_cmp = RV_TIMER_OFF;
}

/* Writes an MMIO load's result to rd, extended as the load would (x0 stays 0). */
static void complete_mmio_read(struct vcpu_arch *a, const struct vcpu_exit *e)
{
	uint64_t v = e->mmio.data;
	unsigned bits = e->mmio.size * 8;

	if (bits < 64) {
		v &= (1ULL << bits) - 1;
		if (e->mmio.sign_extend && (v >> (bits - 1)) & 1)
			v |= ~0ULL << bits;
	}
	if (e->mmio.reg != 0)
		a->x[e->mmio.reg & 31] = v;
}

/*
 * The exception a bus with nothing at the address gives the guest: an
 * access fault of the access's kind (Privileged Architecture 3.7.1
 * "Physical Memory Protection" and 4.3.2: a fetch, load or store, or the
 * walk of the guest's own page table made for one, to an address no
 * memory or device answers), scause 1, 5 or 7, stval = the virtual
 * address (4.1.9).
 */
bool vcpu_arch_inject_abort(struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	enum access_kind access;
	uint64_t va;

	if (exit->reason == EXIT_MMIO) {
		access = exit->mmio.write ? ACCESS_WRITE : ACCESS_READ;
		va = exit->mmio.gva;
	} else if (exit->reason == EXIT_STAGE2_FAULT) {
		access = exit->s2fault.access;
		va = exit->s2fault.gva;
	} else {
		return false;
	}
	a->inject.cause = access == ACCESS_FETCH  ? RV_CAUSE_FETCH_ACCESS
			  : access == ACCESS_READ ? RV_CAUSE_LOAD_ACCESS
						  : RV_CAUSE_STORE_ACCESS;
	a->inject.tval = va;
	a->inject.pending = true;
	return true;
}

/*
 * sepc points at the trapping instruction for every cause handled here;
 * the hypervisor steps over it by its length (2 for a compressed one).
 */
void vcpu_arch_complete_exit(struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	unsigned len = exit->insn_len ? exit->insn_len : 4;

	if (a->inject.pending)
		return; /* the instruction takes an access fault instead (the HAL enters it) */
	switch (exit->reason) {
	case EXIT_MMIO:
		if (!exit->mmio.write)
			complete_mmio_read(a, exit);
		a->pc += len;
		break;
	case EXIT_SYSREG:
		if (exit->sysreg.reg != 0)
			a->x[exit->sysreg.reg & 31] = exit->sysreg.value;
		a->pc += len;
		break;
	case EXIT_HALT:
		a->pc += len;
		break;
	case EXIT_HYPERCALL:
		a->x[10] = exit->hypercall.ret[0]; /* a0: error */
		a->x[11] = exit->hypercall.ret[1]; /* a1: value */
		a->pc += len;
		break;
	default:
		break;
	}
}

uint64_t vcpu_arch_pc(const struct vcpu *vcpu)
{
	return vcpu->arch.pc;
}

int vcpu_arch_format_regs(const struct vcpu *vcpu, char *buf, size_t size)
{
	const struct vcpu_arch *a = &vcpu->arch;
	return cv_snprintf(buf, size,
			   "pc=0x%llx ra=0x%llx sp=0x%llx a0=0x%llx a1=0x%llx a2=0x%llx a7=0x%llx "
			   "stvec=0x%llx",
			   (unsigned long long)a->pc, (unsigned long long)a->x[1],
			   (unsigned long long)a->x[2], (unsigned long long)a->x[10],
			   (unsigned long long)a->x[11], (unsigned long long)a->x[12],
			   (unsigned long long)a->x[17], (unsigned long long)a->stvec);
}
