// SPDX-License-Identifier: MIT
// mmio_pc: the same device accesses made three times each from the middle
// of a long translated block and from a block entered by a chained jump,
// and two stores alike in one block. The exits' PCs must be the accessing
// instructions (tests/sim/mmio_pc.sh reads them in --trace=exits), and
// each store to the 16550's transmit register must print its character
// once: the console shows "mmio_pc: aaabbbdedede" and nothing twice.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	print "mmio_pc: "
	li s1, UART_BASE
	li t1, 0
	li t3, 0

	// 1. A store and a load in the middle of one block of 84 instructions.
	li s2, 3
	li a0, 'a'
1:
	.rept 5
	addi t1, t1, 1
	addi t1, t1, 2
	addi t1, t1, 3
	addi t1, t1, 4
	addi t1, t1, 5
	addi t1, t1, 6
	addi t1, t1, 7
	.endr
	addi t1, t1, 1
	addi t1, t1, 2
	addi t1, t1, 3
	addi t1, t1, 4
	addi t1, t1, 5
	.global mid_store
mid_store:
	sb a0, UART_THR(s1)
	.global mid_load
mid_load:
	lbu t2, UART_LSR(s1)
	slli t4, t3, 1
	xor t3, t3, t1
	slli t4, t3, 3
	xor t3, t3, t1
	slli t4, t3, 5
	xor t3, t3, t1
	slli t4, t3, 2
	xor t3, t3, t1
	slli t4, t3, 4
	xor t3, t3, t1
	slli t4, t3, 1
	xor t3, t3, t1
	slli t4, t3, 3
	xor t3, t3, t1
	slli t4, t3, 5
	xor t3, t3, t1
	slli t4, t3, 2
	xor t3, t3, t1
	slli t4, t3, 4
	xor t3, t3, t1
	slli t4, t3, 1
	xor t3, t3, t1
	slli t4, t3, 3
	xor t3, t3, t1
	slli t4, t3, 5
	xor t3, t3, t1
	slli t4, t3, 2
	xor t3, t3, t1
	slli t4, t3, 4
	xor t3, t3, t1
	slli t4, t3, 1
	xor t3, t3, t1
	slli t4, t3, 3
	xor t3, t3, t1
	slli t4, t3, 5
	xor t3, t3, t1
	slli t4, t3, 2
	xor t3, t3, t1
	slli t4, t3, 4
	xor t3, t3, t1
	addi s2, s2, -1
	bnez s2, 1b

	// 2. The store in a block entered by a direct jump (chained), after a
	// block of 40 instructions in the same page.
	li s2, 3
	li a0, 'b'
2:
	.rept 5
	addi t1, t1, 1
	addi t1, t1, 2
	addi t1, t1, 3
	addi t1, t1, 4
	addi t1, t1, 5
	addi t1, t1, 6
	addi t1, t1, 7
	.endr
	addi t1, t1, 1
	addi t1, t1, 2
	addi t1, t1, 3
	addi t1, t1, 4
	addi t1, t1, 5
	j 3f
	unimp
3:	addi t1, t1, 1
	.global chained_store
chained_store:
	sb a0, UART_THR(s1)
	addi s2, s2, -1
	bnez s2, 2b

	// 3. Two stores alike in one block, s5 changed between them: with the
	// registers of the second access both explain it (the first of this
	// block's accesses came from the first).
	// Registers used nowhere else, so that no earlier scan found these.
	li s2, 3
	mv s6, s1
4:	li s5, 'd'
	.global first_of_two
first_of_two:
	sb s5, UART_THR(s6)
	li s5, 'e'
	.global second_of_two
second_of_two:
	sb s5, UART_THR(s6)
	addi s2, s2, -1
	bnez s2, 4b

	print "\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret
