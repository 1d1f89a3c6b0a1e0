/* SPDX-License-Identifier: MIT */
/*
 * The simulated x86 virtualization hardware: a Unicorn x86_64 CPU running
 * the guest in 64-bit mode, and the glue that turns what the guest does
 * into the VM exits VMX would give (Intel SDM Vol. 3C, chapter 28).
 *
 *   guest does             Unicorn reports              cvisor sees
 *   IN / OUT               instruction hook             exit reason 30, I/O qualification
 *   CPUID                  instruction hook             exit reason 10
 *   load/store to no RAM   shadow fill (shadow.c)       exit reason 48, EPT violation
 *   VMCALL                 uc_emu_start: invalid insn   exit reason 18
 *   HLT                    uc_emu_start returns         exit reason 12
 *   int3, faults           interrupt hook               (the guest's own: through its IDT)
 *
 * The exit-information fields are filled as VMX would and decoded by
 * vmx_decode_exit(), the bare HAL's decoder to be. As on AArch64, an empty
 * memory hook makes Unicorn store RIP before every load and store
 * (translate.c, "sync EIP"), so RIP is exact in the callbacks.
 *
 * Unicorn's address space is guest-virtual, filled by shadow paging
 * (shadow.c); Unicorn's own paging stays off.
 */
#include <stdlib.h>
#include <string.h>

#include <arch/trap.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "sim_x86.h"

#define MSR_EFER 0xc0000080u

static const int gpr_ids[X86_NGPRS] = {
	UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
	UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
	UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
	UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

void sim_x86_save(struct sim_x86 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	for (int i = 0; i < X86_NGPRS; i++)
		uc_reg_read(s->c.uc, gpr_ids[i], &a->gpr[i]);
	uc_reg_read(s->c.uc, UC_X86_REG_RIP, &a->rip);
	uc_reg_read(s->c.uc, UC_X86_REG_RFLAGS, &a->rflags);
}

void sim_x86_restore(struct sim_x86 *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	for (int i = 0; i < X86_NGPRS; i++)
		uc_reg_write(s->c.uc, gpr_ids[i], &a->gpr[i]);
	uc_reg_write(s->c.uc, UC_X86_REG_RIP, &a->rip);
	uc_reg_write(s->c.uc, UC_X86_REG_RFLAGS, &a->rflags);
}


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
	vcpu_handle_exit(s->c.vcpu, &exit);
	if (!vm_running(s->c.vcpu->vm))
		uc_emu_stop(s->c.uc);
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
	vcpu_handle_exit(s->c.vcpu, &exit);
	for (int i = 0; i < 4; i++) {
		static const enum x86_gpr r[4] = { X86_RAX, X86_RBX, X86_RCX, X86_RDX };
		uc_reg_write(uc, gpr_ids[r[i]], &s->c.vcpu->arch.gpr[r[i]]);
	}
	if (!vm_running(s->c.vcpu->vm))
		uc_emu_stop(uc);
	return 1;
}

/* Present for its side effect: Unicorn then stores RIP before every load/store. */
static void on_mem_pc_sync(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			   int64_t value, void *user)
{
	(void)uc;
	(void)type;
	(void)addr;
	(void)size;
	(void)value;
	(void)user;
}

/*
 * Exceptions (vector numbers): the guest's own, delivered through its IDT.
 * RIP is past an int3 (a trap), at the instruction for faults.
 */
static void on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
	struct sim_x86 *s = user;
	uint64_t rip;

	uc_reg_read(uc, UC_X86_REG_RIP, &rip);
	switch (intno) {
	case 8: case 10: case 11: case 12: case 13: case 14: case 17:
		/* Exceptions with an error code (SDM Vol. 3A, table 6-1); Unicorn does not show it. */
		sim_x86_deliver(s, intno, rip, true, 0);
		return;
	default:
		sim_x86_deliver(s, intno, rip, false, 0);
		return;
	}
}

static int add_hooks(struct sim_x86 *s)
{
	uc_err e = uc_hook_add(s->c.uc, &s->hooks[s->nhooks++], UC_HOOK_INSN, (void *)on_in, s, 1, 0,
			       UC_X86_INS_IN);
	if (!e)
		e = uc_hook_add(s->c.uc, &s->hooks[s->nhooks++], UC_HOOK_INSN, (void *)on_out, s, 1, 0,
				UC_X86_INS_OUT);
	if (!e)
		e = uc_hook_add(s->c.uc, &s->hooks[s->nhooks++], UC_HOOK_INSN, (void *)on_cpuid, s, 1,
				0, UC_X86_INS_CPUID);
	if (!e)
		e = uc_hook_add(s->c.uc, &s->hooks[s->nhooks++], UC_HOOK_INTR, (void *)on_interrupt, s,
				1, 0);
	if (!e)
		e = uc_hook_add(s->c.uc, &s->hooks[s->nhooks++], UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
				(void *)on_mem_pc_sync, s, 1, 0);
	return e ? -CV_EINVAL : 0;
}

/*
 * The boot state of cvisor's protocol: long mode with paging on the boot
 * tables. Unicorn gets the guest's CR0 without PG (its reset state runs
 * 64-bit code with paging off): the simulator's shadow does stage 1.
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

int hal_vcpu_init(struct vcpu *vcpu)
{
	struct sim_x86 *s = calloc(1, sizeof(*s));
	int rc = -CV_EINVAL;

	if (!s)
		return -CV_ENOMEM;
	s->c.vcpu = vcpu;
	vcpu->hal = s; /* from here hal_vcpu_destroy() frees it all */
	if (uc_open(UC_ARCH_X86, UC_MODE_64, &s->c.uc) != UC_ERR_OK)
		goto fail;
	if ((rc = sim_x86_shadow_init(s)) < 0 || (rc = add_hooks(s)) < 0 ||
	    (rc = set_boot_state(s)) < 0)
		goto fail;
	return 0;
fail:
	hal_vcpu_destroy(vcpu);
	return rc;
}



