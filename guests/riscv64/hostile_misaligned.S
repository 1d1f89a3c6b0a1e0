// SPDX-License-Identifier: MIT
// hostile_misaligned: a misaligned load from the UART, lw at UART_BASE + 1.
// The 16550A has byte registers only: the access is a guest-page fault for
// the hypervisor (stval = the address, htval = its GPA >> 2, Privileged
// 8.6.3), and the device refuses it, so cvisor stops the VM and reports
// the access as the guest made it: 4 bytes at GPA 0x1000_0001 by the lw.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	print "hostile_misaligned: lw at UART + 1\n"
	li t0, UART_BASE
	nop                             // an instruction before it in the block
	.global misaligned_load
misaligned_load:
	lw t1, 1(t0)
	print "FAIL: the misaligned load completed\n"
	li a0, 1
	ld ra, 0(sp)
	addi sp, sp, 16
	ret
