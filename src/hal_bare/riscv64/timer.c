/* SPDX-License-Identifier: MIT */
/**
 * @file timer.c
 * @brief The `time` CSR: the time since boot, and cvisor's own timer.
 *
 * RISC-V Privileged Architecture 1.12, 3.1.10 and 3.2.1 (mtime, which the
 * unprivileged `time` CSR reads: rdtime) and 4.1.3 (sip.STIP). The `time`
 * CSR counts at the host device tree's /cpus timebase-frequency (10 MHz
 * on QEMU's virt machine), the same count on every hart; hal_time_ns()
 * converts it.
 *
 * cvisor's timer is each hart's supervisor timer interrupt, STIP: SBI's
 * set_timer (SBI spec v2.0, 6.1) asks M-mode to raise STIP when `time`
 * reaches a value, and clears STIP until then. It takes the hart back
 * from a guest at the end of a time slice, at a vCPU's deadline, for the
 * watchdog's tick, or wakes an idle hart (sched.c arms it). cvisor runs
 * with sstatus.SIE = 0: STIP (with sie.STIE set) only ends a guest's run
 * or a WFI.
 *
 * The Sstc extension's stimecmp CSR would let S-mode set the compare value
 * without an SBI call. QEMU 7.2's rv64 has it and its OpenSBI 1.1 enables
 * it (menvcfg.STCE), but measured under QEMU a set_timer call takes about
 * 0.9 us and a write of stimecmp 0.09 us (docs/bare.md): at the rate
 * cvisor re-arms (a changed deadline: slices, ticks, a guest's timer) the
 * difference is far below a guest exit's own cost, so cvisor keeps one
 * way, SBI, which works with and without Sstc (OpenSBI writes stimecmp
 * itself when the hart has it).
 */
#include <libfdt.h>

#include <cvisor/hal.h>

#include "hal_arch.h"
#include "virt.h"

#define NS_PER_S 1000000000ULL

uint64_t timebase_hz = VIRT_TIMEBASE_HZ;

/* Reads /cpus/timebase-frequency (one or two cells, Devicetree spec 3.7); else keeps 10 MHz. */
void timer_init(const void *host_dtb)
{
	int node = host_dtb ? fdt_path_offset(host_dtb, "/cpus") : -1;
	int len = 0;
	const void *p = node >= 0 ? fdt_getprop(host_dtb, node, "timebase-frequency", &len) : NULL;
	uint64_t hz = 0;

	if (p && len == 4)
		hz = fdt32_ld(p);
	else if (p && len == 8)
		hz = fdt64_ld(p);
	if (hz)
		timebase_hz = hz;
	sbi_set_timer(UINT64_MAX); /* no STIP left over from the firmware on the boot hart */
}

/* Nanoseconds from ticks, split so that no product overflows 64 bits. */
uint64_t time_to_ns(uint64_t ticks)
{
	return ticks / timebase_hz * NS_PER_S + ticks % timebase_hz * NS_PER_S / timebase_hz;
}

/*
 * The first tick count at which time_to_ns() is at least ns: its inverse,
 * rounded up, so the interrupt never comes early; UINT64_MAX (never) for
 * CLOCK_NEVER and when the count does not fit.
 */
uint64_t ns_to_time(uint64_t ns)
{
	uint64_t s = ns / NS_PER_S;

	if (ns == CLOCK_NEVER || s > UINT64_MAX / timebase_hz - 1)
		return UINT64_MAX;
	return s * timebase_hz + (ns % NS_PER_S * timebase_hz + NS_PER_S - 1) / NS_PER_S;
}

uint64_t hal_time_ns(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return time_to_ns(t);
}

void timer_arm_at(uint64_t at_ns)
{
	struct pcpu *c = this_cpu();

	if (c->timer_on && c->timer_at == at_ns)
		return; /* armed for that already */
	c->timer_on = true;
	c->timer_at = at_ns;
	sbi_set_timer(ns_to_time(at_ns));
}

/* set_timer for a time that never comes: also clears a pending STIP. */
void timer_stop(void)
{
	struct pcpu *c = this_cpu();

	if (!c->timer_on && !(READ_CSR(sip) & SIP_STIP))
		return; /* stopped already */
	c->timer_on = false;
	sbi_set_timer(UINT64_MAX);
}
