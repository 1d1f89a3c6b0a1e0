/* SPDX-License-Identifier: MIT */
/**
 * @file lib.h
 * @brief The little C library the core may use.
 *
 * The core may call memcpy, memset, memcmp, memmove, strlen, strcmp, strncmp
 * and strchr (declared in <string.h>; hal_bare provides them when there is
 * no libc). Formatting goes through cv_snprintf(), implemented in the core
 * itself so that both builds print the same way.
 */
#ifndef CVISOR_LIB_H
#define CVISOR_LIB_H

#include <stdarg.h>
#include <string.h>

#include "types.h"

/**
 * Formats into buf like C's snprintf. Supports %d %i %u %x %X %o %c %s %p %%,
 * the length modifiers hh h l ll z j t, flags '-' '0' '#' ' ' '+', width and
 * precision (also '*'). Returns the length the full result would have had.
 */
int cv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/** Like cv_vsnprintf() with a variable argument list. */
int cv_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Copies at most size-1 bytes of src into dst and terminates it; returns strlen(src). */
size_t cv_strlcpy(char *dst, const char *src, size_t size);

/** The value of hex digit c (0-9, a-f, A-F), or -1 if c is not one. */
int cv_hex_digit(int c);

/**
 * @brief Logs, once, that a course lab's part is still to be written.
 *
 * Writes the line "cvisor: lab LAB: implement WHAT" to the hypervisor's log
 * (hal_log_write(): stderr in the simulator, the console on bare metal),
 * whatever the log level. Call it through LAB_TODO(), which calls it once per
 * call site. Used by the stubs of a lab skeleton (docs/labs.md).
 *
 * @param lab  the lab's number (labs/LAB-name/)
 * @param what what the student is to implement, e.g. "walk the stage-2
 *             tables in stage2_translate() (labs/3-stage2/README.md)"
 */
void lab_todo(int lab, const char *what);

/**
 * @brief A stub's mark: logs "cvisor: lab N: implement WHAT" the first time
 * this call site runs (lab_todo()), then does nothing; the stub goes on to
 * return an error or a value the lab's checks reject.
 *
 * A statement, usable in any function (the once-flag is a static of its own
 * per call site, set atomically so that vCPU threads log it once).
 */
#define LAB_TODO(n, what)                                                                          \
	do {                                                                                       \
		static int lab_todo_said_;                                                         \
		if (!__atomic_exchange_n(&lab_todo_said_, 1, __ATOMIC_RELAXED))                    \
			lab_todo((n), (what));                                                     \
	} while (0)

#endif
