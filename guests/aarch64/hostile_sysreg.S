// SPDX-License-Identifier: MIT
// hostile_sysreg: system register accesses the architecture makes
// UNDEFINED, and one the hypervisor traps but does not emulate. Each must
// reach the guest's own vector table as an exception with EC 0x00
// ("Unknown reason", ESR_EL1 = 0x0200_0000: EC 0, IL 1) and ELR_EL1 at the
// access, after which the guest goes on (ARM ARM D1.10 "Exception entry",
// D17.2.40 "ESR_EL1"):
//   MRS of OSLAR_EL1 (write-only) and MSR of OSLSR_EL1 (read-only) at EL1
//     (D17.3.22, D17.3.23: "UNDEFINED" for the other direction); an
//     UNDEFINED access takes priority over any trap to EL2 (D1.12.2);
//   MRS of DBGPRCR_EL1: trapped to EL2 by MDCR_EL2.TDOSA (D17.3.15),
//     which cvisor does not emulate: an UNDEF for the guest, as KVM does;
//   MRS and MSR of EL1 registers at EL0 (SCTLR_EL1, OSLSR_EL1, TPIDR_EL1):
//     UNDEFINED at EL0 (D1.12.2), taken to EL1 through the "lower EL"
//     vector (VBAR_EL1 + 0x400), never a trap to EL2.
// The OS lock, which cvisor emulates, still works afterwards.
#include "guest.h"

#define UNDEF_ESR 0x02000000
#define SVC_ESR 0x56000000         // EC 0x15, IL, imm16 0

	GUEST_RUNTIME

// The next exception must be an UNDEF at `at`: checks the log entry n.
.macro expect_undef n, at, what
	adr x1, log
	ldr x1, [x1, #(\n * 16)]
	check x1, UNDEF_ESR, "ESR_EL1 of \what"
	adr x1, log
	ldr x1, [x1, #(\n * 16 + 8)]
	adr x2, \at
	check_reg x1, x2, "ELR_EL1 of \what"
.endm

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb

	print "hostile_sysreg: undefined accesses at EL1\n"
	.global oslar_read
oslar_read:
	mrs x0, s2_0_c1_c0_4           // MRS OSLAR_EL1: write-only
	.global oslsr_write
oslsr_write:
	msr s2_0_c1_c1_4, x0           // MSR OSLSR_EL1: read-only
	.global dbgprcr_read
dbgprcr_read:
	mrs x0, s2_0_c1_c4_4           // DBGPRCR_EL1: trapped, not emulated
	expect_undef 0, oslar_read, "MRS OSLAR_EL1"
	expect_undef 1, oslsr_write, "MSR OSLSR_EL1"
	expect_undef 2, dbgprcr_read, "MRS DBGPRCR_EL1"

	print "hostile_sysreg: EL1 registers at EL0\n"
	adr x0, el0_code
	msr elr_el1, x0
	mov x0, #0x3c0                 // SPSR: EL0t, D, A, I, F masked
	msr spsr_el1, x0
	isb
	eret
el0_back:
	expect_undef 3, el0_sctlr, "MRS SCTLR_EL1 at EL0"
	expect_undef 4, el0_oslsr, "MRS OSLSR_EL1 at EL0"
	expect_undef 5, el0_tpidr, "MSR TPIDR_EL1 at EL0"
	adr x1, log
	ldr x1, [x1, #(6 * 16)]
	check x1, SVC_ESR, "ESR_EL1 of the SVC back to EL1"
	ldr x1, count
	check x1, 7, "exceptions taken"

	// The OS lock, emulated by cvisor, as the sysreg guest uses it.
	mov x1, #1
	msr oslar_el1, x1
	mrs x2, oslsr_el1
	mov x3, #0xb
	and x2, x2, x3
	check x2, 0xa, "OSLSR_EL1 with the lock set"
	msr oslar_el1, xzr
	mrs x2, oslsr_el1
	and x2, x2, x3
	check x2, 0x8, "OSLSR_EL1 with the lock clear"
	print "hostile_sysreg: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

// EL0: three UNDEFINED accesses, then SVC back to EL1 (no stack needed).
el0_code:
	.global el0_sctlr
el0_sctlr:
	mrs x0, sctlr_el1
	.global el0_oslsr
el0_oslsr:
	mrs x0, s2_0_c1_c1_4
	.global el0_tpidr
el0_tpidr:
	msr tpidr_el1, x0
	svc #0
	b .

	.data
	.balign 8
count:	.quad 0
log:	.fill 32, 8, 0                 // (ESR_EL1, ELR_EL1) of each exception

	.text
	.balign 2048
vectors:
	.rept 4
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	b sync_el1                     // 0x200: current EL with SP_EL1
	.rept 3
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	b sync_el0                     // 0x400: lower EL, AArch64
	.rept 7
	.balign 0x80
	b guest_unexpected_vector
	.endr

// Appends (ESR_EL1, ELR_EL1) to the log. Clobbers x0..x2.
record:
	adr x1, count
	ldr x0, [x1]
	add x2, x0, #1
	cmp x2, #16
	b.hi 1f                        // the log is full: keep counting only
	adr x1, log
	add x1, x1, x0, lsl #4
	mrs x2, esr_el1
	str x2, [x1]
	mrs x2, elr_el1
	str x2, [x1, #8]
1:	adr x1, count
	ldr x0, [x1]
	add x0, x0, #1
	str x0, [x1]
	ret

// From EL1: log it and resume after the faulting instruction.
sync_el1:
	stp x0, x1, [sp, #-32]!
	stp x2, x30, [sp, #16]
	bl record
	mrs x0, elr_el1
	add x0, x0, #4
	msr elr_el1, x0
	ldp x2, x30, [sp, #16]
	ldp x0, x1, [sp], #32
	eret

// From EL0: log it; an SVC returns to EL1 at el0_back, anything else to
// the EL0 instruction after the faulting one.
sync_el0:
	stp x0, x1, [sp, #-32]!
	stp x2, x30, [sp, #16]
	bl record
	mrs x0, esr_el1
	lsr x0, x0, #26
	cmp x0, #0x15
	b.eq 1f
	mrs x0, elr_el1
	add x0, x0, #4
	msr elr_el1, x0
	b 2f
1:	adr x0, el0_back
	msr elr_el1, x0
	mov x0, #0x3c5                 // SPSR: EL1h, D, A, I, F masked
	msr spsr_el1, x0
2:	ldp x2, x30, [sp, #16]
	ldp x0, x1, [sp], #32
	eret
