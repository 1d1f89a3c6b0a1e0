/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_rng.h
 * @brief An entropy device (virtio 1.2, 5.4) on the virtio-mmio
 *        transport, fed by hal_random().
 */
#ifndef CVISOR_VIRTIO_RNG_H
#define CVISOR_VIRTIO_RNG_H

#include "devbus.h"

/** Random bytes the device puts in one chain at most (a larger chain gets this many). */
#define VIRTIO_RNG_MAX_FILL 65536u

/**
 * Creates the virtio-rng device of vm's emu_devices entry at base (its
 * irq; its config list empty). Returns the device, or NULL after logging why.
 */
struct device *virtio_rng_create(struct vm *vm, gpa_t base, uint64_t size);

#endif
