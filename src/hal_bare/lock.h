/* SPDX-License-Identifier: MIT */
/**
 * @file lock.h
 * @brief Spinlocks for the bare HAL, which runs on several physical CPUs
 *        at once (xv6's spinlock.c, without interrupt bookkeeping).
 *
 * cvisor never takes an interrupt while it runs itself (PSTATE.I stays set
 * at EL2; interrupts arrive only while a guest runs, as exits), so a lock
 * holder is never interrupted and needs no interrupt masking. A lock is
 * one word taken with an atomic exchange: GCC turns the __atomic builtins
 * into the AArch64 exclusives (LDAXR/STXR, ARM ARM B2.9) for the bare
 * build's -march (Armv8.0, no LSE; -mno-outline-atomics keeps them
 * inline). Acquire on taking, release on giving back: what the holder
 * wrote is seen by the next holder (ARM ARM B2.3, load-acquire and
 * store-release). Locks are only taken with the MMU on: the exclusives
 * need Normal cacheable memory.
 */
#ifndef HAL_BARE_LOCK_H
#define HAL_BARE_LOCK_H

#include <cvisor/types.h>

struct spinlock {
	uint32_t taken;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->taken, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->taken, __ATOMIC_RELAXED))
			__asm__ volatile("yield");
}

/** Takes l if it is free; returns true if it did. */
static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->taken, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->taken, 0, __ATOMIC_RELEASE);
}

#endif
