/* SPDX-License-Identifier: MIT */
/*
 * The simulated x86_64 CPU: private state shared by the files of
 * src/sim/x86_64/.
 */
#ifndef SIM_X86_H
#define SIM_X86_H

#include <unicorn/unicorn.h>

#include <cvisor/exit.h>
#include <cvisor/vm.h>

#include "../sim_cpu.h"

struct sim_x86 {
	struct sim_cpu c;            /* first: vcpu->hal points here */
	uc_hook hooks[8];
	unsigned nhooks;
	unsigned storm_count;
};

/* Registers between Unicorn and the register file. */
void sim_x86_save(struct sim_x86 *s);
void sim_x86_restore(struct sim_x86 *s);
/* Delivers exception vector to the guest through its IDT (from a hook or
 * between runs). has_error: push error. Returns false if it stopped the VM. */
bool sim_x86_deliver(struct sim_x86 *s, unsigned vector, uint64_t rip, bool has_error,
		     uint64_t error);

#endif
