/* SPDX-License-Identifier: MIT */
/**
 * @file timer.c
 * @brief Time from the TSC, and cvisor's own timer on the local APIC.
 *
 * The time since boot is the time-stamp counter's (RDTSC, Intel SDM Vol.
 * 3B 17.17), which counts at a constant rate on the CPUs that have VMX
 * and EPT ("invariant TSC", 17.17.1), converted with its frequency:
 *  - it is measured against the 8254 PIT, the PC's fixed 1.193182 MHz
 *    clock (Intel 8254 datasheet; the classic method): channel 2, gated by
 *    bit 0 of port 0x61 and not connected to any interrupt, counts down
 *    PIT_COUNT in mode 0 ("interrupt on terminal count"), whose output,
 *    readable as bit 5 of port 0x61, goes high when the count reaches 0;
 *    the TSC ticks in between give the rate;
 *  - CPUID leaf 0x15 gives it exactly as crystal clock x EBX / EAX when it
 *    names the crystal's frequency (ECX != 0; SDM Vol. 2A, CPUID): that
 *    figure is taken when it agrees with the measurement within 1%.
 *    Under Bochs it does not: corei7_icelake_u and tigerlake name a
 *    38.4 MHz crystal (a TSC at 1497.6 and 2419.2 MHz), but Bochs's TSC
 *    counts instructions (below); corei7_skylake_x names no crystal.
 * Leaf 0x16's "processor base frequency" is not used: the SDM says it is
 * for display only, and it need not be the TSC's rate (Bochs: 3500 MHz).
 *
 * Under Bochs with `clock: sync=none` (scripts/bochs.sh) every clock of
 * the machine is virtual: the TSC advances by one per instruction
 * executed (and by the time skipped while the CPU halts), and the PIT and
 * the local APIC's timer count in that same virtual time, at `ips`
 * instructions per virtual second. So the TSC measured against the PIT
 * runs at about ips Hz (50 MHz), and cvisor's nanoseconds are virtual:
 * a guest's 1 s time limit is 50 M instructions, whatever the host's
 * speed. That is what makes runs under Bochs repeatable.
 *
 * cvisor's timer is the local APIC's timer (SDM Vol. 3A 10.5.4) at
 * VECTOR_TIMER: in TSC-deadline mode where the CPU has it
 * (CPUID.01H:ECX.TSC_Deadline, bit 24; Bochs's corei7_skylake_x has),
 * where writing IA32_TSC_DEADLINE (MSR 0x6e0) arms it for a TSC value and
 * writing 0 disarms it (10.5.4.1); else in one-shot mode, counting down
 * from the initial count at a rate measured with the TSC's, against the
 * PIT. It takes the CPU back from a guest at the end of a time slice, at
 * a vCPU's deadline, for the tick, or wakes an idle CPU
 * (sched.c arms it). Its interrupt sets c->timer_fired (gdt_idt.c).
 */
#include <cvisor/hal.h>
#include <cvisor/log.h>

#include "hal_arch.h"
#include "lapic_regs.h"

#define NS_PER_S 1000000000ULL
#define PIT_HZ 1193182ULL
#define PIT_COUNT 59659u /* 50 ms */
#define PIT_MAX_POLLS 10000000ul
#define PIT_CH2_DATA 0x42
#define PIT_CMD 0x43
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, low then high byte, mode 0, binary */
#define PORT_61 0x61           /* bit 0: channel 2's gate; bit 1: speaker; bit 5: channel 2's output */
#define MSR_TSC_DEADLINE 0x6e0
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define LAPIC_DIV_1 0xb

static uint64_t tsc_hz;   /* TSC ticks per second */
static uint64_t tsc_boot; /* the TSC at timer_init(): time 0 */
static uint64_t apic_hz;  /* one-shot mode: the APIC timer's ticks per second */
static bool tsc_deadline; /* TSC-deadline mode */

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* The TSC's rate from CPUID leaf 0x15 (SDM Vol. 2A), or 0 if the CPU does not give it. */
static uint64_t tsc_hz_from_cpuid(void)
{
	uint32_t max, a, b, c, d;

	cpuid(0, &max, &b, &c, &d);
	if (max < 0x15)
		return 0;
	cpuid(0x15, &a, &b, &c, &d);
	if (!a || !b || !c)
		return 0; /* no ratio, or no crystal frequency */
	return (uint64_t)c * b / a;
}

/*
 * Lets PIT channel 2 count PIT_COUNT ticks (mode 0, output at port 0x61
 * bit 5) and returns the TSC ticks that took; *apic_ticks gets the local
 * APIC timer's ticks over the same time when apic_ticks is not NULL.
 * A PIT whose output never rises (PIT_MAX_POLLS reads of port 0x61, each
 * about 1 us on hardware) is a panic, not a hang.
 */
static uint64_t measure_against_pit(uint64_t *apic_ticks)
{
	uint8_t p61 = inb(PORT_61);

	outb(PORT_61, (uint8_t)((p61 & ~0x02) | 0x01)); /* gate on, speaker off */
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2_DATA, PIT_COUNT & 0xff);
	outb(PIT_CH2_DATA, PIT_COUNT >> 8); /* counting starts */
	if (apic_ticks)
		host_lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	uint64_t t0 = rdtsc();
	for (unsigned long polls = 0; !(inb(PORT_61) & 0x20); polls++)
		if (polls == PIT_MAX_POLLS)
			hal_panic("the PIT's channel 2 did not count down (port 0x61 bit 5 stays 0)");
	uint64_t t1 = rdtsc();
	if (apic_ticks)
		*apic_ticks = 0xffffffffu - host_lapic_read(LAPIC_TIMER_CUR);
	outb(PORT_61, p61);
	return t1 - t0;
}

/* ticks * hz_out / hz_in, split so that no product overflows 64 bits (hz_in * hz_out < 2^64). */
static uint64_t scale(uint64_t ticks, uint64_t hz_in, uint64_t hz_out)
{
	return ticks / hz_in * hz_out + ticks % hz_in * hz_out / hz_in;
}

/*
 * The TSC's rate (CPUID or the PIT), then the local APIC timer at
 * VECTOR_TIMER, masked until armed: TSC-deadline mode where the CPU has
 * it, else one-shot with its rate measured. After lapic_host_init().
 */
void timer_init(void)
{
	uint32_t a, b, c, d;
	uint64_t apic_ticks = 0;

	cpuid(1, &a, &b, &c, &d);
	tsc_deadline = c & CPUID_1_ECX_TSC_DEADLINE;
	if (!tsc_deadline) {
		host_lapic_write(LAPIC_TIMER_DIV, LAPIC_DIV_1);
		host_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT | VECTOR_TIMER);
	}
	uint64_t measured = measure_against_pit(tsc_deadline ? NULL : &apic_ticks);
	uint64_t pit_hz = scale(measured, PIT_COUNT, PIT_HZ), from_cpuid = tsc_hz_from_cpuid();
	if (from_cpuid && (from_cpuid > pit_hz + pit_hz / 100 || from_cpuid < pit_hz - pit_hz / 100)) {
		log_info("timer: CPUID leaf 0x15 says %llu kHz, the PIT %llu kHz: taking the PIT's",
			 (unsigned long long)(from_cpuid / 1000), (unsigned long long)(pit_hz / 1000));
		from_cpuid = 0;
	}
	tsc_hz = from_cpuid ? from_cpuid : pit_hz;
	if (!tsc_deadline)
		apic_hz = scale(apic_ticks, measured, tsc_hz);
	if (!tsc_hz || (!tsc_deadline && !apic_hz))
		hal_panic("the TSC or the APIC timer does not count (TSC %llu ticks in 50 ms)",
			  (unsigned long long)measured);
	if (tsc_deadline) {
		host_lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | VECTOR_TIMER);
		__asm__ volatile("mfence" ::: "memory"); /* the mode before the MSR (10.5.4.1) */
		wrmsr(MSR_TSC_DEADLINE, 0);
	}
	tsc_boot = rdtsc();
	log_info("timer: TSC at %llu kHz (%s), APIC timer in %s mode", (unsigned long long)(tsc_hz / 1000),
		 from_cpuid ? "CPUID leaf 0x15" : "measured against the PIT",
		 tsc_deadline ? "TSC-deadline" : "one-shot");
}

/* cvisor's time at TSC value tsc (0 before timer_init() and for a TSC before it). */
uint64_t tsc_to_ns(uint64_t tsc)
{
	return tsc_hz && tsc > tsc_boot ? scale(tsc - tsc_boot, tsc_hz, NS_PER_S) : 0;
}

uint64_t hal_time_ns(void)
{
	return tsc_to_ns(rdtsc());
}

/*
 * The first TSC value at which hal_time_ns() is at least ns: its inverse,
 * rounded up, so the interrupt never comes early; UINT64_MAX (never) for
 * CLOCK_NEVER and when it does not fit.
 */
uint64_t ns_to_tsc(uint64_t ns)
{
	uint64_t s = ns / NS_PER_S;

	if (!tsc_hz || ns == CLOCK_NEVER || s > (UINT64_MAX - tsc_boot) / tsc_hz - 2)
		return UINT64_MAX;
	return tsc_boot + s * tsc_hz + (ns % NS_PER_S * tsc_hz + NS_PER_S - 1) / NS_PER_S;
}

void timer_arm_at(uint64_t at_ns)
{
	struct pcpu *c = this_cpu();

	if (c->timer_on && c->timer_at == at_ns)
		return; /* armed for that already */
	c->timer_on = true;
	c->timer_at = at_ns;
	if (tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, ns_to_tsc(at_ns)); /* a time past fires at once */
		return;
	}
	/* One-shot: the ticks from now, at least 1 (0 would stop it), at most the register's. */
	uint64_t now = hal_time_ns(), ticks = 1;
	if (at_ns > now) {
		uint64_t d = at_ns - now;
		ticks = d / NS_PER_S >= 0xffffffffu / apic_hz ? 0xffffffffu
							      : scale(d, NS_PER_S, apic_hz) + 1;
	}
	host_lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_ONESHOT | VECTOR_TIMER);
	host_lapic_write(LAPIC_TIMER_INIT, (uint32_t)(ticks > 0xffffffffu ? 0xffffffffu : ticks));
}

void timer_stop(void)
{
	struct pcpu *c = this_cpu();

	if (!c->timer_on)
		return; /* stopped already */
	c->timer_on = false;
	if (tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		host_lapic_write(LAPIC_TIMER_INIT, 0);
}
