/* SPDX-License-Identifier: MIT */
/*
 * A HAL for unit tests: host memory from the C library, console output
 * captured in a buffer the tests can inspect, input queued by the tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "hal_stub.h"

static char console_out[65536];
static size_t console_len;
static char console_in[4096];
static size_t in_head, in_tail;

const char *hal_stub_console_output(void)
{
	console_out[console_len] = '\0';
	return console_out;
}

void hal_stub_console_reset(void)
{
	console_len = 0;
	in_head = in_tail = 0;
}

void hal_stub_console_input(const char *s)
{
	while (*s && in_tail < sizeof(console_in))
		console_in[in_tail++] = *s++;
}

void *hal_page_alloc(size_t npages)
{
	void *p = aligned_alloc(4096, npages * 4096);
	if (p)
		memset(p, 0, npages * 4096);
	return p;
}

void hal_page_free(void *p, size_t npages)
{
	(void)npages;
	free(p);
}






void hal_console_write(const struct vm *vm, const char *buf, size_t len)
{
	(void)vm;
	for (size_t i = 0; i < len && console_len + 1 < sizeof(console_out); i++)
		console_out[console_len++] = buf[i];
}

int hal_console_getc(const struct vm *vm)
{
	(void)vm;
	if (in_head == in_tail)
		return -1;
	return (unsigned char)console_in[in_head++];
}

void hal_log_write(const char *line)
{
	if (getenv("CVISOR_TEST_LOG"))
		fprintf(stderr, "%s\n", line);
}

/* hal_trace_wants(), hal_trace_write(), hal_exit_insn_text(), hal_exit_handled(): src/hal_bare/trace.c. */






static unsigned stage2_changes;

/* Counts the calls: tests check that a stage-2 change reached the HAL. */
unsigned hal_stub_stage2_changes(void)
{
	return stage2_changes;
}

void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size)
{
	(void)vm;
	(void)gpa;
	(void)size;
	stage2_changes++;
}
