// SPDX-License-Identifier: MIT
// hostile_absent: the registers the CPU has but the ID registers cvisor
// shows say are absent (guests/aarch64/idregs.S prints those) are each an
// UNDEF (EC 0x00) at the access, as on a CPU without them (ARM ARM D17.3,
// D17.5): breakpoint and watchpoint 2 (ID_AA64DFR0_EL1.BRPs, WRPs = 1),
// and the PMU (PMUVer = 0: PMCR_EL0, PMCCNTR_EL0, PMUSERENR_EL0).
#include "guest.h"
#include "undef.h"

	GUEST_RUNTIME

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

	UNDEF_HANDLER
