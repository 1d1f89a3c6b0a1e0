// SPDX-License-Identifier: MIT
// ports: reads back COM1's registers through IN/OUT (the divisor latch
// behind LCR.DLAB, the scratch register, line status), and reads a port
// no device claims, which gives all ones as on a PC.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	mov $(COM1 + 7), %dx            // scratch register
	mov $0xa5, %al
	out %al, %dx
	xor %eax, %eax
	in %dx, %al
	check %rax, 0xa5, "SCR read-back"

	mov $(COM1 + 3), %dx            // LCR: DLAB
	mov $0x83, %al
	out %al, %dx
	mov $COM1, %dx
	mov $0x0c, %al
	out %al, %dx
	xor %eax, %eax
	in %dx, %al
	check %rax, 0x0c, "DLL"
	mov $(COM1 + 3), %dx
	mov $0x03, %al
	out %al, %dx

	mov $COM1_LSR, %dx
	xor %eax, %eax
	in %dx, %al
	check %rax, 0x60, "LSR"

	mov $0x80, %dx                  // the POST port: nobody there
	xor %eax, %eax
	in %dx, %al
	check %rax, 0xff, "unclaimed port reads all ones"
	mov $0x1234, %eax               // a 16-bit IN keeps the upper bits of EAX
	in %dx, %ax
	check %rax, 0xffff, "16-bit unclaimed read"

	print "ports: all ok\n"
	xor %eax, %eax
	ret
