/* SPDX-License-Identifier: MIT */
/*
 * Running VMs side by side: one host thread per vCPU (the core's run loop
 * on each), a watchdog thread for --max-seconds, and, when every VM has
 * stopped, one report line per VM that did not power itself off.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "hal_sim.h"

static void *vcpu_thread(void *arg)
{
	vcpu_run_loop(arg);
	return NULL;
}

struct watchdog {
	struct vm **vms;
	unsigned nvms;
	double seconds;
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	bool done;
};

/* Stops every VM still running when the time limit runs out. */
static void *watchdog_thread(void *arg)
{
	struct watchdog *w = arg;
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)w->seconds;
	until.tv_nsec += (long)((w->seconds - (double)(time_t)w->seconds) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->done)
		if (pthread_cond_timedwait(&w->done_cv, &w->lock, &until) == ETIMEDOUT)
			break;
	bool done = w->done;
	pthread_mutex_unlock(&w->lock);
	if (done)
		return NULL;
	/* vm_stop() formats with cv_snprintf, which has no floating point. */
	char limit[32];
	snprintf(limit, sizeof(limit), "%g", w->seconds);
	for (unsigned i = 0; i < w->nvms; i++)
		vm_stop(w->vms[i], VM_FAILED, "still running after the time limit of %s s (--max-seconds)",
			limit);
	return NULL;
}

static void print_stats(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		fprintf(stderr, "stats: vm=%u vcpu=%u", vm->id, v->id);
		for (int r = EXIT_MMIO; r < EXIT_REASON_COUNT; r++)
			fprintf(stderr, " %s=%llu", exit_reason_name(r), (unsigned long long)v->exits[r]);
		fprintf(stderr, " guest-exceptions=%llu\n", (unsigned long long)v->guest_exceptions);
	}
}

/* The end of one VM: returns its exit status and reports why it stopped. */
static int report_vm(const struct vm *vm, const struct run_opts *o)
{
	if (o->stats)
		print_stats(vm);
	if (vm->state == VM_OFF) {
		if (o->verbose)
			fprintf(stderr, "cvisor: vm %u (%s): %s\n", vm->id, vm->name, vm->stop_reason);
		return CLI_OK;
	}
	/* Reasons from exits name their PC; a time limit names where the guest was. */
	if (strstr(vm->stop_reason, "PC 0x"))
		fprintf(stderr, "cvisor: vm %u (%s) %s: %s\n", vm->id, vm->name,
			vm->state == VM_RESET ? "reset" : "stopped", vm->stop_reason);
	else
		fprintf(stderr, "cvisor: vm %u (%s) %s: %s; vCPU 0 was at PC 0x%llx\n", vm->id,
			vm->name, vm->state == VM_RESET ? "reset" : "stopped", vm->stop_reason,
			(unsigned long long)vcpu_arch_pc(vm->vcpus[0]));
	return CLI_VM_FAILED;
}

int hal_sim_run_vms(struct vm **vms, unsigned n, const struct run_opts *o)
{
	pthread_t threads[MAX_VMS], wd;
	struct watchdog w = { vms, n, o->max_seconds, PTHREAD_MUTEX_INITIALIZER,
			      PTHREAD_COND_INITIALIZER, false };
	char err[300];
	int status = CLI_OK;
	bool started[MAX_VMS] = { false };

	for (unsigned i = 0; i < n; i++) {
		vms[i]->trace = o->trace;
		if (vm_boot(vms[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "cvisor: vm %u (%s): %s\n", vms[i]->id, vms[i]->name, err);
			status = CLI_VM_FAILED;
			continue;
		}
		started[i] = pthread_create(&threads[i], NULL, vcpu_thread, vms[i]->vcpus[0]) == 0;
	}
	if (o->max_seconds > 0)
		pthread_create(&wd, NULL, watchdog_thread, &w);
	for (unsigned i = 0; i < n; i++)
		if (started[i])
			pthread_join(threads[i], NULL);
	if (o->max_seconds > 0) {
		pthread_mutex_lock(&w.lock);
		w.done = true;
		pthread_cond_signal(&w.done_cv);
		pthread_mutex_unlock(&w.lock);
		pthread_join(wd, NULL);
	}
	for (unsigned i = 0; i < n; i++)
		if (started[i])
			hal_sim_console_end(vms[i]);
	hal_sim_flush_console();
	for (unsigned i = 0; i < n; i++)
		if (started[i]) {
			int rc = report_vm(vms[i], o);
			status = MAX(status, rc);
		}
	return status;
}

