/* SPDX-License-Identifier: MIT */
/**
 * @file uart.c
 * @brief The host's PL011 UART, polled: cvisor's console (xv6's uart.c).
 *
 * Two registers are enough without interrupts (PL011 TRM 3.3):
 * UARTDR (offset 0x000) sends the byte written and returns the byte
 * received; UARTFR (offset 0x018) says whether the transmit FIFO is full
 * (TXFF, bit 5) and whether the receive FIFO is empty (RXFE, bit 4).
 * QEMU's PL011 needs no baud rate or enable set-up.
 */
#include <cvisor/types.h>

#include "../hal_bare.h"
#include "virt.h"

#define UART_DR 0x000
#define UART_FR 0x018
#define FR_TXFF (1u << 5)
#define FR_RXFE (1u << 4)

static volatile uint32_t *uart_reg(unsigned off)
{
	return (volatile uint32_t *)(VIRT_UART + off);
}

/* Sends one byte, waiting while the transmit FIFO is full. */
void bare_putc(char c)
{
	while (*uart_reg(UART_FR) & FR_TXFF)
		;
	*uart_reg(UART_DR) = (uint8_t)c;
}

/* Returns the next received byte, or -1 if none is waiting. */
int bare_getc(void)
{
	if (*uart_reg(UART_FR) & FR_RXFE)
		return -1;
	return (int)(*uart_reg(UART_DR) & 0xff);
}
