/* SPDX-License-Identifier: MIT */
/**
 * @file lapic.h
 * @brief The local APIC of each x86 vCPU, in xAPIC mode (Intel SDM Vol.
 *        3A, chapter 11 "Advanced Programmable Interrupt Controller"): its
 *        registers at their MMIO offsets, priorities, the timer, and the
 *        interprocessor interrupts the ICR sends.
 *
 * A pure model: no vCPU, no clock of its own. The caller (irq.c) passes the
 * VM clock's value (ns) and carries out the IPIs a write of the ICR asks
 * for. The IRR may be set from any thread (another vCPU's IPI, the I/O
 * APIC); every other field belongs to the vCPU's own thread.
 */
#ifndef ARCH_X86_64_LAPIC_H
#define ARCH_X86_64_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/** IA32_APIC_BASE's reset value of the base address (SDM 11.4.4). */
#define LAPIC_DEFAULT_BASE 0xfee00000ULL
#define LAPIC_SIZE 0x1000ULL

/**
 * The APIC timer's input: the bus clock of this model, 100 MHz (one tick
 * every 10 ns of the VM clock), divided as the divide configuration
 * register says. CPUID leaf 0x15 reports it as the core crystal clock
 * (ECX), which is what the timer counts on processors that enumerate the
 * leaf (SDM 11.5.4).
 */
#define LAPIC_BUS_HZ 100000000ULL
#define LAPIC_NS_PER_TICK (1000000000ULL / LAPIC_BUS_HZ)
/** The time-stamp counter's rate: the VM clock's nanoseconds (sysreg.c). */
#define X86_TSC_HZ 1000000000ULL

/** @name Register offsets (SDM table 11-1) @{ */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_APR 0x090
#define LAPIC_PPR 0x0a0
#define LAPIC_EOI 0x0b0
#define LAPIC_RRD 0x0c0
#define LAPIC_LDR 0x0d0
#define LAPIC_DFR 0x0e0
#define LAPIC_SVR 0x0f0
#define LAPIC_ISR 0x100 /* eight registers, 0x10 apart */
#define LAPIC_TMR 0x180
#define LAPIC_IRR 0x200
#define LAPIC_ESR 0x280
#define LAPIC_LVT_CMCI 0x2f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
/** @} */

/** @name Register fields @{ */
#define LAPIC_SVR_ENABLE (1u << 8) /**< APIC software enable (11.9) */
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_LVT_PENDING (1u << 12)    /**< delivery status: send pending */
#define LAPIC_TIMER_PERIODIC (1u << 17) /**< timer mode bits 18:17 = 01 (figure 11-8) */
#define LAPIC_TIMER_MODE_MASK (3u << 17)
#define LAPIC_ICR_VECTOR 0xffu
#define LAPIC_ICR_MODE_SHIFT 8 /**< delivery mode, bits 10:8 (figure 11-12) */
#define LAPIC_ICR_LOGICAL (1u << 11)
#define LAPIC_ICR_LEVEL_ASSERT (1u << 14)
#define LAPIC_ICR_TRIGGER_LEVEL (1u << 15)
#define LAPIC_ICR_SHORTHAND_SHIFT 18 /**< destination shorthand, bits 19:18 */
#define LAPIC_ESR_SEND_ILLEGAL (1u << 5)
#define LAPIC_ESR_RECV_ILLEGAL (1u << 6)
#define LAPIC_ESR_ILLEGAL_REG (1u << 7)
/** @} */

/** Delivery modes of the ICR and the LVT (figure 11-12). */
enum lapic_delivery {
	LAPIC_DM_FIXED = 0,
	LAPIC_DM_LOWEST = 1,
	LAPIC_DM_SMI = 2,
	LAPIC_DM_NMI = 4,
	LAPIC_DM_INIT = 5,
	LAPIC_DM_STARTUP = 6,
};

/** Destination shorthands of the ICR (bits 19:18). */
enum lapic_shorthand {
	LAPIC_SH_NONE = 0,
	LAPIC_SH_SELF = 1,
	LAPIC_SH_ALL = 2,
	LAPIC_SH_OTHERS = 3,
};

/** An interprocessor interrupt a write of ICR low asks the caller to send. */
struct lapic_ipi {
	uint8_t vector;
	enum lapic_delivery mode;
	enum lapic_shorthand shorthand;
	bool logical;      /**< destination is a logical (flat) mask, else an APIC ID */
	bool level_assert; /**< level bit (14): an INIT with it clear is a de-assert */
	uint8_t dest;      /**< ICR high bits 31:24 */
};

/** What lapic_write() changed, for the caller to act on (bits). */
enum {
	LAPIC_CHANGED = 1u << 0,   /**< what may be delivered changed: look again */
	LAPIC_TIMER = 1u << 1,     /**< the timer was (re)programmed: its deadline changed */
	LAPIC_SEND = 1u << 2,      /**< an IPI to send: *ipi */
	LAPIC_EOI_LEVEL = 1u << 3, /**< an EOI of a level-triggered vector: *eoi_vector */
};

struct lapic {
	uint32_t id; /**< APIC ID (the ID register's bits 31:24) */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr;     /**< what ESR reads: the errors until the last write */
	uint32_t esr_new; /**< errors since the last write of ESR (11.5.3) */
	uint32_t irr[8];  /**< set atomically, by any thread */
	uint32_t isr[8], tmr[8];
	uint32_t icr_lo, icr_hi;
	uint32_t lvt_cmci, lvt_timer, lvt_thermal, lvt_perf, lvt_lint0, lvt_lint1, lvt_error;
	uint32_t timer_initial, timer_divide;
	uint64_t
	    timer_start; /**< clock value (ns) at which the current count was the initial count */
	uint64_t timer_expiry; /**< clock value of the next expiry; UINT64_MAX when stopped */
	uint64_t ticks;        /**< timer interrupts raised (for reports) */
};

/** Power-up and INIT state (SDM 11.4.7.1): software-disabled, every LVT masked. */
void lapic_reset(struct lapic *l, uint32_t id);
/** Reads the 32-bit register at offset at clock now into *val; -1 for an offset that is no
 * register. */
int lapic_read(const struct lapic *l, unsigned offset, uint64_t now, uint32_t *val);
/**
 * Writes the 32-bit register at offset at clock now. Returns the LAPIC_*
 * bits of what changed; with LAPIC_SEND *ipi says what to send, with
 * LAPIC_EOI_LEVEL *eoi_vector which vector ended. -1 for an offset that is
 * no writable register (ESR records an illegal register address).
 */
int lapic_write(struct lapic *l, unsigned offset, uint32_t val, uint64_t now, struct lapic_ipi *ipi,
		uint8_t *eoi_vector);
/**
 * Accepts a fixed interrupt of vector (an IPI, the timer, the I/O APIC):
 * sets its IRR bit, level says its TMR bit. False if the APIC refuses it
 * (software-disabled, or a vector below 16: ESR's receive illegal vector).
 * Any thread.
 */
bool lapic_accept(struct lapic *l, uint8_t vector, bool level);
/** The processor priority (11.8.3.1): TPR, or the class of the highest ISR bit if higher. */
uint32_t lapic_ppr(const struct lapic *l);
/**
 * The vector the APIC would present to the processor now (11.8.4): the
 * highest IRR bit whose priority class is above PPR's; -1 if none (or the
 * APIC is software-disabled).
 */
int lapic_pending(const struct lapic *l);
/** The processor takes that vector (INTA): its IRR bit moves to ISR. Returns it, or -1. */
int lapic_ack(struct lapic *l);
/**
 * Brings the timer to clock now: an expiry raises the LVT timer's vector
 * (unless masked) and a periodic timer starts its next period. Returns the
 * clock value of the next expiry, UINT64_MAX if none.
 */
uint64_t lapic_timer(struct lapic *l, uint64_t now);
/** True if the APIC is software-enabled (SVR bit 8). */
bool lapic_enabled(const struct lapic *l);

#endif
