/* SPDX-License-Identifier: MIT */
/**
 * @file pl011.c
 * @brief Emulation of the Arm PrimeCell UART (PL011) r1p5, with its
 *        interrupt output: enough for a guest that polls it and for
 *        Linux's amba-pl011 driver, which waits for its interrupts.
 *
 * Reference: "PrimeCell UART (PL011) Technical Reference Manual" r1p5
 * (Arm DDI 0183G), chapter 3 "Programmers Model", and chapter 2's
 * "Interrupts" (UARTTXINTR, UARTRXINTR, UARTRTINTR, UARTINTR).
 *
 * The model has no baud-rate timing: a character written to UARTDR leaves
 * at once, so the transmit FIFO is always empty and never busy. Received
 * characters come from the HAL's console input, one held at a time (the
 * receive FIFO is one deep, the HAL's queue stands behind it). Like many
 * emulators, transmission does not require UARTCR.UARTEN/TXE: firmware
 * that prints before enabling the UART still gets its output seen.
 *
 * Interrupts, as the model raises them:
 *
 *   raw status bit     set when                          cleared when
 *   ------------------ --------------------------------- ----------------------------
 *   TXRIS (bit 5)      a written character has left the   UARTICR.TXIC; never by a
 *                      FIFO, which is empty again: at     write (the FIFO never fills
 *                      once, on every write to UARTDR     past its trigger level)
 *   RXRIS (bit 4)      a byte arrives, FIFOs off          the FIFO is read empty,
 *                      (UARTLCR_H.FEN 0: a one-deep       or UARTICR.RXIC
 *                      FIFO is at its level)
 *   RTRIS (bit 6)      a byte arrives, FIFOs on: fewer    the FIFO is read empty,
 *                      than the trigger level wait and    or UARTICR.RTIC
 *                      no more comes (the timeout)
 *
 * The output UARTINTR, high while (UARTRIS & UARTIMSC) != 0, drives the
 * interrupt line the platform gave the device (vm_irq_set(); on the virt
 * machine SPI 1, INTID 33) as a level, re-evaluated after every register
 * access and whenever console input arrives (vm_console_input(), from the
 * HAL's console thread or tick): Linux enables RXIM and RTIM and then
 * waits for the line, not polling. Its driver writes characters while
 * UARTFR.TXFF is clear, and enables TXIM only when some are left, to be
 * written from the TX interrupt; here they never are, and TXRIS, set by
 * the last write, would fire at once if they were.
 *
 * Registers are reached from the vCPUs' threads and from the console's:
 * a spin lock keeps each access whole.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/pl011.h>
#include <cvisor/vm.h>

/* Register offsets (TRM table 3-1). */
enum {
	UARTDR = 0x000,
	UARTRSR = 0x004, /* UARTECR on write */
	UARTFR = 0x018,
	UARTILPR = 0x020,
	UARTIBRD = 0x024,
	UARTFBRD = 0x028,
	UARTLCR_H = 0x02c,
	UARTCR = 0x030,
	UARTIFLS = 0x034,
	UARTIMSC = 0x038,
	UARTRIS = 0x03c,
	UARTMIS = 0x040,
	UARTICR = 0x044,
	UARTDMACR = 0x048,
	UARTPERIPHID0 = 0xfe0,
};

/* UARTLCR_H.FEN: the FIFOs are enabled (TRM 3.3.7). */
#define LCR_H_FEN (1u << 4)

/* UARTFR bits. */
#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)

/* Interrupt bits (UARTIMSC, UARTRIS, UARTMIS, UARTICR). */
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_ALL 0x7ffu

/* UARTPeriphID0-3 and UARTPCellID0-3 (TRM 3.3.14-3.3.15): part 0x011, designer 0x41 (Arm), revision 3 (r1p5). */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct pl011 {
	uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, ilpr, dmacr;
	uint32_t ris;      /* raw interrupt status */
	int rx;            /* the held received byte, or -1 */
	uint64_t tx_count; /* characters sent (for statistics and tests) */
	unsigned irq;      /* the interrupt line UARTINTR drives (0: none) */
	bool line;         /* the level last given to that line */
	bool lock;         /* taken with __atomic_test_and_set */
};

static void lock(struct pl011 *u)
{
	while (__atomic_test_and_set(&u->lock, __ATOMIC_ACQUIRE))
		;
}

static void unlock(struct pl011 *u)
{
	__atomic_clear(&u->lock, __ATOMIC_RELEASE);
}

/* The registers' reset values (TRM 3.3); the interrupt line is the one the device was given. */
static void reset(struct pl011 *u)
{
	unsigned irq = u->irq;

	memset(u, 0, sizeof(*u));
	u->irq = irq;
	u->cr = 0x0300; /* TXE and RXE set, UART disabled (TRM 3.3.8) */
	u->ifls = 0x12; /* both FIFOs at half (TRM 3.3.9) */
	u->rx = -1;
	u->ris = INT_TX; /* the transmit FIFO is empty, so at or below its level */
}

/*
 * Fetches a waiting console byte into the empty one-deep receive FIFO. A
 * byte raises RXRIS with the FIFOs off; with them on, one byte is below
 * any trigger level and it is the receive timeout, RTRIS, that the
 * hardware raises 32 bit periods later (TRM, UARTRTINTR): here at once.
 */
static void poll_rx(struct device *dev, struct pl011 *u)
{
	if (u->rx < 0) {
		u->rx = vm_console_getc(dev->vm, dev);
		if (u->rx >= 0)
			u->ris |= (u->lcr_h & LCR_H_FEN) ? INT_RT : INT_RX;
	}
}

/*
 * Lock held: UARTINTR, the OR of the masked interrupts (TRM, UARTINTR), to
 * the device's line when it changed. Under the lock, so the interrupt
 * controller sees the levels in the order the UART took them.
 */
static void update_line(struct device *dev, struct pl011 *u)
{
	bool level = (u->ris & u->imsc) != 0;

	if (level != u->line && u->irq) {
		u->line = level;
		vm_irq_set(dev->vm, u->irq, level);
	}
}

static uint32_t read_reg(struct device *dev, struct pl011 *u, uint64_t reg)
{
	// LAB 2 BEGIN: read the PL011's registers in read_reg()
	switch (reg) {
	case UARTDR: {
		poll_rx(dev, u);
		uint32_t v = u->rx < 0 ? 0 : (uint32_t)u->rx;
		/* Read empty: RX and RT clear, until the queue's next byte takes its place. */
		u->rx = -1;
		u->ris &= ~(INT_RX | INT_RT);
		poll_rx(dev, u);
		return v;
	}
	case UARTRSR:
		return 0;
	case UARTFR:
		poll_rx(dev, u);
		return FR_TXFE | (u->rx < 0 ? FR_RXFE : FR_RXFF);
	case UARTILPR:
		return u->ilpr;
	case UARTIBRD:
		return u->ibrd;
	case UARTFBRD:
		return u->fbrd;
	case UARTLCR_H:
		return u->lcr_h;
	case UARTCR:
		return u->cr;
	case UARTIFLS:
		return u->ifls;
	case UARTIMSC:
		return u->imsc;
	case UARTRIS:
		poll_rx(dev, u);
		return u->ris;
	case UARTMIS:
		poll_rx(dev, u);
		return u->ris & u->imsc;
	case UARTDMACR:
		return u->dmacr;
	}
	if (reg >= UARTPERIPHID0 && reg < PL011_SIZE)
		return pl011_id[(reg - UARTPERIPHID0) / 4];
	log_debug("%s: pl011: read of reserved offset 0x%llx", dev->vm ? dev->vm->name : "?",
		  (unsigned long long)reg);
	return 0;
	// LAB 2 STUB
	// LAB_TODO(2, "read the PL011's registers in read_reg() (labs/2-mmio/README.md)");
	// (void)dev;
	// (void)u;
	// (void)reg;
	// (void)poll_rx;
	// (void)pl011_id;
	// return 0;
	// LAB 2 END
}

/* Writes a register. Returns the byte a write to UARTDR sends, -1 for any other write. */
static int write_reg(struct device *dev, struct pl011 *u, uint64_t reg, uint32_t v)
{
	switch (reg) {
	case UARTDR:
		u->tx_count++;
		u->ris |= INT_TX; /* sent at once: the FIFO is empty again */
		return (int)(v & 0xff);
	case UARTRSR: /* UARTECR: any write clears the error flags */
		return -1;
	case UARTILPR:
		u->ilpr = v & 0xff;
		return -1;
	case UARTIBRD:
		u->ibrd = v & 0xffff;
		return -1;
	case UARTFBRD:
		u->fbrd = v & 0x3f;
		return -1;
	case UARTLCR_H:
		u->lcr_h = v & 0xff;
		return -1;
	case UARTCR:
		u->cr = v & 0xff87;
		return -1;
	case UARTIFLS:
		u->ifls = v & 0x3f;
		return -1;
	case UARTIMSC:
		u->imsc = v & INT_ALL;
		return -1;
	case UARTICR:
		u->ris &= ~(v & INT_ALL);
		return -1;
	case UARTDMACR:
		u->dmacr = v & 0x7;
		return -1;
	}
	log_debug("%s: pl011: write of 0x%x to read-only or reserved offset 0x%llx",
		  dev->vm ? dev->vm->name : "?", v, (unsigned long long)reg);
	return -1;
}

/*
 * Registers are 32 bits wide at word-aligned offsets; a narrower access
 * reads or writes the byte lanes it covers (a strb to UARTDR is common).
 */
static int pl011_read(struct device *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct pl011 *u = dev->priv;
	unsigned shift = (unsigned)(offset & 3) * 8;

	if (size > 4 || (offset & 3) + size > 4)
		return -CV_EINVAL;
	lock(u);
	*val = read_reg(dev, u, offset & ~3ULL) >> shift;
	update_line(dev, u);
	unlock(u);
	return 0;
}

static int pl011_write(struct device *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct pl011 *u = dev->priv;
	uint64_t reg = offset & ~3ULL;
	unsigned shift = (unsigned)(offset & 3) * 8;

	if (size > 4 || (offset & 3) + size > 4)
		return -CV_EINVAL;
	uint32_t v = (uint32_t)val << shift;
	lock(u);
	if (size < 4 && reg != UARTDR && reg != UARTICR) {
		/* Keep the lanes this access does not cover. */
		uint32_t mask = (uint32_t)(((1ULL << (size * 8)) - 1) << shift);
		v = (read_reg(dev, u, reg) & ~mask) | (v & mask);
	}
	int sent = write_reg(dev, u, reg, v);
	update_line(dev, u);
	unlock(u);
	/* Outside the lock: the console may block, the other vCPUs need not wait for it. */
	if (sent >= 0) {
		char c = (char)sent;
		hal_console_write(dev->vm, &c, 1);
	}
	return 0;
}

/* Console input arrived: the FIFO takes a byte if it is empty, and the line follows. */
static void pl011_input(struct device *dev)
{
	struct pl011 *u = dev->priv;

	lock(u);
	poll_rx(dev, u);
	update_line(dev, u);
	unlock(u);
}

static void pl011_destroy(struct device *dev)
{
	hal_free(dev->priv);
	dev->priv = NULL;
}

static const struct device_ops pl011_ops = {
	.read = pl011_read,
	.write = pl011_write,
	.input = pl011_input,
	.destroy = pl011_destroy,
};

struct device *pl011_create(struct vm *vm, gpa_t base, unsigned irq)
{
	struct device *dev = hal_zalloc(sizeof(*dev));
	struct pl011 *u = hal_zalloc(sizeof(*u));

	if (!dev || !u) {
		hal_free(dev);
		hal_free(u);
		return NULL;
	}
	u->irq = irq;
	reset(u);
	cv_strlcpy(dev->name, "pl011", sizeof(dev->name));
	dev->base = base;
	dev->size = PL011_SIZE;
	dev->ops = &pl011_ops;
	dev->priv = u;
	dev->vm = vm;
	return dev;
}
