/* SPDX-License-Identifier: MIT */
/**
 * @file power.c
 * @brief How a run ends on a PC under Bochs: a last line on COM1 with
 *        cvisor's status, then Bochs's shutdown port.
 *
 * A PC has no device through which software gives the emulator an exit
 * status (QEMU's AArch64 semihosting, its RISC-V test finisher). So cvisor
 * writes its status as the last line of the console,
 *
 *     cvisor: exit status N
 *
 * (N: BARE_EXIT_OK 0, BARE_EXIT_VM_FAILED 1, BARE_EXIT_PANIC 3), and the
 * runner, scripts/bochs.sh, reads it from the serial output and exits with
 * N. Then the string "Shutdown" written byte by byte to I/O port 0x8900
 * ends Bochs (its BIOS's APM power-off port; Bochs's own exit status is
 * 1 then, whatever happened, hence the line). On another PC the port
 * does nothing and the CPU stops in HLT with interrupts off. So
 * bare_state.semihosting means nothing on x86_64.
 */
#include <cvisor/lib.h>

#include "../hal_bare.h"
#include "hal_arch.h"

#define BOCHS_SHUTDOWN_PORT 0x8900

/* Bochs's shutdown, without a word; then the CPU halts for good. */
void power_shutdown(void)
{
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Ends the run with status: the status line, then Bochs's shutdown. */
void bare_power_off(int status)
{
	char line[40];

	cv_snprintf(line, sizeof(line), "cvisor: exit status %d\n", status);
	bare_puts(line);
	uart_flush(); /* the line is out before Bochs ends */
	power_shutdown();
}
