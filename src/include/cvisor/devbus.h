/* SPDX-License-Identifier: MIT */
/**
 * @file devbus.h
 * @brief The device bus: MMIO ranges to emulated devices (axdevice).
 */
#ifndef CVISOR_DEVBUS_H
#define CVISOR_DEVBUS_H

#include "types.h"

#define DEVBUS_MAX_DEVICES 32 /**< devices on one bus */

struct device;

/** What an emulated device does. offset is relative to the device's base. */
struct device_ops {
	/** Reads size bytes at offset into *val. Returns 0 or a negative cv_err. */
	int (*read)(struct device *dev, uint64_t offset, unsigned size, uint64_t *val);
	/** Writes size bytes of val at offset. Returns 0 or a negative cv_err. */
	int (*write)(struct device *dev, uint64_t offset, unsigned size, uint64_t val);
	/** Releases the device's state (may be NULL). */
	void (*destroy)(struct device *dev);
	/** Console input has arrived for the device's VM (may be NULL; any thread). */
	void (*input)(struct device *dev);
};

/** An emulated device on the bus. */
struct device {
	char name[32];                /**< for logs, traces and the Devicetree node */
	gpa_t base;                   /**< first guest physical address (or port) */
	uint64_t size;                /**< bytes (or ports) of its window */
	const struct device_ops *ops; /**< its model */
	void *priv;       /**< the device's own state */
	struct vm *vm;    /**< owning VM */
	bool port_io;     /**< on the I/O port bus (x86), base and size in ports */
	bool own_reg;     /**< fdt_arch_device_node() writes its node's reg (several ranges) */
};

/** The devices of one VM, found by address. */
struct devbus {
	struct device *devs[DEVBUS_MAX_DEVICES]; /**< in the order added; ranges do not overlap */
	unsigned ndevs;                          /**< entries of devs used */
};

/** Adds dev to the bus. Returns 0, -CV_EOVERLAP or -CV_ENOMEM (bus full). */
int devbus_add(struct devbus *bus, struct device *dev);
/** The device whose range holds gpa, or NULL. */
struct device *devbus_find(const struct devbus *bus, gpa_t gpa);
/**
 * Performs one access. Returns 0, -CV_ENOENT if no device covers
 * [gpa, gpa+size), or the device's error.
 */
int devbus_access(const struct devbus *bus, gpa_t gpa, unsigned size, bool write, uint64_t *val);
/** Destroys every device and empties the bus. */
void devbus_destroy(struct devbus *bus);

#endif
