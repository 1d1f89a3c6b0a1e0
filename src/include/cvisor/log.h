/* SPDX-License-Identifier: MIT */
/**
 * @file log.h
 * @brief The one logging family of cvisor.
 *
 * Messages go to hal_log_write() (stderr in the simulator, the host UART on
 * bare metal), never to the guest's console stream.
 */
#ifndef CVISOR_LOG_H
#define CVISOR_LOG_H

#include "types.h"

/** How important a message is; log_threshold drops the less important. */
enum log_level {
	LOG_ERROR, /**< something failed */
	LOG_WARN,  /**< something is probably wrong */
	LOG_INFO,  /**< what happens (shown with --verbose) */
	LOG_DEBUG, /**< detail for debugging cvisor itself */
};

/** Messages above this level are dropped. Default LOG_WARN. */
extern enum log_level log_threshold;

/** Formats a message and writes it as one line, prefixed with "cvisor: " and the level. */
void cv_log(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** @name One macro per level: cv_log(level, printf-like arguments) */
/** @{ */
#define log_error(...) cv_log(LOG_ERROR, __VA_ARGS__) /**< a failure */
#define log_warn(...) cv_log(LOG_WARN, __VA_ARGS__)   /**< a probable mistake */
#define log_info(...) cv_log(LOG_INFO, __VA_ARGS__)   /**< what happens */
#define log_debug(...) cv_log(LOG_DEBUG, __VA_ARGS__) /**< detail */
/** @} */

#endif
