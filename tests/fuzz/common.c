/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the fuzz targets (fuzz.h): the byte reader, the failure
 * report, and the invariants of the architecture-neutral exit record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%s:%d)\n", file, line);
	abort();
}

uint64_t fuzz_uint(struct fuzz_in *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t b = 0;
		if (in->left) {
			b = *in->p++;
			in->left--;
		}
		v |= b << (8 * i);
	}
	return v;
}

size_t fuzz_string(struct fuzz_in *in, char *out, size_t max)
{
	size_t n = fuzz_u8(in);

	n = n < max ? n : max;
	n = n < in->left ? n : in->left;
	memcpy(out, in->p, n);
	out[n] = '\0';
	in->p += n;
	in->left -= n;
	return strlen(out);
}

/* A message a report prints as one line: terminated inside buf, not empty, no newline. */
static void check_line(const char *what, const char *buf, size_t size)
{
	size_t len = strnlen(buf, size);

	FUZZ_CHECK(len < size, "%s is not terminated inside its %zu bytes", what, size);
	FUZZ_CHECK(len > 0, "%s is empty", what);
	FUZZ_CHECK(!strchr(buf, '\n'), "%s has a newline: \"%s\"", what, buf);
}

static bool one_of(unsigned v, const unsigned *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v == set[i])
			return true;
	return false;
}

void fuzz_check_exit(const struct vcpu_exit *e)
{
	static const unsigned mmio_sizes[] = { 1, 2, 4, 8, 16 }, pio_sizes[] = { 1, 2, 4 };
	char buf[256];

	FUZZ_CHECK((unsigned)e->reason < EXIT_REASON_COUNT, "exit reason %u", e->reason);
	switch (e->reason) {
	case EXIT_MMIO:
		FUZZ_CHECK(one_of(e->mmio.size, mmio_sizes, 5), "MMIO size %u", e->mmio.size);
		FUZZ_CHECK(e->mmio.reg < 32, "MMIO register %u", e->mmio.reg);
		break;
	case EXIT_PIO:
		FUZZ_CHECK(one_of(e->pio.size, pio_sizes, 3), "port I/O size %u", e->pio.size);
		break;
	case EXIT_STAGE2_FAULT:
		FUZZ_CHECK(e->s2fault.size <= 16, "stage-2 fault size %u", e->s2fault.size);
		FUZZ_CHECK(e->s2fault.access <= ACCESS_FETCH, "access kind %u", e->s2fault.access);
		FUZZ_CHECK(e->s2fault.kind <= FAULT_TABLE_NOT_RAM, "fault kind %u", e->s2fault.kind);
		FUZZ_CHECK(e->s2fault.level >= -1 && e->s2fault.level <= 3, "fault level %d",
			   e->s2fault.level);
		break;
	case EXIT_FATAL:
		check_line("fatal message", e->fatal.msg, sizeof(e->fatal.msg));
		break;
	default:
		break;
	}
	int n = exit_format_operands(e, buf, sizeof(buf));
	FUZZ_CHECK(n >= 0 && strnlen(buf, sizeof(buf)) < sizeof(buf),
		   "exit_format_operands gave %d and no terminated text", n);
	FUZZ_CHECK((size_t)n < sizeof(buf) || e->reason == EXIT_FATAL,
		   "exit operands of %d characters do not fit a trace line", n);
}
