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

/* The IRQ vector for an exception from a lower EL (D1.10.2), where enter_from_el0() arrives. */
#define VECTOR_IRQ_LOWER 0x480

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

/*
 * An entry from EL0 changes the exception level, and Unicorn 2.0.1 does
 * not rebuild its cached view of PSTATE (the EL the translator uses,
 * QEMU's hflags) when PSTATE is written through its API: the handler's
 * first EL1-only instruction (`mrs x1, sp_el0`) would be UNDEFINED. So the
 * CPU makes the change of level itself: the simulator raises a virtual IRQ
 * (HCR_EL2.VI, with PSTATE.I clear), which QEMU takes from EL0 to EL1
 * before the next instruction, with its cached state rebuilt and the stack
 * pointers banked as the architecture says, and the CPU stops right after
 * it. sim_a64_finish_entry() then makes that IRQ entry the synchronous one
 * the guest took (vector, syndrome, ELR, SPSR) and lowers VI. Called from
 * the interrupt hook, where the CPU is between two instructions.
 *
 * VI is also the line of the virtual GIC's interrupts (switch.c). The two
 * share it safely: the CPU stops right after this entry, before any real
 * interrupt could be taken in its place (the exception is synchronous and
 * comes first), and the next entry raises VI again if the virtual GIC
 * still asserts an interrupt, which the guest then takes once it unmasks
 * IRQs in its handler or returns to EL0. If VI was already high for a
 * real interrupt while PSTATE.I was set at EL0, the IRQ entry taken here is
 * still this exception's, and the real one stays pending in the GIC.
 */
static void enter_from_el0(struct sim_a64 *s, uint64_t pstate, uint64_t esr, uint64_t elr,
			   uint64_t far)
{
	uc_engine *uc = s->c.uc;
	uint64_t unmasked = pstate & ~A64_PSTATE_I;

	s->entry = (struct a64_entry){ .pending = true, .esr = esr, .elr = elr, .far = far,
				       .spsr = pstate };
	uc_reg_write(uc, UC_ARM64_REG_PSTATE, &unmasked);
	sim_a64_set_vi(s, true);
	uc_emu_stop(uc);
}

bool sim_a64_finish_entry(struct sim_a64 *s, struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;

	if (!s->entry.pending)
		return false;
	s->entry.pending = false;
	/* The next entry sets VI again if the virtual GIC has an interrupt (switch.c). */
	sim_a64_set_vi(s, false);
	if ((a->pstate & 0xf) != M_EL1H || a->pc != a->vbar_el1 + VECTOR_IRQ_LOWER) {
		sim_exit_fatal(exit, a->pc,
			       "the simulated CPU did not enter EL1 for an exception taken at EL0 "
			       "(PSTATE 0x%llx, PC 0x%llx)",
			       (unsigned long long)a->pstate, (unsigned long long)a->pc);
		return true;
	}
	a->pc = a->vbar_el1 + vector_offset(s->entry.spsr);
	a->spsr_el1 = s->entry.spsr;
	a->elr_el1 = s->entry.elr;
	a->esr_el1 = s->entry.esr;
	if (s->entry.far != ~0ULL)
		a->far_el1 = s->entry.far;
	return true;
}

/*
 * An abort's exception class says where it was taken from (ARM ARM
 * D17.2.37, ESR_ELx.EC): callers build the current-EL class (0x21, 0x25);
 * taken from EL0 it is the lower-EL one (0x20, 0x24).
 */
static uint64_t syndrome_from(uint64_t esr, uint64_t pstate)
{
	unsigned ec = (unsigned)ESR_EC(esr);

	if ((pstate & 0xf) != M_EL0T || (ec != EC_IABT_CUR && ec != EC_DABT_CUR))
		return esr;
	return esr - ((uint64_t)1 << ESR_EC_SHIFT); /* 0x21 -> 0x20, 0x25 -> 0x24 */
}

/*
 * The injected abort, built for the level the register file had; inside a
 * run the CPU may have changed level since, so the class is made the
 * current-EL one (0x21, 0x25) and syndrome_from() lowers it again if the
 * CPU is at EL0.
 */
bool sim_a64_take_injected(struct sim_a64 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;

	if (!a->inject.pending)
		return false;
	a->inject.pending = false;
	sim_a64_deliver_sync(s, a->inject.esr | (1ULL << ESR_EC_SHIFT), a->pc, a->inject.far);
	return true;
}

bool sim_a64_enter_injected(struct sim_a64 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	uint64_t from = a->pstate;

	if (!a->inject.pending || (from & 0xf) == M_EL0T)
		return false;
	a->inject.pending = false;
	if (storm(s, a->vbar_el1, a->pc, a->inject.esr))
		return true;
	s->c.vcpu->guest_exceptions++;
	if (a->vbar_el1 == 0)
		log_warn("%s: vCPU %u takes a %s exception (ESR 0x%llx, FAR 0x%llx) at PC 0x%llx, "
			 "but VBAR_EL1 is 0: the guest has not installed a vector table",
			 s->c.vcpu->vm->name, s->c.vcpu->id,
			 a64_ec_name((unsigned)ESR_EC(a->inject.esr)),
			 (unsigned long long)a->inject.esr, (unsigned long long)a->inject.far,
			 (unsigned long long)a->pc);
	a->spsr_el1 = from;
	a->elr_el1 = a->pc;
	a->esr_el1 = a->inject.esr;
	a->far_el1 = a->inject.far;
	a->pstate = A64_PSTATE_DAIF | M_EL1H;
	a->pc = a->vbar_el1 + vector_offset(from);
	sim_trace_guest_exception(&s->c, "%s esr=0x%llx elr=0x%llx far=0x%llx -> 0x%llx",
				  a64_ec_name((unsigned)ESR_EC(a->esr_el1)),
				  (unsigned long long)a->esr_el1, (unsigned long long)a->elr_el1,
				  (unsigned long long)a->far_el1, (unsigned long long)a->pc);
	return true;
}

bool sim_a64_deliver_sync(struct sim_a64 *s, uint64_t esr, uint64_t elr, uint64_t far)
{
	uc_engine *uc = s->c.uc;
	uint64_t pstate, vbar, sp, sp_el1;
	uint64_t new_pstate = A64_PSTATE_DAIF | M_EL1H;

	uc_reg_read(uc, UC_ARM64_REG_PSTATE, &pstate);
	uc_reg_read(uc, UC_ARM64_REG_VBAR_EL1, &vbar);
	esr = syndrome_from(esr, pstate);
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
	uint64_t pc = vbar + vector_offset(pstate);
	sim_trace_guest_exception(&s->c, "%s esr=0x%llx elr=0x%llx far=0x%llx -> 0x%llx",
				  a64_ec_name((unsigned)ESR_EC(esr)), (unsigned long long)esr,
				  (unsigned long long)elr, (unsigned long long)(far == ~0ULL ? 0 : far),
				  (unsigned long long)pc);
	if ((pstate & 0xf) == M_EL0T) {
		enter_from_el0(s, pstate, esr, elr, far);
		return true;
	}

	/*
	 * From EL1 the level stays, and writing PSTATE through the API is
	 * enough. Entering EL1h from EL1t switches the stack pointer to
	 * SP_EL1: Unicorn keeps the live SP in one register and the others
	 * banked, and a PSTATE write through the API does not swap them, so
	 * swap them here.
	 */
	if ((pstate & 0xf) != M_EL1H) {
		uc_reg_read(uc, UC_ARM64_REG_SP, &sp);
		uc_reg_read(uc, UC_ARM64_REG_SP_EL1, &sp_el1);
		uc_reg_write(uc, UC_ARM64_REG_SP_EL0, &sp);
	}
	sim_a64_reg_write(uc, SIM_SPSR_EL1, &pstate);
	uc_reg_write(uc, UC_ARM64_REG_ELR_EL1, &elr);
	uc_reg_write(uc, UC_ARM64_REG_ESR_EL1, &esr);
	if (far != ~0ULL)
		uc_reg_write(uc, UC_ARM64_REG_FAR_EL1, &far);
	uc_reg_write(uc, UC_ARM64_REG_PSTATE, &new_pstate);
	if ((pstate & 0xf) != M_EL1H)
		uc_reg_write(uc, UC_ARM64_REG_SP, &sp_el1);
	uc_reg_write(uc, UC_ARM64_REG_PC, &pc);
	return true;
}
