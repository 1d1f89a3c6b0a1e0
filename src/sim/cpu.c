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
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "cpu.h"

/* uc_emu_start needs an end address; no guest executes this one. */
#define NEVER_PC 0xfffffffffffffffcULL

static void kickable_add(struct sim_cpu *c);
static void kickable_remove(struct sim_cpu *c);

int sim_cpu_create(struct vcpu *vcpu, const struct sim_config *cfg, struct sim_cpu **out)
{
	struct sim_cpu *c = sim_arch_alloc();

	if (!c)
		return -CV_ENOMEM;
	c->vcpu = vcpu;
	c->cfg = *cfg;
	int rc = sim_arch_init(c);
	if (rc < 0) {
		sim_cpu_destroy(c);
		return rc;
	}
	kickable_add(c);
	*out = c;
	return 0;
}

void sim_cpu_destroy(struct sim_cpu *c)
{
	if (!c)
		return;
	kickable_remove(c);
	sim_arch_destroy(c);
	if (c->uc)
		uc_close(c->uc);
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
	uint64_t start = sim_arch_enter(c);

	memset(exit, 0, sizeof(*exit));
	if (c->kicked || !vm_running(c->vcpu->vm)) {
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
	c->in_guest = true;
	uc_err err = uc_emu_start(c->uc, start, NEVER_PC, 0, 0);
	c->in_guest = false;
	sim_arch_leave(c);
	sim_arch_stopped(c, err, exit);
	c->kicked = false;
	return 0;
}

/* ---- Kicks that always land --------------------------------------------- */

/*
 * uc_emu_stop() asks Unicorn to leave the guest at the next block boundary,
 * and may be called from any thread. Unicorn 2.0.1 forgets that request in
 * two cases: uc_emu_start() clears it when it starts, and a PC written with
 * uc_reg_write() inside a hook (every exception the simulator delivers to
 * the guest does that) makes its run loop clear it and go on
 * (qemu/softmmu/cpus.c, `quit_request`). A guest whose exception handler
 * returns to the instruction that trapped would then never stop, and a
 * time limit would be lost. So a kick is repeated every KICK_RETRY_NS by
 * one thread, the kick repeater, until the CPU's own thread has seen it:
 * sim_cpu_run() clears `kicked` when uc_emu_start() returns.
 */
#define KICK_RETRY_NS 1000000L

static pthread_mutex_t kick_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kick_cv = PTHREAD_COND_INITIALIZER;
static struct sim_cpu *kickable; /* every CPU, linked by next_kickable */
static bool repeater_started;

/* Stops again every CPU still in the guest with a kick it has not seen. */
static void *kick_repeater(void *arg)
{
	sigset_t all;

	(void)arg;
	sigfillset(&all); /* signals are for the host's own threads (hal_sim) */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&kick_lock);
	for (;;) {
		bool outstanding = false;
		for (struct sim_cpu *c = kickable; c; c = c->next_kickable) {
			if (!c->kicked)
				continue;
			outstanding = true;
			if (c->in_guest)
				uc_emu_stop(c->uc);
		}
		if (!outstanding) {
			pthread_cond_wait(&kick_cv, &kick_lock);
			continue;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += KICK_RETRY_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&kick_cv, &kick_lock, &until);
	}
	return NULL;
}

static void kickable_add(struct sim_cpu *c)
{
	pthread_mutex_lock(&kick_lock);
	if (!repeater_started) {
		pthread_t t;
		repeater_started = pthread_create(&t, NULL, kick_repeater, NULL) == 0;
		if (repeater_started)
			pthread_detach(t);
	}
	c->next_kickable = kickable;
	kickable = c;
	pthread_mutex_unlock(&kick_lock);
}

/* After this the repeater no longer touches c (its engine can be closed). */
static void kickable_remove(struct sim_cpu *c)
{
	pthread_mutex_lock(&kick_lock);
	for (struct sim_cpu **p = &kickable; *p; p = &(*p)->next_kickable)
		if (*p == c) {
			*p = c->next_kickable;
			break;
		}
	pthread_mutex_unlock(&kick_lock);
}

void sim_cpu_kick(struct sim_cpu *c)
{
	c->kicked = true;
	uc_emu_stop(c->uc);
	pthread_mutex_lock(&kick_lock);
	pthread_cond_signal(&kick_cv);
	pthread_mutex_unlock(&kick_lock);
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
	if (vm_running(c->vcpu->vm))
		return true;
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

	if (!(c->vcpu->vm->trace & TRACE_EXITS))
		return;
	int n = cv_snprintf(line, sizeof(line), "guest-exception: vm=%u vcpu=%u ", c->vcpu->vm->id,
			    c->vcpu->id);
	va_start(ap, fmt);
	cv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	hal_log_write(line);
}

/* ---- Hooks every architecture uses --------------------------------------- */

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
