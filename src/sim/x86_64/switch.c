/* SPDX-License-Identifier: MIT */
/*
 * Entering and leaving the simulated x86_64 guest: the world switch.
 *
 * Entering writes the general registers, RIP and RFLAGS of the register
 * file (vcpu->arch) into Unicorn, as VM entry loads the guest-state area
 * of the VMCS; leaving reads them back, as a VM exit saves them. Control
 * registers stay in Unicorn (and CR0, CR3, CR4 in the register file too,
 * kept by the shadow's intercepts, mmu.c), but for EFER, which the
 * hypervisor emulates (WRMSR exits) and entry copies into Unicorn.
 *
 * Entry also delivers an event, as VM entry does with event injection
 * (SDM Vol. 3C, 27.6): one the hypervisor injects (vcpu->arch.inject, a
 * #GP for an MSR it does not emulate), or an exception the CPU took while
 * it was being stopped (hooks.c).
 *
 * Calls exc.c and mmu.c for that; sim_x86_save and sim_x86_restore call nothing.
 */
#include <arch/sysreg.h>

#include "cpu.h"

const int sim_x86_gpr_ids[16] = {
	UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
	UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
	UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
	UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

void sim_x86_save(struct sim_x86 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	for (int i = 0; i < X86_NGPRS; i++)
		uc_reg_read(s->c.uc, sim_x86_gpr_ids[i], &a->gpr[i]);
	uc_reg_read(s->c.uc, UC_X86_REG_RIP, &a->rip);
	uc_reg_read(s->c.uc, UC_X86_REG_RFLAGS, &a->rflags);
}

void sim_x86_restore(struct sim_x86 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	for (int i = 0; i < X86_NGPRS; i++)
		uc_reg_write(s->c.uc, sim_x86_gpr_ids[i], &a->gpr[i]);
	uc_reg_write(s->c.uc, UC_X86_REG_RIP, &a->rip);
	uc_reg_write(s->c.uc, UC_X86_REG_RFLAGS, &a->rflags);
}

/* Unicorn's EFER follows the register file's (SCE for SYSCALL); its NXE changes the shadow's pages. */
static void sync_efer(struct sim_x86 *s)
{
	uc_x86_msr efer = { .rid = X86_MSR_EFER };

	uc_reg_read(s->c.uc, UC_X86_REG_MSR, &efer);
	if (efer.value == s->c.vcpu->arch.efer)
		return;
	efer.value = s->c.vcpu->arch.efer;
	uc_reg_write(s->c.uc, UC_X86_REG_MSR, &efer);
	sim_x86_shadow_drop_all(s);
}

/* Delivers the event injected or left pending, if any, and the VM still runs. */
static void deliver_event(struct sim_x86 *s)
{
	struct x86_inject *inj = &s->c.vcpu->arch.inject;

	if (inj->valid) {
		s->event = (struct x86_event){ .vector = inj->vector, .has_error = inj->has_error,
					       .error = inj->error };
		s->event_rip = s->c.vcpu->arch.rip;
		s->event_pending = true;
		inj->valid = false;
	}
	if (!s->event_pending)
		return;
	s->event_pending = false;
	if (!vm_running(s->c.vcpu->vm))
		return;
	if (sim_x86_deliver(s, &s->event, s->event_rip)) {
		sim_x86_save(s);
		return;
	}
	/* It could not be delivered (a triple fault, a storm): the exit it left, handled now. */
	struct vcpu_exit exit;
	if (sim_cpu_take_pending(&s->c, &exit))
		sim_host_exit(s->c.vcpu, &exit);
}

uint64_t sim_arch_enter(struct sim_cpu *c)
{
	struct sim_x86 *s = (struct sim_x86 *)c;

	sim_x86_restore(s);
	sync_efer(s);
	deliver_event(s);
	return c->vcpu->arch.rip;
}

void sim_arch_leave(struct sim_cpu *c)
{
	sim_x86_save((struct sim_x86 *)c);
}
