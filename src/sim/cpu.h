/* SPDX-License-Identifier: MIT */
/**
 * @file cpu.h
 * @brief What every simulated CPU shares, inside src/sim/: the Unicorn
 *        engine, the vCPU it runs, its options, a stop-type exit waiting
 *        for sim_cpu_run() to return, and the helpers the architectures
 *        use to report exits. Each architecture's state (src/sim/<arch>/cpu.h)
 *        begins with a struct sim_cpu.
 *
 * Dependencies go one way: src/sim/cpu.c and uc_map.c call nothing of an
 * architecture's files but the sim_arch_* functions declared at the end.
 */
#ifndef SIM_CPU_H
#define SIM_CPU_H

#include <pthread.h>
#include <unicorn/unicorn.h>

#include <cvisor/exit.h>
#include <cvisor/vm.h>
#include <cvisor/walk.h>

#include "sim.h"
#include "uc_map.h"

/** Breakpoints and watchpoints a CPU holds at most (gdb is told "E" beyond). */
#define SIM_MAX_BREAKPOINTS 64
#define SIM_MAX_WATCHPOINTS 16

/**
 * Instructions that made a device access, each watched by a code hook on
 * its one address (cpu.c, "Finding the instruction behind a device
 * access"). At most SIM_MAX_SITES; a new one replaces the oldest.
 */
#define SIM_MAX_SITES 64
/** A slot of struct sim_sites without a hook (no instruction is at this address). */
#define SIM_NO_SITE (~0ULL)

struct sim_sites {
	struct {
		uint64_t va;
		uc_hook hook;    /**< a code hook on va alone (unless va is SIM_NO_SITE) */
	} site[SIM_MAX_SITES];
	unsigned n;              /**< sites in use */
	unsigned oldest;         /**< the one a new site replaces once all are in use */
	uint64_t started;        /**< the site whose hook ran last, in the running block */
	bool live;               /**< started is valid: no block began since its hook ran */
	uint64_t made;           /**< the instruction of the running block's last device access */
	bool made_live;          /**< made is valid: no block began since */
};

/** What the debugger asked of a CPU (cpu.c, "The debugger's hold on a CPU"). */
struct sim_debug {
	struct {
		uint64_t va;
		uc_hook hook;    /**< a code hook on va alone */
	} bp[SIM_MAX_BREAKPOINTS];
	unsigned nbp;
	struct {
		uint64_t va, len;
		enum sim_watch_kind kind;
		uc_hook hook;    /**< a memory hook on [va, va + len) */
	} wp[SIM_MAX_WATCHPOINTS];
	unsigned nwp;
	uc_hook next_insn;       /**< while watchpoints exist: a code hook on every address */
	bool step;               /**< runs execute one instruction */
	uc_hook step_hook;       /**< during a step's run: a code hook on every address */
	bool step_hooked;        /**< step_hook is there */
	bool forget_all;         /**< drop every translated block before the next run */
	unsigned stepped;        /**< instructions this run started, while stepping */
	bool watch_hit;          /**< an instruction of this run accessed a watched range */
	struct sim_debug_event ev; /**< what this run stopped for */
};

struct sim_cpu {
	uc_engine *uc;
	struct vcpu *vcpu;
	struct sim_config cfg;
	struct sim_map map;          /**< Unicorn's guest-physical map (not x86_64: a shadow) */
	struct vcpu_exit pending;    /**< a stop-type exit for sim_cpu_run() to return */
	bool have_pending;
	volatile bool kicked;        /**< sim_cpu_kick() asked the CPU to leave the guest */
	volatile bool attention;     /**< sim_cpu_notify(): look at the interrupts again */
	volatile bool in_guest;      /**< inside uc_emu_start() */
	bool block_stop;             /**< the block hook stopped the CPU in this run (a kick, a
				      *   notification, the deadline, the end of a turn): not a WFI / HLT */
	uint64_t stop_pc;            /**< block_stop: the instruction the CPU stopped before */
	unsigned long blocks_run;    /**< blocks started in this run (the turn's length, cpu.c) */
	uint64_t block;              /**< start of the translation block running now (block hook) */
	/**
	 * The architecture's own work at the start of each block while it
	 * wants some (NULL otherwise), called by the one block hook (cpu.c)
	 * before it looks at stops. One hook, not two: Unicorn 2.0.1 calls a
	 * lone hook of a kind straight from the translated code, and two
	 * through a walk of its hook list, about twice the cost per block
	 * (measured on the RISC-V compute loop). Beside the other fields
	 * the block hook reads: one cache line a block.
	 */
	void (*arch_block)(struct sim_cpu *c, uint64_t addr);
	uint64_t deadline;           /**< clock value at which the core wants the CPU (CLOCK_NEVER) */
	uint64_t vclock;             /**< --clock=virtual: the CPU's clock, ns */
	bool alarm_fired;            /**< the alarm thread notified the CPU for this deadline */
	struct sim_cpu *next_alarm;  /**< the list the alarm thread walks (cpu.c) */
	pthread_mutex_t wait_lock;   /**< sim_cpu_wait() sleeps on wait_cv */
	pthread_cond_t wait_cv;
	struct sim_s2_pending s2;    /**< stage-2 changes to follow before running (any thread adds) */
	unsigned storm_count;        /**< guest exceptions in a row inside its own handler */
	struct sim_debug dbg;        /**< breakpoints, watchpoints, stepping (gdb stub) */
	struct sim_sites sites;      /**< instructions known to access devices */
};

/**
 * --clock=virtual: bytes of guest code per nanosecond of the clock. Each
 * block the CPU starts advances the clock by its size in bytes divided by
 * this (rounded up): one nanosecond per instruction on AArch64, a
 * deterministic approximation of it on RISC-V (2- and 4-byte
 * instructions) and x86.
 */
#define SIM_VCLOCK_BYTES 4

/**
 * Blocks a vCPU runs, at most, before it lets another vCPU of its VM that
 * waits for its turn into the guest (cpu.c, "One vCPU of a VM in the
 * guest at a time").
 */
#define SIM_QUANTUM_BLOCKS 20000

/** Whether the CPU's clock has reached its deadline. */
bool sim_cpu_deadline_passed(const struct sim_cpu *c);

/**
 * A copy of QEMU's CPU state as uc_context_save() makes it, for what
 * Unicorn 2.0.1's API does not show (each architecture's qstate.c finds
 * its fields in it by marker values).
 */
struct sim_ctx {
	uc_context *buf;
	size_t size;
};

/** @name QEMU's saved state (cpu.c) @{ */
/** Allocates the copy for uc. Returns 0 or -CV_ENOMEM. */
int sim_ctx_alloc(struct sim_ctx *x, uc_engine *uc);
/** Frees it; an unallocated one is allowed. */
void sim_ctx_free(struct sim_ctx *x);
/** Offset of the n 8-byte values want[] in a row in the copy (8-byte aligned, not 0), or 0. */
size_t sim_ctx_find(const struct sim_ctx *x, const uint64_t *want, unsigned n);
/** Copies len bytes at offset off of the copy into v. */
void sim_ctx_get(const struct sim_ctx *x, size_t off, void *v, size_t len);
/** Copies len bytes from v into the copy at offset off. */
void sim_ctx_put(struct sim_ctx *x, size_t off, const void *v, size_t len);
/** @} */

/** @name Reporting exits (cpu.c) @{ */
/** Records a stop-type exit for sim_cpu_run() and stops the CPU (from a hook). */
void sim_cpu_set_pending(struct sim_cpu *c, const struct vcpu_exit *exit);
/** Records a fatal exit at pc, its message formatted, and stops the CPU (from a hook). */
void sim_cpu_set_fatal(struct sim_cpu *c, uint64_t pc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Moves the exit a hook left into *exit; false if there is none. */
bool sim_cpu_take_pending(struct sim_cpu *c, struct vcpu_exit *exit);
/** Fills *exit with a fatal exit at pc, its message formatted. */
void sim_exit_fatal(struct vcpu_exit *exit, uint64_t pc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/**
 * A fetch at pc that the simulated CPU refused while the guest's tables,
 * walked by cvisor (res), fault: the two MMUs disagree, a fatal exit.
 */
void sim_exit_fetch_disagrees(struct vcpu_exit *exit, uint64_t pc, const struct s1_result *res);
/**
 * Takes an exit inside a hook (the first of the two paths of an exit):
 * the host handles it now (sim_host_exit()), with the register file
 * already up to date. Stops the CPU and returns false if the VM stopped
 * or the vCPU is no longer runnable (it turned itself off).
 */
bool sim_cpu_exit_now(struct sim_cpu *c, struct vcpu_exit *exit);
/** @} */

/** @name Guest exceptions (cpu.c) @{ */
/**
 * Counts an exception the guest takes (in_handler: inside its own
 * handler, else the count starts again). True once cfg.storm_limit of
 * them came in a row: an exception storm, which the caller reports.
 */
bool sim_cpu_storm(struct sim_cpu *c, bool in_handler);
/** Under --trace=exits, logs "guest-exception: vm=V vcpu=N " and the rest, formatted. */
void sim_trace_guest_exception(const struct sim_cpu *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** @} */

/** @name Hooks every architecture uses (cpu.c) @{ */
/**
 * Adds an empty UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE hook on every
 * address, present only for its side effect: while a memory hook covers
 * an instruction, Unicorn stores that load/store's own address in PC
 * before it executes (x86 "sync EIP"), so PC is exact in the memory
 * callbacks. It sends every load and store to Unicorn's slow path (a
 * load costs 3x): AArch64 and RISC-V find the instruction behind a device
 * access without it (sim_cpu_site_take()). Returns 0 or -CV_EINVAL.
 */
int sim_cpu_hook_pc_sync(struct sim_cpu *c);
/**
 * Inside a device callback: true with *pc the instruction making the
 * access if it is a known site (sim_cpu_site_add()) whose code hook ran
 * in the running block and was not taken yet; the caller checks that the
 * instruction explains the access. Takes it (false until the site's hook
 * runs again).
 */
bool sim_cpu_site_take(struct sim_cpu *c, uint64_t *pc);
/**
 * Makes the instruction at guest virtual address va a known site: a code
 * hook on va alone, which makes Unicorn store va in PC before it runs,
 * and records it for sim_cpu_site_take(). Drops the translated blocks
 * holding va, so the hook is in them from their next run; the block
 * running now goes on as it was translated. Nothing if va is one already.
 * From a hook, too.
 */
void sim_cpu_site_add(struct sim_cpu *c, uint64_t va);
/** Inside a hook: the virtual address of the running translation block's first instruction. */
uint64_t sim_cpu_block_start(const struct sim_cpu *c);
/**
 * Records that the instruction at va made the device access being handled
 * (found either way), for sim_cpu_site_made_before().
 */
void sim_cpu_site_made(struct sim_cpu *c, uint64_t va);
/**
 * True with *va the instruction of an earlier device access in the running
 * block: a later access of that block comes from an instruction after it
 * (of two alike, the second).
 */
bool sim_cpu_site_made_before(const struct sim_cpu *c, uint64_t *va);
/**
 * Ends the trace of a stage-1 walk the caller began with
 * walk_trace_begin() (cb is what it returned; nothing if NULL): its
 * outcome, then the stage-2 walk of the GPA found (also for a permission
 * fault), so the trace reads GVA -> GPA -> HPA.
 */
void sim_trace_s1_end(const struct sim_cpu *c, const struct walk_trace *t, walk_cb cb, int rc,
		      const struct s1_result *res, enum access_kind access, const char *why);
/** @} */

/** @name What each architecture provides (src/sim/<arch>/) @{ */
/** Allocates the architecture's zeroed state, which begins with a struct sim_cpu (hooks.c). */
struct sim_cpu *sim_arch_alloc(void);
/** Opens c->uc and sets the CPU up: model, memory map, hooks, boot state (hooks.c). */
int sim_arch_init(struct sim_cpu *c);
/**
 * Releases what sim_arch_init() made besides the engine, before
 * sim_cpu_destroy() closes it; also after a sim_arch_init() that failed
 * half way (hooks.c).
 */
void sim_arch_destroy(struct sim_cpu *c);
/** Writes the register file into Unicorn; returns the address to start at (switch.c). */
uint64_t sim_arch_enter(struct sim_cpu *c);
/** Reads the register file back from Unicorn (switch.c). */
void sim_arch_leave(struct sim_cpu *c);
/**
 * Fills *exit for a CPU that stopped with err: the exit a hook left, if
 * any; nothing if the VM stopped or the vCPU was kicked; else what the
 * stop means (hooks.c).
 */
void sim_arch_stopped(struct sim_cpu *c, uc_err err, struct vcpu_exit *exit);
/**
 * Makes Unicorn follow a change of stage 2 in [gpa, gpa + size), between
 * runs: a guest-physical map rebuilds that part of its RAM from the
 * stage-2 tables (sim_map_refresh()); a shadow of guest-virtual pages is
 * dropped (hooks.c). Returns 0 or a negative cv_err.
 */
int sim_arch_stage2_changed(struct sim_cpu *c, gpa_t gpa, uint64_t size);
/** One document of a gdb target description: its annex name and text. */
struct sim_gdb_doc {
	const char *name, *text;
};
/** The text of the document named annex among docs[0..n), or NULL (cpu.c). */
const char *sim_gdb_find_doc(const struct sim_gdb_doc *docs, size_t n, const char *annex);

/**
 * Walks the guest's stage 1 for va as the vCPU sees it now, for the
 * debugger (sim_cpu_s1_walk(), which documents it): MMU off gives
 * res->gpa = va (mmu.c).
 */
int sim_arch_s1_walk(struct sim_cpu *c, uint64_t va, enum access_kind access,
		     struct s1_result *res, walk_cb cb, void *ctx);
/** @} */

#endif
