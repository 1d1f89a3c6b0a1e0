/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.h
 * @brief Intel EPT (Extended Page Tables): entry bits and the EPT pointer
 *        (SDM Vol. 3C, 29.3.2 "EPT Translation Mechanism", tables 29-1 to
 *        29-6, and 25.6.11 "Extended-Page-Table Pointer").
 *
 * Four levels with 4 KiB tables of 512 entries: PML4 (the core's level 0),
 * PDPT (level 1, may map 1 GiB), PD (level 2, may map 2 MiB), PT (level 3,
 * 4 KiB pages); 48-bit guest physical addresses.
 */
#ifndef ARCH_X86_64_STAGE2_H
#define ARCH_X86_64_STAGE2_H

#define EPT_R (1ULL << 0)
#define EPT_W (1ULL << 1)
#define EPT_X (1ULL << 2)        /**< supervisor-mode execute */
#define EPT_MT_SHIFT 3           /**< leaf memory type, bits 5:3 */
#define EPT_MT_UC 0ULL
#define EPT_MT_WB 6ULL
#define EPT_IGNORE_PAT (1ULL << 6)
#define EPT_LARGE (1ULL << 7)    /**< PDPTE/PDE maps a 1 GiB/2 MiB page */
#define EPT_ACCESSED (1ULL << 8)
#define EPT_DIRTY (1ULL << 9)
#define EPT_ADDR_MASK 0x000ffffffffff000ULL /**< bits 51:12 */

/** EPTP: write-back paging structures, a 4-level walk (length - 1 = 3), A/D flags on. */
#define EPTP_WB 6ULL
#define EPTP_WALK_4 (3ULL << 3)
#define EPTP_AD (1ULL << 6)

#endif
