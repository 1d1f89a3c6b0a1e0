// SPDX-License-Identifier: MIT
// svc: the guest installs its own vector table and takes three exceptions
// of its own: SVC, BRK and an undefined instruction. They are delivered to
// VBAR_EL1 (as HCR_EL2 routing does on hardware), never to the hypervisor.
// The handler records ESR_EL1 and ELR_EL1; the checks compare them with
// what the ARM ARM says each exception reports.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb

	.global svc_insn
svc_insn:
	svc #0x42
	// SVC: EC 0x15, IL, ISS = imm16; ELR is the next instruction.
	ldr x1, seen_esr
	check x1, 0x56000042, "ESR_EL1 of SVC #0x42"
	ldr x1, seen_elr
	adr x2, svc_insn + 4
	check_reg x1, x2, "ELR_EL1 after SVC"

	.global brk_insn
brk_insn:
	brk #7
	// BRK: EC 0x3c, IL, ISS = imm16; ELR is the BRK itself.
	ldr x1, seen_esr
	check x1, 0xf2000007, "ESR_EL1 of BRK #7"
	ldr x1, seen_elr
	adr x2, brk_insn
	check_reg x1, x2, "ELR_EL1 of BRK"

	.global udf_insn
udf_insn:
	.inst 0x00000000            // UDF #0
	// Unknown reason: EC 0x00, IL set.
	ldr x1, seen_esr
	check x1, 0x02000000, "ESR_EL1 of UDF"
	ldr x1, seen_elr
	adr x2, udf_insn
	check_reg x1, x2, "ELR_EL1 of UDF"

	ldr x1, seen_count
	check x1, 3, "exceptions taken"
	print "svc: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

	.data
	.balign 8
seen_esr:	.quad 0
seen_elr:	.quad 0
seen_count:	.quad 0

	VECTORS vectors, sync_handler

sync_handler:
	stp x0, x1, [sp, #-16]!
	mrs x0, esr_el1
	adr x1, seen_esr
	str x0, [x1]
	mrs x0, elr_el1
	adr x1, seen_elr
	str x0, [x1]
	adr x1, seen_count
	ldr x0, [x1]
	add x0, x0, #1
	str x0, [x1]
	// Resume after a BRK or UDF; an SVC's ELR already points past it.
	mrs x0, esr_el1
	lsr x0, x0, #26
	cmp x0, #0x15
	b.eq 1f
	mrs x0, elr_el1
	add x0, x0, #4
	msr elr_el1, x0
1:	ldp x0, x1, [sp], #16
	eret
