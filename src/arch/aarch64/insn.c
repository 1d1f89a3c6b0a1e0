/* SPDX-License-Identifier: MIT */
/**
 * @file insn.c
 * @brief Decoding of A64 general-purpose-register loads and stores.
 *
 * Reference: ARM ARM (DDI 0487) C4.1.66 "Loads and Stores" and its
 * encoding tables. Only what a data abort can need is decoded: which
 * registers, how wide, signed or not, and how the address is formed.
 * SIMD&FP registers (V = 1), atomics and prefetches are not loads or
 * stores of a general-purpose register here: a64_decode_ldst() says no.
 */
#include <arch/esr.h>
#include <arch/insn.h>
#include <cvisor/lib.h>

static uint32_t bits(uint32_t insn, unsigned hi, unsigned lo)
{
	return (insn >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int64_t sext(uint64_t v, unsigned width)
{
	uint64_t m = 1ULL << (width - 1);
	return (int64_t)((v ^ m) - m);
}

/*
 * opc (bits [23:22]) of the single-register classes, with size (bits
 * [31:30]): store, load, or sign-extending load into 64 or 32 bits.
 * Returns false for prefetches and unallocated encodings.
 */
static bool single_opc(uint32_t insn, struct a64_ldst *ld)
{
	unsigned size = bits(insn, 31, 30), opc = bits(insn, 23, 22);

	ld->size = 1u << size;
	switch (opc) {
	case 0:
		ld->is_load = false;
		return true;
	case 1:
		ld->is_load = true;
		return true;
	case 2: /* LDRSB/LDRSH/LDRSW to 64 bits; PRFM for size 3 */
		if (size == 3)
			return false;
		ld->is_load = ld->sign_extend = ld->dest_64 = true;
		return true;
	default: /* LDRSB/LDRSH to 32 bits; unallocated for sizes 2 and 3 */
		if (size >= 2)
			return false;
		ld->is_load = ld->sign_extend = true;
		return true;
	}
}

/* Load/store register, unsigned immediate: size 111 V 01 opc imm12 Rn Rt. */
static bool decode_unsigned_imm(uint32_t insn, struct a64_ldst *ld)
{
	if (!single_opc(insn, ld))
		return false;
	ld->mode = A64_AM_IMM;
	ld->imm = (int64_t)bits(insn, 21, 10) * ld->size;
	return true;
}

/* Unscaled, post-index, unprivileged, pre-index: size 111 V 00 opc 0 imm9 op Rn Rt. */
static bool decode_imm9(uint32_t insn, struct a64_ldst *ld)
{
	static const enum a64_addr_mode modes[4] = { A64_AM_IMM, A64_AM_POST, A64_AM_IMM,
						     A64_AM_PRE };
	if (!single_opc(insn, ld))
		return false;
	ld->mode = modes[bits(insn, 11, 10)];
	ld->imm = sext(bits(insn, 20, 12), 9);
	return true;
}

/* Register offset: size 111 V 00 opc 1 Rm option S 10 Rn Rt. */
static bool decode_reg_offset(uint32_t insn, struct a64_ldst *ld)
{
	unsigned option = bits(insn, 15, 13);

	if (!(option & 2) || !single_opc(insn, ld)) /* option 0bx0x is unallocated */
		return false;
	ld->mode = A64_AM_REG;
	ld->rm = bits(insn, 20, 16);
	ld->extend = option;
	ld->shift = bits(insn, 12, 12) ? bits(insn, 31, 30) : 0;
	return true;
}

/* Load register (literal): opc 011 V 00 imm19 Rt. */
static bool decode_literal(uint32_t insn, struct a64_ldst *ld)
{
	switch (bits(insn, 31, 30)) {
	case 0:
		ld->size = 4;
		break;
	case 1:
		ld->size = 8;
		break;
	case 2: /* LDRSW (literal) */
		ld->size = 4;
		ld->sign_extend = ld->dest_64 = true;
		break;
	default: /* PRFM (literal) */
		return false;
	}
	ld->is_load = true;
	ld->mode = A64_AM_LITERAL;
	ld->imm = sext(bits(insn, 23, 5), 19) * 4;
	return true;
}

/* Load/store pair: opc 101 V mode(3) L imm7 Rt2 Rn Rt (mode in bits [25:23]). */
static bool decode_pair(uint32_t insn, struct a64_ldst *ld)
{
	static const enum a64_addr_mode modes[4] = { A64_AM_IMM, A64_AM_POST, A64_AM_IMM,
						     A64_AM_PRE };
	unsigned opc = bits(insn, 31, 30), index = bits(insn, 25, 23);

	ld->is_load = bits(insn, 22, 22);
	if (index > 3)
		return false;
	switch (opc) {
	case 0:
		ld->size = 4;
		break;
	case 1: /* LDPSW; the store form is STGP (tags), not a register pair store */
		if (!ld->is_load || index == 0)
			return false;
		ld->size = 4;
		ld->sign_extend = ld->dest_64 = true;
		break;
	case 2:
		ld->size = 8;
		break;
	default:
		return false;
	}
	ld->is_pair = true;
	ld->rt2 = bits(insn, 14, 10);
	ld->mode = modes[index];
	ld->imm = sext(bits(insn, 21, 15), 7) * ld->size;
	return true;
}

/* Exclusive and ordered: size 001000 o2 L o1 Rs o0 Rt2 Rn Rt. */
static bool decode_excl_ordered(uint32_t insn, struct a64_ldst *ld)
{
	unsigned size = bits(insn, 31, 30), o2 = bits(insn, 23, 23), o1 = bits(insn, 21, 21);
	unsigned o0 = bits(insn, 15, 15);

	ld->is_load = bits(insn, 22, 22);
	ld->size = 1u << size;
	ld->mode = A64_AM_IMM;
	ld->imm = 0;
	if (o2 == 0 && o1 == 0) { /* STXR, STLXR, LDXR, LDAXR (and byte/halfword forms) */
		ld->exclusive = true;
		ld->acq_rel = o0;
		return true;
	}
	if (o2 == 0 && o1 == 1) { /* STXP, STLXP, LDXP, LDAXP (sizes 2, 3); CASP otherwise */
		if (size < 2)
			return false;
		ld->size = size == 2 ? 4 : 8;
		ld->exclusive = ld->is_pair = true;
		ld->acq_rel = o0;
		ld->rt2 = bits(insn, 14, 10);
		return true;
	}
	if (o2 == 1 && o1 == 0) { /* STLR, LDAR (o0 = 1); STLLR, LDLAR (o0 = 0) */
		ld->acq_rel = true;
		return true;
	}
	return false; /* CAS */
}

/* LDAPR, LDAPRB, LDAPRH: in the atomic memory operations class, o3=1 opc=100 Rs=11111 A=1 R=0. */
static bool decode_ldapr(uint32_t insn, struct a64_ldst *ld)
{
	if (bits(insn, 23, 22) != 2 || bits(insn, 20, 16) != 31 || bits(insn, 15, 12) != 0xc)
		return false;
	ld->is_load = ld->acq_rel = true;
	ld->size = 1u << bits(insn, 31, 30);
	ld->mode = A64_AM_IMM;
	ld->imm = 0;
	return true;
}

bool a64_decode_ldst(uint32_t insn, struct a64_ldst *ld)
{
	bool ok = false;

	memset(ld, 0, sizeof(*ld));
	ld->rt = bits(insn, 4, 0);
	ld->rn = bits(insn, 9, 5);
	if (bits(insn, 26, 26)) /* V: SIMD&FP registers */
		return false;
	if ((insn & 0x3b000000u) == 0x39000000u)
		ok = decode_unsigned_imm(insn, ld);
	else if ((insn & 0x3b200000u) == 0x38000000u)
		ok = decode_imm9(insn, ld);
	else if ((insn & 0x3b200c00u) == 0x38200800u)
		ok = decode_reg_offset(insn, ld);
	else if ((insn & 0x3b200c00u) == 0x38200000u)
		ok = decode_ldapr(insn, ld);
	else if ((insn & 0x3b000000u) == 0x18000000u)
		ok = decode_literal(insn, ld);
	else if ((insn & 0x38000000u) == 0x28000000u)
		ok = decode_pair(insn, ld);
	else if ((insn & 0x3f000000u) == 0x08000000u)
		ok = decode_excl_ordered(insn, ld);
	if (!ok)
		memset(ld, 0, sizeof(*ld));
	return ok;
}

uint64_t a64_ldst_address(const struct a64_ldst *ld, uint64_t pc, const uint64_t x[31],
			  uint64_t sp)
{
	if (ld->mode == A64_AM_LITERAL)
		return pc + (uint64_t)ld->imm;

	uint64_t base = ld->rn == 31 ? sp : x[ld->rn];
	switch (ld->mode) {
	case A64_AM_POST:
		return base;
	case A64_AM_REG: {
		uint64_t off = ld->rm == 31 ? 0 : x[ld->rm]; /* Rm = 31 is XZR */
		switch (ld->extend) {
		case 2: /* UXTW */
			off = (uint32_t)off;
			break;
		case 6: /* SXTW */
			off = (uint64_t)(int64_t)(int32_t)off;
			break;
		default: /* 3 LSL/UXTX, 7 SXTX: the whole register */
			break;
		}
		return base + (off << ld->shift);
	}
	default:
		return base + (uint64_t)ld->imm;
	}
}

uint64_t a64_dabt_esr(const struct a64_ldst *ld, unsigned dfsc)
{
	uint64_t esr = ((uint64_t)EC_DABT_LOW << ESR_EC_SHIFT) | ESR_IL | (dfsc & 0x3f);

	if (!ld->is_load)
		esr |= ISS_DA_WNR;
	/*
	 * The instruction syndrome is valid only for a single general-purpose
	 * register without writeback; never for pairs or pre/post-indexing.
	 */
	if (ld->is_pair || ld->mode == A64_AM_PRE || ld->mode == A64_AM_POST)
		return esr;
	unsigned sas = ld->size == 1 ? 0 : ld->size == 2 ? 1 : ld->size == 4 ? 2 : 3;
	bool sf = ld->is_load ? (ld->sign_extend ? ld->dest_64 : ld->size == 8) : ld->size == 8;
	esr |= ISS_DA_ISV | (uint64_t)sas << ISS_DA_SAS_SHIFT | (uint64_t)(ld->rt & 31) << ISS_DA_SRT_SHIFT;
	if (ld->sign_extend)
		esr |= ISS_DA_SSE;
	if (sf)
		esr |= ISS_DA_SF;
	if (ld->acq_rel)
		esr |= ISS_DA_AR;
	return esr;
}

bool a64_insn_ends_block(uint32_t insn)
{
	/* Branches, exception generation and system instructions: op0 = 101x. */
	if ((insn & 0x1c000000u) == 0x14000000u)
		return true;
	/* Unallocated or permanently undefined (UDF) space, op0 = 0000. */
	return (insn & 0x1e000000u) == 0;
}
