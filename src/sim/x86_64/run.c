/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 part of hal_vcpu_run() (src/sim/sim_cpu.c): the world switch. The
 * general registers, RIP and RFLAGS go into Unicorn and come back; control
 * registers stay in Unicorn. Exits resolved inside hooks (port I/O,
 * CPUID, EPT violations) never come back here; VMCALL, HLT and the rest
 * that stop the CPU do.
 */
#include <string.h>

#include <arch/trap.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "sim_x86.h"


/* Why did uc_emu_start return? Fills *exit; the registers are saved. */
static void classify_stop(struct sim_x86 *s, uc_err err, struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	uint8_t insn[3] = { 0, 0, 0 };

	if (s->c.have_pending) {
		*exit = s->c.pending;
		s->c.have_pending = false;
		a->rip = exit->pc;
		if (exit->reason == EXIT_FATAL || exit->reason == EXIT_STAGE2_FAULT)
			sim_x86_shadow_report(s); /* the VM is about to stop */
		return;
	}
	if (!vm_running(s->c.vcpu->vm) || s->c.kicked) {
		sim_x86_shadow_report(s);
		return;
	}
	if (sim_x86_shadow_deliver_pending(s)) {
		if (s->c.have_pending)
			classify_stop(s, UC_ERR_OK, exit);
		return;
	}
	/* The code at RIP is normally shadow-mapped: read it there, else walk. */
	if (uc_mem_read(s->c.uc, a->rip, insn, 3) != UC_ERR_OK)
		sim_x86_read_gva(s, a->rip, insn, 3);
	bool vmcall = insn[0] == 0x0f && insn[1] == 0x01 && insn[2] == 0xc1;
	bool ud2 = insn[0] == 0x0f && insn[1] == 0x0b;
	/*
	 * Unicorn stops at an instruction it cannot run with UC_ERR_INSN_INVALID,
	 * but when such an instruction begins a translation block it has seen
	 * before, it returns UC_ERR_OK with RIP at it (measured): both mean the same.
	 */
	if (err == UC_ERR_INSN_INVALID || (err == UC_ERR_OK && (vmcall || ud2))) {
		if (vmcall) {
			struct vmx_exit_info info = { .reason = VMX_EXIT_VMCALL, .insn_len = 3,
						      .rip = a->rip };
			vmx_decode_exit(&info, exit);
			vmx_exit_fill_operands(exit, a->gpr);
			return;
		}
		/* UD2 and other undefined opcodes: #UD for the guest. */
		sim_x86_deliver(s, 6, a->rip, false, 0);
		sim_x86_save(s);
		if (s->c.have_pending)
			classify_stop(s, UC_ERR_OK, exit);
		return;
	}
	if (err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT) {
		struct vmx_exit_info info = { .reason = VMX_EXIT_EPT_VIOLATION,
					      .qualification = 4 | (1u << 7) | (1u << 8),
					      .guest_phys = a->rip, .guest_linear = a->rip,
					      .rip = a->rip };
		vmx_decode_exit(&info, exit);
		exit->s2fault.size = 1;
		return;
	}
	if (err != UC_ERR_OK) {
		exit->reason = EXIT_FATAL;
		exit->pc = a->rip;
		cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg), "simulated CPU stopped: %s",
			    uc_strerror(err));
		return;
	}
	if (uc_mem_read(s->c.uc, a->rip - 1, insn, 1) != UC_ERR_OK)
		sim_x86_read_gva(s, a->rip - 1, insn, 1);
	if (insn[0] == 0xf4) { /* HLT: Unicorn stops after it */
		struct vmx_exit_info info = { .reason = VMX_EXIT_HLT, .insn_len = 1, .rip = a->rip - 1 };
		vmx_decode_exit(&info, exit);
		a->rip -= 1;
		return;
	}
	exit->reason = EXIT_FATAL;
	exit->pc = a->rip;
	cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg), "simulated CPU stopped for no known reason");
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

void sim_arch_classify(struct sim_cpu *c, uc_err err, struct vcpu_exit *exit)
{
	classify_stop((struct sim_x86 *)c, err, exit);
}

int sim_arch_stage2_changed(struct sim_cpu *c)
{
	/* The shadow's host pages may be stale: fill again from the new tables. */
	sim_x86_shadow_drop_all((struct sim_x86 *)c);
	return 0;
}
