/* SPDX-License-Identifier: MIT */
/**
 * @file insn.c
 * @brief Decoding of A64 general-purpose-register loads and stores.
 *
 * Reference: ARM ARM (DDI 0487) C4.1 "A64 instruction set encoding", the
 * "Loads and Stores" encoding group and its classes, and D17.2.37 "ISS
 * encoding for an exception from a Data Abort" for the syndrome a stage-2
 * fault on such an access leaves in ESR_EL2.
 *
 * Only what a data abort can need is decoded: which registers, how wide,
 * signed or not, and how the address is formed. Loads and stores of
 * SIMD&FP registers (V = 1), atomic memory operations, compare-and-swap,
 * prefetches and tag stores are not "a load or store of a general-purpose
 * register" here: a64_decode_ldst() returns false for them.
 */
#include <arch/trap.h>
#include <arch/insn.h>
#include <cvisor/lib.h>

/* Bits [hi:lo] of insn. */
static unsigned bits(uint32_t insn, unsigned hi, unsigned lo)
{
	return (insn >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* The low width bits of v as a two's complement number. */
static int64_t sign_extend(uint64_t v, unsigned width)
{
	uint64_t sign = 1ULL << (width - 1);
	return (int64_t)((v ^ sign) - sign);
}

/*
 * size (bits [31:30]) and opc (bits [23:22]) of the single-register
 * classes (ARM ARM C4.1, "Load/store register (unsigned immediate)" and
 * its siblings): opc 00 store, 01 load, 10 sign-extending load into X
 * (LDRSB/LDRSH/LDRSW; PRFM when size = 11), 11 sign-extending load into
 * W (LDRSB/LDRSH; unallocated for sizes 10 and 11). Returns false for
 * prefetches and unallocated encodings.
 */
static bool size_opc(uint32_t insn, struct a64_ldst *ld)
{
	unsigned size = bits(insn, 31, 30), opc = bits(insn, 23, 22);

	ld->size = 1u << size;
	switch (opc) {
	case 0:
		return true;
	case 1:
		ld->is_load = true;
		return true;
	case 2:
		if (size == 3)
			return false;
		ld->is_load = ld->sign_extend = ld->dest_64 = true;
		return true;
	default:
		if (size >= 2)
			return false;
		ld->is_load = ld->sign_extend = true;
		return true;
	}
}

/* Load/store register (unsigned immediate): size 111 0 01 opc imm12 Rn Rt; imm12 scaled by size. */
static bool decode_unsigned_imm(uint32_t insn, struct a64_ldst *ld)
{
	if (!size_opc(insn, ld))
		return false;
	ld->mode = A64_AM_IMM;
	ld->imm = (int64_t)bits(insn, 21, 10) * ld->size;
	return true;
}

/*
 * The imm9 classes: size 111 0 00 opc 0 imm9 op4 Rn Rt, op4 (bits
 * [11:10]) choosing unscaled (LDUR/STUR), post-index, unprivileged
 * (LDTR/STTR, no writeback) or pre-index. imm9 is not scaled.
 */
static bool decode_imm9(uint32_t insn, struct a64_ldst *ld)
{
	static const enum a64_addr_mode modes[4] = { A64_AM_IMM, A64_AM_POST, A64_AM_IMM,
						     A64_AM_PRE };
	if (!size_opc(insn, ld))
		return false;
	ld->mode = modes[bits(insn, 11, 10)];
	ld->imm = sign_extend(bits(insn, 20, 12), 9);
	return true;
}

/*
 * Load/store register (register offset): size 111 0 00 opc 1 Rm option S
 * 10 Rn Rt. option: 010 UXTW, 011 LSL (UXTX), 110 SXTW, 111 SXTX; the
 * others are unallocated. S shifts the offset left by log2(size).
 */
static bool decode_reg_offset(uint32_t insn, struct a64_ldst *ld)
{
	unsigned option = bits(insn, 15, 13);

	if (!(option & 2) || !size_opc(insn, ld))
		return false;
	ld->mode = A64_AM_REG;
	ld->rm = bits(insn, 20, 16);
	ld->extend = option;
	ld->shift = bits(insn, 12, 12) ? bits(insn, 31, 30) : 0;
	return true;
}

/*
 * LDAPR, LDAPRB, LDAPRH (FEAT_LRCPC): they sit in the atomic memory
 * operations class, size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt, as the one
 * form with A = 1, R = 0, Rs = 11111, o3 = 1, opc = 100. The rest of the
 * class (LDADD, SWP, ...) both reads and writes memory: not decoded.
 */
static bool decode_atomic_class(uint32_t insn, struct a64_ldst *ld)
{
	if (bits(insn, 23, 22) != 2 || bits(insn, 20, 16) != 31 || bits(insn, 15, 12) != 0xc)
		return false;
	ld->is_load = ld->acq_rel = true;
	ld->size = 1u << bits(insn, 31, 30);
	ld->mode = A64_AM_IMM;
	return true;
}

/*
 * LDAPUR and STLUR of every size (FEAT_LRCPC2), the class "LDAPR/STLR
 * (unscaled immediate)": size 011 0 01 opc 0 imm9 00 Rn Rt, opc as for the
 * other single-register classes except that opc 10 with size 11 is
 * unallocated rather than a prefetch.
 */
static bool decode_rcpc_unscaled(uint32_t insn, struct a64_ldst *ld)
{
	if (!size_opc(insn, ld))
		return false;
	ld->acq_rel = true;
	ld->mode = A64_AM_IMM;
	ld->imm = sign_extend(bits(insn, 20, 12), 9);
	return true;
}

/*
 * Load register (literal): opc 011 0 00 imm19 Rt, address PC + imm19 * 4.
 * opc: 00 LDR Wt, 01 LDR Xt, 10 LDRSW Xt, 11 PRFM.
 */
static bool decode_literal(uint32_t insn, struct a64_ldst *ld)
{
	switch (bits(insn, 31, 30)) {
	case 0:
		ld->size = 4;
		break;
	case 1:
		ld->size = 8;
		break;
	case 2:
		ld->size = 4;
		ld->sign_extend = ld->dest_64 = true;
		break;
	default:
		return false;
	}
	ld->is_load = true;
	ld->mode = A64_AM_LITERAL;
	ld->imm = sign_extend(bits(insn, 23, 5), 19) * 4;
	return true;
}

/*
 * Load/store pair: opc 101 0 0 idx(2) L imm7 Rt2 Rn Rt, imm7 scaled by the
 * register size. idx: 00 no-allocate (LDNP/STNP), 01 post-index, 10
 * signed offset, 11 pre-index. opc: 00 W registers, 01 LDPSW (the store
 * form is STGP, a tag store), 10 X registers, 11 unallocated.
 */
static bool decode_pair(uint32_t insn, struct a64_ldst *ld)
{
	static const enum a64_addr_mode modes[4] = { A64_AM_IMM, A64_AM_POST, A64_AM_IMM,
						     A64_AM_PRE };
	unsigned opc = bits(insn, 31, 30), idx = bits(insn, 24, 23);

	ld->is_load = bits(insn, 22, 22);
	switch (opc) {
	case 0:
		ld->size = 4;
		break;
	case 1:
		if (!ld->is_load || idx == 0)
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
	ld->mode = modes[idx];
	ld->imm = sign_extend(bits(insn, 21, 15), 7) * ld->size;
	return true;
}

/*
 * Exclusive and ordered accesses: size 001000 o2 L o1 Rs o0 Rt2 Rn Rt,
 * address [Xn|SP] with no offset.
 *   o2 o1 = 00: LDXR, LDAXR, STXR, STLXR (all sizes; o0 = acquire/release)
 *   o2 o1 = 01: LDXP, LDAXP, STXP, STLXP when size is 1x (bit 30: X
 *               registers); CASP when size is 0x
 *   o2 o1 = 10: LDAR, STLR (o0 = 1); LDLAR, STLLR (o0 = 0, FEAT_LOR)
 *   o2 o1 = 11: CAS
 */
static bool decode_excl_ordered(uint32_t insn, struct a64_ldst *ld)
{
	unsigned size = bits(insn, 31, 30), o2 = bits(insn, 23, 23), o1 = bits(insn, 21, 21);
	bool o0 = bits(insn, 15, 15);

	ld->is_load = bits(insn, 22, 22);
	ld->size = 1u << size;
	ld->mode = A64_AM_IMM;
	if (o2 == 0 && o1 == 0) {
		ld->exclusive = true;
		ld->acq_rel = o0;
		return true;
	}
	if (o2 == 0 && o1 == 1) {
		if (!(size & 2))
			return false; /* CASP */
		ld->size = (size & 1) ? 8 : 4;
		ld->exclusive = ld->is_pair = true;
		ld->acq_rel = o0;
		ld->rt2 = bits(insn, 14, 10);
		return true;
	}
	if (o2 == 1 && o1 == 0) {
		ld->acq_rel = true; /* LoadLOAcquire/StoreLORelease are ordered too */
		return true;
	}
	return false; /* CAS */
}

bool a64_decode_ldst(uint32_t insn, struct a64_ldst *ld)
{
	bool ok = false;

	memset(ld, 0, sizeof(*ld));
	ld->rt = bits(insn, 4, 0);
	ld->rn = bits(insn, 9, 5);
	/* Loads and stores: op0 (bits [28:25]) = x1x0; bit 26 (V) selects SIMD&FP registers. */
	if (bits(insn, 27, 25) != 4 && bits(insn, 27, 25) != 6)
		return false;
	if (bits(insn, 26, 26))
		return false;
	switch (bits(insn, 29, 24) & 0x3b) { /* bits [29:27] and [25:24]; bit 26 is 0 */
	case 0x39: /* 111 0 01 */
		ok = decode_unsigned_imm(insn, ld);
		break;
	case 0x38: /* 111 0 00 */
		if (bits(insn, 21, 21) == 0)
			ok = decode_imm9(insn, ld);
		else if (bits(insn, 11, 10) == 2)
			ok = decode_reg_offset(insn, ld);
		else if (bits(insn, 11, 10) == 0)
			ok = decode_atomic_class(insn, ld);
		/* op4 = x1: LDRAA/LDRAB (pointer authentication): not decoded */
		break;
	case 0x19: /* 011 0 01 */
		if (bits(insn, 21, 21) == 0 && bits(insn, 11, 10) == 0)
			ok = decode_rcpc_unscaled(insn, ld);
		break;
	case 0x18: /* 011 0 00 */
		ok = decode_literal(insn, ld);
		break;
	case 0x28: /* 101 0 00 */
	case 0x29: /* 101 0 01 */
		ok = decode_pair(insn, ld);
		break;
	case 0x08: /* 001 0 00 */
		ok = decode_excl_ordered(insn, ld);
		break;
	default:
		break;
	}
	if (!ok)
		memset(ld, 0, sizeof(*ld));
	ld->bytes = ld->size * (ld->is_pair ? 2 : 1);
	return ok;
}

/*
 * Bytes of one SIMD&FP register access in the single-register classes
 * (ARM ARM C4.1.66, V = 1): size (bits [31:30]) and opc<1> (bit 23) give
 * B, H, S, D (1 << size) or, with opc<1> = 1 and size = 00, Q (16 bytes).
 * opc<0> (bit 22) is the load bit. Returns 0 for unallocated forms.
 */
static unsigned simd_size(uint32_t insn, struct a64_ldst *ld)
{
	unsigned size = bits(insn, 31, 30);

	ld->is_load = bits(insn, 22, 22);
	if (bits(insn, 23, 23))
		return size == 0 ? 16 : 0;
	return 1u << size;
}

/*
 * LD1/ST1/LD2.../ST4 (multiple structures): 0 Q 001100 p L 0 Rm opcode
 * size Rn Rt, p = 1 for the post-indexed form. opcode gives the number of
 * registers: 0000 and 0010 four, 0100 and 0110 three, 0111 one, 1000 and
 * 1010 two. Each register is 8 bytes (Q = 0) or 16 (Q = 1).
 */
static bool decode_simd_multiple(uint32_t insn, struct a64_ldst *ld)
{
	static const unsigned nregs[16] = { [0] = 4, [2] = 4, [4] = 3, [6] = 3, [7] = 1, [8] = 2, [10] = 2 };
	unsigned n = nregs[bits(insn, 15, 12)];

	if (bits(insn, 31, 31) || bits(insn, 21, 21) || !n)
		return false;
	ld->is_load = bits(insn, 22, 22);
	ld->size = bits(insn, 30, 30) ? 16 : 8;
	ld->bytes = n * ld->size;
	ld->mode = bits(insn, 23, 23) ? A64_AM_POST : A64_AM_IMM;
	return true;
}

/* SIMD&FP register loads and stores: the classes of a64_decode_ldst() with V = 1. */
static bool decode_simd(uint32_t insn, struct a64_ldst *ld)
{
	static const enum a64_addr_mode modes[4] = { A64_AM_IMM, A64_AM_POST, A64_AM_IMM,
						     A64_AM_PRE };
	unsigned opc = bits(insn, 31, 30);

	ld->simd = true;
	switch (bits(insn, 29, 24) & 0x3b) {
	case 0x39: /* unsigned immediate, scaled */
		ld->size = simd_size(insn, ld);
		ld->mode = A64_AM_IMM;
		ld->imm = (int64_t)bits(insn, 21, 10) * ld->size;
		break;
	case 0x38: /* imm9 forms, register offset */
		ld->size = simd_size(insn, ld);
		if (bits(insn, 21, 21) == 0) {
			ld->mode = modes[bits(insn, 11, 10)];
			ld->imm = sign_extend(bits(insn, 20, 12), 9);
		} else if (bits(insn, 11, 10) == 2 && (bits(insn, 15, 13) & 2)) {
			ld->mode = A64_AM_REG;
			ld->rm = bits(insn, 20, 16);
			ld->extend = bits(insn, 15, 13);
			ld->shift = bits(insn, 12, 12) ? (unsigned)__builtin_ctz(ld->size ? ld->size : 1) : 0;
		} else {
			return false;
		}
		break;
	case 0x18: /* literal: opc 00 S, 01 D, 10 Q */
		ld->size = opc == 0 ? 4 : opc == 1 ? 8 : opc == 2 ? 16 : 0;
		ld->is_load = true;
		ld->mode = A64_AM_LITERAL;
		ld->imm = sign_extend(bits(insn, 23, 5), 19) * 4;
		break;
	case 0x28: /* pairs: opc 00 S, 01 D, 10 Q */
	case 0x29:
		ld->size = opc == 0 ? 4 : opc == 1 ? 8 : opc == 2 ? 16 : 0;
		ld->is_load = bits(insn, 22, 22);
		ld->is_pair = true;
		ld->rt2 = bits(insn, 14, 10);
		ld->mode = modes[bits(insn, 24, 23)];
		ld->imm = sign_extend(bits(insn, 21, 15), 7) * ld->size;
		break;
	case 0x08: /* 0 Q 001100 ...: LD1/ST1 and the other structure loads and stores */
		return bits(insn, 24, 24) == 0 && decode_simd_multiple(insn, ld);
	default:
		return false;
	}
	ld->bytes = ld->size * (ld->is_pair ? 2 : 1);
	return ld->size != 0;
}

/* DC ZVA, Xt (ARM ARM C5.3 "DC ZVA"): SYS #3, C7, C4, #1, Xt. */
#define INSN_DC_ZVA 0xd50b7420u

bool a64_decode_access(uint32_t insn, unsigned zva_block, struct a64_ldst *ld)
{
	if (a64_decode_ldst(insn, ld))
		return true;
	memset(ld, 0, sizeof(*ld));
	ld->rt = bits(insn, 4, 0);
	ld->rn = bits(insn, 9, 5);
	if ((insn & ~0x1fu) == INSN_DC_ZVA) {
		/* The block holding Xt is zeroed: a store of zva_block bytes at Xt rounded down. */
		ld->zva = true;
		ld->rn = ld->rt;
		ld->size = ld->bytes = zva_block;
		ld->mode = A64_AM_IMM;
		return true;
	}
	if (bits(insn, 27, 25) != 6 && bits(insn, 27, 25) != 4)
		return false;
	if (bits(insn, 26, 26) && decode_simd(insn, ld))
		return true;
	memset(ld, 0, sizeof(*ld));
	return false;
}

/*
 * The offset register Rm after its extend (ARM ARM C6.2, "ExtendReg"):
 * UXTW takes the low 32 bits unsigned, SXTW signed; LSL/UXTX and SXTX the
 * whole 64-bit register. Then shifted left by the access size, if S.
 */
static uint64_t reg_offset(const struct a64_ldst *ld, const uint64_t x[31])
{
	uint64_t off = ld->rm == 31 ? 0 : x[ld->rm]; /* Rm = 31 is XZR here */

	switch (ld->extend) {
	case 2: /* UXTW */
		off = (uint32_t)off;
		break;
	case 6: /* SXTW */
		off = (uint64_t)(int64_t)(int32_t)(uint32_t)off;
		break;
	default: /* 3 LSL/UXTX, 7 SXTX */
		break;
	}
	return off << ld->shift;
}

uint64_t a64_ldst_address(const struct a64_ldst *ld, uint64_t pc, const uint64_t x[31],
			  uint64_t sp)
{
	if (ld->mode == A64_AM_LITERAL)
		return pc + (uint64_t)ld->imm;
	if (ld->zva) /* Rt = 31 is XZR; the block holding the address is zeroed */
		return (ld->rt == 31 ? 0 : x[ld->rt]) & ~((uint64_t)ld->bytes - 1);

	uint64_t base = ld->rn == 31 ? sp : x[ld->rn]; /* Rn = 31 is SP here */
	switch (ld->mode) {
	case A64_AM_POST:
		return base; /* the offset is added to Xn after the access */
	case A64_AM_REG:
		return base + reg_offset(ld, x);
	default:
		return base + (uint64_t)ld->imm;
	}
}

/* SAS: log2 of the access size. */
static unsigned sas(unsigned size)
{
	return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

/*
 * ARM ARM D17.2.37, ISS encoding for a Data Abort. ISV is 1 for a stage-2
 * abort only on "loads and stores of a single general-purpose register
 * (including the register specified with 0b11111, including those with
 * Acquire/Release semantics, but excluding Load Exclusive or Store
 * Exclusive and excluding those with writeback)". With ISV:
 *   SAS  [23:22] access size, SSE [21] sign-extending load,
 *   SRT  [20:16] Rt, SF [15] Rt is an X register (for a load, the
 *        register written: LDRSB Xt is 64-bit, LDRSB Wt and LDRB are not),
 *   AR   [14] acquire/release.
 * WnR [6] is set for a store whether or not ISV is. IL (bit 25) is 1.
 */
uint64_t a64_dabt_esr(const struct a64_ldst *ld, unsigned dfsc)
{
	uint64_t esr = (uint64_t)EC_DABT_LOW << ESR_EC_SHIFT | ESR_IL | (dfsc & 0x3f);

	if (!ld->is_load)
		esr |= ISS_DA_WNR;
	if (ld->is_pair || ld->exclusive || ld->simd || ld->zva || ld->mode == A64_AM_PRE ||
	    ld->mode == A64_AM_POST)
		return esr;

	bool sf = ld->sign_extend ? ld->dest_64 : ld->size == 8;
	esr |= ISS_DA_ISV | (uint64_t)sas(ld->size) << ISS_DA_SAS_SHIFT |
	       (uint64_t)(ld->rt & 31) << ISS_DA_SRT_SHIFT;
	if (ld->sign_extend)
		esr |= ISS_DA_SSE;
	if (sf)
		esr |= ISS_DA_SF;
	if (ld->acq_rel)
		esr |= ISS_DA_AR;
	return esr;
}

/*
 * QEMU's translator (and so Unicorn's) ends a translation block after an
 * instruction that changes the PC other than by falling through, raises
 * an exception, or may change state the translation depends on. At the
 * top level of the A64 encoding (ARM ARM C4.1) that is:
 * - op0 (bits [28:25]) = 101x: branches (B, BL, B.cond, CBZ/CBNZ,
 *   TBZ/TBNZ, BR, BLR, RET, ERET), exception generation (SVC, HVC, SMC,
 *   BRK, HLT) and system instructions (MSR, MRS, SYS, barriers, hints
 *   such as WFI/WFE). Not all system instructions end a block in QEMU;
 *   counting them all is the conservative answer.
 * - op0 = 0000 (UDF and, without SME, unallocated), 0001 and 0011
 *   (unallocated): undefined instructions raise an exception.
 */
bool a64_insn_ends_block(uint32_t insn)
{
	unsigned op0 = bits(insn, 28, 25);

	return (op0 & 0xe) == 0xa || op0 == 0 || op0 == 1 || op0 == 3;
}
