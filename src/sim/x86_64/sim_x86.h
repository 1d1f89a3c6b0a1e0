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

#include "../uc_map.h"

struct sim_x86 {
	uc_engine *uc;
	struct vcpu *vcpu;
	struct sim_map map;
	uc_hook hooks[8];
	unsigned nhooks;
	struct vcpu_exit pending;    /* a stop-type exit for hal_vcpu_run() to return */
	bool have_pending;
	volatile bool kicked;
	bool started;
	unsigned storm_count;
};

/* Registers between Unicorn and the register file. */
void sim_x86_save(struct sim_x86 *s);
void sim_x86_restore(struct sim_x86 *s);
/* A stop-type exit for hal_vcpu_run() to return; stops the CPU. */
void sim_x86_set_pending(struct sim_x86 *s, const struct vcpu_exit *exit);
/* Delivers exception vector to the guest through its IDT (from a hook or
 * between runs). has_error: push error. Returns false if it stopped the VM. */
bool sim_x86_deliver(struct sim_x86 *s, unsigned vector, uint64_t rip, bool has_error,
		     uint64_t error);

#endif
