/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 instruction behind an exit, for the exit trace: four bytes
 * at the exit's PC (A64 instructions are all 32 bits, ARM ARM C1.1),
 * disassembled by Capstone.
 */
#include <capstone/capstone.h>

#include "../disasm.h"
#include "cpu.h"

int sim_arch_insn_text(struct sim_cpu *c, const struct vcpu_exit *exit, char *buf, size_t size)
{
	uint8_t code[4];

	if (exit->pc & 3 || sim_code_read(c, exit->pc, code, sizeof(code)) != sizeof(code))
		return 0;
	return sim_capstone_text(CS_ARCH_ARM64, CS_MODE_ARM, exit->pc, code, sizeof(code), buf,
				 size);
}
