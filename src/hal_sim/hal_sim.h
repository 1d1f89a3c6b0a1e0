/* SPDX-License-Identifier: MIT */
/*
 * Private interface of the simulator HAL (src/hal_sim and src/sim).
 */
#ifndef HAL_SIM_H
#define HAL_SIM_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/** The simulator HAL's per-VM state (vm->hal). */
struct hal_sim_vm {
	char line[256];         /**< console with several VMs: the line being written */
	size_t len;
};

/** Simulator options from the command line. */
struct sim_options {
	unsigned storm_limit;   /**< exceptions in a row inside the vector table that make a storm */
};
extern struct sim_options sim_options;

/** Prefix each console line with the VM's name (several VMs). */
extern bool hal_sim_prefix_console;
/** Flushes buffered guest console output. */
void hal_sim_flush_console(void);
/** Writes out what is left of a VM's last console line (several VMs only). */
void hal_sim_console_end(const struct vm *vm);

#endif
