/* SPDX-License-Identifier: MIT */
/**
 * @file power.c
 * @brief How a run ends: QEMU exits with cvisor's status through
 *        semihosting, else the machine is switched off through PSCI.
 *
 * Semihosting (Arm "Semihosting for AArch32 and AArch64", SYS_EXIT_EXTENDED,
 * operation 0x20): HLT #0xF000 with x0 = 0x20 and x1 pointing at the pair
 * {ADP_Stopped_ApplicationExit, status}; QEMU run with -semihosting-config
 * exits with that status. PSCI SYSTEM_OFF (DEN0022 5.10, function
 * 0x8400_0008) by SMC, which QEMU's virt machine answers itself when it
 * has no EL3 firmware.
 */
#include <cvisor/types.h>

#include "../hal_bare.h"

#define SEMIHOSTING_SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define PSCI_SYSTEM_OFF 0x84000008

/*
 * Ends the run with status. With semihosting on (make qemu turns it on),
 * QEMU exits with status; otherwise PSCI SYSTEM_OFF; should both return,
 * the CPU waits for interrupts forever.
 */
void bare_power_off(int status)
{
	static uint64_t block[2];

	block[0] = ADP_STOPPED_APPLICATION_EXIT;
	block[1] = (uint64_t)status;
	register uint64_t x0 __asm__("x0") = SEMIHOSTING_SYS_EXIT_EXTENDED;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;
	if (bare_state.semihosting)
		__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	register uint64_t f __asm__("x0") = PSCI_SYSTEM_OFF;
	__asm__ volatile("smc #0" : "+r"(f)::"memory");
	for (;;)
		__asm__ volatile("wfi");
}
