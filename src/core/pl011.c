/* SPDX-License-Identifier: MIT */
/**
 * @file pl011.c
 * @brief Emulation of the Arm PrimeCell UART (PL011) r1p5, enough for a
 *        guest that polls it or programs its interrupt mask.
 *
 * Reference: "PrimeCell UART (PL011) Technical Reference Manual" r1p5
 * (Arm DDI 0183G), chapter 3 "Programmers Model".
 *
 * The model has no baud-rate timing: a character written to UARTDR leaves
 * at once, so the transmit FIFO is always empty and never busy. Received
 * characters come from the HAL's console input, one held at a time (the
 * receive FIFO is one deep). Like many emulators, transmission does not
 * require UARTCR.UARTEN/TXE: firmware that prints before enabling the
 * UART still gets its output seen. Interrupt status (RIS/MIS) is computed
 * as the hardware would; no interrupt line is raised until the VM has an
 * interrupt controller.
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
};

static void reset(struct pl011 *u)
{
	memset(u, 0, sizeof(*u));
	u->cr = 0x0300; /* TXE and RXE set, UART disabled (TRM 3.3.8) */
	u->ifls = 0x12; /* both FIFOs at half (TRM 3.3.9) */
	u->rx = -1;
	u->ris = INT_TX; /* the transmit FIFO is empty, so at or below its level */
}

/* Fetches a waiting console byte into the one-deep receive FIFO. */
static void poll_rx(struct device *dev, struct pl011 *u)
{
	if (u->rx < 0) {
		u->rx = hal_console_getc(dev->vm);
		if (u->rx >= 0)
			u->ris |= INT_RX;
	}
}

static uint32_t read_reg(struct device *dev, struct pl011 *u, uint64_t reg)
{
	// LAB 2 BEGIN: read the PL011's registers in read_reg()
	switch (reg) {
	case UARTDR: {
		poll_rx(dev, u);
		uint32_t v = u->rx < 0 ? 0 : (uint32_t)u->rx;
		u->rx = -1;
		u->ris &= ~(INT_RX | INT_RT);
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

static void write_reg(struct device *dev, struct pl011 *u, uint64_t reg, uint32_t v)
{
	switch (reg) {
	case UARTDR: {
		char c = (char)(v & 0xff);
		hal_console_write(dev->vm, &c, 1);
		u->tx_count++;
		u->ris |= INT_TX; /* sent at once: the FIFO is empty again */
		return;
	}
	case UARTRSR: /* UARTECR: any write clears the error flags */
		return;
	case UARTILPR:
		u->ilpr = v & 0xff;
		return;
	case UARTIBRD:
		u->ibrd = v & 0xffff;
		return;
	case UARTFBRD:
		u->fbrd = v & 0x3f;
		return;
	case UARTLCR_H:
		u->lcr_h = v & 0xff;
		return;
	case UARTCR:
		u->cr = v & 0xff87;
		return;
	case UARTIFLS:
		u->ifls = v & 0x3f;
		return;
	case UARTIMSC:
		u->imsc = v & INT_ALL;
		return;
	case UARTICR:
		u->ris &= ~(v & INT_ALL);
		return;
	case UARTDMACR:
		u->dmacr = v & 0x7;
		return;
	}
	log_debug("%s: pl011: write of 0x%x to read-only or reserved offset 0x%llx",
		  dev->vm ? dev->vm->name : "?", v, (unsigned long long)reg);
}

/*
 * Registers are 32 bits wide at word-aligned offsets; a narrower access
 * reads or writes the byte lanes it covers (a strb to UARTDR is common).
 */
static int pl011_read(struct device *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	unsigned shift = (unsigned)(offset & 3) * 8;
	if (size > 4 || (offset & 3) + size > 4)
		return -CV_EINVAL;
	*val = read_reg(dev, dev->priv, offset & ~3ULL) >> shift;
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
	if (size < 4 && reg != UARTDR && reg != UARTICR) {
		/* Keep the lanes this access does not cover. */
		uint32_t mask = (uint32_t)(((1ULL << (size * 8)) - 1) << shift);
		v = (read_reg(dev, u, reg) & ~mask) | (v & mask);
	}
	write_reg(dev, u, reg, v);
	return 0;
}

static void pl011_destroy(struct device *dev)
{
	hal_free(dev->priv);
	dev->priv = NULL;
}

static const struct device_ops pl011_ops = {
	.read = pl011_read,
	.write = pl011_write,
	.destroy = pl011_destroy,
};

struct device *pl011_create(struct vm *vm, gpa_t base)
{
	struct device *dev = hal_zalloc(sizeof(*dev));
	struct pl011 *u = hal_zalloc(sizeof(*u));

	if (!dev || !u) {
		hal_free(dev);
		hal_free(u);
		return NULL;
	}
	reset(u);
	cv_strlcpy(dev->name, "pl011", sizeof(dev->name));
	dev->base = base;
	dev->size = PL011_SIZE;
	dev->ops = &pl011_ops;
	dev->priv = u;
	dev->vm = vm;
	return dev;
}
