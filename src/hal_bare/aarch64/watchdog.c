/* SPDX-License-Identifier: MIT */
/**
 * @file watchdog.c
 * @brief What cvisor's tick looks for in a guest that never exits: the
 *        exception storm. (The time limit, make qemu MAX_SECONDS=N, is
 *        per VM: main.c's bare_time_limits(), on the boot CPU's tick.)
 *
 * In the simulator every guest exception passes through cvisor; on
 * hardware a guest's own exceptions (SVC, BRK, undefined instructions) are
 * taken at EL1 and never reach EL2, so a guest looping on its own faults
 * is seen only by sampling it. A storm is the guest found, tick after
 * tick (of the CPU it runs on, while it runs), executing in its vector
 * table (0x800 bytes from VBAR_EL1, ARM ARM D1.10) with ELR_EL1, where
 * its last exception came from, in the vector table too.
 */
#include <arch/trap.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "../hal_bare.h"
#include "hal_arch.h"

/* Ticks in a row (of 1/TICK_HZ s) inside the vector table that make a storm. */
#define STORM_TICKS 20

void watchdog_tick(struct vcpu *vcpu, struct watchdog *w)
{
	uint64_t vbar = vcpu->arch.vbar_el1, pc = vcpu->arch.pc, elr = vcpu->arch.elr_el1;
	uint64_t esr = vcpu->arch.esr_el1;
	bool in_vectors = pc - vbar < 0x800 && elr - vbar < 0x800;

	w->storm_ticks = in_vectors ? w->storm_ticks + 1 : 0;
	if (w->storm_ticks >= STORM_TICKS)
		vm_stop(
		    vcpu->vm, VM_FAILED,
		    "exception storm: for %u ms the guest kept taking exceptions inside its own "
		    "vector table (VBAR_EL1 0x%llx); last ESR_EL1 0x%llx (EC 0x%02x %s) from "
		    "ELR_EL1 0x%llx",
		    STORM_TICKS * 1000 / TICK_HZ, (unsigned long long)vbar, (unsigned long long)esr,
		    (unsigned)ESR_EC(esr), a64_ec_name((unsigned)ESR_EC(esr)),
		    (unsigned long long)elr);
}
