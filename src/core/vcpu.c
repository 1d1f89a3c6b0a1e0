/* SPDX-License-Identifier: MIT */
/*
 * The vCPU run loop (axvcpu): enter the guest through the HAL, hand each
 * exit to the dispatcher (exit.c), until the VM stops. A vCPU that is off
 * waits on its own thread until a start call (PSCI CPU_ON, SBI
 * hart_start, INIT-SIPI) turns it on; before each entry the vCPU's timers
 * are brought to its clock and the HAL is told when they next need it
 * (docs/interrupts.md).
 */
#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

int vcpu_run_loop(struct vcpu *vcpu)
{
	struct vcpu_exit exit = { .reason = EXIT_NONE };

	while (vm_running(vcpu->vm)) {
		enum vcpu_state st = __atomic_load_n(&vcpu->state, __ATOMIC_ACQUIRE);
		if (st == VCPU_STOPPING) {
			/*
			 * It has left the guest and finished the exit that turned it
			 * off: only now may a start call write its registers.
			 */
			exit.reason = EXIT_NONE;
			__atomic_store_n(&vcpu->state, VCPU_OFF, __ATOMIC_RELEASE);
			continue;
		}
		if (st != VCPU_RUNNABLE) {
			hal_vcpu_wait(vcpu, CLOCK_NEVER);
			/* A vCPU started again begins afresh: its last exit is not completed. */
			exit.reason = EXIT_NONE;
			continue;
		}
		hal_vcpu_set_deadline(vcpu, vcpu_arch_timers(vcpu, hal_vcpu_clock_ns(vcpu)));
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

int vcpu_power_on(struct vcpu *vcpu, gpa_t entry, uint64_t context)
{
	// LAB 6 BEGIN: start a vCPU that is off in vcpu_power_on()
	enum vcpu_state off = VCPU_OFF;

	/* Claim it first, so two start calls for one vCPU cannot both write its registers. */
	if (!__atomic_compare_exchange_n(&vcpu->state, &off, VCPU_STARTING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return off == VCPU_STARTING ? -CV_EBUSY : -CV_EEXIST;
	/* Its thread waits while it is not runnable: the register file is ours. */
	vcpu_arch_start(vcpu, entry, context);
	__atomic_store_n(&vcpu->state, VCPU_RUNNABLE, __ATOMIC_RELEASE);
	hal_vcpu_notify(vcpu);
	return 0;
	// LAB 6 STUB
	// (void)vcpu;
	// (void)entry;
	// (void)context;
	// LAB_TODO(6, "start a vCPU that is off in vcpu_power_on() (labs/6-smp/README.md)");
	// return -CV_ENOTSUP;
	// LAB 6 END
}

unsigned vm_vcpus_on(const struct vm *vm)
{
	unsigned n = 0;

	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (__atomic_load_n(&vm->vcpus[i]->state, __ATOMIC_ACQUIRE) != VCPU_OFF)
			n++;
	return n;
}

void vcpu_power_off(struct vcpu *vcpu, const char *why)
{
	// LAB 6 BEGIN: turn a vCPU off, and the VM with the last one, in vcpu_power_off()
	const struct vm *vm = vcpu->vm;

	/* Off once its own run loop sees it (vcpu_run_loop()). */
	__atomic_store_n(&vcpu->state, VCPU_STOPPING, __ATOMIC_RELEASE);
	/* The last one on (being stopped counts as off here, so two at once still end the VM). */
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		enum vcpu_state st = __atomic_load_n(&vm->vcpus[i]->state, __ATOMIC_ACQUIRE);
		if (st == VCPU_RUNNABLE || st == VCPU_STARTING)
			return;
	}
	vm_stop(vcpu->vm, VM_OFF, "%s", why);
	// LAB 6 STUB
	// (void)vcpu;
	// (void)why;
	// LAB_TODO(6, "turn a vCPU off in vcpu_power_off() (labs/6-smp/README.md)");
	// LAB 6 END
}
