// SPDX-License-Identifier: MIT
// hello: prints a greeting through the 16550A, checks that a1 points at a
// device tree (magic 0xd00dfeed, big-endian) and that a0 is hart 0, asks
// the SBI for its version, and shuts down.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -32
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	mv s0, a0
	mv s1, a1
	print "Hello from cvisor guest (riscv64)!\n"
	check s0, 0, "hart id in a0"
	lwu t0, 0(s1)
	li t1, 0xedfe0dd0          // 0xd00dfeed read little-endian
	check t0, 0xedfe0dd0, "device tree magic at a1"
	print "dtb ok\n"
	sbi SBI_EXT_BASE, 0        // sbi_get_spec_version
	check a0, 0, "SBI error"
	li t0, 0x2000000
	check a1, 0x2000000, "SBI 2.0"
	li a0, 0
	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	addi sp, sp, 32
	ret
