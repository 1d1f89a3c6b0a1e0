/* SPDX-License-Identifier: MIT */
/*
 * What Unicorn 2.0.1's RISC-V CPU keeps but its API does not show: the
 * privilege level. QEMU's CPURISCVState (target/riscv/cpu.h) is reached
 * through uc_context_save() / uc_context_restore(), a copy of the state up
 * to its `rdtime_fn` field (33 ns a save, measured).
 *
 *   field     offset from pc   why the simulator needs it
 *   load_res  + 8              dropped (-1) when a trap changes the mode, as QEMU's
 *                              riscv_cpu_set_mode() does
 *   misa      + 56             checked at creation against the API's MISA
 *   priv      + 80             U (0), S (1) or M (3): the mode the hart runs in. An
 *                              exception taken in U-mode enters S-mode, which the API
 *                              cannot do; the API's own CSR accesses check it
 *                              (riscv_csrrw(): from U-mode every S-mode CSR is refused,
 *                              and a refused read returns uninitialised memory)
 *   mstatus   + 112            sstatus.SUM and MXR for the simulator's own walks,
 *                              readable whatever the mode
 *   satp      + 160            likewise
 *   stvec     + 192            checked at creation
 *
 * The offsets are found when the CPU is created, still in M-mode: marker
 * values written through the API to PC, stvec and satp are looked for in a
 * saved context, and priv must read M, misa and mstatus what the API reads.
 * If any of that fails the state is "unknown": the callers then take the
 * hart to be in S-mode, as they did before, and say so once.
 *
 * Calls nothing else of src/sim/riscv64/.
 */
#include <string.h>

#include <cvisor/log.h>

#include "cpu.h"

#define LOAD_RES_AFTER_PC 8
#define MISA_AFTER_PC 56
#define PRIV_AFTER_PC 80
#define MSTATUS_AFTER_PC 112
#define SATP_AFTER_PC 160
#define STVEC_AFTER_PC 192
#define PRV_M 3
#define MARKER 0x5a17c0de00000000ULL

static uint64_t ctx_u64(const struct sim_rv *s, size_t off)
{
	uint64_t v;
	sim_ctx_get(&s->q.saved, off, &v, sizeof(v));
	return v;
}

static void ctx_put(struct sim_rv *s, size_t off, uint64_t v)
{
	sim_ctx_put(&s->q.saved, off, &v, sizeof(v));
}

/* Does the saved context hold, at the offsets found from pc, what a hart at reset holds? */
static bool layout_checks(struct sim_rv *s, uint64_t stvec, uint64_t satp)
{
	uint64_t misa = 0, mstatus = 0;

	uc_reg_read(s->c.uc, UC_RISCV_REG_MISA, &misa); /* M-mode: the API may read them */
	uc_reg_read(s->c.uc, UC_RISCV_REG_MSTATUS, &mstatus);
	return s->q.pc + STVEC_AFTER_PC + 8 <= s->q.saved.size &&
	       ctx_u64(s, s->q.pc + PRIV_AFTER_PC) == PRV_M &&
	       ctx_u64(s, s->q.pc + MISA_AFTER_PC) == misa &&
	       ctx_u64(s, s->q.pc + MSTATUS_AFTER_PC) == mstatus &&
	       ctx_u64(s, s->q.pc + SATP_AFTER_PC) == satp &&
	       ctx_u64(s, s->q.pc + STVEC_AFTER_PC) == stvec;
}

int sim_rv_qstate_init(struct sim_rv *s)
{
	uc_engine *uc = s->c.uc;
	uint64_t pc = MARKER | 0x124, stvec = MARKER | 0x400;
	uint64_t satp = (RV_SATP_MODE_SV39 << 60) | 0x5a17c, zero = 0;

	if (sim_ctx_alloc(&s->q.saved, uc) < 0)
		return -CV_ENOMEM;
	uc_reg_write(uc, UC_RISCV_REG_PC, &pc);
	uc_reg_write(uc, UC_RISCV_REG_STVEC, &stvec);
	uc_reg_write(uc, UC_RISCV_REG_SATP, &satp);
	uc_context_save(uc, s->q.saved.buf);
	s->q.pc = sim_ctx_find(&s->q.saved, &pc, 1);
	s->q.known = s->q.pc != 0 && layout_checks(s, stvec, satp);
	uc_reg_write(uc, UC_RISCV_REG_SATP, &zero);
	uc_reg_write(uc, UC_RISCV_REG_STVEC, &zero);
	uc_reg_write(uc, UC_RISCV_REG_PC, &zero);
	if (!s->q.known)
		log_warn(
		    "%s: this Unicorn's RISC-V state is not laid out as 2.0.1's: cvisor cannot "
		    "see the hart's privilege level, and exceptions taken in U-mode cannot be "
		    "delivered exactly",
		    s->c.vcpu->vm->name);
	return 0;
}

bool sim_rv_qstate_read(struct sim_rv *s, struct rv_s1_regs *r)
{
	if (!s->q.known)
		return false;
	uc_context_save(s->c.uc, s->q.saved.buf);
	uint64_t priv = ctx_u64(s, s->q.pc + PRIV_AFTER_PC);
	r->priv = priv == 0 ? RV_PRIV_U : RV_PRIV_S; /* M: only the trampoline runs there */
	r->satp = ctx_u64(s, s->q.pc + SATP_AFTER_PC);
	r->sstatus = ctx_u64(s, s->q.pc + MSTATUS_AFTER_PC) & (RV_SSTATUS_SUM | RV_SSTATUS_MXR);
	return true;
}

bool sim_rv_qstate_enter_s(struct sim_rv *s)
{
	if (!s->q.known)
		return false;
	uc_context_save(s->c.uc, s->q.saved.buf);
	ctx_put(s, s->q.pc + PRIV_AFTER_PC, RV_PRIV_S);
	ctx_put(s, s->q.pc + LOAD_RES_AFTER_PC, ~0ULL);
	uc_context_restore(s->c.uc, s->q.saved.buf);
	/* Read back: the CPU's own view, not what was written. */
	uc_context_save(s->c.uc, s->q.saved.buf);
	return ctx_u64(s, s->q.pc + PRIV_AFTER_PC) == RV_PRIV_S;
}

void sim_rv_qstate_free(struct sim_rv *s)
{
	sim_ctx_free(&s->q.saved);
}
