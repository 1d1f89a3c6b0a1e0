/* SPDX-License-Identifier: MIT */
/*
 * hal.h for a Linux process: host memory from mmap and the C heap, time
 * from CLOCK_MONOTONIC, the guest console on stdout (its input is
 * console.c), the log on stderr.
 * In the simulator a "host physical address" is simply the host virtual
 * address of the memory: stage-2 descriptors hold host pointers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "hal_sim.h"

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
bool hal_sim_prefix_console;
static bool at_line_start = true; /* the last byte on stdout ended a line (out_lock) */

void *hal_page_alloc(size_t npages)
{
	void *p = mmap(NULL, npages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void hal_page_free(void *p, size_t npages)
{
	if (p)
		munmap(p, npages * PAGE_SIZE);
}

void *hal_zalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void hal_free(void *p)
{
	free(p);
}

hpa_t hal_hva_to_hpa(const void *p)
{
	return (hpa_t)(uintptr_t)p;
}

void *hal_hpa_to_hva(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}

uint64_t hal_time_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * With several VMs: the VM whose unfinished line is on stdout (shown by
 * hal_sim_console_tick() after it stayed unfinished for a while: a
 * prompt), or NULL when stdout is at the start of a line.
 */
static const struct vm *open_vm;

/* Ends the unfinished line of open_vm, if any (out_lock held). */
static void close_open_line(void)
{
	if (open_vm) {
		fputc('\n', stdout);
		open_vm = NULL;
	}
}

/* Writes a VM's buffered line with its name in front (out_lock held). */
static void emit_line(const struct vm *vm, struct hal_sim_vm *hv)
{
	close_open_line();
	fprintf(stdout, "[%s] %.*s", vm->name, (int)hv->len, hv->line);
	hv->len = 0;
}

/*
 * Guest console output. With one VM every byte reaches stdout as the guest
 * writes it: a prompt ("=> ") has no newline to wait for. With several VMs,
 * whose vCPUs run on threads of their own, each VM's output is collected a
 * line at a time and written whole, with the VM's name in front, so that
 * lines never mix; a line that stays unfinished (a prompt) is shown by
 * hal_sim_console_tick(), and its VM's next bytes follow it at once.
 */
void hal_console_write(const struct vm *vm, const char *buf, size_t len)
{
	pthread_mutex_lock(&out_lock);
	if (!hal_sim_prefix_console || !vm) {
		fwrite(buf, 1, len, stdout);
		if (len)
			at_line_start = buf[len - 1] == '\n';
	} else {
		struct hal_sim_vm *hv = vm->hal;
		for (size_t i = 0; i < len; i++) {
			if (open_vm == vm) {
				fputc(buf[i], stdout);
				if (buf[i] == '\n')
					open_vm = NULL;
				continue;
			}
			hv->line[hv->len++] = buf[i];
			if (buf[i] == '\n' || hv->len == sizeof(hv->line))
				emit_line(vm, hv);
		}
		at_line_start = open_vm == NULL;
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

void hal_sim_console_tick(struct vm *const *vms, unsigned n)
{
	if (!hal_sim_prefix_console)
		return;
	pthread_mutex_lock(&out_lock);
	for (unsigned i = 0; i < n; i++) {
		struct hal_sim_vm *hv = vms[i]->hal;
		if (!hv)
			continue;
		/* Unfinished and unchanged since the last tick: show it (ending another's). */
		if (hv->len && hv->len == hv->len_at_tick) {
			emit_line(vms[i], hv);
			open_vm = vms[i];
			at_line_start = false;
		}
		hv->len_at_tick = hv->len;
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* The end of a VM's console: its unfinished line is ended, so a report starts a line. */
void hal_sim_console_end(const struct vm *vm)
{
	struct hal_sim_vm *hv = vm->hal;

	pthread_mutex_lock(&out_lock);
	if (hal_sim_prefix_console && open_vm == vm) {
		close_open_line();
		at_line_start = true;
	} else if (hal_sim_prefix_console && hv && hv->len) {
		emit_line(vm, hv);
		fputc('\n', stdout);
		at_line_start = true;
	} else if (!hal_sim_prefix_console && !at_line_start) {
		fputc('\n', stdout);
		at_line_start = true;
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

void hal_log_write(const char *line)
{
	pthread_mutex_lock(&out_lock);
	fflush(stdout);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	pthread_mutex_unlock(&out_lock);
}

void hal_sim_console_note(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	fflush(stdout);
	if (!at_line_start)
		fputc('\n', stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&out_lock);
}

void hal_panic(const char *fmt, ...)
{
	va_list ap;

	hal_sim_console_restore();
	fflush(stdout);
	fprintf(stderr, "cvisor: panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

void hal_sim_flush_console(void)
{
	pthread_mutex_lock(&out_lock);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}
