/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.h
 * @brief RISC-V G-stage translation (Sv39x4): PTE bits and hgatp.
 *
 * Privileged Architecture v1.12, 8.5.1 "Guest physical address
 * translation": Sv39x4 widens Sv39's root to 16 KiB (2048 entries), for a
 * 41-bit guest physical address space; three levels (RISC-V numbers them
 * 2, 1, 0; the core's walker calls them 1, 2, 3). Every leaf must have U
 * set: G-stage accesses are treated as user-mode accesses (8.5.1).
 */
#ifndef ARCH_RISCV64_STAGE2_H
#define ARCH_RISCV64_STAGE2_H

#include <cvisor/types.h>

#define RV_S2_GPA_BITS 41
#define RV_S2_ROOT_PAGES 4

/** @name PTE bits (4.4.1 "Sv39 page table entry") @{ */
#define RV_PTE_V (1ULL << 0)
#define RV_PTE_R (1ULL << 1)
#define RV_PTE_W (1ULL << 2)
#define RV_PTE_X (1ULL << 3)
#define RV_PTE_U (1ULL << 4)
#define RV_PTE_G (1ULL << 5)
#define RV_PTE_A (1ULL << 6)
#define RV_PTE_D (1ULL << 7)
#define RV_PTE_PPN_SHIFT 10
#define RV_PTE_PPN_MASK (((1ULL << 44) - 1) << RV_PTE_PPN_SHIFT)
#define RV_PTE_PBMT_IO (2ULL << 61) /**< Svpbmt: non-cacheable, strongly ordered I/O */
/** @} */

/** hgatp.MODE for Sv39x4 (8.2.10) */
#define RV_HGATP_MODE_SV39X4 8ULL

#endif
