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
/**
 * After a guest's read at offset of a flash device (any other device: nothing
 * happens): maps the block read into the VM's stage 2, read-only, if its
 * bank is in read-array mode, so that the guest's next reads of it take no
 * exit; the next write to the bank unmaps it again. For a HAL whose guests
 * access memory through stage 2 itself (the bare build); the simulator's
 * Unicorn does not map device windows, so it does not call it. Best effort.
 */
void pflash_map_read(struct device *dev, uint64_t offset);
/** Banks of a flash from pflash_create() (for its device tree node's reg). */
unsigned pflash_banks(const struct device *dev);

#endif
