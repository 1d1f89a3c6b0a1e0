/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V part of hal_vcpu_run() (src/sim/sim_cpu.c): the world switch.
 *
 * Entering the guest writes the general registers and PC into Unicorn and
 * starts it (the first time through the trampoline into S-mode); leaving
 * reads them back. The guest's CSRs stay in Unicorn. Exits resolved inside
 * Unicorn's callbacks (MMIO, SBI calls) never come back here; the ones
 * that stop the CPU (WFI, fetches from no RAM, ebreak, errors) do.
 */
#include <string.h>

#include <arch/trap.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/walk.h>

#include "sim_rv.h"

#define TRAMPOLINE 0xffffffffffffe000ULL
#define INSN_WFI 0x10500073u
#define INSN_EBREAK 0x00100073u
#define INSN_C_EBREAK 0x9002u

static void save_guest(struct sim_rv *s)
{
	sim_rv_read_gprs(s->c.uc, s->c.vcpu->arch.x);
	uc_reg_read(s->c.uc, UC_RISCV_REG_PC, &s->c.vcpu->arch.pc);
}

static void restore_guest(struct sim_rv *s)
{
	const struct vcpu_arch *a = &s->c.vcpu->arch;
	for (int i = 1; i < 32; i++)
		uc_reg_write(s->c.uc, UC_RISCV_REG_X0 + i, &a->x[i]);
}

/* Why did uc_emu_start return? Fills *exit; the registers are saved. */
static void classify_stop(struct sim_rv *s, uc_err err, struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;

	if (s->c.have_pending) {
		*exit = s->c.pending;
		s->c.have_pending = false;
		if (exit->reason == EXIT_FATAL || exit->reason == EXIT_STAGE2_FAULT)
			a->pc = exit->pc;
		return;
	}
	if (!vm_running(s->c.vcpu->vm) || s->c.kicked)
		return; /* EXIT_NONE */
	sim_rv_forget_code(s);
	if (err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT) {
		struct s1_result res = { .gpa = a->pc };
		if (sim_rv_mmu_on(s) &&
		    sim_rv_s1_walk(s, a->pc, ACCESS_FETCH, &res, "instruction guest-page fault") < 0) {
			/* Unicorn's walk let the fetch through where cvisor's faults: say so. */
			exit->reason = EXIT_FATAL;
			exit->pc = a->pc;
			cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg),
				    "instruction fetch at VA 0x%llx: the simulated CPU could not fetch "
				    "it, and the guest's tables give a %s fault at level %d",
				    (unsigned long long)a->pc, walk_fault_name(res.fault), res.level);
			return;
		}
		struct rv_trap t = { .scause = RV_CAUSE_FETCH_GUEST_PAGE_FAULT, .stval = a->pc,
				     .htval = res.gpa >> 2, .sepc = a->pc };
		rv_decode_trap(&t, exit);
		exit->s2fault.gpa = res.gpa;
		exit->s2fault.size = 4;
		return;
	}
	uint32_t insn = sim_rv_fetch(s, a->pc);
	if (err == UC_ERR_INSN_INVALID && (insn == INSN_EBREAK || insn == INSN_C_EBREAK)) {
		/* ebreak only ends the emulation: deliver it from a hook on the way back. */
		sim_rv_deliver_at(s, a->pc, RV_CAUSE_BREAKPOINT, a->pc);
		return;
	}
	if (err != UC_ERR_OK) {
		exit->reason = EXIT_FATAL;
		exit->pc = a->pc;
		cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg), "simulated CPU stopped: %s",
			    uc_strerror(err));
		return;
	}
	if (sim_rv_fetch(s, a->pc - 4) == INSN_WFI) {
		/* wfi traps with hstatus.VTW as a virtual instruction, sepc at the wfi. */
		struct rv_trap t = { .scause = RV_CAUSE_VIRTUAL_INSN, .stval = INSN_WFI,
				     .sepc = a->pc - 4 };
		rv_decode_trap(&t, exit);
		a->pc -= 4;
		return;
	}
	exit->reason = EXIT_FATAL;
	exit->pc = a->pc;
	cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg),
		    "simulated CPU stopped for no known reason");
}

uint64_t sim_arch_enter(struct sim_cpu *c)
{
	struct sim_rv *s = (struct sim_rv *)c;

	restore_guest(s);
	if (s->started)
		return c->vcpu->arch.pc;
	/* The trampoline's t1 is the entry; it leaves t0 and t1 zero, as at reset. */
	uc_reg_write(c->uc, UC_RISCV_REG_T1, &c->vcpu->arch.pc);
	return TRAMPOLINE;
}

void sim_arch_leave(struct sim_cpu *c)
{
	struct sim_rv *s = (struct sim_rv *)c;

	save_guest(s);
	s->started = true;
	if (s->stop_pc_set) {
		c->vcpu->arch.pc = s->stop_pc;
		s->stop_pc_set = false;
	}
}

void sim_arch_classify(struct sim_cpu *c, uc_err err, struct vcpu_exit *exit)
{
	classify_stop((struct sim_rv *)c, err, exit);
}

int sim_arch_stage2_changed(struct sim_cpu *c)
{
	return sim_map_refresh_ram(c->uc, &c->vcpu->vm->as, &c->map);
}
