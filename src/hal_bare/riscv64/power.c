/* SPDX-License-Identifier: MIT */
/**
 * @file power.c
 * @brief How a run ends: QEMU exits with cvisor's status through the
 *        virt machine's test finisher, else the machine is switched off
 *        through SBI.
 *
 * The finisher (compatible "sifive,test1", 0x10_0000 on virt) is one
 * 32-bit register: the low half of the value written says what to do,
 * 0x5555 pass or 0x3333 fail, and with fail the high half is QEMU's exit
 * status (QEMU's hw/misc/sifive_test.c). So status 0 is 0x5555 and
 * status s is (s << 16) | 0x3333. It needs no QEMU option: it is how the
 * run ends on RISC-V, where bare_state.semihosting means nothing (RISC-V
 * semihosting would need -semihosting-config, and the finisher already
 * gives the status). Should the write not end the run (a machine without
 * the finisher), SBI SRST system_reset shuts down (SBI spec v2.0, 10.1),
 * without a status.
 */
#include <cvisor/types.h>

#include "../hal_bare.h"
#include "hal_arch.h"
#include "virt.h"

#define FINISHER_FAIL 0x3333u
#define FINISHER_PASS 0x5555u

/* Ends the run with status: the finisher, else SBI; should both return, the hart waits forever. */
void bare_power_off(int status)
{
	uint32_t v = status == 0 ? FINISHER_PASS : ((uint32_t)status & 0xffff) << 16 | FINISHER_FAIL;

	*(volatile uint32_t *)VIRT_TEST = v;
	sbi_shutdown(status != 0);
	for (;;)
		__asm__ volatile("wfi");
}
