/* SPDX-License-Identifier: MIT */
/**
 * @file virtqueue.h
 * @brief Split virtqueues (virtio 1.2, 2.7): the rings a driver shares
 *        with a device in guest memory, read and written only through
 *        the address-space API.
 *
 * A split virtqueue of queue size N is three areas of guest RAM:
 *
 *   descriptor table  N x { le64 addr; le32 len; le16 flags; le16 next; }  16-byte aligned
 *   available ring    le16 flags; le16 idx; le16 ring[N]; le16 used_event   2-byte aligned
 *   used ring         le16 flags; le16 idx; { le32 id; le32 len; } ring[N];
 *                     le16 avail_event                                       4-byte aligned
 *
 * The driver puts the head of a descriptor chain in the available ring and
 * advances its idx; the device takes chains in order, and returns each in
 * the used ring with the bytes it wrote. Everything a driver wrote is
 * checked before it is used: a head or next index below its table's size,
 * a chain of at most N buffers (so a loop ends), at most one indirect table
 * and only if negotiated, every buffer inside one RAM region
 * (never a device window, never outside the VM), the device-readable
 * buffers before the device-writable ones (2.7.4.2). A ring that breaks a
 * rule is the driver's fault: the caller puts the device in
 * DEVICE_NEEDS_RESET.
 */
#ifndef CVISOR_VIRTQUEUE_H
#define CVISOR_VIRTQUEUE_H

#include "addrspace.h"
#include "types.h"

/** Largest queue size cvisor offers (QueueNumMax), and so the most buffers of a chain. */
#define VIRTQ_MAX_SIZE 128

/** Descriptor flags (2.7.5). */
enum {
	VIRTQ_DESC_F_NEXT = 1,     /**< the chain goes on at next */
	VIRTQ_DESC_F_WRITE = 2,    /**< the device writes the buffer (else it reads it) */
	VIRTQ_DESC_F_INDIRECT = 4, /**< the buffer is a table of descriptors (2.7.5.3) */
};
/** Available ring flag (2.7.7): the driver asks for no used-buffer interrupt. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

/** One queue as the driver configured it through the transport. */
struct virtq {
	uint16_t num;        /**< queue size (QueueNum), a power of 2 */
	bool ready;          /**< QueueReady: the device may use it */
	gpa_t desc;          /**< the descriptor table (QueueDesc) */
	gpa_t avail;         /**< the available ring (QueueDriver) */
	gpa_t used;          /**< the used ring (QueueDevice) */
	uint16_t last_avail; /**< the next available-ring entry the device takes */
	uint16_t used_idx;   /**< the used ring's idx as the device last wrote it */
	bool indirect;       /**< VIRTIO_F_INDIRECT_DESC was negotiated: indirect tables allowed */
};

/** One buffer of a chain, checked to lie in guest RAM. */
struct virtq_buf {
	gpa_t addr;   /**< first guest physical address */
	uint32_t len; /**< bytes */
};

/** A descriptor chain taken from the available ring. */
struct virtq_chain {
	uint16_t head;                         /**< its first descriptor: the used ring's id */
	unsigned nout;                         /**< device-readable buffers, out[0..nout) */
	unsigned nin;                          /**< device-writable buffers, in[0..nin) */
	uint64_t out_len;                      /**< bytes of the readable buffers */
	uint64_t in_len;                       /**< bytes of the writable buffers */
	struct virtq_buf out[VIRTQ_MAX_SIZE];  /**< the readable buffers, in order */
	struct virtq_buf in[VIRTQ_MAX_SIZE];   /**< the writable buffers, in order */
};

/** Why a ring was refused (virtq_error_name()). */
enum virtq_error {
	VIRTQ_OK = 0,
	VIRTQ_E_RING,      /**< a ring is not in RAM */
	VIRTQ_E_AVAIL_IDX, /**< the available idx ran more than N ahead */
	VIRTQ_E_INDEX,     /**< a head or next index is N or more */
	VIRTQ_E_LOOP,      /**< a chain of more than N descriptors (a loop) */
	VIRTQ_E_INDIRECT,  /**< an indirect descriptor not negotiated, nested, with NEXT, or of a bad length */
	VIRTQ_E_BUFFER,    /**< a buffer outside RAM, or in a device window */
	VIRTQ_E_ORDER,     /**< a readable buffer after a writable one */
};

/** "ring not in RAM", "descriptor loop", ... */
const char *virtq_error_name(enum virtq_error e);

/**
 * Checks that q's three areas for its size lie in guest RAM and are aligned
 * as 2.7 asks. Returns VIRTQ_OK or VIRTQ_E_RING.
 */
enum virtq_error virtq_check_rings(const struct addrspace *as, const struct virtq *q);

/**
 * Takes the next chain from q's available ring into *c. Returns 1 with *c
 * filled, 0 if the ring is empty, or -(enum virtq_error) if the driver
 * broke a rule (nothing taken).
 */
int virtq_pop(const struct addrspace *as, struct virtq *q, struct virtq_chain *c);

/**
 * Returns chain head to the driver in q's used ring with written bytes
 * written, and publishes it (used idx, after the element: 2.7.8.2).
 * Returns 0 or -CV_EFAULT.
 */
int virtq_push(struct addrspace *as, struct virtq *q, uint16_t head, uint32_t written);

/** True if the driver asked for no interrupt on used buffers (VIRTQ_AVAIL_F_NO_INTERRUPT). */
bool virtq_no_interrupt(const struct addrspace *as, const struct virtq *q);

/**
 * Copies len bytes from offset of the chain's readable buffers (taken as one
 * run of bytes) into buf. Returns 0, or -CV_ERANGE past their end.
 */
int virtq_chain_read(const struct addrspace *as, const struct virtq_chain *c, uint64_t offset,
		     void *buf, uint64_t len);
/** Copies len bytes of buf to offset of the chain's writable buffers; as virtq_chain_read(). */
int virtq_chain_write(struct addrspace *as, const struct virtq_chain *c, uint64_t offset,
		      const void *buf, uint64_t len);

#endif
