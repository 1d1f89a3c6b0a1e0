// SPDX-License-Identifier: MIT
// The body of the two isolation guests (isolation_a.S, isolation_b.S),
// which run side by side as two VMs with the same RAM at the same GPAs.
// Each fills a page at GPA ISO_SHARED with its own tag and checks, 2000
// times over, that the page still holds it: the other VM writes its tag
// at the same GPA meanwhile, in its own memory. Then each reaches for
// GPA ISO_OTHER, RAM in VM b only: VM a must be stopped there (a stage-2
// fault, nothing read), VM b reads its own zeroed RAM and powers off.
#include "guest.h"

#define ISO_SHARED 0x41000000
#define ISO_OTHER 0x50000000
#define ISO_WORDS 512
#define ISO_ROUNDS 2000

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	ldr x2, =ISO_TAG
	li x1, ISO_SHARED
	mov x3, #ISO_WORDS
1:	str x2, [x1], #8
	subs x3, x3, #1
	b.ne 1b
	mov x5, #ISO_ROUNDS
2:	li x1, ISO_SHARED
	mov x3, #ISO_WORDS
3:	ldr x4, [x1], #8
	check_reg x4, x2, "a word of the page at GPA 0x41000000 changed"
	subs x3, x3, #1
	b.ne 3b
	subs x5, x5, #1
	b.ne 2b
	print ISO_NAME
	print ": the page at GPA 0x41000000 kept this VM's tag "
	ldr x0, =ISO_TAG
	bl guest_puthex
	print " through 2000 checks\n"
	print ISO_NAME
	print ": reading GPA 0x50000000\n"
	li x1, ISO_OTHER
	.global iso_other_read
iso_other_read:
	ldr x4, [x1]
	check x4, 0, "GPA 0x50000000 holds data"
	print ISO_NAME
	print ": GPA 0x50000000 is this VM's own RAM, zeroed\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret
