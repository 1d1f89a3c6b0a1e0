// SPDX-License-Identifier: MIT
// hostile_pauth: the ID registers and the CPU's behaviour agree.
// - SVE, SME and MTE, which cvisor hides, read as absent
//   (ID_AA64PFR0_EL1.SVE, ID_AA64PFR1_EL1.MTE and .SME, ID_AA64ZFR0_EL1,
//   ID_AA64SMFR0_EL1 all 0: ARM ARM D17.2), and an SVE instruction (RDVL)
//   is an UNDEF (EC 0x00), as on a CPU without SVE, even with
//   CPACR_EL1.ZEN and FPEN letting it through at EL1.
// - Pointer authentication (ID_AA64ISAR1_EL1.APA/API/GPA/GPI,
//   ID_AA64ISAR2_EL1.APA3/GPA3): when present, the key registers start at
//   0 (no other VM's keys) and keep what is written, and PACIA then AUTIA
//   with the same modifier gives the pointer back (D8.8 "Pointer
//   authentication"); when absent, a key register and PACIA are UNDEFINED.
#include "guest.h"
#include "undef.h"

#define INSN_RDVL_X0_1 0x04bf5020      // RDVL X0, #1 (SVE)
#define INSN_PACIA_X0_X1 0xdac10020    // PACIA X0, X1 (FEAT_PAuth)
#define INSN_AUTIA_X0_X1 0xdac11020    // AUTIA X0, X1
#define SCTLR_ENIA (1 << 31)

	GUEST_RUNTIME

// The last exception was an UNDEF of the instruction at `at`; forget it.
.macro expect_undef at, what
	ldr x1, seen_esr
	check x1, UNDEF_ESR, "ESR_EL1 of \what"
	ldr x1, seen_elr
	adr x2, \at
	check_reg x1, x2, "ELR_EL1 of \what"
	adr x1, seen_esr
	str xzr, [x1]
.endm

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb

	// Hidden features.
	mrs x0, s3_0_c0_c4_0           // ID_AA64PFR0_EL1
	field_zero x0, 32, "ID_AA64PFR0_EL1.SVE"
	mrs x0, s3_0_c0_c4_1           // ID_AA64PFR1_EL1
	field_zero x0, 8, "ID_AA64PFR1_EL1.MTE"
	field_zero x0, 24, "ID_AA64PFR1_EL1.SME"
	mrs x0, s3_0_c0_c4_4           // ID_AA64ZFR0_EL1
	check x0, 0, "ID_AA64ZFR0_EL1"
	mrs x0, s3_0_c0_c4_5           // ID_AA64SMFR0_EL1
	check x0, 0, "ID_AA64SMFR0_EL1"
	mov x0, #(0x33 << 16)          // CPACR_EL1.FPEN = ZEN = 0b11: no EL1 trap
	msr cpacr_el1, x0
	isb
	.global rdvl_insn
rdvl_insn:
	.inst INSN_RDVL_X0_1
	expect_undef rdvl_insn, "RDVL"
	print "hostile_pauth: SVE, SME and MTE absent\n"

	// Pointer authentication: present if any of the fields is not 0.
	mrs x0, s3_0_c0_c6_1           // ID_AA64ISAR1_EL1
	mov x1, #0xff0                 // APA, API
	movk x1, #0xff00, lsl #16      // GPA, GPI
	and x2, x0, x1
	mrs x0, s3_0_c0_c6_2           // ID_AA64ISAR2_EL1
	and x0, x0, #0xff00            // GPA3, APA3
	orr x2, x2, x0
	cbz x2, absent

	.global key_read
key_read:
	mrs x0, s3_0_c2_c1_0           // APIAKeyLo_EL1
	check x0, 0, "APIAKeyLo_EL1 at boot"
	li x3, 0x6b657931
	msr s3_0_c2_c1_0, x3           // APIAKeyLo_EL1
	li x4, 0x6b657932
	msr s3_0_c2_c1_1, x4           // APIAKeyHi_EL1
	mrs x0, s3_0_c2_c1_0
	check_reg x0, x3, "APIAKeyLo_EL1 as written"
	mrs x0, s3_0_c2_c1_1
	check_reg x0, x4, "APIAKeyHi_EL1 as written"
	mov x0, #16                    // TCR_EL1.T0SZ = 16: 48-bit addresses, PAC above
	msr tcr_el1, x0
	mrs x0, sctlr_el1
	orr x0, x0, #SCTLR_ENIA
	msr sctlr_el1, x0
	isb
	adr x2, main                   // a pointer
	mov x0, x2
	li x1, 0x5eed                  // the modifier
	.inst INSN_PACIA_X0_X1
	cmp x0, x2
	b.ne 1f
	mov x17, x0
	adr x0, msg_no_pac
	bl guest_fail_value
1:	.inst INSN_AUTIA_X0_X1
	check_reg x0, x2, "AUTIA of the signed pointer"
	ldr x1, seen_count
	check x1, 1, "exceptions taken"
	print "hostile_pauth: pointer authentication present: keys kept, PACIA/AUTIA ok\n"
	b done

absent:
	.global absent_key
absent_key:
	mrs x0, s3_0_c2_c1_0           // APIAKeyLo_EL1
	expect_undef absent_key, "MRS APIAKeyLo_EL1"
	.global absent_pacia
absent_pacia:
	.inst INSN_PACIA_X0_X1
	expect_undef absent_pacia, "PACIA"
	ldr x1, seen_count
	check x1, 3, "exceptions taken"
	print "hostile_pauth: pointer authentication absent: keys and PACIA undefined\n"

done:
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

	.section .rodata
msg_no_pac:
	.asciz "PACIA left the pointer as it was"

	UNDEF_HANDLER
