// SPDX-License-Identifier: MIT
// lab0: the guest of lab 0 (labs/0-setup/README.md), a student's first own
// guest. It prints a greeting through the PL011, asks the hypervisor for
// the PSCI version (an HVC, Arm DEN0022 5.1.1 PSCI_VERSION) and checks the
// answer, prints it, asks for the SMCCC version (Arm DEN0028 7.2.1), then
// returns 0: the runtime of guest.h powers the VM off (PSCI SYSTEM_OFF).
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	// LAB 0 BEGIN: write main in guests/aarch64/lab0.S: print, make two calls, check them
	print "lab0: hello from my own guest\n"

	// PSCI_VERSION: x0 = function ID in, the version out (1.1 = 0x10001).
	li x0, PSCI_VERSION
	hvc #0
	check x0, 0x10001, "PSCI_VERSION"
	mov x19, x0
	print "lab0: PSCI version "
	mov x0, x19
	bl guest_puthex
	print "\n"

	// SMCCC_VERSION through the same conduit: 1.1 as well.
	li x0, SMCCC_VERSION
	hvc #0
	check x0, 0x10001, "SMCCC_VERSION"
	print "lab0: all ok\n"
	mov x0, #0
	// LAB 0 STUB
	// print "lab 0: implement main in guests/aarch64/lab0.S (labs/0-setup/README.md)\n"
	// mov x0, #1
	// LAB 0 END
	ldp x29, x30, [sp], #16
	ret
