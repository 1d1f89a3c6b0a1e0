/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_console.c
 * @brief A virtio console (virtio 1.2, 5.3 "Console Device") on the
 *        virtio-mmio transport: the VM's console through two queues.
 *
 *   queue 0  receiveq0   the driver's empty buffers (device-writable);
 *                        the device fills them with console input
 *   queue 1  transmitq0  the driver's output (device-readable); the device
 *                        writes it to the VM's console
 *
 * No multiport (VIRTIO_CONSOLE_F_MULTIPORT is not offered), so there are
 * no control queues and no port messages (5.3.6.2). Offered:
 * VIRTIO_CONSOLE_F_SIZE, with a console of VIRTIO_CONSOLE_COLS x
 * VIRTIO_CONSOLE_ROWS in the configuration space (5.3.4: le16 cols,
 * le16 rows, then le32 max_nr_ports and le32 emerg_wr, which read as 0).
 *
 * Transmit: every chain the driver makes available is written out whole,
 * readable buffer after readable buffer, and returned with 0 bytes
 * written. Writable buffers in a transmit chain are not written. The
 * console write happens with the device's lock held (the transport calls
 * notify so): a console that blocks delays only the VM's other vCPUs
 * that touch this device; console input never waits for the lock
 * (virtio_mmio_input()).
 *
 * Receive: a console byte is taken (vm_console_getc()) only when a receive
 * buffer is there to hold it: on a notify of the receive queue (the
 * driver gave buffers) and on console input (the model's input callback).
 * A buffer is returned as soon as the input waiting has been put in it,
 * full or not, with the bytes written, and the used-buffer interrupt
 * raised. At the first notify of the receive queue the device claims the
 * VM's console input (vm_console_claim()): from then on the UART takes
 * none, until the driver resets the device. A receive chain with no
 * writable byte cannot take input: the driver's fault, DEVICE_NEEDS_RESET.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/virtio_console.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/vm.h>

/* 5.3.3 "Feature bits". */
#define VIRTIO_CONSOLE_F_SIZE (1ULL << 0)

enum { RECEIVEQ = 0, TRANSMITQ = 1 };

/* Bytes moved between guest RAM and the console at a time. */
#define BOUNCE_SIZE 256

struct vcons {
	int held; /* a console byte taken but not yet delivered, or -1 */
	uint8_t bounce[BOUNCE_SIZE];
};

/* 5.3.4: le16 cols at 0, le16 rows at 2; max_nr_ports and emerg_wr (not offered) read as 0. */
static void config_read(struct virtio_mmio *t, uint64_t offset, unsigned size, uint64_t *val)
{
	const uint8_t space[4] = { VIRTIO_CONSOLE_COLS & 0xff, VIRTIO_CONSOLE_COLS >> 8,
				   VIRTIO_CONSOLE_ROWS & 0xff, VIRTIO_CONSOLE_ROWS >> 8 };

	CV_UNUSED(t);
	*val = virtio_config_bytes(space, sizeof(space), offset, size);
}

/* The next console byte for the device: the one held back first. -1 if none. */
static int next_byte(struct virtio_mmio *t, struct vcons *c)
{
	int b = c->held;

	if (b >= 0) {
		c->held = -1;
		return b;
	}
	return vm_console_getc(t->vm, t->dev);
}

/*
 * Fills the chain just taken with the waiting console input, starting
 * with b (the byte that made us take it). A byte is taken from the console
 * only while the chain has room for it. Returns the bytes written, or -1
 * if the chain could not be written (the device failed).
 */
static int64_t fill_chain(struct virtio_mmio *t, struct vcons *c, int b)
{
	const struct virtq_chain *ch = &t->chain;
	uint64_t done = 0;

	while (b >= 0) {
		size_t room = (size_t)MIN(ch->in_len - done, (uint64_t)BOUNCE_SIZE);
		size_t n = 0;
		while (b >= 0 && n < room) {
			c->bounce[n++] = (uint8_t)b;
			b = done + n < ch->in_len ? next_byte(t, c) : -1;
		}
		if (virtq_chain_write(&t->vm->as, ch, done, c->bounce, n) < 0) {
			virtio_mmio_fail(t, "receive buffer %u could not be written", ch->head);
			return -1;
		}
		done += n;
	}
	return (int64_t)done;
}

/*
 * Moves the waiting console input into the driver's receive buffers, one
 * chain per call of the loop, while both last. Raises the used-buffer
 * interrupt if a buffer was returned.
 */
static void receive(struct virtio_mmio *t)
{
	struct vcons *c = t->priv;
	struct virtq *q = &t->queues[RECEIVEQ];
	bool used = false;

	while (q->ready) {
		int b = next_byte(t, c);
		if (b < 0)
			break;
		int rc = virtq_pop(&t->vm->as, q, &t->chain);
		if (rc <= 0) {
			c->held = b; /* no buffer: kept for the next one */
			if (rc < 0)
				virtio_mmio_fail(t, "queue %u: %s", RECEIVEQ,
						 virtq_error_name((enum virtq_error)-rc));
			break;
		}
		if (t->chain.in_len == 0) {
			c->held = b;
			virtio_mmio_fail(t, "receive buffer %u has no writable bytes",
					 t->chain.head);
			break;
		}
		int64_t n = fill_chain(t, c, b);
		if (n < 0)
			break;
		if (virtq_push(&t->vm->as, q, t->chain.head, (uint32_t)n) < 0) {
			virtio_mmio_fail(t, "receive buffer %u: the used ring could not be written",
					 t->chain.head);
			break;
		}
		used = true;
	}
	if (used)
		virtio_mmio_used(t, RECEIVEQ);
}

/* Writes the readable bytes of the chain just taken to the VM's console. Returns 0 or -1. */
static int transmit_chain(struct virtio_mmio *t, struct vcons *c)
{
	const struct virtq_chain *ch = &t->chain;

	for (uint64_t done = 0; done < ch->out_len;) {
		size_t n = (size_t)MIN(ch->out_len - done, (uint64_t)BOUNCE_SIZE);
		if (virtq_chain_read(&t->vm->as, ch, done, c->bounce, n) < 0)
			return -1;
		hal_console_write(t->vm, (const char *)c->bounce, n);
		done += n;
	}
	return 0;
}

/* One chain of the transmit queue: written out and returned. */
static bool transmit_one(struct virtio_mmio *t, struct virtq *q)
{
	if (transmit_chain(t, t->priv) < 0 || virtq_push(&t->vm->as, q, t->chain.head, 0) < 0) {
		virtio_mmio_fail(t, "transmit buffer %u could not be read or returned", t->chain.head);
		return false;
	}
	return true;
}

static void notify(struct virtio_mmio *t, unsigned queue)
{
	if (queue == TRANSMITQ) {
		virtio_mmio_serve(t, TRANSMITQ, transmit_one); /* every chain available */
		return;
	}
	/* The driver has receive buffers: the console input is ours. */
	vm_console_claim(t->vm, t->dev, true);
	receive(t);
}

/* Console input arrived (or was pending when the lock was let go). */
static void input(struct virtio_mmio *t)
{
	receive(t);
}

/* Status 0: the console input goes back to every device; a held byte waits for the next driver. */
static void reset(struct virtio_mmio *t)
{
	vm_console_claim(t->vm, t->dev, false);
}

static void destroy(struct virtio_mmio *t)
{
	vm_console_claim(t->vm, t->dev, false);
	hal_free(t->priv);
}

static const struct virtio_model console_model = {
	.name = "virtio-console",
	.device_id = 3,
	.nqueues = 2,
	.config_read = config_read,
	.notify = notify,
	.input = input,
	.reset = reset,
	.destroy = destroy,
};

struct device *virtio_console_create(struct vm *vm, gpa_t base, uint64_t size)
{
	const struct cfg_emu_device *e = virtio_mmio_config_entry(vm, base);

	CV_UNUSED(size);
	if (!e || e->ncfg != 0) {
		log_error("%s: virtio-console at 0x%llx: its config list is []", vm->name,
			  (unsigned long long)base);
		return NULL;
	}
	struct vcons *c = hal_zalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->held = -1;
	struct device *dev = virtio_mmio_create(vm, base, &console_model, VIRTIO_CONSOLE_F_SIZE,
						(unsigned)e->irq, c);
	if (!dev)
		hal_free(c);
	return dev;
}
