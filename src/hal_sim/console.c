/* SPDX-License-Identifier: MIT */
/*
 * Console input for the guests, as QEMU's -nographic gives it:
 *
 *   the user types           the console thread         the guest
 *   ------------------------ -------------------------- --------------------------
 *   a key on the terminal    reads it from stdin        its UART's receive register
 *                            (the terminal is raw),     (pl011.c, ns16550.c, SBI)
 *                            queues it for one VM and   takes it: hal_console_getc();
 *                            tells the VM's UART        the UART raises its interrupt
 *                            (vm_console_input())
 *   Ctrl-A then x, n, h      an escape: quit, next VM,
 *                            help (never seen by guests)
 *   bytes through a pipe     queued unchanged, no escapes
 *
 * On a terminal the line discipline would keep keys until Enter, echo them
 * (and the guest echoes them again) and turn Ctrl-C into SIGINT. While the
 * guests run it is put in raw input mode instead, and its settings are put
 * back on every way out: the normal end, the watchdog's signals and time
 * limit (they end the run normally), a panic and the fatal signals.
 * Output processing (OPOST) stays on, so "\n" still starts a new line.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "hal_sim.h"

/* The escape character: Ctrl-A, as in QEMU and screen. */
#define ESCAPE_CHAR 0x01

static struct {
	struct vm **vms;
	unsigned nvms;
	unsigned target;           /* index of the VM that input goes to */
	bool escapes;              /* stdin is our terminal: Ctrl-A escapes */
	bool in_escape;            /* Ctrl-A seen, its command not yet */
	struct termios saved;      /* the terminal's settings before cvisor's */
	volatile sig_atomic_t raw; /* saved must be put back */
	int wake[2];               /* a pipe that ends the console thread */
	pthread_t thread;
	bool reading; /* the console thread exists */
} con;

/* The input queues of every VM (struct hal_sim_vm's in[]). */
static pthread_mutex_t in_lock = PTHREAD_MUTEX_INITIALIZER;

static const char escape_help[] = "cvisor: console escapes (Ctrl-A, then a key):\n"
				  "  Ctrl-A x       quit: stop every VM\n"
				  "  Ctrl-A n       send input to the next running VM\n"
				  "  Ctrl-A h       this list\n"
				  "  Ctrl-A Ctrl-A  send one Ctrl-A to the guest";

/* ---- The input queues --------------------------------------------------- */

/* Room left in vm's input queue. */
static unsigned queue_room(const struct vm *vm)
{
	const struct hal_sim_vm *hv = vm->hal;

	pthread_mutex_lock(&in_lock);
	unsigned used = hv->in_tail - hv->in_head;
	pthread_mutex_unlock(&in_lock);
	return HAL_SIM_INPUT_QUEUE - used;
}

/* Queues byte c for vm; the caller has checked there is room. */
static void queue_put(const struct vm *vm, unsigned char c)
{
	struct hal_sim_vm *hv = vm->hal;

	pthread_mutex_lock(&in_lock);
	hv->in[hv->in_tail++ % HAL_SIM_INPUT_QUEUE] = c;
	pthread_mutex_unlock(&in_lock);
}

/* Console input: the next byte queued for vm, or -1 (never blocks). */
int hal_console_getc(const struct vm *vm)
{
	struct hal_sim_vm *hv = vm ? vm->hal : NULL;
	int c = -1;

	if (!hv)
		return -1;
	pthread_mutex_lock(&in_lock);
	if (hv->in_head != hv->in_tail)
		c = hv->in[hv->in_head++ % HAL_SIM_INPUT_QUEUE];
	pthread_mutex_unlock(&in_lock);
	return c;
}

/* ---- The escapes ---------------------------------------------------------- */

/* Ctrl-A n: input goes to the next running VM after the current one (itself if alone). */
static void next_vm(void)
{
	for (unsigned k = 1; k <= con.nvms; k++) {
		unsigned i = (con.target + k) % con.nvms;
		if (vm_running(con.vms[i])) {
			con.target = i;
			hal_sim_console_note("cvisor: console input to vm %u (%s)", con.vms[i]->id,
					     con.vms[i]->name);
			return;
		}
	}
}

/* One byte from stdin: an escape, or a byte for the VM that input goes to. */
static void console_byte(unsigned char c)
{
	if (con.in_escape) {
		con.in_escape = false;
		switch (c) {
		case 'x':
			for (unsigned i = 0; i < con.nvms; i++)
				vm_stop(con.vms[i], VM_FAILED, "quit from the console (Ctrl-A x)");
			return;
		case 'n':
			next_vm();
			return;
		case 'h':
			hal_sim_console_note("%s", escape_help);
			return;
		case ESCAPE_CHAR:
			break; /* Ctrl-A twice: one Ctrl-A for the guest */
		default:
			return; /* not an escape: dropped */
		}
	} else if (con.escapes && c == ESCAPE_CHAR) {
		con.in_escape = true;
		return;
	}
	/* Input for a VM that has stopped goes to the next one still running. */
	if (!vm_running(con.vms[con.target]))
		next_vm();
	queue_put(con.vms[con.target], c);
	/* Its UART takes the byte now and raises its interrupt: the guest need not poll. */
	vm_console_input(con.vms[con.target]);
}

/* ---- The console thread ---------------------------------------------------- */

/*
 * Reads stdin until it ends or the run does, never more than the target
 * VM's queue can take: a pipe's bytes wait in the pipe for a guest that
 * reads slowly, none are dropped.
 */
static void *console_thread(void *arg)
{
	unsigned char buf[64];

	(void)arg;
	for (;;) {
		struct pollfd p[2] = {{.fd = con.wake[0], .events = POLLIN},
				      {.fd = STDIN_FILENO, .events = POLLIN}};
		unsigned room = queue_room(con.vms[con.target]);
		/* With the queue full, only the wake-up pipe is watched, for a while. */
		if (poll(p, room ? 2 : 1, room ? -1 : 10) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (!room || !p[1].revents)
			continue;
		ssize_t n = read(STDIN_FILENO, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* end of input: the guests just get no more */
		for (ssize_t i = 0; i < n; i++)
			console_byte(buf[i]);
	}
	return NULL;
}

/* ---- The terminal ------------------------------------------------------------ */

void hal_sim_console_restore(void)
{
	if (con.raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &con.saved);
		con.raw = 0;
	}
}

/* A fatal signal (abort, a crash): the terminal back as it was, then the signal's default action.
 */
static void fatal_signal(int sig)
{
	hal_sim_console_restore();
	raise(sig); /* SA_RESETHAND made the action the default */
}

/*
 * Puts the terminal on stdin into raw input mode (termios(3)), when cvisor
 * runs in its foreground: a background job must leave it alone (and would
 * be stopped by SIGTTOU if it did not). Returns true if it did.
 */
static bool terminal_raw(void)
{
	static const int fatal[] = {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE};
	struct sigaction sa = {.sa_handler = fatal_signal, .sa_flags = SA_RESETHAND};
	static bool handlers_set;
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp() ||
	    tcgetattr(STDIN_FILENO, &con.saved) < 0)
		return false;
	t = con.saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | ISIG | IEXTEN);
	t.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | IGNCR | ISTRIP | BRKINT);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	if (!handlers_set)
		atexit(hal_sim_console_restore);
	handlers_set = true;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		return false;
	con.raw = 1;
	return true;
}

void hal_sim_console_open(struct vm **vms, unsigned n)
{
	con.vms = vms;
	con.nvms = n;
	con.target = 0;
	while (con.target + 1 < n && !vm_running(vms[con.target]))
		con.target++;
	/* A terminal of which cvisor is not the foreground gives no input. */
	if (isatty(STDIN_FILENO) && !terminal_raw())
		return;
	con.escapes = con.raw;
	if (pipe(con.wake) < 0)
		return;
	con.reading = pthread_create(&con.thread, NULL, console_thread, NULL) == 0;
}

void hal_sim_console_close(void)
{
	if (con.reading) {
		(void)!write(con.wake[1], "", 1);
		pthread_join(con.thread, NULL);
		close(con.wake[0]);
		close(con.wake[1]);
		con.reading = false;
	}
	hal_sim_console_restore();
}
