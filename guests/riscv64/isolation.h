// SPDX-License-Identifier: MIT
// The body of the two isolation guests (isolation_a.S, isolation_b.S),
// which run side by side as two VMs with the same RAM at the same GPAs.
// Each fills a page at GPA ISO_SHARED with its own tag and checks, 2000
// times over, that the page still holds it: the other VM writes its tag
// at the same GPA meanwhile, in its own memory. Then each reaches for
// GPA ISO_OTHER, RAM in VM b only: VM a must be stopped there (a stage-2
// fault, nothing read), VM b reads its own zeroed RAM and powers off.
#include "guest.h"

#define ISO_SHARED 0x81000000
#define ISO_OTHER 0x90000000
#define ISO_WORDS 512
#define ISO_ROUNDS 2000

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li s2, ISO_TAG
	li t1, ISO_SHARED
	li t2, ISO_WORDS
1:	sd s2, 0(t1)
	addi t1, t1, 8
	addi t2, t2, -1
	bnez t2, 1b
	li s3, ISO_ROUNDS
2:	li s4, ISO_SHARED
	li s5, ISO_WORDS
3:	ld t4, 0(s4)
	check_eq t4, s2, "a word of the page at GPA 0x81000000 changed"
	addi s4, s4, 8
	addi s5, s5, -1
	bnez s5, 3b
	addi s3, s3, -1
	bnez s3, 2b
	print ISO_NAME
	print ": the page at GPA 0x81000000 kept this VM's tag "
	mv a0, s2
	call guest_puthex
	print " through 2000 checks\n"
	print ISO_NAME
	print ": reading GPA 0x90000000\n"
	li t1, ISO_OTHER
	.global iso_other_read
iso_other_read:
	ld t4, 0(t1)
	check t4, 0, "GPA 0x90000000 holds data"
	print ISO_NAME
	print ": GPA 0x90000000 is this VM's own RAM, zeroed\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret
