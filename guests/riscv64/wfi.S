// SPDX-License-Identifier: MIT
// wfi: waits for an interrupt that no device of this VM can raise.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "wfi: waiting\n"
	wfi
	print "wfi: woke up\n"
	li a0, 1
	ret
