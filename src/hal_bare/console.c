/* SPDX-License-Identifier: MIT */
/**
 * @file console.c
 * @brief The console every VM and cvisor share, on the host UART
 *        (xv6's console.c on top of uart.c): guests' output, cvisor's log
 *        lines and its panic message.
 *
 * Every "\n" goes out as "\r\n". With one VM in the image its output goes
 * out byte by byte, as it comes. With several, which run at the same time
 * on one or more physical CPUs, each VM's output is held until its line
 * is complete (or its buffer full, or the VM reads input, or it stops),
 * and then goes out in one piece with a `[name] ` prefix: the lines of
 * two VMs never mix. A line one VM left unfinished is ended before
 * another VM or the log writes; one that stays unfinished for 50 ms is
 * sent as it is (bare_console_tick()). Input is the UART's, for the
 * image's first running VM: its UART model polls it on each access, and
 * on the boot CPU's tick (bare_time_limits()) it is offered to the VMs'
 * UARTs, which raise their interrupts. One lock keeps the writers of all
 * CPUs apart.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

#include "hal_bare.h"
#include "lock.h"
#include "sched.h"

/* Ticks an unfinished line waits before it is sent as it is: 50 ms. */
#define LINE_IDLE_TICKS (TICK_HZ / 20)

static struct spinlock console_lock;

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
/* The VM console input goes to (bare_console_tick()); NULL: whichever reads it. */
static const struct vm *input_vm;

/* Under console_lock: len bytes of vm's output, prefixed by its name at a line's start. */
static void emit(const struct vm *vm, const char *buf, size_t len)
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

/* Under console_lock: sends what vm holds of its current line. */
static void flush_line(const struct vm *vm)
{
	struct bare_vm *bv = vm ? vm->hal : NULL;

	if (bv && bv->line_len) {
		emit(vm, bv->line, bv->line_len);
		bv->line_len = 0;
	}
}

void hal_console_write(const struct vm *vm, const char *buf, size_t len)
{
	struct bare_vm *bv = vm ? vm->hal : NULL;

	spin_lock(&console_lock);
	if (!bv || bare_state.nvms <= 1) {
		emit(vm, buf, len);
	} else {
		for (size_t i = 0; i < len; i++) {
			bv->line[bv->line_len++] = buf[i];
			if (buf[i] == '\n' || bv->line_len == sizeof(bv->line))
				flush_line(vm);
		}
	}
	spin_unlock(&console_lock);
}

int hal_console_getc(const struct vm *vm)
{
	spin_lock(&console_lock);
	int c = vm && input_vm && vm != input_vm ? -1 : bare_getc();
	spin_unlock(&console_lock);
	return c;
}

void bare_console_vm_end(const struct vm *vm)
{
	spin_lock(&console_lock);
	flush_line(vm);
	if (input_vm == vm)
		input_vm = NULL;
	spin_unlock(&console_lock);
}

void bare_console_tick(const struct vm *vm, bool first)
{
	struct bare_vm *bv = vm->hal;

	spin_lock(&console_lock);
	if (first)
		input_vm = vm;
	bv->line_idle = bv->line_len && bv->line_len == bv->line_at_tick ? bv->line_idle + 1 : 0;
	if (bv->line_idle >= LINE_IDLE_TICKS) {
		flush_line(vm);
		bv->line_idle = 0;
	}
	bv->line_at_tick = bv->line_len;
	spin_unlock(&console_lock);
}

void hal_log_write(const char *line)
{
	spin_lock(&console_lock);
	if (!at_line_start) {
		bare_puts("\n");
		at_line_start = true;
	}
	bare_puts(line);
	bare_puts("\n");
	spin_unlock(&console_lock);
}

/* Takes the console if it can: a panic inside a console write must still be heard. */
void hal_panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	cv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (unsigned i = 0; i < 1000000 && !spin_trylock(&console_lock); i++)
		;
	bare_puts("\ncvisor: panic: ");
	bare_puts(msg);
	bare_puts("\n");
	bare_power_off(BARE_EXIT_PANIC);
}
