/* SPDX-License-Identifier: MIT */
/**
 * @file disasm.h
 * @brief A disassembler for the RISC-V instructions a guest of cvisor
 *        runs: RV64I, M, A, C, Zicsr, Zifencei, the privileged
 *        instructions (SRET, MRET, WFI, SFENCE.VMA, HFENCE.VVMA/GVMA) and
 *        the floating-point loads and stores. Capstone 4 has no RISC-V:
 *        this is the project's own, for the exit trace. Pure function.
 *
 * The text is GNU objdump's with `-M no-aliases` (the instructions as
 * encoded, no pseudo-instructions: `addi a0,zero,1`, not `li a0,1`;
 * compressed ones keep their `c.` name), ABI register names, and branch
 * and jump targets as absolute addresses in hex with 0x.
 */
#ifndef ARCH_RISCV64_DISASM_H
#define ARCH_RISCV64_DISASM_H

#include <cvisor/types.h>

/** Longest text rv_disasm() writes, with its NUL. */
#define RV_DISASM_MAX 48

/**
 * Disassembles insn, the instruction at pc (a 32-bit one, or a
 * compressed one in the low 16 bits; the length comes from its low bits,
 * rv_insn_length()), into buf. Returns its length in bytes, 2 or 4; or
 * 0 for an encoding outside the extensions above, with buf
 * "unknown 0x%08x" (or 0x%04x for a 16-bit one). buf is always
 * NUL-terminated when size > 0.
 */
unsigned rv_disasm(uint32_t insn, uint64_t pc, char *buf, size_t size);

#endif
