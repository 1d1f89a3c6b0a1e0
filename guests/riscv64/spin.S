// SPDX-License-Identifier: MIT
// spin: loops forever without an exit. Only a time limit ends it.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "spin: looping forever\n"
1:	addi t0, t0, 1
	j 1b
