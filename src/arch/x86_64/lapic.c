/* SPDX-License-Identifier: MIT */
/*
 * The local APIC of an x86 vCPU in xAPIC mode (Intel SDM Vol. 3A, chapter
 * 11), as a pure model: registers, priorities, EOI, the timer, and the
 * decoding of the ICR. irq.c connects it to the vCPU, the VM clock and the
 * other vCPUs.
 *
 *   register (offset)        here
 *   ID (0x20)                the vCPU's index; read-only (11.4.6)
 *   version (0x30)           0x00060014: integrated APIC, 7 LVT entries (figure 11-7)
 *   TPR, PPR (0x80, 0xa0)    priority: a vector is presented only if its class
 *                            (bits 7:4) is above PPR's (11.8.3)
 *   EOI (0xb0)               clears the highest ISR bit (11.8.5)
 *   LDR, DFR (0xd0, 0xe0)    flat logical destinations only (11.6.2.2)
 *   SVR (0xf0)               software enable (bit 8) and spurious vector (11.9)
 *   ISR, TMR, IRR            eight 32-bit registers each, vectors 0..255 (11.8.4)
 *   ESR (0x280)              errors since the last write; a write latches them (11.5.3)
 *   ICR (0x300, 0x310)       IPIs: fixed, INIT, start-up; shorthands (11.6.1)
 *   LVT (0x2f0, 0x320-0x370) masks and vectors; only the timer raises anything
 *   timer (0x380-0x3e0)      one-shot and periodic at LAPIC_BUS_HZ / divide (11.5.4)
 *
 * The IRR (and TMR, and the errors ESR will show) may be changed by any
 * thread through lapic_accept(); every other field only by the vCPU's own.
 */
#include <arch/lapic.h>

#include <cvisor/lib.h>

#define VERSION 0x00060014u
#define NEVER UINT64_MAX

/* Writable bits of each register (figures 11-8, 11-12, 11-14, 11-23). */
#define TPR_BITS 0xffu
#define LDR_BITS 0xff000000u
#define DFR_BITS 0xf0000000u
#define SVR_BITS 0x1ffu
#define LVT_TIMER_BITS (0xffu | LAPIC_LVT_MASKED | LAPIC_TIMER_PERIODIC)
#define LVT_LINT_BITS 0x1a7ffu /* vector, delivery mode, polarity, trigger mode, mask */
#define LVT_MODE_BITS 0x107ffu /* vector, delivery mode, mask: CMCI, thermal, performance */
#define LVT_ERROR_BITS (0xffu | LAPIC_LVT_MASKED)
#define ICR_LO_BITS 0xccfffu
#define ICR_HI_BITS 0xff000000u
#define DIVIDE_BITS 0xbu

static bool test_bit(const uint32_t *bank, unsigned v)
{
	return __atomic_load_n(&bank[v / 32], __ATOMIC_ACQUIRE) & (1u << (v % 32));
}

/* The highest vector set in bank, or -1. */
static int highest(const uint32_t *bank)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = __atomic_load_n(&bank[i], __ATOMIC_ACQUIRE);
		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

void lapic_reset(struct lapic *l, uint32_t id)
{
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->dfr = 0xffffffffu; /* flat model */
	l->svr = 0xff;        /* software-disabled, spurious vector 0xff */
	l->lvt_cmci = l->lvt_timer = l->lvt_thermal = l->lvt_perf = LAPIC_LVT_MASKED;
	l->lvt_lint0 = l->lvt_lint1 = l->lvt_error = LAPIC_LVT_MASKED;
	l->timer_expiry = NEVER;
}

bool lapic_enabled(const struct lapic *l)
{
	return l->svr & LAPIC_SVR_ENABLE;
}

uint32_t lapic_ppr(const struct lapic *l)
{
	int isrv = highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

int lapic_pending(const struct lapic *l)
{
	int v = highest(l->irr);

	if (v < 0 || !lapic_enabled(l))
		return -1;
	return ((uint32_t)v & 0xf0) > (lapic_ppr(l) & 0xf0) ? v : -1;
}

int lapic_ack(struct lapic *l)
{
	int v = lapic_pending(l);

	if (v < 0)
		return -1;
	__atomic_fetch_and(&l->irr[v / 32], ~(1u << (v % 32)), __ATOMIC_ACQ_REL);
	l->isr[v / 32] |= 1u << (v % 32);
	return v;
}

bool lapic_accept(struct lapic *l, uint8_t vector, bool level)
{
	if (!lapic_enabled(l))
		return false; /* a software-disabled APIC takes no fixed interrupt (11.4.7.2) */
	if (vector < 16) {
		__atomic_fetch_or(&l->esr_new, LAPIC_ESR_RECV_ILLEGAL, __ATOMIC_ACQ_REL);
		return false;
	}
	uint32_t bit = 1u << (vector % 32);
	if (level)
		__atomic_fetch_or(&l->tmr[vector / 32], bit, __ATOMIC_ACQ_REL);
	else
		__atomic_fetch_and(&l->tmr[vector / 32], ~bit, __ATOMIC_ACQ_REL);
	__atomic_fetch_or(&l->irr[vector / 32], bit, __ATOMIC_ACQ_REL);
	return true;
}

/* ---- The timer (11.5.4) ----------------------------------------------------- */

/* Bus clocks per timer tick: divide configuration bits 3, 1:0 (figure 11-10); 0b111 is 1. */
static uint64_t divisor(const struct lapic *l)
{
	unsigned code = (l->timer_divide & 3) | ((l->timer_divide >> 1) & 4);
	return code == 7 ? 1 : 2ULL << code;
}

static uint64_t tick_ns(const struct lapic *l)
{
	return divisor(l) * LAPIC_NS_PER_TICK;
}

static bool periodic(const struct lapic *l)
{
	return (l->lvt_timer & LAPIC_TIMER_MODE_MASK) == LAPIC_TIMER_PERIODIC;
}

/* The current count at clock now: counts down from the initial count; periodic reloads. */
static uint32_t current_count(const struct lapic *l, uint64_t now)
{
	if (!l->timer_initial)
		return 0;
	if (now < l->timer_start)
		return l->timer_initial;
	uint64_t ticks = (now - l->timer_start) / tick_ns(l);
	if (periodic(l))
		return l->timer_initial - (uint32_t)(ticks % l->timer_initial);
	if (l->timer_expiry == NEVER || ticks >= l->timer_initial)
		return 0;
	return l->timer_initial - (uint32_t)ticks;
}

/* Starts counting count ticks from clock now (count 0 stops the timer). */
static void timer_start(struct lapic *l, uint64_t now, uint32_t count)
{
	l->timer_start = now - (uint64_t)(l->timer_initial - count) * tick_ns(l);
	l->timer_expiry = count ? now + (uint64_t)count * tick_ns(l) : NEVER;
}

uint64_t lapic_timer(struct lapic *l, uint64_t now)
{
	if (l->timer_expiry == NEVER || now < l->timer_expiry)
		return l->timer_expiry;
	/* Expiries missed while nobody looked raise one interrupt: the IRR holds one bit. */
	if (!(l->lvt_timer & LAPIC_LVT_MASKED) && lapic_accept(l, l->lvt_timer & 0xff, false))
		l->ticks++;
	if (!periodic(l)) {
		l->timer_expiry = NEVER;
		return NEVER;
	}
	uint64_t period = (uint64_t)l->timer_initial * tick_ns(l);
	l->timer_expiry += period * ((now - l->timer_expiry) / period + 1);
	return l->timer_expiry;
}

/* ---- Register access --------------------------------------------------------- */

int lapic_read(const struct lapic *l, unsigned offset, uint64_t now, uint32_t *val)
{
	unsigned bank = (offset >> 4) & 7;

	switch (offset) {
	case LAPIC_ID:
		*val = l->id << 24;
		return 0;
	case LAPIC_VERSION:
		*val = VERSION;
		return 0;
	case LAPIC_TPR:
		*val = l->tpr;
		return 0;
	case LAPIC_APR:
		*val = 0;
		return 0; /* arbitration: not modelled (no bus) */
	case LAPIC_PPR:
		*val = lapic_ppr(l);
		return 0;
	case LAPIC_EOI:
		*val = 0;
		return 0;
	case LAPIC_RRD:
		*val = 0;
		return 0;
	case LAPIC_LDR:
		*val = l->ldr;
		return 0;
	case LAPIC_DFR:
		*val = l->dfr;
		return 0;
	case LAPIC_SVR:
		*val = l->svr;
		return 0;
	case LAPIC_ESR:
		*val = l->esr;
		return 0;
	case LAPIC_LVT_CMCI:
		*val = l->lvt_cmci;
		return 0;
	case LAPIC_ICR_LO:
		*val = l->icr_lo;
		return 0; /* delivery status: always idle */
	case LAPIC_ICR_HI:
		*val = l->icr_hi;
		return 0;
	case LAPIC_LVT_TIMER:
		*val = l->lvt_timer;
		return 0;
	case LAPIC_LVT_THERMAL:
		*val = l->lvt_thermal;
		return 0;
	case LAPIC_LVT_PERF:
		*val = l->lvt_perf;
		return 0;
	case LAPIC_LVT_LINT0:
		*val = l->lvt_lint0;
		return 0;
	case LAPIC_LVT_LINT1:
		*val = l->lvt_lint1;
		return 0;
	case LAPIC_LVT_ERROR:
		*val = l->lvt_error;
		return 0;
	case LAPIC_TIMER_INITIAL:
		*val = l->timer_initial;
		return 0;
	case LAPIC_TIMER_CURRENT:
		*val = current_count(l, now);
		return 0;
	case LAPIC_TIMER_DIVIDE:
		*val = l->timer_divide;
		return 0;
	default:
		break;
	}
	if ((offset & 0xf) == 0 && offset >= LAPIC_ISR && offset < LAPIC_ISR + 0x80) {
		*val = l->isr[bank];
		return 0;
	}
	if ((offset & 0xf) == 0 && offset >= LAPIC_TMR && offset < LAPIC_TMR + 0x80) {
		*val = __atomic_load_n(&l->tmr[bank], __ATOMIC_ACQUIRE);
		return 0;
	}
	if ((offset & 0xf) == 0 && offset >= LAPIC_IRR && offset < LAPIC_IRR + 0x80) {
		*val = __atomic_load_n(&l->irr[bank], __ATOMIC_ACQUIRE);
		return 0;
	}
	*val = 0;
	return -1;
}

/* EOI (11.8.5): the highest ISR bit is cleared; a level-triggered one ends at the I/O APIC too. */
static int eoi(struct lapic *l, uint8_t *eoi_vector)
{
	int v = highest(l->isr);

	if (v < 0)
		return 0;
	l->isr[v / 32] &= ~(1u << (v % 32));
	if (!test_bit(l->tmr, (unsigned)v))
		return LAPIC_CHANGED;
	*eoi_vector = (uint8_t)v;
	return LAPIC_CHANGED | LAPIC_EOI_LEVEL;
}

/* A write of ICR low sends (11.6.1): what it asks for, or nothing for an illegal vector. */
static int send(struct lapic *l, struct lapic_ipi *ipi)
{
	*ipi = (struct lapic_ipi){
	    .vector = (uint8_t)(l->icr_lo & LAPIC_ICR_VECTOR),
	    .mode = (enum lapic_delivery)((l->icr_lo >> LAPIC_ICR_MODE_SHIFT) & 7),
	    .shorthand = (enum lapic_shorthand)((l->icr_lo >> LAPIC_ICR_SHORTHAND_SHIFT) & 3),
	    .logical = l->icr_lo & LAPIC_ICR_LOGICAL,
	    .level_assert = l->icr_lo & LAPIC_ICR_LEVEL_ASSERT,
	    .dest = (uint8_t)(l->icr_hi >> 24),
	};
	if ((ipi->mode == LAPIC_DM_FIXED || ipi->mode == LAPIC_DM_LOWEST) && ipi->vector < 16) {
		__atomic_fetch_or(&l->esr_new, LAPIC_ESR_SEND_ILLEGAL, __ATOMIC_ACQ_REL);
		return 0;
	}
	return LAPIC_SEND;
}

/* A software-disabled APIC keeps every LVT entry masked (11.4.7.2). */
static uint32_t lvt(const struct lapic *l, uint32_t val, uint32_t bits)
{
	return (val & bits) | (lapic_enabled(l) ? 0 : LAPIC_LVT_MASKED);
}

int lapic_write(struct lapic *l, unsigned offset, uint32_t val, uint64_t now, struct lapic_ipi *ipi,
		uint8_t *eoi_vector)
{
	uint32_t count;

	switch (offset) {
	case LAPIC_ID:
	case LAPIC_VERSION:
	case LAPIC_APR:
	case LAPIC_PPR:
	case LAPIC_RRD:
	case LAPIC_TIMER_CURRENT:
		return 0; /* read-only */
	case LAPIC_TPR:
		l->tpr = val & TPR_BITS;
		return LAPIC_CHANGED;
	case LAPIC_EOI:
		return eoi(l, eoi_vector);
	case LAPIC_LDR:
		l->ldr = val & LDR_BITS;
		return 0;
	case LAPIC_DFR:
		l->dfr = (val & DFR_BITS) | ~DFR_BITS;
		return 0;
	case LAPIC_SVR:
		l->svr = val & SVR_BITS;
		if (!lapic_enabled(l)) {
			l->lvt_cmci |= LAPIC_LVT_MASKED;
			l->lvt_timer |= LAPIC_LVT_MASKED;
			l->lvt_thermal |= LAPIC_LVT_MASKED;
			l->lvt_perf |= LAPIC_LVT_MASKED;
			l->lvt_lint0 |= LAPIC_LVT_MASKED;
			l->lvt_lint1 |= LAPIC_LVT_MASKED;
			l->lvt_error |= LAPIC_LVT_MASKED;
		}
		return LAPIC_CHANGED;
	case LAPIC_ESR:
		l->esr = __atomic_exchange_n(&l->esr_new, 0, __ATOMIC_ACQ_REL);
		return 0;
	case LAPIC_ICR_HI:
		l->icr_hi = val & ICR_HI_BITS;
		return 0;
	case LAPIC_ICR_LO:
		l->icr_lo = val & ICR_LO_BITS;
		return send(l, ipi);
	case LAPIC_LVT_CMCI:
		l->lvt_cmci = lvt(l, val, LVT_MODE_BITS);
		return 0;
	case LAPIC_LVT_THERMAL:
		l->lvt_thermal = lvt(l, val, LVT_MODE_BITS);
		return 0;
	case LAPIC_LVT_PERF:
		l->lvt_perf = lvt(l, val, LVT_MODE_BITS);
		return 0;
	case LAPIC_LVT_LINT0:
		l->lvt_lint0 = lvt(l, val, LVT_LINT_BITS);
		return 0;
	case LAPIC_LVT_LINT1:
		l->lvt_lint1 = lvt(l, val, LVT_LINT_BITS);
		return 0;
	case LAPIC_LVT_ERROR:
		l->lvt_error = lvt(l, val, LVT_ERROR_BITS);
		return 0;
	case LAPIC_LVT_TIMER:
		/* A change of mode keeps the count going; the next expiry follows the new mode. */
		l->lvt_timer = lvt(l, val, LVT_TIMER_BITS);
		return LAPIC_TIMER | LAPIC_CHANGED;
	case LAPIC_TIMER_INITIAL:
		/* Writing the initial count starts the count down from it; 0 stops the timer. */
		l->timer_initial = val;
		timer_start(l, now, val);
		return LAPIC_TIMER;
	case LAPIC_TIMER_DIVIDE:
		/* The count goes on from where it is, at the new rate. */
		count = current_count(l, now);
		l->timer_divide = val & DIVIDE_BITS;
		if (l->timer_expiry != NEVER)
			timer_start(l, now, count);
		return LAPIC_TIMER;
	default:
		__atomic_fetch_or(&l->esr_new, LAPIC_ESR_ILLEGAL_REG, __ATOMIC_ACQ_REL);
		return -1;
	}
}
