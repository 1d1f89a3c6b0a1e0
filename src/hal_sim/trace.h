/* SPDX-License-Identifier: MIT */
/*
 * The simulator's traces (trace.c): where their lines go (--trace-file)
 * and the filter of the exit trace by reason (--trace=exits:LIST).
 */
#ifndef HAL_SIM_TRACE_H
#define HAL_SIM_TRACE_H

#include <stdbool.h>

/**
 * Sends trace lines to the file at path (created or truncated) instead of
 * stderr, from now on. Returns 0, or -1 with the reason printed.
 */
int hal_sim_trace_file(const char *path);
/**
 * Adds the reasons of list ("mmio+hypercall": exit reasons, and
 * guest-exception and irq for those lines) to the exit trace's filter;
 * without a call every line is shown. Returns 0, or -1 with the unknown
 * name and the known ones printed.
 */
int hal_sim_trace_filter(const char *list);

#endif
