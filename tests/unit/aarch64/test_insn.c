/* SPDX-License-Identifier: MIT */
/*
 * A64 load/store decoding, effective addresses, the data abort syndromes
 * built from them, and the end of translation blocks.
 *
 * The instruction words were produced by the GNU assembler
 * (aarch64-linux-gnu-as -march=armv8.8-a+mops+memtag+ls64, then objdump)
 * from the text next to each; the expected fields are read off that text
 * and the ARM ARM's encoding diagrams (C4.1, "Loads and Stores"), and the
 * expected syndromes are built by hand from D17.2.37 (see test_esr.c for
 * the field layout).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/trap.h>
#include <arch/insn.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Decoding ----------------------------------------------------------------- */

struct row {
	uint32_t insn;
	const char *text;
	bool load, pair, sext, d64, ar, excl;
	unsigned size, rt, rt2, rn;
	enum a64_addr_mode mode;
	int64_t imm;
	unsigned rm, extend, shift;
};

static const struct row rows[] = {
	/* Load/store register (unsigned immediate): imm12 scaled by the size */
	{ 0xb9000023, "str w3, [x1]", .size = 4, .rt = 3, .rn = 1 },
	{ 0xf9400820, "ldr x0, [x1, #16]", .load = 1, .size = 8, .rn = 1, .imm = 16 },
	{ 0x397ffc44, "ldrb w4, [x2, #4095]", .load = 1, .size = 1, .rt = 4, .rn = 2, .imm = 4095 },
	{ 0x794007e5, "ldrh w5, [sp, #2]", .load = 1, .size = 2, .rt = 5, .rn = 31, .imm = 2 },
	{ 0x793ffce6, "strh w6, [x7, #8190]", .size = 2, .rt = 6, .rn = 7, .imm = 8190 },
	{ 0xf93ffd28, "str x8, [x9, #32760]", .size = 8, .rt = 8, .rn = 9, .imm = 32760 },
	{ 0x39c00022, "ldrsb w2, [x1]", .load = 1, .sext = 1, .size = 1, .rt = 2, .rn = 1 },
	{ 0x39800422, "ldrsb x2, [x1, #1]", .load = 1, .sext = 1, .d64 = 1, .size = 1, .rt = 2,
	  .rn = 1, .imm = 1 },
	{ 0x79c00c83, "ldrsh w3, [x4, #6]", .load = 1, .sext = 1, .size = 2, .rt = 3, .rn = 4,
	  .imm = 6 },
	{ 0x79800025, "ldrsh x5, [x1]", .load = 1, .sext = 1, .d64 = 1, .size = 2, .rt = 5,
	  .rn = 1 },
	{ 0xb98008e6, "ldrsw x6, [x7, #8]", .load = 1, .sext = 1, .d64 = 1, .size = 4, .rt = 6,
	  .rn = 7, .imm = 8 },
	{ 0x3900003f, "strb wzr, [x1]", .size = 1, .rt = 31, .rn = 1 },
	{ 0xf90007ff, "str xzr, [sp, #8]", .size = 8, .rt = 31, .rn = 31, .imm = 8 },
	/* Unscaled immediate (LDUR/STUR): imm9, not scaled */
	{ 0xb85fc041, "ldur w1, [x2, #-4]", .load = 1, .size = 4, .rt = 1, .rn = 2, .imm = -4 },
	{ 0xf80ff083, "stur x3, [x4, #255]", .size = 8, .rt = 3, .rn = 4, .imm = 255 },
	{ 0x389000c5, "ldursb x5, [x6, #-256]", .load = 1, .sext = 1, .d64 = 1, .size = 1, .rt = 5,
	  .rn = 6, .imm = -256 },
	{ 0x78401107, "ldurh w7, [x8, #1]", .load = 1, .size = 2, .rt = 7, .rn = 8, .imm = 1 },
	/* Pre- and post-index: writeback */
	{ 0xf8408c41, "ldr x1, [x2, #8]!", .load = 1, .size = 8, .rt = 1, .rn = 2,
	  .mode = A64_AM_PRE, .imm = 8 },
	{ 0xb81f0441, "str w1, [x2], #-16", .size = 4, .rt = 1, .rn = 2, .mode = A64_AM_POST,
	  .imm = -16 },
	{ 0x38401483, "ldrb w3, [x4], #1", .load = 1, .size = 1, .rt = 3, .rn = 4,
	  .mode = A64_AM_POST, .imm = 1 },
	{ 0x781fefe5, "strh w5, [sp, #-2]!", .size = 2, .rt = 5, .rn = 31, .mode = A64_AM_PRE,
	  .imm = -2 },
	{ 0xb8804549, "ldrsw x9, [x10], #4", .load = 1, .sext = 1, .d64 = 1, .size = 4, .rt = 9,
	  .rn = 10, .mode = A64_AM_POST, .imm = 4 },
	/* Unprivileged (LDTR/STTR): unscaled, no writeback */
	{ 0xb8404841, "ldtr w1, [x2, #4]", .load = 1, .size = 4, .rt = 1, .rn = 2, .imm = 4 },
	{ 0x381ff883, "sttrb w3, [x4, #-1]", .size = 1, .rt = 3, .rn = 4, .imm = -1 },
	{ 0x788008c5, "ldtrsh x5, [x6]", .load = 1, .sext = 1, .d64 = 1, .size = 2, .rt = 5,
	  .rn = 6 },
	/* Register offset: option 010 UXTW, 011 LSL/UXTX, 110 SXTW, 111 SXTX;
	 * S shifts by log2(size) */
	{ 0xb8636841, "ldr w1, [x2, x3]", .load = 1, .size = 4, .rt = 1, .rn = 2,
	  .mode = A64_AM_REG, .rm = 3, .extend = 3 },
	{ 0xf8637841, "ldr x1, [x2, x3, lsl #3]", .load = 1, .size = 8, .rt = 1, .rn = 2,
	  .mode = A64_AM_REG, .rm = 3, .extend = 3, .shift = 3 },
	{ 0x38634841, "ldrb w1, [x2, w3, uxtw]", .load = 1, .size = 1, .rt = 1, .rn = 2,
	  .mode = A64_AM_REG, .rm = 3, .extend = 2 },
	{ 0x38637841, "ldrb w1, [x2, x3, lsl #0]", .load = 1, .size = 1, .rt = 1, .rn = 2,
	  .mode = A64_AM_REG, .rm = 3, .extend = 3 },
	{ 0x7863d841, "ldrh w1, [x2, w3, sxtw #1]", .load = 1, .size = 2, .rt = 1, .rn = 2,
	  .mode = A64_AM_REG, .rm = 3, .extend = 6, .shift = 1 },
	{ 0xb825fbe4, "str w4, [sp, x5, sxtx #2]", .size = 4, .rt = 4, .rn = 31, .mode = A64_AM_REG,
	  .rm = 5, .extend = 7, .shift = 2 },
	{ 0x38bf68e6, "ldrsb x6, [x7, xzr]", .load = 1, .sext = 1, .d64 = 1, .size = 1, .rt = 6,
	  .rn = 7, .mode = A64_AM_REG, .rm = 31, .extend = 3 },
	{ 0x382ac928, "strb w8, [x9, w10, sxtw]", .size = 1, .rt = 8, .rn = 9, .mode = A64_AM_REG,
	  .rm = 10, .extend = 6 },
	{ 0xb8ad598b, "ldrsw x11, [x12, w13, uxtw #2]", .load = 1, .sext = 1, .d64 = 1, .size = 4,
	  .rt = 11, .rn = 12, .mode = A64_AM_REG, .rm = 13, .extend = 2, .shift = 2 },
	/* Literal: PC + imm19 * 4 (rn is not an operand) */
	{ 0x18000049, "ldr w9, .+8", .load = 1, .size = 4, .rt = 9, .mode = A64_AM_LITERAL,
	  .imm = 8 },
	{ 0x5880000a, "ldr x10, .-0x100000", .load = 1, .size = 8, .rt = 10, .mode = A64_AM_LITERAL,
	  .imm = -0x100000 },
	{ 0x98ffffe9, "ldrsw x9, .-4", .load = 1, .sext = 1, .d64 = 1, .size = 4, .rt = 9,
	  .mode = A64_AM_LITERAL, .imm = -4 },
	/* Pairs: imm7 scaled by the register size */
	{ 0xa9bf0be1, "stp x1, x2, [sp, #-16]!", .pair = 1, .size = 8, .rt = 1, .rt2 = 2, .rn = 31,
	  .mode = A64_AM_PRE, .imm = -16 },
	{ 0x294110a3, "ldp w3, w4, [x5, #8]", .load = 1, .pair = 1, .size = 4, .rt = 3, .rt2 = 4,
	  .rn = 5, .imm = 8 },
	{ 0x68c110a3, "ldpsw x3, x4, [x5], #8", .load = 1, .pair = 1, .sext = 1, .d64 = 1,
	  .size = 4, .rt = 3, .rt2 = 4, .rn = 5, .mode = A64_AM_POST, .imm = 8 },
	{ 0xa8c17bfd, "ldp x29, x30, [sp], #16", .load = 1, .pair = 1, .size = 8, .rt = 29,
	  .rt2 = 30, .rn = 31, .mode = A64_AM_POST, .imm = 16 },
	{ 0x29200861, "stp w1, w2, [x3, #-256]", .pair = 1, .size = 4, .rt = 1, .rt2 = 2, .rn = 3,
	  .imm = -256 },
	{ 0xa81f8861, "stnp x1, x2, [x3, #504]", .pair = 1, .size = 8, .rt = 1, .rt2 = 2, .rn = 3,
	  .imm = 504 },
	{ 0x28400861, "ldnp w1, w2, [x3]", .load = 1, .pair = 1, .size = 4, .rt = 1, .rt2 = 2,
	  .rn = 3 },
	{ 0x69ff8861, "ldpsw x1, x2, [x3, #-4]!", .load = 1, .pair = 1, .sext = 1, .d64 = 1,
	  .size = 4, .rt = 1, .rt2 = 2, .rn = 3, .mode = A64_AM_PRE, .imm = -4 },
	/* Exclusives: [Xn|SP] only; o0 = acquire/release */
	{ 0x885f7c41, "ldxr w1, [x2]", .load = 1, .excl = 1, .size = 4, .rt = 1, .rn = 2 },
	{ 0x085f7c41, "ldxrb w1, [x2]", .load = 1, .excl = 1, .size = 1, .rt = 1, .rn = 2 },
	{ 0x485fffe3, "ldaxrh w3, [sp]", .load = 1, .excl = 1, .ar = 1, .size = 2, .rt = 3,
	  .rn = 31 },
	{ 0xc8047c41, "stxr w4, x1, [x2]", .excl = 1, .size = 8, .rt = 1, .rn = 2 },
	{ 0xc803fc41, "stlxr w3, x1, [x2]", .excl = 1, .ar = 1, .size = 8, .rt = 1, .rn = 2 },
	{ 0x08057ce6, "stxrb w5, w6, [x7]", .excl = 1, .size = 1, .rt = 6, .rn = 7 },
	{ 0x887f0861, "ldxp w1, w2, [x3]", .load = 1, .pair = 1, .excl = 1, .size = 4, .rt = 1,
	  .rt2 = 2, .rn = 3 },
	{ 0xc87f8861, "ldaxp x1, x2, [x3]", .load = 1, .pair = 1, .excl = 1, .ar = 1, .size = 8,
	  .rt = 1, .rt2 = 2, .rn = 3 },
	{ 0xc8240861, "stxp w4, x1, x2, [x3]", .pair = 1, .excl = 1, .size = 8, .rt = 1, .rt2 = 2,
	  .rn = 3 },
	{ 0x88248861, "stlxp w4, w1, w2, [x3]", .pair = 1, .excl = 1, .ar = 1, .size = 4, .rt = 1,
	  .rt2 = 2, .rn = 3 },
	/* Load-acquire / store-release */
	{ 0xc8dffc41, "ldar x1, [x2]", .load = 1, .ar = 1, .size = 8, .rt = 1, .rn = 2 },
	{ 0x08dffc41, "ldarb w1, [x2]", .load = 1, .ar = 1, .size = 1, .rt = 1, .rn = 2 },
	{ 0x48dffc41, "ldarh w1, [x2]", .load = 1, .ar = 1, .size = 2, .rt = 1, .rn = 2 },
	{ 0x889ffc01, "stlr w1, [x0]", .ar = 1, .size = 4, .rt = 1, .rn = 0 },
	{ 0x089fffe2, "stlrb w2, [sp]", .ar = 1, .size = 1, .rt = 2, .rn = 31 },
	{ 0xc89ffc7f, "stlr xzr, [x3]", .ar = 1, .size = 8, .rt = 31, .rn = 3 },
	{ 0xc8df7c41, "ldlar x1, [x2]", .load = 1, .ar = 1, .size = 8, .rt = 1, .rn = 2 },
	{ 0x889f7c41, "stllr w1, [x2]", .ar = 1, .size = 4, .rt = 1, .rn = 2 },
	/* LDAPR (FEAT_LRCPC), in the atomic memory operations class */
	{ 0xb8bfc041, "ldapr w1, [x2]", .load = 1, .ar = 1, .size = 4, .rt = 1, .rn = 2 },
	{ 0xf8bfc041, "ldapr x1, [x2]", .load = 1, .ar = 1, .size = 8, .rt = 1, .rn = 2 },
	{ 0x38bfc083, "ldaprb w3, [x4]", .load = 1, .ar = 1, .size = 1, .rt = 3, .rn = 4 },
	{ 0x78bfc0c5, "ldaprh w5, [x6]", .load = 1, .ar = 1, .size = 2, .rt = 5, .rn = 6 },
	/* LDAPUR/STLUR (FEAT_LRCPC2): unscaled imm9 */
	{ 0x995fc041, "ldapur w1, [x2, #-4]", .load = 1, .ar = 1, .size = 4, .rt = 1, .rn = 2,
	  .imm = -4 },
	{ 0x19801083, "ldapursb x3, [x4, #1]", .load = 1, .ar = 1, .sext = 1, .d64 = 1, .size = 1,
	  .rt = 3, .rn = 4, .imm = 1 },
	{ 0x59c000c5, "ldapursh w5, [x6]", .load = 1, .ar = 1, .sext = 1, .size = 2, .rt = 5,
	  .rn = 6 },
	{ 0x998ff107, "ldapursw x7, [x8, #255]", .load = 1, .ar = 1, .sext = 1, .d64 = 1, .size = 4,
	  .rt = 7, .rn = 8, .imm = 255 },
	{ 0xd9100149, "stlur x9, [x10, #-256]", .ar = 1, .size = 8, .rt = 9, .rn = 10,
	  .imm = -256 },
	{ 0x1900018b, "stlurb w11, [x12]", .ar = 1, .size = 1, .rt = 11, .rn = 12 },
};

static void test_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		const struct row *r = &rows[i];
		struct a64_ldst ld;

		print_message("  %08x  %s\n", r->insn, r->text);
		assert_true(a64_decode_ldst(r->insn, &ld));
		assert_int_equal(ld.is_load, r->load);
		assert_int_equal(ld.is_pair, r->pair);
		assert_int_equal(ld.sign_extend, r->sext);
		assert_int_equal(ld.dest_64, r->d64);
		assert_int_equal(ld.acq_rel, r->ar);
		assert_int_equal(ld.exclusive, r->excl);
		assert_int_equal(ld.size, r->size);
		assert_int_equal(ld.rt, r->rt);
		if (r->pair)
			assert_int_equal(ld.rt2, r->rt2);
		if (r->mode != A64_AM_LITERAL)
			assert_int_equal(ld.rn, r->rn);
		assert_int_equal(ld.mode, r->mode);
		assert_int_equal(ld.imm, r->imm);
		if (r->mode == A64_AM_REG) {
			assert_int_equal(ld.rm, r->rm);
			assert_int_equal(ld.extend, r->extend);
			assert_int_equal(ld.shift, r->shift);
		}
	}
}

/* What a64_decode_ldst() says no to. */
static const struct {
	uint32_t insn;
	const char *text;
} rejected[] = {
	{ 0x8b020020, "add x0, x1, x2" },
	{ 0x14000002, "b .+8" },
	{ 0x00000000, "udf #0" },
	{ 0xd503201f, "nop" },
	{ 0xd4000002, "hvc #0" },
	/* SIMD&FP registers (V = 1) */
	{ 0x3dc00020, "ldr q0, [x1]" },
	{ 0xfd400420, "ldr d0, [x1, #8]" },
	{ 0x1c000040, "ldr s0, .+8" },
	{ 0xad4007e0, "ldp q0, q1, [sp]" },
	{ 0x4c407000, "ld1 {v0.16b}, [x0]" },
	/* Atomics: read and write memory in one instruction */
	{ 0xb8210062, "ldadd w1, w2, [x3]" },
	{ 0xf8e10062, "ldaddal x1, x2, [x3]" },
	{ 0xb8218062, "swp w1, w2, [x3]" },
	{ 0x88a17c62, "cas w1, w2, [x3]" },
	{ 0x08207c82, "casp w0, w1, w2, w3, [x4]" },
	{ 0xf83f9020, "st64b x0, [x1]" },
	/* Prefetches */
	{ 0xd8000040, "prfm pldl1keep, .+8" },
	{ 0xf9800020, "prfm pldl1keep, [x1]" },
	{ 0xf8a26820, "prfm pldl1keep, [x1, x2]" },
	{ 0xf8801020, "prfum pldl1keep, [x1, #1]" },
	/* Pointer authentication loads, tag stores, memory copy */
	{ 0xf8200441, "ldraa x1, [x2]" },
	{ 0xf8a01c41, "ldrab x1, [x2, #8]!" },
	{ 0xd9200841, "stg x1, [x2]" },
	{ 0x69000861, "stgp x1, x2, [x3]" },
	{ 0x19010440, "cpyfp [x0]!, [x1]!, x2!" },
	{ 0x19410440, "cpyfm [x0]!, [x1]!, x2!" },
	/* Unallocated: register offset with option 001; LDRSW with opc 11;
	 * a pair with opc 11; LDPSW without allocation hint (idx 00) */
	{ 0xb8632841, "ldr w1, [x2, x3] with option 001" },
	{ 0xb9c00000, "unsigned immediate, size 10, opc 11" },
	{ 0xe9400000, "pair, opc 11" },
	{ 0x68400000, "ldnp with opc 01 (no LDNPSW)" },
};

static void test_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(rejected); i++) {
		struct a64_ldst ld;

		print_message("  %08x  %s\n", rejected[i].insn, rejected[i].text);
		memset(&ld, 0x5a, sizeof(ld));
		assert_false(a64_decode_ldst(rejected[i].insn, &ld));
		/* Nothing half-decoded is left behind. */
		assert_int_equal(ld.size, 0);
		assert_false(ld.is_load);
	}
}

/* ---- Effective addresses -------------------------------------------------------- */

#define PC 0x40080000ULL
#define SP 0x40200000ULL

static void regs(uint64_t x[31])
{
	for (int i = 0; i < 31; i++)
		x[i] = 0x10000000ULL * (uint64_t)(i + 1);
	x[3] = 0x12345678fffffff0ULL; /* UXTW 0xfffffff0, SXTW -16 */
	x[5] = (uint64_t)-3;
	x[13] = 0xffffffff00000003ULL; /* UXTW 3 */
}

static const struct {
	uint32_t insn;
	const char *text;
	uint64_t addr;
} addresses[] = {
	{ 0xb9000023, "str w3, [x1]", 0x20000000 },
	{ 0xf9400820, "ldr x0, [x1, #16]", 0x20000010 },
	{ 0x794007e5, "ldrh w5, [sp, #2]", SP + 2 },
	{ 0xf90007ff, "str xzr, [sp, #8]", SP + 8 },
	{ 0xf93ffd28, "str x8, [x9, #32760]", 0xa0000000 + 32760 },
	{ 0xf94007c0, "ldr x0, [x30, #8]", 0x1f0000008ULL },
	{ 0xb85fc041, "ldur w1, [x2, #-4]", 0x30000000 - 4 },
	{ 0x389000c5, "ldursb x5, [x6, #-256]", 0x70000000 - 256 },
	{ 0xf8408c41, "ldr x1, [x2, #8]!", 0x30000008 },
	/* Post-index: the access is at the base; the offset comes after */
	{ 0xb81f0441, "str w1, [x2], #-16", 0x30000000 },
	{ 0x781fefe5, "strh w5, [sp, #-2]!", SP - 2 },
	{ 0xb8636841, "ldr w1, [x2, x3]", 0x30000000 + 0x12345678fffffff0ULL },
	{ 0xf8637841, "ldr x1, [x2, x3, lsl #3]", 0x30000000 + (0x12345678fffffff0ULL << 3) },
	{ 0x38634841, "ldrb w1, [x2, w3, uxtw]", 0x30000000 + 0xfffffff0ULL },
	{ 0x7863d841, "ldrh w1, [x2, w3, sxtw #1]", 0x30000000 - 32 },
	{ 0xb825fbe4, "str w4, [sp, x5, sxtx #2]", SP - 12 },
	/* Rm = 31 is XZR, not SP */
	{ 0x38bf68e6, "ldrsb x6, [x7, xzr]", 0x80000000 },
	{ 0xb8ad598b, "ldrsw x11, [x12, w13, uxtw #2]", 0xd0000000 + 12 },
	{ 0x18000049, "ldr w9, .+8", PC + 8 },
	{ 0x5880000a, "ldr x10, .-0x100000", PC - 0x100000 },
	{ 0x98ffffe9, "ldrsw x9, .-4", PC - 4 },
	{ 0xa9bf0be1, "stp x1, x2, [sp, #-16]!", SP - 16 },
	{ 0xa8c17bfd, "ldp x29, x30, [sp], #16", SP },
	{ 0x69ff8861, "ldpsw x1, x2, [x3, #-4]!", 0x12345678fffffff0ULL - 4 },
	{ 0x485fffe3, "ldaxrh w3, [sp]", SP },
	{ 0xc89ffc7f, "stlr xzr, [x3]", 0x12345678fffffff0ULL },
	{ 0xb8bfc041, "ldapr w1, [x2]", 0x30000000 },
	{ 0x995fc041, "ldapur w1, [x2, #-4]", 0x30000000 - 4 },
};

static void test_addresses(void **state)
{
	(void)state;
	uint64_t x[31];

	regs(x);
	for (size_t i = 0; i < N(addresses); i++) {
		struct a64_ldst ld;

		print_message("  %08x  %-32s 0x%llx\n", addresses[i].insn, addresses[i].text,
			      (unsigned long long)addresses[i].addr);
		assert_true(a64_decode_ldst(addresses[i].insn, &ld));
		assert_int_equal(a64_ldst_address(&ld, PC, x, SP), addresses[i].addr);
	}
}

/* Addresses wrap modulo 2^64, as the hardware's do. */
static void test_address_wraps(void **state)
{
	(void)state;
	uint64_t x[31] = { 0 };
	struct a64_ldst ld;

	x[1] = 0xfffffffffffffff8ULL;
	assert_true(a64_decode_ldst(0xf9400820, &ld)); /* ldr x0, [x1, #16] */
	assert_int_equal(a64_ldst_address(&ld, PC, x, SP), 8);
	assert_true(a64_decode_ldst(0x98ffffe9, &ld)); /* ldrsw x9, .-4 at PC 0 */
	assert_int_equal(a64_ldst_address(&ld, 0, x, SP), 0xfffffffffffffffcULL);
}

/* ---- Data abort syndromes -------------------------------------------------------- */

/*
 * a64_dabt_esr() with DFSC 0x07 (translation fault, level 3): 0x92000007,
 * plus ISV 0x01000000 and SAS/SSE/SRT/SF/AR for a single register without
 * writeback, plus WnR 0x40 for a store.
 */
static const struct {
	uint32_t insn;
	const char *text;
	uint64_t esr;
} syndromes[] = {
	/* ISV, SAS=2 0x800000, SRT=3 0x30000, WnR */
	{ 0xb9000023, "str w3, [x1]", 0x93830047 },
	/* SAS=3 0xc00000, SRT=0, SF 0x8000 */
	{ 0xf9400820, "ldr x0, [x1, #16]", 0x93c08007 },
	/* SAS=0, SRT=4 0x40000: SF=0, a W register */
	{ 0x397ffc44, "ldrb w4, [x2, #4095]", 0x93040007 },
	/* SAS=1 0x400000, SRT=5 0x50000 */
	{ 0x794007e5, "ldrh w5, [sp, #2]", 0x93450007 },
	/* SAS=1, SRT=6, WnR */
	{ 0x793ffce6, "strh w6, [x7, #8190]", 0x93460047 },
	/* SAS=3, SRT=8 0x80000, SF, WnR */
	{ 0xf93ffd28, "str x8, [x9, #32760]", 0x93c88047 },
	/* SSE 0x200000, SRT=2 0x20000, into W2: SF=0 */
	{ 0x39c00022, "ldrsb w2, [x1]", 0x93220007 },
	/* ... into X2: SF */
	{ 0x39800422, "ldrsb x2, [x1, #1]", 0x93228007 },
	/* SAS=1, SSE, SRT=3 0x30000 */
	{ 0x79c00c83, "ldrsh w3, [x4, #6]", 0x93630007 },
	/* SAS=1, SSE, SRT=5, SF */
	{ 0x79800025, "ldrsh x5, [x1]", 0x93658007 },
	/* SAS=2, SSE, SRT=6 0x60000, SF */
	{ 0xb98008e6, "ldrsw x6, [x7, #8]", 0x93a68007 },
	/* SRT=31 0x1f0000 (WZR), WnR */
	{ 0x3900003f, "strb wzr, [x1]", 0x931f0047 },
	/* SAS=3, SRT=31, SF, WnR */
	{ 0xf90007ff, "str xzr, [sp, #8]", 0x93df8047 },
	/* Unscaled and unprivileged forms have no writeback: ISV */
	{ 0xb85fc041, "ldur w1, [x2, #-4]", 0x93810007 },
	{ 0x389000c5, "ldursb x5, [x6, #-256]", 0x93258007 },
	{ 0xb8404841, "ldtr w1, [x2, #4]", 0x93810007 },
	/* Register offset: ISV. SAS=2, SSE, SRT=11 0xb0000, SF */
	{ 0xb8636841, "ldr w1, [x2, x3]", 0x93810007 },
	{ 0xb8ad598b, "ldrsw x11, [x12, w13, uxtw #2]", 0x93ab8007 },
	/* Literal: ISV. SRT=9 0x90000 */
	{ 0x18000049, "ldr w9, .+8", 0x93890007 },
	{ 0x98ffffe9, "ldrsw x9, .-4", 0x93a98007 },
	/* Writeback: ISV=0, only WnR and DFSC */
	{ 0xf8408c41, "ldr x1, [x2, #8]!", 0x92000007 },
	{ 0xb81f0441, "str w1, [x2], #-16", 0x92000047 },
	{ 0xb8804549, "ldrsw x9, [x10], #4", 0x92000007 },
	/* Pairs: ISV=0 */
	{ 0xa9bf0be1, "stp x1, x2, [sp, #-16]!", 0x92000047 },
	{ 0x294110a3, "ldp w3, w4, [x5, #8]", 0x92000007 },
	{ 0xa81f8861, "stnp x1, x2, [x3, #504]", 0x92000047 },
	/* Exclusives: ISV=0 (single registers too) */
	{ 0x885f7c41, "ldxr w1, [x2]", 0x92000007 },
	{ 0xc8047c41, "stxr w4, x1, [x2]", 0x92000047 },
	{ 0xc803fc41, "stlxr w3, x1, [x2]", 0x92000047 },
	{ 0xc87f8861, "ldaxp x1, x2, [x3]", 0x92000007 },
	/* Acquire/release: ISV with AR 0x4000. SAS=3, SRT=1 0x10000, SF */
	{ 0xc8dffc41, "ldar x1, [x2]", 0x93c1c007 },
	/* SAS=2, SRT=1, AR, WnR */
	{ 0x889ffc01, "stlr w1, [x0]", 0x93814047 },
	/* SAS=0, SRT=2, AR, WnR */
	{ 0x089fffe2, "stlrb w2, [sp]", 0x93024047 },
	/* SAS=3, SRT=31, SF, AR, WnR */
	{ 0xc89ffc7f, "stlr xzr, [x3]", 0x93dfc047 },
	{ 0xc8df7c41, "ldlar x1, [x2]", 0x93c1c007 },
	{ 0xb8bfc041, "ldapr w1, [x2]", 0x93814007 },
	/* SAS=0, SRT=3, AR */
	{ 0x38bfc083, "ldaprb w3, [x4]", 0x93034007 },
	/* SAS=0, SSE, SRT=3, SF, AR */
	{ 0x19801083, "ldapursb x3, [x4, #1]", 0x9323c007 },
	/* SAS=1, SSE, SRT=5, AR */
	{ 0x59c000c5, "ldapursh w5, [x6]", 0x93654007 },
	/* SAS=3, SRT=9, SF, AR, WnR */
	{ 0xd9100149, "stlur x9, [x10, #-256]", 0x93c9c047 },
};

static void test_dabt_esr(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(syndromes); i++) {
		struct a64_ldst ld;

		print_message("  %08x  %-32s 0x%llx\n", syndromes[i].insn, syndromes[i].text,
			      (unsigned long long)syndromes[i].esr);
		assert_true(a64_decode_ldst(syndromes[i].insn, &ld));
		assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(3)), syndromes[i].esr);
	}
}

static void test_dabt_esr_fault_status(void **state)
{
	(void)state;
	struct a64_ldst ld;

	assert_true(a64_decode_ldst(0xb9000023, &ld)); /* str w3, [x1] */
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(1)), 0x93830045);
	assert_int_equal(a64_dabt_esr(&ld, FSC_TRANS(0)), 0x93830044);
	assert_int_equal(a64_dabt_esr(&ld, FSC_PERM(3)), 0x9383004f);
	assert_int_equal(a64_dabt_esr(&ld, FSC_ADDR_SIZE(0)), 0x93830040);
	assert_int_equal(a64_dabt_esr(&ld, FSC_ACCESS(2)), 0x9383004a);
	/* DFSC is 6 bits wide: nothing else is touched. */
	assert_int_equal(a64_dabt_esr(&ld, 0xc7), 0x93830047);
}

/*
 * The syndrome the simulator builds decodes back to what the instruction
 * does: a device access with the same size, register and extension.
 */
static void test_dabt_esr_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		const struct row *r = &rows[i];
		struct a64_ldst ld;
		struct vcpu_exit e;

		assert_true(a64_decode_ldst(r->insn, &ld));
		struct a64_trap t = { .esr = a64_dabt_esr(&ld, FSC_TRANS(2)),
				      .far = 0x9000004,
				      .hpfar = a64_hpfar_from_gpa(0x9000004),
				      .pc = PC };
		a64_decode_trap(&t, &e);
		bool isv = !r->pair && !r->excl && r->mode != A64_AM_PRE && r->mode != A64_AM_POST;
		if (!isv) {
			assert_int_equal(e.reason, EXIT_STAGE2_FAULT);
			assert_int_equal(e.s2fault.access, r->load ? ACCESS_READ : ACCESS_WRITE);
			continue;
		}
		assert_int_equal(e.reason, EXIT_MMIO);
		assert_int_equal(e.mmio.gpa, 0x9000004);
		assert_int_equal(e.mmio.size, r->size);
		assert_int_equal(e.mmio.reg, r->rt);
		assert_int_equal(e.mmio.write, !r->load);
		assert_int_equal(e.mmio.sign_extend, r->sext);
		assert_int_equal(e.mmio.reg_is_64, r->sext ? r->d64 : r->size == 8);
	}
}

/* ---- End of translation blocks ---------------------------------------------------- */

static const struct {
	uint32_t insn;
	const char *text;
	bool ends;
} blocks[] = {
	{ 0x14000002, "b .+8", true },
	{ 0x94000000, "bl .", true },
	{ 0x54000080, "b.eq .+16", true },
	{ 0x54ffffee, "b.al .-4", true },
	{ 0xb4000040, "cbz x0, .+8", true },
	{ 0x35000001, "cbnz w1, .", true },
	{ 0x36180062, "tbz w2, #3, .+12", true },
	{ 0xb7f80003, "tbnz x3, #63, .", true },
	{ 0xd61f0020, "br x1", true },
	{ 0xd63f0040, "blr x2", true },
	{ 0xd65f03c0, "ret", true },
	{ 0xd65f0bff, "retaa", true },
	{ 0xd71f0822, "braa x1, x2", true },
	{ 0xd69f03e0, "eret", true },
	{ 0xd4000001, "svc #0", true },
	{ 0xd4000002, "hvc #0", true },
	{ 0xd4000003, "smc #0", true },
	{ 0xd4200000, "brk #0", true },
	{ 0xd4400000, "hlt #0", true },
	{ 0xd5181000, "msr sctlr_el1, x0", true },
	{ 0xd5380000, "mrs x0, midr_el1", true },
	{ 0xd50342df, "msr daifset, #2", true },
	{ 0xd5033fdf, "isb", true },
	{ 0xd5033f9f, "dsb sy", true },
	{ 0xd5033bbf, "dmb ish", true },
	{ 0xd503207f, "wfi", true },
	{ 0xd503205f, "wfe", true },
	{ 0xd503201f, "nop", true },
	{ 0xd503203f, "yield", true },
	{ 0xd50b7e20, "dc civac, x0", true },
	{ 0xd508871f, "tlbi vmalle1", true },
	{ 0x00000000, "udf #0", true },
	{ 0x8b020020, "add x0, x1, x2", false },
	{ 0xf94007c0, "ldr x0, [x30, #8]", false },
	{ 0xb9000041, "str w1, [x2]", false },
	{ 0xd28000a0, "mov x0, #5", false },
	{ 0xf2ffffe1, "movk x1, #0xffff, lsl #48", false },
	{ 0x90000000, "adrp x0, .", false },
	{ 0x10000001, "adr x1, .", false },
	{ 0xa8c17bfd, "ldp x29, x30, [sp], #16", false },
	{ 0x1e622820, "fadd d0, d1, d2", false },
	{ 0x4c407000, "ld1 {v0.16b}, [x0]", false },
	{ 0x04e00000, "add z0.d, z0.d, z0.d", false },
	{ 0x9a820020, "csel x0, x1, x2, eq", false },
	{ 0x9b020c20, "madd x0, x1, x2, x3", false },
	{ 0xb8210062, "ldadd w1, w2, [x3]", false },
};

static void test_ends_block(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(blocks); i++) {
		print_message("  %08x  %-28s %s\n", blocks[i].insn, blocks[i].text,
			      blocks[i].ends ? "ends" : "-");
		assert_int_equal(a64_insn_ends_block(blocks[i].insn), blocks[i].ends);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_address_wraps),
		cmocka_unit_test(test_dabt_esr),
		cmocka_unit_test(test_dabt_esr_fault_status),
		cmocka_unit_test(test_dabt_esr_round_trip),
		cmocka_unit_test(test_ends_block),
	};
	return cmocka_run_group_tests_name("aarch64 insn", tests, NULL, NULL);
}
