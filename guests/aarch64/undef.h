/* SPDX-License-Identifier: MIT */
/*
 * For guests that check which instructions are UNDEFINED for them (the
 * registers the ID registers cvisor shows say are absent): a synchronous
 * exception handler that records ESR_EL1 and ELR_EL1, counts, and resumes
 * after the instruction; macros that check an access against it.
 * Included after guest.h.
 */
#ifndef GUEST_AARCH64_UNDEF_H
#define GUEST_AARCH64_UNDEF_H

/* ESR_EL1 of an UNDEF: EC 0x00, IL (ARM ARM D17.2.37). */
#define UNDEF_ESR 0x02000000

// Field [lo+3:lo] of reg must be 0.
.macro field_zero reg, lo, what
	ubfx x1, \reg, #\lo, #4
	check x1, 0, "\what"
.endm

// Runs one instruction that must be an UNDEF (EC 0x00) at exactly that PC, and no other exception.
.macro undef what, insn:vararg
	ldr x20, seen_count
9990:	\insn
	ldr x1, seen_esr
	check x1, UNDEF_ESR, "ESR_EL1 of \what"
	ldr x1, seen_elr
	adr x2, 9990b
	check_reg x1, x2, "ELR_EL1 of \what"
	ldr x1, seen_count
	sub x1, x1, x20
	check x1, 1, "exceptions taken by \what"
	adr x1, seen_esr
	str xzr, [x1]
.endm

// The handler's records (seen_esr, seen_elr, seen_count), the vector table
// `vectors` (VBAR_EL1) and its synchronous handler.
.macro UNDEF_HANDLER
	.data
	.balign 8
seen_esr:	.quad 0
seen_elr:	.quad 0
seen_count:	.quad 0

	VECTORS vectors, sync_handler

// Records ESR_EL1 and ELR_EL1, resumes after the instruction.
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
	mrs x0, elr_el1
	add x0, x0, #4
	msr elr_el1, x0
	ldp x0, x1, [sp], #16
	eret
.endm

#endif
