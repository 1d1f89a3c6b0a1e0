/* SPDX-License-Identifier: MIT */
/*
 * The HAL's vCPU functions in the simulator: each vCPU is a simulated CPU
 * of src/sim/ (sim.h), created with the options of the command line. The
 * core's run loop calls hal_vcpu_run() on the vCPU's own host thread.
 */
#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "../sim/sim.h"
#include "hal_sim.h"

struct sim_config hal_sim_config = { .storm_limit = 64 };

int hal_vcpu_init(struct vcpu *vcpu)
{
	struct sim_cpu *c;
	struct sim_config cfg = hal_sim_config;
	const struct hal_sim_vm *hv = vcpu->vm->hal;

	/* The vCPUs of a VM take turns in the guest (cpu.c); one alone needs no turn, nor its lock. */
	cfg.group = hv && vcpu->vm->nvcpus > 1 ? hv->cpus : NULL;
	int rc = sim_cpu_create(vcpu, &cfg, &c);

	if (rc == 0)
		vcpu->hal = c;
	return rc;
}

void hal_vcpu_destroy(struct vcpu *vcpu)
{
	sim_cpu_destroy(vcpu->hal);
	vcpu->hal = NULL;
}

/*
 * Completes the exit the core handled (results into the register file),
 * then runs the guest until its CPU stops: the second path of an exit
 * (docs/simulator.md, "Two paths of an exit").
 */
int hal_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	if (!vcpu->hal)
		return -CV_EINVAL;
	vcpu_arch_complete_exit(vcpu, exit);
	hal_sim_timeline_run_begin(vcpu);
	int rc = hal_sim_gdb_run(vcpu, exit);
	hal_sim_timeline_run_end(vcpu, exit);
	return rc;
}

void hal_vcpu_kick(struct vcpu *vcpu)
{
	if (vcpu->hal)
		sim_cpu_kick(vcpu->hal);
}

uint64_t hal_vcpu_clock_ns(const struct vcpu *vcpu)
{
	return vcpu->hal ? sim_cpu_clock_ns(vcpu->hal) : 0;
}

void hal_vcpu_set_deadline(struct vcpu *vcpu, uint64_t deadline)
{
	if (vcpu->hal)
		sim_cpu_set_deadline(vcpu->hal, deadline);
}

void hal_vcpu_notify(struct vcpu *vcpu)
{
	if (vcpu->hal)
		sim_cpu_notify(vcpu->hal);
}

void hal_vcpu_wait(struct vcpu *vcpu, uint64_t deadline)
{
	if (vcpu->hal)
		hal_sim_gdb_wait(vcpu, deadline);
}

/* Every vCPU of the VM follows the change of [gpa, gpa + size) before it runs again. */
void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->hal)
			sim_cpu_stage2_changed(vm->vcpus[i]->hal, gpa, size);
}

/* An exit taken inside a hook of the simulated CPU: the first path of an exit. */
void sim_host_exit(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	hal_sim_timeline_exit(vcpu, exit, false);
	vcpu_handle_exit(vcpu, exit);
	hal_sim_timeline_exit(vcpu, exit, true);
}
