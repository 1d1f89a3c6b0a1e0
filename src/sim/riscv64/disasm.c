/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V instruction behind an exit, for the exit trace: its first
 * 16-bit parcel at the exit's PC gives its length (Unprivileged ISA 1.5,
 * "Base Instruction-Length Encoding"), then the project's disassembler
 * (src/arch/riscv64/disasm.c: Capstone 4 has no RISC-V).
 */
#include <arch/disasm.h>
#include <arch/insn.h>

#include <cvisor/lib.h>

#include "../disasm.h"
#include "cpu.h"

int sim_arch_insn_text(struct sim_cpu *c, const struct vcpu_exit *exit, char *buf, size_t size)
{
	uint8_t b[4];

	if (exit->pc & 1 || sim_code_read(c, exit->pc, b, 2) != 2)
		return 0;
	unsigned len = rv_insn_length((uint16_t)(b[0] | b[1] << 8));
	if (len == 0 || (len == 4 && sim_code_read(c, exit->pc + 2, b + 2, 2) != 2))
		return 0;
	uint32_t insn = (uint32_t)b[0] | (uint32_t)b[1] << 8;
	if (len == 4)
		insn |= (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	char text[RV_DISASM_MAX];
	rv_disasm(insn, exit->pc, text, sizeof(text));
	return cv_snprintf(buf, size, "%s", text);
}
