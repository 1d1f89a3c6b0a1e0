// SPDX-License-Identifier: MIT
// hostile_int_loop: int3, then int $0x80, each handler returning to the
// instruction that trapped (RIP pushed minus its length): the guest takes
// the same exceptions forever without one VM exit. Only a stop request
// from the time limit can end it (issue 15, class 7).
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	IDT_GATE 3, bp_handler, 0x8e
	IDT_GATE 0x80, int80_handler, 0x8e
	lidt idtr(%rip)
	print "hostile_int_loop: looping on int3 and int $0x80\n"
	.global loop_int3, loop_int80
loop_int3:
	int3                            // 1 byte
loop_int80:
	int $0x80                       // 2 bytes
	jmp loop_int3

	.global bp_handler, int80_handler
bp_handler:
	incq count(%rip)
	cmpq $100000, count(%rip)
	je 1f
	decq (%rsp)                     // back to the int3
1:	iretq
int80_handler:
	subq $2, (%rsp)                 // back to the int $0x80
	iretq
	.global int_loop_end
int_loop_end:

	.data
	.balign 16
count:	.quad 0

	IDT
