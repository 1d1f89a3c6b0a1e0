/* SPDX-License-Identifier: MIT */
/*
 * Private interface between the files of the simulator HAL (src/hal_sim/).
 * src/sim/ never includes it: it gets its options in a struct sim_config.
 */
#ifndef HAL_SIM_H
#define HAL_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "../sim/sim.h"

struct vm;

/** The simulator HAL's per-VM state (vm->hal). */
struct hal_sim_vm {
	char line[256];         /**< console with several VMs: the line being written */
	size_t len;
};

/** Options of the simulated CPUs, from the command line (--storm-limit); vcpu.c. */
extern struct sim_config hal_sim_config;

/** Prefix each console line with the VM's name (several VMs). */
extern bool hal_sim_prefix_console;
/** Flushes buffered guest console output (host.c, like the two below). */
void hal_sim_flush_console(void);
/** Writes out what is left of a VM's last console line (several VMs only). */
void hal_sim_console_end(const struct vm *vm);

#endif
