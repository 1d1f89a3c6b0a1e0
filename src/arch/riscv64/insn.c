/* SPDX-License-Identifier: MIT */
/**
 * @file insn.c
 * @brief RISC-V integer load/store decoding, 32-bit and compressed.
 *
 * Encodings: Unprivileged ISA 20191213, chapter 24 "RV32/64G Instruction
 * Set Listings" (LOAD opcode 0x03, STORE 0x23) and chapter 16 "C Standard
 * Extension" (C.LW/C.LD/C.SW/C.SD in quadrant 0, C.LWSP/C.LDSP/C.SWSP/
 * C.SDSP in quadrant 2; rd'/rs1'/rs2' name x8..x15).
 */
#include <arch/insn.h>
#include <cvisor/lib.h>

#define OP_LOAD 0x03
#define OP_STORE 0x23

static uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int64_t sext(uint64_t v, unsigned width)
{
	uint64_t m = 1ULL << (width - 1);
	return (int64_t)((v ^ m) - m);
}

unsigned rv_insn_length(uint16_t lo)
{
	if ((lo & 3) != 3)
		return 2;
	if ((lo & 0x1c) != 0x1c)
		return 4;
	return 0; /* 48-bit and longer encodings */
}

/* funct3 of LOAD: 0 LB, 1 LH, 2 LW, 3 LD, 4 LBU, 5 LHU, 6 LWU. */
static bool load_width(unsigned funct3, struct rv_ldst *ld)
{
	if (funct3 == 7)
		return false;
	ld->size = 1u << (funct3 & 3);
	ld->sign_extend = funct3 < 3;
	return !(funct3 == 7 || (funct3 >= 4 && (funct3 & 3) == 3));
}

static bool decode32(uint32_t insn, struct rv_ldst *ld)
{
	unsigned funct3 = bits(insn, 14, 12);

	ld->len = 4;
	ld->rs1 = bits(insn, 19, 15);
	switch (insn & 0x7f) {
	case OP_LOAD:
		ld->is_load = true;
		ld->reg = bits(insn, 11, 7);
		ld->imm = sext(bits(insn, 31, 20), 12);
		return load_width(funct3, ld);
	case OP_STORE:
		if (funct3 > 3)
			return false;
		ld->size = 1u << funct3;
		ld->reg = bits(insn, 24, 20);
		ld->imm = sext(bits(insn, 31, 25) << 5 | bits(insn, 11, 7), 12);
		return true;
	default:
		return false;
	}
}

static bool decode16(uint32_t c, struct rv_ldst *ld)
{
	unsigned q = c & 3, funct3 = bits(c, 15, 13);

	ld->len = 2;
	if (q == 0) {
		/* C.LW/C.SW: uimm[5:3|2|6]; C.LD/C.SD: uimm[5:3|7:6]. */
		uint32_t w_imm = bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6;
		uint32_t d_imm = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
		ld->rs1 = 8 + bits(c, 9, 7);
		ld->reg = 8 + bits(c, 4, 2);
		switch (funct3) {
		case 2: ld->is_load = true; ld->sign_extend = true; ld->size = 4; ld->imm = w_imm; return true;
		case 3: ld->is_load = true; ld->size = 8; ld->imm = d_imm; return true;
		case 6: ld->size = 4; ld->imm = w_imm; return true;
		case 7: ld->size = 8; ld->imm = d_imm; return true;
		default: return false; /* C.FLD, C.FSD, C.ADDI4SPN... */
		}
	}
	if (q == 2) {
		ld->rs1 = 2; /* sp */
		switch (funct3) {
		case 2: /* C.LWSP: uimm[5|4:2|7:6], rd != 0 */
			ld->is_load = ld->sign_extend = true;
			ld->size = 4;
			ld->reg = bits(c, 11, 7);
			ld->imm = bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6;
			return ld->reg != 0;
		case 3: /* C.LDSP: uimm[5|4:3|8:6], rd != 0 */
			ld->is_load = true;
			ld->size = 8;
			ld->reg = bits(c, 11, 7);
			ld->imm = bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6;
			return ld->reg != 0;
		case 6: /* C.SWSP: uimm[5:2|7:6] */
			ld->size = 4;
			ld->reg = bits(c, 6, 2);
			ld->imm = bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6;
			return true;
		case 7: /* C.SDSP: uimm[5:3|8:6] */
			ld->size = 8;
			ld->reg = bits(c, 6, 2);
			ld->imm = bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6;
			return true;
		default:
			return false;
		}
	}
	return false;
}

bool rv_decode_ldst(uint32_t insn, struct rv_ldst *ld)
{
	bool ok;

	memset(ld, 0, sizeof(*ld));
	if (rv_insn_length((uint16_t)insn) == 2)
		ok = decode16(insn & 0xffff, ld);
	else if (rv_insn_length((uint16_t)insn) == 4)
		ok = decode32(insn, ld);
	else
		ok = false;
	if (!ok)
		memset(ld, 0, sizeof(*ld));
	return ok;
}

uint64_t rv_ldst_address(const struct rv_ldst *ld, const uint64_t x[32])
{
	return (ld->rs1 ? x[ld->rs1] : 0) + (uint64_t)ld->imm;
}

uint32_t rv_transform_ldst(const struct rv_ldst *ld)
{
	unsigned log2 = ld->size == 1 ? 0 : ld->size == 2 ? 1 : ld->size == 4 ? 2 : 3;
	uint32_t t;

	if (ld->is_load) {
		unsigned funct3 = log2 | (ld->sign_extend || ld->size == 8 ? 0 : 4);
		t = funct3 << 12 | (ld->reg & 31) << 7 | OP_LOAD;
	} else {
		t = (ld->reg & 31) << 20 | log2 << 12 | OP_STORE;
	}
	return ld->len == 2 ? t & ~2u : t;
}
