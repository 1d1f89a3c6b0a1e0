/* SPDX-License-Identifier: MIT */
/**
 * @file libfdt_env.h
 * @brief The device tree's value types for the bare builds: big-endian
 *        cells (fdt32_t, fdt64_t) and the conversions to and from the CPU's
 *        byte order.
 *
 * Every number in a flattened device tree is stored big-endian: the
 * header's fields and the structure block's tokens (Devicetree
 * Specification v0.4, 5.2 and 5.4) and the property values' cells (2.2.4
 * "Properties", the table of property values). The fdt32_t and fdt64_t types
 * mark a value still in that order; fdt32_to_cpu() and cpu_to_fdt32()
 * convert. fdt32_ld() and fdt64_ld() read a value byte by byte, so that
 * a property's cells can sit at any address: a property value is only
 * 4-byte aligned in the blob, and a blob is only as aligned as whoever
 * loaded it made it (AArch64 with -mstrict-align, RISC-V where an
 * unaligned access may trap to the firmware).
 */
#ifndef LIBFDT_ENV_H
#define LIBFDT_ENV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** A 32-bit value in the device tree's (big-endian) byte order. */
typedef uint32_t fdt32_t;
/** A 64-bit value in the device tree's (big-endian) byte order. */
typedef uint64_t fdt64_t;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define FDT_CPU_BIG_ENDIAN 1
#else
#define FDT_CPU_BIG_ENDIAN 0
#endif

/*
 * The byte swaps by shifts, not __builtin_bswap: a RISC-V without Zbb
 * would call libgcc's __bswapdi2 for the 64-bit one. The compiler still
 * recognises the pattern (one REV on AArch64).
 */
static inline uint32_t fdt_swap32_(uint32_t x)
{
	return (x >> 24) | (x >> 8 & 0xff00u) | (x << 8 & 0xff0000u) | (x << 24);
}

static inline uint64_t fdt_swap64_(uint64_t x)
{
	return (uint64_t)fdt_swap32_((uint32_t)x) << 32 | fdt_swap32_((uint32_t)(x >> 32));
}

/** Converts a big-endian 32-bit value to the CPU's byte order. */
static inline uint32_t fdt32_to_cpu(fdt32_t x)
{
	return FDT_CPU_BIG_ENDIAN ? x : fdt_swap32_(x);
}

/** Converts a 32-bit value in the CPU's byte order to big-endian. */
static inline fdt32_t cpu_to_fdt32(uint32_t x)
{
	return FDT_CPU_BIG_ENDIAN ? x : fdt_swap32_(x);
}

/** Converts a big-endian 64-bit value to the CPU's byte order. */
static inline uint64_t fdt64_to_cpu(fdt64_t x)
{
	return FDT_CPU_BIG_ENDIAN ? x : fdt_swap64_(x);
}

/** Converts a 64-bit value in the CPU's byte order to big-endian. */
static inline fdt64_t cpu_to_fdt64(uint64_t x)
{
	return FDT_CPU_BIG_ENDIAN ? x : fdt_swap64_(x);
}

/** Reads the big-endian 32-bit value at p, which need not be aligned. */
static inline uint32_t fdt32_ld(const fdt32_t *p)
{
	const uint8_t *b = (const uint8_t *)p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/** Writes v big-endian at p, which need not be aligned. */
static inline void fdt32_st(void *p, uint32_t v)
{
	uint8_t *b = (uint8_t *)p;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/** Reads the big-endian 64-bit value at p, which need not be aligned. */
static inline uint64_t fdt64_ld(const fdt64_t *p)
{
	const fdt32_t *w = (const fdt32_t *)(const void *)p;
	return (uint64_t)fdt32_ld(&w[0]) << 32 | fdt32_ld(&w[1]);
}

/** Writes v big-endian at p, which need not be aligned. */
static inline void fdt64_st(void *p, uint64_t v)
{
	fdt32_st(p, (uint32_t)(v >> 32));
	fdt32_st((uint8_t *)p + 4, (uint32_t)v);
}

#endif
