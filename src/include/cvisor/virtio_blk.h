/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_blk.h
 * @brief A virtio block device (virtio 1.2, 5.2) on the virtio-mmio
 *        transport, backed by the disk image of the VM's config.
 */
#ifndef CVISOR_VIRTIO_BLK_H
#define CVISOR_VIRTIO_BLK_H

#include "devbus.h"

/** Bytes of a sector: the unit of capacity and of a request's sector number (5.2.6). */
#define VIRTIO_BLK_SECTOR 512u

/**
 * Creates the virtio-blk device of vm's emu_devices entry at base (its
 * irq; its config list [1] for read-only, [] or [0] for read-write) over
 * the file [kernel] disk_path, opened through hal_disk_open(). Returns
 * the device, or NULL after logging why (no disk_path, the file cannot be
 * opened, out of memory).
 */
struct device *virtio_blk_create(struct vm *vm, gpa_t base, uint64_t size);

#endif
