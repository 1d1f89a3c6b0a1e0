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
 *   mip       + 120 (32 bits)  the pending interrupts: sip is mip & mideleg
 *   mie       + 136            the enabled ones: sie is mie & mideleg
 *   mideleg   + 144            checked at creation
 *   satp      + 160            likewise
 *   stvec     + 192            checked at creation; where an interrupt the CPU takes goes
 *
 * The offsets are found when the CPU is created, still in M-mode: marker
 * values written through the API to PC, stvec and satp are looked for in a
 * saved context, and priv must read M, misa, mstatus, mie and mideleg what
 * the API reads.
 *
 * The API reaches M-level CSRs such as mip only in M-mode (riscv_csrrw()
 * checks the mode): to raise or lower an interrupt the hart is put in
 * M-mode in the saved state, mip is written through the API (which, as a
 * device's interrupt line does in QEMU, makes the CPU look at its
 * interrupts: cpu_interrupt()), and the mode is put back.
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
#define MIP_AFTER_PC 120
#define MIE_AFTER_PC 136
#define MIDELEG_AFTER_PC 144
#define SATP_AFTER_PC 160
#define STVEC_AFTER_PC 192
#define PRV_M 3
#define MARKER 0x5a17c0de00000000ULL
#define MIE_MARKER 0xaaaULL /* SSIE MSIE STIE MTIE SEIE MEIE: what mie holds */
#define MSTATUS_SIE (1ULL << 1)

/* QEMU's state into s->q.saved: from now on it is not the view's copy. */
static void save(struct sim_rv *s)
{
	uc_context_save(s->c.uc, s->q.saved.buf);
	s->q.view_saved = false;
}

static void restore(struct sim_rv *s)
{
	uc_context_restore(s->c.uc, s->q.saved.buf);
	s->q.view_saved = false;
}

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

static uint32_t ctx_u32(const struct sim_rv *s, size_t off)
{
	uint32_t v;
	sim_ctx_get(&s->q.saved, off, &v, sizeof(v));
	return v;
}

/* Does the saved context hold, at the offsets found from pc, what a hart at reset holds? */
static bool layout_checks(struct sim_rv *s, uint64_t stvec, uint64_t satp)
{
	uint64_t misa = 0, mstatus = 0, mideleg = 0;

	uc_reg_read(s->c.uc, UC_RISCV_REG_MISA, &misa); /* M-mode: the API may read them */
	uc_reg_read(s->c.uc, UC_RISCV_REG_MSTATUS, &mstatus);
	uc_reg_read(s->c.uc, UC_RISCV_REG_MIDELEG, &mideleg);
	return s->q.pc + STVEC_AFTER_PC + 8 <= s->q.saved.size &&
	       ctx_u64(s, s->q.pc + MIE_AFTER_PC) == MIE_MARKER &&
	       ctx_u64(s, s->q.pc + MIDELEG_AFTER_PC) == mideleg && mideleg != 0 &&
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
	uint64_t satp = (RV_SATP_MODE_SV39 << 60) | 0x5a17c, zero = 0, mie = MIE_MARKER;

	if (sim_ctx_alloc(&s->q.saved, uc) < 0)
		return -CV_ENOMEM;
	uc_reg_write(uc, UC_RISCV_REG_MIE, &mie);
	uc_reg_write(uc, UC_RISCV_REG_PC, &pc);
	uc_reg_write(uc, UC_RISCV_REG_STVEC, &stvec);
	uc_reg_write(uc, UC_RISCV_REG_SATP, &satp);
	save(s);
	s->q.pc = sim_ctx_find(&s->q.saved, &pc, 1);
	s->q.known = s->q.pc != 0 && layout_checks(s, stvec, satp);
	uc_reg_write(uc, UC_RISCV_REG_SATP, &zero);
	uc_reg_write(uc, UC_RISCV_REG_MIE, &zero);
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
	save(s);
	s->q.view_saved = true;
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
	save(s);
	ctx_put(s, s->q.pc + PRIV_AFTER_PC, RV_PRIV_S);
	ctx_put(s, s->q.pc + LOAD_RES_AFTER_PC, ~0ULL);
	restore(s);
	/* Read back: the CPU's own view, not what was written. */
	save(s);
	return ctx_u64(s, s->q.pc + PRIV_AFTER_PC) == RV_PRIV_S;
}

bool sim_rv_qstate_stvec(struct sim_rv *s, uint64_t *stvec)
{
	if (!s->q.known)
		return false;
	save(s);
	*stvec = ctx_u64(s, s->q.pc + STVEC_AFTER_PC);
	return true;
}

bool sim_rv_qstate_irqs(struct sim_rv *s, uint64_t *sie, uint64_t *sip)
{
	if (!s->q.known)
		return false;
	/*
	 * The copy the view (mmu.c) was read from is still the CPU's state
	 * while the view is valid: nothing ran and nothing was written since
	 * (every other save or restore clears view_saved; the hooks drop the
	 * view when they begin). An exit reads both: one copy, not two.
	 */
	if (!(s->view_valid && s->q.view_saved))
		save(s);
	uint64_t deleg = ctx_u64(s, s->q.pc + MIDELEG_AFTER_PC);
	*sie = ctx_u64(s, s->q.pc + MIE_AFTER_PC) & deleg;
	*sip = ctx_u32(s, s->q.pc + MIP_AFTER_PC) & deleg;
	return true;
}

/* Puts the hart in M-mode in QEMU's state; returns the mode it was in. */
static uint64_t enter_m(struct sim_rv *s)
{
	save(s);
	uint64_t priv = ctx_u64(s, s->q.pc + PRIV_AFTER_PC);
	ctx_put(s, s->q.pc + PRIV_AFTER_PC, PRV_M);
	restore(s);
	return priv;
}

/* Puts the mode enter_m() returned back, keeping what the API wrote meanwhile. */
static void leave_m(struct sim_rv *s, uint64_t priv)
{
	save(s);
	ctx_put(s, s->q.pc + PRIV_AFTER_PC, priv);
	restore(s);
}

bool sim_rv_qstate_set_mip(struct sim_rv *s, uint64_t mask, uint64_t value)
{
	uint64_t mip = 0;

	if (!s->q.known)
		return false;
	uint64_t priv = enter_m(s);
	uc_reg_read(s->c.uc, UC_RISCV_REG_MIP, &mip);
	mip = (mip & ~mask) | (value & mask);
	uc_reg_write(s->c.uc, UC_RISCV_REG_MIP, &mip);
	leave_m(s, priv);
	/* Read back: the CPU's own view, not what was written. */
	save(s);
	return (ctx_u32(s, s->q.pc + MIP_AFTER_PC) & mask) == (value & mask);
}

bool sim_rv_qstate_start(struct sim_rv *s)
{
	uint64_t asid = 1ULL << 44, zero = 0, mstatus = 0;

	if (!s->q.known)
		return false;
	uint64_t priv = enter_m(s);
	/*
	 * satp = 0. QEMU drops its TLB only when the ASID changes
	 * (write_satp()): through another ASID first, so no translation of
	 * the hart's past survives.
	 */
	uc_reg_write(s->c.uc, UC_RISCV_REG_SATP, &asid);
	uc_reg_write(s->c.uc, UC_RISCV_REG_SATP, &zero);
	uc_reg_read(s->c.uc, UC_RISCV_REG_MSTATUS, &mstatus);
	mstatus &= ~MSTATUS_SIE;
	uc_reg_write(s->c.uc, UC_RISCV_REG_MSTATUS, &mstatus);
	uc_reg_write(s->c.uc, UC_RISCV_REG_SIE, &zero);
	uc_reg_write(s->c.uc, UC_RISCV_REG_SIP, &zero);
	leave_m(s, priv);
	save(s);
	return ctx_u64(s, s->q.pc + SATP_AFTER_PC) == 0 &&
	       !(ctx_u64(s, s->q.pc + MSTATUS_AFTER_PC) & MSTATUS_SIE);
}

int sim_rv_qstate_priv(struct sim_rv *s)
{
	if (!s->q.known)
		return -1;
	save(s);
	return (int)ctx_u64(s, s->q.pc + PRIV_AFTER_PC);
}

bool sim_rv_qstate_csr(struct sim_rv *s, int id, uint64_t *val, bool write)
{
	if (!s->q.known)
		return false;
	uint64_t priv = enter_m(s);
	uc_err e = write ? uc_reg_write(s->c.uc, id, val) : uc_reg_read(s->c.uc, id, val);
	leave_m(s, priv);
	return e == UC_ERR_OK;
}

void sim_rv_qstate_free(struct sim_rv *s)
{
	sim_ctx_free(&s->q.saved);
}
