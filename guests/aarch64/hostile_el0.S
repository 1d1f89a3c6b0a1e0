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
// Each round of the first part (MMU off): an SVC at EL1h and one at EL1t,
// then ERET to EL0, where SVC, UDF, BRK, an MRS of an EL1 register, HVC
// (both UNDEFINED at EL0: D1.12) and a branch to a misaligned PC (PC
// alignment fault, D1.10.2) each trap to EL1; a last SVC returns to EL1h.
// The second part turns the guest's MMU on and takes its own aborts: at
// EL1 a translation fault and a fetch from a PXN page; at EL0 SVC, a
// translation fault, a read of an EL1-only page, a write to a read-only
// page and a fetch from a UXN page (D8.4.1), each checked the same way,
// FAR_EL1 included. Any difference prints FAIL.
#include "guest.h"

#define ROUNDS 2000                // first part, MMU off
#define STEPS 9                    // exceptions per round
#define MMU_ROUNDS 1000            // second part, MMU on
#define MMU_STEPS 8
#define S_STEP 0                   // offsets in `state`
#define S_EL1_SP 8
#define S_EL0_SP 16                // SP_EL0 as EL0 left it
#define S_EXPECT 24                // the `expect` table of this part
#define ENTRY 56                   // bytes per row of `expect`

// Stage 1 (TTBR0, 39-bit VAs, 4 KiB granule, walks from level 1):
//   VA 0x0900_0000 2 MiB block -> the PL011, Device, EL1 only
//   VA 0x4000_0000 1 GiB block -> RAM, identity, EL1 only, UXN
//   VA 0x8000_0000 page -> el0_text, read-only at EL0 and EL1, PXN
//   VA 0x8000_1000 page -> el0_data, read-write at EL0 and EL1, UXN: EL0's stack
//   VA 0x8000_2000 invalid
//   VA 0x8000_3000 page -> el0_data, EL1 only
// Descriptor bits (D8.3): valid|table/page, AttrIndx[4:2], AP[1] (EL0)
// bit 6, AP[2] (read-only) bit 7, SH[9:8], AF bit 10, PXN 53, UXN 54.
#define VA_TEXT 0x80000000
#define VA_DATA 0x80001000
#define VA_NONE 0x80002000
#define VA_EL1 0x80003000
#define D_TABLE 0x3
#define D_BLOCK 0x1
#define D_PAGE 0x3
#define D_NORMAL ((0 << 2) | (3 << 8) | (1 << 10))
#define D_DEVICE ((1 << 2) | (1 << 10))
#define D_AP_EL0 (1 << 6)
#define D_AP_RO (1 << 7)
#define D_PXN (1 << 53)
#define D_UXN (1 << 54)

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
	ldr x0, =el0_stack_top
	str x0, [x20, #S_EL0_SP]
	adr x0, expect
	str x0, [x20, #S_EXPECT]

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
	print "hostile_el0: EL0 and EL1, MMU off: ok\n"

	// ---- Second part: the guest's own MMU on ----
	adr x2, l1
	MMU_TTBR0 x2
	MMU_ON
	li x0, (VA_DATA + 0x1000)
	msr sp_el0, x0
	str x0, [x20, #S_EL0_SP]
	adr x0, expect_mmu
	str x0, [x20, #S_EXPECT]
	mov x19, #0
mmu_round:
	str xzr, [x20, #S_STEP]
	mov x0, sp
	str x0, [x20, #S_EL1_SP]
	li x5, VA_NONE
	.global l_trans1
l_trans1:
	ldr x1, [x5]                // EL1: translation fault, level 3
	li x6, VA_TEXT
	.global l_pxn1
l_pxn1:
	blr x6                      // EL1: fetch from a PXN page
	li x0, VA_TEXT + (m_code - el0_text)
	msr elr_el1, x0
	msr spsr_el1, xzr
	eret
	.global mmu_round_back
mmu_round_back:
	ldr x0, [x20, #S_STEP]
	check x0, MMU_STEPS, "exceptions in a round with the MMU on"
	add x19, x19, #1
	cmp x19, #MMU_ROUNDS
	b.lo mmu_round
	print "hostile_el0: EL0 and EL1, MMU on: ok\n"
	print "hostile_el0: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

// ---- EL0 code of the second part, alone in its page (VA_TEXT) ----
	.balign 4096
el0_text:
m_code:
	svc #0x10
	li x5, VA_NONE
m_trans:
	ldr x1, [x5]                // translation fault
	li x6, VA_EL1
m_perm:
	ldr x1, [x6]                // EL1-only page: permission fault
	li x7, VA_TEXT
m_wperm:
	str x1, [x7]                // read-only page: permission fault (write)
	li x8, VA_DATA
m_uxn:
	br x8                       // UXN page: instruction abort
m_after:
	nop
m_done:
	svc #0x11
	b .
	.balign 4096

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
	ldr x11, [x20, #S_EL0_SP]
	check_reg x10, x11, "SP_EL0 on entry"
	ldr x12, [x20, #S_STEP]
	ldr x13, [x20, #S_EXPECT]
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
	ldr x14, [x13, #48]
	cbz x14, 1f                 // 0: this exception sets no FAR_EL1
	mrs x10, far_el1
	check_reg x10, x14, "FAR_EL1"
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
// esr, elr, resume, vector, spsr & 0x3cf, spsr to return with (0: as
// taken), far (0: not set)
#define EL0VA(l) (VA_TEXT + ((l) - el0_text))
expect:
	.quad 0x56000020, l_svc20 + 4, l_svc20 + 4, 0x200, 0x3c5, 0, 0
	.quad 0x56000021, l_svc21 + 4, l_svc21 + 4, 0x000, 0x3c4, 0, 0
	.quad 0x56000010, e_code + 4, e_code + 4, 0x400, 0, 0, 0
	.quad 0x02000000, e_udf, e_udf + 4, 0x400, 0, 0, 0
	.quad 0xf2000003, e_brk, e_brk + 4, 0x400, 0, 0, 0
	.quad 0x02000000, e_mrs, e_mrs + 4, 0x400, 0, 0, 0
	.quad 0x02000000, e_hvc, e_hvc + 4, 0x400, 0, 0, 0
	.quad 0x8a000000, e_align + 2, e_align, 0x400, 0, 0, e_align + 2
	.quad 0x56000011, e_done + 4, round_back, 0x400, 0, 0x3c5, 0
// Aborts: EC 0x25/0x24 data (current/lower EL), 0x21/0x20 instruction,
// IL, WnR (bit 6) for a write, FSC 0x07 translation level 3, 0x0f
// permission level 3.
expect_mmu:
	.quad 0x96000007, l_trans1, l_trans1 + 4, 0x200, 0x3c5, 0, VA_NONE
	.quad 0x8600000f, VA_TEXT, l_pxn1 + 4, 0x200, 0x3c5, 0, VA_TEXT
	.quad 0x56000010, EL0VA(m_code) + 4, EL0VA(m_code) + 4, 0x400, 0, 0, 0
	.quad 0x92000007, EL0VA(m_trans), EL0VA(m_trans) + 4, 0x400, 0, 0, VA_NONE
	.quad 0x9200000f, EL0VA(m_perm), EL0VA(m_perm) + 4, 0x400, 0, 0, VA_EL1
	.quad 0x9200004f, EL0VA(m_wperm), EL0VA(m_wperm) + 4, 0x400, 0, 0, VA_TEXT
	.quad 0x8200000f, VA_DATA, EL0VA(m_after), 0x400, 0, 0, VA_DATA
	.quad 0x56000011, EL0VA(m_done) + 4, mmu_round_back, 0x400, 0, 0x3c5, 0

// The tables (static: the image holds them, zeros included).
	.data
	.balign 4096
l1:
	.quad l2_lo + D_TABLE
	.quad 0x40000000 + D_NORMAL + D_BLOCK + D_UXN
	.quad l2_el0 + D_TABLE
	.balign 4096
l2_lo:
	.space 72 * 8
	.quad 0x09000000 + D_DEVICE + D_BLOCK + D_PXN + D_UXN
	.balign 4096
l2_el0:
	.quad l3_el0 + D_TABLE
	.balign 4096
l3_el0:
	.quad el0_text + D_NORMAL + D_PAGE + D_AP_EL0 + D_AP_RO + D_PXN
	.quad el0_data + D_NORMAL + D_PAGE + D_AP_EL0 + D_PXN + D_UXN
	.quad 0
	.quad el0_data + D_NORMAL + D_PAGE + D_PXN + D_UXN
	.balign 4096
el0_data:
	.space 4096

	.data
	.balign 8
state:	.quad 0, 0, 0, 0

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
