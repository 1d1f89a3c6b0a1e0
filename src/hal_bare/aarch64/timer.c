/* SPDX-License-Identifier: MIT */
/**
 * @file timer.c
 * @brief The generic timer: the time since boot, and cvisor's tick.
 *
 * ARM ARM D11 (the generic timer). CNTPCT_EL0 counts at CNTFRQ_EL0 Hz
 * from boot; hal_time_ns() converts it. cvisor's tick is the EL2 physical
 * timer (CNTHP_TVAL_EL2, CNTHP_CTL_EL2): armed TICK_HZ times a second, it
 * raises PPI 26 (gic.c), which takes the CPU back from a guest that never
 * exits (watchdog.c).
 */
#include <cvisor/hal.h>

#include "hal_aarch64.h"
#include "cpu.h"

/* Nanoseconds from the counter, without overflowing the multiplication. */
uint64_t hal_time_ns(void)
{
	uint64_t cnt = READ_SYSREG(cntpct_el0), freq = READ_SYSREG(cntfrq_el0);
	return freq ? cnt / freq * 1000000000ULL + cnt % freq * 1000000000ULL / freq : 0;
}

void tick_arm(void)
{
	WRITE_SYSREG(cnthp_tval_el2, READ_SYSREG(cntfrq_el0) / TICK_HZ);
	WRITE_SYSREG(cnthp_ctl_el2, 1); /* ENABLE, not masked */
}
