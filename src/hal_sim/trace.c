/* SPDX-License-Identifier: MIT */
/*
 * The traces of the simulator HAL: hal.h's trace functions.
 *
 *   --trace=exits          every line of the exit trace ("exit: ...",
 *                          "guest-exception: ...", "irq: ...", "sysreg: ...")
 *   --trace=exits:LIST     only the lines about the reasons in LIST,
 *                          joined by '+': exit reasons (exit_reason_name()),
 *                          guest-exception, irq
 *   --trace-file=FILE      trace lines (exits and walks) go to FILE; stderr
 *                          keeps cvisor's own messages, stdout the consoles
 *
 * An exit line ends with the instruction that made the exit, read and
 * disassembled by the simulated CPU (src/sim/disasm.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvisor/exit.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

#include "../sim/disasm.h"
#include "hal_sim.h"
#include "trace.h"

/* Lines the exit trace shows: a bit per enum exit_reason and enum trace_event. */
static uint32_t trace_mask = UINT32_MAX;
static bool trace_filtered;
/* --trace-file: its stream, written under trace_lock (NULL: stderr, through hal_log_write()). */
static FILE *trace_out;
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

/* The filter's name of ev: an exit reason's, or one of the other lines'. */
static const char *event_name(unsigned ev)
{
	if (ev < EXIT_REASON_COUNT)
		return exit_reason_name((enum exit_reason)ev);
	return ev == TRACE_GUEST_EXCEPTION ? "guest-exception" : ev == TRACE_IRQ ? "irq" : "?";
}

/* The names the filter knows, separated by ", " (for its error message). */
static const char *known_names(void)
{
	static char list[200];

	if (!list[0]) {
		size_t len = 0;
		for (unsigned ev = EXIT_NONE + 1; ev < TRACE_EVENT_COUNT && len < sizeof(list);
		     ev++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						len ? ", " : "", event_name(ev));
	}
	return list;
}

int hal_sim_trace_filter(const char *list)
{
	char buf[200];

	if (!trace_filtered)
		trace_mask = 0;
	trace_filtered = true;
	cv_strlcpy(buf, list, sizeof(buf));
	if (!buf[0]) {
		fprintf(stderr, "cvisor: --trace=exits: an empty list of reasons (known: %s)\n",
			known_names());
		return -1;
	}
	for (char *save, *tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		unsigned ev;
		for (ev = EXIT_NONE + 1; ev < TRACE_EVENT_COUNT; ev++)
			if (strcmp(tok, event_name(ev)) == 0)
				break;
		if (ev == TRACE_EVENT_COUNT) {
			fprintf(stderr, "cvisor: --trace=exits: unknown reason '%s' (known: %s)\n",
				tok, known_names());
			return -1;
		}
		trace_mask |= 1u << ev;
	}
	return 0;
}

/* At the end of the program: what the trace file got, and whether it all reached the disk. */
static void close_trace_file(void)
{
	if (trace_out && fclose(trace_out) != 0)
		fprintf(stderr, "cvisor: --trace-file: writing failed\n");
	trace_out = NULL;
}

int hal_sim_trace_file(const char *path)
{
	/*
	 * A run of several architectures' simulators shares one file: the
	 * first cvisor emptied it (handover.c), each simulator appends (every
	 * line one write, at the end of the file).
	 */
	FILE *f = fopen(path, getenv("CVISOR_TRACE_APPEND") ? "a" : "w");

	if (!f) {
		fprintf(stderr, "cvisor: --trace-file=%s: %s\n", path, strerror(errno));
		return -1;
	}
	/* Line by line, as stderr would: a crash of cvisor loses no line before it. */
	setvbuf(f, NULL, _IOLBF, 1 << 16);
	if (trace_out)
		fclose(trace_out);
	else
		atexit(close_trace_file);
	trace_out = f;
	return 0;
}

bool hal_trace_wants(const struct vm *vm, unsigned ev)
{
	return (vm->trace & TRACE_EXITS) && ev < 32 && (trace_mask >> ev & 1);
}

void hal_trace_write(const char *line)
{
	if (!trace_out) {
		hal_log_write(line);
		return;
	}
	pthread_mutex_lock(&trace_lock);
	fputs(line, trace_out);
	fputc('\n', trace_out);
	pthread_mutex_unlock(&trace_lock);
}

int hal_exit_insn_text(const struct vcpu *vcpu, const struct vcpu_exit *exit, char *buf,
		       size_t size)
{
	return sim_cpu_insn_text(vcpu->hal, exit, buf, size);
}
