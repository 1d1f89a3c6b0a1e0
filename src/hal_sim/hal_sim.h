/* SPDX-License-Identifier: MIT */
/*
 * Private interface between the files of the simulator HAL (src/hal_sim/).
 * src/sim/ never includes it: it gets its options in a struct sim_config.
 */
#ifndef HAL_SIM_H
#define HAL_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../sim/sim.h"

struct vm;

struct vm_config;

/** Exit statuses of the cvisor program (its --help and README list them). */
enum {
	CLI_OK = 0,        /**< every VM powered off / every config valid */
	CLI_VM_FAILED = 1, /**< a VM was stopped by cvisor, or a config has problems */
	CLI_USAGE = 2,     /**< bad command line, or a config that cannot be parsed */
};

/** VMs one run may start. */
#define MAX_VMS 16

/** What `cvisor run` was asked for besides its configs. */
struct run_opts {
	unsigned trace;      /**< TRACE_* bits for every VM */
	double max_seconds;  /**< time limit, 0 for none */
	bool stats;
	bool verbose;
	const char *gdb;     /**< --gdb=[HOST:]PORT: the stub's address (NULL: no stub) */
	bool gdb_wait;       /**< --gdb-wait: paused before the first instruction */
	const char *timeline; /**< --timeline=FILE: Chrome trace-event JSON (NULL: none) */
	const char *s2_dot;  /**< --s2-dot=FILE: the first VM's stage-2 tables when it stops (NULL: none) */
};

/** @name The gdb stub (gdbstub.c) @{ */
/**
 * Starts the stub for vm (the first VM of the run) listening on addr
 * ("[HOST:]PORT"; HOST defaults to 127.0.0.1, port 0 picks a free one),
 * before any of its vCPUs runs; with wait, its vCPUs stay paused until
 * gdb resumes them. Prints where it listens on stderr. Returns 0, or -1
 * with the reason printed.
 */
int hal_sim_gdb_start(struct vm *vm, const char *addr, bool wait);
/** Stops the stub once every vCPU thread has ended (a connected gdb is told the VM exited). */
void hal_sim_gdb_stop(void);
/**
 * The stub's part of one run of a vCPU (hal_vcpu_run()): parks it while
 * the debugger holds the VM, steps it when asked, reports breakpoints,
 * watchpoints and steps. Returns what sim_cpu_run() returns. When no
 * debugger is attached to the vCPU's VM this is sim_cpu_run().
 */
int hal_sim_gdb_run(struct vcpu *vcpu, struct vcpu_exit *exit);
/** The stub's part of hal_vcpu_wait(): a waiting vCPU counts as paused. */
void hal_sim_gdb_wait(struct vcpu *vcpu, uint64_t deadline);
/**
 * gdb's `monitor CMD` for vm, whose vCPUs are all paused; vcpu is the one
 * gdb has selected. Output goes to out(text, out_ctx), line by line.
 * Returns 0, or -1 for an unknown command or bad arguments (after saying
 * why). Commands: help, walk ADDR, exits, vm, s2 [dot FILE], s1 dot FILE,
 * trace on|off (gdb_monitor.c).
 */
int hal_sim_gdb_monitor(struct vm *vm, unsigned vcpu, const char *cmd,
			void (*out)(const char *text, void *out_ctx), void *out_ctx);
/** @} */

/** @name Page tables as Graphviz graphs (tabledot.c) @{ */
struct table_dot;
struct s2_entry;
/**
 * Starts a graph of page tables: in_name names the input addresses ("GPA",
 * "VA"), out_name the output ("HPA", "GPA"), table_space where the tables
 * are ("HPA", "GPA"); memtype: leaves name their memory type (stage 2).
 * NULL when out of memory.
 */
struct table_dot *table_dot_new(const char *in_name, const char *out_name, const char *table_space,
				 bool memtype);
/**
 * Adds one valid entry (stage2_visit()'s record; for stage 1, a walk's
 * step), in input-address order; the first entry's table is the root. An
 * entry repeated (a table walked through again) is ignored.
 */
void table_dot_entry(struct table_dot *d, const struct s2_entry *e);
/** Writes the graph, titled title, to f. Returns 0, or -1 when out of memory or on a write error. */
int table_dot_write(struct table_dot *d, FILE *f, const char *title);
/** Frees the graph. */
void table_dot_free(struct table_dot *d);
/**
 * Writes vm's stage-2 tables to path as a Graphviz graph (--s2-dot, monitor
 * s2 dot). Returns 0, or -1 with the reason in err.
 */
int hal_sim_s2_dot(const struct vm *vm, const char *path, char *err, size_t errsize);
/**
 * Writes the stage-1 tables vcpu's guest uses now (the lower half of its
 * address space) to path as a Graphviz graph (monitor s1 dot), from walks
 * of its simulated MMU; the vCPU must be paused. Returns 0, or -1 with the
 * reason in err (also when the guest's MMU is off).
 */
int hal_sim_s1_dot(struct vcpu *vcpu, const char *path, char *err, size_t errsize);
/** @} */

/** @name --timeline (timeline.c) @{ */
/** Opens FILE for the timeline of the run; returns 0 or -1 with the reason printed. */
int hal_sim_timeline_open(const char *path);
/** A vCPU enters the guest (hal_vcpu_run()). */
void hal_sim_timeline_run_begin(const struct vcpu *vcpu);
/** It left the guest with exit (EXIT_NONE: kicked, a notification...). */
void hal_sim_timeline_run_end(const struct vcpu *vcpu, const struct vcpu_exit *exit);
/** An exit handled inside a hook, in the middle of a run (sim_host_exit()): begin, then end. */
void hal_sim_timeline_exit(const struct vcpu *vcpu, const struct vcpu_exit *exit, bool end);
/** Writes the end of the JSON document and closes the file (nothing if none is open). */
void hal_sim_timeline_close(void);
/** @} */

/** @name A VM from its files (vmfile.c) @{ */
/** Reads a whole file into a malloc'd, NUL-terminated buffer. Returns NULL with errno set. */
void *hal_sim_read_file(const char *path, size_t *len);
/**
 * Parses and checks the config at path into *cfg (problems printed), then,
 * if vm_out is not NULL, builds its VM with its images loaded into
 * *vm_out. Returns a CLI_* status.
 */
int hal_sim_prepare_vm(const char *path, struct vm_config *cfg, struct vm **vm_out);
/** Destroys a VM from hal_sim_prepare_vm() with the HAL's state of it. */
void hal_sim_free_vm(struct vm *vm);
/** @} */

/** Boots the VMs, runs each vCPU on a thread until every VM stops, reports (run.c). Returns a CLI_* status. */
int hal_sim_run_vms(struct vm **vms, unsigned n, const struct run_opts *o);
/**
 * When every config of a run or check (argv as main() has it) is for
 * another architecture, runs BUILD/<arch>/cvisor with the same arguments
 * and does not return; exits with a usage error for a mix of
 * architectures; returns if there is nothing to hand over (handover.c).
 */
void hal_sim_hand_over(int argc, char **argv);

/** Bytes of console input one VM can have waiting (a power of two). */
#define HAL_SIM_INPUT_QUEUE 1024

/** The simulator HAL's per-VM state (vm->hal). */
struct hal_sim_vm {
	char line[256];         /**< console with several VMs: the line being written */
	size_t len;
	unsigned char in[HAL_SIM_INPUT_QUEUE]; /**< console input not yet taken by the guest */
	unsigned in_head, in_tail;             /**< taken / queued so far (indexes modulo the size) */
	size_t len_at_tick;     /**< len at the last hal_sim_console_tick() */
	struct sim_group *cpus; /**< the VM's simulated CPUs take turns in the guest */
};

/** Options of the simulated CPUs, from the command line (--storm-limit); vcpu.c. */
extern struct sim_config hal_sim_config;

/** Prefix each console line with the VM's name (several VMs). */
extern bool hal_sim_prefix_console;
/** Flushes buffered guest console output (host.c, like the two below). */
void hal_sim_flush_console(void);
/**
 * With several VMs: shows a VM's unfinished line that has not grown since
 * the last call (a prompt), with the VM's name in front. Called every
 * 50 ms while the VMs run (run.c).
 */
void hal_sim_console_tick(struct vm *const *vms, unsigned n);
/** Ends a VM's console output: its unfinished line is written out (several VMs) or ended (one VM). */
void hal_sim_console_end(const struct vm *vm);
/**
 * Writes one message of cvisor's own on stderr at the start of a line
 * (after a newline if the guest's output stopped mid-line): for what the
 * console's escapes print while the guests run.
 */
void hal_sim_console_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** @name Console input (console.c) @{ */
/**
 * Starts reading stdin for the VMs of a run (input goes to the first that
 * runs). On a terminal in whose foreground cvisor runs, switches it to raw
 * input mode and enables the Ctrl-A escapes.
 */
void hal_sim_console_open(struct vm **vms, unsigned n);
/** Stops reading stdin and restores the terminal. */
void hal_sim_console_close(void);
/** Puts the terminal's settings back if cvisor changed them (async-signal-safe). */
void hal_sim_console_restore(void);
/** @} */

/** True if arg is an option of run that takes its value as the next argument ("--max-seconds 1"). */
bool hal_sim_option_takes_value(const char *arg);

#endif
