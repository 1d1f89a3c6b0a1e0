/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_mmio.h
 * @brief The virtio-mmio transport (virtio 1.2, 4.2; register layout
 *        version 2, no legacy devices): a device on the VM's bus whose
 *        registers the driver uses to find, configure and notify a
 *        virtio device, and the interrupt it raises.
 *
 * A device type (virtio-blk, ...) fills a struct virtio_model and creates
 * its transport with virtio_mmio_create(); the transport owns the
 * registers, the feature negotiation, the queues' configuration, the
 * status and the interrupt, and calls the model back to read its
 * configuration space, to serve a notified queue and on reset.
 * docs/virtio.md describes it with the registers' offsets.
 */
#ifndef CVISOR_VIRTIO_MMIO_H
#define CVISOR_VIRTIO_MMIO_H

#include "devbus.h"
#include "virtqueue.h"

/** Bytes of a virtio-mmio window: the registers and a configuration space from 0x100. */
#define VIRTIO_MMIO_SIZE 0x200
/** Queues one transport offers at most. */
#define VIRTIO_MMIO_MAX_QUEUES 4

/** Device status bits (2.1). */
enum {
	VIRTIO_STATUS_ACKNOWLEDGE = 1,
	VIRTIO_STATUS_DRIVER = 2,
	VIRTIO_STATUS_DRIVER_OK = 4,
	VIRTIO_STATUS_FEATURES_OK = 8,
	VIRTIO_STATUS_NEEDS_RESET = 64, /**< DEVICE_NEEDS_RESET: the device gave up */
	VIRTIO_STATUS_FAILED = 128,
};

/** InterruptStatus bits (4.2.2). */
enum { VIRTIO_INT_USED = 1, VIRTIO_INT_CONFIG = 2 };

/** VIRTIO_F_VERSION_1 (6): a virtio 1.x device; a driver that does not accept it is refused. */
#define VIRTIO_F_VERSION_1 (1ULL << 32)
/** VIRTIO_F_INDIRECT_DESC (6): descriptors may point to a table of descriptors (2.7.5.3). */
#define VIRTIO_F_INDIRECT_DESC (1ULL << 28)

struct virtio_mmio;

/** What a device type tells the transport, and what the transport calls. */
struct virtio_model {
	const char *name;  /**< for messages ("virtio-blk") */
	uint32_t device_id; /**< DeviceID (5 "Device Types": 2 for a block device) */
	unsigned nqueues;  /**< its queues, at most VIRTIO_MMIO_MAX_QUEUES */
	/**
	 * Reads size bytes at offset of the configuration space into *val (0
	 * past its end; virtio_config_bytes()). NULL: no configuration space,
	 * every byte reads as 0.
	 */
	void (*config_read)(struct virtio_mmio *t, uint64_t offset, unsigned size, uint64_t *val);
	/** Serves queue (ready, DRIVER_OK set); the device's lock is held. */
	void (*notify)(struct virtio_mmio *t, unsigned queue);
	/**
	 * Takes what arrived for the device from outside its VM (console
	 * input, frames from the switch) after virtio_mmio_input(); the
	 * device's lock is held, DRIVER_OK is set and DEVICE_NEEDS_RESET is
	 * not. May be NULL.
	 */
	void (*input)(struct virtio_mmio *t);
	/** The driver reset the device (Status 0); the device's lock is held. May be NULL. */
	void (*reset)(struct virtio_mmio *t);
	/** Releases the model's state (may be NULL). */
	void (*destroy)(struct virtio_mmio *t);
};

/** A virtio-mmio transport and the device behind it. */
struct virtio_mmio {
	const struct virtio_model *model; /**< the device type */
	void *priv;                       /**< the device type's state */
	struct vm *vm;                    /**< owning VM: its RAM holds the queues */
	struct device *dev;               /**< its device on the bus */
	unsigned irq;                     /**< its interrupt line (vm_irq_set()) */
	uint64_t features;                /**< DeviceFeatures, the transport's included */
	uint64_t driver_features;         /**< DriverFeatures as written */
	uint32_t features_sel;            /**< DeviceFeaturesSel */
	uint32_t driver_features_sel;     /**< DriverFeaturesSel */
	uint32_t queue_sel;               /**< QueueSel */
	uint32_t status;                  /**< Status */
	uint32_t int_status;              /**< InterruptStatus */
	uint32_t config_generation;       /**< ConfigGeneration */
	struct virtq queues[VIRTIO_MMIO_MAX_QUEUES]; /**< as configured by the driver */
	struct virtq_chain chain;         /**< the chain being served (too big for a stack) */
	bool busy;                        /**< the lock: vCPUs of one VM may access it at once */
	bool input_pending;               /**< virtio_mmio_input() was called: model->input is due */
	unsigned errors;                  /**< rules the driver broke (DEVICE_NEEDS_RESET) */
	unsigned warnings;                /**< warnings about the driver, the first few logged */
};

/**
 * Creates a virtio-mmio transport for model at [base, base+VIRTIO_MMIO_SIZE)
 * of vm, offering features (besides VIRTIO_F_VERSION_1 and
 * VIRTIO_F_INDIRECT_DESC, which the transport offers), interrupting on
 * line irq, with model state priv. Returns its device, or NULL if out of memory.
 */
struct device *virtio_mmio_create(struct vm *vm, gpa_t base, const struct virtio_model *model,
				  uint64_t features, unsigned irq, void *priv);
/** The emu_devices entry of vm's config at base (the device being created), or NULL. */
const struct cfg_emu_device *virtio_mmio_config_entry(const struct vm *vm, gpa_t base);
/** The transport of dev, or NULL if dev is not a virtio-mmio device. */
struct virtio_mmio *virtio_mmio_from_device(const struct device *dev);
/**
 * Puts the device in DEVICE_NEEDS_RESET after the driver broke a rule
 * (2.1.2): status bit 6, a configuration-change interrupt if DRIVER_OK
 * is set, and a warning naming why. The device serves nothing more until
 * the driver resets it.
 */
void virtio_mmio_fail(struct virtio_mmio *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/**
 * Serves every chain the driver made available in queue, in order: each is
 * taken into t->chain and given to serve(), which returns it in the used
 * ring, or returns false after virtio_mmio_fail() (nothing more is taken).
 * Then the used-buffer interrupt if any was returned, and
 * DEVICE_NEEDS_RESET if the ring broke a rule (virtq_pop()).
 */
void virtio_mmio_serve(struct virtio_mmio *t, unsigned queue,
		       bool (*serve)(struct virtio_mmio *t, struct virtq *q));
/**
 * Logs a warning about what the driver did, naming the VM and the device:
 * the device's first 8 (the transport's own included), later ones only
 * counted (t->warnings), since a driver can repeat a mistake forever.
 */
void virtio_mmio_warn(struct virtio_mmio *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/**
 * The little-endian value of size bytes at offset of a configuration
 * space of len bytes (space), bytes past its end reading as 0: what a
 * model's config_read returns.
 */
uint64_t virtio_config_bytes(const uint8_t *space, size_t len, uint64_t offset, unsigned size);
/** Raises the used-buffer interrupt (InterruptStatus bit 0) unless the driver suppressed it for queue. */
void virtio_mmio_used(struct virtio_mmio *t, unsigned queue);
/**
 * Asks for the model's input callback: at once if the device is free, or
 * else by whoever holds its lock, when it lets go. Never waits, so it may
 * be called from any thread, holding another device's lock (the switch
 * between virtio-net devices does). Ignored until the driver sets
 * DRIVER_OK, and while the device needs a reset.
 */
void virtio_mmio_input(struct virtio_mmio *t);
/** The level of the device's interrupt line: InterruptStatus is not 0. */
bool virtio_mmio_irq_level(const struct virtio_mmio *t);

#endif
