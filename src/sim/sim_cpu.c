/* SPDX-License-Identifier: MIT */
/**
 * @file sim_cpu.c
 * @brief The HAL's vCPU functions every simulated architecture shares:
 *        the world switch around uc_emu_start(), kicks, and teardown.
 */
#include <stdlib.h>
#include <string.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "sim_cpu.h"

/* uc_emu_start needs an end address; no guest executes this one. */
#define NEVER_PC 0xfffffffffffffffcULL

void sim_cpu_set_pending(struct sim_cpu *c, const struct vcpu_exit *exit)
{
	c->pending = *exit;
	c->have_pending = true;
	uc_emu_stop(c->uc);
}

/*
 * The world switch: complete the exit the core handled, put the register
 * file into the CPU ("ERET"), run until something stops it, take the
 * registers back ("trap") and say why it stopped. Exits resolved inside
 * Unicorn's hooks (device accesses, hypercalls...) never come back here.
 */
int hal_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct sim_cpu *c = vcpu->hal;

	if (!c)
		return -CV_EINVAL;
	vcpu_arch_complete_exit(vcpu, exit);
	uint64_t start = sim_arch_enter(c);
	memset(exit, 0, sizeof(*exit));
	if (c->kicked || !vm_running(vcpu->vm)) {
		c->kicked = false;
		return 0;
	}
	if (__atomic_exchange_n(&c->s2_changed, false, __ATOMIC_ACQ_REL)) {
		int rc = sim_arch_stage2_changed(c);
		if (rc < 0) {
			exit->reason = EXIT_FATAL;
			exit->pc = start;
			cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg),
				    "the simulated CPU's memory map could not follow a stage-2 change (%s)",
				    cv_strerror(rc));
			return 0;
		}
	}
	uc_err err = uc_emu_start(c->uc, start, NEVER_PC, 0, 0);
	sim_arch_leave(c);
	sim_arch_classify(c, err, exit);
	c->kicked = false;
	return 0;
}

void hal_vcpu_kick(struct vcpu *vcpu)
{
	struct sim_cpu *c = vcpu->hal;
	if (!c)
		return;
	c->kicked = true;
	uc_emu_stop(c->uc);
}

void hal_vcpu_destroy(struct vcpu *vcpu)
{
	struct sim_cpu *c = vcpu->hal;
	if (!c)
		return;
	if (c->uc)
		uc_close(c->uc);
	free(c);
	vcpu->hal = NULL;
}

/*
 * Unicorn's map is built from stage 2 (uc_map.c), so it must follow a
 * change, like a TLB invalidation on hardware. Every vCPU of the VM leaves
 * the guest (the one making the change included: it is inside a hook) and
 * rebuilds its RAM map before it runs again, on its own thread.
 */
void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size)
{
	(void)gpa;
	(void)size; /* the whole RAM map is rebuilt: changes are rare */
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct sim_cpu *c = vm->vcpus[i] ? vm->vcpus[i]->hal : NULL;
		if (!c)
			continue;
		__atomic_store_n(&c->s2_changed, true, __ATOMIC_RELEASE);
		hal_vcpu_kick(vm->vcpus[i]);
	}
}
