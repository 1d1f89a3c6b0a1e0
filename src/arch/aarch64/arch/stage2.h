/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.h
 * @brief VMSAv8-64 stage-2 translation: descriptor bits and the EL2
 *        registers that describe cvisor's stage-2 tables.
 *
 * cvisor uses the 4 KiB granule and a 40-bit IPA space: VTCR_EL2.T0SZ = 24,
 * a walk starting at level 1 (SL0 = 1) with two concatenated level-1
 * tables as the root (ARM ARM D8.2 "Translation table walk", table D8-12:
 * 40-bit IPA, 4 KiB granule -> start level 1, 2 concatenated tables).
 */
#ifndef ARCH_AARCH64_STAGE2_H
#define ARCH_AARCH64_STAGE2_H

#include <cvisor/types.h>

/** Input address bits (IPA size). */
#define A64_S2_IPA_BITS 40
/** T0SZ for that size: 64 - 40. */
#define A64_S2_T0SZ (64 - A64_S2_IPA_BITS)
#define A64_S2_START_LEVEL 1
#define A64_S2_ROOT_PAGES 2

/** @name Stage-2 descriptor fields (ARM ARM D8.3 "Translation table descriptor formats") @{ */
#define A64_S2D_VALID (1ULL << 0)
#define A64_S2D_TYPE_TABLE (1ULL << 1)     /**< levels 0-2: table; level 3: page */
#define A64_S2D_MEMATTR_SHIFT 2            /**< MemAttr[3:0], bits [5:2] */
#define A64_S2D_MEMATTR_MASK (0xfULL << 2)
#define A64_S2D_MEMATTR_DEVICE_nGnRE (0x1ULL << 2)
#define A64_S2D_MEMATTR_NORMAL_WB (0xfULL << 2) /**< Outer and Inner Write-Back Cacheable */
#define A64_S2D_S2AP_R (1ULL << 6)         /**< S2AP[0]: read allowed */
#define A64_S2D_S2AP_W (1ULL << 7)         /**< S2AP[1]: write allowed */
#define A64_S2D_SH_INNER (3ULL << 8)       /**< SH[1:0] = 0b11, Inner Shareable */
#define A64_S2D_AF (1ULL << 10)            /**< Access flag */
#define A64_S2D_XN (1ULL << 54)            /**< XN[1] (XN[1:0] = 0b10): not executable at EL1 or EL0 */
#define A64_S2D_ADDR_MASK 0x0000fffffffff000ULL /**< output address bits [47:12] */
/** @} */

/** @name VTCR_EL2 fields (ARM ARM D17.2.184) @{ */
#define VTCR_T0SZ(n) ((uint64_t)(n) & 0x3f)
#define VTCR_SL0(n) ((uint64_t)(n) << 6)
#define VTCR_IRGN0_WBWA (1ULL << 8)
#define VTCR_ORGN0_WBWA (1ULL << 10)
#define VTCR_SH0_INNER (3ULL << 12)
#define VTCR_TG0_4K (0ULL << 14)
#define VTCR_PS_40BIT (2ULL << 16)
#define VTCR_RES1 (1ULL << 31)
/** @} */

/** VTCR_EL2 for cvisor's stage-2 tables (what the bare HAL writes). */
uint64_t a64_vtcr_el2(void);

#endif
