// SPDX-License-Identifier: MIT
// wild: stores to a GPA that is neither RAM nor a device. cvisor stops
// this VM with a report naming the GPA, the PC (wild_store) and the access.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	print "wild: storing to 0x7000_0000\n"
	li t0, 0x70000000
	li t1, 5
	.global wild_store
wild_store:
	sw t1, 0(t0)
	print "wild: still running\n"
	li a0, 1
	ld ra, 0(sp)
	addi sp, sp, 16
	ret
