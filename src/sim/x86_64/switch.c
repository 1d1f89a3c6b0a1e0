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
 * it was being stopped (hooks.c). Then the external interrupt the local
 * APIC presents (arch/irq.h), as the processor takes it (SDM Vol. 3A,
 * 6.8.1, 6.14): only with RFLAGS.IF = 1 and outside an STI or MOV SS
 * shadow (6.8.3), through the IDT like an exception, with no error code
 * and the frame's RIP at the next instruction; the APIC moves it from IRR
 * to ISR (INTA).
 *
 * A vector presented while the guest cannot take it asks for an
 * interrupt window (VMX's "interrupt-window exiting", SDM Vol. 3C,
 * 25.6.2): a block hook, added only then, stops the CPU at the first
 * block that starts with IF = 1 outside a shadow. IF becomes 1 only
 * through STI, POPF or IRET, and QEMU ends a translation block after each,
 * and after the one instruction an STI or MOV SS shadows: so the CPU
 * stops right after the instruction that opened the window.
 *
 * A start-up IPI's vCPU (vcpu->arch.real_mode_start) gets its real-mode
 * state here, before its first entry (qstate.c).
 *
 * Calls exc.c, mmu.c, qstate.c and insn.c (a code hook on every address
 * outside long mode) for that; sim_x86_save and sim_x86_restore call nothing.
 */
#include <arch/irq.h>
#include <arch/stage1.h>
#include <arch/sysreg.h>

#include "cpu.h"

#define RFLAGS_IF (1ULL << 9)

const int sim_x86_gpr_ids[16] = {
	UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
	UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
	UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
	UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

/*
 * The registers an entry writes and an exit reads, in one call each: every
 * VMCALL, HLT and port access takes both, and a call per register cost
 * more than the rest of the exit.
 */
static int file_regs(struct vcpu_arch *a, int ids[X86_NGPRS + 2], void *vals[X86_NGPRS + 2])
{
	for (int i = 0; i < X86_NGPRS; i++) {
		ids[i] = sim_x86_gpr_ids[i];
		vals[i] = &a->gpr[i];
	}
	ids[X86_NGPRS] = UC_X86_REG_RIP;
	vals[X86_NGPRS] = &a->rip;
	ids[X86_NGPRS + 1] = UC_X86_REG_RFLAGS;
	vals[X86_NGPRS + 1] = &a->rflags;
	return X86_NGPRS + 2;
}

void sim_x86_save(struct sim_x86 *s)
{
	int ids[X86_NGPRS + 2];
	void *vals[X86_NGPRS + 2];

	uc_reg_read_batch(s->c.uc, ids, vals, file_regs(&s->c.vcpu->arch, ids, vals));
}

void sim_x86_restore(struct sim_x86 *s)
{
	int ids[X86_NGPRS + 2];
	void *vals[X86_NGPRS + 2];

	uc_reg_write_batch(s->c.uc, ids, vals, file_regs(&s->c.vcpu->arch, ids, vals));
}

/*
 * Unicorn's EFER follows the register file's (SCE for SYSCALL, LME for a
 * trampoline; LMA is the processor's: mmu.c sets it); its NXE changes the
 * shadow's pages.
 */
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

/*
 * The state a start-up IPI gives (SDM Vol. 3A, table 9-1): real mode, CS
 * from the vector, CR0 without PE and PG, CR3, CR4 and EFER clear, the
 * GDT and IDT at 0 with limit 0xffff, no shadow mapping left. False if
 * the simulated CPU cannot be put there (QEMU's state not found).
 */
static bool enter_real_mode(struct sim_x86 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	uc_x86_mmr table = { .base = 0, .limit = 0xffff };
	uint64_t cr0 = a->cr0 & ~X86_CR0_PG, zero = 0;

	uc_reg_write(s->c.uc, UC_X86_REG_CR4, &zero);
	uc_reg_write(s->c.uc, UC_X86_REG_CR3, &zero);
	uc_reg_write(s->c.uc, UC_X86_REG_CR0, &cr0);
	uc_reg_write(s->c.uc, UC_X86_REG_GDTR, &table);
	uc_reg_write(s->c.uc, UC_X86_REG_IDTR, &table);
	sim_x86_shadow_drop_all(s);
	s->event_pending = false;
	return sim_x86_qstate_real_mode(s, a->start_cs);
}

/* The interrupt window's block hook: stops at a block that starts with IF = 1 outside a shadow. */
static void on_window(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_x86 *s = user;
	uint64_t rflags = 0;

	(void)addr;
	(void)size;
	uc_reg_read(uc, UC_X86_REG_RFLAGS, &rflags);
	if ((rflags & RFLAGS_IF) && !sim_x86_qstate_irq_shadow(s)) {
		s->window_stop = true;
		uc_emu_stop(uc);
	}
}

/* Adds or removes the window's hook: wanted while a vector waits for IF. */
static void want_window(struct sim_x86 *s, bool want)
{
	if (want == s->window_open)
		return;
	if (want)
		want = uc_hook_add(s->c.uc, &s->window, UC_HOOK_BLOCK, (void *)on_window, s, 1, 0) ==
		       UC_ERR_OK;
	else
		uc_hook_del(s->c.uc, s->window);
	s->window_open = want;
}

/*
 * The external interrupt the local APIC presents, if the guest takes it
 * now (6.8.1): delivered through the IDT with RIP at the next
 * instruction; else the window is opened for it.
 */
static void deliver_interrupt(struct sim_x86 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;

	/* Outside long mode (a start-up trampoline) there is no 64-bit IDT: it waits. */
	if (!vm_running(s->c.vcpu->vm) || !(a->efer & X86_EFER_LMA) ||
	    x86_irq_pending(s->c.vcpu) < 0) {
		want_window(s, false);
		return;
	}
	if (!(a->rflags & RFLAGS_IF) || sim_x86_qstate_irq_shadow(s)) {
		want_window(s, true);
		return;
	}
	want_window(s, false);
	int vector = x86_irq_ack(s->c.vcpu);
	if (vector < 0)
		return;
	struct x86_event ev = { .vector = (unsigned)vector, .external = true };
	if (sim_x86_deliver(s, &ev, a->rip)) {
		sim_x86_save(s);
		return;
	}
	struct vcpu_exit exit;
	if (sim_cpu_take_pending(&s->c, &exit))
		sim_host_exit(s->c.vcpu, &exit);
}

uint64_t sim_arch_enter(struct sim_cpu *c)
{
	struct sim_x86 *s = (struct sim_x86 *)c;
	struct vcpu_arch *a = &c->vcpu->arch;

	if (a->real_mode_start) {
		a->real_mode_start = false;
		if (!enter_real_mode(s))
			vm_stop(c->vcpu->vm, VM_FAILED,
				"vCPU %u: the simulated CPU cannot be put in real mode for its start-up "
				"IPI (QEMU's EFER not found)",
				c->vcpu->id);
	}
	sim_x86_restore(s);
	sync_efer(s);
	sim_x86_insn_legacy(s, !(a->efer & X86_EFER_LMA));
	sim_x86_shadow_enter(s);
	deliver_event(s);
	/* A debugger's step runs with interrupts held back, as QEMU's gdbstub steps. */
	if (!s->event_pending && !a->inject.valid && !c->dbg.step)
		deliver_interrupt(s);
	return c->vcpu->arch.rip;
}

void sim_arch_leave(struct sim_cpu *c)
{
	sim_x86_save((struct sim_x86 *)c);
}
