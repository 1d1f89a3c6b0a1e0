/* SPDX-License-Identifier: MIT */
/*
 * Entering and leaving the simulated AArch64 guest: the world switch.
 *
 * Entering writes the register file (vcpu->arch) into Unicorn, as an EL2
 * hypervisor restores the guest's registers before ERET; leaving reads it
 * back, as it saves them on every trap. Only what changed since the last
 * read is written back: most exits change x0..x3 and PC alone.
 *
 * Before each entry it also raises or lowers the virtual IRQ line,
 * HCR_EL2.VI, from the virtual GIC: that is how the simulator delivers
 * interrupts (docs/interrupts-aarch64.md).
 *
 * The lowest file of src/sim/aarch64/ but for one call: an abort the core
 * injected for an exit that ended the run is taken at entry (exc.c).
 */
#include <string.h>

#include <arch/irq.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "cpu.h"

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

void sim_a64_read_args(uc_engine *uc, uint64_t x[31])
{
	int ids[8];
	void *vals[8];

	for (int i = 0; i < 8; i++) {
		ids[i] = UC_ARM64_REG_X0 + i;
		vals[i] = &x[i];
	}
	uc_reg_read_batch(uc, ids, vals, 8);
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

void sim_a64_set_vi(struct sim_a64 *s, bool vi)
{
	uc_arm64_cp_reg hcr = { .crn = 1, .crm = 1, .op0 = 3, .op1 = 4, .op2 = 0,
				.val = SIM_HCR_EL2 | (vi ? SIM_HCR_VI : 0) };

	if (s->vi == vi)
		return;
	uc_reg_write(s->c.uc, UC_ARM64_REG_CP_REG, &hcr);
	s->vi = vi;
}

void sim_a64_update_vi(struct sim_a64 *s)
{
	/* A debugger's step runs with interrupts held back, as QEMU's gdbstub steps. */
	sim_a64_set_vi(s, !s->c.dbg.step && a64_irq_signalled(s->c.vcpu));
}

/*
 * Each Unicorn CPU has its own cache of translated code, which stores by
 * another CPU do not invalidate (notes, "Several vCPUs"): an instruction
 * cache invalidation by one vCPU is queued for the others, each of which
 * drops the translations of those guest-physical pages at its next entry
 * (follow_code()).
 */
/* Unicorn's page of translated code (TARGET_PAGE_SIZE on AArch64). */
#define CODE_PAGE 0x1000ULL

static void drop_lock(struct sim_a64 *s)
{
	while (__atomic_test_and_set(&s->drop.lock, __ATOMIC_ACQUIRE))
		;
}

static void drop_unlock(struct sim_a64 *s)
{
	__atomic_clear(&s->drop.lock, __ATOMIC_RELEASE);
}

void sim_a64_code_written(struct sim_a64 *s, gpa_t page)
{
	struct vm *vm = s->c.vcpu->vm;

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		struct sim_a64 *o = v ? v->hal : NULL;
		if (v == s->c.vcpu || !o)
			continue;
		drop_lock(o);
		if (page == GPA_INVALID || o->drop.n == SIM_CODE_PAGES)
			o->drop.all = true;
		else if (!o->drop.all && (o->drop.n == 0 || o->drop.page[o->drop.n - 1] != page))
			o->drop.page[o->drop.n++] = page; /* Linux's IC IVAU go line by line */
		drop_unlock(o);
		/*
		 * A vCPU told of a drop since its last entry has still to make
		 * it: telling it again would only wake its thread once more
		 * (Linux runs tens of thousands of IC IVAU in a row).
		 */
		if (!__atomic_exchange_n(&o->code_told, true, __ATOMIC_SEQ_CST))
			hal_vcpu_notify(v);
	}
}

/* TLBI VMALLE1 on the simulated CPU: its TLB of stage 1 translations for EL1&0. */
static bool tlbi_vmalle1(uc_engine *uc)
{
	uc_arm64_cp_reg r = { .crn = 8, .crm = 7, .op0 = 1, .op1 = 0, .op2 = 0 };
	return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &r) == UC_ERR_OK;
}

/*
 * Drops the translations of guest-physical code: all of it (all) or the
 * n pages. Unicorn finds a CPU's translations of a page by the page's
 * place in its RAM, which uc_ctl_remove_cache() reaches through a virtual
 * address the CPU translates: so the CPU's MMU is turned off around it
 * (SCTLR_EL1.M: virtual = guest-physical), with its TLB emptied before
 * and after, and SCTLR_EL1 put back as it was. Unicorn's whole flush
 * (UC_CTL_TB_FLUSH) would also do, but clears its whole 1 GiB code
 * buffer: seconds the first time, as the host gives it the memory.
 * Returns false when the CPU refused (then nothing is left half done: the
 * caller flushes everything).
 */
static bool drop_code(struct sim_a64 *s, bool all, const gpa_t *page, unsigned n)
{
	uc_engine *uc = s->c.uc;
	uc_arm64_cp_reg sctlr = { .crn = 1, .crm = 0, .op0 = 3, .op1 = 0, .op2 = 0 };

	if (uc_reg_read(uc, UC_ARM64_REG_CP_REG, &sctlr) != UC_ERR_OK)
		return false;
	uint64_t was = sctlr.val;
	if (was & 1) {
		sctlr.val = was & ~1ULL;
		if (uc_reg_write(uc, UC_ARM64_REG_CP_REG, &sctlr) != UC_ERR_OK)
			return false;
		if (!tlbi_vmalle1(uc)) {
			sctlr.val = was;
			uc_reg_write(uc, UC_ARM64_REG_CP_REG, &sctlr);
			return false;
		}
	}
	if (all) {
		/* Every region mapped into this CPU: code can be in RAM alone. */
		uc_mem_region *r;
		uint32_t count;
		if (uc_mem_regions(uc, &r, &count) == UC_ERR_OK) {
			for (uint32_t i = 0; i < count; i++)
				uc_ctl_remove_cache(uc, r[i].begin, r[i].end + 1);
			uc_free(r);
		} else {
			uc_ctl_flush_tlb(
			    uc); /* UC_CTL_TB_FLUSH: the translated blocks, despite the name */
		}
	} else {
		for (unsigned i = 0; i < n; i++)
			uc_ctl_remove_cache(uc, page[i], page[i] + CODE_PAGE);
	}
	if (was & 1) {
		sctlr.val = was;
		uc_reg_write(uc, UC_ARM64_REG_CP_REG, &sctlr);
		tlbi_vmalle1(uc); /* the flat translations made meanwhile */
	}
	return true;
}

/*
 * Drops the translations other vCPUs' instruction cache invalidations
 * asked for since the last entry. A CPU that has not run yet has none.
 */
static void follow_code(struct sim_a64 *s, bool ran)
{
	gpa_t page[SIM_CODE_PAGES];

	/* Cleared before the queue is taken: a drop queued after it is told again. */
	__atomic_store_n(&s->code_told, false, __ATOMIC_SEQ_CST);
	drop_lock(s);
	bool all = s->drop.all;
	unsigned n = s->drop.n;
	memcpy(page, s->drop.page, n * sizeof(page[0]));
	s->drop.all = false;
	s->drop.n = 0;
	drop_unlock(s);
	if (!ran || (!all && !n))
		return;
	if (!drop_code(s, all, page, n))
		uc_ctl_flush_tlb(s->c.uc);
}

/* System registers kept in the register file, with their Unicorn ids. */
static const struct {
	int id;
	size_t off;
} sysregs[] = {
	{ UC_ARM64_REG_ELR_EL1, offsetof(struct vcpu_arch, elr_el1) },
	{ SIM_SPSR_EL1, offsetof(struct vcpu_arch, spsr_el1) },
	{ UC_ARM64_REG_ESR_EL1, offsetof(struct vcpu_arch, esr_el1) },
	{ UC_ARM64_REG_FAR_EL1, offsetof(struct vcpu_arch, far_el1) },
	{ UC_ARM64_REG_VBAR_EL1, offsetof(struct vcpu_arch, vbar_el1) },
	{ UC_ARM64_REG_PSTATE, offsetof(struct vcpu_arch, pstate) },
};

static uint64_t *field(struct vcpu_arch *a, size_t off)
{
	return (uint64_t *)((char *)a + off);
}

/*
 * The stack pointers (ARM ARM D1.6.2): the one PSTATE selects (SP_EL1 at
 * EL1h; SP_EL0 at EL0 and EL1t) is Unicorn's live SP, the other is held
 * banked in its own register, whose value Unicorn does not keep up to date
 * while it is the live one.
 */
static bool sp_is_el1(uint64_t pstate)
{
	return (pstate & 0xf) == A64_PSTATE_EL1H;
}

static void write_sps(uc_engine *uc, const struct vcpu_arch *a)
{
	bool el1 = sp_is_el1(a->pstate);

	uc_reg_write(uc, UC_ARM64_REG_SP, el1 ? &a->sp_el1 : &a->sp_el0);
	uc_reg_write(uc, el1 ? UC_ARM64_REG_SP_EL0 : UC_ARM64_REG_SP_EL1, el1 ? &a->sp_el0 : &a->sp_el1);
}

/* The register file into Unicorn ("ERET to the guest"): only what changed. */
uint64_t sim_arch_enter(struct sim_cpu *c)
{
	struct sim_a64 *s = (struct sim_a64 *)c;
	struct vcpu_arch *a = &c->vcpu->arch;
	/* An abort injected for an exit that ended the run is entered now (exc.c). */
	sim_a64_enter_injected(s);
	s->aborted = false; /* the pieces of an access that took one end with the run */

	for (int i = 0; i < 29; i++)
		uc_reg_write(c->uc, UC_ARM64_REG_X0 + i, &a->x[i]);
	uc_reg_write(c->uc, UC_ARM64_REG_X29, &a->x[29]);
	uc_reg_write(c->uc, UC_ARM64_REG_X30, &a->x[30]);
	uc_reg_write(c->uc, UC_ARM64_REG_PC, &a->pc);
	bool ran = s->started;
	if (ran) { /* else Unicorn's reset state is the boot state for the rest */
		for (size_t i = 0; i < ARRAY_SIZE(sysregs); i++)
			if (*field(a, sysregs[i].off) != *field(&s->saved, sysregs[i].off))
				sim_a64_reg_write(c->uc, sysregs[i].id, field(a, sysregs[i].off));
		/* An injected abort from EL1t moves to SP_EL1 (sim_a64_enter_injected()). */
		if (a->sp_el0 != s->saved.sp_el0 || a->sp_el1 != s->saved.sp_el1 ||
		    sp_is_el1(a->pstate) != sp_is_el1(s->saved.pstate))
			write_sps(c->uc, a);
	}
	s->started = true;
	/*
	 * The interrupt the virtual GIC asserts, as the hardware's list
	 * registers would present it: the guest takes it at once if PSTATE.I
	 * is clear. Only after sim_cpu_run() cleared the notification flag, so
	 * a change from now on stops the run and is seen at the next entry.
	 */
	sim_a64_update_vi(s);
	follow_code(s, ran);
	if (sim_a64_take_injected(s)) {
		/*
		 * From EL0: the CPU enters EL1 itself, for a virtual IRQ
		 * (exc.c, enter_from_el0()), before the first instruction; the
		 * block hook stops it at the vector's first block, where
		 * sim_a64_finish_entry() makes the entry the abort's.
		 */
		__atomic_store_n(&c->attention, true, __ATOMIC_SEQ_CST);
	}
	return a->pc;
}

/* Guest registers from Unicorn into the register file ("trap to EL2"). */
/*
 * Reads Unicorn's registers into s->saved (what Unicorn holds), then into
 * the register file, unless the vCPU turned itself off in this run (PSCI
 * CPU_OFF, s->powered_off): from that moment a start call on another
 * thread may be writing its register file (vcpu_arch_start()), and
 * Unicorn's old values must not overwrite it.
 */
void sim_arch_leave(struct sim_cpu *c)
{
	struct sim_a64 *s = (struct sim_a64 *)c;
	struct vcpu_arch *a = &c->vcpu->arch, *u = &s->saved;
	uint64_t sp;

	sim_a64_read_gprs(c->uc, u->x, &sp);
	uc_reg_read(c->uc, UC_ARM64_REG_PC, &u->pc);
	for (size_t i = 0; i < ARRAY_SIZE(sysregs); i++)
		sim_a64_reg_read(c->uc, sysregs[i].id, field(u, sysregs[i].off));
	if (sp_is_el1(u->pstate)) {
		u->sp_el1 = sp;
		uc_reg_read(c->uc, UC_ARM64_REG_SP_EL0, &u->sp_el0);
	} else {
		u->sp_el0 = sp;
		uc_reg_read(c->uc, UC_ARM64_REG_SP_EL1, &u->sp_el1);
	}
	if (s->powered_off) {
		s->powered_off = false;
		return;
	}
	memcpy(a->x, u->x, sizeof(a->x));
	a->pc = u->pc;
	for (size_t i = 0; i < ARRAY_SIZE(sysregs); i++)
		*field(a, sysregs[i].off) = *field(u, sysregs[i].off);
	a->sp_el0 = u->sp_el0;
	a->sp_el1 = u->sp_el1;
}
