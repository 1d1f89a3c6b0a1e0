/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_net.h
 * @brief A virtio network device (virtio 1.2, 5.1) on the virtio-mmio
 *        transport, a port of the run's virtual switch (vswitch.h).
 */
#ifndef CVISOR_VIRTIO_NET_H
#define CVISOR_VIRTIO_NET_H

#include "devbus.h"
#include "vswitch.h"

/** Bytes of struct virtio_net_hdr before every frame, in both directions (5.1.6). */
#define VIRTIO_NET_HDR_SIZE 12

/**
 * Creates the virtio-net device of vm's emu_devices entry at base (its
 * irq; its config list: [] for the address 52:54:00:c5:ID:N, ID the low
 * byte of the VM's id and N the entry's rank among the VM's virtio-net
 * entries; [b] for 52:54:00:c5:ID:b; six bytes for a whole address, a
 * unicast one) and its port on the switch. Returns the device, or NULL
 * after logging why (a bad config list, an address already on the switch,
 * out of memory).
 */
struct device *virtio_net_create(struct vm *vm, gpa_t base, uint64_t size);

/**
 * If dev is a virtio-net device: writes its address and its port's
 * counters to line as "virtio-net 52:54:00:c5:01:00 sent=N delivered=N
 * dropped=N" and returns true; else false. For the HAL's statistics at
 * the end of a run.
 */
bool virtio_net_stats(const struct device *dev, char *line, size_t size);

#endif
