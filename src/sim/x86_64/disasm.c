/* SPDX-License-Identifier: MIT */
/*
 * The x86 instruction behind an exit, for the exit trace: up to 15 bytes
 * at the exit's RIP (its linear address, CS.base + RIP, outside long
 * mode), read through the guest's paging as the vCPU sees it, and
 * disassembled by Capstone with the code size the CPU runs (16, 32 or 64
 * bits; in long mode 64, compatibility mode is not told apart, as in
 * insn.c), in AT&T syntax like the guests' sources.
 *
 * An IN/OUT exit's PC is not its instruction's: Unicorn's IN/OUT hooks
 * see the PC of the block's start (notes/unicorn-2.0.1-findings.md,
 * "Program counter precision"). The text is then given only if that PC
 * holds an IN or OUT.
 */
#include <arch/stage1.h>
#include <capstone/capstone.h>

#include <cvisor/lib.h>

#include "../disasm.h"
#include "cpu.h"

/* Whether code starts with IN, OUT, INS or OUTS (after prefixes; SDM Vol. 2, appendix A.3). */
static bool is_port_io(const uint8_t *code, size_t n)
{
	size_t i = 0;

	while (i < n && (code[i] == 0x66 || code[i] == 0x67 || code[i] == 0xf2 || code[i] == 0xf3 ||
			 (code[i] & 0xf0) == 0x40))
		i++;
	if (i == n)
		return false;
	uint8_t op = code[i];
	return (op >= 0xe4 && op <= 0xe7) || (op >= 0xec && op <= 0xef) ||
	       (op >= 0x6c && op <= 0x6f);
}

int sim_arch_insn_text(struct sim_cpu *c, const struct vcpu_exit *exit, char *buf, size_t size)
{
	struct sim_x86 *s = (struct sim_x86 *)c;
	uint8_t code[SIM_INSN_MAX];
	uint64_t cs_base = 0;
	int bits = 64;

	if (!(c->vcpu->arch.efer & X86_EFER_LMA))
		bits = sim_x86_qstate_code_bits(s, &cs_base);
	uint64_t lin = cs_base + exit->pc;
	size_t first = (size_t)MIN((uint64_t)sizeof(code), PAGE_SIZE - (lin & (PAGE_SIZE - 1)));
	size_t n = 0;
	if (sim_x86_read_gva(s, lin, code, first) == 0) {
		n = first;
		if (n < sizeof(code) &&
		    sim_x86_read_gva(s, lin + n, code + n, sizeof(code) - n) == 0)
			n = sizeof(code);
	}
	if (n == 0 || (exit->reason == EXIT_PIO && !is_port_io(code, n)))
		return 0;
	return sim_capstone_text(CS_ARCH_X86,
				 bits == 16   ? CS_MODE_16
				 : bits == 32 ? CS_MODE_32
					      : CS_MODE_64,
				 exit->pc, code, n, buf, size);
}
