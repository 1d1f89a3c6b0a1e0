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
 *
 * Calls only switch.c.
 */
#include <arch/trap.h>

#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "cpu.h"

/* PSTATE.M[3:0] values (ARM ARM C5.2.18). */
#define M_EL0T 0x0
#define M_EL1T 0x4
#define M_EL1H 0x5

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
	if (!sim_cpu_storm(&s->c, elr >= vbar && elr < vbar + 0x800))
		return false;
	vm_stop(s->c.vcpu->vm, VM_FAILED,
		"exception storm: %u exceptions in a row taken inside the guest's own vector "
		"table (VBAR_EL1 0x%llx); last EC 0x%02x (%s) at PC 0x%llx",
		s->c.storm_count, (unsigned long long)vbar, (unsigned)ESR_EC(esr),
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
	sim_trace_guest_exception(&s->c, "%s esr=0x%llx elr=0x%llx far=0x%llx -> 0x%llx",
				  a64_ec_name((unsigned)ESR_EC(esr)), (unsigned long long)esr,
				  (unsigned long long)elr, (unsigned long long)(far == ~0ULL ? 0 : far),
				  (unsigned long long)pc);
	return true;
}
