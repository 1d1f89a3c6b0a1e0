/* SPDX-License-Identifier: MIT */
/**
 * @file disasm.h
 * @brief The instruction behind an exit, as text, for the exit trace: the
 *        simulated CPU reads it at the exit's PC as the vCPU sees its
 *        memory (the guest's stage 1, then stage 2) and disassembles it:
 *        Capstone 4 for AArch64 and x86_64, the project's own decoder for
 *        RISC-V (arch/disasm.h), which Capstone 4 does not know.
 *
 * The host (src/hal_sim/) calls sim_cpu_insn_text(); the rest is shared
 * by the architectures' src/sim/<arch>/disasm.c.
 */
#ifndef SIM_DISASM_H
#define SIM_DISASM_H

#include <stddef.h>
#include <stdint.h>

#include <cvisor/exit.h>

struct sim_cpu;

/** Longest instruction any of the three architectures has (x86: 15 bytes). */
#define SIM_INSN_MAX 15

/**
 * The instruction that made exit, at guest-virtual exit->pc, into buf
 * (e.g. "str w1, [x0]"), on the CPU's own thread. Returns the text's
 * length, or 0 with buf "" when the memory there cannot be read or the
 * PC is known not to be the instruction's (an x86 IN/OUT exit, whose PC
 * Unicorn gives as its block's).
 */
int sim_cpu_insn_text(struct sim_cpu *c, const struct vcpu_exit *exit, char *buf, size_t size);

/** @name Shared by the architectures (src/sim/disasm.c) @{ */
/**
 * Reads up to len bytes of code at guest-virtual va through the vCPU's
 * stage 1 (sim_cpu_s1_walk(), as an instruction fetch) and stage 2, page
 * by page. Returns the bytes read: fewer when a page cannot be read.
 */
size_t sim_code_read(struct sim_cpu *c, uint64_t va, uint8_t *buf, size_t len);
/**
 * Disassembles the first instruction of code[0..len) at address addr
 * with Capstone (arch and mode are cs_arch and cs_mode values; x86 in
 * AT&T syntax, as GNU as and objdump write it) into buf as "mnemonic
 * operands". One Capstone handle for the process, behind a lock (a handle
 * is not thread-safe). Returns the text's length, or 0 with buf "".
 */
int sim_capstone_text(int arch, int mode, uint64_t addr, const uint8_t *code, size_t len, char *buf,
		      size_t size);
/** @} */

/** The architecture's part of sim_cpu_insn_text() (src/sim/<arch>/disasm.c). */
int sim_arch_insn_text(struct sim_cpu *c, const struct vcpu_exit *exit, char *buf, size_t size);

#endif
