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

#endif
