/* SPDX-License-Identifier: MIT */
/*
 * What guests see of the CPU (src/arch/aarch64/sysreg.c): the ID registers
 * after a64_id_sanitise(), which registers trap and which cvisor emulates,
 * and the minimal debug unit vcpu_arch_sysreg() gives them.
 *
 * The sanitised values are worked out by hand from the field lists of ARM
 * ARM D17.2 (every ID field is 4 bits): from a CPU whose register reads all
 * ones, a guest reads exactly the fields cvisor keeps, plus those it sets.
 * E.g. ID_AA64PFR0_EL1: EL0 [3:0], EL1 [7:4], FP [19:16], AdvSIMD [23:20],
 * RAS [31:28], DIT [51:48], CSV2 [59:56], CSV3 [63:60] kept, 0xff0f0000f0ff00ff;
 * GIC [27:24] = 1 set: 0xff0f0000f1ff00ff. EL2 [11:8], EL3 [15:12], SVE
 * [35:32], SEL2, MPAM, AMU [47:44], RME read 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/sysreg.h>
#include <cvisor/arch.h>
#include <cvisor/vm.h>

#define ID(crm, op2) A64_SYSREG(3, 0, 0, crm, op2)

struct id_row {
	const char *name;
	uint32_t id;
	uint64_t from_ones, from_zero;
};

static const struct id_row id_rows[] = {
	{ "ID_PFR0_EL1 (all but AMU 23:20)", ID(1, 0), 0xffffffffff0fffffULL, 0 },
	/* Security 7:4, Virtualization 15:12, Virt_frac 27:24 hidden, GIC 31:28 = 1. */
	{ "ID_PFR1_EL1", ID(1, 1), 0xffffffff10ff0f0fULL, 0x10000000 },
	/* CopDbg 3:0, MMapDbg 11:8, MProfDbg 23:20. */
	{ "ID_DFR0_EL1", ID(1, 2), 0xf00f0f, 0 },
	{ "ID_DFR1_EL1", ID(3, 5), 0, 0 },
	{ "ID_MMFR0_EL1 (AArch32, as the CPU has it)", ID(1, 4), ~0ULL, 0 },
	{ "ID_AA64PFR0_EL1", ID(4, 0), 0xff0f0000f1ff00ffULL, 0x1000000 },
	/* BT 3:0, SSBS 7:4, RAS_frac 15:12, CSV2_frac 35:32; MTE 11:8, SME 27:24 hidden. */
	{ "ID_AA64PFR1_EL1", ID(4, 1), 0xf0000f0ffULL, 0 },
	{ "ID_AA64ZFR0_EL1", ID(4, 4), 0, 0 },
	{ "ID_AA64SMFR0_EL1", ID(4, 5), 0, 0 },
	/* DebugVer 6, BRPs 1 (15:12), WRPs 1 (23:20), nothing of the CPU's. */
	{ "ID_AA64DFR0_EL1", ID(5, 0), 0x101006, 0x101006 },
	{ "ID_AA64DFR1_EL1", ID(5, 1), 0, 0 },
	{ "ID_AA64AFR0_EL1", ID(5, 4), 0, 0 },
	{ "ID_AA64ISAR0_EL1", ID(6, 0), ~0ULL, 0 },
	{ "ID_AA64ISAR1_EL1 (all but LS64 63:60)", ID(6, 1), 0x0fffffffffffffffULL, 0 },
	/* RPRES 7:4, GPA3 11:8, APA3 15:12, BC 23:20, PAC_frac 27:24, CLRBHB 31:28, CSSC 55:52. */
	{ "ID_AA64ISAR2_EL1", ID(6, 2), 0x00f00000fff0fff0ULL, 0 },
	{ "ID_AA64MMFR0_EL1 (all but FGT 59:56)", ID(7, 0), 0xf0ffffffffffffffULL, 0 },
	/* VMIDBits 7:4, VH 11:8, LO 19:16, XNX 31:28, TWED 35:32, HCX 43:40 hidden. */
	{ "ID_AA64MMFR1_EL1", ID(7, 1), 0xfffff0f00ff0f00fULL, 0 },
	{ "ID_AA64MMFR2_EL1 (all but NV 27:24, FWB 43:40)", ID(7, 2), 0xfffff0fff0ffffffULL, 0 },
	{ "ID_AA64MMFR3_EL1 (newer than the table)", ID(7, 3), 0, 0 },
};

static void test_id_sanitise(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(id_rows) / sizeof(id_rows[0]); i++) {
		const struct id_row *r = &id_rows[i];
		if (a64_id_sanitise(r->id, ~0ULL) != r->from_ones ||
		    a64_id_sanitise(r->id, 0) != r->from_zero)
			fail_msg("%s: 0x%llx from all ones (want 0x%llx), 0x%llx from 0 (want 0x%llx)",
				 r->name, (unsigned long long)a64_id_sanitise(r->id, ~0ULL),
				 (unsigned long long)r->from_ones,
				 (unsigned long long)a64_id_sanitise(r->id, 0),
				 (unsigned long long)r->from_zero);
	}
}

/*
 * A CPU like QEMU 7.2's max with EL2 (the guest's value,
 * 0x1201000021110022, is what tests/bare/aarch64_idregs.sh reads there):
 * EL0 and EL1 AArch64 + AArch32 (2, 2), EL2 1, FP 1, AdvSIMD 1, GIC 1,
 * RAS 2, SVE 1, SEL2 1, DIT 1, CSV2 2, CSV3 1. The guest keeps EL0, EL1,
 * FP, AdvSIMD, GIC, RAS, DIT, CSV2, CSV3.
 */
static void test_id_sanitise_qemu_max(void **state)
{
	(void)state;
	assert_int_equal(a64_id_sanitise(ID(4, 0), 0x1201001121110122ULL), 0x1201000021110022ULL);
}

struct trap_row {
	const char *name;
	uint32_t id;
	bool write, trapped, emulated;
};

static const struct trap_row trap_rows[] = {
	{ "MDSCR_EL1", A64_SYSREG(2, 0, 0, 2, 2), true, true, true },
	{ "DBGBVR1_EL1", A64_SYSREG(2, 0, 0, 1, 4), false, true, true },
	{ "DBGWCR1_EL1", A64_SYSREG(2, 0, 0, 1, 7), true, true, true },
	{ "DBGBVR2_EL1 (beyond BRPs)", A64_SYSREG(2, 0, 0, 2, 4), false, true, false },
	{ "DBGWCR2_EL1 (beyond WRPs)", A64_SYSREG(2, 0, 0, 2, 7), true, true, false },
	{ "MDCCSR_EL0", A64_SYSREG(2, 3, 0, 1, 0), false, true, true },
	{ "MDRAR_EL1", A64_SYSREG(2, 0, 1, 0, 0), false, true, true },
	{ "DBGPRCR_EL1", A64_SYSREG(2, 0, 1, 4, 4), false, true, false },
	{ "trace unit TRCPRGCTLR (CPTR_EL2.TTA: not an MRS cvisor sees)", A64_SYSREG(2, 1, 0, 1, 0),
	  false, false, false },
	{ "PMCR_EL0", A64_SYSREG(3, 3, 9, 12, 0), false, true, false },
	{ "PMINTENSET_EL1", A64_SYSREG(3, 0, 9, 14, 1), true, true, false },
	{ "PMEVCNTR0_EL0", A64_SYSREG(3, 3, 14, 8, 0), false, true, false },
	{ "PMCCFILTR_EL0", A64_SYSREG(3, 3, 14, 15, 7), true, true, false },
	{ "CNTV_CTL_EL0 (a timer, not the PMU)", A64_SYSREG(3, 3, 14, 3, 1), false, true, true },
	{ "ACTLR_EL1", A64_SYSREG(3, 0, 1, 0, 1), true, true, true },
	{ "LORID_EL1", A64_SYSREG(3, 0, 10, 4, 7), false, true, false },
	{ "GCR_EL1", A64_SYSREG(3, 0, 1, 0, 6), false, true, false },
	{ "ERRIDR_EL1 (TERR only with RAS)", A64_SYSREG(3, 0, 5, 3, 0), false, false, true },
	{ "ERXSTATUS_EL1", A64_SYSREG(3, 0, 5, 4, 2), true, false, true },
	{ "CPUACTLR_EL1 (IMPLEMENTATION DEFINED)", A64_SYSREG(3, 1, 15, 2, 0), false, false, false },
	{ "SCTLR_EL1", A64_SYSREG(3, 0, 1, 0, 0), true, false, false },
};

static void test_trapped_emulated(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(trap_rows) / sizeof(trap_rows[0]); i++) {
		const struct trap_row *r = &trap_rows[i];
		if (a64_sysreg_trapped(r->id, r->write) != r->trapped ||
		    a64_sysreg_emulated(r->id, r->write) != r->emulated)
			fail_msg("%s: trapped %d (want %d), emulated %d (want %d)", r->name,
				 a64_sysreg_trapped(r->id, r->write), r->trapped,
				 a64_sysreg_emulated(r->id, r->write), r->emulated);
	}
}

/* One emulated access through vcpu_arch_sysreg(); returns what a read gives. */
static uint64_t access(struct vcpu *v, uint32_t id, bool write, uint64_t value)
{
	struct vcpu_exit e;

	memset(&e, 0, sizeof(e));
	e.reason = EXIT_SYSREG;
	e.sysreg.id = id;
	e.sysreg.write = write;
	e.sysreg.value = value;
	vcpu_arch_sysreg(v, &e);
	return e.sysreg.value;
}

static void test_debug_unit(void **state)
{
	static struct vm vm;
	static struct vcpu v;
	(void)state;

	v.vm = &vm;
	/* MDSCR_EL1 keeps SS (0), TDCC (12), KDE (13), HDE (14), MDE (15). */
	access(&v, A64_SYSREG(2, 0, 0, 2, 2), true, ~0ULL);
	assert_int_equal(access(&v, A64_SYSREG(2, 0, 0, 2, 2), false, 0), 0xf001);
	assert_int_equal(v.arch.mdscr_el1, 0xf001);
	/* Breakpoint 1's value and control, watchpoint 0's, each its own. */
	access(&v, A64_SYSREG(2, 0, 0, 1, 4), true, 0x40081000);
	access(&v, A64_SYSREG(2, 0, 0, 1, 5), true, 0x1e7);
	access(&v, A64_SYSREG(2, 0, 0, 0, 6), true, 0x40082000);
	assert_int_equal(access(&v, A64_SYSREG(2, 0, 0, 1, 4), false, 0), 0x40081000);
	assert_int_equal(access(&v, A64_SYSREG(2, 0, 0, 1, 5), false, 0), 0x1e7);
	assert_int_equal(access(&v, A64_SYSREG(2, 0, 0, 0, 6), false, 0), 0x40082000);
	assert_int_equal(access(&v, A64_SYSREG(2, 0, 0, 0, 4), false, 5), 0);
	assert_int_equal(v.arch.dbgbvr[1], 0x40081000);
	assert_int_equal(v.arch.dbgbcr[1], 0x1e7);
	assert_int_equal(v.arch.dbgwvr[0], 0x40082000);
	/* Read as zero, writes ignored. */
	access(&v, A64_SYSREG(2, 3, 0, 4, 0), true, 0x55);
	assert_int_equal(access(&v, A64_SYSREG(2, 3, 0, 4, 0), false, 7), 0);
	assert_int_equal(access(&v, A64_SYSREG(2, 3, 0, 1, 0), false, 7), 0);
	access(&v, A64_SYSREG(3, 0, 1, 0, 1), true, ~0ULL);
	assert_int_equal(access(&v, A64_SYSREG(3, 0, 1, 0, 1), false, 7), 0);
	assert_int_equal(access(&v, A64_SYSREG(3, 0, 5, 3, 0), false, 7), 0);
	/* DBGAUTHSTATUS_EL1: NSID, NSNID, SID, SNID "implemented, disabled". */
	assert_int_equal(access(&v, A64_SYSREG(2, 0, 7, 14, 6), false, 0), 0xaa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_sanitise),
		cmocka_unit_test(test_id_sanitise_qemu_max),
		cmocka_unit_test(test_trapped_emulated),
		cmocka_unit_test(test_debug_unit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
