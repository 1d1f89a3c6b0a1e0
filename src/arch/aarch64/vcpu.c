/* SPDX-License-Identifier: MIT */
/*
 * AArch64 vCPU state: boot protocol, completion of handled exits, reports.
 */
#include <arch/trap.h>

#include <cvisor/arch.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

/*
 * Boot state of the Linux arm64 boot protocol (Documentation/arm64/
 * booting.rst): x0 = physical address of the device tree, x1..x3 = 0,
 * MMU and D-cache off, all interrupts masked, entered at EL1 (here EL1h:
 * PSTATE.M = 0b0101, DAIF set; ARM ARM C5.2.18 "SPSR_EL2").
 */
void vcpu_arch_reset(struct vcpu *vcpu, gpa_t entry, gpa_t dtb)
{
	struct vcpu_arch *a = &vcpu->arch;

	memset(a, 0, sizeof(*a));
	a->x[0] = dtb == GPA_INVALID ? 0 : dtb;
	a->pc = entry;
	a->pstate = A64_PSTATE_DAIF | A64_PSTATE_EL1H;
	/* SCTLR_EL1 with its RES1 bits (ARM ARM D17.2.118) and M, C, I clear. */
	a->sctlr_el1 = 0x30d00800;
	/* MPIDR_EL1: bit 31 RES1, Aff0 = vCPU index (ARM ARM D17.2.101). */
	a->mpidr_el1 = (1ULL << 31) | vcpu->id;
	/* OSLSR_EL1.OSLM = 0b10: OS lock implemented (ARM ARM D17.3.23); OSLK set at reset
	 * for a cold reset, but Linux unlocks it; start unlocked as QEMU does. */
	a->oslsr_el1 = 0x8;
}

/* Writes an MMIO read result to its register, as the hardware load would. */
static void complete_mmio_read(struct vcpu_arch *a, const struct vcpu_exit *e)
{
	// LAB 2 BEGIN: write an MMIO read's result to its register in complete_mmio_read()
	uint64_t v = e->mmio.data;
	unsigned bits = e->mmio.size * 8;

	if (bits < 64)
		v &= (1ULL << bits) - 1;
	if (e->mmio.sign_extend && bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ULL << bits;
	if (!e->mmio.reg_is_64)
		v &= 0xffffffffULL;
	if (e->mmio.reg < 31)
		a->x[e->mmio.reg] = v;
	// LAB 2 STUB
	// LAB_TODO(2, "write an MMIO read's result to its register in complete_mmio_read() "
	//          "(labs/2-mmio/README.md)");
	// if (e->mmio.reg < 31)
	// 	a->x[e->mmio.reg] = 0;
	// LAB 2 END
}

/* DFSC/IFSC 0b010000: synchronous external abort, not on a table walk (ARM ARM D17.2.40). */
#define FSC_SEA 0x10

/*
 * The abort a bus with nothing at the address gives the guest: a
 * synchronous external abort taken to EL1 (ARM ARM D17.2.40 "ESR_EL1",
 * ISS encodings for Instruction and Data Aborts). The exception class
 * follows the access and the level it came from: an instruction abort
 * (EC 0x20 from EL0, 0x21 from EL1) for a fetch or a table walk made for
 * one, a data abort (0x24 / 0x25) otherwise; IL is set (an A64
 * instruction); WnR for a store; FSC 0x10. The guest's own table walk
 * that read no memory gets the same FSC 0x10, as Linux KVM injects it
 * (inject_abt64()): the exit names the GPA of the descriptor, not the
 * level of the guest's walk that FSC 0x14 + level would need. FAR_EL1 is
 * the virtual address the guest used; FnV says when it is not known.
 */
bool vcpu_arch_inject_abort(struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	bool from_el0 = (a->pstate & 0xf) == 0; /* PSTATE.M = EL0t */
	bool iabt = exit->reason == EXIT_STAGE2_FAULT && ESR_EC(exit->syndrome) == EC_IABT_LOW;
	bool write, far_known;
	uint64_t far;

	if (exit->reason == EXIT_MMIO) {
		write = exit->mmio.write;
		far = exit->mmio.gva;
		far_known = true;
	} else if (exit->reason == EXIT_STAGE2_FAULT) {
		write = !iabt && !exit->s2fault.s1ptw && exit->s2fault.access == ACCESS_WRITE;
		far = exit->s2fault.gva;
		far_known = exit->s2fault.gva_valid;
	} else {
		return false;
	}
	unsigned ec =
	    iabt ? (from_el0 ? EC_IABT_LOW : EC_IABT_CUR) : (from_el0 ? EC_DABT_LOW : EC_DABT_CUR);
	a->inject.esr = (uint64_t)ec << ESR_EC_SHIFT | ESR_IL | FSC_SEA | (write ? ISS_DA_WNR : 0) |
			(far_known ? 0 : ISS_DA_FNV);
	a->inject.far = far_known ? far : 0;
	a->inject.pending = true;
	return true;
}

/*
 * ELR_EL2 points at the trapping instruction for data aborts and MSR/MRS
 * traps, WFI/WFE and the SMC for a trapped SMC, but past the HVC for HVC
 * (ARM ARM D1.10.1 "Preferred exception return address").
 */
void vcpu_arch_complete_exit(struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;

	if (a->inject.pending)
		return; /* the instruction takes an abort instead (the HAL enters it) */
	switch (exit->reason) {
	case EXIT_MMIO:
		if (!exit->mmio.write)
			complete_mmio_read(a, exit);
		a->pc += 4;
		break;
	case EXIT_SYSREG:
		if (!exit->sysreg.write && exit->sysreg.reg < 31)
			a->x[exit->sysreg.reg] = exit->sysreg.value;
		a->pc += 4;
		break;
	case EXIT_HALT:
		a->pc += 4; /* resume after the WFI/WFE once woken */
		break;
	case EXIT_HYPERCALL:
		for (unsigned i = 0; i < 4; i++)
			a->x[i] = exit->hypercall.ret[i];
		if (exit->hypercall.conduit == CONDUIT_SMC)
			a->pc += 4;
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
			   "pc=0x%llx pstate=0x%llx sp_el1=0x%llx x0=0x%llx x1=0x%llx x2=0x%llx "
			   "x3=0x%llx x30=0x%llx",
			   (unsigned long long)a->pc, (unsigned long long)a->pstate,
			   (unsigned long long)a->sp_el1, (unsigned long long)a->x[0],
			   (unsigned long long)a->x[1], (unsigned long long)a->x[2],
			   (unsigned long long)a->x[3], (unsigned long long)a->x[30]);
}
