/* SPDX-License-Identifier: MIT */
/*
 * RISC-V load/store decoding. Instruction words come from the GNU
 * assembler (riscv64-linux-gnu-as -march=rv64gc, objdump -M no-aliases);
 * the expected fields from the ISA manual's encoding tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arch/insn.h>

struct row {
	uint32_t insn;
	const char *text;
	bool load, sext;
	unsigned size, reg, rs1, len;
	int64_t imm;
};

static const struct row rows[] = {
	{ 0x00058503, "lb a0,0(a1)", 1, 1, 1, 10, 11, 4, 0 },
	{ 0xffc41603, "lh a2,-4(s0)", 1, 1, 2, 12, 8, 4, -4 },
	{ 0x00812283, "lw t0,8(sp)", 1, 1, 4, 5, 2, 4, 8 },
	{ 0x7f873783, "ld a5,2040(a4)", 1, 0, 8, 15, 14, 4, 2040 },
	{ 0x0015c503, "lbu a0,1(a1)", 1, 0, 1, 10, 11, 4, 1 },
	{ 0x00265583, "lhu a1,2(a2)", 1, 0, 2, 11, 12, 4, 2 },
	{ 0x00476683, "lwu a3,4(a4)", 1, 0, 4, 13, 14, 4, 4 },
	{ 0x00a58023, "sb a0,0(a1)", 0, 0, 1, 10, 11, 4, 0 },
	{ 0xfe649f23, "sh t1,-2(s1)", 0, 0, 2, 6, 9, 4, -2 },
	{ 0x00c12623, "sw a2,12(sp)", 0, 0, 4, 12, 2, 4, 12 },
	{ 0xfe113c23, "sd ra,-8(sp)", 0, 0, 8, 1, 2, 4, -8 },
	{ 0x41c8, "c.lw a0,4(a1)", 1, 1, 4, 10, 11, 2, 4 },
	{ 0x6690, "c.ld a2,8(a3)", 1, 0, 8, 12, 13, 2, 8 },
	{ 0xcb98, "c.sw a4,16(a5)", 0, 0, 4, 14, 15, 2, 16 },
	{ 0xec80, "c.sd s0,24(s1)", 0, 0, 8, 8, 9, 2, 24 },
	{ 0x4532, "c.lwsp a0,12(sp)", 1, 1, 4, 10, 2, 2, 12 },
	{ 0x70a2, "c.ldsp ra,40(sp)", 1, 0, 8, 1, 2, 2, 40 },
	{ 0xde2e, "c.swsp a1,60(sp)", 0, 0, 4, 11, 2, 2, 60 },
	{ 0xffa6, "c.sdsp s1,504(sp)", 0, 0, 8, 9, 2, 2, 504 },
	{ 0x42a2, "c.lwsp t0,8(sp)", 1, 1, 4, 5, 2, 2, 8 },
};

static void test_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct rv_ldst ld;
		print_message("  %08x  %s\n", r->insn, r->text);
		assert_true(rv_decode_ldst(r->insn, &ld));
		assert_int_equal(ld.is_load, r->load);
		assert_int_equal(ld.sign_extend, r->sext);
		assert_int_equal(ld.size, r->size);
		assert_int_equal(ld.reg, r->reg);
		assert_int_equal(ld.rs1, r->rs1);
		assert_int_equal(ld.len, r->len);
		assert_int_equal(ld.imm, r->imm);
	}
}

static void test_not_ldst(void **state)
{
	(void)state;
	struct rv_ldst ld;
	static const uint32_t others[] = {
		0x0505,     /* c.addi a0,1 */
		0x00052007, /* flw ft0,0(a0): floating point */
		0x2100,     /* c.fld fs0,0(a0) */
		0x10500073, /* wfi */
		0x00000073, /* ecall */
		0x9002,     /* c.ebreak */
		0x0000,     /* the all-zero parcel: illegal */
		0x0000707f, /* LOAD opcode with funct3 7: reserved */
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_false(rv_decode_ldst(others[i], &ld));
}

static void test_lengths_and_addresses(void **state)
{
	(void)state;
	struct rv_ldst ld;
	uint64_t x[32] = { 0 };

	assert_int_equal(rv_insn_length(0x41c8), 2);
	assert_int_equal(rv_insn_length(0x8503), 4);
	assert_int_equal(rv_insn_length(0x001f), 0); /* a 48-bit encoding */
	x[2] = 0x80200000;
	x[8] = 0x80001000;
	assert_true(rv_decode_ldst(0xffc41603, &ld)); /* lh a2,-4(s0) */
	assert_int_equal(rv_ldst_address(&ld, x), 0x80000ffc);
	assert_true(rv_decode_ldst(0xffa6, &ld)); /* c.sdsp s1,504(sp) */
	assert_int_equal(rv_ldst_address(&ld, x), 0x802001f8);
}

static void test_transformed(void **state)
{
	(void)state;
	struct rv_ldst ld;

	/* lw t0,8(sp) -> lw t0,0(x0): funct3 2, rd 5, opcode 0x03: 0x00002283. */
	assert_true(rv_decode_ldst(0x00812283, &ld));
	assert_int_equal(rv_transform_ldst(&ld), 0x00002283);
	/* c.lw a0,4(a1) -> lw a0,0(x0): funct3 2, rd 10: 0x00002503, with bit 1 clear: 0x00002501. */
	assert_true(rv_decode_ldst(0x41c8, &ld));
	assert_int_equal(rv_transform_ldst(&ld), 0x00002501);
	/* sd ra,-8(sp) -> sd ra,0(x0): rs2 1, funct3 3, opcode 0x23: 0x00103023. */
	assert_true(rv_decode_ldst(0xfe113c23, &ld));
	assert_int_equal(rv_transform_ldst(&ld), 0x00103023);
	/* lbu a0,1(a1) -> funct3 4, rd 10: 0x00004503. */
	assert_true(rv_decode_ldst(0x0015c503, &ld));
	assert_int_equal(rv_transform_ldst(&ld), 0x00004503);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_not_ldst),
		cmocka_unit_test(test_lengths_and_addresses),
		cmocka_unit_test(test_transformed),
	};
	return cmocka_run_group_tests_name("riscv64 load/store decoding", tests, NULL, NULL);
}
