/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_rng.c
 * @brief An entropy device (virtio 1.2, 5.4 "Entropy Device") on the
 *        virtio-mmio transport.
 *
 * One queue, requestq (0). The driver makes device-writable buffers
 * available; the device fills them with random bytes from hal_random()
 * and returns them with the bytes written (5.4.6.1: one or more). A chain
 * gets at most VIRTIO_RNG_MAX_FILL bytes, so a driver that offers a huge
 * buffer cannot keep its vCPU in the device for long. No features, no
 * configuration space (5.4.3, 5.4.4).
 *
 * A chain with no writable byte cannot be answered (the device must write
 * one byte at least): the driver's fault, DEVICE_NEEDS_RESET. Readable
 * buffers in a chain are ignored.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/virtio_rng.h>
#include <cvisor/vm.h>

/* Random bytes made and copied into guest RAM at a time. */
#define BOUNCE_SIZE 256

struct vrng {
	uint8_t bounce[BOUNCE_SIZE];
};

/*
 * Fills the chain just taken with random bytes, VIRTIO_RNG_MAX_FILL at
 * most. Returns the bytes written, or -1 after failing the device.
 */
static int64_t fill(struct virtio_mmio *t, struct vrng *r)
{
	const struct virtq_chain *c = &t->chain;
	uint64_t len = MIN(c->in_len, (uint64_t)VIRTIO_RNG_MAX_FILL);

	if (len == 0) {
		virtio_mmio_fail(t, "request %u has no writable bytes", c->head);
		return -1;
	}
	for (uint64_t done = 0; done < len;) {
		size_t n = (size_t)MIN(len - done, (uint64_t)BOUNCE_SIZE);
		if (hal_random(r->bounce, n) < 0) {
			virtio_mmio_fail(t, "request %u: no random bytes from the host", c->head);
			return -1;
		}
		if (virtq_chain_write(&t->vm->as, c, done, r->bounce, n) < 0) {
			virtio_mmio_fail(t, "request %u could not be written", c->head);
			return -1;
		}
		done += n;
	}
	return (int64_t)len;
}

/* One chain: filled and returned. */
static bool serve(struct virtio_mmio *t, struct virtq *q)
{
	int64_t n = fill(t, t->priv);

	if (n < 0)
		return false;
	if (virtq_push(&t->vm->as, q, t->chain.head, (uint32_t)n) < 0) {
		virtio_mmio_fail(t, "request %u: the used ring could not be written", t->chain.head);
		return false;
	}
	return true;
}

/* QueueNotify: every chain available is filled and returned. */
static void notify(struct virtio_mmio *t, unsigned queue)
{
	virtio_mmio_serve(t, queue, serve);
}

static void destroy(struct virtio_mmio *t)
{
	hal_free(t->priv);
}

static const struct virtio_model rng_model = {
	.name = "virtio-rng",
	.device_id = 4,
	.nqueues = 1,
	.config_read = NULL, /* no configuration space (5.4.4): it reads as 0 */
	.notify = notify,
	.destroy = destroy,
};

struct device *virtio_rng_create(struct vm *vm, gpa_t base, uint64_t size)
{
	const struct cfg_emu_device *e = virtio_mmio_config_entry(vm, base);

	CV_UNUSED(size);
	if (!e || e->ncfg != 0) {
		log_error("%s: virtio-rng at 0x%llx: its config list is []", vm->name,
			  (unsigned long long)base);
		return NULL;
	}
	struct vrng *r = hal_zalloc(sizeof(*r));
	if (!r)
		return NULL;
	struct device *dev = virtio_mmio_create(vm, base, &rng_model, 0, (unsigned)e->irq, r);
	if (!dev)
		hal_free(r);
	return dev;
}
