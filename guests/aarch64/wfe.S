// SPDX-License-Identifier: MIT
// wfe: WFE may complete at any time (ARM ARM D1.6.1): a guest that waits
// for an event, as a spinning lock does, goes on, in the simulator as on
// hardware, where cvisor does not trap WFE.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	sevl                    // a local event: the first WFE completes at once
	wfe
	wfe
	print "wfe: went on\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret
