/* SPDX-License-Identifier: MIT */
/*
 * A minimal I/O APIC (Intel 82093AA I/O APIC datasheet), one per VM at
 * 0xfec00000 as on QEMU's q35: it turns the level of an input pin into a
 * fixed interrupt message to local APICs.
 *
 *   offset  register                 here
 *   0x00    IOREGSEL (index)         the register IOWIN reaches (3.1.1)
 *   0x10    IOWIN (data)             32 bits of that register (3.1.2)
 *   index 0x00  IOAPICID             bits 27:24, writable
 *   index 0x01  IOAPICVER            0x00170011: 24 entries, version 0x11
 *   index 0x02  IOAPICARB            the ID
 *   index 0x10 + 2n, 0x11 + 2n       redirection entry n (3.2.4): vector, delivery
 *                                    mode (fixed, lowest priority: as fixed),
 *                                    destination mode and field, polarity,
 *                                    trigger mode, mask; delivery status and
 *                                    remote IRR read-only
 *
 * An edge-triggered pin sends on each rising edge (one while it is masked
 * is lost); a level-triggered one sends while it is asserted and remote
 * IRR is clear, sets remote IRR, and sends again after the local APIC's
 * EOI of that vector if still asserted.
 * Pins are raised by devices (ioapic_set_irq(), any thread); a spin lock
 * keeps the table consistent between them and the vCPUs.
 */
#include <arch/irq.h>

#include <cvisor/devbus.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_ID 0x00
#define REG_VERSION 0x01
#define REG_ARB 0x02
#define REG_TABLE 0x10
#define VERSION (((IOAPIC_PINS - 1u) << 16) | 0x11u)

#define RTE_MASKED (1ULL << 16)
#define RTE_LEVEL (1ULL << 15)
#define RTE_REMOTE_IRR (1ULL << 14)
#define RTE_LOW_ACTIVE (1ULL << 13)
#define RTE_LOGICAL (1ULL << 11)
/* Bits software writes: all but delivery status (12) and remote IRR (14), and bits 55:17. */
#define RTE_WRITABLE (0xff00000000000000ULL | 0x1afffULL)

struct ioapic {
	bool lock;
	uint32_t sel;
	uint32_t id;
	uint64_t rte[IOAPIC_PINS];
	bool line[IOAPIC_PINS]; /* the pin's input, active high after polarity */
};

static void lock(struct ioapic *io)
{
	while (__atomic_test_and_set(&io->lock, __ATOMIC_ACQUIRE))
		;
}

static void unlock(struct ioapic *io)
{
	__atomic_clear(&io->lock, __ATOMIC_RELEASE);
}

/*
 * The message of entry n, if it should go now (the lock is held): an
 * unmasked edge-triggered entry on a rising edge (edge), a level-triggered
 * one while its line is high and remote IRR is clear (which it sets).
 */
static bool message(struct ioapic *io, unsigned n, bool edge, uint8_t *vector, uint8_t *dest,
		    bool *logical, bool *level)
{
	uint64_t r = io->rte[n];

	if (r & RTE_MASKED)
		return false;
	if (r & RTE_LEVEL) {
		if (!io->line[n] || (r & RTE_REMOTE_IRR))
			return false;
		io->rte[n] |= RTE_REMOTE_IRR;
	} else if (!edge) {
		return false;
	}
	*vector = (uint8_t)r;
	*dest = (uint8_t)(r >> 56);
	*logical = r & RTE_LOGICAL;
	*level = r & RTE_LEVEL;
	return true;
}

/* Sends entry n's message if it should go now (the lock is not held). */
static void service(struct vm *vm, struct ioapic *io, unsigned n, bool edge)
{
	uint8_t vector = 0, dest = 0;
	bool logical = false, level = false;

	lock(io);
	bool go = message(io, n, edge, &vector, &dest, &logical, &level);
	unlock(io);
	if (go)
		x86_irq_send_fixed(vm, vector, dest, logical, level);
}

static const struct device_ops ioapic_ops;

/* The VM's I/O APIC, or NULL (a config may replace it). */
static struct ioapic *find(const struct vm *vm)
{
	struct device *d = devbus_find(&vm->bus, IOAPIC_BASE);
	return d && d->ops == &ioapic_ops ? d->priv : NULL;
}

void ioapic_set_irq(struct vm *vm, unsigned pin, bool level)
{
	struct ioapic *io = find(vm);

	if (!io || pin >= IOAPIC_PINS)
		return;
	lock(io);
	bool active = level != !!(io->rte[pin] & RTE_LOW_ACTIVE); /* polarity (bit 13) */
	bool rising = active && !io->line[pin];
	io->line[pin] = active;
	unlock(io);
	if (active)
		service(vm, io, pin, rising);
}

void ioapic_eoi(struct vm *vm, uint8_t vector)
{
	struct ioapic *io = find(vm);

	if (!io)
		return;
	for (unsigned n = 0; n < IOAPIC_PINS; n++) {
		lock(io);
		bool ended = (io->rte[n] & RTE_LEVEL) && (uint8_t)io->rte[n] == vector;
		if (ended)
			io->rte[n] &= ~RTE_REMOTE_IRR;
		unlock(io);
		if (ended)
			service(vm, io, n, false);
	}
}

bool ioapic_routes_to(const struct vm *vm, uint32_t apic_id)
{
	struct ioapic *io = find(vm);

	if (!io)
		return false;
	for (unsigned n = 0; n < IOAPIC_PINS; n++) {
		uint64_t r = __atomic_load_n(&io->rte[n], __ATOMIC_ACQUIRE);
		uint8_t dest = (uint8_t)(r >> 56);
		if (!(r & RTE_MASKED) &&
		    ((r & RTE_LOGICAL) ? dest != 0 : dest == 0xff || dest == apic_id))
			return true;
	}
	return false;
}

/* ---- Registers ------------------------------------------------------------------- */

static int io_read(struct device *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct ioapic *io = dev->priv;

	if (size != 4 || (offset != IOREGSEL && offset != IOWIN))
		return -CV_EINVAL;
	lock(io);
	uint32_t sel = io->sel;
	if (offset == IOREGSEL)
		*val = sel;
	else if (sel == REG_ID || sel == REG_ARB)
		*val = io->id << 24;
	else if (sel == REG_VERSION)
		*val = VERSION;
	else if (sel >= REG_TABLE && sel < REG_TABLE + 2 * IOAPIC_PINS)
		*val = (uint32_t)(io->rte[(sel - REG_TABLE) / 2] >> (sel & 1 ? 32 : 0));
	else
		*val = 0;
	unlock(io);
	return 0;
}

static int io_write(struct device *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct ioapic *io = dev->priv;
	unsigned n = IOAPIC_PINS;

	if (size != 4 || (offset != IOREGSEL && offset != IOWIN))
		return -CV_EINVAL;
	lock(io);
	if (offset == IOREGSEL) {
		io->sel = (uint32_t)val & 0xff;
	} else if (io->sel == REG_ID) {
		io->id = ((uint32_t)val >> 24) & 0xf;
	} else if (io->sel >= REG_TABLE && io->sel < REG_TABLE + 2 * IOAPIC_PINS) {
		n = (io->sel - REG_TABLE) / 2;
		unsigned shift = io->sel & 1 ? 32 : 0;
		uint64_t r = io->rte[n] & ~(0xffffffffULL << shift);
		r |= (val & 0xffffffffULL) << shift;
		io->rte[n] = (r & RTE_WRITABLE) | (io->rte[n] & RTE_REMOTE_IRR);
	}
	unlock(io);
	if (n < IOAPIC_PINS)
		service(dev->vm, io, n,
			false); /* a level entry unmasked with its line high goes now */
	return 0;
}

static void io_destroy(struct device *dev)
{
	hal_free(dev->priv);
}

static const struct device_ops ioapic_ops = {
    .read = io_read, .write = io_write, .destroy = io_destroy};

struct device *ioapic_create(struct vm *vm, gpa_t base, uint64_t size)
{
	struct device *dev = hal_zalloc(sizeof(*dev));
	struct ioapic *io = hal_zalloc(sizeof(*io));

	if (!dev || !io) {
		hal_free(dev);
		hal_free(io);
		return NULL;
	}
	for (unsigned n = 0; n < IOAPIC_PINS; n++)
		io->rte[n] = RTE_MASKED;
	cv_strlcpy(dev->name, "ioapic", sizeof(dev->name));
	dev->base = base;
	dev->size = size;
	dev->ops = &ioapic_ops;
	dev->priv = io;
	dev->vm = vm;
	return dev;
}
