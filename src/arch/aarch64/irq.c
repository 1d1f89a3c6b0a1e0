/* SPDX-License-Identifier: MIT */
/*
 * Interrupts, timers and secondary vCPUs of this architecture
 * (cvisor/arch.h): none are modelled yet, so no interrupt is ever
 * pending, no timer is armed, and a start call leaves a vCPU in its reset
 * state at the entry.
 */
#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

/*
 * PSCI CPU_ON's entry state (Arm DEN0022 6.4 "Implementation
 * responsibilities", CPU_ON): PC = entry, x0 = context_id, the other
 * registers as at reset, EL1h with D, A, I and F masked, the MMU and the
 * caches off (SCTLR_EL1 at its reset value), the vCPU's own MPIDR_EL1.
 */
void vcpu_arch_start(struct vcpu *vcpu, gpa_t entry, uint64_t context)
{
	vcpu_arch_reset(vcpu, entry, GPA_INVALID);
	vcpu->arch.x[0] = context;
}

uint64_t vcpu_arch_timers(struct vcpu *vcpu, uint64_t now)
{
	(void)vcpu;
	(void)now;
	return CLOCK_NEVER;
}

bool vcpu_arch_irq_wakes(const struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

bool vcpu_arch_irq_possible(const struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}
