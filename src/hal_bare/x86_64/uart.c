/* SPDX-License-Identifier: MIT */
/**
 * @file uart.c
 * @brief The PC's first serial port, COM1, polled: cvisor's console
 *        (xv6's uart.c).
 *
 * COM1 is an 8250/16550-compatible UART at I/O ports 0x3f8..0x3ff (TI's
 * PC16550D datasheet, 8.4-8.6 for the registers). Polled, two registers
 * do the work: offset 0 sends the byte written (THR) and returns the byte
 * received (RBR); the line status register LSR (offset 5) says whether
 * the transmitter takes a byte (THRE, bit 5) and whether a received byte
 * waits (DR, bit 0). Nothing says the firmware set the line up (GRUB
 * does not unless told to), so the first use sets it: 115200 baud (the
 * divisor latch, DLAB in LCR, holds 1: 1.8432 MHz / 16 / 1), 8 data
 * bits, no parity, 1 stop bit, FIFOs on, the UART's interrupts off. Under
 * Bochs (com1: mode=file) the bytes go to a file whatever the rate.
 */
#include <cvisor/types.h>

#include "../hal_bare.h"
#include "hal_arch.h"

#define COM1 0x3f8
#define UART_THR 0 /* write, DLAB = 0 */
#define UART_RBR 0 /* read, DLAB = 0 */
#define UART_DLL 0 /* DLAB = 1: divisor, low byte */
#define UART_IER 1 /* DLAB = 0: interrupt enable */
#define UART_DLM 1 /* DLAB = 1: divisor, high byte */
#define UART_FCR 2 /* write: FIFO control */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07 /* FIFOs on, both cleared */
#define MCR_DTR_RTS 0x03      /* OUT2 off: the UART's interrupt stays off the PIC */
#define LSR_DR (1u << 0)
#define LSR_THRE (1u << 5)
#define LSR_TEMT (1u << 6) /* the holding and the shift register both empty */

static bool uart_ready;

/* Sets the line up once: 115200 8N1, FIFOs, no interrupts. */
static void uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
	uart_ready = true;
}

/* Sends one byte, waiting while the transmitter holds one. */
void bare_putc(char c)
{
	if (!uart_ready)
		uart_init();
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		;
	outb(COM1 + UART_THR, (uint8_t)c);
}

/* Returns the next received byte, or -1 if none is waiting. */
int bare_getc(void)
{
	if (!uart_ready)
		uart_init();
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}

/*
 * Waits until the UART has sent every byte it holds (LSR.TEMT): what
 * power.c writes last must be out before the machine stops (Bochs
 * writes a byte to its file only once its transmission time is over).
 */
void uart_flush(void)
{
	if (uart_ready)
		while (!(inb(COM1 + UART_LSR) & LSR_TEMT))
			;
}
