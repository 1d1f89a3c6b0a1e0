// SPDX-License-Identifier: MIT
// sbi: the SBI through ecall: base extension discovery, cvisor's calls,
// the legacy console, set_timer, send_ipi's checks, and the registers the
// SBI preserves.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)

	sbi SBI_EXT_BASE, 0             // spec version
	check a1, 0x2000000, "SBI spec version 2.0"
	sbi SBI_EXT_BASE, 1             // implementation id
	check a1, 0x63767372, "implementation id (cvisor)"
	li a0, SBI_EXT_SRST
	sbi SBI_EXT_BASE, 3             // probe SRST
	check a1, 1, "probe SRST"
	li a0, 0x12345
	sbi SBI_EXT_BASE, 3             // probe an unknown extension
	check a1, 0, "probe unknown"

	li a0, 40
	li a1, 1
	li a2, 1
	li s2, 0x5a5a
	sbi SBI_EXT_CVISOR, CVISOR_ADD
	check a0, 0, "ADD error"
	check a1, 42, "cvisor ADD"
	check s2, 0x5a5a, "s2 preserved"
	sbi SBI_EXT_CVISOR, CVISOR_VCPU_ID
	check a1, 0, "cvisor VCPU_ID"
	sbi SBI_EXT_CVISOR, 99
	check a0, -2, "unknown cvisor call: SBI_ERR_NOT_SUPPORTED"

	li a0, 1000000
	sbi 0x54494d45, 0               // TIME set_timer
	check a0, 0, "set_timer"
	li a0, 0                        // IPI to no hart at all: nothing to do
	li a1, 0
	sbi 0x735049, 0
	check a0, 0, "send_ipi to an empty mask"
	li a0, 1                        // IPI to hart 5, which this VM does not have
	li a1, 5
	sbi 0x735049, 0
	check a0, -3, "send_ipi to a missing hart: SBI_ERR_INVALID_PARAM"
	li a0, 0x735049
	sbi SBI_EXT_BASE, 3             // probe IPI
	check a1, 1, "probe IPI"

	la s3, msg                      // legacy console putchar (EID 0x01)
1:	lbu a0, 0(s3)
	beqz a0, 2f
	sbi 0x01, 0
	addi s3, s3, 1
	j 1b
2:
	print "sbi: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	.section .rodata
msg:	.asciz "sbi: putchar ok\n"
