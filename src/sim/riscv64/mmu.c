/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V guest's own MMU in the simulator.
 *
 * Unicorn's address space is the VM's guest-physical space and Unicorn's
 * MMU does the guest's stage 1 (satp) at full speed. Project code walks the
 * guest's tables (rv_s1_translate(), src/arch/riscv64/stage1.c) only where the
 * simulator must know what a virtual address means:
 *   - to read the instruction behind an access or a trap (PC is virtual);
 *   - to give the guest's own page faults the stval the hardware would
 *     (Unicorn raises them as exceptions 12/13/15 and hides the address);
 *   - to name both addresses of a stage-2 fault (stval = GVA, htval = GPA);
 *   - for --trace=walks, where each of these walks is printed level by
 *     level, followed by the stage-2 walk of the GPA found.
 * Walks are made for the mode the hart runs in (U or S), which Unicorn
 * 2.0.1's API does not show: qstate.c reads it, with satp and sstatus,
 * from QEMU's saved state, once per exit. The API would not do from
 * U-mode: it refuses every S-mode CSR there (riscv_csrrw()).
 *
 * Calls only qstate.c.
 */
#include <arch/insn.h>

#include <cvisor/addrspace.h>
#include <cvisor/walk.h>

#include "cpu.h"

/*
 * The CPU's translation registers and mode, read once per exit (until
 * sim_rv_forget_code()). Without qstate.c's view, through the API, the
 * hart taken to be in S-mode.
 */
static const struct rv_s1_regs *view(struct sim_rv *s)
{
	struct rv_s1_regs *r = &s->view;

	if (s->view_valid)
		return r;
	s->view_valid = true;
	if (sim_rv_qstate_read(s, r))
		return r;
	r->satp = 0;
	r->sstatus = 0;
	uc_reg_read(s->c.uc, UC_RISCV_REG_SATP, &r->satp);
	uc_reg_read(s->c.uc, UC_RISCV_REG_SSTATUS, &r->sstatus);
	r->priv = RV_PRIV_S;
	return r;
}

void sim_rv_s1_regs(struct sim_rv *s, struct rv_s1_regs *r)
{
	*r = *view(s);
}

enum rv_priv sim_rv_priv(struct sim_rv *s)
{
	return view(s)->priv;
}

bool sim_rv_mmu_on(struct sim_rv *s)
{
	return view(s)->satp >> 60 != RV_SATP_MODE_BARE;
}

int sim_rv_s1_walk(struct sim_rv *s, uint64_t va, enum access_kind access, struct s1_result *res,
		   const char *why)
{
	struct rv_s1_regs r;
	struct walk_trace t;

	sim_rv_s1_regs(s, &r);
	walk_cb cb = walk_trace_begin(&t, s->c.vcpu, 1, va, access, why);
	int rc = rv_s1_translate(&s->c.vcpu->vm->as, &r, va, access, res, cb, &t);
	sim_trace_s1_end(&s->c, &t, cb, rc, res, access, why);
	return rc;
}

int sim_rv_s1_probe(struct sim_rv *s, uint64_t va, enum access_kind access, struct s1_result *res)
{
	struct rv_s1_regs r;
	sim_rv_s1_regs(s, &r);
	return rv_s1_translate(&s->c.vcpu->vm->as, &r, va, access, res, NULL, NULL);
}

void sim_rv_forget_code(struct sim_rv *s)
{
	s->view_valid = false;
	s->code_valid = false;
}

/*
 * The GPA of the instruction bytes at virtual address va. One walk per
 * code page and exit (traced as an "instruction fetch"), remembered until
 * sim_rv_forget_code(). Returns false if stage 1 does not let them be
 * fetched.
 */
static bool code_gpa(struct sim_rv *s, uint64_t va, gpa_t *gpa)
{
	uint64_t page = va & ~0xfffULL;
	struct s1_result res;

	if (!sim_rv_mmu_on(s)) {
		*gpa = va;
		return true;
	}
	if (!s->code_valid || s->code_page != page) {
		s->code_valid = true;
		s->code_page = page;
		s->code_ok = sim_rv_s1_walk(s, page, ACCESS_FETCH, &res, "instruction fetch") == 0;
		s->code_gpa = res.gpa;
	}
	*gpa = s->code_gpa | (va & 0xfff);
	return s->code_ok;
}

/* 16 bits of code at va, from RAM only (a device or catch-all window would call back into us). */
static bool fetch16(struct sim_rv *s, uint64_t va, uint16_t *half)
{
	gpa_t gpa;
	return code_gpa(s, va, &gpa) && addrspace_read(&s->c.vcpu->vm->as, gpa, half, 2) == 0;
}

uint32_t sim_rv_fetch(struct sim_rv *s, uint64_t pc)
{
	uint16_t lo = 0, hi = 0;
	if (!fetch16(s, pc, &lo))
		return 0;
	if (rv_insn_length(lo) != 4)
		return lo;
	if (!fetch16(s, pc + 2, &hi)) /* may be on the next page */
		return 0;
	return (uint32_t)hi << 16 | lo;
}
