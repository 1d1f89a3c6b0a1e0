/* SPDX-License-Identifier: MIT */
/*
 * --timeline=FILE: each vCPU's runs and exits as Chrome trace-event JSON.
 * Not written yet: the calls are in place and record nothing.
 */
#include <stdio.h>

#include <cvisor/vm.h>

#include "hal_sim.h"

int hal_sim_timeline_open(const char *path)
{
	fprintf(stderr, "cvisor: --timeline=%s: not available yet\n", path);
	return -1;
}

void hal_sim_timeline_run_begin(const struct vcpu *vcpu)
{
	(void)vcpu;
}

void hal_sim_timeline_run_end(const struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	(void)vcpu;
	(void)exit;
}

void hal_sim_timeline_exit(const struct vcpu *vcpu, const struct vcpu_exit *exit, bool end)
{
	(void)vcpu;
	(void)exit;
	(void)end;
}

void hal_sim_timeline_close(void)
{
}
