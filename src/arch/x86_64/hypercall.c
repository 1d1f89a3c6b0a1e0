/* SPDX-License-Identifier: MIT */
/*
 * Calls an x86_64 guest makes to cvisor with VMCALL (SDM Vol. 3C, 26.1.3
 * "Instructions That Cause VM Exits Unconditionally"): the same calls as
 * on every architecture (docs/hypercalls.md). x86 has no firmware call
 * standard here: power off goes through the ACPI PM1a port (platform.c).
 */
#include <arch/hypercall.h>

#include <cvisor/arch.h>
#include <cvisor/vm.h>

/*
 * cvisor's VMCALL ABI (docs/hypercalls.md): RAX = the call number, RBX,
 * RCX, RDX = arguments, the result in RAX; other registers are preserved.
 */
void vcpu_arch_hypercall(struct vcpu *vcpu, struct vcpu_exit *e)
{
	const uint64_t *a = e->hypercall.args; /* X86_HYPERCALL_ARG_REGS */
	hypercall_handle(vcpu, a[0], &a[1], &e->hypercall.ret[0]);
}

