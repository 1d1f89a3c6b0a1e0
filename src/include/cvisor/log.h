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

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/** Messages above this level are dropped. Default LOG_WARN. */
extern enum log_level log_threshold;

/** Formats a message and writes it as one line, prefixed with "cvisor: " and the level. */
void cv_log(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) cv_log(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) cv_log(LOG_WARN, __VA_ARGS__)
#define log_info(...) cv_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...) cv_log(LOG_DEBUG, __VA_ARGS__)

#endif
