/* SPDX-License-Identifier: MIT */
/**
 * @file sim.h
 * @brief The simulated virtualization hardware, as the simulator HAL
 *        (src/hal_sim/) uses it: one simulated CPU per vCPU.
 *
 * A simulated CPU is a Unicorn CPU that runs the guest and turns what the
 * guest does into the exits a CPU with virtualization extensions would
 * give (ESR_EL2, scause/htval/htinst, the VMX exit reason), decoded by the
 * same arch code as on hardware. An exit reaches the hypervisor in one of
 * two ways (docs/simulator.md, "Two paths of an exit"):
 *
 *  - the CPU stops and sim_cpu_run() returns the exit (WFI, HLT, VMCALL,
 *    a stage-2 fault, a fatal error): the core handles it between runs;
 *  - inside a Unicorn callback, in the middle of the instruction that
 *    traps (a device access, HVC, ecall, a trapped register, IN/OUT),
 *    the simulated CPU calls sim_host_exit(), and the instruction then
 *    completes with the result (the value a load gets, x0..x3).
 *
 * src/sim/ includes nothing from src/hal_sim/: what it needs from the
 * host is given to sim_cpu_create() (struct sim_config) or declared here
 * and implemented by the host (sim_host_exit()).
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <cvisor/exit.h>
#include <cvisor/vm.h>
#include <cvisor/walk.h>

/** The simulated CPUs of one VM, which take turns in the guest (cpu.c). */
struct sim_group;
/** A group for a VM's CPUs, or NULL when out of memory. */
struct sim_group *sim_group_create(void);
/** Destroys a group once none of its CPUs exists; NULL is allowed. */
void sim_group_destroy(struct sim_group *g);

/** Options of the simulated hardware, fixed when a CPU is created. */
struct sim_config {
	unsigned storm_limit; /**< exceptions in a row inside the guest's handler that stop it */
	bool virtual_clock;   /**< the clock advances with the guest's instructions, not host time */
	struct sim_group *group; /**< the VM's CPUs, one of which runs the guest at a time (NULL: alone) */
};

/** A simulated CPU (src/sim/cpu.h); the host keeps it as an opaque pointer. */
struct sim_cpu;

/**
 * Creates the simulated CPU of vcpu, whose register file holds its boot
 * state: a Unicorn CPU of the build's architecture, its memory map built
 * from the VM's stage 2, its hooks. Returns 0 with *out set, or a
 * negative cv_err (nothing left allocated).
 */
int sim_cpu_create(struct vcpu *vcpu, const struct sim_config *cfg, struct sim_cpu **out);
/** Destroys a CPU from sim_cpu_create(); NULL is allowed. */
void sim_cpu_destroy(struct sim_cpu *c);
/**
 * Enters the guest with the vCPU's register file, runs it until the CPU
 * stops, leaves with the register file saved, and describes why in
 * *exit: an exit for the core, or EXIT_NONE (kicked, the VM stopped, or
 * nothing to report: run again). Exits taken inside hooks were handled
 * on the way (sim_host_exit()). Returns 0 or a negative cv_err.
 */
int sim_cpu_run(struct sim_cpu *c, struct vcpu_exit *exit);
/**
 * Makes a CPU leave the guest soon (EXIT_NONE), at the start of its next
 * block, or stop waiting. Any thread.
 */
void sim_cpu_kick(struct sim_cpu *c);
/** The same for an interrupt to look at (hal_vcpu_notify()). Any thread. */
void sim_cpu_notify(struct sim_cpu *c);
/** The CPU's clock in ns (hal_vcpu_clock_ns()). */
uint64_t sim_cpu_clock_ns(const struct sim_cpu *c);
/** Leaves the guest (or stops waiting) once the clock reaches deadline; the CPU's own thread. */
void sim_cpu_set_deadline(struct sim_cpu *c, uint64_t deadline);
/** Waits for a notification, a kick, the VM's end or deadline (hal_vcpu_wait()); own thread. */
void sim_cpu_wait(struct sim_cpu *c, uint64_t deadline);
/**
 * Tells the CPU that stage 2 changed in [gpa, gpa + size): it leaves the
 * guest, and follows the change (rebuilds that part of its memory map)
 * before it runs again, on its own thread; changes that arrive before then
 * are followed together. May be called from any thread, or from inside a
 * hook.
 */
void sim_cpu_stage2_changed(struct sim_cpu *c, gpa_t gpa, uint64_t size);

/** @name The debugger's hold on a CPU (cpu.c, and src/sim/<arch>/gdb.c) @{ */
/*
 * Called by the gdb stub (src/hal_sim/gdbstub.c) only while the CPU's
 * vCPU is paused, out of the guest (its thread parked, or the caller):
 * the register file is then saved in struct vcpu_arch and Unicorn is idle.
 */
/** What the CPU stopped for, in debug mode (sim_cpu_debug_event()). */
enum sim_debug_kind {
	SIM_DEBUG_NONE,       /**< nothing for the debugger */
	SIM_DEBUG_STEP,       /**< one instruction was executed (sim_cpu_set_step()) */
	SIM_DEBUG_BREAK,      /**< at a breakpoint, before its instruction */
	SIM_DEBUG_WATCH,      /**< after an instruction that accessed a watched range */
};
/** Watchpoint kinds, as gdb's Z2 (write), Z3 (read) and Z4 (access) ask for them. */
enum sim_watch_kind { SIM_WATCH_WRITE = 2, SIM_WATCH_READ = 3, SIM_WATCH_ACCESS = 4 };
/** The debug event of the last sim_cpu_run(). */
struct sim_debug_event {
	enum sim_debug_kind kind;
	uint64_t pc;                  /**< where the CPU stopped */
	uint64_t data_addr;           /**< SIM_DEBUG_WATCH: the address accessed */
	enum sim_watch_kind watch;    /**< SIM_DEBUG_WATCH: the watchpoint's kind */
};
/**
 * Inserts (insert) or removes a breakpoint at guest-virtual address va:
 * the CPU stops before executing the instruction there. Returns 0,
 * -CV_EEXIST / -CV_ENOENT for one already there / not there, -CV_ENOMEM.
 */
int sim_cpu_breakpoint(struct sim_cpu *c, uint64_t va, bool insert);
/**
 * Inserts or removes a watchpoint on [va, va + len) (guest-virtual): the
 * CPU stops after the instruction that reads (SIM_WATCH_READ), writes or
 * accesses the range. Same returns as sim_cpu_breakpoint().
 */
int sim_cpu_watchpoint(struct sim_cpu *c, uint64_t va, uint64_t len, enum sim_watch_kind kind,
		       bool insert);
/** Guest memory was written by the debugger: the CPU forgets the code it translated. */
void sim_cpu_code_written(struct sim_cpu *c);
/** Removes every breakpoint and watchpoint (gdb detached). */
void sim_cpu_debug_clear(struct sim_cpu *c);
/** The next sim_cpu_run() executes at most one instruction (step), or runs freely. */
void sim_cpu_set_step(struct sim_cpu *c, bool step);
/**
 * Takes the debug event of the last sim_cpu_run() (kind SIM_DEBUG_NONE if
 * there was none); a run that was stopped before its first instruction
 * (a kick) has none, even when stepping.
 */
void sim_cpu_debug_event(struct sim_cpu *c, struct sim_debug_event *ev);
/**
 * Walks the guest's stage 1 for va as the vCPU sees it now (its
 * translation registers and privilege): res->gpa, or -CV_EFAULT with
 * res->fault. With the guest's MMU off, the GPA is va. cb (if not NULL)
 * sees each level, with ctx (walk.h).
 */
int sim_cpu_s1_walk(struct sim_cpu *c, uint64_t va, enum access_kind access,
		    struct s1_result *res, walk_cb cb, void *ctx);
/**
 * The gdb target description document named annex ("target.xml" and the
 * documents it includes), or NULL for an unknown one (gdb.c).
 */
const char *sim_gdb_xml(const char *annex);
/** gdb's number of the PC in the description (c ADDR, s ADDR write it). */
unsigned sim_gdb_pc_regno(void);
/** Number of registers gdb's g packet carries, numbered 0.. in the description's order. */
unsigned sim_gdb_nregs(void);
/**
 * Reads register regno (gdb's numbering) of the paused vCPU into buf, in
 * the target's byte order, or writes it from buf (write). Returns the
 * register's size in bytes (at most SIM_GDB_REG_MAX), or -CV_EINVAL for a
 * register that does not exist.
 */
int sim_gdb_reg(struct sim_cpu *c, unsigned regno, uint8_t *buf, bool write);
/** Bytes of the largest register (a 128-bit vector register). */
#define SIM_GDB_REG_MAX 16
/** @} */

/** @name What the host provides (implemented by src/hal_sim/) @{ */
/**
 * An exit taken inside a Unicorn hook, in the middle of an instruction:
 * the host handles it now, with vcpu's register file up to date, and
 * leaves the results in *exit (MMIO read data, hypercall return values,
 * a register's value). The hypervisor's trap entry, called synchronously.
 */
void sim_host_exit(struct vcpu *vcpu, struct vcpu_exit *exit);
/** @} */

#endif
