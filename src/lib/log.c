/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own log: one formatted line per call, to the HAL's log
 * stream (never the guest console).
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

enum log_level log_threshold = LOG_WARN;

void cv_log(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	char line[512];
	va_list ap;

	if (level > log_threshold)
		return;
	int n = cv_snprintf(line, sizeof(line), "cvisor: %s", prefix[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	cv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	hal_log_write(line);
}
