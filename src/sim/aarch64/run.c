/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 part of hal_vcpu_run() (src/sim/sim_cpu.c): the world switch.
 *
 * Entering the guest writes the register file into Unicorn and starts it;
 * leaving reads it back, as an EL2 hypervisor saves the guest's registers
 * on every trap. Exits the simulator resolves inside Unicorn's callbacks
 * (MMIO, hypercalls, trapped system registers) never come back here; the
 * ones that stop the CPU (WFI, instruction aborts, errors) do.
 */
#include <string.h>

#include <arch/trap.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/walk.h>

#include "sim_a64.h"

#define INSN_WFI 0xd503207fu
#define INSN_WFE 0xd503205fu

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
	{ UC_ARM64_REG_SP_EL0, offsetof(struct vcpu_arch, sp_el0) },
	{ UC_ARM64_REG_PSTATE, offsetof(struct vcpu_arch, pstate) },
};

static uint64_t *field(struct vcpu_arch *a, size_t off)
{
	return (uint64_t *)((char *)a + off);
}

/* Guest registers from Unicorn into the register file ("trap to EL2"). */
static void save_guest(struct sim_a64 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	uint64_t sp;

	sim_a64_read_gprs(s->c.uc, a->x, &sp);
	uc_reg_read(s->c.uc, UC_ARM64_REG_PC, &a->pc);
	for (size_t i = 0; i < ARRAY_SIZE(sysregs); i++)
		sim_a64_reg_read(s->c.uc, sysregs[i].id, field(a, sysregs[i].off));
	a->sp_el1 = sp; /* the guest runs at EL1h: the live SP is SP_EL1 */
	memcpy(&s->shadow, a, sizeof(s->shadow));
}

/* The register file into Unicorn ("ERET to the guest"): only what changed. */
static void restore_guest(struct sim_a64 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;

	for (int i = 0; i < 29; i++)
		uc_reg_write(s->c.uc, UC_ARM64_REG_X0 + i, &a->x[i]);
	uc_reg_write(s->c.uc, UC_ARM64_REG_X29, &a->x[29]);
	uc_reg_write(s->c.uc, UC_ARM64_REG_X30, &a->x[30]);
	uc_reg_write(s->c.uc, UC_ARM64_REG_PC, &a->pc);
	if (!s->started)
		return; /* Unicorn's reset state is the boot state for the rest */
	for (size_t i = 0; i < ARRAY_SIZE(sysregs); i++)
		if (*field(a, sysregs[i].off) != *field(&s->shadow, sysregs[i].off))
			sim_a64_reg_write(s->c.uc, sysregs[i].id, field(a, sysregs[i].off));
	if (a->sp_el1 != s->shadow.sp_el1)
		uc_reg_write(s->c.uc, UC_ARM64_REG_SP, &a->sp_el1);
}

/* Builds the exit for an instruction fetch at va from a GPA RAM does not serve. */
void sim_a64_fetch_abort(struct sim_a64 *s, uint64_t va, gpa_t gpa, struct vcpu_exit *exit)
{
	struct a64_trap t = {
		.esr = ((uint64_t)EC_IABT_LOW << ESR_EC_SHIFT) | ESR_IL |
		       sim_a64_stage2_fsc(s, gpa, ACCESS_FETCH),
		.far = va,
		.hpfar = a64_hpfar_from_gpa(gpa),
		.pc = va,
	};
	a64_decode_trap(&t, exit);
	exit->s2fault.size = 4;
}

/* Why did uc_emu_start return? Fills *exit; the register file is saved. */
static void classify_stop(struct sim_a64 *s, uc_err err, struct vcpu_exit *exit)
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
	if (err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT) {
		struct s1_result res = { .gpa = a->pc };
		if (sim_a64_mmu_on(s) &&
		    sim_a64_s1_walk(s, a->pc, ACCESS_FETCH, &res, "instruction abort") < 0) {
			/* Unicorn's walk let the fetch through where cvisor's faults: say so. */
			exit->reason = EXIT_FATAL;
			exit->pc = a->pc;
			cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg),
				    "instruction fetch at VA 0x%llx: the simulated CPU could not fetch "
				    "it, and the guest's tables give a %s fault at level %d",
				    (unsigned long long)a->pc, walk_fault_name(res.fault), res.level);
			return;
		}
		sim_a64_fetch_abort(s, a->pc, res.gpa, exit);
		return;
	}
	if (err != UC_ERR_OK) {
		exit->reason = EXIT_FATAL;
		exit->pc = a->pc;
		cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg), "simulated CPU stopped: %s",
			    uc_strerror(err));
		return;
	}
	uint32_t insn = sim_a64_fetch(s, a->pc - 4);
	if (insn == INSN_WFE) {
		/*
		 * WFE may complete at any time (ARM ARM D1.6.1 "Wait for Event"):
		 * a spinning guest (a lock) goes on. cvisor does not trap it on
		 * hardware either (HCR_EL2.TWE clear).
		 */
		return; /* EXIT_NONE: resume after it */
	}
	if (insn == INSN_WFI) {
		/* WFI traps with ELR_EL2 at the instruction (HCR_EL2.TWI). */
		struct a64_trap t = {
			.esr = ((uint64_t)EC_WFX << ESR_EC_SHIFT) | ESR_IL,
			.pc = a->pc - 4,
		};
		a64_decode_trap(&t, exit);
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
	struct sim_a64 *s = (struct sim_a64 *)c;
	restore_guest(s);
	s->started = true;
	return c->vcpu->arch.pc;
}

void sim_arch_leave(struct sim_cpu *c)
{
	save_guest((struct sim_a64 *)c);
}

void sim_arch_classify(struct sim_cpu *c, uc_err err, struct vcpu_exit *exit)
{
	classify_stop((struct sim_a64 *)c, err, exit);
}

int sim_arch_stage2_changed(struct sim_cpu *c)
{
	return sim_map_refresh_ram(c->uc, &c->vcpu->vm->as, &c->map);
}
