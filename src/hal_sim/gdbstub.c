/* SPDX-License-Identifier: MIT */
/*
 * The gdb stub: a GDB remote serial protocol server for the first VM of a
 * run. Not written yet: vCPUs run as without it.
 */
#include <stdio.h>

#include <cvisor/vm.h>

#include "../sim/sim.h"
#include "hal_sim.h"

int hal_sim_gdb_start(struct vm *vm, const char *addr, bool wait)
{
	(void)vm;
	(void)wait;
	fprintf(stderr, "cvisor: --gdb=%s: not available yet\n", addr);
	return -1;
}

void hal_sim_gdb_stop(void)
{
}

int hal_sim_gdb_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	return sim_cpu_run(vcpu->hal, exit);
}

void hal_sim_gdb_wait(struct vcpu *vcpu, uint64_t deadline)
{
	sim_cpu_wait(vcpu->hal, deadline);
}
