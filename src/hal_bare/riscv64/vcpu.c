/* SPDX-License-Identifier: MIT */
/**
 * @file vcpu.c
 * @brief Running a vCPU on a hart with the H extension: the VS-level
 *        state, the world switch, and a trap to HS-mode made into the
 *        core's exit record by the simulator's own decoder (arch/trap.h).
 *
 *   the guest does               the hart does (Privileged 1.12 ch. 8)    cvisor sees
 *   lw from a device's GPA       load guest-page fault, scause 21,        EXIT_MMIO
 *                                htval = GPA >> 2, htinst = the load
 *   ecall                        scause 10 (from VS-mode)                 EXIT_HYPERCALL (SBI)
 *   wfi                          virtual instruction, scause 22           EXIT_HALT
 *                                (hstatus.VTW)
 *   csrr a0, time                virtual instruction (hcounteren.TM = 0)  EXIT_SYSREG
 *   its own page fault, ecall    delegated to VS-mode (hedeleg): the
 *   from U, illegal instruction  guest's stvec, never cvisor
 *   --                           cvisor's timer or kick (STIP, SSIP)      EXIT_NONE
 *
 * The guest's interrupts are the VS-level ones, delegated to VS-mode
 * (hideleg) and raised by cvisor in hvip before each entry: VSTIP from the
 * SBI timer, VSEIP from the virtual PLIC, VSSIP from an SBI IPI (which the
 * guest clears itself, in its sip: an alias of hvip.VSSIP, 8.2.3).
 *
 * The VS-level CSRs, FP registers and hgatp are switched lazily: only
 * when another vCPU runs on the hart (switch_to()).
 */
#include <arch/irq.h>
#include <arch/insn.h>
#include <arch/stage1.h>
#include <arch/trap.h>
#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#include "../hal_bare.h"
#include "hal_arch.h"

/* What vectors.S saves and loads (offsets fixed there). */
struct guest_ctx {
	uint64_t x[32]; /* x0's slot unused */
	uint64_t host_sp;
};
_Static_assert(__builtin_offsetof(struct guest_ctx, host_sp) == 256, "vectors.S: host_sp at 256");
void bare_enter_guest(struct guest_ctx *ctx);

/* switch.S: f0..f31 and fcsr. */
struct fp_regs {
	uint64_t f[32];
	uint64_t fcsr;
};
void bare_fp_save(struct fp_regs *r);
void bare_fp_load(const struct fp_regs *r);

/* A vCPU's VS-level CSRs (8.2.x), while another vCPU has the hart. */
struct vs_csrs {
	uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp, hvip;
};

struct bare_vcpu {
	struct bare_vcpu_base base; /* its thread and deadline (../vcpu_thread.c): first */
	struct guest_ctx ctx;
	struct vs_csrs vs;
	struct fp_regs fp;
	uint16_t vmid;
	bool vu;           /* the guest was in VU-mode at its last trap (sstatus.SPP clear) */
	struct watchdog watchdog;
};

/* hstatus (8.2.1) */
#define HSTATUS_SPV (1ULL << 7)  /* the trap came from V = 1; SRET goes back to V = 1 */
#define HSTATUS_SPVP (1ULL << 8) /* the guest's privilege at the trap (HLV/HSV use it) */
#define HSTATUS_VTW (1ULL << 21) /* WFI in VS-mode: virtual instruction exception */
/* hvip / hideleg bits: the VS-level interrupts (8.2.3) */
#define HVIP_VSSIP (1ULL << 2)
#define HVIP_VSTIP (1ULL << 6)
#define HVIP_VSEIP (1ULL << 10)
/* sstatus.FS = Dirty: cvisor saves and loads the FP registers itself (switch_to()). */
#define SSTATUS_FS_DIRTY (3ULL << 13)

/*
 * The guest's own exceptions, taken by its own stvec (hedeleg, 8.2.2): as
 * KVM delegates them, plus illegal instructions (there is no instruction
 * cvisor emulates; the simulator delivers them to the guest too) and
 * misaligned loads and stores.
 */
#define HEDELEG_GUEST                                                                              \
	((1ULL << RV_CAUSE_MISALIGNED_FETCH) | (1ULL << RV_CAUSE_ILLEGAL_INSN) |                   \
	 (1ULL << RV_CAUSE_BREAKPOINT) | (1ULL << RV_CAUSE_MISALIGNED_LOAD) |                      \
	 (1ULL << RV_CAUSE_MISALIGNED_STORE) | (1ULL << RV_CAUSE_USER_ECALL) |                     \
	 (1ULL << RV_CAUSE_FETCH_PAGE_FAULT) | (1ULL << RV_CAUSE_LOAD_PAGE_FAULT) |                \
	 (1ULL << RV_CAUSE_STORE_PAGE_FAULT))
/* hcounteren (8.2.5): cycle and instret read directly; time traps (cvisor gives the VM clock). */
#define HCOUNTEREN_GUEST ((1ULL << 0) | (1ULL << 2))

/* The H extension's fences, by encoding (the assembler's -march has no H). */
#define HFENCE_GVMA_ALL() __asm__ volatile(".word 0x62000073" ::: "memory") /* hfence.gvma zero, zero */
#define HFENCE_VVMA_ALL() __asm__ volatile(".word 0x22000073" ::: "memory") /* hfence.vvma zero, zero */

void guest_traps_init(void)
{
	WRITE_CSR(hedeleg, HEDELEG_GUEST);
	WRITE_CSR(hideleg, HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP);
	WRITE_CSR(hcounteren, HCOUNTEREN_GUEST);
	WRITE_CSR(hvip, 0);
	WRITE_CSR(hstatus, HSTATUS_VTW);
	SET_CSR(sstatus, SSTATUS_FS_DIRTY);
	CLEAR_CSR(sstatus, SSTATUS_SIE);
	/* cvisor's own interrupts: taken from the guest as exits, or ending WFI (cpu_sched.c). */
	WRITE_CSR(sie, SIP_SSIP | SIP_STIP);
}

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

/* On the vCPU's own thread, its run loop over: its hart forgets it, so nothing is saved into it later. */
void bare_vcpu_unload(struct vcpu *vcpu)
{
	struct pcpu *c = this_cpu();
	if (c->loaded == vcpu->hal)
		c->loaded = NULL;
}

/*
 * HFENCE.GVMA with rs1 = rs2 = x0 (8.3.2) orders and drops every G-stage
 * translation of every VMID on this hart. The H extension has no
 * broadcast fence: the other harts that may run the VM's vCPUs are asked
 * through the SBI's RFENCE extension (SBI 2.0, 8.4
 * remote_hfence_gvma_vmid: the range of guest physical addresses, for the
 * VM's VMID), which returns once they have fenced, as AArch64's
 * TLBI VMALLS12E1IS is broadcast to the inner shareable domain.
 */
#define SBI_EXT_RFENCE 0x52464E43ULL
#define SBI_RFENCE_HFENCE_GVMA_VMID 3

void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size)
{
	const struct bare_vm *bv = vm->hal;
	uint64_t mask = 0;

	HFENCE_GVMA_ALL();
	for (unsigned i = 0; i < npcpus; i++)
		if (&pcpus[i] != this_cpu() && pcpus[i].hartid < 64)
			mask |= 1ULL << pcpus[i].hartid;
	if (mask == 0)
		return;
	struct sbiret r = sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA_VMID, mask, 0, gpa, size,
				   bv ? bv->vmid : 1, 0);
	if (r.error != 0)
		hal_panic("SBI remote_hfence_gvma_vmid failed (%ld): other harts may keep stale "
			  "G-stage translations", r.error);
}

static void vs_save(struct vs_csrs *v)
{
	v->vsstatus = READ_CSR(vsstatus);
	v->vsie = READ_CSR(vsie);
	v->vstvec = READ_CSR(vstvec);
	v->vsscratch = READ_CSR(vsscratch);
	v->vsepc = READ_CSR(vsepc);
	v->vscause = READ_CSR(vscause);
	v->vstval = READ_CSR(vstval);
	v->vsatp = READ_CSR(vsatp);
	v->hvip = READ_CSR(hvip);
}

static void vs_load(const struct vs_csrs *v)
{
	WRITE_CSR(vsstatus, v->vsstatus);
	WRITE_CSR(vsie, v->vsie);
	WRITE_CSR(vstvec, v->vstvec);
	WRITE_CSR(vsscratch, v->vsscratch);
	WRITE_CSR(vsepc, v->vsepc);
	WRITE_CSR(vscause, v->vscause);
	WRITE_CSR(vstval, v->vstval);
	WRITE_CSR(vsatp, v->vsatp);
	WRITE_CSR(hvip, v->hvip);
}

/*
 * Makes b's VS-level CSRs, FP registers and G-stage table the hart's. A
 * VMID may be reused by a new VM, and vsatp's translations are tagged by
 * VMID too: both kinds are dropped (HFENCE.GVMA drops every guest
 * translation of the VMID, 8.3.2).
 */
static void switch_to(struct vcpu *vcpu, struct bare_vcpu *b)
{
	struct pcpu *c = this_cpu();
	struct bare_vcpu *loaded = c->loaded;

	if (loaded == b)
		return;
	if (loaded) {
		vs_save(&loaded->vs);
		bare_fp_save(&loaded->fp);
	}
	vs_load(&b->vs);
	bare_fp_load(&b->fp);
	uint64_t hgatp = stage2_root_register(&vcpu->vm->as.s2, b->vmid);
	if (hgatp >> 60 == 0)
		hal_panic("hgatp.MODE is Bare: no guest runs without G-stage translation");
	WRITE_CSR(hgatp, hgatp);
	HFENCE_GVMA_ALL();
	c->loaded = b;
}

/* hart_start (csr_reset): the VS-level CSRs as at the hart's start (SBI 9.1: satp 0, SIE 0). */
static void vs_reset(struct bare_vcpu *b)
{
	memset(&b->vs, 0, sizeof(b->vs));
	memset(&b->fp, 0, sizeof(b->fp));
	vs_load(&b->vs);
	bare_fp_load(&b->fp);
	HFENCE_VVMA_ALL();
	b->vu = false;
}

/*
 * The exception the core injects (an access fault: vcpu_arch_inject_abort()),
 * taken as the hart takes a trap into VS-mode (4.1.1, 8.6.4 with V = 1):
 * vsepc = the instruction, vscause, vstval, vsstatus.SPP = the mode it
 * came from, SPIE = SIE, SIE = 0, and the guest continues at vstvec's base.
 */
static void take_exception(struct vcpu *vcpu, struct bare_vcpu *b, uint64_t cause, uint64_t tval)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint64_t s = READ_CSR(vsstatus);

	WRITE_CSR(vsepc, a->pc);
	WRITE_CSR(vscause, cause);
	WRITE_CSR(vstval, tval);
	s = (s & ~(SSTATUS_SPP | SSTATUS_SPIE)) | (b->vu ? 0 : SSTATUS_SPP) |
	    ((s & SSTATUS_SIE) ? SSTATUS_SPIE : 0);
	WRITE_CSR(vsstatus, s & ~SSTATUS_SIE);
	a->pc = READ_CSR(vstvec) & ~3ULL;
	b->vu = false;
}

/* The interrupts the guest has pending from cvisor, in hvip (VSSIP kept: the guest clears it). */
static void irq_load(struct vcpu *vcpu)
{
	uint64_t lines = rv_irq_lines(vcpu); /* STIP, SEIP in sip's positions */
	uint64_t hvip = READ_CSR(hvip) & HVIP_VSSIP;

	if (rv_irq_take_ipi(vcpu))
		hvip |= HVIP_VSSIP;
	hvip |= (lines & RV_IRQ_STIP) ? HVIP_VSTIP : 0;
	hvip |= (lines & RV_IRQ_SEIP) ? HVIP_VSEIP : 0;
	WRITE_CSR(hvip, hvip);
}

/* What the core reads of the guest's CSRs after an exit: its wait decisions, reports, the watchdog. */
static void exit_csrs_save(struct vcpu_arch *a)
{
	a->sstatus = READ_CSR(vsstatus);
	a->sie = READ_CSR(vsie);
	a->sip = READ_CSR(vsip);
	a->stvec = READ_CSR(vstvec);
	a->sepc = READ_CSR(vsepc);
	a->scause = READ_CSR(vscause);
	a->stval = READ_CSR(vstval);
	a->satp = READ_CSR(vsatp);
}

/* The guest's own translation as its last trap left it (for cvisor's walks of it). */
static struct rv_s1_regs s1_regs(const struct vcpu_arch *a, const struct bare_vcpu *b)
{
	return (struct rv_s1_regs){ .satp = a->satp, .sstatus = a->sstatus,
				    .priv = b->vu ? RV_PRIV_U : RV_PRIV_S };
}

/*
 * A guest-page fault whose htinst the hart left 0 (it may, 8.6.3): the
 * instruction is read from guest memory through the guest's own
 * translation and transformed as the hart would have. If the guest's
 * translation of stval does not lead to the faulting page, the fault was
 * on the guest's own page-table walk (an implicit access).
 */
static uint64_t htinst_of(struct vcpu *vcpu, struct bare_vcpu *b, const struct rv_trap *t)
{
	const struct vcpu_arch *a = &vcpu->arch;
	struct rv_s1_regs r = s1_regs(a, b);
	struct s1_result res;
	struct rv_ldst ld;
	uint32_t insn = 0;
	gpa_t fault = rv_fault_gpa(t);

	if (rv_s1_translate(&vcpu->vm->as, &r, t->stval, ACCESS_READ, &res, NULL, NULL) < 0 ||
	    res.gpa >> 12 != fault >> 12)
		return RV_HTINST_IMPLICIT_READ64;
	if (rv_s1_translate(&vcpu->vm->as, &r, t->sepc, ACCESS_FETCH, &res, NULL, NULL) < 0 ||
	    addrspace_read(&vcpu->vm->as, res.gpa, &insn, 2) < 0)
		return 0;
	if (rv_insn_length((uint16_t)insn) == 4) {
		uint16_t hi = 0;
		if (rv_s1_translate(&vcpu->vm->as, &r, t->sepc + 2, ACCESS_FETCH, &res, NULL, NULL) < 0 ||
		    addrspace_read(&vcpu->vm->as, res.gpa, &hi, 2) < 0)
			return 0;
		insn |= (uint32_t)hi << 16;
	}
	return rv_decode_ldst(insn, &ld) ? rv_transform_ldst(&ld) : 0;
}

/* A virtual-instruction exception whose stval the hart left 0: the instruction, from guest memory. */
static uint64_t insn_of(struct vcpu *vcpu, struct bare_vcpu *b, uint64_t pc)
{
	const struct vcpu_arch *a = &vcpu->arch;
	struct rv_s1_regs r = s1_regs(a, b);
	struct s1_result res;
	uint32_t insn = 0;

	if (rv_s1_translate(&vcpu->vm->as, &r, pc, ACCESS_FETCH, &res, NULL, NULL) < 0 ||
	    (res.gpa & (PAGE_SIZE - 1)) > PAGE_SIZE - 4 ||
	    addrspace_read(&vcpu->vm->as, res.gpa, &insn, 4) < 0)
		return 0;
	return insn;
}

int hal_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct bare_vcpu *b = vcpu->hal;
	struct vcpu_arch *a = &vcpu->arch;

	if (exit->reason != EXIT_NONE)
		vcpu_arch_complete_exit(vcpu, exit);

	sched_yield_if_due(); /* between two exits: the slice's end, or another vCPU woke */
	switch_to(vcpu, b);
	if (a->csr_reset) { /* SBI hart_start */
		a->csr_reset = false;
		vs_reset(b);
	}
	if (a->inject.pending) { /* an access fault the core injected */
		a->inject.pending = false;
		take_exception(vcpu, b, a->inject.cause, a->inject.tval);
	}
	irq_load(vcpu);
	sched_timer_arm(b->base.deadline);

	memcpy(&b->ctx.x[1], &a->x[1], 31 * sizeof(a->x[0]));
	WRITE_CSR(sepc, a->pc);
	uint64_t hs = READ_CSR(hstatus) | HSTATUS_SPV;
	WRITE_CSR(hstatus, b->vu ? hs & ~HSTATUS_SPVP : hs | HSTATUS_SPVP);
	if (b->vu)
		CLEAR_CSR(sstatus, SSTATUS_SPP);
	else
		SET_CSR(sstatus, SSTATUS_SPP);
	bare_enter_guest(&b->ctx);

	struct rv_trap t = {
		.scause = READ_CSR(scause),
		.stval = READ_CSR(stval),
		.htval = READ_CSR(htval),
		.htinst = READ_CSR(htinst),
		.sepc = READ_CSR(sepc),
	};
	b->vu = !(READ_CSR(sstatus) & SSTATUS_SPP);
	memcpy(&a->x[1], &b->ctx.x[1], 31 * sizeof(a->x[0]));
	a->x[0] = 0;
	a->pc = t.sepc;
	exit_csrs_save(a);

	if (t.scause & RV_CAUSE_INTERRUPT) {
		/* cvisor's timer or a kick while the guest ran. */
		memset(exit, 0, sizeof(*exit));
		exit->reason = EXIT_NONE;
		exit->pc = t.sepc;
		if (sched_irqs())
			watchdog_tick(vcpu, &b->watchdog);
		return 0;
	}
	if ((t.scause == RV_CAUSE_LOAD_GUEST_PAGE_FAULT ||
	     t.scause == RV_CAUSE_STORE_GUEST_PAGE_FAULT) && t.htinst == 0)
		t.htinst = htinst_of(vcpu, b, &t);
	/*
	 * The guest's own walk for an instruction fetch faulted: the fault is
	 * an instruction guest-page fault (8.5.1: an implicit access of the
	 * VS-stage walk is reported as the kind of the access it was made
	 * for). QEMU 7.2 reports it as a load guest-page fault; the fetch is
	 * known by its address, the instruction's own (stval = sepc).
	 */
	if (t.scause == RV_CAUSE_LOAD_GUEST_PAGE_FAULT && t.stval == t.sepc &&
	    (t.htinst & ~(uint64_t)0x1020) == 0x2000)
		t.scause = RV_CAUSE_FETCH_GUEST_PAGE_FAULT;
	if (t.scause == RV_CAUSE_VIRTUAL_INSN && t.stval == 0)
		t.stval = insn_of(vcpu, b, t.sepc);
	rv_decode_trap(&t, exit);
	rv_exit_fill_operands(exit, a->x);
	return 0;
}

/* A trap taken while cvisor itself runs in HS-mode (vectors.S): a bug in cvisor. */
void bare_hyp_fault(uint64_t scause, uint64_t sepc, uint64_t stval);
void bare_hyp_fault(uint64_t scause, uint64_t sepc, uint64_t stval)
{
	hal_panic("trap in HS-mode: scause 0x%llx (%s), sepc 0x%llx, stval 0x%llx",
		  (unsigned long long)scause, rv_cause_name(scause), (unsigned long long)sepc,
		  (unsigned long long)stval);
}
