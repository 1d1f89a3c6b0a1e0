/* SPDX-License-Identifier: MIT */
/* What the bare build has of <stdlib.h> (src/hal_bare/libc.c). */
#ifndef BARE_STDLIB_H
#define BARE_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif
