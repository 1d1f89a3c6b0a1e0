/* SPDX-License-Identifier: MIT */
/**
 * @file types.h
 * @brief Basic types shared by every layer of cvisor: typed addresses,
 *        the one error enum, and small helpers.
 *
 * The core is compiled both as part of a Linux program (the simulator) and
 * freestanding (the bare-metal hypervisor), so this header uses only the
 * headers a freestanding C11 compiler provides.
 */
#ifndef CVISOR_TYPES_H
#define CVISOR_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @name Typed addresses
 * Four address spaces meet in a hypervisor. Keep them apart by name:
 * - gva_t: guest virtual address (what the guest's instructions use),
 * - gpa_t: guest physical address (after the guest's own stage-1 MMU),
 * - hpa_t: host physical address (after the hypervisor's stage-2 tables),
 * - hva_t: host virtual address (a pointer the hypervisor can dereference).
 * Convert only through named functions (addrspace_gpa_to_hva(),
 * hal_hpa_to_hva(), ...), never by casting.
 * @{
 */
typedef uint64_t gva_t;   /**< guest virtual address */
typedef uint64_t gpa_t;   /**< guest physical address */
typedef uint64_t hpa_t;   /**< host physical address */
typedef uintptr_t hva_t;  /**< host virtual address */
/** @} */

/** Sentinel for "no such guest physical address". */
#define GPA_INVALID ((gpa_t)~0ULL)
/** Sentinel for "no such host physical address". */
#define HPA_INVALID ((hpa_t)~0ULL)

/** Size of the smallest page on every supported architecture. */
#define PAGE_SIZE 4096ULL
/** log2(PAGE_SIZE). */
#define PAGE_SHIFT 12

/**
 * The one error enum. Recoverable failures return one of these negated
 * values (0 is success); a broken hypervisor invariant calls hal_panic().
 */
enum cv_err {
	CV_OK = 0,
	CV_ENOMEM = 1,    /**< out of host memory */
	CV_EINVAL = 2,    /**< invalid argument or input */
	CV_ENOENT = 3,    /**< no such file, device or entry */
	CV_ERANGE = 4,    /**< value or address out of range */
	CV_EOVERLAP = 5,  /**< region overlaps an existing one */
	CV_EFAULT = 6,    /**< address not mapped */
	CV_EPERM = 7,     /**< access not permitted */
	CV_EIO = 8,       /**< I/O error on the host */
	CV_ENOTSUP = 9,   /**< not supported (yet) */
	CV_EPARSE = 10,   /**< malformed input file */
	CV_EBUSY = 11,    /**< resource in use */
	CV_EEXIST = 12,   /**< already exists / already on */
	CV_ENOSYS = 13,   /**< not implemented: a lab skeleton's stub (LAB_TODO()) */
};

/** Returns a short English description of a (positive or negative) cv_err. */
const char *cv_strerror(int err);

/** Elements of array a (an array, not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/** x rounded down to a multiple of a (a power of two). */
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
/** x rounded up to a multiple of a (a power of two). */
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (a) - 1, (a))
/** True if x is a multiple of a (a power of two). */
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
/** The smaller of a and b (each evaluated twice). */
#define MIN(a, b) ((a) < (b) ? (a) : (b))
/** The larger of a and b (each evaluated twice). */
#define MAX(a, b) ((a) > (b) ? (a) : (b))
/** A 64-bit value with bit n set. */
#define BIT(n) (1ULL << (n))
/** Bits hi..lo of x, shifted down to bit 0. */
#define BITS(x, hi, lo) (((uint64_t)(x) >> (lo)) & ((2ULL << ((hi) - (lo))) - 1))

/** Marks a parameter or variable as deliberately unused. */
#define CV_UNUSED(x) ((void)(x))

#endif
