// SPDX-License-Identifier: MIT
// jump: with the MMU off, branches to a GPA that is neither RAM nor a
// device. The fetch is a stage-2 instruction abort: cvisor stops the VM and
// names the GPA.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "jump: branching to 0x1000_0000\n"
	li x0, 0x10000000
	br x0
