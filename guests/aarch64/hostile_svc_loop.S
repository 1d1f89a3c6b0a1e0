// SPDX-License-Identifier: MIT
// hostile_svc_loop: SVC in a tight loop, each one taken by the guest's own
// handler, which returns with ERET. Every SVC is a guest exception entry
// (ARM ARM D1.10) and never an exit to the hypervisor, so the loop is one
// the hypervisor only sees from outside. Only the time limit
// (--max-seconds) or a signal ends it, with the VM's one-line report.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	adr x0, vectors
	msr vbar_el1, x0
	isb
	print "hostile_svc_loop: looping on SVC\n"
	.global svc_loop
svc_loop:
	svc #1                      // EC 0x15; ELR_EL1 = the next instruction
	.global svc_next
svc_next:
	b svc_loop

	VECTORS vectors, sync_handler

sync_handler:
	eret
