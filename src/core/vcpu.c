/* SPDX-License-Identifier: MIT */
/*
 * The vCPU run loop (axvcpu): enter the guest through the HAL, hand each
 * exit to the dispatcher (exit.c), until the VM stops or the vCPU may no
 * longer run.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

int vcpu_run_loop(struct vcpu *vcpu)
{
	struct vcpu_exit exit = { .reason = EXIT_NONE };

	while (vm_running(vcpu->vm) && vcpu->state == VCPU_RUNNABLE) {
		int rc = hal_vcpu_run(vcpu, &exit);
		if (rc < 0) {
			vm_stop(vcpu->vm, VM_FAILED, "vCPU %u could not run: %s", vcpu->id,
				cv_strerror(rc));
			return rc;
		}
		vcpu_handle_exit(vcpu, &exit);
	}
	return 0;
}
