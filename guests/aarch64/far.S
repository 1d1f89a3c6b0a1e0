// SPDX-License-Identifier: MIT
// far: two accesses far away, with the MMU off. One is beyond the CPU's
// physical address range (44 bits on the simulated Cortex-A72): the guest
// takes that fault itself, an address size fault at level 0, through its
// own vector table. The other is inside the CPU's range but beyond what
// the VM has (the 40-bit IPA space): that one is a stage-2 fault and ends
// the VM (see the wild guest for the report). The first is made again by a
// SIMD&FP store pair, whose syndrome must say the same.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb

	ldr x1, =0xffff000000001000
	mov w2, #7
	.global far_store
far_store:
	str w2, [x1]
	// Data abort from the current EL: EC 0x25 -> 0x94000000, IL, WnR 0x40, DFSC 0x00.
	ldr x3, seen_esr
	check x3, 0x96000040, "ESR_EL1 of the far store"
	ldr x3, seen_far
	check_reg x3, x1, "FAR_EL1 of the far store"
	ldr x3, seen_elr
	adr x4, far_store
	check_reg x3, x4, "ELR_EL1 of the far store"

	// The same with a SIMD&FP store pair (memcpy's STP of Q registers):
	// the same syndrome, WnR set, and FAR the base register.
	mov x0, #(3 << 20)              // CPACR_EL1.FPEN: no trap of SIMD&FP
	msr cpacr_el1, x0
	isb
	.global far_simd_store
far_simd_store:
	stp q0, q1, [x1]
	ldr x3, seen_esr
	check x3, 0x96000040, "ESR_EL1 of the far SIMD&FP store pair"
	ldr x3, seen_far
	check_reg x3, x1, "FAR_EL1 of the far SIMD&FP store pair"
	ldr x3, seen_elr
	adr x4, far_simd_store
	check_reg x3, x4, "ELR_EL1 of the far SIMD&FP store pair"
	print "far: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

	.data
	.balign 8
seen_esr:	.quad 0
seen_far:	.quad 0
seen_elr:	.quad 0

	VECTORS vectors, sync_handler

sync_handler:
	stp x0, x1, [sp, #-16]!
	mrs x0, esr_el1
	adr x1, seen_esr
	str x0, [x1]
	mrs x0, far_el1
	adr x1, seen_far
	str x0, [x1]
	mrs x0, elr_el1
	adr x1, seen_elr
	str x0, [x1]
	add x0, x0, #4                  // skip the faulting store
	msr elr_el1, x0
	ldp x0, x1, [sp], #16
	eret
