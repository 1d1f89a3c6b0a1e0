/* SPDX-License-Identifier: MIT */
/*
 * Entering and leaving the simulated x86_64 guest: the world switch.
 *
 * Entering writes the general registers, RIP and RFLAGS of the register
 * file (vcpu->arch) into Unicorn, as VM entry loads the guest-state area
 * of the VMCS; leaving reads them back, as a VM exit saves them. Control
 * registers stay in Unicorn (and CR0, CR3, CR4 in the register file too,
 * kept by the shadow's intercepts, mmu.c).
 *
 * The lowest file of src/sim/x86_64/: it calls no other.
 */
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

uint64_t sim_arch_enter(struct sim_cpu *c)
{
	sim_x86_restore((struct sim_x86 *)c);
	return c->vcpu->arch.rip;
}

void sim_arch_leave(struct sim_cpu *c)
{
	sim_x86_save((struct sim_x86 *)c);
}
