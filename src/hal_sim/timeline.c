/* SPDX-License-Identifier: MIT */
/*
 * --timeline=FILE: each vCPU's runs and exits as Chrome trace-event JSON
 * (the "JSON Object Format" of the Trace Event Format document, which
 * ui.perfetto.dev and chrome://tracing open).
 *
 * One track per vCPU: pid is the VM's id, tid the vCPU's, named by
 * metadata events ("vm 1 (hello)", "vCPU 0"). Its slices ("X" complete
 * events, timestamps in microseconds since the timeline was opened)
 * alternate:
 *
 *   guest       hal_vcpu_run(): in the guest (or waiting for the turn of
 *               the VM's vCPUs, or held by gdb), up to an exit
 *   <reason>    an exit, from leaving the guest until the core has handled
 *               it (hal_exit_handled()): "mmio", "hypercall", "halt" (the
 *               wait for an interrupt included)... args: pc, operands, and
 *               path: "hook" for an exit taken inside a hook of the
 *               simulated CPU, the guest then going on with the same run,
 *               "stop" for one the run returned
 *
 * Runs that end with no exit (a kick, an interrupt to deliver, the end of
 * a turn) leave a gap until the next run: the run loop's own work.
 *
 * Cost: each vCPU thread writes into a buffer of its own, without a lock;
 * a full buffer is written to the file under one lock. At most
 * TIMELINE_MAX_EVENTS events are kept; then a "timeline full" instant
 * event and a note at the end of the file (otherData) say how many were
 * dropped. hal_sim_timeline_close() runs when every vCPU thread has
 * ended, also after Ctrl-C or --max-seconds, so the file is always a
 * whole JSON document.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cvisor/exit.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

#include "hal_sim.h"

/* Events kept at most (about 100 bytes each in the file). */
#define TIMELINE_MAX_EVENTS 1000000
/* A thread's buffer, written out when less than one event's room is left. */
#define TL_BUF_SIZE (64 * 1024)
#define TL_EVENT_MAX 640 /* bytes an event takes at most (args: 260 escaped) */

/* Where a vCPU's track is. */
enum tl_state {
	TL_IDLE,  /* out of the guest, no exit open */
	TL_GUEST, /* in hal_vcpu_run(), since start */
	TL_EXIT,  /* an exit being handled, since start */
};

/* One vCPU thread's part of the timeline. */
struct tl_thread {
	struct tl_thread *next; /* every thread's, for close */
	unsigned vm, vcpu;
	enum tl_state state;
	bool in_hook;   /* the open exit was taken inside a hook */
	uint64_t start; /* ns since open: where the open slice began */
	size_t len;
	char buf[TL_BUF_SIZE];
};

static FILE *tl_file;
static pthread_mutex_t tl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tl_thread *tl_threads;        /* under tl_lock */
static bool tl_any_event;                   /* under tl_lock: the next one written needs no comma */
static uint64_t tl_t0;                      /* CLOCK_MONOTONIC at open, ns */
static unsigned long tl_events, tl_dropped; /* atomic */
static _Thread_local struct tl_thread *tl_self;

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec - tl_t0;
}

/* Appends s to out as the inside of a JSON string (RFC 8259, 7). */
static size_t json_escape(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < size; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20) {
			n += (size_t)snprintf(out + n, size - n, "\\u%04x", ch);
		} else {
			out[n++] = (char)ch;
		}
	}
	out[n] = '\0';
	return n;
}

/* Writes a thread's buffer to the file; called with tl_lock held. */
static void flush_locked(struct tl_thread *t)
{
	if (t->len) {
		/* Every event begins with ",\n"; the file's first has no comma. */
		size_t skip = tl_any_event ? 0 : 1;
		fwrite(t->buf + skip, 1, t->len - skip, tl_file);
		tl_any_event = true;
	}
	t->len = 0;
}

/* Appends one formatted event (without its leading ",\n") to t's buffer. */
static void __attribute__((format(printf, 2, 3))) emit(struct tl_thread *t, const char *fmt, ...)
{
	va_list ap;

	if (t->len + TL_EVENT_MAX > sizeof(t->buf)) {
		pthread_mutex_lock(&tl_lock);
		flush_locked(t);
		pthread_mutex_unlock(&tl_lock);
	}
	t->buf[t->len++] = ',';
	t->buf[t->len++] = '\n';
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, TL_EVENT_MAX - 2, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += MIN((size_t)n, (size_t)TL_EVENT_MAX - 3);
}

/* Counts one event against the cap; false once it is reached (the first refusal is marked). */
static bool take_event(struct tl_thread *t, uint64_t ts)
{
	unsigned long n = __atomic_add_fetch(&tl_events, 1, __ATOMIC_RELAXED);

	if (n <= TIMELINE_MAX_EVENTS)
		return true;
	if (__atomic_add_fetch(&tl_dropped, 1, __ATOMIC_RELAXED) == 1)
		emit(t,
		     "{\"name\":\"timeline full: later events dropped\",\"ph\":\"i\",\"s\":\"g\","
		     "\"pid\":%u,\"tid\":%u,\"ts\":%llu.%03llu}",
		     t->vm, t->vcpu, (unsigned long long)ts / 1000, (unsigned long long)ts % 1000);
	return false;
}

/* The calling thread's part, made (with its track's names) at the first event of vcpu. */
static struct tl_thread *self(const struct vcpu *vcpu)
{
	struct tl_thread *t = tl_self;
	char name[2 * CFG_NAME_MAX];

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->vm = vcpu->vm->id;
	t->vcpu = vcpu->id;
	emit(t,
	     "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
	     "\"args\":{\"name\":\"vCPU %u\"}}",
	     t->vm, t->vcpu, t->vcpu);
	emit(t,
	     "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
	     "\"args\":{\"sort_index\":%u}}",
	     t->vm, t->vcpu, t->vcpu);
	/* The first of a VM's threads names its process. */
	pthread_mutex_lock(&tl_lock);
	bool named = false;
	for (const struct tl_thread *o = tl_threads; o && !named; o = o->next)
		named = o->vm == t->vm;
	t->next = tl_threads;
	tl_threads = t;
	pthread_mutex_unlock(&tl_lock);
	if (!named) {
		json_escape(name, sizeof(name), vcpu->vm->name);
		emit(t,
		     "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%u,"
		     "\"args\":{\"name\":\"vm %u (%s)\"}}",
		     t->vm, t->vm, name);
	}
	tl_self = t;
	return t;
}

/*
 * The slices are the frequent events: written with the appenders below
 * rather than printf, which cost three times as much (perf, bench_hvc).
 */
static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_hex(char *p, uint64_t v)
{
	char tmp[16];
	int n = 0;

	p = put_str(p, "0x");
	do
		tmp[n++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) != 0);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Nanoseconds as the format's microseconds, "12.345". */
static char *put_us(char *p, uint64_t ns)
{
	p = put_u64(p, ns / 1000);
	*p++ = '.';
	*p++ = (char)('0' + ns / 100 % 10);
	*p++ = (char)('0' + ns / 10 % 10);
	*p++ = (char)('0' + ns % 10);
	return p;
}

/*
 * Appends the start of a complete event ("X") of t's track, from t->start
 * to now: {"name":NAME,"cat":CAT,"ph":"X","pid":..,"tid":..,"ts":..,"dur":..
 * Returns where the rest goes; the caller ends the object and calls put_end().
 */
static char *put_slice(struct tl_thread *t, const char *name, const char *cat, uint64_t now)
{
	if (t->len + TL_EVENT_MAX > sizeof(t->buf)) {
		pthread_mutex_lock(&tl_lock);
		flush_locked(t);
		pthread_mutex_unlock(&tl_lock);
	}
	char *p = t->buf + t->len;
	p = put_str(p, ",\n{\"name\":\"");
	p = put_str(p, name);
	p = put_str(p, "\",\"cat\":\"");
	p = put_str(p, cat);
	p = put_str(p, "\",\"ph\":\"X\",\"pid\":");
	p = put_u64(p, t->vm);
	p = put_str(p, ",\"tid\":");
	p = put_u64(p, t->vcpu);
	p = put_str(p, ",\"ts\":");
	p = put_us(p, t->start);
	p = put_str(p, ",\"dur\":");
	return put_us(p, now - t->start);
}

/* A "guest" slice from t->start to now. */
static void guest_slice(struct tl_thread *t, uint64_t now)
{
	if (!take_event(t, now))
		return;
	char *p = put_slice(t, "guest", "run", now);
	p = put_str(p, "}");
	t->len = (size_t)(p - t->buf);
}

/* The slice of the exit, from t->start to now, named by its reason. */
static void exit_slice(struct tl_thread *t, const struct vcpu_exit *exit, uint64_t now)
{
	char ops[200], esc[260];

	if (!take_event(t, now))
		return;
	exit_format_operands(exit, ops, sizeof(ops));
	json_escape(esc, sizeof(esc), ops);
	char *p = put_slice(t, exit_reason_name(exit->reason), "exit", now);
	p = put_str(p, ",\"args\":{\"pc\":\"");
	p = put_hex(p, exit->pc);
	p = put_str(p, "\",\"operands\":\"");
	p = put_str(p, esc);
	p = put_str(p, t->in_hook ? "\",\"path\":\"hook\"}}" : "\",\"path\":\"stop\"}}");
	t->len = (size_t)(p - t->buf);
}

int hal_sim_timeline_open(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "cvisor: --timeline=%s: %s\n", path, strerror(errno));
		return -1;
	}
	tl_t0 = 0;
	tl_t0 = now_ns();
	fputs("{\"traceEvents\":[", f);
	tl_file = f;
	return 0;
}

void hal_sim_timeline_run_begin(const struct vcpu *vcpu)
{
	struct tl_thread *t;

	if (!tl_file || !(t = self(vcpu)))
		return;
	t->start = now_ns();
	t->state = TL_GUEST;
}

void hal_sim_timeline_run_end(const struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	struct tl_thread *t;

	if (!tl_file || !(t = self(vcpu)))
		return;
	uint64_t now = now_ns();
	if (t->state == TL_GUEST)
		guest_slice(t, now);
	t->state = exit->reason == EXIT_NONE ? TL_IDLE : TL_EXIT;
	t->in_hook = false;
	t->start = now;
}

void hal_sim_timeline_exit(const struct vcpu *vcpu, const struct vcpu_exit *exit, bool end)
{
	struct tl_thread *t;

	if (!tl_file || !(t = self(vcpu)))
		return;
	if (end) {
		/* Normally hal_exit_handled() has ended it already. */
		if (t->state == TL_EXIT)
			hal_exit_handled(vcpu, exit);
		return;
	}
	uint64_t now = now_ns();
	if (t->state == TL_GUEST)
		guest_slice(t, now);
	t->state = TL_EXIT;
	t->in_hook = true;
	t->start = now;
}

void hal_exit_handled(const struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	struct tl_thread *t;

	if (!tl_file || !(t = tl_self) || t->state != TL_EXIT)
		return;
	(void)vcpu;
	uint64_t now = now_ns();
	exit_slice(t, exit, now);
	/* An exit taken in a hook: the same run goes on in the guest. */
	t->state = t->in_hook ? TL_GUEST : TL_IDLE;
	t->start = now;
}

void hal_sim_timeline_close(void)
{
	if (!tl_file)
		return;
	pthread_mutex_lock(&tl_lock);
	for (struct tl_thread *t = tl_threads, *next; t; t = next) {
		next = t->next;
		flush_locked(t);
		free(t);
	}
	tl_threads = NULL;
	fprintf(
	    tl_file,
	    "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"writer\":\"cvisor --timeline\","
	    "\"events\":\"%lu\",\"dropped_events\":\"%lu\",\"max_events\":\"%d\"}}\n",
	    MIN(tl_events, (unsigned long)TIMELINE_MAX_EVENTS), tl_dropped, TIMELINE_MAX_EVENTS);
	if (fclose(tl_file) != 0)
		fprintf(stderr, "cvisor: --timeline: writing the file failed\n");
	tl_file = NULL;
	pthread_mutex_unlock(&tl_lock);
	if (tl_dropped)
		fprintf(stderr, "cvisor: --timeline: the first %d events kept, %lu dropped\n",
			TIMELINE_MAX_EVENTS, tl_dropped);
}
