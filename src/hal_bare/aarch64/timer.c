/* SPDX-License-Identifier: MIT */
/**
 * @file timer.c
 * @brief The generic timer: the time since boot, and cvisor's own timer.
 *
 * ARM ARM D11 (the generic timer). CNTPCT_EL0 counts at CNTFRQ_EL0 Hz
 * from boot, the same count on every CPU; hal_time_ns() converts it.
 * cvisor's timer is each CPU's EL2 physical timer (CNTHP_CVAL_EL2,
 * CNTHP_CTL_EL2, D11.2.4): it raises PPI 26 (gic.c) when CNTPCT_EL0
 * reaches CVAL, which takes the CPU back from a guest at the end of a
 * time slice, at a vCPU's deadline, for the watchdog's tick, or wakes an
 * idle CPU (sched.c arms it).
 */
#include <cvisor/hal.h>

#include "hal_arch.h"
#include "cpu.h"

#define NS_PER_S 1000000000ULL

/* Nanoseconds from the counter, without overflowing the multiplication. */
uint64_t hal_time_ns(void)
{
	uint64_t cnt = READ_SYSREG(cntpct_el0), freq = READ_SYSREG(cntfrq_el0);
	return freq ? cnt / freq * NS_PER_S + cnt % freq * NS_PER_S / freq : 0;
}

/*
 * The first count at which hal_time_ns() is at least ns: the inverse of
 * hal_time_ns(), rounded up, so the interrupt never comes early.
 */
static uint64_t ns_to_count(uint64_t ns)
{
	uint64_t freq = READ_SYSREG(cntfrq_el0);
	return ns / NS_PER_S * freq + (ns % NS_PER_S * freq + NS_PER_S - 1) / NS_PER_S;
}

void timer_arm_at(uint64_t at_ns)
{
	struct pcpu *c = this_cpu();

	if (c->timer_on && c->timer_at == at_ns)
		return; /* armed for that already */
	c->timer_on = true;
	c->timer_at = at_ns;
	WRITE_SYSREG(cnthp_cval_el2, ns_to_count(at_ns));
	WRITE_SYSREG(cnthp_ctl_el2, 1); /* ENABLE, IMASK clear */
	ISB();
}

void timer_stop(void)
{
	struct pcpu *c = this_cpu();

	if (!c->timer_on)
		return; /* stopped already, or never armed (CNTHP_CTL_EL2.ENABLE resets to 0) */
	c->timer_on = false;
	WRITE_SYSREG(cnthp_ctl_el2, 0);
	ISB();
}
