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
 * does in the simulator. A physical interrupt (cvisor's timer, or the
 * kick SGI of another CPU) comes back the same way, as an exit the core
 * sees as EXIT_NONE: its run loop looks at the vCPU's timers and
 * interrupts again.
 *
 * Each vCPU is a thread of sched.c; several may share a physical CPU. A
 * CPU switches a vCPU's EL1 registers, FP/SIMD registers and stage 2 in
 * switch_to(), lazily: only when another vCPU runs there than last time.
 */
#include <arch/irq.h>
#include <arch/trap.h>
#include <arch/stage1.h>
#include <arch/stage2.h>
#include <arch/sysreg.h>
#include <cvisor/arch.h>
#include <cvisor/gicv3.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/pflash.h>
#include <cvisor/vm.h>

#include "../hal_bare.h"
#include "hal_arch.h"
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
	    csselr;
	uint64_t apkey[10]; /* pointer authentication keys, when the CPU has them */
};

/* The FP/SIMD registers as switch.S saves them: q0..q31, FPCR, FPSR. */
struct fp_regs {
	uint64_t q[64];
	uint64_t fpcr, fpsr;
};
void bare_fp_save(struct fp_regs *r);
void bare_fp_load(const struct fp_regs *r);

struct bare_vcpu {
	struct bare_vcpu_base base; /* its thread and deadline (../vcpu_thread.c): first */
	struct guest_ctx ctx;
	struct el1_regs el1;
	struct fp_regs fp;
	uint16_t vmid;
	unsigned nr_lr;        /* list registers given to the guest at its last entry */
	/*
	 * The model's CPU interface registers of this vCPU as ICH_VMCR_EL2 and
	 * ICH_AP1R0_EL2 encode them, when icc_known: what the guest left at its
	 * last exit, which the model holds since. Only a trapped access (an
	 * EXIT_SYSREG) or a hypercall (PSCI resets a vCPU) changes them in the
	 * model between two runs; after other exits the next entry takes them
	 * from here instead of asking the model again.
	 */
	bool icc_known;
	uint64_t icc_vmcr, icc_ap1r0;
	struct watchdog watchdog;
};

/* HCR_EL2 for a guest (ARM ARM D17.2.48). */
#define HCR_VM (1ULL << 0) /* stage 2 on */
#define HCR_SWIO (1ULL << 1)
#define HCR_IMO (1ULL << 4)  /* physical IRQs to EL2 */
#define HCR_VI (1ULL << 7)   /* a virtual IRQ is pending for EL1 */
#define HCR_TWI (1ULL << 13) /* trap WFI */
#define HCR_TID3 (1ULL << 18) /* trap reads of the ID registers */
#define HCR_TSC (1ULL << 19) /* trap SMC */
#define HCR_TIDCP (1ULL << 20) /* trap the IMPLEMENTATION DEFINED registers */
#define HCR_TACR (1ULL << 21) /* trap ACTLR_EL1 */
#define HCR_RW (1ULL << 31)  /* EL1 is AArch64 */
#define HCR_TLOR (1ULL << 35) /* trap the LORegion registers (FEAT_LOR) */
#define HCR_TERR (1ULL << 36) /* trap the RAS error records (FEAT_RAS) */
#define HCR_APK (1ULL << 40) /* pointer authentication keys: no trap */
#define HCR_API (1ULL << 41) /* pointer authentication instructions: no trap */

/* What this CPU has that guests see or that exception entry depends on (guest_traps_init). */
static struct {
	bool pauth; /* FEAT_PAuth: ID_AA64ISAR1_EL1.APA/API/GPA/GPI, ISAR2.APA3/GPA3 */
	bool pan;   /* FEAT_PAN: ID_AA64MMFR1_EL1.PAN */
	bool ssbs;  /* FEAT_SSBS: ID_AA64PFR1_EL1.SSBS */
	bool mte;   /* FEAT_MTE: ID_AA64PFR1_EL1.MTE */
	bool lor;   /* FEAT_LOR: ID_AA64MMFR1_EL1.LO */
	bool ras;   /* FEAT_RAS: ID_AA64PFR0_EL1.RAS */
	bool amu;   /* FEAT_AMUv1: ID_AA64PFR0_EL1.AMU */
	bool pmu;   /* FEAT_PMUv3: ID_AA64DFR0_EL1.PMUVer neither 0 nor 0xf (IMPLEMENTATION DEFINED) */
	bool spe;   /* FEAT_SPE: ID_AA64DFR0_EL1.PMSVer */
	bool trf;   /* FEAT_TRF: ID_AA64DFR0_EL1.TraceFilt */
} cpu_has;
static uint64_t hcr_guest;
static unsigned nr_lrs; /* list registers of this CPU's virtual interface (ICH_VTR_EL2) */

/* Reads this CPU's ID register id (op0 3, op1 0, CRn 0, CRm 1..7): the space TID3 traps. */
#define ID_READ(crm, op2)                                                                          \
	case A64_SYSREG(3, 0, 0, crm, op2):                                                        \
		return READ_SYSREG(S3_0_C0_C##crm##_##op2);
#define ID_ROW(crm)                                                                                \
	ID_READ(crm, 0) ID_READ(crm, 1) ID_READ(crm, 2) ID_READ(crm, 3) ID_READ(crm, 4)           \
	ID_READ(crm, 5) ID_READ(crm, 6) ID_READ(crm, 7)
static uint64_t id_reg_read(uint32_t id)
{
	switch (id) {
		ID_ROW(1) ID_ROW(2) ID_ROW(3) ID_ROW(4) ID_ROW(5) ID_ROW(6) ID_ROW(7)
	}
	return 0;
}

/* Finds what this CPU has (ARM ARM D17.2, the ID_AA64* registers; a field of 0 is "absent"). */
static void cpu_features(void)
{
	uint64_t isar1 = READ_SYSREG(S3_0_C0_C6_1), isar2 = READ_SYSREG(S3_0_C0_C6_2);
	uint64_t pfr0 = READ_SYSREG(S3_0_C0_C4_0), pfr1 = READ_SYSREG(S3_0_C0_C4_1);
	uint64_t mmfr1 = READ_SYSREG(S3_0_C0_C7_1), dfr0 = READ_SYSREG(S3_0_C0_C5_0);
	unsigned pmuver = (dfr0 >> 8) & 0xf;

	cpu_has.pauth = (isar1 & 0xff0000ff0ULL) || (isar2 & 0xff00ULL);
	cpu_has.pan = (mmfr1 >> 20) & 0xf;
	cpu_has.ssbs = (pfr1 >> 4) & 0xf;
	cpu_has.mte = (pfr1 >> 8) & 0xf;
	cpu_has.lor = (mmfr1 >> 16) & 0xf;
	cpu_has.ras = (pfr0 >> 28) & 0xf;
	cpu_has.amu = (pfr0 >> 44) & 0xf;
	cpu_has.pmu = pmuver != 0 && pmuver != 0xf;
	cpu_has.spe = (dfr0 >> 32) & 0xf;
	cpu_has.trf = (dfr0 >> 40) & 0xf;
}

/* CPTR_EL2 (D17.2.32, HCR_EL2.E2H 0): RES1 bits 13:12 and 9:0, TSM (12) and TZ (8) among them. */
#define CPTR_RES1 0x33ffULL
#define CPTR_TTA (1ULL << 20) /* trap the trace unit's registers */
#define CPTR_TAM (1ULL << 30) /* trap the activity monitors (FEAT_AMUv1) */
/* MDCR_EL2 (D17.2.84). */
#define MDCR_HPMN_MASK 0x1fULL /* counters below HPMN are EL1's and EL0's */
#define MDCR_TPMCR (1ULL << 5) /* trap PMCR_EL0 */
#define MDCR_TPM (1ULL << 6)   /* trap the other PMU registers */
#define MDCR_TDA (1ULL << 9)   /* trap the debug registers */
#define MDCR_TDOSA (1ULL << 10) /* trap the OS lock registers, DBGPRCR_EL1 */
#define MDCR_TDRA (1ULL << 11) /* trap MDRAR_EL1 */
#define MDCR_TPMS (1ULL << 14) /* trap statistical profiling (FEAT_SPE); E2PB 0: buffer EL2's */
#define MDCR_TTRF (1ULL << 19) /* trap TRFCR_EL1 (FEAT_TRF); E2TB 0: the trace buffer is EL2's */
/* PMCR_EL0.N (D17.5.7): the number of event counters. */
#define PMCR_N(pmcr) (((pmcr) >> 11) & 0x1f)

/*
 * What EL2 keeps from guests beyond HCR_EL2 (see guest_traps_init()): the
 * trace unit and activity monitors (CPTR_EL2.TTA, TAM), every debug and
 * PMU register (MDCR_EL2.TDA, TDOSA, TDRA, TPM, TPMCR), statistical
 * profiling and trace filtering. HPMN is PMCR_EL0.N, its value at reset:
 * no counter is reserved for EL2 (HPME clear), the guest sees none of
 * them, and PMUSERENR_EL0 0 keeps EL0's accesses from the counters too.
 */
static void debug_traps_init(void)
{
	uint64_t cptr = CPTR_RES1 | CPTR_TTA;
	uint64_t mdcr = MDCR_TPMCR | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA;

	if (cpu_has.amu)
		cptr |= CPTR_TAM;
	if (cpu_has.pmu) {
		mdcr |= PMCR_N(READ_SYSREG(pmcr_el0)) & MDCR_HPMN_MASK;
		WRITE_SYSREG(pmuserenr_el0, 0);
	}
	if (cpu_has.spe)
		mdcr |= MDCR_TPMS;
	if (cpu_has.trf)
		mdcr |= MDCR_TTRF;
	WRITE_SYSREG(cptr_el2, cptr);
	WRITE_SYSREG(mdcr_el2, mdcr);
}

/* ICH_HCR_EL2 (IHI 0069 12.4.7): the virtual CPU interface on, trapping the guest's accesses. */
#define ICH_HCR_EL2 S3_4_C12_C11_0
#define ICH_HCR_EN (1ULL << 0)
#define ICH_HCR_TC (1ULL << 10)    /* ICC_CTLR, DIR, PMR, RPR, SGI*R: common to both groups */
#define ICH_HCR_TALL0 (1ULL << 11) /* ICC_IAR0, EOIR0, HPPIR0, BPR0, AP0Rn, IGRPEN0 */
#define ICH_HCR_TALL1 (1ULL << 12) /* ICC_IAR1, EOIR1, HPPIR1, BPR1, AP1Rn, IGRPEN1 */
/* ICH_VTR_EL2 (12.4.10): ListRegs [4:0], the number of list registers - 1. */
#define ICH_VTR_EL2 S3_4_C12_C11_1
/* ICH_VMCR_EL2 (12.4.9): the guest's ICV_PMR, BPR0/1, CTLR and IGRPEN0/1 fields. */
#define ICH_VMCR_EL2 S3_4_C12_C11_7
#define VMCR_ENG0 (1ULL << 0)
#define VMCR_ENG1 (1ULL << 1)
#define VMCR_CBPR (1ULL << 4)
#define VMCR_EOIM (1ULL << 9)
#define VMCR_BPR1_SHIFT 18
#define VMCR_BPR0_SHIFT 21
#define VMCR_PMR_SHIFT 24
/* ICH_AP1R0_EL2 (12.4.4): the guest's group 1 active priorities, 32 of them with 5 bits. */
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
/* ICH_LR<n>_EL2 (12.4.6): vINTID [31:0], Priority [55:48], Group [60], State [63:62]. */
#define LR_PRIORITY_SHIFT 48
#define LR_EOI (1ULL << 41)     /* a maintenance interrupt when the guest deactivates it */
#define LR_GROUP1 (1ULL << 60)
#define LR_PENDING (1ULL << 62)
#define LR_ACTIVE (1ULL << 63)
#define MAX_LRS 16

/*
 * What EL2 lets every guest do, set on each CPU at boot: the virtual
 * counter and timer are the CPU's own, with no offset, while the
 * physical counter and timer trap (CNTHCTL_EL2.EL1PCTEN, EL1PCEN clear;
 * CNTVOFF_EL2 0; ARM ARM D17.10.2): a64_timer_access() counts CNTPCT_EL0
 * and CNTP_* from the VM clock, which is the CPU's counter here; the
 * guest's interrupt controller is the model of src/core/gicv3.c, whose
 * interrupts reach the guest through the list registers (enter_irq_load()):
 * its group 1 ICC_*_EL1 accesses go to the virtual CPU interface without
 * a trap (ICH_HCR_EL2.En; no TC, no TALL1), except ICC_SGI1R_EL1, which
 * traps while HCR_EL2.IMO is set (IHI 0069 12.2.22) so that the model
 * routes the SGI; group 0's trap to the model (TALL0), and ICC_SRE_EL1
 * too (ICC_SRE_EL2.Enable clear, gic.c), the same exits as in the
 * simulator (arch/sysreg.h);
 * FP/SIMD without a trap (CPTR_EL2: RES1 bits, TFP clear; TZ and TSM set:
 * SVE and SME trap, and are hidden from guests); the debug, PMU, trace
 * and activity monitor registers trap to EL2 (debug_traps_init()); stage
 * 2's format (VTCR_EL2, from the arch layer). HCR_EL2 (D17.2.48) for every
 * guest: stage 2, interrupts to EL2, WFI and SMC trapped, the ID registers
 * trapped (TID3) so that guests see only what cvisor gives them
 * (a64_id_sanitise()), ACTLR_EL1 (TACR), the IMPLEMENTATION DEFINED
 * registers (TIDCP), the LORegion registers (TLOR) and the RAS error
 * records (TERR) trapped, MTE's tags not reachable (ATA clear), and
 * pointer authentication left to the guest (API, APK) when the CPU has it.
 */
void guest_traps_init(void)
{
	cpu_features();
	// LAB 8 BEGIN: HCR_EL2 for guests in guest_traps_init()
	hcr_guest = HCR_VM | HCR_SWIO | HCR_IMO | HCR_TWI | HCR_TID3 | HCR_TSC | HCR_RW;
	if (cpu_has.pauth)
		hcr_guest |= HCR_API | HCR_APK;
	// LAB 8 STUB
	// LAB_TODO(8, "HCR_EL2 for guests in guest_traps_init() (labs/8-bare/README.md)");
	// hcr_guest = 0;
	// LAB 8 END
	/* EL1 registers of the CPU that are not the guest's (a64_sysreg_trapped()). */
	hcr_guest |= HCR_TIDCP | HCR_TACR;
	if (cpu_has.lor)
		hcr_guest |= HCR_TLOR;
	if (cpu_has.ras)
		hcr_guest |= HCR_TERR;
	WRITE_SYSREG(cnthctl_el2, 0);
	WRITE_SYSREG(cntvoff_el2, 0);
	WRITE_SYSREG(ICH_HCR_EL2, ICH_HCR_EN | ICH_HCR_TALL0);
	nr_lrs = (unsigned)(READ_SYSREG(ICH_VTR_EL2) & 0x1f) + 1;
	if (nr_lrs > MAX_LRS)
		nr_lrs = MAX_LRS;
	debug_traps_init();
	WRITE_SYSREG(vtcr_el2, a64_vtcr_el2());
	ISB();
}

/*
 * The pointer authentication keys (ARM ARM D17.2, APIAKeyLo_EL1 ...
 * APGAKeyHi_EL1) are EL1 state like any other: each vCPU has its own, so
 * no guest computes or forges with another VM's keys.
 */
#define KEY_REGS(X)                                                                                \
	X(0, S3_0_C2_C1_0) X(1, S3_0_C2_C1_1) X(2, S3_0_C2_C1_2) X(3, S3_0_C2_C1_3)                \
	X(4, S3_0_C2_C2_0) X(5, S3_0_C2_C2_1) X(6, S3_0_C2_C2_2) X(7, S3_0_C2_C2_3)                \
	X(8, S3_0_C2_C3_0) X(9, S3_0_C2_C3_1)
#define KEY_LOAD(i, r) WRITE_SYSREG(r, k[i]);
#define KEY_SAVE(i, r) k[i] = READ_SYSREG(r);
static void keys_load(const uint64_t k[10])
{
	KEY_REGS(KEY_LOAD)
}
static void keys_save(uint64_t k[10])
{
	KEY_REGS(KEY_SAVE)
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
	WRITE_SYSREG(csselr_el1, r->csselr);
	if (cpu_has.pauth)
		keys_load(r->apkey);
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
	r->csselr = READ_SYSREG(csselr_el1);
	if (cpu_has.pauth)
		keys_save(r->apkey);
}

/* The vCPU's thread and its EL2 stack come with it; main.c starts the thread (bare_vcpu_start). */
int hal_vcpu_init(struct vcpu *vcpu)
{
	const struct bare_vm *bv = vcpu->vm->hal;
	struct bare_vcpu *b = hal_zalloc(sizeof(*b));

	if (!b)
		return -CV_ENOMEM;
	if (bare_vcpu_base_init(&b->base) < 0) {
		hal_free(b);
		return -CV_ENOMEM;
	}
	b->el1.sctlr = vcpu->arch.sctlr_el1;
	b->vmid = bv ? bv->vmid : 1;
	vcpu->hal = b;
	return 0;
}

/* Only for a vCPU whose thread never started or has ended (bare_vcpu_gone()). */
void hal_vcpu_destroy(struct vcpu *vcpu)
{
	struct bare_vcpu *b = vcpu->hal;

	if (!b)
		return;
	bare_vcpu_base_free(&b->base, vcpu);
	hal_free(b);
	vcpu->hal = NULL;
}

/* On the vCPU's own thread, its run loop over: its CPU forgets it, so nothing is saved into it later. */
void bare_vcpu_unload(struct vcpu *vcpu)
{
	struct pcpu *c = this_cpu();
	if (c->loaded == vcpu->hal)
		c->loaded = NULL;
}

/*
 * TLBI VMALLS12E1IS (ARM ARM C5.5) acts on the VMID in this CPU's
 * VTTBR_EL2, on every CPU of the inner shareable domain: VTTBR_EL2 names
 * vm's VMID for it, whichever vCPU this CPU ran last.
 */
void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size)
{
	const struct bare_vm *bv = vm->hal;
	uint64_t vttbr = READ_SYSREG(vttbr_el2);

	(void)gpa;
	(void)size;
	DSB();
	WRITE_SYSREG(vttbr_el2, stage2_root_register(&vm->as.s2, bv ? bv->vmid : 1));
	ISB();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	DSB();
	WRITE_SYSREG(vttbr_el2, vttbr);
	ISB();
}

/*
 * Makes b's EL1 state, FP/SIMD registers and stage 2 the CPU's.
 * Switching is lazy: while the same vCPU runs again and again, its
 * registers stay in the CPU, and nothing that would flush the TLBs
 * (writing SCTLR/TCR/TTBR, VTTBR) is done on the exit path.
 */
static void switch_to(struct vcpu *vcpu, struct bare_vcpu *b)
{
	struct pcpu *c = this_cpu();
	struct bare_vcpu *loaded = c->loaded;

	if (loaded == b)
		return;
	/* Without stage 2 (HCR_EL2.VM) the guest's accesses would reach the host's own memory. */
	if (!(hcr_guest & HCR_VM))
		hal_panic("HCR_EL2.VM is clear: no guest runs without stage 2");
	if (loaded) {
		el1_save(&loaded->el1);
		bare_fp_save(&loaded->fp);
	}
	el1_load(&b->el1);
	bare_fp_load(&b->fp);
	WRITE_SYSREG(vmpidr_el2, vcpu->arch.mpidr_el1);
	WRITE_SYSREG(vttbr_el2, stage2_root_register(&vcpu->vm->as.s2, b->vmid));
	WRITE_SYSREG(hcr_el2, hcr_guest);
	ISB();
	/* A new VM may reuse a VMID: forget what the TLBs hold for it. */
	__asm__ volatile("tlbi vmalls12e1" ::: "memory");
	DSB();
	ISB();
	c->loaded = b;
}

/* ICH_LR<n>_EL2: op0 3, op1 4, CRn 12, CRm 12 + n / 8, op2 n % 8; MSR/MRS name them statically. */
#define LR_CASES(X)                                                                                \
	X(0, S3_4_C12_C12_0) X(1, S3_4_C12_C12_1) X(2, S3_4_C12_C12_2) X(3, S3_4_C12_C12_3)        \
	X(4, S3_4_C12_C12_4) X(5, S3_4_C12_C12_5) X(6, S3_4_C12_C12_6) X(7, S3_4_C12_C12_7)        \
	X(8, S3_4_C12_C13_0) X(9, S3_4_C12_C13_1) X(10, S3_4_C12_C13_2) X(11, S3_4_C12_C13_3)      \
	X(12, S3_4_C12_C13_4) X(13, S3_4_C12_C13_5) X(14, S3_4_C12_C13_6) X(15, S3_4_C12_C13_7)
#define LR_READ(i, r)                                                                              \
	case i:                                                                                    \
		return READ_SYSREG(r);
#define LR_WRITE(i, r)                                                                             \
	case i:                                                                                    \
		WRITE_SYSREG(r, v);                                                                \
		break;
static uint64_t lr_read(unsigned n)
{
	switch (n) {
		LR_CASES(LR_READ)
	}
	return 0;
}
static void lr_write(unsigned n, uint64_t v)
{
	switch (n) {
		LR_CASES(LR_WRITE)
	}
}

/*
 * The guest's virtual CPU interface from the model (IHI 0069 6.4
 * "Virtual interrupt handling"): the model's most urgent pending or active
 * interrupts into the list registers (gicv3_lr_pick()), the rest of them
 * invalid; its ICC_PMR/BPR0/BPR1/CTLR/IGRPEN0/IGRPEN1 into ICH_VMCR_EL2 and
 * its active priorities into ICH_AP1R0_EL2. The model keeps all of it
 * between two runs, per vCPU: whichever vCPU ran here before, the next
 * one finds its own. The guest then acknowledges, EOIs and masks
 * through the ICV_* registers with no trap; the hardware signals it a
 * virtual IRQ when a pending list register is above its VPMR and
 * running priority.
 */
static void enter_irq_load(struct vcpu *vcpu, struct bare_vcpu *b)
{
	struct gicv3 *gic = gicv3_of(vcpu->vm);
	struct gicv3_lr lr[MAX_LRS];
	unsigned n = 0;
	uint64_t vmcr = 0, ap1r0 = 0;

	if (gic && b->icc_known) {
		n = gicv3_lr_pick(gic, vcpu->id, lr, nr_lrs);
		vmcr = b->icc_vmcr;
		ap1r0 = b->icc_ap1r0;
	} else if (gic) {
		unsigned id = vcpu->id;
		uint64_t ctlr = gicv3_icc_read(gic, id, ICC_CTLR);
		n = gicv3_lr_pick(gic, id, lr, nr_lrs);
		vmcr = (gicv3_icc_read(gic, id, ICC_PMR) & 0xff) << VMCR_PMR_SHIFT |
		       (gicv3_icc_read(gic, id, ICC_BPR1) & 7) << VMCR_BPR1_SHIFT |
		       (gicv3_icc_read(gic, id, ICC_BPR0) & 7) << VMCR_BPR0_SHIFT |
		       (ctlr & 2 ? VMCR_EOIM : 0) | (ctlr & 1 ? VMCR_CBPR : 0) |
		       (gicv3_icc_read(gic, id, ICC_IGRPEN1) & 1 ? VMCR_ENG1 : 0) |
		       (gicv3_icc_read(gic, id, ICC_IGRPEN0) & 1 ? VMCR_ENG0 : 0);
		ap1r0 = gicv3_icc_read(gic, id, ICC_AP1R0);
	}
	/*
	 * A PPI or SPI (level-sensitive unless the guest made it an edge)
	 * asks for a maintenance interrupt at its deactivation (ICH_LR.EOI,
	 * ICH_EISR_EL2): the guest leaves for EL2 and the model samples its
	 * line again; an SGI is an edge, nothing to sample.
	 */
	/* The list registers past n are 0 already: exit_irq_save() cleared those it gave. */
	for (unsigned i = 0; i < n; i++)
		lr_write(i, lr[i].intid | (uint64_t)lr[i].priority << LR_PRIORITY_SHIFT |
				(lr[i].group1 ? LR_GROUP1 : 0) | (lr[i].pending ? LR_PENDING : 0) |
				(lr[i].active ? LR_ACTIVE : 0) |
				(lr[i].intid >= GICV3_NR_SGI ? LR_EOI : 0));
	/* The virtual timer's PPI takes the guest out when it fires, unless already high. */
	const struct vcpu_arch *a = &vcpu->arch;
	bool vtimer_high = (a->cntv_ctl_el0 & 3) == 1 && READ_SYSREG(cntvct_el0) >= a->cntv_cval_el0;
	gic_vtimer_enable(this_cpu(), !vtimer_high);
	b->nr_lr = n;
	b->icc_vmcr = vmcr;
	b->icc_ap1r0 = ap1r0;
	struct pcpu *c = this_cpu();
	if (!c->ich_known || c->ich_vmcr != vmcr)
		WRITE_SYSREG(ICH_VMCR_EL2, vmcr);
	if (!c->ich_known || c->ich_ap1r0 != ap1r0)
		WRITE_SYSREG(ICH_AP1R0_EL2, ap1r0);
	c->ich_vmcr = vmcr;
	c->ich_ap1r0 = ap1r0;
	c->ich_known = true;
}

/*
 * Back from the guest: each list register it was given returns to the
 * model in the state the guest left it (gicv3_lr_sync(): a level's
 * pending state is its line's, as now), and what it changed of its CPU
 * interface (ICH_VMCR_EL2, ICH_AP1R0_EL2) becomes the model's, which the
 * core's WFI and HPPIR answers read.
 */
static void exit_irq_save(struct vcpu *vcpu, struct bare_vcpu *b)
{
	struct gicv3 *gic = gicv3_of(vcpu->vm);

	if (!gic)
		return;
	unsigned id = vcpu->id;
	for (unsigned i = 0; i < b->nr_lr; i++) {
		uint64_t v = lr_read(i);
		struct gicv3_lr lr = {
			.intid = (uint32_t)v,
			.priority = (uint8_t)(v >> LR_PRIORITY_SHIFT),
			.group1 = v & LR_GROUP1,
			.pending = v & LR_PENDING,
			.active = v & LR_ACTIVE,
		};
		gicv3_lr_sync(gic, id, &lr);
		lr_write(i, 0); /* an EOI maintenance interrupt falls with it */
	}
	b->nr_lr = 0;
	struct pcpu *c = this_cpu();
	uint64_t vmcr = READ_SYSREG(ICH_VMCR_EL2), ap1r0 = READ_SYSREG(ICH_AP1R0_EL2);
	uint64_t vmcr_in = b->icc_vmcr, ap1r0_in = b->icc_ap1r0;
	c->ich_vmcr = vmcr;
	c->ich_ap1r0 = ap1r0;
	c->ich_known = true;
	b->icc_vmcr = vmcr;
	b->icc_ap1r0 = ap1r0;
	b->icc_known = true;
	/* What the guest did not change is the model's already (enter_irq_load()). */
	if (ap1r0 != ap1r0_in)
		gicv3_lr_set_ap(gic, id, (uint32_t)ap1r0);
	if (vmcr == vmcr_in)
		return;
	gicv3_icc_write(gic, id, ICC_PMR, (vmcr >> VMCR_PMR_SHIFT) & 0xff);
	gicv3_icc_write(gic, id, ICC_BPR1, (vmcr >> VMCR_BPR1_SHIFT) & 7);
	gicv3_icc_write(gic, id, ICC_BPR0, (vmcr >> VMCR_BPR0_SHIFT) & 7);
	gicv3_icc_write(gic, id, ICC_CTLR, (vmcr & VMCR_EOIM ? 2 : 0) | (vmcr & VMCR_CBPR ? 1 : 0));
	gicv3_icc_write(gic, id, ICC_IGRPEN1, (vmcr & VMCR_ENG1) ? 1 : 0);
	gicv3_icc_write(gic, id, ICC_IGRPEN0, (vmcr & VMCR_ENG0) ? 1 : 0);
}

/*
 * Puts the vCPU's general registers, PC and PSTATE where the ERET takes
 * them from; its virtual timer into the CPU's (the register file is the
 * reference: vcpu_arch_timers() reads it, CPU_ON resets it); and its
 * virtual CPU interface from the virtual GIC (enter_irq_load()): the
 * guest takes a list register's interrupt as soon as its PSTATE.I and
 * priorities allow, and acknowledges and ends it without a trap.
 */
static void enter_state_load(struct vcpu *vcpu, struct bare_vcpu *b)
{
	struct vcpu_arch *a = &vcpu->arch;

	memcpy(b->ctx.x, a->x, sizeof(a->x));
	WRITE_SYSREG(sp_el0, a->sp_el0);
	WRITE_SYSREG(sp_el1, a->sp_el1);
	WRITE_SYSREG(elr_el2, a->pc);
	WRITE_SYSREG(spsr_el2, a->pstate);
	struct pcpu *c = this_cpu();
	/* The timer as this vCPU left it here at its last exit (exit_state_save()): nothing to write. */
	if (c->cntv_owner != b || c->cntv_cval != a->cntv_cval_el0)
		WRITE_SYSREG(cntv_cval_el0, a->cntv_cval_el0);
	if (c->cntv_owner != b || c->cntv_ctl != a->cntv_ctl_el0)
		WRITE_SYSREG(cntv_ctl_el0, a->cntv_ctl_el0);
	c->cntv_owner = b;
	c->cntv_cval = a->cntv_cval_el0;
	c->cntv_ctl = a->cntv_ctl_el0;
	enter_irq_load(vcpu, b);
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
	a->cntv_ctl_el0 = READ_SYSREG(cntv_ctl_el0) & 3; /* ENABLE, IMASK; ISTATUS is the timer's */
	a->cntv_cval_el0 = READ_SYSREG(cntv_cval_el0);
	struct pcpu *c = this_cpu();
	c->cntv_owner = b;
	c->cntv_cval = a->cntv_cval_el0;
	c->cntv_ctl = a->cntv_ctl_el0;
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

/* ESR_EL1 of an UNDEF: EC 0x00 "Unknown reason", IL (ARM ARM D17.2.40). */
#define ESR_UNDEF (((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL)
/* ESR_EL2.EC of SVE and SME instructions trapped by CPTR_EL2.TZ and TSM (D17.2.37). */
#define EC_SVE 0x19
#define EC_SME 0x1d
/* PSTATE bits as SPSR holds them (C5.2.18) and SCTLR_EL1 bits (D17.2.118) exception entry reads. */
#define PSTATE_SSBS (1ULL << 12)
#define PSTATE_PAN (1ULL << 22)
#define PSTATE_DIT (1ULL << 24)
#define PSTATE_TCO (1ULL << 25)
#define SCTLR_SPAN (1ULL << 23)
#define SCTLR_DSSBS (1ULL << 44)

/*
 * Takes a synchronous exception with syndrome esr to the guest's EL1 for
 * the instruction at the vCPU's PC, as the CPU would have (ARM ARM D1.10
 * "Exception entry"): SPSR_EL1 <- PSTATE, ELR_EL1 <- PC, ESR_EL1 <- esr,
 * FAR_EL1 <- far for an abort (~0: not one, FAR_EL1 kept);
 * PSTATE <- EL1h with D, A, I, F masked, DIT kept, PAN set unless
 * SCTLR_EL1.SPAN, SSBS <- SCTLR_EL1.DSSBS, TCO set (each where the CPU has
 * the feature); PC <- VBAR_EL1 + the synchronous vector of where it came
 * from (D1.10.2: 0x000 EL1t, 0x200 EL1h, 0x400 EL0 AArch64, 0x600 AArch32).
 * The vCPU's EL1 registers must be the CPU's (switch_to()).
 */
static void take_exception(struct vcpu *vcpu, uint64_t esr, uint64_t far)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint64_t from = a->pstate, sctlr = READ_SYSREG(sctlr_el1);
	uint64_t vector = (from & 0x10) ? 0x600 : (from & 0xf) == 0x5 ? 0x200
					: (from & 0xf) == 0x4 ? 0x000 : 0x400;
	uint64_t to = A64_PSTATE_DAIF | A64_PSTATE_EL1H | (from & PSTATE_DIT);
	char line[160];

	if (cpu_has.pan && !(sctlr & SCTLR_SPAN))
		to |= PSTATE_PAN;
	if (cpu_has.ssbs && (sctlr & SCTLR_DSSBS))
		to |= PSTATE_SSBS;
	if (cpu_has.mte)
		to |= PSTATE_TCO;
	WRITE_SYSREG(elr_el1, a->pc);
	WRITE_SYSREG(spsr_el1, from);
	WRITE_SYSREG(esr_el1, esr);
	if (far != ~0ULL) {
		WRITE_SYSREG(far_el1, far);
		a->far_el1 = far;
	}
	a->elr_el1 = a->pc;
	a->esr_el1 = esr;
	a->pc = READ_SYSREG(vbar_el1) + vector;
	a->pstate = to;
	if (hal_trace_wants(vcpu->vm, TRACE_GUEST_EXCEPTION)) {
		cv_snprintf(line, sizeof(line),
			    "guest-exception: vm=%u vcpu=%u %s esr=0x%llx elr=0x%llx far=0x%llx -> 0x%llx",
			    vcpu->vm->id, vcpu->id, a64_ec_name((unsigned)ESR_EC(esr)),
			    (unsigned long long)esr, (unsigned long long)a->elr_el1,
			    (unsigned long long)(far == ~0ULL ? 0 : far), (unsigned long long)a->pc);
		hal_trace_write(line);
	}
}

/*
 * An SVE or SME instruction: CPTR_EL2 traps them because cvisor hides
 * both (a64_id_sanitise()); a guest that uses them anyway gets what a CPU
 * without them gives, an UNDEF. Returns true if the trap was one of them.
 */
static bool hidden_feature(struct vcpu *vcpu, uint64_t esr, struct vcpu_exit *exit)
{
	if (ESR_EC(esr) != EC_SVE && ESR_EC(esr) != EC_SME)
		return false;
	memset(exit, 0, sizeof(*exit));
	exit->reason = EXIT_NONE;
	exit->pc = vcpu->arch.pc;
	take_exception(vcpu, ESR_UNDEF, ~0ULL);
	return true;
}

/*
 * A device may map part of its window read-only into stage 2 (the flash
 * in read-array mode, src/core/pflash.c): a write there is a permission
 * fault with an instruction syndrome. Outside RAM it is the device's, an
 * access like any other: its fault status becomes a translation fault's,
 * which a64_decode_trap() turns into an MMIO exit.
 */
static void device_write_fault(const struct vcpu *vcpu, struct a64_trap *t)
{
	uint64_t fsc = t->esr & 0x3f; /* ISS.DFSC */
	const struct as_region *r;

	if (ESR_EC(t->esr) != EC_DABT_LOW || !(t->esr & ISS_DA_ISV) || (t->esr & ISS_DA_S1PTW) ||
	    fsc < FSC_PERM(0) ||
	    fsc > FSC_PERM(3))
		return;
	r = addrspace_find(&vcpu->vm->as, a64_fault_gpa(t->hpfar, t->far));
	if (r && r->kind == REGION_RAM)
		return;
	t->esr = (t->esr & ~0x3fULL) | FSC_TRANS(3);
}

/*
 * After a device read: the flash maps the block read into stage 2 while
 * it reads as memory (pflash_map_read()), so the next reads take no exit.
 */
static void device_read_done(struct vcpu *vcpu, gpa_t gpa)
{
	struct device *dev = devbus_find(&vcpu->vm->bus, gpa);

	if (dev)
		pflash_map_read(dev, gpa - dev->base);
}

int hal_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct bare_vcpu *b = vcpu->hal;
	struct vcpu_arch *a = &vcpu->arch;

	/* A trapped access cvisor does not emulate becomes an UNDEF instead of completing. */
	bool undef = exit->reason == EXIT_SYSREG &&
		     !a64_sysreg_emulated(exit->sysreg.id, exit->sysreg.write);
	if (exit->reason != EXIT_NONE && !undef)
		vcpu_arch_complete_exit(vcpu, exit);
	/* The model's CPU interface may have changed (b->icc_known): ask it again. */
	if (exit->reason != EXIT_NONE && exit->reason != EXIT_MMIO && exit->reason != EXIT_HALT)
		b->icc_known = false;
	if (exit->reason == EXIT_MMIO && !exit->mmio.write)
		device_read_done(vcpu, exit->mmio.gpa);

	sched_yield_if_due(); /* between two exits: the slice's end, or another vCPU woke */
	switch_to(vcpu, b);
	if (undef)
		take_exception(vcpu, ESR_UNDEF, ~0ULL);
	if (a->inject.pending) { /* an abort the core injected (vcpu_arch_inject_abort()) */
		a->inject.pending = false;
		take_exception(vcpu, a->inject.esr, a->inject.far);
	}
	enter_state_load(vcpu, b);
	sched_timer_arm(b->base.deadline);
	uint64_t kind = bare_enter_guest(&b->ctx);
	struct a64_trap t = exit_state_save(a, b);
	exit_irq_save(vcpu, b);

	// LAB 8 BEGIN: an interrupt or SError, not a trap, in hal_vcpu_run()
	if (kind != TRAP_SYNC) {
		/* An interrupt or SError while the guest ran. */
		memset(exit, 0, sizeof(*exit));
		exit->reason = EXIT_NONE;
		exit->pc = t.pc;
		if (kind == TRAP_IRQ && sched_irqs())
			watchdog_tick(vcpu, &b->watchdog);
		if (kind == TRAP_SERROR) {
			exit->reason = EXIT_FATAL;
			cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg),
				    "SError from the guest, ESR 0x%llx", (unsigned long long)t.esr);
		}
		return 0;
	}
	// LAB 8 STUB
	// (void)kind;
	// LAB_TODO(8, "interrupt exits in hal_vcpu_run() (labs/8-bare/README.md)");
	// return -CV_ENOTSUP;
	// LAB 8 END
	if (hidden_feature(vcpu, t.esr, exit))
		return 0;
	device_write_fault(vcpu, &t);
	a64_decode_trap(&t, exit);
	/*
	 * The virtual timer ran in the CPU: its PPI's level in the model is
	 * brought to now before the core handles a trap that may look at it:
	 * the guest waiting (WFI), reading the GIC's group 0 registers, a
	 * hypercall. A device access or an interrupt (most exits) leaves it to
	 * the run loop, which brings it to now before the next entry
	 * (vcpu_arch_timers() takes the model's lock twice: under QEMU's TCG,
	 * a large part of an exit's cost).
	 */
	if (exit->reason != EXIT_MMIO)
		vcpu_arch_timers(vcpu, hal_vcpu_clock_ns(vcpu));
	a64_exit_fill_operands(exit, a->x);
	if (exit->reason == EXIT_SYSREG && !exit->sysreg.write && a64_sysreg_is_id(exit->sysreg.id))
		exit->sysreg.value = id_reg_read(exit->sysreg.id); /* sanitised by vcpu_arch_sysreg() */
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
