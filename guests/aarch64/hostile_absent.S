// SPDX-License-Identifier: MIT
// hostile_absent: the registers the CPU has but the ID registers cvisor
// shows say are absent (guests/aarch64/idregs.S prints those) are each an
// UNDEF (EC 0x00) at the access, as on a CPU without them (ARM ARM D17.3,
// D17.5): breakpoint and watchpoint 2 (ID_AA64DFR0_EL1.BRPs, WRPs = 1),
// and the PMU (PMUVer = 0: PMCR_EL0, PMCCNTR_EL0, PMUSERENR_EL0).
#include "guest.h"

#define UNDEF_ESR 0x02000000
#define GUEST_DFR0 0x101006

	GUEST_RUNTIME

// Prints "idregs: NAME VALUE" for the system register REG (clobbers x0..x9, x19).
.macro show name, reg
	print "idregs: \name "
	mrs x19, \reg
	mov x0, x19
	bl guest_puthex
	mov w0, #'\n'
	bl guest_putc
.endm

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

// Writes val to REG and reads back expected (both 32-bit constants).
.macro kept reg, val, expected, what
	li x3, \val
	msr \reg, x3
	mrs x1, \reg
	check x1, \expected, "\what"
.endm

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb
	undef "MRS DBGBVR2_EL1", mrs x0, dbgbvr2_el1
	undef "MSR DBGWCR2_EL1", msr dbgwcr2_el1, xzr
	undef "MRS PMCR_EL0", mrs x0, pmcr_el0
	undef "MSR PMCR_EL0", msr pmcr_el0, xzr
	undef "MRS PMCCNTR_EL0", mrs x0, pmccntr_el0
	undef "MRS PMUSERENR_EL0", mrs x0, pmuserenr_el0
	ldr x1, seen_count
	check x1, 6, "exceptions taken"
	print "hostile_absent: breakpoint 2, watchpoint 2, PMU undefined\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

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
