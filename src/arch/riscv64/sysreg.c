/* SPDX-License-Identifier: MIT */
/*
 * RISC-V CSRs a guest's access to which traps to cvisor (Privileged
 * Architecture v1.12, 8.6.1: a CSR instruction in VS-mode that the H
 * extension forbids raises a virtual-instruction exception, which
 * arch/trap.h decodes into an EXIT_SYSREG).
 */
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/vm.h>

/* No CSR is trapped and emulated yet: a trapped access stops the VM with its name. */
void vcpu_arch_sysreg(struct vcpu *vcpu, struct vcpu_exit *e)
{
	vm_stop(vcpu->vm, VM_FAILED, "hart %u: trapped access to CSR 0x%03x that cvisor does not emulate",
		vcpu->id, e->sysreg.id);
}
