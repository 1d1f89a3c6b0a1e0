/* SPDX-License-Identifier: MIT */
/*
 * Entering and leaving the simulated RISC-V guest: the world switch.
 *
 * Entering writes the general registers and PC of the register file
 * (vcpu->arch) into Unicorn, the first time through the trampoline into
 * S-mode, and the interrupts the hypervisor asserts into the CPU's
 * pending bits (irq.c); leaving reads the registers back, and sie and sip
 * for the core's wait decisions. The guest's other CSRs stay in Unicorn.
 *
 * Calls irq.c.
 */
#include <arch/trap.h>

#include "cpu.h"

void sim_rv_read_gprs(uc_engine *uc, uint64_t x[32])
{
	int ids[31];
	void *vals[31];

	x[0] = 0;
	for (int i = 1; i < 32; i++) {
		ids[i - 1] = UC_RISCV_REG_X0 + i;
		vals[i - 1] = &x[i];
	}
	uc_reg_read_batch(uc, ids, vals, 31);
}

void sim_rv_read_args(uc_engine *uc, uint64_t x[32])
{
	int ids[8];
	void *vals[8];

	for (int i = 0; i < 8; i++) {
		ids[i] = UC_RISCV_REG_X10 + i; /* a0..a7 */
		vals[i] = &x[10 + i];
	}
	uc_reg_read_batch(uc, ids, vals, 8);
}

uint64_t sim_arch_enter(struct sim_cpu *c)
{
	struct sim_rv *s = (struct sim_rv *)c;
	struct vcpu_arch *a = &c->vcpu->arch;

	/*
	 * An access fault the core injected is delivered from a hook (exc.c);
	 * one still here was for an exit that ended the run: a fetch Unicorn
	 * refused before any callback (beyond the simulated address space),
	 * which no hook can deliver. The VM stops and says so.
	 */
	if (a->inject.pending) {
		a->inject.pending = false;
		vm_stop(c->vcpu->vm, VM_FAILED,
			"vCPU %u at PC 0x%llx: the simulator cannot deliver the %s (scause %llu, "
			"stval 0x%llx) for a fetch it refused before any callback",
			c->vcpu->id, (unsigned long long)a->pc, rv_cause_name(a->inject.cause),
			(unsigned long long)a->inject.cause, (unsigned long long)a->inject.tval);
	}

	for (int i = 1; i < 32; i++)
		uc_reg_write(c->uc, UC_RISCV_REG_X0 + i, &a->x[i]);
	sim_rv_irq_sync(s);
	if (s->started)
		return a->pc;
	/* The trampoline's t1 is the entry; it leaves t0 and t1 zero, as at reset. */
	uc_reg_write(c->uc, UC_RISCV_REG_T1, &a->pc);
	return TRAMPOLINE;
}

void sim_arch_leave(struct sim_cpu *c)
{
	struct sim_rv *s = (struct sim_rv *)c;

	sim_rv_read_gprs(c->uc, c->vcpu->arch.x);
	uc_reg_read(c->uc, UC_RISCV_REG_PC, &c->vcpu->arch.pc);
	sim_rv_irq_read(s);
	s->started = true;
	if (s->stop_pc_set) { /* an exit inside a hook stopped the VM: report where it was */
		c->vcpu->arch.pc = s->stop_pc;
		s->stop_pc_set = false;
	}
}
