/* SPDX-License-Identifier: MIT */
/*
 * Running VMs side by side: one host thread per vCPU (the core's run loop
 * on each), a watchdog thread for --max-seconds, SIGINT and SIGTERM, a
 * console thread for the guests' input (console.c) and, when every VM has
 * stopped, one report line per VM that did not power itself off.
 */
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/virtio_net.h>
#include <cvisor/vm.h>

#include "hal_sim.h"

static void *vcpu_thread(void *arg)
{
	/* A vCPU waiting for its timer wakes at the deadline, not up to 50 us after it. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	vcpu_run_loop(arg);
	return NULL;
}

struct watchdog {
	struct vm **vms;
	unsigned nvms;
	double seconds; /* the time limit, 0 for none */
	sigset_t signals; /* SIGINT, SIGTERM and SIGUSR1 (wake-up), blocked in every other thread */
	pthread_mutex_t lock;
	bool done;
};

/* How long the watchdog waits for a signal before it looks at the clock again. */
#define WATCH_SLICE_NS 50000000L

static double now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool watch_done(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	bool done = w->done;
	pthread_mutex_unlock(&w->lock);
	return done;
}

/* Stops every VM still running, each with the same reason. */
static void stop_all(struct watchdog *w, const char *reason)
{
	for (unsigned i = 0; i < w->nvms; i++)
		vm_stop(w->vms[i], VM_FAILED, "%s", reason);
}

/*
 * The watchdog: stops every VM still running when the time limit runs
 * out, or when cvisor gets SIGINT (Ctrl-C) or SIGTERM. Each VM then ends
 * with its one-line report and cvisor with its normal exit status. A
 * second signal ends cvisor at once, for a VM that would not stop.
 */
static void *watchdog_thread(void *arg)
{
	struct watchdog *w = arg;
	double deadline = w->seconds > 0 ? now_seconds() + w->seconds : 0;
	bool stopped = false;

	while (!watch_done(w)) {
		struct timespec slice = { 0, WATCH_SLICE_NS };
		int sig = sigtimedwait(&w->signals, NULL, &slice);
		hal_sim_console_tick(w->vms, w->nvms);
		if (sig == SIGUSR1)
			continue; /* woken up: every VM has ended */
		if (sig > 0 && stopped) {
			hal_sim_console_restore();
			fprintf(stderr, "cvisor: %s while the VMs are stopping: exiting without waiting for them\n",
				sig == SIGINT ? "SIGINT" : "SIGTERM");
			_exit(CLI_VM_FAILED);
		}
		if (sig > 0) {
			stop_all(w, sig == SIGINT ? "interrupted (SIGINT, Ctrl-C)" : "terminated (SIGTERM)");
			stopped = true;
		} else if (!stopped && deadline > 0 && now_seconds() >= deadline) {
			/* vm_stop() formats with cv_snprintf, which has no floating point. */
			char reason[80];
			snprintf(reason, sizeof(reason),
				 "still running after the time limit of %g s (--max-seconds)", w->seconds);
			stop_all(w, reason);
			stopped = true;
		}
	}
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
		if (v->unmapped_raz || v->unmapped_wi || v->unmapped_aborts)
			fprintf(stderr,
				"stats: vm=%u vcpu=%u outside RAM and devices: read-as-zero=%llu "
				"write-ignored=%llu aborts=%llu\n",
				vm->id, v->id, (unsigned long long)v->unmapped_raz,
				(unsigned long long)v->unmapped_wi,
				(unsigned long long)v->unmapped_aborts);
	}
	/* Each virtio-net device's port on the switch (docs/virtio.md). */
	for (unsigned i = 0; i < vm->bus.ndevs; i++) {
		char line[120];
		if (virtio_net_stats(vm->bus.devs[i], line, sizeof(line)))
			fprintf(stderr, "stats: vm=%u %s\n", vm->id, line);
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

/*
 * With several VMs, one closing line: how many powered off, and the
 * names of the others (stopped, reset or never booted), as the bare
 * build's summary says it.
 */
static void print_summary(struct vm **vms, unsigned n)
{
	char failed[512] = "";
	size_t len = 0;
	unsigned off = 0;

	for (unsigned i = 0; i < n; i++) {
		if (vms[i]->state == VM_OFF) {
			off++;
			continue;
		}
		int w = snprintf(failed + len, sizeof(failed) - len, "%s%s", len ? ", " : "",
				 vms[i]->name);
		if (w > 0 && (size_t)w < sizeof(failed) - len)
			len += (size_t)w;
	}
	fprintf(stderr, "cvisor: %u of %u VMs powered off%s%s\n", off, n,
		off < n ? "; not: " : "", failed);
}

int hal_sim_run_vms(struct vm **vms, unsigned n, const struct run_opts *o)
{
	pthread_t threads[MAX_VMS][VM_MAX_VCPUS], wd;
	bool thread_ok[MAX_VMS][VM_MAX_VCPUS] = { { false } };
	struct watchdog w = { .vms = vms, .nvms = n, .seconds = o->max_seconds,
			      .lock = PTHREAD_MUTEX_INITIALIZER };
	char err[300];
	int status = CLI_OK;
	bool started[MAX_VMS] = { false };

	/*
	 * Only the watchdog takes SIGINT and SIGTERM: block them before any
	 * vCPU or console thread exists. (On a terminal Ctrl-C is no signal
	 * while the guests run: it is the guest's byte 0x03.)
	 */
	double started_at = now_seconds();

	sigemptyset(&w.signals);
	sigaddset(&w.signals, SIGINT);
	sigaddset(&w.signals, SIGTERM);
	sigaddset(&w.signals, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &w.signals, NULL);
	for (unsigned i = 0; i < n; i++) {
		vms[i]->trace = o->trace;
		if (vm_boot(vms[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "cvisor: vm %u (%s): %s\n", vms[i]->id, vms[i]->name, err);
			status = CLI_VM_FAILED;
			continue;
		}
		started[i] = true;
	}
	if (o->timeline && hal_sim_timeline_open(o->timeline) < 0)
		status = CLI_USAGE;
	if (status == CLI_OK && o->gdb && started[0] && hal_sim_gdb_start(vms[0], o->gdb, o->gdb_wait) < 0)
		status = CLI_USAGE;
	if (status == CLI_USAGE) {
		for (unsigned i = 0; i < n; i++)
			vm_stop(vms[i], VM_FAILED, "not started: %s", o->gdb ? "no gdb stub" : "no timeline");
		hal_sim_timeline_close();
		return status;
	}
	hal_sim_console_open(vms, n);
	/* One thread per vCPU; a secondary's waits until a start call turns it on. */
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; started[i] && j < vms[i]->nvcpus; j++) {
			thread_ok[i][j] = pthread_create(&threads[i][j], NULL, vcpu_thread,
							 vms[i]->vcpus[j]) == 0;
			if (!thread_ok[i][j])
				vm_stop(vms[i], VM_FAILED, "no host thread for vCPU %u", j);
		}
	bool watching = pthread_create(&wd, NULL, watchdog_thread, &w) == 0;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < VM_MAX_VCPUS; j++)
			if (thread_ok[i][j])
				pthread_join(threads[i][j], NULL);
	if (watching) {
		pthread_mutex_lock(&w.lock);
		w.done = true;
		pthread_mutex_unlock(&w.lock);
		pthread_kill(wd, SIGUSR1);
		pthread_join(wd, NULL);
	}
	hal_sim_gdb_stop();
	hal_sim_timeline_close();
	hal_sim_console_close();
	for (unsigned i = 0; i < n; i++)
		if (started[i])
			hal_sim_console_end(vms[i]);
	hal_sim_flush_console();
	/* The tables as the VM left them: what its run mapped, protected or split. */
	if (o->s2_dot && started[0] && hal_sim_s2_dot(vms[0], o->s2_dot, err, sizeof(err)) < 0) {
		fprintf(stderr, "cvisor: --s2-dot: %s\n", err);
		status = MAX(status, CLI_USAGE);
	}
	for (unsigned i = 0; i < n; i++)
		if (started[i]) {
			int rc = report_vm(vms[i], o);
			status = MAX(status, rc);
		}
	if (n > 1)
		print_summary(vms, n);
	if (o->stats) {
		/* What the run cost the host: an idle guest should cost next to nothing. */
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "stats: host cpu user=%.3f s system=%.3f s wall=%.3f s\n",
			(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
			(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
			now_seconds() - started_at);
	}
	return status;
}
