// SPDX-License-Identifier: MIT
// wild: stores to a GPA that is neither RAM nor a device. cvisor stops
// this VM with a report naming the GPA, the PC (wild_store) and the access.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	print "wild: storing to 0x7000_0000\n"
	li x1, 0x70000000
	mov w2, #5
	.global wild_store
wild_store:
	str w2, [x1]
	print "wild: still running\n"
	mov x0, #1
	ldp x29, x30, [sp], #16
	ret
