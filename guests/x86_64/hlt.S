// SPDX-License-Identifier: MIT
// hlt: waits for an interrupt that no device of this VM can raise.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "hlt: waiting\n"
	hlt
	print "hlt: woke up\n"
	mov $1, %eax
	ret
