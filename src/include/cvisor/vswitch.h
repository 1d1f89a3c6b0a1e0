/* SPDX-License-Identifier: MIT */
/**
 * @file vswitch.h
 * @brief The virtual Ethernet switch between the virtio-net devices of
 *        one cvisor run (docs/virtio.md): a learning switch with one port
 *        per device, each port with a bounded inbound mailbox.
 *
 * There is one switch per cvisor process (per bare image): every VM of
 * the run that has a virtio-net device is on it, and nothing else (no
 * host network). A frame a device sends goes, by its destination MAC
 * address, to the port that address was last seen coming from, or to
 * every other port (broadcast, multicast, an address not yet learned);
 * never back to the port it came from. Frames wait in the receiving
 * port's mailbox until its device drains them into the driver's receive
 * buffers; a full mailbox drops the frame and counts it.
 *
 * The switch has its own spin lock. It is never held while a device's
 * lock is taken: a port is told that frames arrived through its wake
 * callback (virtio_mmio_input(), which never waits) after the switch's
 * lock is released.
 */
#ifndef CVISOR_VSWITCH_H
#define CVISOR_VSWITCH_H

#include "types.h"

/** Ports of the switch: virtio-net devices of the run at most. */
#define VSWITCH_MAX_PORTS 16
/** Frames one port's mailbox holds. */
#define VSWITCH_MAILBOX 64
/** Bytes of the longest frame: destination, source, type and 1500 bytes of payload (no FCS). */
#define VSWITCH_FRAME_MAX 1514
/** Bytes of the shortest frame: the Ethernet header (destination, source, type). */
#define VSWITCH_FRAME_MIN 14
/** Bytes of a MAC address. */
#define VSWITCH_MAC_LEN 6
/** Addresses the switch remembers (the oldest is forgotten first). */
#define VSWITCH_MAX_MACS 64

struct vswitch_port;

/** What one port counted since it was added. */
struct vswitch_stats {
	uint64_t sent;      /**< frames its device gave to the switch */
	uint64_t delivered; /**< frames its device put in the driver's receive buffers */
	/** frames for it lost: its mailbox was full, or a receive buffer was too small */
	uint64_t dropped;
};

/**
 * Adds a port whose device has address mac (a unicast address, copied).
 * wake(ctx) is called, without the switch's lock, after frames were put
 * in its mailbox; it must not wait (virtio_mmio_input()). Returns the
 * port, or NULL if the switch is full, out of memory, or another port
 * has the same address (logged).
 */
struct vswitch_port *vswitch_port_add(const uint8_t mac[VSWITCH_MAC_LEN], void (*wake)(void *ctx),
				      void *ctx);
/**
 * Removes port p: its frames are dropped, the addresses learned on it
 * forgotten. Waits until no sender is still waking it. NULL is allowed.
 */
void vswitch_port_remove(struct vswitch_port *p);

/**
 * Sends frame (len bytes, from VSWITCH_FRAME_MIN to VSWITCH_FRAME_MAX,
 * which the caller checked) from port p: learns its source address,
 * queues it in the destination ports' mailboxes and wakes them.
 * May be called with p's device lock held.
 */
void vswitch_send(struct vswitch_port *p, const uint8_t *frame, size_t len);

/**
 * Copies the oldest frame of p's mailbox into buf (VSWITCH_FRAME_MAX
 * bytes) and returns its length, leaving it there; 0 if the mailbox is
 * empty. Only p's device takes frames from its mailbox.
 */
size_t vswitch_peek(struct vswitch_port *p, uint8_t *buf);
/**
 * Takes the oldest frame out of p's mailbox: delivered (counted as
 * such) or dropped (counted as dropped).
 */
void vswitch_consume(struct vswitch_port *p, bool delivered);

/** p's counters. */
struct vswitch_stats vswitch_port_stats(struct vswitch_port *p);
/** Frames in p's mailbox now. */
unsigned vswitch_pending(struct vswitch_port *p);

/**
 * Forgets every port and learned address (for unit tests, which make
 * and destroy many VMs in one process). Ports still added are leaked,
 * not freed: their devices must be gone.
 */
void vswitch_reset(void);

#endif
