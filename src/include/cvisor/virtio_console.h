/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_console.h
 * @brief A virtio console (virtio 1.2, 5.3) on the virtio-mmio transport:
 *        the VM's console through a pair of virtqueues.
 */
#ifndef CVISOR_VIRTIO_CONSOLE_H
#define CVISOR_VIRTIO_CONSOLE_H

#include "devbus.h"

/** The console size the device reports (VIRTIO_CONSOLE_F_SIZE, 5.3.4): columns. */
#define VIRTIO_CONSOLE_COLS 80
/** The console size the device reports: rows. */
#define VIRTIO_CONSOLE_ROWS 25

/**
 * Creates the virtio-console device of vm's emu_devices entry at base
 * (its irq; its config list empty). What the driver transmits goes to the
 * VM's console; the VM's console input fills the driver's receive
 * buffers, and is the device's alone once the driver has given it some
 * (vm_console_claim()). Returns the device, or NULL after logging why.
 */
struct device *virtio_console_create(struct vm *vm, gpa_t base, uint64_t size);

#endif
