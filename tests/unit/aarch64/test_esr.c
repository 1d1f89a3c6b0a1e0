/* SPDX-License-Identifier: MIT */
/*
 * ESR_EL2 decoding against a table of syndromes worked out by hand from
 * the ARM ARM (D17.2.37): each row spells out the fields it sets. The same
 * decoder serves the bare HAL (values the hardware wrote) and the
 * simulator (values it built), so these rows are the contract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/esr.h>

/* A data abort at GPA 0x0900_0018 (the PL011's FR) with the MMU off: FAR = GPA. */
#define GPA 0x09000018ULL
#define HPFAR ((GPA >> 12) << 4)

static void decode(uint64_t esr, struct vcpu_exit *e)
{
	struct a64_trap t = { .esr = esr, .far = GPA, .hpfar = HPFAR, .pc = 0x40080100 };
	a64_decode_trap(&t, e);
	assert_int_equal(e->pc, 0x40080100);
	assert_int_equal(e->syndrome, esr);
}

struct mmio_row {
	const char *insn;
	uint64_t esr;
	unsigned size, reg;
	bool write, sign_extend, reg_is_64;
};

/*
 * Stage-2 data aborts with a valid instruction syndrome. Common part:
 * EC 0x24 (bits 31:26) = 0x90000000, IL (bit 25) 0x02000000, ISV (bit 24)
 * 0x01000000 -> 0x93000000. Then SAS [23:22], SSE [21], SRT [20:16],
 * SF [15], AR [14], WnR [6], DFSC [5:0] (0x04+level: translation fault).
 */
static const struct mmio_row mmio_rows[] = {
	/* SAS=2 0x800000, SRT=3 0x30000, WnR 0x40, DFSC level 1 0x05 */
	{ "str w3, [x1]", 0x93830045, 4, 3, true, false, false },
	/* SAS=3 0xc00000, SRT=0, SF 0x8000, level 3 0x07 */
	{ "ldr x0, [x1]", 0x93c08007, 8, 0, false, false, true },
	/* SAS=0, SSE 0x200000, SRT=2 0x20000, level 2 0x06 */
	{ "ldrsb w2, [x1]", 0x93220006, 1, 2, false, true, false },
	/* SAS=1 0x400000, SSE, SRT=5 0x50000, SF */
	{ "ldrsh x5, [x1]", 0x93658005, 2, 5, false, true, true },
	/* SRT=31 0x1f0000: the zero register */
	{ "strb wzr, [x1]", 0x931f0045, 1, 31, true, false, false },
	/* SAS=2, SRT=1, AR 0x4000, WnR */
	{ "stlr w1, [x0]", 0x93814045, 4, 1, true, false, false },
	/* A permission fault at level 3 (DFSC 0x0f): a write to read-only RAM */
	{ "str w3, [x1] (read-only RAM)", 0x9383004f, 4, 3, true, false, false },
};

static void test_mmio_syndromes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mmio_rows) / sizeof(mmio_rows[0]); i++) {
		const struct mmio_row *r = &mmio_rows[i];
		struct vcpu_exit e;
		print_message("  %-32s ESR 0x%llx\n", r->insn, (unsigned long long)r->esr);
		decode(r->esr, &e);
		assert_int_equal(e.reason, EXIT_MMIO);
		assert_int_equal(e.mmio.gpa, GPA);
		assert_int_equal(e.mmio.size, r->size);
		assert_int_equal(e.mmio.reg, r->reg);
		assert_int_equal(e.mmio.write, r->write);
		assert_int_equal(e.mmio.sign_extend, r->sign_extend);
		assert_int_equal(e.mmio.reg_is_64, r->reg_is_64);
	}
}

static void test_mmio_write_data(void **state)
{
	(void)state;
	uint64_t x[31] = { 0 };
	struct vcpu_exit e;

	x[3] = 0x1122334455667788ULL;
	decode(0x93830045, &e); /* str w3, [x1] */
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0x55667788);

	x[0] = 0xdeadbeefcafef00dULL;
	decode(0x93c00047, &e); /* str x0, [x1]: SAS=3, SRT=0, WnR */
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0xdeadbeefcafef00dULL);

	decode(0x931f0045, &e); /* strb wzr: always 0 */
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0);
}

struct fault_row {
	const char *what;
	uint64_t esr;
	enum access_kind access;
	enum s2_fault_kind kind;
	int level;
	unsigned size;
	bool gva_valid;
};

/* Aborts that cannot be emulated: the VM is told why it stopped. */
static const struct fault_row fault_rows[] = {
	/* ISV=0 (stp, or writeback): 0x92000000, WnR, level 2 translation */
	{ "stp x1, x2, [x0]", 0x92000046, ACCESS_WRITE, S2F_TRANSLATION, 2, 0, true },
	/* FnV (bit 10): FAR not valid */
	{ "FAR not valid", 0x92000405, ACCESS_READ, S2F_TRANSLATION, 1, 0, false },
	/* S1PTW (bit 7): the guest's own table walk faulted at stage 2, level 3 */
	{ "stage-1 walk", 0x93830087, ACCESS_READ, S2F_TRANSLATION, 3, 4, true },
	/* DFSC 0x10: synchronous external abort */
	{ "external abort", 0x93830050, ACCESS_WRITE, S2F_OTHER, -1, 4, true },
	/* DFSC 0x00: address size fault, level 0 */
	{ "address size", 0x92000000, ACCESS_READ, S2F_ADDR_SIZE, 0, 0, true },
	/* DFSC 0x0b: access flag fault, level 3, without syndrome */
	{ "access flag", 0x9200000b, ACCESS_READ, S2F_ACCESS_FLAG, 3, 0, true },
	/* Instruction abort from the guest: EC 0x20 -> 0x80000000, IL, IFSC level 3 */
	{ "fetch", 0x82000007, ACCESS_EXEC, S2F_TRANSLATION, 3, 4, true },
	/* Instruction abort, permission fault level 2 (IFSC 0x0e) */
	{ "fetch from XN", 0x8200000e, ACCESS_EXEC, S2F_PERMISSION, 2, 4, true },
};

static void test_stage2_fault_syndromes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fault_rows) / sizeof(fault_rows[0]); i++) {
		const struct fault_row *r = &fault_rows[i];
		struct vcpu_exit e;
		print_message("  %-32s ESR 0x%llx\n", r->what, (unsigned long long)r->esr);
		decode(r->esr, &e);
		assert_int_equal(e.reason, EXIT_STAGE2_FAULT);
		assert_int_equal(e.s2fault.gpa, GPA);
		assert_int_equal(e.s2fault.gva, GPA);
		assert_int_equal(e.s2fault.access, r->access);
		assert_int_equal(e.s2fault.kind, r->kind);
		assert_int_equal(e.s2fault.level, r->level);
		assert_int_equal(e.s2fault.size, r->size);
		assert_int_equal(e.s2fault.gva_valid, r->gva_valid);
	}
}

static void test_hypercalls(void **state)
{
	(void)state;
	struct vcpu_exit e;
	uint64_t x[31];

	for (int i = 0; i < 31; i++)
		x[i] = 0x100 + (uint64_t)i;
	/* HVC #0: EC 0x16 -> 0x58000000, IL -> 0x5a000000 */
	decode(0x5a000000, &e);
	assert_int_equal(e.reason, EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.conduit, CONDUIT_HVC);
	assert_int_equal(e.hypercall.imm, 0);
	a64_exit_fill_operands(&e, x);
	for (int i = 0; i < 6; i++)
		assert_int_equal(e.hypercall.args[i], 0x100 + i);
	/* HVC #0x1234: the immediate is ISS[15:0] */
	decode(0x5a001234, &e);
	assert_int_equal(e.hypercall.imm, 0x1234);
	/* SMC #0: EC 0x17 -> 0x5c000000 | IL */
	decode(0x5e000000, &e);
	assert_int_equal(e.reason, EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.conduit, CONDUIT_SMC);
}

static void test_system_registers(void **state)
{
	(void)state;
	struct vcpu_exit e;
	uint64_t x[31] = { 0 };

	/*
	 * msr oslar_el1, x1: EC 0x18 -> 0x60000000 | IL = 0x62000000;
	 * ISS Op0=2 [21:20] 0x200000, Op2=4 [19:17] 0x80000, Op1=0, CRn=1
	 * [13:10] 0x400, Rt=1 [9:5] 0x20, CRm=0, Direction 0 (write).
	 */
	decode(0x62280420, &e);
	assert_int_equal(e.reason, EXIT_SYSREG);
	assert_int_equal(e.sysreg.id, SYSREG_OSLAR_EL1);
	assert_int_equal(e.sysreg.id, 0x8084);
	assert_true(e.sysreg.write);
	assert_int_equal(e.sysreg.reg, 1);
	x[1] = 1;
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.sysreg.value, 1);

	/* mrs x2, oslsr_el1: CRm=1 [4:1] 0x2, Rt=2 0x40, Direction 1 (read). */
	decode(0x62280443, &e);
	assert_int_equal(e.sysreg.id, SYSREG_OSLSR_EL1);
	assert_false(e.sysreg.write);
	assert_int_equal(e.sysreg.reg, 2);

	/* The encoder gives back the same ISS values. */
	assert_int_equal(a64_sysreg_iss(SYSREG_OSLAR_EL1, 1, false), 0x280420);
	assert_int_equal(a64_sysreg_iss(SYSREG_OSLSR_EL1, 2, true), 0x280443);
	/* mrs x3, cntpct_el0: Op0=3 0x300000, Op2=1 0x20000, Op1=3 0xc000, CRn=14 0x3800, Rt=3 0x60, CRm=0, read. */
	assert_int_equal(a64_sysreg_iss(SYSREG_CNTPCT_EL0, 3, true), 0x32f861);
}

static void test_wfi_and_unknown(void **state)
{
	(void)state;
	struct vcpu_exit e;

	/* WFI: EC 0x01 -> 0x04000000 | IL; WFE sets TI = 1. */
	decode(0x06000000, &e);
	assert_int_equal(e.reason, EXIT_HALT);
	decode(0x06000001, &e);
	assert_int_equal(e.reason, EXIT_HALT);

	/* A PC alignment fault (EC 0x22) never comes to EL2 with cvisor's routing. */
	decode(0x8a000000, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "EC 0x22 (PC_ALIGN)"));
	assert_non_null(strstr(e.fatal.msg, "ESR 0x8a000000"));
	/* A reserved EC. */
	decode(0xfc000000, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "EC 0x3f (?)"));
}

static void test_fault_address(void **state)
{
	(void)state;
	/* HPFAR_EL2.FIPA holds IPA[51:12] in bits [43:4]; FAR gives the page offset. */
	assert_int_equal(a64_fault_gpa(0x90000, 0xffff000000000abcULL), 0x9000abc);
	assert_int_equal(a64_hpfar_from_gpa(0x9000abc), 0x90000);
	assert_int_equal(a64_fault_gpa(a64_hpfar_from_gpa(0xff12345678ULL), 0x678), 0xff12345678ULL);
	/* Bits above FIPA are RES0 and ignored. */
	assert_int_equal(a64_fault_gpa(0xf000000000090000ULL, 0), 0x9000000);
}

static void test_names(void **state)
{
	(void)state;
	char buf[32];

	assert_string_equal(a64_ec_name(0x24), "DABT_LOW");
	assert_string_equal(a64_ec_name(0x16), "HVC64");
	assert_string_equal(a64_ec_name(0x3c), "BRK64");
	assert_string_equal(a64_ec_name(0x15), "SVC64");
	assert_string_equal(a64_ec_name(0x3f), "?");
	assert_string_equal(a64_sysreg_name(0x8084, buf, sizeof(buf)), "OSLAR_EL1");
	assert_string_equal(a64_sysreg_name(SYSREG_CNTP_CTL_EL0, buf, sizeof(buf)), "CNTP_CTL_EL0");
	assert_string_equal(a64_sysreg_name(A64_SYSREG(3, 0, 15, 2, 1), buf, sizeof(buf)),
			    "S3_0_C15_C2_1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmio_syndromes),
		cmocka_unit_test(test_mmio_write_data),
		cmocka_unit_test(test_stage2_fault_syndromes),
		cmocka_unit_test(test_hypercalls),
		cmocka_unit_test(test_system_registers),
		cmocka_unit_test(test_wfi_and_unknown),
		cmocka_unit_test(test_fault_address),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests_name("aarch64 esr", tests, NULL, NULL);
}
