/* SPDX-License-Identifier: MIT */
/**
 * @file devbus.c
 * @brief The device bus: which emulated device answers an MMIO access.
 */
#include <cvisor/devbus.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>

int devbus_add(struct devbus *bus, struct device *dev)
{
	if (!dev || !dev->ops || dev->size == 0 || dev->base + dev->size < dev->base)
		return -CV_EINVAL;
	if (bus->ndevs >= DEVBUS_MAX_DEVICES)
		return -CV_ENOMEM;
	for (unsigned i = 0; i < bus->ndevs; i++) {
		const struct device *d = bus->devs[i];
		if (dev->base < d->base + d->size && d->base < dev->base + dev->size)
			return -CV_EOVERLAP;
	}
	bus->devs[bus->ndevs++] = dev;
	return 0;
}

struct device *devbus_find(const struct devbus *bus, gpa_t gpa)
{
	for (unsigned i = 0; i < bus->ndevs; i++) {
		struct device *d = bus->devs[i];
		if (gpa >= d->base && gpa - d->base < d->size)
			return d;
	}
	return NULL;
}

int devbus_access(const struct devbus *bus, gpa_t gpa, unsigned size, bool write, uint64_t *val)
{
	struct device *d = devbus_find(bus, gpa);

	if (!d || size == 0 || size > 8 || size > d->size - (gpa - d->base))
		return -CV_ENOENT;
	uint64_t off = gpa - d->base;
	if (write) {
		if (!d->ops->write)
			return -CV_EPERM;
		uint64_t v = size == 8 ? *val : *val & ((1ULL << (size * 8)) - 1);
		return d->ops->write(d, off, size, v);
	}
	if (!d->ops->read)
		return -CV_EPERM;
	uint64_t v = 0;
	int rc = d->ops->read(d, off, size, &v);
	if (rc == 0)
		*val = size == 8 ? v : v & ((1ULL << (size * 8)) - 1);
	return rc;
}

void devbus_destroy(struct devbus *bus)
{
	for (unsigned i = 0; i < bus->ndevs; i++) {
		struct device *d = bus->devs[i];
		if (d->ops->destroy)
			d->ops->destroy(d);
		hal_free(d);
		bus->devs[i] = NULL;
	}
	bus->ndevs = 0;
}
