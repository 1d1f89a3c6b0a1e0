/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target "rv_insn": the RISC-V load/store decoder
 * (src/arch/riscv64/insn.c) on every 32-bit word and compressed parcel,
 * the transformed instruction it makes for htinst, and that instruction
 * decoded back by rv_decode_trap().
 *
 * Feeds: the instruction (4 bytes; a compressed one in the low 16 bits),
 *        then 8 bytes from which x1..x31 are made.
 * Runs:  rv_insn_length(), rv_decode_ldst(), rv_ldst_address(),
 *        rv_transform_ldst(), rv_decode_trap(), rv_exit_fill_operands().
 * Checks, beyond no crash (Unprivileged ISA 2.6 and 16.3, Privileged
 * 8.6.3 "Transformed Instructions"):
 *  - a decoded access is 1, 2, 4 or 8 bytes, registers below 32, the
 *    length rv_insn_length() gives (2 or 4), a sign-extending access a
 *    load narrower than 8 bytes, the offset in the range of its encoding
 *    (-2048..2047, or 0..504 for the compressed forms);
 *  - the transformed instruction has bit 1 clear exactly for a compressed
 *    original, and decodes (as a 32-bit instruction) to the same access
 *    with rs1 and the offset zero;
 *  - a guest-page fault with that htinst is an MMIO exit of the same size,
 *    register, direction, sign and instruction length at htval << 2 |
 *    stval[1:0], and a store's data is the register cut to its size.
 */
#include <string.h>

#include <arch/insn.h>
#include <arch/trap.h>

#include "fuzz.h"

static void check_decoded(uint32_t insn, const struct rv_ldst *ld)
{
	unsigned s = ld->size;

	FUZZ_CHECK(s == 1 || s == 2 || s == 4 || s == 8, "0x%08x: size %u", insn, s);
	FUZZ_CHECK(ld->reg < 32 && ld->rs1 < 32, "0x%08x: a register beyond x31", insn);
	FUZZ_CHECK(ld->len == rv_insn_length((uint16_t)insn) && (ld->len == 2 || ld->len == 4),
		   "0x%08x: length %u", insn, ld->len);
	FUZZ_CHECK(!ld->sign_extend || (ld->is_load && s < 8), "0x%08x: sign-extends", insn);
	if (ld->len == 4)
		FUZZ_CHECK(ld->imm >= -2048 && ld->imm <= 2047, "0x%08x: offset %lld", insn,
			   (long long)ld->imm);
	else
		FUZZ_CHECK(ld->imm >= 0 && ld->imm <= 504, "0x%04x: offset %lld", insn & 0xffff,
			   (long long)ld->imm);
}

/* The transformed instruction, decoded as an instruction. */
static void check_transform(uint32_t insn, const struct rv_ldst *ld, uint32_t t)
{
	struct rv_ldst back;

	FUZZ_CHECK(((t & 2) != 0) == (ld->len == 4), "0x%08x: transformed 0x%08x, bit 1 for length %u",
		   insn, t, ld->len);
	FUZZ_CHECK(rv_decode_ldst(t | 2, &back), "0x%08x: transformed 0x%08x does not decode", insn,
		   t);
	FUZZ_CHECK(back.is_load == ld->is_load && back.size == ld->size &&
			   back.sign_extend == ld->sign_extend && back.reg == ld->reg &&
			   back.rs1 == 0 && back.imm == 0,
		   "0x%08x: transformed 0x%08x decodes to another access", insn, t);
}

/* A guest-page fault on the access, with the transformed instruction in htinst. */
static void check_trap(uint32_t insn, const struct rv_ldst *ld, uint32_t t, uint64_t addr,
		       const uint64_t x[32])
{
	struct rv_trap tr = {
		.scause = ld->is_load ? RV_CAUSE_LOAD_GUEST_PAGE_FAULT : RV_CAUSE_STORE_GUEST_PAGE_FAULT,
		.stval = addr,
		.htval = addr >> 2,
		.htinst = t,
		.sepc = 0x80200000,
	};
	struct vcpu_exit e;

	rv_decode_trap(&tr, &e);
	fuzz_check_exit(&e);
	FUZZ_CHECK(e.reason == EXIT_MMIO, "0x%08x: exit %s", insn, exit_reason_name(e.reason));
	FUZZ_CHECK(e.mmio.size == ld->size && e.mmio.reg == ld->reg && e.mmio.write == !ld->is_load &&
			   e.mmio.sign_extend == ld->sign_extend && e.insn_len == ld->len,
		   "0x%08x: MMIO exit of another access", insn);
	FUZZ_CHECK(e.mmio.gpa == addr && e.pc == tr.sepc, "0x%08x: MMIO at 0x%llx for 0x%llx", insn,
		   (unsigned long long)e.mmio.gpa, (unsigned long long)addr);
	rv_exit_fill_operands(&e, x);
	fuzz_check_exit(&e);
	if (e.mmio.write) {
		uint64_t v = x[ld->reg];
		if (ld->size < 8)
			v &= (1ULL << (8 * ld->size)) - 1;
		FUZZ_CHECK(e.mmio.data == v, "0x%08x: store data 0x%llx", insn,
			   (unsigned long long)e.mmio.data);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct rv_ldst ld;
	uint64_t x[32];

	uint32_t insn = fuzz_u32(&in);
	uint64_t seed = fuzz_u64(&in);
	x[0] = 0;
	for (unsigned i = 1; i < 32; i++)
		x[i] = seed ^ (0x9e3779b97f4a7c15ULL * i);

	unsigned len = rv_insn_length((uint16_t)insn);
	FUZZ_CHECK(len == 0 || len == 2 || len == 4, "length %u", len);
	if (!rv_decode_ldst(insn, &ld))
		return 0;
	check_decoded(insn, &ld);
	uint64_t addr = rv_ldst_address(&ld, x) & ((1ULL << 56) - 1);
	uint32_t t = rv_transform_ldst(&ld);
	check_transform(insn, &ld, t);
	check_trap(insn, &ld, t, addr, x);
	return 0;
}
