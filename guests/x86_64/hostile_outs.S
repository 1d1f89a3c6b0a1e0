// SPDX-License-Identifier: MIT
// hostile_outs: `rep outsb` of "SNEAKY" to COM1. The exit decoder refuses
// string I/O (exit qualification bit 4, SDM Vol. 3C table 28-5), so the
// simulator must stop the VM with that report instead of running it byte
// by byte behind the decoder's back (issue 15, class 11).
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "hostile_outs: rep outsb to COM1\n"
	lea sneaky(%rip), %rsi
	mov $6, %ecx
	mov $COM1, %dx
	.global outs_insn
outs_insn:
	rep outsb
	print "\nhostile_outs: string I/O ran\n"
	xor %eax, %eax
	ret

	.section .rodata
sneaky:	.ascii "SNEAKY"
