// SPDX-License-Identifier: MIT
// hostile_el0: exception entry and return between EL0 and EL1, thousands
// of times, every way a guest takes a synchronous exception, each time
// checking the state the architecture defines (ARM ARM D1.10 "Exception
// entry", D1.11 "Exception return"):
//   PSTATE after entry: EL1 (CurrentEL = 0x4), SPSel = 1 (SP_EL1),
//     D, A, I, F masked (DAIF = 0x3c0);
//   SPSR_EL1 = PSTATE before (M[3:0]: 0 EL0t, 4 EL1t, 5 EL1h);
//   ELR_EL1 = the preferred return address, ESR_EL1 = the syndrome;
//   the vector: VBAR_EL1 + 0x000 (current EL, SP_EL0), + 0x200 (current
//     EL, SP_ELx), + 0x400 (lower EL, AArch64);
//   the banked stack pointers: SP_EL1 as EL1h left it, SP_EL0 as EL0 and
//     EL1t left it, readable at EL1 with `mrs xN, sp_el0`.
// Each round: an SVC at EL1h and one at EL1t, then ERET to EL0, where SVC,
// UDF, BRK, an MRS of an EL1 register, HVC (both UNDEFINED at EL0: D1.12)
// and a branch to a misaligned PC (PC alignment fault, D1.10.2) each trap
// to EL1; a last SVC returns to EL1h. Any difference prints FAIL.
#include "guest.h"

#define ROUNDS 2000
#define STEPS 9                    // exceptions per round
#define S_STEP 0                   // offsets in `state`
#define S_EL1_SP 8
#define ENTRY 48                   // bytes per row of `expect`

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	ldr x0, =el0_stack_top
	msr sp_el0, x0
	isb
	mov x19, #0                 // rounds done
	adr x20, state

round:
	str xzr, [x20, #S_STEP]
	mov x0, sp
	str x0, [x20, #S_EL1_SP]
	.global l_svc20
l_svc20:
	svc #0x20                   // EL1h -> vector 0x200
	msr spsel, #0               // EL1t: the stack pointer is SP_EL0
	.global l_svc21
l_svc21:
	svc #0x21                   // EL1t -> vector 0x000
	msr spsel, #1
	adr x0, e_code
	msr elr_el1, x0
	msr spsr_el1, xzr           // EL0t, nothing masked
	eret
	.global round_back
round_back:                         // from the last SVC at EL0, in EL1h
	ldr x0, [x20, #S_STEP]
	check x0, STEPS, "exceptions in a round"
	add x19, x19, #1
	cmp x19, #ROUNDS
	b.lo round
	print "hostile_el0: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

// ---- EL0 -------------------------------------------------------------
	.global e_code, e_udf, e_brk, e_mrs, e_hvc, e_align, e_done
e_code:
	svc #0x10
e_udf:
	.inst 0x00000000            // UDF #0
e_brk:
	brk #3
e_mrs:
	mrs x0, sctlr_el1           // an EL1 register at EL0: UNDEFINED
e_hvc:
	hvc #0                      // UNDEFINED at EL0
	adr x4, e_align
	add x4, x4, #2
	br x4                       // PC alignment fault at e_align + 2
e_align:
	nop
e_done:
	svc #0x11                   // back to EL1h (round_back)
	b .

// ---- EL1: the exception handler -------------------------------------
// x9 = the vector offset taken. Checks the state on entry against the
// row of `expect` for this step, then returns to the row's resume address
// (and, for the last step, to EL1h). Uses x9..x15 only.
handle:
	mrs x10, CurrentEL
	check x10, 0x4, "CurrentEL on entry"
	mrs x10, SPSel
	check x10, 1, "SPSel on entry"
	mrs x10, DAIF
	check x10, 0x3c0, "DAIF on entry"
	mov x10, sp
	ldr x11, [x20, #S_EL1_SP]
	check_reg x10, x11, "SP (SP_EL1) on entry"
	mrs x10, sp_el0
	ldr x11, =el0_stack_top
	check_reg x10, x11, "SP_EL0 on entry"
	ldr x12, [x20, #S_STEP]
	adr x13, expect
	mov x14, #ENTRY
	madd x13, x12, x14, x13
	ldr x14, [x13, #0]
	mrs x10, esr_el1
	check_reg x10, x14, "ESR_EL1"
	ldr x14, [x13, #8]
	mrs x10, elr_el1
	check_reg x10, x14, "ELR_EL1"
	ldr x14, [x13, #24]
	check_reg x9, x14, "vector offset"
	ldr x14, [x13, #32]
	mrs x10, spsr_el1
	mov x11, #0x3cf
	and x10, x10, x11           // DAIF and M[3:0]
	check_reg x10, x14, "SPSR_EL1 (DAIF, M)"
	mrs x10, esr_el1
	lsr x10, x10, #26
	cmp x10, #0x22              // PC alignment: FAR_EL1 = the misaligned PC
	b.ne 1f
	mrs x10, far_el1
	ldr x14, [x13, #8]
	check_reg x10, x14, "FAR_EL1 of the PC alignment fault"
1:	add x12, x12, #1
	str x12, [x20, #S_STEP]
	ldr x14, [x13, #16]
	msr elr_el1, x14
	ldr x14, [x13, #40]
	cbz x14, 2f
	msr spsr_el1, x14
2:	eret

	.section .rodata
	.balign 8
// esr, elr, resume, vector, spsr & 0x3cf, spsr to return with (0: as taken)
expect:
	.quad 0x56000020, l_svc20 + 4, l_svc20 + 4, 0x200, 0x3c5, 0
	.quad 0x56000021, l_svc21 + 4, l_svc21 + 4, 0x000, 0x3c4, 0
	.quad 0x56000010, e_code + 4, e_code + 4, 0x400, 0, 0
	.quad 0x02000000, e_udf, e_udf + 4, 0x400, 0, 0
	.quad 0xf2000003, e_brk, e_brk + 4, 0x400, 0, 0
	.quad 0x02000000, e_mrs, e_mrs + 4, 0x400, 0, 0
	.quad 0x02000000, e_hvc, e_hvc + 4, 0x400, 0, 0
	.quad 0x8a000000, e_align + 2, e_align, 0x400, 0, 0
	.quad 0x56000011, e_done + 4, round_back, 0x400, 0, 0x3c5

	.data
	.balign 8
state:	.quad 0, 0

	.bss
	.balign 16
	.space 4096
el0_stack_top:

// ---- The vector table (D1.10.2): the synchronous entries of the three
// kinds used here go to `handle`; any other entry prints FAIL.
	.text
	.balign 2048
	.global vectors
vectors:
	.balign 0x80
	mov x9, #0x000
	b handle
	.rept 3
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	mov x9, #0x200
	b handle
	.rept 3
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	mov x9, #0x400
	b handle
	.rept 7
	.balign 0x80
	b guest_unexpected_vector
	.endr
