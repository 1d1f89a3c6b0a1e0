/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 guest's own stage 1 in the simulator.
 *
 * Unicorn's address space is the VM's guest-physical space and Unicorn's
 * MMU does the guest's stage 1 (SCTLR_EL1, TCR_EL1, TTBR0/1_EL1) at full
 * speed. Project code walks the guest's tables (a64_s1_translate(),
 * src/arch/aarch64/stage1.c) only where the simulator must know what a
 * virtual address means: to read the instruction at PC, to give the
 * guest's own aborts their ESR_EL1/FAR_EL1, to name the GVA and GPA of a
 * stage-2 fault, and for --trace=walks, where each walk is printed level
 * by level, followed by the stage-2 walk of the GPA found.
 *
 * Calls only switch.c.
 */
#include <cvisor/addrspace.h>
#include <cvisor/walk.h>

#include "cpu.h"

/* A system register by its encoding (op0, op1, CRn, CRm, op2). */
static uint64_t cp_read(uc_engine *uc, int op0, int op1, int crn, int crm, int op2)
{
	uc_arm64_cp_reg r = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2 };
	return uc_reg_read(uc, UC_ARM64_REG_CP_REG, &r) == UC_ERR_OK ? r.val : 0;
}

void sim_a64_s1_regs(struct sim_a64 *s, struct a64_s1_regs *r)
{
	r->sctlr = cp_read(s->c.uc, 3, 0, 1, 0, 0); /* SCTLR_EL1 */
	r->tcr = cp_read(s->c.uc, 3, 0, 2, 0, 2);   /* TCR_EL1 */
	r->ttbr0 = cp_read(s->c.uc, 3, 0, 2, 0, 0); /* TTBR0_EL1 */
	r->ttbr1 = cp_read(s->c.uc, 3, 0, 2, 0, 1); /* TTBR1_EL1 */
	uint64_t pstate;
	uc_reg_read(s->c.uc, UC_ARM64_REG_PSTATE, &pstate);
	r->el0 = (pstate & 0xc) == 0; /* PSTATE.EL, bits [3:2] */
}

bool sim_a64_mmu_on(struct sim_a64 *s)
{
	return cp_read(s->c.uc, 3, 0, 1, 0, 0) & 1;
}

int sim_a64_s1_walk(struct sim_a64 *s, uint64_t va, enum access_kind access, struct s1_result *res,
		    const char *why)
{
	struct a64_s1_regs r;
	struct walk_trace t;

	sim_a64_s1_regs(s, &r);
	walk_cb cb = walk_trace_begin(&t, s->c.vcpu, 1, va, access, why);
	int rc = a64_s1_translate(&s->c.vcpu->vm->as, &r, va, access, res, cb, &t);
	sim_trace_s1_end(&s->c, &t, cb, rc, res, access, why);
	return rc;
}

uint32_t sim_a64_fetch(struct sim_a64 *s, uint64_t pc)
{
	uint32_t insn = 0;
	struct s1_result res;

	/* Unicorn reads guest-physical memory; with the MMU on, pc is virtual. */
	if (sim_a64_mmu_on(s)) {
		if (sim_a64_s1_walk(s, pc, ACCESS_FETCH, &res, "instruction fetch") < 0)
			return 0;
		pc = res.gpa;
	}
	/* RAM only: a read of a device or catch-all window would re-enter its callback. */
	if (addrspace_read(&s->c.vcpu->vm->as, pc, &insn, sizeof(insn)) < 0)
		return 0;
	return insn;
}
