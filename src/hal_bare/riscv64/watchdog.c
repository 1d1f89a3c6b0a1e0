/* SPDX-License-Identifier: MIT */
/**
 * @file watchdog.c
 * @brief What cvisor's tick looks for in a guest that never exits: the
 *        exception storm. (The time limit, make qemu MAX_SECONDS=N, is
 *        per VM: main.c's bare_time_limits(), on the boot hart's tick.)
 *
 * In the simulator every guest exception passes through cvisor; under
 * the H extension a guest's own exceptions (its page faults, illegal
 * instructions, breakpoints, ecalls from VU-mode) are delegated to
 * VS-mode (hedeleg) and never reach HS-mode, so a guest looping on its
 * own faults is seen only by sampling it. A storm is the guest found,
 * tick after tick (of the hart it runs on, while it runs), executing at
 * its trap vector (the first 0x100 bytes from vstvec's base, enough for a
 * handler that does nothing but return or fault again) with vsepc, where
 * its last exception came from, there too.
 */
#include <arch/trap.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "../hal_bare.h"
#include "hal_arch.h"

/* Ticks in a row (of 1/TICK_HZ s) at the trap vector that make a storm. */
#define STORM_TICKS 20
#define VECTOR_SPAN 0x100

void watchdog_tick(struct vcpu *vcpu, struct watchdog *w)
{
	const struct vcpu_arch *a = &vcpu->arch;
	uint64_t base = a->stvec & ~3ULL, pc = a->pc, epc = a->sepc;
	bool in_vector = pc - base < VECTOR_SPAN && epc - base < VECTOR_SPAN;

	w->storm_ticks = in_vector ? w->storm_ticks + 1 : 0;
	if (w->storm_ticks >= STORM_TICKS)
		vm_stop(vcpu->vm, VM_FAILED,
			"exception storm: for %u ms the guest kept taking exceptions at its own "
			"trap vector (stvec 0x%llx); last scause 0x%llx (%s) from sepc 0x%llx",
			STORM_TICKS * 1000 / TICK_HZ, (unsigned long long)a->stvec,
			(unsigned long long)a->scause, rv_cause_name(a->scause),
			(unsigned long long)epc);
}
