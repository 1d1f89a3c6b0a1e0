/* SPDX-License-Identifier: MIT */
/**
 * @file atomic.c
 * @brief The byte-sized atomic exchange GCC 12 calls instead of inlining
 *        on RISC-V (the A extension's AMOs work on 32- and 64-bit words
 *        only; the C library's libatomic would give it, and there is none
 *        here). The core's `bool` flags taken with __atomic_exchange_n()
 *        come here.
 *
 * The byte is exchanged inside its aligned 32-bit word with LR/SC (what
 * __atomic_compare_exchange_n compiles to), leaving the other three bytes
 * as they are, with sequentially consistent ordering whatever the caller
 * asked: never weaker than asked.
 */
#include <cvisor/types.h>

uint8_t __atomic_exchange_1(volatile void *p, uint8_t v, int order);
uint8_t __atomic_exchange_1(volatile void *p, uint8_t v, int order)
{
	volatile uint32_t *w = (volatile uint32_t *)((uintptr_t)p & ~(uintptr_t)3);
	unsigned shift = (unsigned)((uintptr_t)p & 3) * 8; /* little-endian: byte 0 is bits 7:0 */
	uint32_t mask = 0xffu << shift;
	uint32_t old = __atomic_load_n(w, __ATOMIC_RELAXED);

	(void)order;
	while (!__atomic_compare_exchange_n(w, &old, (old & ~mask) | ((uint32_t)v << shift), true,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
	return (uint8_t)((old & mask) >> shift);
}
