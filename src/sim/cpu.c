/* SPDX-License-Identifier: MIT */
/**
 * @file cpu.c
 * @brief The simulated CPU every architecture shares: creating and
 *        destroying it, one run of the guest around uc_emu_start(), kicks,
 *        following stage 2, and the helpers the architectures report
 *        exits and guest exceptions with.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "cpu.h"

/* uc_emu_start needs an end address; no guest executes this one. */
#define NEVER_PC 0xfffffffffffffffcULL

static int cpus_add(struct sim_cpu *c);
static void group_enter(struct sim_group *g);
static void group_leave(struct sim_group *g);
static bool group_contended(const struct sim_group *g);
static void cpus_remove(struct sim_cpu *c);
static int hook_blocks(struct sim_cpu *c);
static void debug_before_run(struct sim_cpu *c, uint64_t start);
static void debug_end_run(struct sim_cpu *c);
static void debug_after_run(struct sim_cpu *c, const struct vcpu_exit *exit);

int sim_cpu_create(struct vcpu *vcpu, const struct sim_config *cfg, struct sim_cpu **out)
{
	struct sim_cpu *c = sim_arch_alloc();

	if (!c)
		return -CV_ENOMEM;
	c->vcpu = vcpu;
	c->cfg = *cfg;
	int rc = cpus_add(c);
	if (rc == 0)
		rc = sim_arch_init(c);
	if (rc == 0)
		rc = hook_blocks(c);
	if (rc < 0) {
		sim_cpu_destroy(c);
		return rc;
	}
	*out = c;
	return 0;
}

void sim_cpu_destroy(struct sim_cpu *c)
{
	if (!c)
		return;
	sim_arch_destroy(c);
	if (c->uc)
		uc_close(c->uc);
	cpus_remove(c);
	free(c);
}

/*
 * One run, the world switch: put the register file into the CPU ("ERET"),
 * follow a stage-2 change, run until something stops the CPU, take the
 * registers back ("trap") and say why it stopped. Exits taken inside
 * Unicorn's hooks (device accesses, hypercalls...) were handled on the
 * way and never come back here.
 */
int sim_cpu_run(struct sim_cpu *c, struct vcpu_exit *exit)
{
	/*
	 * Notifications from here on stop the run: the architecture decides
	 * which interrupt to give the guest in sim_arch_enter(), after this.
	 */
	__atomic_store_n(&c->attention, false, __ATOMIC_SEQ_CST);
	uint64_t start = sim_arch_enter(c);

	memset(exit, 0, sizeof(*exit));
	if (c->kicked || !vm_running(c->vcpu->vm) || sim_cpu_deadline_passed(c)) {
		c->kicked = false;
		return 0;
	}
	gpa_t s2_gpa;
	uint64_t s2_size;
	if (sim_s2_pending_take(&c->s2, &s2_gpa, &s2_size)) {
		int rc = sim_arch_stage2_changed(c, s2_gpa, s2_size);
		if (rc < 0) {
			sim_exit_fatal(exit, start,
				       "the simulated CPU's memory map could not follow a stage-2 change (%s)",
				       cv_strerror(rc));
			return 0;
		}
	}
	group_enter(c->cfg.group);
	c->in_guest = true;
	c->block_stop = false;
	c->blocks_run = 0;
	c->dbg.watch_hit = false;
	c->dbg.stepped = 0;
	c->dbg.ev.kind = SIM_DEBUG_NONE;
	debug_before_run(c, start);
	uc_err err = uc_emu_start(c->uc, start, NEVER_PC, 0, 0);
	debug_end_run(c);
	c->in_guest = false;
	group_leave(c->cfg.group);
	sim_arch_leave(c);
	sim_arch_stopped(c, err, exit);
	debug_after_run(c, exit);
	c->kicked = false;
	return 0;
}

/* ---- The debugger's hold on a CPU ------------------------------------------ */

/*
 * What gdb asks of a vCPU, made of Unicorn hooks (measured on 2.0.1):
 *  - a breakpoint is a code hook on its one address, which stops the CPU
 *    before that instruction runs (with a code hook present Unicorn
 *    keeps the PC where the hook left it, so nothing runs twice);
 *  - a step is a run with a code hook on every address that stops the
 *    CPU before the second instruction (Unicorn's own count would stop
 *    it the same way, but unmarked: the architecture would take the stop
 *    for a WFI when the word before the PC is one);
 *  - a watchpoint is a memory hook on its range; the access completes,
 *    and a code hook on every address (present while watchpoints exist)
 *    stops the CPU before the next instruction, as an x86 data breakpoint
 *    reports a hit after the instruction (SDM Vol. 3B, 17.3.1.2).
 * Hooks are added and removed only while the vCPU is paused; the blocks
 * Unicorn translated before are dropped, so the new hooks are in them.
 */
static void on_breakpoint(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_cpu *c = user;

	(void)size;
	if (c->dbg.ev.kind != SIM_DEBUG_NONE)
		return;
	c->dbg.ev = (struct sim_debug_event){ .kind = SIM_DEBUG_BREAK, .pc = addr };
	c->block_stop = true; /* not a WFI / HLT: nothing for the core */
	c->stop_pc = addr;
	uc_emu_stop(uc);
}

static void on_watched(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		       void *user)
{
	struct sim_cpu *c = user;
	bool write = type == UC_MEM_WRITE;

	(void)uc;
	(void)size;
	(void)value;
	if (c->dbg.watch_hit)
		return;
	for (unsigned i = 0; i < c->dbg.nwp; i++) {
		const uint64_t lo = c->dbg.wp[i].va, hi = lo + c->dbg.wp[i].len;
		enum sim_watch_kind k = c->dbg.wp[i].kind;
		if (addr + (uint64_t)size <= lo || addr >= hi)
			continue;
		if ((k == SIM_WATCH_WRITE && !write) || (k == SIM_WATCH_READ && write))
			continue;
		c->dbg.watch_hit = true;
		c->dbg.ev = (struct sim_debug_event){ .kind = SIM_DEBUG_WATCH,
						      .data_addr = addr > lo ? addr : lo,
						      .watch = k };
		return;
	}
}

/* Every instruction while watchpoints exist: stop before the one after a hit. */
static void on_next_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_cpu *c = user;

	(void)size;
	if (c->dbg.watch_hit && c->dbg.ev.pc == 0) {
		c->dbg.ev.pc = addr;
		c->block_stop = true;
		c->stop_pc = addr;
		uc_emu_stop(uc);
	}
}

/*
 * Every instruction of a step's run: lets the first one run and stops
 * before the second, when it is in the same block (the block hook stops
 * the CPU at the start of the next one). A run the block hook stopped
 * first executes nothing. A wait (WFI, HLT) ends the run itself after the
 * first.
 */
static void on_step(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_cpu *c = user;

	(void)size;
	if (c->block_stop)
		return;
	if (c->dbg.stepped++ == 0)
		return;
	c->dbg.ev = (struct sim_debug_event){ .kind = SIM_DEBUG_STEP, .pc = addr };
	c->block_stop = true;
	c->stop_pc = addr;
	uc_emu_stop(uc);
}

/*
 * Drops every translated block before the CPU runs again, so a hook on
 * every address reaches all code. On the CPU's own thread, at its next
 * run: Unicorn 2.0.1 takes 15 ms to seconds for it (measured), more than
 * gdb waits for an answer.
 */
static void forget_code(struct sim_cpu *c)
{
	c->dbg.forget_all = true;
}

/* Drops the translated blocks that contain va: a hook on va alone reaches it (cheap). */
static void forget_code_at(struct sim_cpu *c, uint64_t va)
{
	uc_ctl_remove_cache(c->uc, va, va + 1);
}

int sim_cpu_breakpoint(struct sim_cpu *c, uint64_t va, bool insert)
{
	struct sim_debug *d = &c->dbg;
	unsigned i;

	for (i = 0; i < d->nbp && d->bp[i].va != va; i++)
		;
	if (insert) {
		if (i < d->nbp)
			return -CV_EEXIST;
		if (d->nbp == SIM_MAX_BREAKPOINTS)
			return -CV_ENOMEM;
		if (uc_hook_add(c->uc, &d->bp[i].hook, UC_HOOK_CODE, (void *)on_breakpoint, c, va, va) !=
		    UC_ERR_OK)
			return -CV_ENOMEM;
		d->bp[i].va = va;
		d->nbp++;
		forget_code_at(c, va);
	} else {
		if (i == d->nbp)
			return -CV_ENOENT;
		/* Blocks translated with it call no hook once it is gone: nothing to drop. */
		uc_hook_del(c->uc, d->bp[i].hook);
		d->bp[i] = d->bp[--d->nbp];
	}
	return 0;
}

int sim_cpu_watchpoint(struct sim_cpu *c, uint64_t va, uint64_t len, enum sim_watch_kind kind,
		       bool insert)
{
	struct sim_debug *d = &c->dbg;
	unsigned i;

	if (len == 0 || va + len - 1 < va)
		return -CV_EINVAL;
	for (i = 0; i < d->nwp; i++)
		if (d->wp[i].va == va && d->wp[i].len == len && d->wp[i].kind == kind)
			break;
	if (insert) {
		int types = kind == SIM_WATCH_WRITE	 ? UC_HOOK_MEM_WRITE
			    : kind == SIM_WATCH_READ ? UC_HOOK_MEM_READ
						     : UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE;
		if (i < d->nwp)
			return -CV_EEXIST;
		if (d->nwp == SIM_MAX_WATCHPOINTS)
			return -CV_ENOMEM;
		if (d->nwp == 0 && uc_hook_add(c->uc, &d->next_insn, UC_HOOK_CODE, (void *)on_next_insn,
					       c, 1, 0) != UC_ERR_OK)
			return -CV_ENOMEM;
		if (uc_hook_add(c->uc, &d->wp[i].hook, types, (void *)on_watched, c, va, va + len - 1) !=
		    UC_ERR_OK) {
			if (d->nwp == 0)
				uc_hook_del(c->uc, d->next_insn);
			return -CV_ENOMEM;
		}
		d->wp[i].va = va;
		d->wp[i].len = len;
		d->wp[i].kind = kind;
		if (d->nwp++ == 0)
			forget_code(c); /* the next-instruction hook in every block */
	} else {
		if (i == d->nwp)
			return -CV_ENOENT;
		uc_hook_del(c->uc, d->wp[i].hook);
		d->wp[i] = d->wp[--d->nwp];
		if (d->nwp == 0)
			uc_hook_del(c->uc, d->next_insn);
	}
	return 0;
}

void sim_cpu_code_written(struct sim_cpu *c)
{
	forget_code(c);
}

void sim_cpu_debug_clear(struct sim_cpu *c)
{
	while (c->dbg.nbp)
		sim_cpu_breakpoint(c, c->dbg.bp[0].va, false);
	while (c->dbg.nwp)
		sim_cpu_watchpoint(c, c->dbg.wp[0].va, c->dbg.wp[0].len, c->dbg.wp[0].kind, false);
	sim_cpu_set_step(c, false);
}

void sim_cpu_set_step(struct sim_cpu *c, bool step)
{
	c->dbg.step = step;
}

/*
 * Before a run, on the CPU's own thread: drop what the debugger's changes
 * made stale, and for a step, add the step hook and drop the blocks at the
 * start address, so the block the step runs is translated with it.
 */
static void debug_before_run(struct sim_cpu *c, uint64_t start)
{
	struct sim_debug *d = &c->dbg;

	if (d->forget_all) {
		uc_ctl(c->uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
		d->forget_all = false;
	}
	if (d->step && uc_hook_add(c->uc, &d->step_hook, UC_HOOK_CODE, (void *)on_step, c, 1, 0) ==
			       UC_ERR_OK) {
		d->step_hooked = true;
		forget_code_at(c, start);
	}
}

/* The step hook goes once the run ends: blocks translated with it then call nothing. */
static void debug_end_run(struct sim_cpu *c)
{
	if (c->dbg.step_hooked) {
		uc_hook_del(c->uc, c->dbg.step_hook);
		c->dbg.step_hooked = false;
	}
}

/*
 * What the run that just ended means to the debugger. A run the block
 * hook stopped before it executed anything (a kick) has no event, even
 * when stepping; a watch hit whose next instruction never came (the run
 * ended right after it) stops where the CPU is.
 */
static void debug_after_run(struct sim_cpu *c, const struct vcpu_exit *exit)
{
	struct sim_debug *d = &c->dbg;

	if (d->ev.kind == SIM_DEBUG_WATCH && d->ev.pc == 0)
		d->ev.pc = vcpu_arch_pc(c->vcpu);
	if (d->ev.kind == SIM_DEBUG_NONE && d->step && d->stepped > 0 &&
	    exit->reason != EXIT_STAGE2_FAULT)
		d->ev = (struct sim_debug_event){ .kind = SIM_DEBUG_STEP, .pc = vcpu_arch_pc(c->vcpu) };
}

void sim_cpu_debug_event(struct sim_cpu *c, struct sim_debug_event *ev)
{
	*ev = c->dbg.ev;
	c->dbg.ev.kind = SIM_DEBUG_NONE;
}

const char *sim_gdb_find_doc(const struct sim_gdb_doc *docs, size_t n, const char *annex)
{
	for (size_t i = 0; annex && i < n; i++)
		if (strcmp(annex, docs[i].name) == 0)
			return docs[i].text;
	return NULL;
}

int sim_cpu_s1_walk(struct sim_cpu *c, uint64_t va, enum access_kind access,
		    struct s1_result *res, walk_cb cb, void *ctx)
{
	return sim_arch_s1_walk(c, va, access, res, cb, ctx);
}

/* ---- One vCPU of a VM in the guest at a time ------------------------------- */

/*
 * Unicorn 2.0.1 translates every atomic instruction (AArch64 LDXR/STXR
 * and the LSE atomics, RISC-V LR/SC and AMOs, x86 LOCK) for a CPU that
 * runs alone: a plain load, then a store (curr_cflags() is 0, never
 * CF_PARALLEL, so tcg-op.c takes its non-atomic paths). Two vCPUs of one
 * VM running at once on two host threads would then both win the same
 * lock. So the vCPUs of a VM take turns in the guest, in the order they
 * asked (a ticket lock): each runs until it stops for an exit, a wait or
 * a notification, or, when another vCPU of its VM waits for its turn,
 * for at most SIM_QUANTUM_BLOCKS blocks. A vCPU is never stopped inside
 * an instruction, so each atomic instruction is atomic for the guest.
 * VMs still run side by side.
 */
struct sim_group {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	unsigned long next;    /* tickets given */
	unsigned long serving; /* the ticket whose vCPU is in the guest */
};

struct sim_group *sim_group_create(void)
{
	struct sim_group *g = calloc(1, sizeof(*g));

	if (g) {
		pthread_mutex_init(&g->lock, NULL);
		pthread_cond_init(&g->turn, NULL);
	}
	return g;
}

void sim_group_destroy(struct sim_group *g)
{
	if (!g)
		return;
	pthread_cond_destroy(&g->turn);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static void group_enter(struct sim_group *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	unsigned long ticket = g->next++;
	while (ticket != g->serving)
		pthread_cond_wait(&g->turn, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void group_leave(struct sim_group *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->serving++;
	pthread_cond_broadcast(&g->turn);
	pthread_mutex_unlock(&g->lock);
}

/* Another vCPU of the group waits for its turn (read without the lock: a hint). */
static bool group_contended(const struct sim_group *g)
{
	return g && __atomic_load_n(&g->next, __ATOMIC_RELAXED) -
			    __atomic_load_n(&g->serving, __ATOMIC_RELAXED) > 1;
}

/* ---- Leaving the guest between two instructions -------------------------- */

/*
 * Another thread must never stop a CPU with uc_emu_stop() while it runs
 * guest code: Unicorn 2.0.1 checks for a stop after every load and store
 * as well as at the start of each translated block, and a stop found in
 * the middle of a block puts the PC back at the block's start, so the
 * instructions before it run twice (qemu/tcg/tcg-op.c check_exit_request,
 * cpu-exec.c cpu_tb_exec). A guest's `ldr; add; str` would add twice.
 *
 * So a kick or a notification only sets a flag, and a UC_HOOK_BLOCK hook
 * on every address, which Unicorn calls at the start of each block before
 * that block's own stop check, stops the CPU there: nothing of the block
 * has run, and the PC is the block's first instruction. The flag is
 * looked at again at every block, so a stop that Unicorn forgets (a PC
 * written inside a hook clears it, cpus.c `quit_request`) is asked for
 * again at the next one. With --clock=virtual the same hook advances the
 * CPU's clock and stops it at its deadline.
 *
 * Where the CPU stopped is stop_pc, not Unicorn's PC: once any code hook
 * exists (a breakpoint, a site of a device access) Unicorn no longer puts
 * the PC back at the start of the block it stops in (cpu-exec.c
 * cpu_tb_exec), and a block it entered by a chained jump never wrote it.
 */
/* The block hook beyond its common case (on_block() below), out of line. */
static __attribute__((noinline)) void block_slow(uc_engine *uc, uint64_t addr, uint32_t size,
						  struct sim_cpu *c)
{
	if (c->arch_block)
		c->arch_block(c, addr);
	/*
	 * A block the CPU stops before is not counted: it runs (and counts)
	 * when the CPU goes on, so a stop never moves the virtual clock. The
	 * deadline is met at the start of the first block after the clock
	 * reached it.
	 */
	if (c->dbg.step && c->dbg.stepped > 0) {
		/* A step's one instruction ended its block: stop before the next. */
		c->dbg.ev = (struct sim_debug_event){ .kind = SIM_DEBUG_STEP, .pc = addr };
		c->block_stop = true;
		c->stop_pc = addr;
		uc_emu_stop(uc);
		return;
	}
	if (c->kicked || c->attention || (c->cfg.virtual_clock && c->vclock >= c->deadline) ||
	    (++c->blocks_run >= SIM_QUANTUM_BLOCKS && group_contended(c->cfg.group))) {
		c->block_stop = true;
		c->stop_pc = addr;
		uc_emu_stop(uc);
		return;
	}
	if (c->cfg.virtual_clock)
		c->vclock += (size + SIM_VCLOCK_BYTES - 1) / SIM_VCLOCK_BYTES;
}

/*
 * The hook itself: a block with nothing to look at (the common case) only
 * records where it starts and counts towards the turn, without a call;
 * anything else goes to block_slow() above.
 */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_cpu *c = user;

	c->block = addr;
	c->sites.live = false; /* no site's code hook has run in this block yet */
	c->sites.made_live = false;
	if (c->arch_block || c->dbg.step || c->kicked || c->attention || c->cfg.virtual_clock) {
		block_slow(uc, addr, size, c);
		return;
	}
	if (++c->blocks_run >= SIM_QUANTUM_BLOCKS && group_contended(c->cfg.group)) {
		c->block_stop = true; /* the end of its turn, as in block_slow() */
		c->stop_pc = addr;
		uc_emu_stop(uc);
	}
}

static int hook_blocks(struct sim_cpu *c)
{
	uc_hook h;

	/* begin > end: every address */
	return uc_hook_add(c->uc, &h, UC_HOOK_BLOCK, (void *)on_block, c, 1, 0) == UC_ERR_OK
		       ? 0
		       : -CV_EINVAL;
}

/* Wakes the CPU's thread if it waits in sim_cpu_wait(). */
static void wake(struct sim_cpu *c)
{
	pthread_mutex_lock(&c->wait_lock);
	pthread_cond_signal(&c->wait_cv);
	pthread_mutex_unlock(&c->wait_lock);
}

void sim_cpu_kick(struct sim_cpu *c)
{
	__atomic_store_n(&c->kicked, true, __ATOMIC_SEQ_CST);
	wake(c);
}

void sim_cpu_notify(struct sim_cpu *c)
{
	__atomic_store_n(&c->attention, true, __ATOMIC_SEQ_CST);
	wake(c);
}

/* ---- The clock and deadlines --------------------------------------------- */

static uint64_t host_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* Host time at the first CPU's creation: clock 0 of every VM of the run. */
static uint64_t clock_origin;

uint64_t sim_cpu_clock_ns(const struct sim_cpu *c)
{
	if (c->cfg.virtual_clock)
		return c->vclock;
	return host_ns() - clock_origin;
}

/*
 * Deadlines by host time are kept by one thread, the alarm thread: it
 * sleeps until the earliest deadline of any CPU and notifies the CPUs
 * whose deadline has come, once per deadline set. (With --clock=virtual
 * the block hook compares the CPU's own clock with its deadline.)
 */
static pthread_mutex_t alarm_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t alarm_cv = PTHREAD_COND_INITIALIZER;
static struct sim_cpu *alarm_cpus; /* every CPU, linked by next_alarm */
static bool alarm_started;
static uint64_t alarm_wake = CLOCK_NEVER; /* the clock value the thread sleeps until */

static void *alarm_thread(void *arg)
{
	sigset_t all;

	(void)arg;
	sigfillset(&all); /* signals are for the host's own threads (hal_sim) */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* Wake at the deadline, not up to Linux's default 50 us after it. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	pthread_mutex_lock(&alarm_lock);
	for (;;) {
		uint64_t now = host_ns() - clock_origin, next = CLOCK_NEVER;
		for (struct sim_cpu *c = alarm_cpus; c; c = c->next_alarm) {
			/* A virtual clock's deadline is no host time: its block hook keeps it. */
			if (c->cfg.virtual_clock || c->alarm_fired || c->deadline == CLOCK_NEVER)
				continue;
			if (c->deadline <= now) {
				c->alarm_fired = true;
				sim_cpu_notify(c);
			} else {
				next = MIN(next, c->deadline);
			}
		}
		alarm_wake = next;
		if (next == CLOCK_NEVER) {
			pthread_cond_wait(&alarm_cv, &alarm_lock);
			continue;
		}
		uint64_t abs = next + clock_origin;
		struct timespec until = { (time_t)(abs / 1000000000ULL), (long)(abs % 1000000000ULL) };
		pthread_cond_timedwait(&alarm_cv, &alarm_lock, &until);
	}
	return NULL;
}

void sim_cpu_set_deadline(struct sim_cpu *c, uint64_t deadline)
{
	if (c->cfg.virtual_clock) {
		c->deadline = deadline;
		return;
	}
	if (deadline == c->deadline && (deadline == CLOCK_NEVER || !c->alarm_fired))
		return; /* nothing changes for the alarm thread (the common case) */
	pthread_mutex_lock(&alarm_lock);
	c->deadline = deadline;
	c->alarm_fired = false;
	if (deadline < alarm_wake)
		pthread_cond_signal(&alarm_cv);
	pthread_mutex_unlock(&alarm_lock);
}

bool sim_cpu_deadline_passed(const struct sim_cpu *c)
{
	return c->deadline != CLOCK_NEVER && sim_cpu_clock_ns(c) >= c->deadline;
}

void sim_cpu_wait(struct sim_cpu *c, uint64_t deadline)
{
	pthread_mutex_lock(&c->wait_lock);
	while (!__atomic_exchange_n(&c->attention, false, __ATOMIC_SEQ_CST) &&
	       !__atomic_exchange_n(&c->kicked, false, __ATOMIC_SEQ_CST) &&
	       vm_running(c->vcpu->vm)) {
		if (c->cfg.virtual_clock && deadline != CLOCK_NEVER) {
			/* Nothing runs while it waits: its clock jumps to the deadline. */
			c->vclock = MAX(c->vclock, deadline);
			break;
		}
		if (deadline == CLOCK_NEVER) {
			pthread_cond_wait(&c->wait_cv, &c->wait_lock);
			continue;
		}
		uint64_t now = sim_cpu_clock_ns(c);
		if (now >= deadline)
			break;
		uint64_t abs = deadline + clock_origin;
		struct timespec until = { (time_t)(abs / 1000000000ULL), (long)(abs % 1000000000ULL) };
		pthread_cond_timedwait(&c->wait_cv, &c->wait_lock, &until);
	}
	pthread_mutex_unlock(&c->wait_lock);
}

static int cpus_add(struct sim_cpu *c)
{
	pthread_condattr_t a;

	pthread_mutex_init(&c->wait_lock, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wait_cv, &a);
	pthread_condattr_destroy(&a);
	c->deadline = CLOCK_NEVER;
	pthread_mutex_lock(&alarm_lock);
	if (!clock_origin)
		clock_origin = host_ns();
	if (!alarm_started) {
		pthread_t t;
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_destroy(&alarm_cv);
		pthread_cond_init(&alarm_cv, &ca);
		pthread_condattr_destroy(&ca);
		alarm_started = pthread_create(&t, NULL, alarm_thread, NULL) == 0;
		if (alarm_started)
			pthread_detach(t);
	}
	c->next_alarm = alarm_cpus;
	alarm_cpus = c;
	pthread_mutex_unlock(&alarm_lock);
	return alarm_started ? 0 : -CV_ENOMEM;
}

/* After this the alarm thread no longer touches c. */
static void cpus_remove(struct sim_cpu *c)
{
	pthread_mutex_lock(&alarm_lock);
	for (struct sim_cpu **p = &alarm_cpus; *p; p = &(*p)->next_alarm)
		if (*p == c) {
			*p = c->next_alarm;
			pthread_cond_destroy(&c->wait_cv);
			pthread_mutex_destroy(&c->wait_lock);
			break;
		}
	pthread_mutex_unlock(&alarm_lock);
}

/*
 * Unicorn's map is built from stage 2 (uc_map.c), so it must follow a
 * change, like a TLB invalidation on hardware: the CPU leaves the guest
 * (even when the change is made from inside one of its hooks) and
 * rebuilds the changed part of its map in sim_cpu_run(), on its own
 * thread. The range is recorded before the kick, so the run that follows
 * the kick sees it.
 */
void sim_cpu_stage2_changed(struct sim_cpu *c, gpa_t gpa, uint64_t size)
{
	sim_s2_pending_add(&c->s2, gpa, size);
	sim_cpu_kick(c);
}

/* ---- QEMU's saved state ---------------------------------------------------- */

int sim_ctx_alloc(struct sim_ctx *x, uc_engine *uc)
{
	x->size = uc_context_size(uc);
	return uc_context_alloc(uc, &x->buf) == UC_ERR_OK ? 0 : -CV_ENOMEM;
}

void sim_ctx_free(struct sim_ctx *x)
{
	if (x->buf)
		uc_context_free(x->buf);
	x->buf = NULL;
}

size_t sim_ctx_find(const struct sim_ctx *x, const uint64_t *want, unsigned n)
{
	const char *p = (const char *)x->buf;

	for (size_t off = 8; off + 8 * n <= x->size; off += 8)
		if (memcmp(p + off, want, 8 * n) == 0)
			return off;
	return 0;
}

void sim_ctx_get(const struct sim_ctx *x, size_t off, void *v, size_t len)
{
	memcpy(v, (const char *)x->buf + off, len);
}

void sim_ctx_put(struct sim_ctx *x, size_t off, const void *v, size_t len)
{
	memcpy((char *)x->buf + off, v, len);
}

/* ---- Reporting exits ------------------------------------------------------ */

void sim_cpu_set_pending(struct sim_cpu *c, const struct vcpu_exit *exit)
{
	c->pending = *exit;
	c->have_pending = true;
	uc_emu_stop(c->uc);
}

static void vfatal(struct vcpu_exit *exit, uint64_t pc, const char *fmt, va_list ap)
{
	memset(exit, 0, sizeof(*exit));
	exit->reason = EXIT_FATAL;
	exit->pc = pc;
	cv_vsnprintf(exit->fatal.msg, sizeof(exit->fatal.msg), fmt, ap);
}

void sim_cpu_set_fatal(struct sim_cpu *c, uint64_t pc, const char *fmt, ...)
{
	struct vcpu_exit exit;
	va_list ap;

	va_start(ap, fmt);
	vfatal(&exit, pc, fmt, ap);
	va_end(ap);
	sim_cpu_set_pending(c, &exit);
}

void sim_exit_fatal(struct vcpu_exit *exit, uint64_t pc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfatal(exit, pc, fmt, ap);
	va_end(ap);
}

bool sim_cpu_take_pending(struct sim_cpu *c, struct vcpu_exit *exit)
{
	if (!c->have_pending)
		return false;
	*exit = c->pending;
	c->have_pending = false;
	return true;
}

void sim_exit_fetch_disagrees(struct vcpu_exit *exit, uint64_t pc, const struct s1_result *res)
{
	sim_exit_fatal(exit, pc,
		       "instruction fetch at VA 0x%llx: the simulated CPU could not fetch it, and "
		       "the guest's tables give a %s fault at level %d",
		       (unsigned long long)pc, walk_fault_name(res->fault), res->level);
}

bool sim_cpu_exit_now(struct sim_cpu *c, struct vcpu_exit *exit)
{
	sim_host_exit(c->vcpu, exit);
	if (vm_running(c->vcpu->vm) &&
	    __atomic_load_n(&c->vcpu->state, __ATOMIC_ACQUIRE) == VCPU_RUNNABLE)
		return true;
	/* The VM stopped, or the vCPU turned itself off (CPU_OFF, hart_stop): leave the guest. */
	c->kicked = true;
	uc_emu_stop(c->uc);
	return false;
}

/* ---- Guest exceptions ------------------------------------------------------ */

bool sim_cpu_storm(struct sim_cpu *c, bool in_handler)
{
	c->storm_count = in_handler ? c->storm_count + 1 : 0;
	return c->storm_count >= c->cfg.storm_limit;
}

void sim_trace_guest_exception(const struct sim_cpu *c, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	if (!hal_trace_wants(c->vcpu->vm, TRACE_GUEST_EXCEPTION))
		return;
	int n = cv_snprintf(line, sizeof(line), "guest-exception: vm=%u vcpu=%u ", c->vcpu->vm->id,
			    c->vcpu->id);
	va_start(ap, fmt);
	cv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	hal_trace_write(line);
}

/* ---- Hooks every architecture uses --------------------------------------- */

/*
 * Finding the instruction behind a device access. Without a memory hook,
 * Unicorn 2.0.1 leaves the PC stale while a block runs: in a device
 * callback it is the start of the block, or of an earlier one chained to
 * it in the same page (../shared/notes, "Memory-bound guests"), while the
 * registers are exact. Each architecture finds the instruction by decoding
 * forward from the start of the running block, which the block hook
 * records (sim_cpu_block_start(), hooks.c), and makes it a site: a code hook on its one
 * address, which costs nothing measurable and makes Unicorn store its
 * address in PC before it runs. The hook also records it, so the next
 * access it makes is known at once (sim_cpu_site_take()); the block hook
 * forgets it at the next block, so an access later in the block is never
 * taken for it.
 */
static void on_site(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_cpu *c = user;

	(void)uc;
	(void)size;
	c->sites.started = addr;
	c->sites.live = true;
}

bool sim_cpu_site_take(struct sim_cpu *c, uint64_t *pc)
{
	if (!c->sites.live)
		return false;
	c->sites.live = false;
	*pc = c->sites.started;
	return true;
}

uint64_t sim_cpu_block_start(const struct sim_cpu *c)
{
	return c->block;
}

void sim_cpu_site_made(struct sim_cpu *c, uint64_t va)
{
	c->sites.made = va;
	c->sites.made_live = true;
}

bool sim_cpu_site_made_before(const struct sim_cpu *c, uint64_t *va)
{
	*va = c->sites.made;
	return c->sites.made_live;
}

void sim_cpu_site_add(struct sim_cpu *c, uint64_t va)
{
	struct sim_sites *t = &c->sites;
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (t->site[i].va == va)
			return;
	if (t->n < SIM_MAX_SITES) {
		i = t->n++;
	} else {
		/* Blocks translated with the old hook call nothing once it is gone. */
		i = t->oldest;
		t->oldest = (t->oldest + 1) % SIM_MAX_SITES;
		if (t->site[i].va != SIM_NO_SITE)
			uc_hook_del(c->uc, t->site[i].hook);
	}
	t->site[i].va = SIM_NO_SITE;
	if (uc_hook_add(c->uc, &t->site[i].hook, UC_HOOK_CODE, (void *)on_site, c, va, va) !=
	    UC_ERR_OK)
		return; /* found by decoding again next time */
	t->site[i].va = va;
	uc_ctl_remove_cache(c->uc, va, va + 1);
}

static void on_mem_pc_sync(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			   int64_t value, void *user)
{
	(void)uc;
	(void)type;
	(void)addr;
	(void)size;
	(void)value;
	(void)user;
}

int sim_cpu_hook_pc_sync(struct sim_cpu *c)
{
	uc_hook h;

	/* begin > end: every address, wherever the guest's code runs */
	return uc_hook_add(c->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)on_mem_pc_sync,
			   c, 1, 0) == UC_ERR_OK
		       ? 0
		       : -CV_EINVAL;
}

void sim_trace_s1_end(const struct sim_cpu *c, const struct walk_trace *t, walk_cb cb, int rc,
		      const struct s1_result *res, enum access_kind access, const char *why)
{
	if (!cb)
		return;
	walk_trace_end(t, rc, res->gpa, res->fault, res->level);
	if (rc == 0 || res->fault == FAULT_PERMISSION)
		walk_trace_stage2(c->vcpu, res->gpa, access, why);
}
