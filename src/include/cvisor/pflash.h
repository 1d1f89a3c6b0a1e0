/* SPDX-License-Identifier: MIT */
/**
 * @file pflash.h
 * @brief Emulation of a parallel NOR flash with the Intel/Sharp command set
 *        (CFI primary command set 0x0001), laid out as QEMU virt's two banks.
 */
#ifndef CVISOR_PFLASH_H
#define CVISOR_PFLASH_H

#include "devbus.h"

/** Bytes of one bank (one 32-bit wide flash device). */
#define PFLASH_BANK_SIZE (64ULL * 1024 * 1024)
/** Bytes of one erase block (sector). */
#define PFLASH_BLOCK_SIZE (256u * 1024)
/** Bytes of the device's data bus: every bank is one x32 device. */
#define PFLASH_WIDTH 4u
/** Most banks one device window holds (QEMU virt has two). */
#define PFLASH_MAX_BANKS 2u

/**
 * Creates a flash of size / PFLASH_BANK_SIZE banks (at most PFLASH_MAX_BANKS)
 * for the window [base, base+size), every block erased (0xff), unlocked,
 * in read-array mode. The part of the window past the last bank reads as
 * zero and ignores writes. Contents live in host memory only and are lost
 * when the VM ends. NULL if out of memory or size is below one bank.
 */
struct device *pflash_create(struct vm *vm, gpa_t base, uint64_t size);
/** Banks of a flash from pflash_create() (for its device tree node's reg). */
unsigned pflash_banks(const struct device *dev);

#endif
