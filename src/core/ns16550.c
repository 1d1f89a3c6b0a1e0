/* SPDX-License-Identifier: MIT */
/**
 * @file ns16550.c
 * @brief Emulation of the 16550A UART, enough for polled and
 *        interrupt-enable-aware use.
 *
 * Reference: "PC16550D Universal Asynchronous Receiver/Transmitter with
 * FIFOs" data sheet (National Semiconductor, 1995), table II "Register
 * Summary". As with the PL011 model, a byte written to THR leaves at once
 * (the transmitter is always empty), received bytes come from the HAL's
 * console input one at a time, and no interrupt line is raised until the
 * VM has an interrupt controller: IIR still tells what would be pending.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/ns16550.h>
#include <cvisor/vm.h>

/* Register offsets; with LCR.DLAB set, 0 and 1 are the divisor latch. */
enum { RBR_THR_DLL = 0, IER_DLM = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define LCR_DLAB 0x80
#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */
#define LSR_TEMT 0x40 /* transmitter empty */
#define IER_ERBFI 0x01 /* received data available interrupt */
#define IER_ETBEI 0x02 /* transmit holding register empty interrupt */
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_FIFO 0xc0

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thre_pending; /* a THR-empty interrupt not yet read from IIR */
	int rx;            /* the held received byte, or -1 */
};

static void poll_rx(struct device *dev, struct uart16550 *u)
{
	if (u->rx < 0)
		u->rx = vm_console_getc(dev->vm, dev);
}

static uint8_t iir(struct device *dev, struct uart16550 *u)
{
	uint8_t fifo = (u->fcr & 1) ? IIR_FIFO : 0;
	poll_rx(dev, u);
	if ((u->ier & IER_ERBFI) && u->rx >= 0)
		return fifo | IIR_RDA;
	if ((u->ier & IER_ETBEI) && u->thre_pending) {
		u->thre_pending = false; /* reading IIR clears it (data sheet, table IV) */
		return fifo | IIR_THRE;
	}
	return fifo | IIR_NONE;
}

static uint8_t read_reg(struct device *dev, struct uart16550 *u, unsigned reg)
{
	switch (reg) {
	case RBR_THR_DLL: {
		if (u->lcr & LCR_DLAB)
			return u->dll;
		poll_rx(dev, u);
		uint8_t v = u->rx < 0 ? 0 : (uint8_t)u->rx;
		u->rx = -1;
		return v;
	}
	case IER_DLM:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case IIR_FCR:
		return iir(dev, u);
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		poll_rx(dev, u);
		return LSR_THRE | LSR_TEMT | (u->rx >= 0 ? LSR_DR : 0);
	case MSR:
		/* Loopback off: CTS, DSR and DCD asserted, as a connected terminal. */
		return (u->mcr & 0x10) ? (uint8_t)((u->mcr & 0xf) << 4) : 0xb0;
	default:
		return u->scr;
	}
}

static void write_reg(struct device *dev, struct uart16550 *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case RBR_THR_DLL:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else {
			char c = (char)v;
			hal_console_write(dev->vm, &c, 1);
			u->thre_pending = true;
		}
		return;
	case IER_DLM:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
		} else {
			if (!(u->ier & IER_ETBEI) && (v & IER_ETBEI))
				u->thre_pending = true; /* enabling it with THR empty raises it */
			u->ier = v & 0x0f;
		}
		return;
	case IIR_FCR:
		u->fcr = v & 0xc9; /* trigger level, DMA mode, FIFO enable; reset bits self-clear */
		return;
	case LCR:
		u->lcr = v;
		return;
	case MCR:
		u->mcr = v & 0x1f;
		return;
	case SCR:
		u->scr = v;
		return;
	default: /* LSR and MSR are read-only */
		log_debug("ns16550: write of 0x%x to read-only register %u ignored", v, reg);
		return;
	}
}

/* Registers are bytes; wider accesses are refused (reg-io-width 1). */
static int uart_read(struct device *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	if (size != 1)
		return -CV_EINVAL;
	*val = offset < 8 ? read_reg(dev, dev->priv, (unsigned)offset) : 0;
	return 0;
}

static int uart_write(struct device *dev, uint64_t offset, unsigned size, uint64_t val)
{
	if (size != 1)
		return -CV_EINVAL;
	if (offset < 8)
		write_reg(dev, dev->priv, (unsigned)offset, (uint8_t)val);
	return 0;
}

static void uart_destroy(struct device *dev)
{
	hal_free(dev->priv);
	dev->priv = NULL;
}

static const struct device_ops ns16550_ops = {
	.read = uart_read,
	.write = uart_write,
	.destroy = uart_destroy,
};

struct device *ns16550_create(struct vm *vm, gpa_t base, uint64_t size)
{
	struct device *dev = hal_zalloc(sizeof(*dev));
	struct uart16550 *u = hal_zalloc(sizeof(*u));

	if (!dev || !u) {
		hal_free(dev);
		hal_free(u);
		return NULL;
	}
	u->rx = -1;
	u->lcr = 0x03; /* 8 data bits */
	cv_strlcpy(dev->name, "ns16550a", sizeof(dev->name));
	dev->base = base;
	dev->size = size;
	dev->ops = &ns16550_ops;
	dev->priv = u;
	dev->vm = vm;
	return dev;
}
