/* SPDX-License-Identifier: MIT */
/*
 * A64 load/store decoding. The instruction words were produced by the GNU
 * assembler (aarch64-linux-gnu-as -march=armv8.4-a) from the text in each
 * row; the expected fields are read off the ARM ARM's encoding diagrams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/esr.h>
#include <arch/insn.h>

struct row {
	uint32_t insn;
	const char *text;
	bool load, pair, sext, dest64, acqrel, excl;
	unsigned size, rt, rn;
	enum a64_addr_mode mode;
	int64_t imm;
};

#define L true
#define S false
static const struct row rows[] = {
	{ 0xb9000023, "str w3, [x1]", S, 0, 0, 0, 0, 0, 4, 3, 1, A64_AM_IMM, 0 },
	{ 0xf9400820, "ldr x0, [x1, #16]", L, 0, 0, 0, 0, 0, 8, 0, 1, A64_AM_IMM, 16 },
	{ 0x397ffc44, "ldrb w4, [x2, #4095]", L, 0, 0, 0, 0, 0, 1, 4, 2, A64_AM_IMM, 4095 },
	{ 0x794007e5, "ldrh w5, [sp, #2]", L, 0, 0, 0, 0, 0, 2, 5, 31, A64_AM_IMM, 2 },
	{ 0x39c00022, "ldrsb w2, [x1]", L, 0, 1, 0, 0, 0, 1, 2, 1, A64_AM_IMM, 0 },
	{ 0x39800422, "ldrsb x2, [x1, #1]", L, 0, 1, 1, 0, 0, 1, 2, 1, A64_AM_IMM, 1 },
	{ 0x79800025, "ldrsh x5, [x1]", L, 0, 1, 1, 0, 0, 2, 5, 1, A64_AM_IMM, 0 },
	{ 0xb98008e6, "ldrsw x6, [x7, #8]", L, 0, 1, 1, 0, 0, 4, 6, 7, A64_AM_IMM, 8 },
	{ 0x3900003f, "strb wzr, [x1]", S, 0, 0, 0, 0, 0, 1, 31, 1, A64_AM_IMM, 0 },
	{ 0xb85fc041, "ldur w1, [x2, #-4]", L, 0, 0, 0, 0, 0, 4, 1, 2, A64_AM_IMM, -4 },
	{ 0xf8408c41, "ldr x1, [x2, #8]!", L, 0, 0, 0, 0, 0, 8, 1, 2, A64_AM_PRE, 8 },
	{ 0xb81f0441, "str w1, [x2], #-16", S, 0, 0, 0, 0, 0, 4, 1, 2, A64_AM_POST, -16 },
	{ 0xb8404841, "ldtr w1, [x2, #4]", L, 0, 0, 0, 0, 0, 4, 1, 2, A64_AM_IMM, 4 },
	{ 0x18000049, "ldr w9, .+8", L, 0, 0, 0, 0, 0, 4, 9, 2, A64_AM_LITERAL, 8 },
	{ 0x98ffffe9, "ldrsw x9, .-4", L, 0, 1, 1, 0, 0, 4, 9, 31, A64_AM_LITERAL, -4 },
	{ 0xa9bf0be1, "stp x1, x2, [sp, #-16]!", S, 1, 0, 0, 0, 0, 8, 1, 31, A64_AM_PRE, -16 },
	{ 0x294110a3, "ldp w3, w4, [x5, #8]", L, 1, 0, 0, 0, 0, 4, 3, 5, A64_AM_IMM, 8 },
	{ 0x68c110a3, "ldpsw x3, x4, [x5], #8", L, 1, 1, 1, 0, 0, 4, 3, 5, A64_AM_POST, 8 },
	{ 0x885f7c41, "ldxr w1, [x2]", L, 0, 0, 0, 0, 1, 4, 1, 2, A64_AM_IMM, 0 },
	{ 0xc803fc41, "stlxr w3, x1, [x2]", S, 0, 0, 0, 1, 1, 8, 1, 2, A64_AM_IMM, 0 },
	{ 0xc87f8861, "ldaxp x1, x2, [x3]", L, 1, 0, 0, 1, 1, 8, 1, 3, A64_AM_IMM, 0 },
	{ 0xc8dffc41, "ldar x1, [x2]", L, 0, 0, 0, 1, 0, 8, 1, 2, A64_AM_IMM, 0 },
	{ 0x889ffc01, "stlr w1, [x0]", S, 0, 0, 0, 1, 0, 4, 1, 0, A64_AM_IMM, 0 },
	{ 0xb8bfc041, "ldapr w1, [x2]", L, 0, 0, 0, 1, 0, 4, 1, 2, A64_AM_IMM, 0 },
};
#undef L
#undef S

static void test_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct a64_ldst ld;
		print_message("  %08x  %s\n", r->insn, r->text);
		assert_true(a64_decode_ldst(r->insn, &ld));
		assert_int_equal(ld.is_load, r->load);
		assert_int_equal(ld.is_pair, r->pair);
		assert_int_equal(ld.sign_extend, r->sext);
		assert_int_equal(ld.dest_64, r->dest64);
		assert_int_equal(ld.acq_rel, r->acqrel);
		assert_int_equal(ld.exclusive, r->excl);
		assert_int_equal(ld.size, r->size);
		assert_int_equal(ld.rt, r->rt);
		if (r->mode != A64_AM_LITERAL)
			assert_int_equal(ld.rn, r->rn);
		assert_int_equal(ld.mode, r->mode);
		assert_int_equal(ld.imm, r->imm);
	}
}

static void test_register_offsets(void **state)
{
	(void)state;
	struct a64_ldst ld;
	uint64_t x[31] = { 0 };

	x[2] = 0x40000000;
	x[3] = 0xffffffff00000010ULL; /* upper half set: shows which extend is used */

	assert_true(a64_decode_ldst(0xb8636841, &ld)); /* ldr w1, [x2, x3] */
	assert_int_equal(ld.mode, A64_AM_REG);
	assert_int_equal(ld.rm, 3);
	assert_int_equal(ld.shift, 0);
	assert_int_equal(a64_ldst_address(&ld, 0, x, 0), 0x40000000ULL + 0xffffffff00000010ULL);

	assert_true(a64_decode_ldst(0xf8635841, &ld)); /* ldr x1, [x2, w3, uxtw #3] */
	assert_int_equal(ld.extend, 2);
	assert_int_equal(ld.shift, 3);
	assert_int_equal(a64_ldst_address(&ld, 0, x, 0), 0x40000000 + 0x80);

	x[3] = 0xfffffff0; /* -16 as a 32-bit value */
	assert_true(a64_decode_ldst(0x7863c841, &ld)); /* ldrh w1, [x2, w3, sxtw] */
	assert_int_equal(ld.extend, 6);
	assert_int_equal(ld.size, 2);
	assert_int_equal(a64_ldst_address(&ld, 0, x, 0), 0x40000000 - 16);

	x[3] = 2;
	assert_true(a64_decode_ldst(0xf8237841, &ld)); /* str x1, [x2, x3, lsl #3] */
	assert_false(ld.is_load);
	assert_int_equal(ld.shift, 3);
	assert_int_equal(a64_ldst_address(&ld, 0, x, 0), 0x40000010);
}

static void test_addresses(void **state)
{
	(void)state;
	struct a64_ldst ld;
	uint64_t x[31] = { 0 };
	uint64_t sp = 0x40090000;

	x[1] = 0x09000000;
	x[2] = 0x40001000;
	assert_true(a64_decode_ldst(0xf9400820, &ld)); /* ldr x0, [x1, #16] */
	assert_int_equal(a64_ldst_address(&ld, 0, x, sp), 0x09000010);
	assert_true(a64_decode_ldst(0x794007e5, &ld)); /* ldrh w5, [sp, #2]: Rn 31 is SP */
	assert_int_equal(a64_ldst_address(&ld, 0, x, sp), 0x40090002);
	assert_true(a64_decode_ldst(0xb85fc041, &ld)); /* ldur w1, [x2, #-4] */
	assert_int_equal(a64_ldst_address(&ld, 0, x, sp), 0x40000ffc);
	assert_true(a64_decode_ldst(0xf8408c41, &ld)); /* ldr x1, [x2, #8]!: pre-index */
	assert_int_equal(a64_ldst_address(&ld, 0, x, sp), 0x40001008);
	assert_true(a64_decode_ldst(0xb81f0441, &ld)); /* str w1, [x2], #-16: post-index uses the base */
	assert_int_equal(a64_ldst_address(&ld, 0, x, sp), 0x40001000);
	assert_true(a64_decode_ldst(0x18000049, &ld)); /* ldr w9, .+8 */
	assert_int_equal(a64_ldst_address(&ld, 0x40080040, x, sp), 0x40080048);
	assert_true(a64_decode_ldst(0xa9bf0be1, &ld)); /* stp x1, x2, [sp, #-16]! */
	assert_int_equal(a64_ldst_address(&ld, 0, x, sp), 0x4008fff0);
}

static void test_dabt_esr(void **state)
{
	(void)state;
	struct a64_ldst ld;

	/* str w3, [x1]: EC 0x24, IL, ISV, SAS=2, SRT=3, WnR, DFSC 0x05 */
	assert_true(a64_decode_ldst(0xb9000023, &ld));
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(1)), 0x93830045);
	/* ldrsh x5, [x1]: SAS=1, SSE, SRT=5, SF */
	assert_true(a64_decode_ldst(0x79800025, &ld));
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(1)), 0x93658005);
	/* ldrsb w2, [x1]: SSE, 32-bit destination: SF clear */
	assert_true(a64_decode_ldst(0x39c00022, &ld));
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(2)), 0x93220006);
	/* ldr x0, [x1, #16]: SAS=3, SF */
	assert_true(a64_decode_ldst(0xf9400820, &ld));
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(3)), 0x93c08007);
	/* stlr w1, [x0]: AR */
	assert_true(a64_decode_ldst(0x889ffc01, &ld));
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(1)), 0x93814045);
	/* ldrsw x6, [x7, #8]: SAS=2, SSE, SRT=6, SF */
	assert_true(a64_decode_ldst(0xb98008e6, &ld));
	assert_int_equal(a64_dabt_esr(&ld, FSC_PERM(3)), 0x93a6800f);
	/* Writeback and pairs: no instruction syndrome (ISV=0). */
	assert_true(a64_decode_ldst(0xf8408c41, &ld)); /* ldr x1, [x2, #8]! */
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(1)), 0x92000005);
	assert_true(a64_decode_ldst(0xa9bf0be1, &ld)); /* stp x1, x2, [sp, #-16]! */
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(1)), 0x92000045);
	assert_true(a64_decode_ldst(0x294110a3, &ld)); /* ldp w3, w4, [x5, #8] */
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(1)), 0x92000005);

	/* Round trip through the decoder the HALs use. */
	struct a64_trap t = { .hpfar = 0x90000, .far = 0x9000000, .pc = 0x40080000 };
	struct vcpu_exit e;
	assert_true(a64_decode_ldst(0x79800025, &ld));
	t.esr = a64_dabt_esr(&ld, FSC_TRANS(1));
	a64_decode_trap(&t, &e);
	assert_int_equal(e.reason, EXIT_MMIO);
	assert_int_equal(e.mmio.size, 2);
	assert_true(e.mmio.sign_extend);
	assert_true(e.mmio.reg_is_64);
	assert_int_equal(e.mmio.reg, 5);
}

static void test_not_ldst(void **state)
{
	(void)state;
	struct a64_ldst ld;
	static const uint32_t others[] = {
		0x8b030041, /* add x1, x2, x3 */
		0x14000000, /* b . */
		0x3dc00020, /* ldr q0, [x1]: SIMD&FP */
		0xb8210062, /* ldadd w1, w2, [x3]: atomic */
		0xf9800020, /* prfm pldl1keep, [x1] */
		0x88a17c62, /* cas w1, w2, [x3] */
		0xd503207f, /* wfi */
		0x00000000, /* udf #0 */
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_false(a64_decode_ldst(others[i], &ld));
}

static void test_ends_block(void **state)
{
	(void)state;
	static const uint32_t enders[] = {
		0x14000000, /* b . */
		0x54000001, /* b.ne . */
		0xb4000001, /* cbz x1, . */
		0x36180001, /* tbz w1, #3, . */
		0xd65f03c0, /* ret */
		0xd4000001, /* svc #0 */
		0xd4000002, /* hvc #0 */
		0xd518c000, /* msr vbar_el1, x0 */
		0xd5033fdf, /* isb */
		0xd503207f, /* wfi */
		0x00000000, /* udf #0 */
	};
	static const uint32_t others[] = {
		0x8b030041, /* add x1, x2, x3 */
		0xb9000023, /* str w3, [x1] */
		0xa9bf0be1, /* stp x1, x2, [sp, #-16]! */
	};
	for (size_t i = 0; i < sizeof(enders) / sizeof(enders[0]); i++)
		assert_true(a64_insn_ends_block(enders[i]));
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_false(a64_insn_ends_block(others[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_register_offsets),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_dabt_esr),
		cmocka_unit_test(test_not_ldst),
		cmocka_unit_test(test_ends_block),
	};
	return cmocka_run_group_tests_name("aarch64 load/store decoding", tests, NULL, NULL);
}
