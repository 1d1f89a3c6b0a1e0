// SPDX-License-Identifier: MIT
// mmio: writes and reads back 16550A registers with byte accesses, the
// divisor latch behind LCR.DLAB, the interrupt identification, and a
// sign-extending load; each access is a guest-page fault the hypervisor
// emulates from the transformed instruction in htinst.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	print "mmio: start\n"
	li s0, UART_BASE

	// Scratch register: a plain read-back.
	li t0, 0xa5
	sb t0, UART_SCR(s0)
	lbu t1, UART_SCR(s0)
	check t1, 0xa5, "SCR read-back"
	// A signed byte load of the same register: 0xa5 sign-extended.
	lb t2, UART_SCR(s0)
	check t2, -91, "LB sign extension"

	// Divisor latch: DLAB in LCR switches offsets 0 and 1.
	li t0, 0x83
	sb t0, UART_LCR(s0)
	li t0, 0x0c
	sb t0, 0(s0)
	sb zero, 1(s0)
	lbu t1, 0(s0)
	check t1, 0x0c, "DLL"
	li t0, 0x03
	sb t0, UART_LCR(s0)
	lbu t1, UART_LCR(s0)
	check t1, 0x03, "LCR 8N1"

	// Line status: transmitter empty, no data.
	lbu t1, UART_LSR(s0)
	check t1, 0x60, "LSR"
	// Interrupt identification: nothing pending, then THR empty once enabled.
	lbu t1, 2(s0)
	check t1, 0x01, "IIR idle"
	li t0, 0x02
	sb t0, UART_IER(s0)
	lbu t1, 2(s0)
	check t1, 0x02, "IIR THR empty"
	sb zero, UART_IER(s0)

	// A compressed store and load: c.sw/c.lw are 32-bit and the UART is
	// byte-wide, so use a byte register through a compressed-base register.
	addi s1, s0, UART_SCR
	li t0, 0x5a
	sb t0, 0(s1)
	lbu a2, 0(s1)
	check a2, 0x5a, "SCR through s1"

	print "mmio: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret
