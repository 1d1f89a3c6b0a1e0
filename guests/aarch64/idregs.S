// SPDX-License-Identifier: MIT
// idregs: what a guest finds of the CPU, as cvisor shows it (ARM ARM D17.2,
// D17.3, D17.5), printed so that each CPU model's values can be compared.
// - The ID registers, one line each ("idregs: ID_AA64PFR0_EL1 0x..."): the
//   CPU's values with only what cvisor gives guests. Checked here whatever
//   the CPU: no SVE, SME, MTE, LORegions, VHE, AMU; ID_AA64DFR0_EL1 is
//   0x101006 (Armv8.0 debug, 2 breakpoints, 2 watchpoints, no PMU).
// - The debug unit those describe: MDSCR_EL1 and breakpoints and
//   watchpoints 0 and 1 keep what is written; an enabled breakpoint on an
//   instruction the guest runs never fires (cvisor never arms them in the
//   CPU); the debug communication channel and MDRAR_EL1 read 0.
// - ACTLR_EL1 reads 0 and ignores writes; LORID_EL1, MTE's GCR_EL1, SVE's
//   ZCR_EL1 and SME's SMCR_EL1 are UNDEFINED.
// hostile_absent.S tries the registers of the CPU that the ID registers
// say are absent (PMU, breakpoint 2).
// - The RAS error records: none (ERRIDR_EL1 0) when ID_AA64PFR0_EL1.RAS
//   says RAS is there, UNDEFINED when not (ERRSELR_EL1 and ERX*_EL1 are
//   not tried: with no record they are CONSTRAINED UNPREDICTABLE, and
//   QEMU 7.2's max has neither ERRSELR_EL1 nor ERXSTATUS_EL1).
#include "guest.h"
#include "undef.h"

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

	// The ID registers as the guest sees them.
	show ID_AA64PFR0_EL1, s3_0_c0_c4_0
	field_zero x19, 32, "ID_AA64PFR0_EL1.SVE"
	field_zero x19, 44, "ID_AA64PFR0_EL1.AMU"
	ubfx x21, x19, #28, #4         // RAS, for later
	show ID_AA64PFR1_EL1, s3_0_c0_c4_1
	field_zero x19, 8, "ID_AA64PFR1_EL1.MTE"
	field_zero x19, 24, "ID_AA64PFR1_EL1.SME"
	show ID_AA64ZFR0_EL1, s3_0_c0_c4_4
	check x19, 0, "ID_AA64ZFR0_EL1"
	show ID_AA64SMFR0_EL1, s3_0_c0_c4_5
	check x19, 0, "ID_AA64SMFR0_EL1"
	show ID_AA64DFR0_EL1, s3_0_c0_c5_0
	check x19, GUEST_DFR0, "ID_AA64DFR0_EL1"
	show ID_AA64DFR1_EL1, s3_0_c0_c5_1
	check x19, 0, "ID_AA64DFR1_EL1"
	show ID_AA64ISAR0_EL1, s3_0_c0_c6_0
	show ID_AA64ISAR1_EL1, s3_0_c0_c6_1
	show ID_AA64ISAR2_EL1, s3_0_c0_c6_2
	show ID_AA64MMFR0_EL1, s3_0_c0_c7_0
	show ID_AA64MMFR1_EL1, s3_0_c0_c7_1
	field_zero x19, 8, "ID_AA64MMFR1_EL1.VH"
	field_zero x19, 16, "ID_AA64MMFR1_EL1.LO"
	show ID_AA64MMFR2_EL1, s3_0_c0_c7_2
	show ID_PFR0_EL1, s3_0_c0_c1_0
	show ID_PFR1_EL1, s3_0_c0_c1_1
	show ID_DFR0_EL1, s3_0_c0_c1_2
	field_zero x19, 24, "ID_DFR0_EL1.PerfMon"
	show ID_DFR1_EL1, s3_0_c0_c3_5
	check x19, 0, "ID_DFR1_EL1"

	// The debug unit: kept per vCPU.
	kept mdscr_el1, 0xffffffff, 0xf001, "MDSCR_EL1: SS, TDCC, KDE, HDE, MDE kept"
	kept dbgbvr0_el1, 0x40080000, 0x40080000, "DBGBVR0_EL1"
	kept dbgbvr1_el1, 0x40081000, 0x40081000, "DBGBVR1_EL1"
	kept dbgbcr1_el1, 0x1e6, 0x1e6, "DBGBCR1_EL1"
	kept dbgwvr0_el1, 0x40082000, 0x40082000, "DBGWVR0_EL1"
	kept dbgwcr0_el1, 0x1ff6, 0x1ff6, "DBGWCR0_EL1"
	kept dbgwvr1_el1, 0x40083000, 0x40083000, "DBGWVR1_EL1"
	kept dbgwcr1_el1, 0x1fe6, 0x1fe6, "DBGWCR1_EL1"
	mrs x1, mdccsr_el0
	check x1, 0, "MDCCSR_EL0"
	mrs x1, mdrar_el1
	check x1, 0, "MDRAR_EL1"
	// Breakpoint 0 on `bp_target`, enabled for EL1 (BCR: E, PMC = 0b01 EL1, BAS 0xf), debug
	// exceptions unmasked (MDSCR_EL1.KDE, MDE; PSTATE.D clear): it must not fire.
	adr x1, bp_target
	msr dbgbvr0_el1, x1
	mov x1, #0x1e3
	msr dbgbcr0_el1, x1
	mrs x1, dbgbcr0_el1
	check x1, 0x1e3, "DBGBCR0_EL1"
	msr oslar_el1, xzr
	mov x1, #0xa000                // MDE, KDE
	msr mdscr_el1, x1
	isb
	msr daifclr, #8
	isb
	ldr x20, seen_count
bp_target:
	nop
	msr daifset, #8
	ldr x1, seen_count
	sub x1, x1, x20
	check x1, 0, "exceptions taken at an enabled breakpoint"
	msr dbgbcr0_el1, xzr
	msr mdscr_el1, xzr
	print "idregs: debug unit: 2 breakpoints, 2 watchpoints, kept, never fire\n"

	// What EL2 keeps from guests.
	kept actlr_el1, 0xffffffff, 0, "ACTLR_EL1"
	undef "MRS LORID_EL1", mrs x0, s3_0_c10_c4_7
	undef "MRS GCR_EL1", mrs x0, s3_0_c1_c0_6
	// CPACR_EL1.ZEN, FPEN, SMEN = 0b11: no EL1 trap in front of EL2's (with ZEN 0 a CPU with
	// SVE traps ZCR_EL1 to EL1 with EC 0x19 before EL2 sees it: D1.12.2).
	li x0, 0x3330000
	msr cpacr_el1, x0
	isb
	undef "MSR ZCR_EL1", msr s3_0_c1_c2_0, xzr
	undef "MRS SMCR_EL1", mrs x0, s3_0_c1_c2_6
	print "idregs: LOR, MTE, SVE, SME registers undefined\n"

	// RAS: no error records where RAS is; undefined where not.
	cbz x21, 1f
	mrs x1, s3_0_c5_c3_0           // ERRIDR_EL1
	check x1, 0, "ERRIDR_EL1"
	ldr x1, seen_count
	check x1, 4, "exceptions taken"
	print "idregs: RAS without error records\n"
	b 2f
1:	undef "MRS ERRIDR_EL1", mrs x0, s3_0_c5_c3_0
	ldr x1, seen_count
	check x1, 5, "exceptions taken"
	print "idregs: RAS absent, its registers undefined\n"
2:
	print "idregs: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

	UNDEF_HANDLER
