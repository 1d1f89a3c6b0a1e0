/* SPDX-License-Identifier: MIT */
/*
 * The simulated RISC-V CPU: private state shared by the files of
 * src/sim/riscv64/.
 */
#ifndef SIM_RV_H
#define SIM_RV_H

#include <unicorn/unicorn.h>

#include <cvisor/exit.h>
#include <cvisor/vm.h>

#include "../sim_cpu.h"

/* The simulator's per-vCPU state (vcpu->hal). */
struct sim_rv {
	struct sim_cpu c;            /* first: vcpu->hal points here */
	uc_hook hooks[6];
	unsigned nhooks;
	uint64_t block;              /* start of the translation block running now */
	bool started;                /* the guest has been entered (S-mode) once */
	unsigned storm_count;        /* exceptions in a row taken inside the trap handler */
	uint64_t stop_pc;            /* the instruction an exit that stopped the VM came from */
	bool stop_pc_set;
	/* A guest exception to deliver from inside a hook at this PC (ebreak). */
	bool deliver_pending;
	uint64_t deliver_pc, deliver_cause, deliver_tval;
	uc_hook deliver_hook;
};

/* Delivers a synchronous exception to the guest's stvec (call from a hook only:
 * Unicorn reads S-mode CSRs correctly only there). Returns false if it stopped
 * the VM (exception storm). */
bool sim_rv_deliver(struct sim_rv *s, uint64_t cause, uint64_t epc, uint64_t tval);
/* Arms a one-shot code hook at pc that delivers the exception when the CPU
 * gets there (for what ends the emulation instead of calling a hook). */
void sim_rv_deliver_at(struct sim_rv *s, uint64_t pc, uint64_t cause, uint64_t tval);
/* Reads the 16 or 32-bit instruction at guest address pc (0 if unreadable). */
uint32_t sim_rv_fetch(struct sim_rv *s, uint64_t pc);
/* Guest general registers x0..x31 from Unicorn. */
void sim_rv_read_gprs(uc_engine *uc, uint64_t x[32]);

#endif
