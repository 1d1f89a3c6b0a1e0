// SPDX-License-Identifier: MIT
// storm: the guest's own synchronous exception handler takes an undefined
// instruction, so every exception raises the next one inside the vector
// table. cvisor stops the VM and reports an exception storm.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "storm: faulting inside the vector table\n"
	adr x0, vectors
	msr vbar_el1, x0
	isb
	.inst 0x00000000            // UDF #0
	mov x0, #1
	ret

	.balign 2048
vectors:
	.rept 16
	.balign 0x80
	.inst 0x00000000            // the handler itself faults
	.endr
