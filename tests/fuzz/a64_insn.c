/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target "a64_insn": the A64 load/store decoder
 * (src/arch/aarch64/insn.c) on every 32-bit word, and the data abort
 * syndrome it builds, decoded back by a64_decode_trap().
 *
 * Feeds: the instruction (4 bytes), then PC, SP and 8 bytes from which
 *        x0..x30 are made.
 * Runs:  a64_decode_ldst(), a64_ldst_address(), a64_dabt_esr(),
 *        a64_insn_ends_block(), and a64_decode_trap() on the syndrome.
 * Checks, beyond no crash (ARM ARM C4.1 "Loads and Stores", D17.2.37):
 *  - a decoded access is 1..16 bytes (a power of two), its registers
 *    below 32, its addressing mode and extend known, a sign-extending or
 *    literal access a load, a literal offset a multiple of 4;
 *  - a load or store never ends a translation block;
 *  - round trip: the stage-2 abort syndrome of the access, decoded, is an
 *    MMIO exit of the same size, register, direction and sign at the
 *    access's address when the architecture gives a syndrome (a single
 *    register without writeback, not exclusive), else a stage-2 fault
 *    of the same direction with no size.
 */
#include <string.h>

#include <arch/insn.h>
#include <arch/trap.h>

#include "fuzz.h"

static void check_decoded(uint32_t insn, const struct a64_ldst *ld)
{
	unsigned s = ld->size;

	FUZZ_CHECK(s >= 1 && s <= 16 && (s & (s - 1)) == 0, "0x%08x: size %u", insn, s);
	FUZZ_CHECK(ld->rt < 32 && ld->rt2 < 32 && ld->rn < 32 && ld->rm < 32,
		   "0x%08x: a register number beyond 31", insn);
	FUZZ_CHECK(ld->mode <= A64_AM_LITERAL, "0x%08x: mode %u", insn, ld->mode);
	if (ld->mode == A64_AM_REG)
		FUZZ_CHECK(ld->extend == 2 || ld->extend == 3 || ld->extend == 6 || ld->extend == 7,
			   "0x%08x: extend %u", insn, ld->extend);
	FUZZ_CHECK(ld->shift <= 4, "0x%08x: shift %u", insn, ld->shift);
	FUZZ_CHECK(ld->is_load || (!ld->sign_extend && ld->mode != A64_AM_LITERAL),
		   "0x%08x: a store that sign-extends or reads a literal", insn);
	FUZZ_CHECK(ld->mode != A64_AM_LITERAL || ld->imm % 4 == 0, "0x%08x: literal offset %lld",
		   insn, (long long)ld->imm);
	FUZZ_CHECK(!a64_insn_ends_block(insn), "0x%08x: a load/store that ends a block", insn);
}

/* The syndrome of a stage-2 translation fault on the access, decoded back. */
static void check_round_trip(uint32_t insn, const struct a64_ldst *ld, uint64_t addr, uint64_t pc)
{
	struct a64_trap t = { .far = addr, .hpfar = a64_hpfar_from_gpa(addr), .pc = pc };
	struct vcpu_exit e;
	bool isv = !ld->is_pair && !ld->exclusive && ld->mode != A64_AM_PRE &&
		   ld->mode != A64_AM_POST;

	t.esr = a64_dabt_esr(ld, FSC_TRANS(3));
	a64_decode_trap(&t, &e);
	fuzz_check_exit(&e);
	if (!isv) {
		FUZZ_CHECK(e.reason == EXIT_STAGE2_FAULT && e.s2fault.size == 0 &&
				   e.s2fault.access == (ld->is_load ? ACCESS_READ : ACCESS_WRITE),
			   "0x%08x: no syndrome, but exit %s", insn, exit_reason_name(e.reason));
		return;
	}
	bool sf = ld->sign_extend ? ld->dest_64 : ld->size == 8;
	FUZZ_CHECK(e.reason == EXIT_MMIO, "0x%08x: exit %s", insn, exit_reason_name(e.reason));
	FUZZ_CHECK(e.mmio.size == ld->size && e.mmio.reg == ld->rt && e.mmio.write == !ld->is_load &&
			   e.mmio.sign_extend == ld->sign_extend && e.mmio.reg_is_64 == sf,
		   "0x%08x: MMIO size %u reg %u write %d sign %d sf %d, decoded %u %u %d %d %d", insn,
		   e.mmio.size, e.mmio.reg, e.mmio.write, e.mmio.sign_extend, e.mmio.reg_is_64,
		   ld->size, ld->rt, !ld->is_load, ld->sign_extend, sf);
	FUZZ_CHECK(e.mmio.gpa == (addr & ((1ULL << 52) - 1)), "0x%08x: MMIO at 0x%llx for 0x%llx",
		   insn, (unsigned long long)e.mmio.gpa, (unsigned long long)addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct a64_ldst ld;
	uint64_t x[31];

	uint32_t insn = fuzz_u32(&in);
	uint64_t pc = fuzz_u64(&in), sp = fuzz_u64(&in), seed = fuzz_u64(&in);
	for (unsigned i = 0; i < 31; i++)
		x[i] = seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));

	if (!a64_decode_ldst(insn, &ld)) {
		(void)a64_insn_ends_block(insn);
		return 0;
	}
	check_decoded(insn, &ld);
	uint64_t addr = a64_ldst_address(&ld, pc, x, sp);
	if (ld.mode == A64_AM_LITERAL)
		FUZZ_CHECK(addr == pc + (uint64_t)ld.imm, "0x%08x: literal address", insn);
	check_round_trip(insn, &ld, addr, pc);
	return 0;
}
