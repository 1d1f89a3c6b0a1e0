/* SPDX-License-Identifier: MIT */
/**
 * @file vcpu.c
 * @brief Running a guest at EL1 under EL2: the hal_vcpu_* functions, the
 *        C half of the world switch (vectors.S is the other).
 *
 * A vCPU runs by loading its EL1 system registers, pointing VTTBR_EL2 at
 * its VM's stage-2 tables (ARM ARM D8.2, VTCR_EL2/VTTBR_EL2), setting
 * HCR_EL2 (D17.2.48) to trap what cvisor emulates, and ERETing in
 * bare_enter_guest(). A trap comes back through the lower-EL vectors with
 * its syndrome in ESR_EL2 (D17.2.37), FAR_EL2 and HPFAR_EL2, which
 * a64_decode_trap() of src/arch/aarch64 turns into an exit record, as it
 * does in the simulator. An interrupt (cvisor's tick) comes back the same
 * way, as an exit the core does not see.
 */
#include <arch/trap.h>
#include <arch/stage1.h>
#include <arch/stage2.h>
#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

#include "../hal_bare.h"
#include "hal_aarch64.h"
#include "cpu.h"
#include "virt.h"

/* The general registers as vectors.S saves them; host_sp follows x30. */
struct guest_ctx {
	uint64_t x[31];
	uint64_t host_sp;
};

/* What bare_enter_guest() returns: the kind of exception that ended the run (vectors.S). */
enum { TRAP_SYNC = 0, TRAP_IRQ = 1, TRAP_FIQ = 2, TRAP_SERROR = 3 };

uint64_t bare_enter_guest(struct guest_ctx *ctx);

/* EL1 state that belongs to the guest while it runs. */
struct el1_regs {
	uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr, tpidr, tpidr_el0,
	    tpidrro_el0, sp_el0, sp_el1, elr, spsr, esr, far, afsr0, afsr1, par, cpacr, cntkctl,
	    cntv_ctl, cntv_cval, csselr;
};

struct bare_vcpu {
	struct guest_ctx ctx;
	struct el1_regs el1;
	uint16_t vmid;
	struct watchdog watchdog;
};

/* The vCPU whose EL1 registers are in the CPU now (cvisor itself never uses EL1). */
static struct bare_vcpu *loaded;

/* HCR_EL2 for a guest (ARM ARM D17.2.48). */
#define HCR_VM (1ULL << 0) /* stage 2 on */
#define HCR_SWIO (1ULL << 1)
#define HCR_IMO (1ULL << 4)  /* physical IRQs to EL2 */
#define HCR_TWI (1ULL << 13) /* trap WFI */
#define HCR_TSC (1ULL << 19) /* trap SMC */
#define HCR_RW (1ULL << 31)  /* EL1 is AArch64 */

/*
 * What EL2 lets every guest do, set once at boot: read the counter and use
 * the physical timer, with no virtual offset (CNTHCTL_EL2, CNTVOFF_EL2);
 * FP/SIMD without a trap (CPTR_EL2: RES1 bits, TFP clear); the OS lock
 * registers trap to EL2 (MDCR_EL2.TDOSA, bit 10); stage 2's format
 * (VTCR_EL2, from the arch layer).
 */
void guest_traps_init(void)
{
	WRITE_SYSREG(cnthctl_el2, 0x3);
	WRITE_SYSREG(cntvoff_el2, 0);
	WRITE_SYSREG(cptr_el2, 0x33ff);
	WRITE_SYSREG(mdcr_el2, 1ULL << 10);
	WRITE_SYSREG(vtcr_el2, a64_vtcr_el2());
	ISB();
}

static void el1_load(const struct el1_regs *r)
{
	WRITE_SYSREG(sctlr_el1, r->sctlr);
	WRITE_SYSREG(ttbr0_el1, r->ttbr0);
	WRITE_SYSREG(ttbr1_el1, r->ttbr1);
	WRITE_SYSREG(tcr_el1, r->tcr);
	WRITE_SYSREG(mair_el1, r->mair);
	WRITE_SYSREG(amair_el1, r->amair);
	WRITE_SYSREG(vbar_el1, r->vbar);
	WRITE_SYSREG(contextidr_el1, r->contextidr);
	WRITE_SYSREG(tpidr_el1, r->tpidr);
	WRITE_SYSREG(tpidr_el0, r->tpidr_el0);
	WRITE_SYSREG(tpidrro_el0, r->tpidrro_el0);
	WRITE_SYSREG(sp_el0, r->sp_el0);
	WRITE_SYSREG(sp_el1, r->sp_el1);
	WRITE_SYSREG(elr_el1, r->elr);
	WRITE_SYSREG(spsr_el1, r->spsr);
	WRITE_SYSREG(esr_el1, r->esr);
	WRITE_SYSREG(far_el1, r->far);
	WRITE_SYSREG(afsr0_el1, r->afsr0);
	WRITE_SYSREG(afsr1_el1, r->afsr1);
	WRITE_SYSREG(par_el1, r->par);
	WRITE_SYSREG(cpacr_el1, r->cpacr);
	WRITE_SYSREG(cntkctl_el1, r->cntkctl);
	WRITE_SYSREG(cntv_cval_el0, r->cntv_cval);
	WRITE_SYSREG(cntv_ctl_el0, r->cntv_ctl);
	WRITE_SYSREG(csselr_el1, r->csselr);
}

static void el1_save(struct el1_regs *r)
{
	r->sctlr = READ_SYSREG(sctlr_el1);
	r->ttbr0 = READ_SYSREG(ttbr0_el1);
	r->ttbr1 = READ_SYSREG(ttbr1_el1);
	r->tcr = READ_SYSREG(tcr_el1);
	r->mair = READ_SYSREG(mair_el1);
	r->amair = READ_SYSREG(amair_el1);
	r->vbar = READ_SYSREG(vbar_el1);
	r->contextidr = READ_SYSREG(contextidr_el1);
	r->tpidr = READ_SYSREG(tpidr_el1);
	r->tpidr_el0 = READ_SYSREG(tpidr_el0);
	r->tpidrro_el0 = READ_SYSREG(tpidrro_el0);
	r->sp_el0 = READ_SYSREG(sp_el0);
	r->sp_el1 = READ_SYSREG(sp_el1);
	r->elr = READ_SYSREG(elr_el1);
	r->spsr = READ_SYSREG(spsr_el1);
	r->esr = READ_SYSREG(esr_el1);
	r->far = READ_SYSREG(far_el1);
	r->afsr0 = READ_SYSREG(afsr0_el1);
	r->afsr1 = READ_SYSREG(afsr1_el1);
	r->par = READ_SYSREG(par_el1);
	r->cpacr = READ_SYSREG(cpacr_el1);
	r->cntkctl = READ_SYSREG(cntkctl_el1);
	r->cntv_ctl = READ_SYSREG(cntv_ctl_el0);
	r->cntv_cval = READ_SYSREG(cntv_cval_el0);
	r->csselr = READ_SYSREG(csselr_el1);
}

int hal_vcpu_init(struct vcpu *vcpu)
{
	struct bare_vcpu *b = hal_zalloc(sizeof(*b));
	if (!b)
		return -CV_ENOMEM;
	b->el1.sctlr = vcpu->arch.sctlr_el1;
	b->vmid = (uint16_t)(vcpu->vm->id & 0xff);
	watchdog_start(&b->watchdog);
	vcpu->hal = b;
	return 0;
}

void hal_vcpu_destroy(struct vcpu *vcpu)
{
	if (loaded == vcpu->hal)
		loaded = NULL;
	hal_free(vcpu->hal);
	vcpu->hal = NULL;
}

void hal_vcpu_kick(struct vcpu *vcpu)
{
	(void)vcpu; /* one vCPU runs at a time, on this CPU: it sees the stop at its next exit */
}

void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size)
{
	(void)vm;
	(void)gpa;
	(void)size;
	DSB();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	DSB();
	ISB();
}

/* An interrupt taken while the guest ran: acknowledge it, act on the tick. */
static void on_irq(struct vcpu *vcpu, struct bare_vcpu *b)
{
	uint32_t intid = gic_ack();

	if (intid >= 1020)
		return; /* spurious */
	if (intid == VIRT_INTID_HYP_TIMER) {
		tick_arm();
		watchdog_tick(vcpu, &b->watchdog);
	}
	gic_eoi(intid);
}

/*
 * Makes b's EL1 state and stage 2 the CPU's. Switching is lazy: while the
 * same vCPU runs again and again, its EL1 registers stay in the CPU, and
 * nothing that would flush the TLBs (writing SCTLR/TCR/TTBR, VTTBR) is
 * done on the exit path.
 */
static void switch_to(struct vcpu *vcpu, struct bare_vcpu *b)
{
	if (loaded == b)
		return;
	if (loaded)
		el1_save(&loaded->el1);
	el1_load(&b->el1);
	WRITE_SYSREG(vmpidr_el2, vcpu->arch.mpidr_el1);
	WRITE_SYSREG(vttbr_el2, stage2_root_register(&vcpu->vm->as.s2, b->vmid));
	WRITE_SYSREG(hcr_el2, HCR_VM | HCR_SWIO | HCR_IMO | HCR_TWI | HCR_TSC | HCR_RW);
	ISB();
	/* A new VM may reuse a VMID: forget what the TLBs hold for it. */
	__asm__ volatile("tlbi vmalls12e1" ::: "memory");
	DSB();
	ISB();
	loaded = b;
}

/* Puts the vCPU's general registers, PC and PSTATE where the ERET takes them from. */
static void enter_state_load(struct vcpu_arch *a, struct bare_vcpu *b)
{
	memcpy(b->ctx.x, a->x, sizeof(a->x));
	WRITE_SYSREG(sp_el0, a->sp_el0);
	WRITE_SYSREG(sp_el1, a->sp_el1);
	WRITE_SYSREG(elr_el2, a->pc);
	WRITE_SYSREG(spsr_el2, a->pstate);
	ISB();
}

/*
 * Copies back what the guest changed that the core reads: general
 * registers, PSTATE, PC, and the EL1 registers the exit handlers and the
 * watchdog look at. Returns the trap's syndrome registers.
 */
static struct a64_trap exit_state_save(struct vcpu_arch *a, struct bare_vcpu *b)
{
	struct a64_trap t = {
	    .esr = READ_SYSREG(esr_el2),
	    .far = READ_SYSREG(far_el2),
	    .hpfar = READ_SYSREG(hpfar_el2),
	    .pc = READ_SYSREG(elr_el2),
	};
	a->pstate = READ_SYSREG(spsr_el2);
	memcpy(a->x, b->ctx.x, sizeof(a->x));
	a->sp_el0 = READ_SYSREG(sp_el0);
	a->sp_el1 = READ_SYSREG(sp_el1);
	a->sctlr_el1 = READ_SYSREG(sctlr_el1);
	a->vbar_el1 = READ_SYSREG(vbar_el1);
	a->elr_el1 = READ_SYSREG(elr_el1);
	a->esr_el1 = READ_SYSREG(esr_el1);
	a->pc = t.pc;
	return t;
}

/*
 * A stage-2 abort whose syndrome does not say what the guest accessed,
 * completed from the guest's own state (its EL1 registers are the CPU's
 * while it is loaded):
 * - ISV = 0 on a data abort (pairs, writeback, exclusives, SIMD&FP, DC
 *   ZVA): the instruction at ELR_EL2, read through the guest's stage 1,
 *   gives the access's size (a64_exit_describe_access());
 * - S1PTW: HPFAR_EL2 names only the page of the descriptor the guest's
 *   table walk read; walking the guest's tables again finds the entry.
 */
static void describe_abort(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct a64_s1_regs r = {
		.sctlr = READ_SYSREG(sctlr_el1),
		.tcr = READ_SYSREG(tcr_el1),
		.ttbr0 = READ_SYSREG(ttbr0_el1),
		.ttbr1 = READ_SYSREG(ttbr1_el1),
		.el0 = (vcpu->arch.pstate & 0xc) == 0, /* SPSR_EL2.M[3:2]: the EL it trapped from */
	};
	struct s1_result res;
	uint32_t insn;

	if (exit->reason != EXIT_STAGE2_FAULT)
		return;
	if (exit->s2fault.s1ptw) {
		if (a64_s1_translate(&vcpu->vm->as, &r, exit->s2fault.gva, ACCESS_READ, &res, NULL,
				     NULL) < 0 && res.fault == FAULT_TABLE_NOT_RAM)
			exit->s2fault.gpa = res.gpa;
		return;
	}
	if (exit->s2fault.size != 0 ||
	    a64_s1_translate(&vcpu->vm->as, &r, exit->pc, ACCESS_FETCH, &res, NULL, NULL) < 0 ||
	    addrspace_read(&vcpu->vm->as, res.gpa, &insn, sizeof(insn)) < 0)
		return;
	/* DCZID_EL0.BS: log2 of the DC ZVA block in 4-byte words (ARM ARM D17.2.33). */
	a64_exit_describe_access(exit, insn, 4u << (READ_SYSREG(dczid_el0) & 0xf));
}

int hal_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct bare_vcpu *b = vcpu->hal;
	struct vcpu_arch *a = &vcpu->arch;

	if (exit->reason != EXIT_NONE)
		vcpu_arch_complete_exit(vcpu, exit);

	switch_to(vcpu, b);
	enter_state_load(a, b);
	uint64_t kind = bare_enter_guest(&b->ctx);
	struct a64_trap t = exit_state_save(a, b);

	if (kind != TRAP_SYNC) {
		/* An interrupt or SError while the guest ran. */
		memset(exit, 0, sizeof(*exit));
		exit->reason = EXIT_NONE;
		exit->pc = t.pc;
		if (kind == TRAP_IRQ)
			on_irq(vcpu, b);
		if (kind == TRAP_SERROR) {
			exit->reason = EXIT_FATAL;
			cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg),
				    "SError from the guest, ESR 0x%llx", (unsigned long long)t.esr);
		}
		return 0;
	}
	a64_decode_trap(&t, exit);
	a64_exit_fill_operands(exit, a->x);
	describe_abort(vcpu, exit);
	return 0;
}

/* A trap taken while cvisor itself runs at EL2 (vectors.S): a bug in cvisor. */
void bare_hyp_fault(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far);
void bare_hyp_fault(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	hal_panic("exception %llu at EL2: ESR 0x%llx (%s), ELR 0x%llx, FAR 0x%llx",
		  (unsigned long long)kind, (unsigned long long)esr,
		  a64_ec_name((unsigned)ESR_EC(esr)), (unsigned long long)elr,
		  (unsigned long long)far);
}
