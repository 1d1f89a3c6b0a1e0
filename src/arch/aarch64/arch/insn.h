/* SPDX-License-Identifier: MIT */
/**
 * @file insn.h
 * @brief Decoding of A64 load/store instructions (ARM ARM C4.1.66
 *        "Loads and Stores"), used by the simulator to build the data abort
 *        syndrome the hardware would report for an access, and to find the
 *        instruction that made an access. Pure functions.
 */
#ifndef ARCH_AARCH64_INSN_H
#define ARCH_AARCH64_INSN_H

#include <cvisor/types.h>

/** Addressing of a decoded load/store. */
enum a64_addr_mode {
	A64_AM_IMM,      /**< [Xn|SP, #imm] (unsigned offset or unscaled) */
	A64_AM_PRE,      /**< [Xn|SP, #imm]!  (writeback) */
	A64_AM_POST,     /**< [Xn|SP], #imm   (writeback) */
	A64_AM_REG,      /**< [Xn|SP, Rm{, extend/shift}] */
	A64_AM_LITERAL,  /**< PC-relative literal */
};

/** A decoded general-purpose-register load or store. */
struct a64_ldst {
	bool is_load;
	bool is_pair;        /**< LDP/STP: two registers, rt and rt2 */
	bool sign_extend;    /**< LDRS* */
	bool dest_64;        /**< a sign-extending load fills 64 bits (else 32) */
	bool acq_rel;        /**< load-acquire / store-release */
	bool exclusive;      /**< exclusive (LDXR/STXR family) */
	unsigned size;       /**< access size of one register in bytes: 1, 2, 4, 8 */
	unsigned rt, rt2, rn;
	enum a64_addr_mode mode;
	int64_t imm;         /**< byte offset (already scaled) */
	unsigned rm;         /**< A64_AM_REG: offset register */
	unsigned extend;     /**< A64_AM_REG: option field (2 UXTW, 3 LSL/UXTX, 6 SXTW, 7 SXTX) */
	unsigned shift;      /**< A64_AM_REG: left shift applied to Rm */
	unsigned bytes;      /**< bytes the whole instruction accesses (a pair: 2 * size) */
	bool simd;           /**< a SIMD&FP register load or store (a64_decode_access) */
	bool zva;            /**< DC ZVA: a store of zeros to a whole block (a64_decode_access) */
};

/**
 * Decodes insn if it is a load or store of general-purpose registers
 * (SIMD/FP and atomics are not). Returns true and fills *ld, else false.
 */
bool a64_decode_ldst(uint32_t insn, struct a64_ldst *ld);
/**
 * Decodes insn if it accesses memory as data: what a64_decode_ldst()
 * decodes, plus loads and stores of SIMD&FP registers (single, pairs, LD1
 * and ST1 of multiple registers) and DC ZVA. For DC ZVA, size and bytes
 * are zva_block (the DCZID_EL0 block size in bytes) and the address is
 * Xt's. Returns true and fills *ld (bytes: the whole access), else false.
 * Used to say what an access without a valid syndrome (ISV = 0) was.
 */
bool a64_decode_access(uint32_t insn, unsigned zva_block, struct a64_ldst *ld);
/**
 * Effective address of a decoded load/store at pc, given the guest's
 * registers before it executes (x[0..30]; sp is the stack pointer in use).
 * For post-indexed forms this is the base register's value.
 */
uint64_t a64_ldst_address(const struct a64_ldst *ld, uint64_t pc, const uint64_t x[31],
			  uint64_t sp);
/**
 * The ESR_EL2 a stage-2 data abort from this instruction would report
 * (ARM ARM D17.2.37, ISS encoding for a Data Abort): EC 0x24, IL, and ISV
 * with SAS/SSE/SRT/SF/AR only for a single register without writeback
 * (pairs, exclusives... give ISV=0, as on hardware). dfsc is the fault
 * status code (e.g. FSC_TRANS(3)).
 */
uint64_t a64_dabt_esr(const struct a64_ldst *ld, unsigned dfsc);
/** True if insn is a branch, exception-generating or system instruction that ends a translation block. */
bool a64_insn_ends_block(uint32_t insn);

#endif
