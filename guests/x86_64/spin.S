// SPDX-License-Identifier: MIT
// spin: loops forever without an exit. Only a time limit ends it.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "spin: looping forever\n"
1:	inc %rax
	jmp 1b
