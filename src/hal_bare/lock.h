/* SPDX-License-Identifier: MIT */
/**
 * @file lock.h
 * @brief Spinlocks for the bare HAL, which runs on several physical CPUs
 *        at once (xv6's spinlock.c, without interrupt bookkeeping).
 *
 * cvisor never takes an interrupt while it runs itself (PSTATE.I stays set
 * at EL2, sstatus.SIE clear in HS-mode; interrupts arrive only while a guest runs, as exits;
 * x86's RFLAGS.IF is clear but in HLT and a one-instruction window, where no
 * lock is held, and its handlers take none), so a lock
 * holder is never interrupted and needs no interrupt masking. A lock is
 * one word taken with an atomic exchange: GCC turns the __atomic builtins
 * into the AArch64 exclusives (LDAXR/STXR, ARM ARM B2.9) for the bare
 * build's -march (Armv8.0, no LSE; -mno-outline-atomics keeps them
 * inline), into x86's XCHG (locked by itself, SDM Vol. 3A 8.2.5: a full
 * barrier), and into RISC-V's AMOSWAP.W.AQ (the A extension, unprivileged
 * spec chapter 8), whose .aq and .rl bits give the same orderings. Acquire on taking, release on giving back: what the holder
 * wrote is seen by the next holder (ARM ARM B2.3, load-acquire and
 * store-release). Locks are only taken with the MMU on: the exclusives
 * need Normal cacheable memory.
 */
#ifndef HAL_BARE_LOCK_H
#define HAL_BARE_LOCK_H

#include <cvisor/types.h>

/* A hint to the CPU that it spins (AArch64 YIELD; x86 PAUSE; RISC-V Zihintpause's PAUSE, a FENCE hint
 * that CPUs without it execute as a no-op). */
static inline void cpu_relax(void)
{
#if defined(__aarch64__)
	__asm__ volatile("yield");
#elif defined(__x86_64__)
	__asm__ volatile("pause");
#else
	__asm__ volatile(".insn i 0x0f, 0, x0, x0, 0x010");
#endif
}

struct spinlock {
	uint32_t taken;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->taken, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->taken, __ATOMIC_RELAXED))
			cpu_relax();
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
