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
