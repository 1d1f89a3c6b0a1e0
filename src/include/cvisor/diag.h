/* SPDX-License-Identifier: MIT */
/**
 * @file diag.h
 * @brief Diagnostics: errors and warnings about an input file, with a place.
 */
#ifndef CVISOR_DIAG_H
#define CVISOR_DIAG_H

#include "types.h"

#define DIAG_MAX 64

enum diag_severity { DIAG_ERROR, DIAG_WARNING };

/** One message about an input file. line/col are 1-based; 0 means "whole file". */
struct diag {
	enum diag_severity severity;
	int line, col;
	char msg[200];
};

/** The messages collected while reading one file. */
struct diag_list {
	char file[256];          /**< file name used in messages */
	struct diag items[DIAG_MAX];
	unsigned count;
	unsigned dropped;        /**< messages beyond DIAG_MAX */
};

/** Appends a message. */
void diag_add(struct diag_list *dl, enum diag_severity sev, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/** Number of messages of severity sev. */
unsigned diag_count(const struct diag_list *dl, enum diag_severity sev);
/** Formats item i as "FILE:LINE:COL: error: message" (or "warning:"). */
int diag_format(const struct diag_list *dl, unsigned i, char *buf, size_t size);

#endif
