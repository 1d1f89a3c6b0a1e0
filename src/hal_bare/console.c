/* SPDX-License-Identifier: MIT */
/**
 * @file console.c
 * @brief The console every VM and cvisor share, on the host UART
 *        (xv6's console.c on top of uart.c): guests' output, cvisor's log
 *        lines and its panic message.
 *
 * With several VMs in the image, each line of guest output gets a `[name] `
 * prefix, and a line one VM left unfinished is ended before another VM or
 * the log writes. Every "\n" goes out as "\r\n". Input is the UART's, for
 * whichever VM reads it: the VMs run one after another.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

#include "hal_bare.h"

/* Writes s, with "\r\n" for each "\n". */
void bare_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			bare_putc('\r');
		bare_putc(*s);
	}
}

/* Whether the next console byte of VM output starts a line (for the [name] prefix). */
static bool at_line_start = true;
static const struct vm *last_writer;

void hal_console_write(const struct vm *vm, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (vm != last_writer && !at_line_start) {
			bare_puts("\n");
			at_line_start = true;
		}
		last_writer = vm;
		if (at_line_start && vm && bare_state.nvms > 1) {
			bare_putc('[');
			bare_puts(vm->name);
			bare_puts("] ");
		}
		if (buf[i] == '\n')
			bare_putc('\r');
		bare_putc(buf[i]);
		at_line_start = buf[i] == '\n';
	}
}

int hal_console_getc(const struct vm *vm)
{
	(void)vm;
	return bare_getc();
}

void hal_log_write(const char *line)
{
	if (!at_line_start) {
		bare_puts("\n");
		at_line_start = true;
	}
	bare_puts(line);
	bare_puts("\n");
}

void hal_panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	cv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bare_puts("\ncvisor: panic: ");
	bare_puts(msg);
	bare_puts("\n");
	bare_power_off(BARE_EXIT_PANIC);
}
