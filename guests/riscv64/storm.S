// SPDX-License-Identifier: MIT
// storm: the guest's trap handler is itself an illegal instruction, so
// every exception raises the next one. cvisor stops the VM.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "storm: faulting inside the trap handler\n"
	la t0, handler
	csrw stvec, t0
	.word 0
	li a0, 1
	ret

	.balign 4
handler:
	.word 0
