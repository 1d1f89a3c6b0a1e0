// SPDX-License-Identifier: MIT
// mmio_pc: the same device accesses made three times each from the middle
// of a long translated block and from a block entered by a chained jump,
// where the simulator's PC is stale (the block's start, or the start of the
// block that jumped). The exits' PCs must be the accessing instructions
// (tests/sim/mmio_pc.sh reads them in --trace=exits), and each store to the
// PL011's data register must print its character once: the console shows
// "mmio_pc: aaabbbcccdedede" and nothing twice.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	print "mmio_pc: "
	li x19, UART_BASE
	mov x1, #0
	mov x2, #0

	// 1. A store and a load in the middle of one block of 84 instructions.
	mov x20, #3
	mov w0, #'a'
1:
	.rept 5
	add x1, x1, #1
	add x1, x1, #2
	add x1, x1, #3
	add x1, x1, #4
	add x1, x1, #5
	add x1, x1, #6
	add x1, x1, #7
	.endr
	add x1, x1, #1
	add x1, x1, #2
	add x1, x1, #3
	add x1, x1, #4
	add x1, x1, #5
	.global mid_store
mid_store:
	strb w0, [x19]
	.global mid_load
mid_load:
	ldr w3, [x19, #UART_FR]
	.rept 8
	eor x2, x2, x1, lsl #1
	eor x2, x2, x1, lsl #2
	eor x2, x2, x1, lsl #3
	eor x2, x2, x1, lsl #4
	eor x2, x2, x1, lsl #5
	.endr
	subs x20, x20, #1
	b.ne 1b

	// 2. The store in a block entered by a direct branch (chained), after a
	// block of 40 instructions in the same page.
	mov x20, #3
	mov w0, #'b'
2:
	.rept 5
	add x1, x1, #1
	add x1, x1, #2
	add x1, x1, #3
	add x1, x1, #4
	add x1, x1, #5
	add x1, x1, #6
	add x1, x1, #7
	.endr
	add x1, x1, #1
	add x1, x1, #2
	add x1, x1, #3
	add x1, x1, #4
	add x1, x1, #5
	b 3f
	udf #0
3:	add x1, x1, #1
	.global chained_store
chained_store:
	strb w0, [x19]
	subs x20, x20, #1
	b.ne 2b

	// 3. A store through a register offset, the register changed right
	// after it in the same block (the decoder must use the registers the
	// access saw: the scan runs while the store is being made).
	mov x20, #3
	mov w0, #'c'
	mov x21, #0
4:	add x1, x1, #1
	.global offset_store
offset_store:
	strb w0, [x19, x21]
	add x21, x21, #0
	eor x2, x2, x1
	subs x20, x20, #1
	b.ne 4b

	// 4. Two stores alike in one block, w23 changed between them: with the
	// registers of the second access both explain it (the first of this
	// block's accesses came from the first).
	// Registers used nowhere else, so that no earlier scan found these.
	mov x20, #3
	mov x22, x19
5:	mov w23, #'d'
	.global first_of_two
first_of_two:
	strb w23, [x22]
	mov w23, #'e'
	.global second_of_two
second_of_two:
	strb w23, [x22]
	subs x20, x20, #1
	b.ne 5b

	print "\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret
