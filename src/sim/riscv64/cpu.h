/* SPDX-License-Identifier: MIT */
/*
 * The simulated RISC-V CPU: its per-vCPU state and what the files of
 * src/sim/riscv64/ offer each other. Each file calls only the ones listed
 * before it, never one after:
 *
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
	uint64_t block;              /* start of the translation block running now */
	bool started;                /* the guest has been entered (S-mode) once */
	uint64_t stop_pc;            /* the instruction an exit that stopped the VM came from */
	bool stop_pc_set;
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
	/* A guest exception to deliver from inside a hook at this PC (ebreak). */
	bool deliver_pending;
	uint64_t deliver_pc, deliver_cause, deliver_tval;
	uc_hook deliver_hook;
	/* The code page last translated for the simulator's own fetches (mmu.c). */
	bool mmu_on;                 /* satp.MODE is not Bare (read at each exit) */
	bool code_valid, code_ok;
	uint64_t code_page;
	gpa_t code_gpa;
};

/* ---- switch.c: registers ---- */
/* Guest general registers x0..x31 from Unicorn. */
void sim_rv_read_gprs(uc_engine *uc, uint64_t x[32]);

/* ---- mmu.c: the guest's own MMU ---- */
/* The guest's stage-1 state as Unicorn holds it (S-mode accesses). */
void sim_rv_s1_regs(struct sim_rv *s, struct rv_s1_regs *r);
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
/* Forgets the code page sim_rv_fetch() translated last (call at each new exit). */
void sim_rv_forget_code(struct sim_rv *s);

/* ---- exc.c: the guest's own exceptions ---- */
/* Delivers a synchronous exception to the guest's stvec (call from a hook only:
 * Unicorn reads S-mode CSRs correctly only there). Returns false if it stopped
 * the VM (exception storm). */
bool sim_rv_deliver(struct sim_rv *s, uint64_t cause, uint64_t epc, uint64_t tval);

#endif
