/* SPDX-License-Identifier: MIT */
/**
 * @file hal_aarch64.h
 * @brief What the AArch64 files of the bare HAL give each other (xv6's
 *        defs.h); what they share with the rest of hal_bare is in
 *        ../hal_bare.h.
 */
#ifndef HAL_BARE_AARCH64_H
#define HAL_BARE_AARCH64_H

#include <cvisor/types.h>

struct vcpu;

/* mmu.c */
/** Turns on cvisor's own translation at EL2: an identity map. */
void el2_mmu_on(void);

/* page_alloc.c */
/** Gives the page allocator the RAM the host device tree describes, after cvisor's image. */
void page_alloc_init(const void *host_dtb);

/* gic.c */
/** Sets up the GICv3 so that cvisor's timer interrupt reaches EL2. */
void gic_init(void);
/** Acknowledges the highest priority pending interrupt; returns its INTID (1020..1023: none). */
uint32_t gic_ack(void);
/** Ends the handling of interrupt intid. */
void gic_eoi(uint32_t intid);

/* timer.c */
/** How often cvisor's tick comes while a guest runs. */
#define TICK_HZ 100
/** Arms cvisor's timer for the next tick, 1/TICK_HZ s from now. */
void tick_arm(void);

/* watchdog.c */
/** What cvisor's tick watches in one vCPU that may never exit. */
struct watchdog {
	uint64_t deadline_ns; /**< stop the VM after this time (0: no limit) */
	unsigned storm_ticks; /**< ticks in a row that found the guest faulting in its vectors */
};
/** Starts watching: sets the deadline from bare_max_seconds. */
void watchdog_start(struct watchdog *w);
/** One tick while vcpu ran: stops its VM in an exception storm or after the deadline. */
void watchdog_tick(struct vcpu *vcpu, struct watchdog *w);

/* vcpu.c */
/** Sets what EL2 lets every guest do, once at boot: counter, FP, debug traps, VTCR_EL2. */
void guest_traps_init(void);

#endif
