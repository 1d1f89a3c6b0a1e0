/* SPDX-License-Identifier: MIT */
/*
 * The simulated AArch64 CPU: its per-vCPU state and what the files of
 * src/sim/aarch64/ offer each other. Each file calls only the ones listed
 * before it, never one after:
 *
 *   switch.c  the register file into Unicorn and back (entering, leaving the guest)
 *   mmu.c     the guest's own stage 1: its registers, traced walks, reading its code
 *   exc.c     delivering the guest's own exceptions to its VBAR_EL1
 *   hooks.c   Unicorn's hooks and stops -> ESR_EL2 syndromes -> exits; creating the CPU
 */
#ifndef SIM_A64_CPU_H
#define SIM_A64_CPU_H

#include <stddef.h>

#include <unicorn/unicorn.h>

#include <arch/stage1.h>

#include <cvisor/exit.h>
#include <cvisor/vm.h>

#include "../cpu.h"

/*
 * The last device access the CPU made, performed once in full at its
 * first piece (Unicorn splits an access into callbacks of at most 4
 * bytes, aligned pieces that may start before it): the later pieces, and
 * the whole access again when the CPU was stopped inside it and Unicorn
 * runs the instruction a second time, are answered from here, never from
 * the device (hooks.c, mmio_done_serves()).
 */
struct mmio_done {
	bool valid;
	uint64_t pc;        /* the instruction that made it */
	gpa_t gpa;          /* the access as the guest made it */
	unsigned size;
	bool write;
	uint64_t data;      /* read: the value the device gave */
	uint32_t left;      /* bytes of the access not yet given to a piece (bit i: gpa + i) */
	bool replay;        /* the CPU stopped inside it: its next execution is answered too */
};

/* HCR_EL2 of the simulated CPU: RW (EL1 is AArch64) | IMO (virtual IRQs); hooks.c. */
#define SIM_HCR_EL2 ((1ULL << 31) | (1ULL << 4))
/* HCR_EL2.VI: a virtual IRQ is pending (ARM ARM D17.2.48). */
#define SIM_HCR_VI (1ULL << 7)

/* A synchronous exception from EL0 the CPU is entering (exc.c, enter_from_el0()). */
struct a64_entry {
	bool pending;
	uint64_t esr, elr, far; /* far: ~0 when the exception sets no FAR_EL1 */
	uint64_t spsr;          /* PSTATE at EL0 */
};

/* Pages of code dropped one by one at an entry; more drop all (switch.c). */
#define SIM_CODE_PAGES 64

/* The simulated CPU's per-vCPU state (struct sim_cpu first). */
struct sim_a64 {
	struct sim_cpu c;
	bool started;                /* registers written to Unicorn at least once */
	struct mmio_done mmio;
	struct sim_window top;       /* the last page of the address space (hooks.c, map_top_page()) */
	struct a64_entry entry;
	/*
	 * An abort the core injected, taken inside a callback: the access's
	 * other pieces, which Unicorn still hands over with PC at the vector
	 * (abort_pc), are answered with nothing (hooks.c, data_abort()).
	 */
	bool aborted;
	uint64_t abort_pc;
	bool vi;                     /* HCR_EL2.VI as last written (switch.c, sim_a64_set_vi()) */
	/*
	 * Code other vCPUs of the VM invalidated (IC IVAU, IC IALLU(IS)),
	 * whose translations this one drops at its next entry (switch.c):
	 * guest-physical pages, or all of them.
	 */
	struct {
		bool lock;
		bool all;
		unsigned n;
		gpa_t page[SIM_CODE_PAGES];
	} drop;
	bool code_told;              /* notified of a drop since its last entry (switch.c) */
	bool powered_off;            /* PSCI CPU_OFF in this run: leave its register file alone */
	/* The register file as last read from Unicorn: write back only what changed. */
	struct vcpu_arch saved;
};

/* ---- switch.c: registers ---- */
/* SPSR_EL1 has no Unicorn register id: it is reached as a CP register. */
#define SIM_SPSR_EL1 (-1)
/* Reads/writes a register by Unicorn id, or SPSR_EL1 (SIM_SPSR_EL1). */
void sim_a64_reg_read(uc_engine *uc, int id, uint64_t *val);
void sim_a64_reg_write(uc_engine *uc, int id, const uint64_t *val);
/* Reads x0..x30 and the current SP from Unicorn. */
void sim_a64_read_gprs(uc_engine *uc, uint64_t x[31], uint64_t *sp);
/* Reads x0..x7 alone into x[0..7] (a hypercall's registers). */
void sim_a64_read_args(uc_engine *uc, uint64_t x[31]);
/*
 * Sets HCR_EL2.VI, the virtual IRQ line, in Unicorn (if it changes): the
 * CPU takes the IRQ to VBAR_EL1 + 0x80 / 0x280 / 0x480 before its next
 * instruction with PSTATE.I clear. Inside a hook on the vCPU's own
 * thread too.
 */
void sim_a64_set_vi(struct sim_a64 *s, bool vi);
/* Sets VI to what the vCPU's virtual CPU interface asserts (a64_irq_signalled()). */
void sim_a64_update_vi(struct sim_a64 *s);
/*
 * The guest invalidated instruction caches: code may have been written
 * for other vCPUs, whose Unicorn CPUs keep their own translations of the
 * old code (this CPU's own writes invalidate its translations already).
 * page: the guest-physical page an IC IVAU named, or GPA_INVALID for
 * all code (IC IALLU, IALLUIS, or an IC IVAU whose address does not
 * translate). Queues the drop for each other vCPU of the VM and notifies
 * it: it drops those translations at its next entry.
 */
void sim_a64_code_written(struct sim_a64 *s, gpa_t page);

/* ---- mmu.c: the guest's stage 1 ---- */
/* The guest's stage-1 registers, as Unicorn holds them. */
void sim_a64_s1_regs(struct sim_a64 *s, struct a64_s1_regs *r);
/* True when the guest's stage 1 is on (SCTLR_EL1.M). */
bool sim_a64_mmu_on(struct sim_a64 *s);
/*
 * Walks the guest's stage 1 for va (project code, traced under
 * --trace=walks with why, followed by the stage-2 walk of the GPA found).
 * Returns the walker's status with *res filled.
 */
int sim_a64_s1_walk(struct sim_a64 *s, uint64_t va, enum access_kind access, struct s1_result *res,
		    const char *why);
/* Reads the 32-bit instruction at guest virtual address pc (0 if unreadable):
 * through the guest's stage 1 when its MMU is on (a traced walk). */
uint32_t sim_a64_fetch(struct sim_a64 *s, uint64_t pc);

/* ---- exc.c: the guest's own exceptions ---- */
/* Delivers a synchronous exception with syndrome esr, preferred return
 * address elr and fault address far (~0: none) to the guest's VBAR_EL1.
 * Returns false if it stopped the VM (storm). From EL0 it stops the CPU
 * and the entry is completed by sim_a64_finish_entry(), so call it where
 * the CPU is between two instructions (the interrupt hook) when the guest
 * may be at EL0. */
bool sim_a64_deliver_sync(struct sim_a64 *s, uint64_t esr, uint64_t elr, uint64_t far);
/*
 * After the CPU stopped (the register file saved): completes an entry from
 * EL0 that sim_a64_deliver_sync() began, in the register file. Returns
 * false if none was under way; true if one was, with *exit left as it was
 * (EXIT_NONE: run on) or made fatal if the CPU did not enter EL1.
 */
bool sim_a64_finish_entry(struct sim_a64 *s, struct vcpu_exit *exit);
/*
 * Takes the abort the core injected for the exit just handled
 * (vcpu_arch_inject_abort(): vcpu->arch.inject), if there is one, for the
 * instruction at the register file's PC. Returns true if it took one.
 */
bool sim_a64_take_injected(struct sim_a64 *s);
/*
 * The same at entry, for an exit that ended the run: the exception entry
 * is made in the register file (ARM ARM D1.10), before it goes into the
 * CPU, so that a kick before the run keeps it. Not from EL0, whose entry
 * only the CPU itself makes right (sim_a64_take_injected() then, once the
 * registers are in). Returns true if it entered one.
 */
bool sim_a64_enter_injected(struct sim_a64 *s);

#endif
