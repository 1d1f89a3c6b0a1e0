/* SPDX-License-Identifier: MIT */
/*
 * The simulated RISC-V CPU: its per-vCPU state and what the files of
 * src/sim/riscv64/ offer each other. Each file calls only the ones listed
 * before it, never one after:
 *
 *   qstate.c  what the API does not show: the privilege level, in QEMU's saved state
 *   irq.c     the interrupts the hypervisor asserts, into the CPU's pending bits
 *   switch.c  the register file into Unicorn and back (entering, leaving the guest)
 *   mmu.c     the guest's own stage 1 (satp): its registers, traced walks, reading its code
 *   exc.c     delivering the guest's own exceptions to its stvec
 *   hooks.c   Unicorn's hooks and stops -> scause/htval/htinst -> exits; creating the CPU
 */
#ifndef SIM_RV_CPU_H
#define SIM_RV_CPU_H

#include <unicorn/unicorn.h>

#include <arch/stage1.h>

#include <cvisor/exit.h>
#include <cvisor/vm.h>

#include "../cpu.h"

/* A page outside every guest region holds the trampoline into S-mode (hooks.c maps it). */
#define TRAMPOLINE 0xffffffffffffe000ULL

/* The simulated CPU's per-vCPU state (struct sim_cpu first). */
struct sim_rv {
	struct sim_cpu c;
	bool started;                /* the guest has been entered (S-mode) once */
	uint64_t lines;              /* STIP and SEIP as last written to the CPU's mip (irq.c) */
	bool irq_warned;             /* said once that interrupts cannot be raised */
	uint64_t irq_entry;          /* the vector block counted last, while no other watched block ran */
	/*
	 * Where the guest resumes, or reports say it was, when a hook stopped
	 * the CPU: the instruction of an exit that stopped the VM, or one whose
	 * exception was not taken because the CPU was being stopped (it runs
	 * again, and traps again, at the next entry).
	 */
	uint64_t stop_pc;
	bool stop_pc_set;
	/* QEMU's CPU state as uc_context_save() copies it (qstate.c). */
	struct {
		struct sim_ctx saved;
		size_t pc;           /* offset of env->pc in it; the others follow from it */
		bool known;          /* the layout was found and checked */
		bool view_saved;     /* saved is the copy the current view was read from (qstate.c) */
	} q;
	/*
	 * A misaligned device access, which Unicorn splits (cputlb.c
	 * do_unaligned_access): a load into two aligned loads of its size, a
	 * store into single bytes. The guest made one access: it is one exit,
	 * taken on the first piece (load) or the last (store).
	 */
	struct {
		bool active;
		gpa_t base;          /* the GPA of buf[0] */
		gpa_t next, end;     /* the piece expected next; the end of the last */
		gpa_t gpa;           /* the access as the guest made it */
		unsigned size;
		uint8_t buf[16];     /* load: the bytes the pieces return; store: the bytes so far */
	} split;
	/*
	 * An access fault the core injected was delivered inside a callback:
	 * the access's other pieces, until the next block starts (the block
	 * hook records each start in c.block), are answered with nothing
	 * (hooks.c, guest_page_fault()).
	 */
	bool aborted;
	uint64_t aborted_block; /* c.block when it was delivered */
	/* A guest exception to deliver from inside a hook at this PC (ebreak). */
	bool deliver_pending;
	uint64_t deliver_pc, deliver_cause, deliver_tval;
	uc_hook deliver_hook;
	/* What mmu.c read of the CPU for this exit: the translation registers, the mode. */
	bool view_valid;
	struct rv_s1_regs view;
	/* The code page last translated for the simulator's own fetches (mmu.c). */
	bool mmu_on;                 /* satp.MODE is not Bare (read at each exit) */
	bool code_valid, code_ok;
	uint64_t code_page;
	gpa_t code_gpa;
};

/* ---- qstate.c: QEMU's state behind the API ---- */
/* Finds the privilege level in a saved context (call at creation, in M-mode). 0 or -CV_ENOMEM. */
int sim_rv_qstate_init(struct sim_rv *s);
/* Frees what sim_rv_qstate_init() allocated (NULL-safe). */
void sim_rv_qstate_free(struct sim_rv *s);
/* satp, sstatus (SUM, MXR) and the mode the hart runs in, as QEMU holds them; false if unknown. */
bool sim_rv_qstate_read(struct sim_rv *s, struct rv_s1_regs *r);
/* Moves the hart to S-mode as a trap does; false if unknown or it did not take. */
bool sim_rv_qstate_enter_s(struct sim_rv *s);
/* The guest's stvec, whatever the mode; false if unknown. */
bool sim_rv_qstate_stvec(struct sim_rv *s, uint64_t *stvec);
/* The guest's sie and sip (mie and mip & mideleg), whatever the mode; false if unknown. */
bool sim_rv_qstate_irqs(struct sim_rv *s, uint64_t *sie, uint64_t *sip);
/* Sets the bits mask of mip to value, as a device's line would (the CPU then looks at its
 * interrupts); false if unknown or it did not take. */
bool sim_rv_qstate_set_mip(struct sim_rv *s, uint64_t mask, uint64_t value);
/* The supervisor CSRs as SBI hart_start leaves them: satp 0 (TLB dropped), sstatus.SIE,
 * sie and sip.SSIP clear; false if unknown or it did not take. */
bool sim_rv_qstate_start(struct sim_rv *s);

/* The mode the hart runs in as QEMU holds it: 0 (U), 1 (S) or 3 (M, before the guest was
 * entered); -1 if unknown. */
int sim_rv_qstate_priv(struct sim_rv *s);
/* Reads or writes (write) the CSR Unicorn names id from M-mode, where the API reaches every
 * CSR whatever mode the hart runs in, which is put back; false if unknown or refused. */
bool sim_rv_qstate_csr(struct sim_rv *s, int id, uint64_t *val, bool write);

/* ---- irq.c: interrupts ---- */
/* Copies the guest's sie and sip into the register file, for the core's wait decisions. */
void sim_rv_irq_read(struct sim_rv *s);
/*
 * Makes the CPU's pending interrupts what the hypervisor asserts
 * (arch/irq.h): STIP and SEIP as rv_irq_lines() says, SSIP set for an
 * IPI; first the CSR reset of a hart_start. The vCPU's own thread, inside
 * a hook or between runs.
 */
void sim_rv_irq_sync(struct sim_rv *s);
/*
 * Called at each block start while an interrupt may be pending: a block
 * at the guest's trap vector with an interrupt in scause is the CPU's
 * entry into the handler; it is counted and traced as a guest exception.
 */
void sim_rv_irq_taken(struct sim_rv *s, uint64_t block);

/* ---- switch.c: registers ---- */
/* Guest general registers x0..x31 from Unicorn. */
void sim_rv_read_gprs(uc_engine *uc, uint64_t x[32]);
/* Reads a0..a7 alone into x[10..17] (a hypercall's registers). */
void sim_rv_read_args(uc_engine *uc, uint64_t x[32]);

/* ---- mmu.c: the guest's own MMU ---- */
/* The guest's stage-1 state as Unicorn holds it, for accesses in the mode the hart runs in. */
void sim_rv_s1_regs(struct sim_rv *s, struct rv_s1_regs *r);
/* The mode the hart runs in (S if qstate.c cannot see it). */
enum rv_priv sim_rv_priv(struct sim_rv *s);
/* True when satp.MODE is not Bare. */
bool sim_rv_mmu_on(struct sim_rv *s);
/*
 * Walks the guest's stage 1 for va, traced under --trace=walks with why
 * and followed by the stage-2 walk of the GPA found. Returns the walker's
 * status with *res filled.
 */
int sim_rv_s1_walk(struct sim_rv *s, uint64_t va, enum access_kind access, struct s1_result *res,
		   const char *why);
/* The same walk, not traced: for candidates the simulator only tries. */
int sim_rv_s1_probe(struct sim_rv *s, uint64_t va, enum access_kind access, struct s1_result *res);
/* Reads the 16 or 32-bit instruction at guest virtual address pc (0 if
 * unreadable): through the guest's stage 1 when satp.MODE is not Bare. */
uint32_t sim_rv_fetch(struct sim_rv *s, uint64_t pc);
/* Forgets what mmu.c read of the CPU and the code page sim_rv_fetch() translated
 * last (call at each new exit, and after changing the mode or the CSRs). */
void sim_rv_forget_code(struct sim_rv *s);

/* ---- exc.c: the guest's own exceptions ---- */
/* Delivers a synchronous exception to the guest's stvec (call from a hook only:
 * Unicorn reads S-mode CSRs correctly only there). Returns false if it stopped
 * the VM (exception storm). */
bool sim_rv_deliver(struct sim_rv *s, uint64_t cause, uint64_t epc, uint64_t tval);
/* Delivers the access fault the core injected for the exit just handled
 * (vcpu_arch_inject_abort(): vcpu->arch.inject), if there is one, for the
 * instruction at the register file's PC (from a hook only). Returns true
 * if it delivered one. */
bool sim_rv_take_injected(struct sim_rv *s);

#endif
