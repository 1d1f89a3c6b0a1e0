// SPDX-License-Identifier: MIT
// csr: reads hstatus, a hypervisor CSR. From VS-mode that is a
// virtual-instruction trap to the hypervisor (Privileged 8.6.1), which
// cvisor does not emulate: it stops the VM naming the CSR.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	print "csr: reading hstatus\n"
	.global csr_read
csr_read:
	csrr a0, hstatus
	print "csr: still running\n"
	li a0, 1
	ld ra, 0(sp)
	addi sp, sp, 16
	ret
