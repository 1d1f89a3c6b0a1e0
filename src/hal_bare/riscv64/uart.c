/* SPDX-License-Identifier: MIT */
/**
 * @file uart.c
 * @brief The host's ns16550a UART, polled: cvisor's console (xv6's uart.c).
 *
 * Two of the 16550's byte-wide registers are enough without interrupts
 * (TI's PC16550D datasheet, 8.4 and 8.6): offset 0 sends the byte
 * written (THR) and returns the byte received (RBR); the line status
 * register LSR (offset 5) says whether the transmitter can take a byte
 * (THRE, bit 5) and whether a received byte is waiting (DR, bit 0). On
 * QEMU's virt machine the registers are one byte apart (the device
 * tree's reg-shift is 0), and OpenSBI has set the line up for its own
 * console already.
 */
#include <cvisor/types.h>

#include "../hal_bare.h"
#include "virt.h"

#define UART_THR 0 /* write */
#define UART_RBR 0 /* read */
#define UART_LSR 5
#define LSR_DR (1u << 0)
#define LSR_THRE (1u << 5)

static volatile uint8_t *uart_reg(unsigned off)
{
	return (volatile uint8_t *)(VIRT_UART + off);
}

/* Sends one byte, waiting while the transmitter holds one. */
void bare_putc(char c)
{
	while (!(*uart_reg(UART_LSR) & LSR_THRE))
		;
	*uart_reg(UART_THR) = (uint8_t)c;
}

/* Returns the next received byte, or -1 if none is waiting. */
int bare_getc(void)
{
	if (!(*uart_reg(UART_LSR) & LSR_DR))
		return -1;
	return *uart_reg(UART_RBR);
}
