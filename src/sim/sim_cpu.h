/* SPDX-License-Identifier: MIT */
/**
 * @file sim_cpu.h
 * @brief What every simulated CPU shares: the Unicorn engine, the vCPU it
 *        runs, a stop-type exit waiting for hal_vcpu_run(), and the run
 *        loop step itself. Each architecture's state (src/sim/<arch>/)
 *        begins with a struct sim_cpu, and vcpu->hal points at it.
 */
#ifndef SIM_CPU_H
#define SIM_CPU_H

#include <unicorn/unicorn.h>

#include <cvisor/exit.h>
#include <cvisor/vm.h>

#include "uc_map.h"

struct sim_cpu {
	uc_engine *uc;
	struct vcpu *vcpu;
	struct sim_map map;          /**< Unicorn's guest-physical map */
	struct vcpu_exit pending;    /**< a stop-type exit for hal_vcpu_run() to return */
	bool have_pending;
	volatile bool kicked;        /**< hal_vcpu_kick() asked the CPU to leave the guest */
	bool s2_changed;             /**< stage 2 changed: rebuild Unicorn's RAM map before running */
};

/** Records a stop-type exit for hal_vcpu_run() and stops the CPU (from a hook). */
void sim_cpu_set_pending(struct sim_cpu *c, const struct vcpu_exit *exit);

/** @name The architecture's part of hal_vcpu_run() (src/sim/<arch>/run.c) @{ */
/** Writes the register file into Unicorn; returns the address to start at. */
uint64_t sim_arch_enter(struct sim_cpu *c);
/** Reads the register file back from Unicorn. */
void sim_arch_leave(struct sim_cpu *c);
/**
 * Fills *exit for a CPU that stopped with err: the pending exit if a hook
 * left one, nothing if the VM stopped or the vCPU was kicked, else what
 * the stop means.
 */
void sim_arch_classify(struct sim_cpu *c, uc_err err, struct vcpu_exit *exit);
/**
 * Makes Unicorn follow a change of stage 2 (hal_vm_stage2_changed()),
 * between runs: a guest-physical map rebuilds its RAM from the stage-2
 * tables (sim_map_refresh_ram()); a shadow of guest-virtual pages is
 * dropped. Returns 0 or a negative cv_err.
 */
int sim_arch_stage2_changed(struct sim_cpu *c);
/** @} */

#endif
