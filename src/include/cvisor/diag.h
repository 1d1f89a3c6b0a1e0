/* SPDX-License-Identifier: MIT */
/**
 * @file diag.h
 * @brief Diagnostics: errors and warnings about an input file, with a place.
 */
#ifndef CVISOR_DIAG_H
#define CVISOR_DIAG_H

#include "types.h"

#define DIAG_MAX 64 /**< messages kept per file (the rest are counted in dropped) */

/** How bad a message is. */
enum diag_severity {
	DIAG_ERROR,   /**< the file cannot be used */
	DIAG_WARNING, /**< the file is used; something in it is probably wrong */
};

/** One message about an input file. line/col are 1-based; 0 means "whole file". */
struct diag {
	enum diag_severity severity; /**< error or warning */
	int line;                    /**< 1-based line, 0 for the whole file */
	int col;                     /**< 1-based column, 0 for the whole line */
	char msg[200];               /**< the message, without place or severity */
};

/** The messages collected while reading one file. */
struct diag_list {
	char file[256];          /**< file name used in messages */
	struct diag items[DIAG_MAX]; /**< the messages, in the order found */
	unsigned count;              /**< entries of items used */
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
