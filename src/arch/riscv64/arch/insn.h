/* SPDX-License-Identifier: MIT */
/**
 * @file insn.h
 * @brief Decoding of RISC-V integer loads and stores, 32-bit and
 *        compressed (RISC-V Unprivileged ISA 20191213, 2.6 "Load and
 *        Store Instructions" and 16.3/16.5 "Load and Store" C-extension
 *        forms), and the transformed instruction htinst would hold for
 *        them (Privileged 1.12, 8.6.3). Capstone 4 has no RISC-V: this is
 *        the project's own decoder. Pure functions.
 */
#ifndef ARCH_RISCV64_INSN_H
#define ARCH_RISCV64_INSN_H

#include <cvisor/types.h>

/** A decoded load or store of an integer register. */
struct rv_ldst {
	bool is_load;
	bool sign_extend;  /**< LB, LH, LW (LD needs none) */
	unsigned size;     /**< bytes: 1, 2, 4, 8 */
	unsigned reg;      /**< rd of a load, rs2 of a store */
	unsigned rs1;      /**< base register */
	int64_t imm;       /**< byte offset */
	unsigned len;      /**< instruction length: 2 (compressed) or 4 */
};

/** Length of the instruction whose first 16-bit parcel is lo: 2 or 4 (longer forms: 0). */
unsigned rv_insn_length(uint16_t lo);
/**
 * Decodes insn (a 32-bit instruction, or a compressed one in the low 16
 * bits) if it is an integer load or store. Returns true and fills *ld.
 */
bool rv_decode_ldst(uint32_t insn, struct rv_ldst *ld);
/** Effective address of a decoded load/store given the registers. */
uint64_t rv_ldst_address(const struct rv_ldst *ld, const uint64_t x[32]);
/**
 * The transformed instruction for htinst (Privileged 8.6.3): the 32-bit
 * form of the load/store with rs1 and the offset cleared, bit 1 clear if
 * the original was compressed (so the hypervisor knows its length).
 */
uint32_t rv_transform_ldst(const struct rv_ldst *ld);

#endif
