// SPDX-License-Identifier: MIT
// sysreg: the OS lock registers trap to the hypervisor (MDCR_EL2.TDOSA),
// which emulates them: lock, read the status, unlock, read it again.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	mov x1, #1
	msr oslar_el1, x1              // lock: a trapped write (id 0x8084)
	mrs x2, oslsr_el1              // a trapped read
	mov x6, #0xb
	and x2, x2, x6
	check x2, 0xa, "OSLSR_EL1 with the lock set (OSLM=0b10, OSLK=1)"
	msr oslar_el1, xzr             // unlock
	mrs x2, oslsr_el1
	mov x6, #0xb
	and x2, x2, x6
	check x2, 0x8, "OSLSR_EL1 with the lock clear"
	// An untrapped register works as usual.
	mrs x3, tpidr_el1
	li x4, 0x600dcafe
	msr tpidr_el1, x4
	mrs x5, tpidr_el1
	check x5, 0x600dcafe, "TPIDR_EL1"
	print "sysreg: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret
