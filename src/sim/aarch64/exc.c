/* SPDX-License-Identifier: MIT */
/*
 * Exceptions that belong to the guest, delivered in software.
 *
 * Unicorn 2.0.1 never performs an exception entry itself: it reports the
 * exception to a hook and drops it. On hardware, cvisor's HCR_EL2 leaves
 * SVC, BRK, undefined instructions and the guest's own stage-1 aborts at
 * EL1, where the CPU enters the guest's vector table. This file does that
 * entry the way the CPU would (ARM ARM D1.10 "Exception entry"):
 *   SPSR_EL1 <- PSTATE, ELR_EL1 <- preferred return address,
 *   ESR_EL1 <- syndrome, FAR_EL1 <- fault address (aborts),
 *   PSTATE  <- EL1h with D, A, I, F masked,
 *   PC      <- VBAR_EL1 + offset of the vector (D1.10.2 table D1-7).
 */
#include <arch/trap.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/walk.h>

#include "../../hal_sim/hal_sim.h"
#include "sim_a64.h"

/* PSTATE.M[3:0] values (ARM ARM C5.2.18). */
#define M_EL0T 0x0
#define M_EL1T 0x4
#define M_EL1H 0x5

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
	if (cb) {
		walk_trace_end(&t, rc, res->gpa, res->fault, res->level);
		if (rc == 0 || res->fault == FAULT_PERMISSION)
			walk_trace_stage2(s->c.vcpu, res->gpa, access, why);
	}
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

void sim_a64_read_gprs(uc_engine *uc, uint64_t x[31], uint64_t *sp)
{
	int ids[32];
	void *vals[32];

	for (int i = 0; i < 29; i++) {
		ids[i] = UC_ARM64_REG_X0 + i;
		vals[i] = &x[i];
	}
	ids[29] = UC_ARM64_REG_X29;
	vals[29] = &x[29];
	ids[30] = UC_ARM64_REG_X30;
	vals[30] = &x[30];
	ids[31] = UC_ARM64_REG_SP;
	vals[31] = sp;
	uc_reg_read_batch(uc, ids, vals, 32);
}

void sim_a64_reg_read(uc_engine *uc, int id, uint64_t *val)
{
	if (id == SIM_SPSR_EL1) {
		uc_arm64_cp_reg r = { .crn = 4, .crm = 0, .op0 = 3, .op1 = 0, .op2 = 0 };
		uc_reg_read(uc, UC_ARM64_REG_CP_REG, &r);
		*val = r.val;
	} else {
		uc_reg_read(uc, id, val);
	}
}

void sim_a64_reg_write(uc_engine *uc, int id, const uint64_t *val)
{
	if (id == SIM_SPSR_EL1) {
		uc_arm64_cp_reg r = { .crn = 4, .crm = 0, .op0 = 3, .op1 = 0, .op2 = 0, .val = *val };
		uc_reg_write(uc, UC_ARM64_REG_CP_REG, &r);
	} else {
		uc_reg_write(uc, id, val);
	}
}

/* Offset of the synchronous vector for an exception taken from mode m to EL1. */
static uint64_t vector_offset(uint64_t m)
{
	switch (m & 0xf) {
	case M_EL1T:
		return 0x000; /* current EL with SP_EL0 */
	case M_EL1H:
		return 0x200; /* current EL with SP_ELx */
	default:
		return 0x400; /* lower EL using AArch64 */
	}
}

/*
 * An exception storm: the guest keeps faulting inside its own vector
 * table (its handler itself faults, or VBAR_EL1 points at garbage), so it
 * can never make progress. Stops the VM and returns true.
 */
static bool storm(struct sim_a64 *s, uint64_t vbar, uint64_t elr, uint64_t esr)
{
	if (elr >= vbar && elr < vbar + 0x800)
		s->storm_count++;
	else
		s->storm_count = 0;
	if (s->storm_count < sim_options.storm_limit)
		return false;
	vm_stop(s->c.vcpu->vm, VM_FAILED,
		"exception storm: %u exceptions in a row taken inside the guest's own vector "
		"table (VBAR_EL1 0x%llx); last EC 0x%02x (%s) at PC 0x%llx",
		s->storm_count, (unsigned long long)vbar, (unsigned)ESR_EC(esr),
		a64_ec_name((unsigned)ESR_EC(esr)), (unsigned long long)elr);
	uc_emu_stop(s->c.uc);
	return true;
}

bool sim_a64_deliver_sync(struct sim_a64 *s, uint64_t esr, uint64_t elr, uint64_t far)
{
	uc_engine *uc = s->c.uc;
	uint64_t pstate, vbar, sp, sp_el0, sp_el1;
	uint64_t new_pstate = A64_PSTATE_DAIF | M_EL1H;

	uc_reg_read(uc, UC_ARM64_REG_PSTATE, &pstate);
	uc_reg_read(uc, UC_ARM64_REG_VBAR_EL1, &vbar);
	if (storm(s, vbar, elr, esr))
		return false;
	s->c.vcpu->guest_exceptions++;
	if (vbar == 0)
		/* Usually the real cause of what comes next: say it before it happens. */
		log_warn("%s: vCPU %u takes a %s exception (ESR 0x%llx, FAR 0x%llx) at PC 0x%llx, "
			 "but VBAR_EL1 is 0: the guest has not installed a vector table",
			 s->c.vcpu->vm->name, s->c.vcpu->id, a64_ec_name((unsigned)ESR_EC(esr)),
			 (unsigned long long)esr, (unsigned long long)(far == ~0ULL ? 0 : far),
			 (unsigned long long)elr);

	/*
	 * Entering EL1h switches the stack pointer to SP_EL1. Unicorn keeps
	 * the live SP in one register and the others banked; a PSTATE write
	 * through the API does not swap them, so swap them here.
	 */
	if ((pstate & 0xf) != M_EL1H) {
		uc_reg_read(uc, UC_ARM64_REG_SP, &sp);
		uc_reg_read(uc, UC_ARM64_REG_SP_EL1, &sp_el1);
		sp_el0 = sp;
		uc_reg_write(uc, UC_ARM64_REG_SP_EL0, &sp_el0);
	}
	sim_a64_reg_write(uc, SIM_SPSR_EL1, &pstate);
	uc_reg_write(uc, UC_ARM64_REG_ELR_EL1, &elr);
	uc_reg_write(uc, UC_ARM64_REG_ESR_EL1, &esr);
	if (far != ~0ULL)
		uc_reg_write(uc, UC_ARM64_REG_FAR_EL1, &far);
	uc_reg_write(uc, UC_ARM64_REG_PSTATE, &new_pstate);
	if ((pstate & 0xf) != M_EL1H)
		uc_reg_write(uc, UC_ARM64_REG_SP, &sp_el1);
	uint64_t pc = vbar + vector_offset(pstate);
	uc_reg_write(uc, UC_ARM64_REG_PC, &pc);
	if (s->c.vcpu->vm->trace & TRACE_EXITS) {
		char line[200];
		cv_snprintf(line, sizeof(line),
			    "guest-exception: vm=%u vcpu=%u %s esr=0x%llx elr=0x%llx far=0x%llx -> 0x%llx",
			    s->c.vcpu->vm->id, s->c.vcpu->id, a64_ec_name((unsigned)ESR_EC(esr)),
			    (unsigned long long)esr, (unsigned long long)elr,
			    (unsigned long long)(far == ~0ULL ? 0 : far), (unsigned long long)pc);
		hal_log_write(line);
	}
	return true;
}
