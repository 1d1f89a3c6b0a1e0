/* SPDX-License-Identifier: MIT */
/**
 * @file cpu.c
 * @brief The simulated CPU every architecture shares: creating and
 *        destroying it, one run of the guest around uc_emu_start(), kicks,
 *        following stage 2, and the helpers the architectures report
 *        exits and guest exceptions with.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "cpu.h"

/* uc_emu_start needs an end address; no guest executes this one. */
#define NEVER_PC 0xfffffffffffffffcULL

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
	*out = c;
	return 0;
}

void sim_cpu_destroy(struct sim_cpu *c)
{
	if (!c)
		return;
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
	if (__atomic_exchange_n(&c->s2_changed, false, __ATOMIC_ACQ_REL)) {
		int rc = sim_arch_stage2_changed(c);
		if (rc < 0) {
			sim_exit_fatal(exit, start,
				       "the simulated CPU's memory map could not follow a stage-2 change (%s)",
				       cv_strerror(rc));
			return 0;
		}
	}
	uc_err err = uc_emu_start(c->uc, start, NEVER_PC, 0, 0);
	sim_arch_leave(c);
	sim_arch_stopped(c, err, exit);
	c->kicked = false;
	return 0;
}

void sim_cpu_kick(struct sim_cpu *c)
{
	c->kicked = true;
	uc_emu_stop(c->uc);
}

/*
 * Unicorn's map is built from stage 2 (uc_map.c), so it must follow a
 * change, like a TLB invalidation on hardware: the CPU leaves the guest
 * (even when the change is made from inside one of its hooks) and
 * rebuilds its map in sim_cpu_run(), on its own thread.
 */
void sim_cpu_stage2_changed(struct sim_cpu *c)
{
	__atomic_store_n(&c->s2_changed, true, __ATOMIC_RELEASE);
	sim_cpu_kick(c);
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
