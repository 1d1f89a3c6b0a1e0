/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_net.c
 * @brief A virtio network device (virtio 1.2, 5.1 "Network Device") on
 *        the virtio-mmio transport, one port of the run's virtual switch
 *        (vswitch.c).
 *
 * Two queues (5.1.2): receiveq1 (0) and transmitq1 (1). Every buffer
 * begins with the 12-byte header of 5.1.6 ("struct virtio_net_hdr" with
 * VIRTIO_F_VERSION_1), then the Ethernet frame without FCS:
 *
 *   u8 flags; u8 gso_type; le16 hdr_len; le16 gso_size;
 *   le16 csum_start; le16 csum_offset; le16 num_buffers;
 *
 * No offload is offered, so a driver's flags and gso_type are 0
 * (VIRTIO_NET_HDR_GSO_NONE); other values are warned about and ignored
 * (the frame is sent as it is). On receive the device writes a header of
 * zeros but num_buffers = 1 (5.1.6.4: one buffer per frame, no
 * VIRTIO_NET_F_MRG_RXBUF).
 *
 *   transmit chain  readable only, the header and a frame of 14 to 1514
 *                   bytes; used with 0 bytes written. Writable buffers, or
 *                   fewer than 12 bytes: DEVICE_NEEDS_RESET. A frame too
 *                   short or too long: warned about, not sent, the chain
 *                   used.
 *   receive chain   writable only (else DEVICE_NEEDS_RESET); the header
 *                   and the frame written, used with their length. A chain
 *                   too small for the frame (5.1.6.3.1 asks for 1526
 *                   bytes): the frame is dropped (counted) and the chain
 *                   used with 0 bytes written, so the driver sees it back.
 *
 * Frames wait in the port's mailbox until the driver has a receive
 * buffer for them: they are taken when the switch wakes the device
 * (model->input) and when the driver adds receive buffers (a notify of
 * receiveq1). They stay across the driver's reset: they are on the wire.
 *
 * Features offered (5.1.3): VIRTIO_NET_F_MAC (the configuration space's
 * mac) and VIRTIO_NET_F_STATUS (its status: VIRTIO_NET_S_LINK_UP, always).
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/virtio_net.h>
#include <cvisor/vm.h>

/* 5.1.3 "Feature bits". */
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define VIRTIO_NET_F_STATUS (1ULL << 16)
/* 5.1.4: the status field's bits. */
#define VIRTIO_NET_S_LINK_UP 1

enum { RECEIVEQ = 0, TRANSMITQ = 1 };

struct vnet {
	struct vswitch_port *port;
	uint8_t mac[VSWITCH_MAC_LEN];
	uint8_t frame[VSWITCH_FRAME_MAX];   /* the frame being sent or received */
};

/*
 * 5.1.4: mac[6] at offset 0, le16 status at 6 (VIRTIO_NET_S_LINK_UP).
 * The fields of features not offered read as 0.
 */
static void config_read(struct virtio_mmio *t, uint64_t offset, unsigned size, uint64_t *val)
{
	const struct vnet *n = t->priv;
	uint8_t space[8] = { 0 };

	memcpy(space, n->mac, VSWITCH_MAC_LEN);
	space[6] = VIRTIO_NET_S_LINK_UP;
	*val = virtio_config_bytes(space, sizeof(space), offset, size);
}

/*
 * Sends the frame of the transmit chain in t->chain, if it is one.
 * Returns false if the driver broke a rule (the device failed).
 */
static bool transmit_one(struct virtio_mmio *t, struct virtq *q)
{
	struct vnet *n = t->priv;
	const struct virtq_chain *c = &t->chain;
	uint8_t h[VIRTIO_NET_HDR_SIZE];

	if (c->nin || c->out_len < VIRTIO_NET_HDR_SIZE ||
	    virtq_chain_read(&t->vm->as, c, 0, h, sizeof(h)) < 0) {
		virtio_mmio_fail(t, "transmit chain %u: %llu readable and %llu writable bytes, "
				 "not a header and a frame", c->head,
				 (unsigned long long)c->out_len, (unsigned long long)c->in_len);
		return false;
	}
	if (h[0] || h[1])
		virtio_mmio_warn(t, "transmit chain %u: header flags 0x%x, gso_type %u: no offload was "
		     "offered, ignored", c->head, h[0], h[1]);
	uint64_t len = c->out_len - VIRTIO_NET_HDR_SIZE;
	if (len < VSWITCH_FRAME_MIN || len > VSWITCH_FRAME_MAX) {
		virtio_mmio_warn(t, "transmit chain %u: a frame of %llu bytes (%u to %u) not sent", c->head,
		     (unsigned long long)len, VSWITCH_FRAME_MIN, VSWITCH_FRAME_MAX);
	} else if (virtq_chain_read(&t->vm->as, c, VIRTIO_NET_HDR_SIZE, n->frame, len) == 0) {
		vswitch_send(n->port, n->frame, (size_t)len);
	}
	if (virtq_push(&t->vm->as, q, c->head, 0) < 0) {
		virtio_mmio_fail(t, "transmit chain %u: the used ring could not be written",
				 c->head);
		return false;
	}
	return true;
}

/*
 * Puts the frame of len bytes in n->frame in the receive chain in
 * t->chain: the header, then the frame. Returns 1 if delivered, 0 if the
 * chain was too small (used empty), -1 if the driver broke a rule.
 */
static int receive_one(struct virtio_mmio *t, struct vnet *n, size_t len)
{
	const struct virtq_chain *c = &t->chain;
	/* 5.1.6.4: no offload, VIRTIO_NET_HDR_GSO_NONE; num_buffers (le16 at 10) = 1. */
	static const uint8_t h[VIRTIO_NET_HDR_SIZE] = { [10] = 1 };
	uint32_t written = 0;
	int delivered = 0;

	if (c->nout) {
		virtio_mmio_fail(t, "receive chain %u: %u device-readable buffers", c->head,
				 c->nout);
		return -1;
	}
	if (c->in_len < VIRTIO_NET_HDR_SIZE + len) {
		virtio_mmio_warn(t, "receive chain %u: %llu bytes, too small for a frame of %llu bytes and the "
		     "header: frame dropped", c->head, (unsigned long long)c->in_len,
		     (unsigned long long)len);
	} else if (virtq_chain_write(&t->vm->as, c, 0, h, sizeof(h)) < 0 ||
		   virtq_chain_write(&t->vm->as, c, VIRTIO_NET_HDR_SIZE, n->frame, len) < 0) {
		virtio_mmio_fail(t, "receive chain %u could not be written", c->head);
		return -1;
	} else {
		written = (uint32_t)(VIRTIO_NET_HDR_SIZE + len);
		delivered = 1;
	}
	if (virtq_push(&t->vm->as, &t->queues[RECEIVEQ], c->head, written) < 0) {
		virtio_mmio_fail(t, "receive chain %u: the used ring could not be written",
				 c->head);
		return -1;
	}
	return delivered;
}

/*
 * Moves the frames of the port's mailbox into the driver's receive
 * buffers, as long as there are both. A frame stays in the mailbox until
 * a chain takes it.
 */
static void receive(struct virtio_mmio *t)
{
	struct vnet *n = t->priv;
	struct virtq *q = &t->queues[RECEIVEQ];
	bool used = false;
	size_t len;
	int rc = 0;

	if (!q->ready)
		return;
	while ((len = vswitch_peek(n->port, n->frame)) > 0) {
		rc = virtq_pop(&t->vm->as, q, &t->chain);
		if (rc <= 0)
			break;
		int r = receive_one(t, n, len);
		if (r < 0)
			return;
		vswitch_consume(n->port, r == 1);
		used = true;
	}
	if (used)
		virtio_mmio_used(t, RECEIVEQ);
	if (rc < 0)
		virtio_mmio_fail(t, "queue %u: %s", RECEIVEQ,
				 virtq_error_name((enum virtq_error)-rc));
}

static void notify(struct virtio_mmio *t, unsigned queue)
{
	if (queue == TRANSMITQ)
		virtio_mmio_serve(t, TRANSMITQ, transmit_one); /* every chain available */
	else
		receive(t);
}

/* The switch put frames in the port's mailbox (vswitch_send()): ask for model->input. */
static void wake(void *ctx)
{
	virtio_mmio_input(ctx);
}

static void destroy(struct virtio_mmio *t)
{
	struct vnet *n = t->priv;
	char line[120];

	if (!n)
		return;
	if (n->port && virtio_net_stats(t->dev, line, sizeof(line)))
		log_info("%s: %s", t->vm->name, line);
	vswitch_port_remove(n->port);
	hal_free(n);
}

static const struct virtio_model net_model = {
	.name = "virtio-net",
	.device_id = 1,
	.nqueues = 2,
	.config_read = config_read,
	.notify = notify,
	.input = receive,
	.destroy = destroy,
};

/*
 * The device's address from its config list e (virtio_net_create()); it
 * is the VM's rank-th virtio-net entry. Returns false after logging why
 * the list is wrong.
 */
static bool config_mac(const struct vm *vm, const struct cfg_emu_device *e, unsigned rank,
		       uint8_t *mac)
{
	const uint8_t prefix[4] = { 0x52, 0x54, 0x00, 0xc5 };

	memcpy(mac, prefix, sizeof(prefix));
	mac[4] = (uint8_t)vm->id;
	mac[5] = (uint8_t)rank;
	if (e->ncfg == 1 && e->cfg[0] <= 0xff) {
		mac[5] = (uint8_t)e->cfg[0];
	} else if (e->ncfg == VSWITCH_MAC_LEN) {
		bool zero = true;
		for (unsigned i = 0; i < VSWITCH_MAC_LEN; i++) {
			if (e->cfg[i] > 0xff)
				goto bad;
			mac[i] = (uint8_t)e->cfg[i];
			zero = zero && mac[i] == 0;
		}
		if (zero || (mac[0] & 1))
			goto bad; /* not a unicast address */
	} else if (e->ncfg != 0) {
		goto bad;
	}
	return true;
bad:
	log_error("%s: virtio-net at 0x%llx: its config list is [] (address "
		  "52:54:00:c5:<id>:<rank>), [b] (52:54:00:c5:<id>:b, b 0 to 255) or six bytes "
		  "of a unicast address",
		  vm->name, (unsigned long long)e->base);
	return false;
}

struct device *virtio_net_create(struct vm *vm, gpa_t base, uint64_t size)
{
	const struct cfg_emu_device *e = NULL;
	unsigned rank = 0;

	CV_UNUSED(size);
	for (unsigned i = 0; i < vm->cfg.nemu_devices && !e; i++) {
		const struct cfg_emu_device *d = &vm->cfg.emu_devices[i];
		if (d->base == base)
			e = d;
		else if (strcmp(d->name, "virtio-net") == 0)
			rank++;
	}
	if (!e) {
		log_error("%s: virtio-net at 0x%llx: not in emu_devices", vm->name,
			  (unsigned long long)base);
		return NULL;
	}
	struct vnet *n = hal_zalloc(sizeof(*n));
	if (!n)
		return NULL;
	if (!config_mac(vm, e, rank, n->mac))
		goto fail;
	struct device *dev = virtio_mmio_create(vm, base, &net_model,
						VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
						(unsigned)e->irq, n);
	if (!dev)
		goto fail;
	n->port = vswitch_port_add(n->mac, wake, virtio_mmio_from_device(dev));
	if (!n->port) {
		log_error("%s: virtio-net at 0x%llx: no port on the virtual switch (as logged "
			  "above)", vm->name, (unsigned long long)base);
		dev->ops->destroy(dev); /* frees n too */
		hal_free(dev);
		return NULL;
	}
	return dev;
fail:
	hal_free(n);
	return NULL;
}

bool virtio_net_stats(const struct device *dev, char *line, size_t size)
{
	struct virtio_mmio *t = virtio_mmio_from_device(dev);

	if (!t || t->model != &net_model)
		return false;
	const struct vnet *n = t->priv;
	struct vswitch_stats s = vswitch_port_stats(n->port);
	cv_snprintf(line, size,
		    "virtio-net %02x:%02x:%02x:%02x:%02x:%02x sent=%llu delivered=%llu "
		    "dropped=%llu",
		    n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5],
		    (unsigned long long)s.sent, (unsigned long long)s.delivered,
		    (unsigned long long)s.dropped);
	return true;
}
