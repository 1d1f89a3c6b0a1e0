// SPDX-License-Identifier: MIT
// trap: the guest installs its own trap handler and takes two exceptions
// of its own: an illegal instruction and a (compressed) ebreak. They go to
// stvec, as hedeleg delegates them to VS-mode on hardware, never to the
// hypervisor. The handler records scause, sepc and stval and skips the
// instruction (its length from its low bits).
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	la t0, handler
	csrw stvec, t0

	.global illegal_insn
illegal_insn:
	.half 0x0000                    // c.unimp: the all-zero parcel is defined illegal
	ld t0, seen_cause
	check t0, 2, "scause of an illegal instruction"
	ld t0, seen_epc
	la t1, illegal_insn
	check_eq t0, t1, "sepc of the illegal instruction"

	.global ebreak_insn
ebreak_insn:
	c.ebreak
	ld t0, seen_cause
	check t0, 3, "scause of ebreak"
	ld t0, seen_epc
	la t1, ebreak_insn
	check_eq t0, t1, "sepc of ebreak"

	ld t0, seen_count
	check t0, 2, "exceptions taken"
	print "trap: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	.balign 4
handler:
	addi sp, sp, -16
	sd t0, 0(sp)
	sd t1, 8(sp)
	csrr t0, scause
	la t1, seen_cause
	sd t0, 0(t1)
	csrr t0, sepc
	la t1, seen_epc
	sd t0, 0(t1)
	ld t0, seen_count
	addi t0, t0, 1
	la t1, seen_count
	sd t0, 0(t1)
	// Skip the instruction: 2 bytes if its low bits are not 11.
	csrr t0, sepc
	lhu t1, 0(t0)
	andi t1, t1, 3
	addi t0, t0, 2
	li a6, 3
	bne t1, a6, 1f
	addi t0, t0, 2
1:	csrw sepc, t0
	ld t0, 0(sp)
	ld t1, 8(sp)
	addi sp, sp, 16
	sret

	.data
	.balign 8
seen_cause:	.dword 0
seen_epc:	.dword 0
seen_count:	.dword 0
