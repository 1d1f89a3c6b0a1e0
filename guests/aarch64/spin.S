// SPDX-License-Identifier: MIT
// spin: loops forever without an exit. Only a time limit ends it.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "spin: looping forever\n"
	mov x1, #0
1:	add x1, x1, #1
	b 1b
