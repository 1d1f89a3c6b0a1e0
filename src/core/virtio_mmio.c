/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_mmio.c
 * @brief The virtio-mmio transport, register layout version 2
 *        (virtio 1.2, 4.2.2 "MMIO Device Register Layout").
 *
 *   0x000 MagicValue        R  0x74726976 ("virt")
 *   0x004 Version           R  2
 *   0x008 DeviceID          R  the model's (2: block)
 *   0x00c VendorID          R  VENDOR_ID
 *   0x010 DeviceFeatures    R  32 bits of the features, DeviceFeaturesSel picks which
 *   0x014 DeviceFeaturesSel W
 *   0x020 DriverFeatures    W  32 bits of what the driver accepts, DriverFeaturesSel picks which
 *   0x024 DriverFeaturesSel W
 *   0x030 QueueSel          W  the queue the Queue* registers are about
 *   0x034 QueueNumMax       R  VIRTQ_MAX_SIZE (0 for a queue the device does not have)
 *   0x038 QueueNum          W  the queue's size
 *   0x044 QueueReady        RW 1: the queue is set up, the device may use it
 *   0x050 QueueNotify       W  a queue index: "there are new buffers"
 *   0x060 InterruptStatus   R  bit 0 used buffers, bit 1 configuration change
 *   0x064 InterruptACK      W  clears those bits
 *   0x070 Status            RW the driver's progress; 0 resets the device
 *   0x080 QueueDescLow/High, 0x090 QueueDriverLow/High, 0x0a0 QueueDeviceLow/High  W
 *   0x0ac SHMSel            W  shared memory regions: none (their length reads as -1)
 *   0x0fc ConfigGeneration  R
 *   0x100 Config            RW the device type's configuration space
 *
 * Registers below 0x100 take 32-bit aligned accesses only (4.2.2.2);
 * another access is logged and ignored (reads as 0). Everything is
 * served on the vCPU that made the access: a QueueNotify write processes
 * the queue before the vCPU returns to the guest.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/vm.h>

enum {
	REG_MAGIC = 0x000, REG_VERSION = 0x004, REG_DEVICE_ID = 0x008, REG_VENDOR_ID = 0x00c,
	REG_DEVICE_FEATURES = 0x010, REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020, REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030, REG_QUEUE_NUM_MAX = 0x034, REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044, REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060, REG_INTERRUPT_ACK = 0x064, REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080, REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090, REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0, REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_SHM_SEL = 0x0ac, REG_SHM_LEN_LOW = 0x0b0, REG_SHM_LEN_HIGH = 0x0b4,
	REG_SHM_BASE_LOW = 0x0b8, REG_SHM_BASE_HIGH = 0x0bc,
	REG_CONFIG_GENERATION = 0x0fc, REG_CONFIG = 0x100,
};

#define MAGIC 0x74726976u /* "virt", little-endian */
#define VERSION 2u
/* VendorID: any value will do (4.2.2); "CVSR" in ASCII, as QEMU uses "QEMU". */
#define VENDOR_ID 0x52535643u
/* Warnings logged per device (warn()). */
#define MAX_WARNINGS 8

static const struct device_ops virtio_mmio_ops;

/*
 * The device's lock, and the input that arrives while it is held.
 * virtio_mmio_input() sets input_pending, then tries the lock; whoever
 * releases the lock looks at input_pending after letting go, and takes the
 * lock again for the input if nobody else has. All of it sequentially
 * consistent: of the two, one always sees the other's store, so no input
 * is left waiting, and nobody waits for the lock while holding another.
 */
static void lock(struct virtio_mmio *t)
{
	while (__atomic_test_and_set(&t->busy, __ATOMIC_SEQ_CST))
		;
}

static bool try_lock(struct virtio_mmio *t)
{
	return !__atomic_test_and_set(&t->busy, __ATOMIC_SEQ_CST);
}

/* Runs the model's input callback, the lock held. */
static void take_input(struct virtio_mmio *t)
{
	__atomic_store_n(&t->input_pending, false, __ATOMIC_SEQ_CST);
	if (t->model->input && (t->status & VIRTIO_STATUS_DRIVER_OK) &&
	    !(t->status & VIRTIO_STATUS_NEEDS_RESET))
		t->model->input(t);
}

static void unlock(struct virtio_mmio *t)
{
	for (;;) {
		__atomic_clear(&t->busy, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&t->input_pending, __ATOMIC_SEQ_CST) || !try_lock(t))
			return;
		take_input(t);
	}
}

void virtio_mmio_input(struct virtio_mmio *t)
{
	__atomic_store_n(&t->input_pending, true, __ATOMIC_SEQ_CST);
	if (!try_lock(t))
		return; /* the holder takes it when it lets go */
	take_input(t);
	unlock(t);
}

/* Drives the interrupt line from InterruptStatus: a level-sensitive line, high while a bit is set. */
static void update_irq(struct virtio_mmio *t)
{
	vm_irq_set(t->vm, t->irq, t->int_status != 0);
}

bool virtio_mmio_irq_level(const struct virtio_mmio *t)
{
	return t->int_status != 0;
}

void virtio_mmio_used(struct virtio_mmio *t, unsigned queue)
{
	if (virtq_no_interrupt(&t->vm->as, &t->queues[queue]))
		return;
	t->int_status |= VIRTIO_INT_USED;
	update_irq(t);
}

uint64_t virtio_config_bytes(const uint8_t *space, size_t len, uint64_t offset, unsigned size)
{
	uint64_t val = 0;

	for (unsigned i = 0; i < size; i++)
		if (offset + i < len)
			val |= (uint64_t)space[offset + i] << (8 * i);
	return val;
}

void virtio_mmio_serve(struct virtio_mmio *t, unsigned queue,
		       bool (*serve)(struct virtio_mmio *t, struct virtq *q))
{
	struct virtq *q = &t->queues[queue];
	bool used = false;
	int rc;

	while ((rc = virtq_pop(&t->vm->as, q, &t->chain)) > 0) {
		if (!serve(t, q))
			return;
		used = true;
	}
	if (used)
		virtio_mmio_used(t, queue);
	if (rc < 0)
		virtio_mmio_fail(t, "queue %u: %s", queue, virtq_error_name((enum virtq_error)-rc));
}

/*
 * Logs a warning about what the driver did, naming the VM and the device.
 * A driver can repeat a mistake forever: after MAX_WARNINGS the device's
 * further ones are counted (t->warnings), not logged.
 */
void virtio_mmio_warn(struct virtio_mmio *t, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	if (t->warnings++ >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	cv_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_warn("%s: %s at 0x%llx: %s%s", t->vm->name, t->model->name,
		 (unsigned long long)t->dev->base, why,
		 t->warnings == MAX_WARNINGS ? " (the device's later warnings are not logged)" : "");
}

void virtio_mmio_fail(struct virtio_mmio *t, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	cv_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	virtio_mmio_warn(t, "%s: device needs reset", why);
	t->errors++;
	if (t->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	/* 2.1.2: with DRIVER_OK set, the device tells the driver by a configuration change. */
	if (t->status & VIRTIO_STATUS_DRIVER_OK) {
		t->int_status |= VIRTIO_INT_CONFIG;
		update_irq(t);
	}
}

/* 2.4 "Device Reset": everything the driver set up is forgotten. */
static void reset(struct virtio_mmio *t)
{
	t->driver_features = 0;
	t->features_sel = t->driver_features_sel = t->queue_sel = 0;
	t->status = 0;
	t->int_status = 0;
	memset(t->queues, 0, sizeof(t->queues));
	update_irq(t);
	if (t->model->reset)
		t->model->reset(t);
}

/* The selected queue, or NULL if the device has no such queue. */
static struct virtq *selected(struct virtio_mmio *t)
{
	return t->queue_sel < t->model->nqueues ? &t->queues[t->queue_sel] : NULL;
}

/*
 * Status writes (2.2 "Feature Bits", 3.1.1 "Driver Requirements: Device
 * Initialization"). FEATURES_OK is kept only if the driver accepted
 * VIRTIO_F_VERSION_1 (no legacy interface) and nothing the device does not
 * offer: the driver reads Status back and finds it clear (2.2.2).
 */
static void write_status(struct virtio_mmio *t, uint32_t v)
{
	if (v == 0) {
		reset(t);
		return;
	}
	uint32_t added = v & ~t->status;
	if (added & VIRTIO_STATUS_FEATURES_OK) {
		if (!(t->driver_features & VIRTIO_F_VERSION_1) ||
		    (t->driver_features & ~t->features)) {
			virtio_mmio_warn(t, "driver features 0x%llx refused (offered 0x%llx, VIRTIO_F_VERSION_1 "
				"required)",
			     (unsigned long long)t->driver_features, (unsigned long long)t->features);
			v &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
		}
	}
	/* The device's own bit stays as the device set it. */
	v = (v & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET) | (t->status & VIRTIO_STATUS_NEEDS_RESET);
	t->status = v;
	if ((added & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK))
		virtio_mmio_fail(t, "DRIVER_OK without FEATURES_OK");
}

/*
 * QueueReady = 1 (4.2.3.2): the queue's size must be a power of 2 up to
 * QueueNumMax and its rings in RAM, or the device gives up.
 */
static void queue_ready(struct virtio_mmio *t, struct virtq *q, uint32_t v)
{
	if (!v) {
		q->ready = false;
		return;
	}
	if (q->ready)
		return; /* already in use: its ring positions stay */
	if (q->num == 0 || (q->num & (q->num - 1)) || q->num > VIRTQ_MAX_SIZE) {
		virtio_mmio_fail(t, "queue %u: size %u is not a power of 2 up to %u", t->queue_sel,
				 q->num, VIRTQ_MAX_SIZE);
		return;
	}
	if (virtq_check_rings(&t->vm->as, q) != VIRTQ_OK) {
		virtio_mmio_fail(t, "queue %u: rings at 0x%llx, 0x%llx, 0x%llx: %s", t->queue_sel,
				 (unsigned long long)q->desc, (unsigned long long)q->avail,
				 (unsigned long long)q->used, virtq_error_name(VIRTQ_E_RING));
		return;
	}
	q->last_avail = q->used_idx = 0;
	q->indirect = (t->driver_features & VIRTIO_F_INDIRECT_DESC) != 0;
	q->ready = true;
}

/* QueueNotify: serves the queue, if the driver may notify it (3.1.1: after DRIVER_OK). */
static void notify(struct virtio_mmio *t, uint32_t queue)
{
	if (t->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	if (queue >= t->model->nqueues || !t->queues[queue].ready) {
		virtio_mmio_fail(t, "notify for queue %u, which is not set up", queue);
		return;
	}
	if (!(t->status & VIRTIO_STATUS_DRIVER_OK)) {
		virtio_mmio_fail(t, "notify for queue %u before DRIVER_OK", queue);
		return;
	}
	t->model->notify(t, queue);
}

/* Sets the low or high half of a 64-bit ring address. */
static void set_half(gpa_t *a, uint32_t v, bool high)
{
	*a = high ? (*a & 0xffffffffULL) | (uint64_t)v << 32 : (*a & ~0xffffffffULL) | v;
}

/* A queue register written while the queue is ready: 4.2.3.2 forbids it, the write is ignored. */
static bool queue_writable(struct virtio_mmio *t, struct virtq *q, uint64_t offset)
{
	if (!q)
		return false;
	if (q->ready) {
		virtio_mmio_warn(t, "write to register 0x%llx of ready queue %u ignored",
		     (unsigned long long)offset, t->queue_sel);
		return false;
	}
	return true;
}

static void write_reg(struct virtio_mmio *t, uint64_t offset, uint32_t v)
{
	struct virtq *q = selected(t);

	switch (offset) {
	case REG_DEVICE_FEATURES_SEL:
		t->features_sel = v;
		break;
	case REG_DRIVER_FEATURES:
		if (t->status & VIRTIO_STATUS_FEATURES_OK)
			break; /* negotiation is over (3.1.1) */
		if (t->driver_features_sel < 2) {
			unsigned sh = 32 * t->driver_features_sel;
			t->driver_features = (t->driver_features & ~(0xffffffffULL << sh)) | (uint64_t)v << sh;
		}
		break;
	case REG_DRIVER_FEATURES_SEL:
		t->driver_features_sel = v;
		break;
	case REG_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case REG_QUEUE_NUM:
		if (queue_writable(t, q, offset))
			q->num = v > 0xffff ? 0 : (uint16_t)v;
		break;
	case REG_QUEUE_READY:
		if (q)
			queue_ready(t, q, v);
		break;
	case REG_QUEUE_NOTIFY:
		notify(t, v);
		break;
	case REG_INTERRUPT_ACK:
		t->int_status &= ~v;
		update_irq(t);
		break;
	case REG_STATUS:
		write_status(t, v);
		break;
	case REG_QUEUE_DESC_LOW:
	case REG_QUEUE_DESC_HIGH:
		if (queue_writable(t, q, offset))
			set_half(&q->desc, v, offset == REG_QUEUE_DESC_HIGH);
		break;
	case REG_QUEUE_DRIVER_LOW:
	case REG_QUEUE_DRIVER_HIGH:
		if (queue_writable(t, q, offset))
			set_half(&q->avail, v, offset == REG_QUEUE_DRIVER_HIGH);
		break;
	case REG_QUEUE_DEVICE_LOW:
	case REG_QUEUE_DEVICE_HIGH:
		if (queue_writable(t, q, offset))
			set_half(&q->used, v, offset == REG_QUEUE_DEVICE_HIGH);
		break;
	default:
		break; /* read-only registers, SHMSel, holes */
	}
}

static uint32_t read_reg(struct virtio_mmio *t, uint64_t offset)
{
	struct virtq *q = selected(t);

	switch (offset) {
	case REG_MAGIC:
		return MAGIC;
	case REG_VERSION:
		return VERSION;
	case REG_DEVICE_ID:
		return t->model->device_id;
	case REG_VENDOR_ID:
		return VENDOR_ID;
	case REG_DEVICE_FEATURES:
		return t->features_sel < 2 ? (uint32_t)(t->features >> (32 * t->features_sel)) : 0;
	case REG_QUEUE_NUM_MAX:
		return q ? VIRTQ_MAX_SIZE : 0;
	case REG_QUEUE_READY:
		return q && q->ready;
	case REG_INTERRUPT_STATUS:
		return t->int_status;
	case REG_STATUS:
		return t->status;
	case REG_SHM_LEN_LOW:
	case REG_SHM_LEN_HIGH:
	case REG_SHM_BASE_LOW:
	case REG_SHM_BASE_HIGH:
		return 0xffffffffu; /* no shared memory region: length -1 (4.2.2) */
	case REG_CONFIG_GENERATION:
		return t->config_generation;
	default:
		return 0;
	}
}

/* Registers below Config: 32-bit aligned accesses only (4.2.2.2). */
static bool reg_access_ok(struct virtio_mmio *t, uint64_t offset, unsigned size, bool write)
{
	if (size == 4 && (offset & 3) == 0)
		return true;
	virtio_mmio_warn(t, "%u-byte %s at offset 0x%llx ignored (registers take 32-bit accesses)", size,
	     write ? "write" : "read", (unsigned long long)offset);
	return false;
}

static int mmio_read(struct device *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct virtio_mmio *t = dev->priv;

	*val = 0;
	lock(t);
	if (offset >= REG_CONFIG && t->model->config_read)
		t->model->config_read(t, offset - REG_CONFIG, size, val);
	else if (reg_access_ok(t, offset, size, false))
		*val = read_reg(t, offset);
	unlock(t);
	return 0;
}

/* The configuration space is read-only for every model cvisor has: writes are ignored. */
static int mmio_write(struct device *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct virtio_mmio *t = dev->priv;

	lock(t);
	if (offset < REG_CONFIG && reg_access_ok(t, offset, size, true))
		write_reg(t, offset, (uint32_t)val);
	unlock(t);
	return 0;
}

static void mmio_destroy(struct device *dev)
{
	struct virtio_mmio *t = dev->priv;

	if (!t)
		return;
	if (t->model->destroy)
		t->model->destroy(t);
	hal_free(t);
	dev->priv = NULL;
}

/* Console input for the VM: the model takes it if it wants it (virtio-console). */
static void mmio_input(struct device *dev)
{
	struct virtio_mmio *t = dev->priv;

	if (t && t->model->input)
		virtio_mmio_input(t);
}

static const struct device_ops virtio_mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.input = mmio_input,
	.destroy = mmio_destroy,
};

struct device *virtio_mmio_create(struct vm *vm, gpa_t base, const struct virtio_model *model,
				  uint64_t features, unsigned irq, void *priv)
{
	struct device *dev = hal_zalloc(sizeof(*dev));
	struct virtio_mmio *t = hal_zalloc(sizeof(*t));

	if (!dev || !t) {
		hal_free(dev);
		hal_free(t);
		return NULL;
	}
	cv_strlcpy(dev->name, model->name, sizeof(dev->name));
	dev->base = base;
	dev->size = VIRTIO_MMIO_SIZE;
	dev->ops = &virtio_mmio_ops;
	dev->priv = t;
	dev->vm = vm;
	t->model = model;
	t->priv = priv;
	t->vm = vm;
	t->dev = dev;
	t->irq = irq;
	t->features = features | VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC;
	return dev;
}

const struct cfg_emu_device *virtio_mmio_config_entry(const struct vm *vm, gpa_t base)
{
	for (unsigned i = 0; i < vm->cfg.nemu_devices; i++)
		if (vm->cfg.emu_devices[i].base == base)
			return &vm->cfg.emu_devices[i];
	return NULL;
}

struct virtio_mmio *virtio_mmio_from_device(const struct device *dev)
{
	return dev && dev->ops == &virtio_mmio_ops ? dev->priv : NULL;
}
