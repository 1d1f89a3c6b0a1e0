/* SPDX-License-Identifier: MIT */
/*
 * The simulated x86 virtualization hardware: a Unicorn x86_64 CPU runs
 * the guest in 64-bit mode, and what the guest does, as Unicorn's hooks
 * and stops report it, becomes the VM exit VMX would give (Intel SDM Vol.
 * 3C, chapter 28).
 *
 *   guest does             Unicorn reports              cvisor sees
 *   IN / OUT               instruction hook             exit reason 30, I/O qualification
 *   INS / OUTS             code hook (insn.c)           exit reason 30, string bit: refused
 *   RDMSR / WRMSR          code hook (insn.c)           exit reasons 31 / 32
 *   RDTSC                  code hook (insn.c)           exit reason 16
 *   MOV CR, INVLPG         code hook (insn.c)           (the shadow's: mmu.c)
 *   CPUID                  instruction hook             exit reason 10
 *   load/store to no RAM   shadow fill fails (mmu.c)    exit reason 48, EPT violation
 *   load/store to a device MMIO page callback (mmu.c)  an MMIO exit (from reason 48)
 *   load/store, APIC page  MMIO page callback (mmu.c)  exit reason 44, APIC access
 *   VMCALL                 uc_emu_start: invalid insn   exit reason 18
 *   HLT                    uc_emu_start returns         exit reason 12
 *   its own #PF            shadow fill fails (mmu.c)    (the guest's own: through its IDT)
 *   (a shadow miss)        interrupt hook: #PF           nothing: filled, the access runs again
 *   int3, ud2, faults      interrupt hook / stop        (the guest's own: through its IDT)
 *   (an interrupt waits)   block hook stops (switch.c)  nothing: delivered at entry (switch.c)
 *
 * The exit-information fields are filled as VMX would and decoded by
 * vmx_decode_exit(), the bare HAL's decoder to be. Exits from a callback
 * (IN/OUT, CPUID) are taken there, in the middle of the instruction
 * (sim_cpu_exit_now()); exits that stop the CPU are described when
 * uc_emu_start() returns (sim_arch_stopped()): docs/simulator.md, "Two
 * paths of an exit". As on AArch64, an empty memory hook makes Unicorn
 * store RIP before every load and store ("sync EIP"), so RIP is exact in
 * the memory callbacks.
 *
 * Unicorn's address space is guest-virtual, filled by shadow paging
 * (mmu.c); Unicorn's own paging walks the shadow tables, and each #PF it
 * raises is a fill.
 *
 * The top file of src/sim/x86_64/: calls insn.c, exc.c, mmu.c, switch.c and qstate.c.
 */
#include <stdlib.h>
#include <string.h>

#include <arch/trap.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "cpu.h"

#define MSR_EFER 0xc0000080u

/* IN and OUT: the I/O-instruction exit (qualification: SDM table 28-5). */
static uint32_t port_io(struct sim_x86 *s, uint32_t port, int size, bool write, uint32_t value)
{
	struct vcpu_exit exit;
	uint64_t rip;

	if (!vm_running(s->c.vcpu->vm))
		return 0;
	uc_reg_read(s->c.uc, UC_X86_REG_RIP, &rip);
	struct vmx_exit_info info = {
		.reason = VMX_EXIT_IO,
		.qualification = (uint64_t)port << 16 | (write ? 0 : 8) | (uint64_t)(size == 4 ? 3 : size - 1),
		.rip = rip,
	};
	vmx_decode_exit(&info, &exit);
	exit.pio.data = value;
	sim_x86_save(s);
	sim_cpu_exit_now(&s->c, &exit);
	return exit.pio.data;
}

static uint32_t on_in(uc_engine *uc, uint32_t port, int size, void *user)
{
	(void)uc;
	return port_io(user, port, size, false, 0);
}

static void on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user)
{
	(void)uc;
	port_io(user, port, size, true, value);
}

/* CPUID: exit reason 10; the core's answer goes back into EAX..EDX. Returns 1: skip it. */
static int on_cpuid(uc_engine *uc, void *user)
{
	struct sim_x86 *s = user;
	struct vcpu_exit exit;
	uint64_t rip;

	uc_reg_read(uc, UC_X86_REG_RIP, &rip);
	struct vmx_exit_info info = { .reason = VMX_EXIT_CPUID, .insn_len = 2, .rip = rip };
	vmx_decode_exit(&info, &exit);
	sim_x86_save(s);
	vmx_exit_fill_operands(&exit, s->c.vcpu->arch.gpr);
	sim_host_exit(s->c.vcpu, &exit);
	for (int i = 0; i < 4; i++) {
		static const enum x86_gpr r[4] = { X86_RAX, X86_RBX, X86_RCX, X86_RDX };
		uc_reg_write(uc, sim_x86_gpr_ids[r[i]], &s->c.vcpu->arch.gpr[r[i]]);
	}
	if (!vm_running(s->c.vcpu->vm))
		uc_emu_stop(uc);
	return 1;
}

/*
 * Exceptions (vector numbers): the guest's own, delivered through its IDT.
 * RIP is past INT n / INT3 (Unicorn moves it), at the instruction for
 * faults. QEMU's own view gives the error code and resets its
 * exception-in-flight state (qstate.c), or the next #DE or #GP would be a
 * #DF. A CPU being stopped (the VM ends, a kick: a time limit, a stage-2
 * change) does not deliver it now: writing RIP from a hook would make
 * Unicorn drop the stop request and run on; it keeps the event for the
 * next entry (switch.c) and stops.
 */
static void on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
	struct sim_x86 *s = user;
	struct x86_event ev = { .vector = intno };
	uint64_t rip;

	uc_reg_read(uc, UC_X86_REG_RIP, &rip);
	if (!sim_x86_qstate_take_exception(s, &ev.error, &ev.soft))
		ev.error = 0;
	/* INT n pushes no error code, whatever the vector (SDM Vol. 3A, 6.13). */
	ev.has_error = !ev.soft && sim_x86_vector_has_error(intno);
	if (!ev.has_error)
		ev.error = 0;
	/*
	 * Every #PF Unicorn raises is its walk of the shadow tables: filled, the
	 * access runs again; a #DF it made of one runs the access again too.
	 */
	if ((intno == 14 || intno == 8) && !ev.soft && s->sh.paging) {
		int rc = sim_x86_shadow_pf(s, intno, ev.error);
		if (rc == 0)
			uc_emu_stop(uc);
		if (rc >= 0)
			return;
	}
	if (!vm_running(s->c.vcpu->vm) || s->c.kicked) {
		s->event = ev;
		s->event_rip = rip;
		s->event_pending = true;
		uc_emu_stop(uc);
		return;
	}
	sim_x86_deliver(s, &ev, rip);
}

static int add_hooks(struct sim_x86 *s)
{
	uc_hook h;
	uc_err e = uc_hook_add(s->c.uc, &h, UC_HOOK_INSN, (void *)on_in, s, 1, 0, UC_X86_INS_IN);
	if (!e)
		e = uc_hook_add(s->c.uc, &h, UC_HOOK_INSN, (void *)on_out, s, 1, 0, UC_X86_INS_OUT);
	if (!e)
		e = uc_hook_add(s->c.uc, &h, UC_HOOK_INSN, (void *)on_cpuid, s, 1, 0, UC_X86_INS_CPUID);
	if (!e)
		e = uc_hook_add(s->c.uc, &h, UC_HOOK_INTR, (void *)on_interrupt, s, 1, 0);
	if (!e && sim_cpu_hook_pc_sync(&s->c) < 0) /* RIP exact in the shadow's hooks */
		e = UC_ERR_HOOK;
	return e ? -CV_EINVAL : 0;
}

/*
 * The boot state of cvisor's protocol: long mode with paging on the boot
 * tables. Unicorn gets the guest's CR0 without PG here (its reset state
 * runs 64-bit code with paging off, which qstate.c's search expects);
 * sim_x86_shadow_start() then points its CR3 at the shadow tables and
 * sets PG: the simulator's walk does stage 1.
 */
static int set_boot_state(struct sim_x86 *s)
{
	const struct vcpu_arch *a = &s->c.vcpu->arch;
	uc_x86_msr efer = { .rid = MSR_EFER, .value = a->efer };

	uc_x86_mmr gdtr = { .base = a->gdtr_base, .limit = (uint32_t)a->gdtr_limit };
	uint64_t cs = 0x10, ds = 0x18, cr0 = a->cr0 & ~(1ULL << 31);

	if (uc_reg_write(s->c.uc, UC_X86_REG_CR4, &a->cr4) != UC_ERR_OK ||
	    uc_reg_write(s->c.uc, UC_X86_REG_MSR, &efer) != UC_ERR_OK ||
	    uc_reg_write(s->c.uc, UC_X86_REG_CR3, &a->cr3) != UC_ERR_OK ||
	    uc_reg_write(s->c.uc, UC_X86_REG_CR0, &cr0) != UC_ERR_OK ||
	    uc_reg_write(s->c.uc, UC_X86_REG_GDTR, &gdtr) != UC_ERR_OK)
		return -CV_EINVAL;
	/* Segment registers load from the GDT just written (the boot protocol's selectors). */
	if (uc_reg_write(s->c.uc, UC_X86_REG_CS, &cs) != UC_ERR_OK ||
	    uc_reg_write(s->c.uc, UC_X86_REG_SS, &ds) != UC_ERR_OK ||
	    uc_reg_write(s->c.uc, UC_X86_REG_DS, &ds) != UC_ERR_OK ||
	    uc_reg_write(s->c.uc, UC_X86_REG_ES, &ds) != UC_ERR_OK)
		return -CV_EINVAL;
	return 0;
}

/* ---- The CPU stopped: uc_emu_start() returned -------------------------------- */

/* The exit a hook left (the VM is about to stop if it is fatal); false if none. */
static bool pending_exit(struct sim_x86 *s, struct vcpu_exit *exit)
{
	if (!sim_cpu_take_pending(&s->c, exit))
		return false;
	s->c.vcpu->arch.rip = exit->pc;
	if (exit->reason == EXIT_FATAL || exit->reason == EXIT_STAGE2_FAULT)
		sim_x86_shadow_report(s);
	return true;
}

/* Delivers the #PF (or #GP) a shadow hook left pending, with CR2; false if none. */
static bool shadow_fault(struct sim_x86 *s)
{
	struct shadow *sh = &s->sh;

	if (!sh->pf_pending)
		return false;
	sh->pf_pending = false;
	if (sh->pf_vector == 14) {
		s->c.vcpu->arch.cr2 = sh->pf_addr;
		uc_reg_write(s->c.uc, UC_X86_REG_CR2, &sh->pf_addr);
	}
	struct x86_event ev = { .vector = sh->pf_vector, .has_error = true,
				.error = (uint32_t)sh->pf_code };
	sim_x86_deliver(s, &ev, s->c.vcpu->arch.rip);
	sim_x86_save(s);
	return true;
}

/* Reads len bytes of code at rip: through the shadow map (normally there), else a walk. */
static void code_at(struct sim_x86 *s, uint64_t rip, uint8_t *insn, unsigned len)
{
	if (uc_mem_read(s->c.uc, rip, insn, len) != UC_ERR_OK)
		sim_x86_read_gva(s, rip, insn, len);
}

/* Why did uc_emu_start return? The registers are saved (switch.c). */
void sim_arch_stopped(struct sim_cpu *c, uc_err err, struct vcpu_exit *exit)
{
	struct sim_x86 *s = (struct sim_x86 *)c;
	struct vcpu_arch *a = &c->vcpu->arch;
	uint8_t insn[3] = { 0, 0, 0 };

	bool retranslate = sim_x86_insn_between_runs(s);
	if (pending_exit(s, exit))
		return;
	if (!vm_running(c->vcpu->vm) || c->kicked) {
		sim_x86_insn_kicked(s); /* RIP is at it: it runs again */
		sim_x86_shadow_report(s);
		return;
	}
	if (sim_x86_insn_stopped(s, exit) || (retranslate && err == UC_ERR_OK))
		return;
	if (shadow_fault(s)) {
		pending_exit(s, exit); /* the delivery itself may have stopped the VM */
		return;
	}
	/*
	 * Stopped at a block's start to look at interrupts and timers again
	 * (a notification, the deadline, the interrupt window, the end of its
	 * turn when another vCPU of the VM waits for one): nothing to
	 * handle, the next entry delivers. Looked at before HLT, so that such a
	 * stop is never taken for one; a HLT that ran just as a notification
	 * came ends at once, as when the interrupt wakes it.
	 */
	if (err == UC_ERR_OK &&
	    (c->attention || c->block_stop || s->window_stop || sim_cpu_deadline_passed(c))) {
		s->window_stop = false;
		return;
	}
	code_at(s, a->rip, insn, 3);
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
		struct x86_event ud = { .vector = 6 };
		sim_x86_deliver(s, &ud, a->rip);
		sim_x86_save(s);
		pending_exit(s, exit);
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
		sim_exit_fatal(exit, a->rip, "simulated CPU stopped: %s", uc_strerror(err));
		return;
	}
	code_at(s, a->rip - 1, insn, 1);
	if (insn[0] == 0xf4) { /* HLT: Unicorn stops after it */
		struct vmx_exit_info info = { .reason = VMX_EXIT_HLT, .insn_len = 1, .rip = a->rip - 1 };
		vmx_decode_exit(&info, exit);
		a->rip -= 1;
		return;
	}
	sim_exit_fatal(exit, a->rip, "simulated CPU stopped for no known reason");
}

/* ---- Creating the CPU ------------------------------------------------------ */

struct sim_cpu *sim_arch_alloc(void)
{
	struct sim_x86 *s = calloc(1, sizeof(*s));
	return s ? &s->c : NULL;
}

int sim_arch_init(struct sim_cpu *c)
{
	struct sim_x86 *s = (struct sim_x86 *)c;
	int rc;

	if (uc_open(UC_ARCH_X86, UC_MODE_64, &c->uc) != UC_ERR_OK)
		return -CV_EINVAL;
	if ((rc = sim_x86_shadow_init(s)) < 0 || (rc = add_hooks(s)) < 0 ||
	    (rc = sim_x86_insn_init(s)) < 0 || (rc = set_boot_state(s)) < 0 ||
	    (rc = sim_x86_qstate_init(s)) < 0 || (rc = sim_x86_shadow_start(s)) < 0)
		return rc;
	return 0;
}

void sim_arch_destroy(struct sim_cpu *c)
{
	struct sim_x86 *s = (struct sim_x86 *)c;

	sim_x86_insn_free(s);
	sim_x86_qstate_free(s);
	sim_x86_shadow_free(s);
}

int sim_arch_stage2_changed(struct sim_cpu *c, gpa_t gpa, uint64_t size)
{
	(void)gpa;
	(void)size;
	/* The shadow's host pages may be stale: fill again from the new tables. */
	sim_x86_shadow_drop_memory((struct sim_x86 *)c);
	return 0;
}
