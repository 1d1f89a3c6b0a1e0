// SPDX-License-Identifier: MIT
// wild: stores to a GPA that is neither RAM nor a device. cvisor stops
// this VM with a report naming the GPA, the PC (wild_store) and the access.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "wild: storing to 0x7000_0000\n"
	mov $0x70000000, %rdi
	mov $5, %eax
	.global wild_store
wild_store:
	mov %eax, (%rdi)
	print "wild: still running\n"
	mov $1, %eax
	ret
