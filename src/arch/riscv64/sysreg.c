/* SPDX-License-Identifier: MIT */
/*
 * RISC-V CSRs a guest's access to which traps to cvisor (Privileged
 * Architecture v1.12, 8.6.1: a CSR instruction in VS-mode that the H
 * extension forbids raises a virtual-instruction exception, which
 * arch/trap.h decodes into an EXIT_SYSREG).
 */
#include <arch/irq.h>
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

/*
 * The guest's `time`: the platform's real-time counter, in ticks of
 * RV_TIMEBASE_HZ (the device tree's timebase-frequency), counting the VM
 * clock (hal_vcpu_clock_ns(): host time, or with the simulator's
 * --clock=virtual the vCPU's own clock, so that runs repeat). The SBI
 * timer compares the same count (irq.c). On hardware a VS-mode read is
 * htimedelta + the host's `time`; with hcounteren.TM clear it traps to
 * the hypervisor instead (Privileged 8.2.5 hcounteren, 8.6.1
 * virtual-instruction exception), which is how cvisor gives it.
 */
static uint64_t guest_time(const struct vcpu *vcpu)
{
	return rv_ns_to_time(hal_vcpu_clock_ns(vcpu));
}

/* A read of `time` is emulated; any other trapped access stops the VM with its name. */
void vcpu_arch_sysreg(struct vcpu *vcpu, struct vcpu_exit *e)
{
	if (e->sysreg.id == RV_CSR_TIME && !e->sysreg.write) {
		e->sysreg.value = guest_time(vcpu);
		return;
	}
	vm_stop(vcpu->vm, VM_FAILED, "hart %u: trapped access to CSR 0x%03x that cvisor does not emulate",
		vcpu->id, e->sysreg.id);
}
