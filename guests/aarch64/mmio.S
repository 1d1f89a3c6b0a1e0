// SPDX-License-Identifier: MIT
// mmio: writes and reads back PL011 registers with accesses of 1, 2 and
// 4 bytes, sign-extending loads and the ID registers; each read is a data
// abort the hypervisor emulates.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	print "mmio: start\n"
	li x19, UART_BASE

	// 32-bit store and load: the integer baud rate divisor (16 bits wide).
	li w1, 0x12345
	str w1, [x19, #UART_IBRD]
	ldr w2, [x19, #UART_IBRD]
	check x2, 0x2345, "IBRD keeps 16 bits"

	// The fractional divisor keeps 6 bits.
	mov w1, #0xff
	str w1, [x19, #UART_FBRD]
	ldr w2, [x19, #UART_FBRD]
	check x2, 0x3f, "FBRD keeps 6 bits"

	// A byte store and load: line control (8 data bits, FIFOs on).
	mov w1, #0x70
	strb w1, [x19, #UART_LCR_H]
	ldrb w2, [x19, #UART_LCR_H]
	check x2, 0x70, "LCR_H byte access"

	// A halfword store and load: control register (UARTEN, TXE, RXE).
	mov w1, #0x301
	strh w1, [x19, #UART_CR]
	ldrh w2, [x19, #UART_CR]
	check x2, 0x301, "CR halfword access"

	// Interrupt mask, then the raw status shows the empty transmit FIFO.
	mov w1, #0x30
	str w1, [x19, #UART_IMSC]
	ldr w2, [x19, #UART_IMSC]
	check x2, 0x30, "IMSC"
	ldr w2, [x19, #UART_RIS]
	and w2, w2, #0x20
	check x2, 0x20, "RIS.TXRIS"

	// Flags: transmit FIFO empty, not full, not busy.
	ldr w2, [x19, #UART_FR]
	mov w3, #0xa8
	and w2, w2, w3
	check x2, 0x80, "FR: TXFE only"

	// Identification registers (PL011 TRM 3.3.14, 3.3.15).
	ldr w2, [x19, #UART_PERIPHID0]
	check x2, 0x11, "UARTPeriphID0"
	ldr w2, [x19, #(UART_PERIPHID0 + 4)]
	check x2, 0x10, "UARTPeriphID1"
	ldr w2, [x19, #UART_PCELLID0]
	check x2, 0x0d, "UARTPCellID0"

	// A sign-extending byte load of PCellID3 (0xb1) into a 64-bit register.
	ldrsb x2, [x19, #(UART_PCELLID0 + 12)]
	movn x3, #0x4e            // 0xffff_ffff_ffff_ffb1
	check_reg x2, x3, "LDRSB sign extension"

	// A register-offset load: the same register through [x19, x4].
	mov x4, #UART_IBRD
	ldr w5, [x19, x4]
	check x5, 0x2345, "register-offset load"

	print "mmio: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret
