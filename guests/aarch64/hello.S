// SPDX-License-Identifier: MIT
// hello: prints a greeting through the PL011, checks that x0 points at a
// device tree (magic 0xd00dfeed, big-endian), asks PSCI for its version,
// and powers off.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-32]!
	str x19, [sp, #16]
	mov x19, x0
	print "Hello from cvisor guest (aarch64)!\n"

	ldr w0, [x19]
	rev w0, w0
	check x0, 0xd00dfeed, "device tree magic at x0"
	print "dtb ok\n"

	li x0, PSCI_VERSION
	hvc #0
	check x0, 0x10001, "PSCI version 1.1"

	mov x0, #0
	ldr x19, [sp, #16]
	ldp x29, x30, [sp], #32
	ret
