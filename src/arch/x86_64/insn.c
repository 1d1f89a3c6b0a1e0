/* SPDX-License-Identifier: MIT */
/**
 * @file insn.c
 * @brief x86 MOV-family load/store decoding for MMIO emulation.
 *
 * An instruction is (SDM Vol. 2, figure 2-1):
 *
 *   legacy prefixes   REX     opcode     ModRM   SIB   displacement   immediate
 *   0..4 groups       0/1     1-3 bytes  0/1     0/1   0, 1, 2, 4     0, 1, 2, 4
 *                     (64-bit                          (or a moffs of
 *                      mode)                            2, 4, 8)
 *
 * ModRM (2.1.5, tables 2-1 and 2-2) is mod[7:6] reg[5:3] rm[2:0]: reg
 * names the register operand, mod and rm the memory operand; rm = 100
 * (with mod != 11) means a SIB byte follows, scale[7:6] index[5:3]
 * base[2:0]. REX (2.2.1) is 0100WRXB: W a 64-bit operand, R, X, B the
 * fourth bit of reg, index and base/rm.
 */
#include <arch/insn.h>
#include <arch/stage1.h>
#include <arch/sysreg.h>
#include <arch/vcpu_arch.h>
#include <cvisor/addrspace.h>
#include <cvisor/lib.h>

#define REX_W 8u
#define REX_R 4u
#define REX_X 2u
#define REX_B 1u

/* The bytes of one instruction, read only below n (n at most X86_INSN_MAX). */
struct cursor {
	const uint8_t *b;
	unsigned n, pos;
};

/* Reads the next k bytes (1, 2, 4 or 8) as a little-endian value. False past the end. */
static bool take(struct cursor *c, unsigned k, uint64_t *v)
{
	uint64_t x = 0;

	if (k > c->n - c->pos)
		return false;
	for (unsigned i = 0; i < k; i++)
		x |= (uint64_t)c->b[c->pos + i] << (8 * i);
	c->pos += k;
	*v = x;
	return true;
}

/* v, k bytes wide, sign-extended to 64 bits (k = 0: no bytes, 0). */
static uint64_t sext(uint64_t v, unsigned k)
{
	if (k == 0)
		return 0;
	if (k >= 8)
		return v;
	uint64_t m = 1ULL << (8 * k - 1);
	return ((v & ((m << 1) - 1)) ^ m) - m;
}

unsigned x86_fetch_insn(const struct addrspace *as, const struct x86_s1_regs *r, uint64_t rip,
			uint8_t buf[X86_INSN_MAX])
{
	unsigned n = 0;

	while (n < X86_INSN_MAX) {
		uint64_t va = rip + n;
		uint64_t in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		unsigned chunk = X86_INSN_MAX - n < in_page ? X86_INSN_MAX - n : (unsigned)in_page;
		struct s1_result res;
		if (x86_s1_translate(as, r, va, ACCESS_FETCH, &res, NULL, NULL) < 0 ||
		    addrspace_read(as, res.gpa, buf + n, chunk) < 0)
			break;
		n += chunk;
	}
	return n;
}

enum x86_mode x86_code_mode(uint64_t efer, uint32_t cs_access_rights)
{
	if ((efer & X86_EFER_LMA) && (cs_access_rights & (1u << 13)))
		return X86_MODE_64;
	return (cs_access_rights & (1u << 14)) ? X86_MODE_32 : X86_MODE_16;
}

/* What the prefixes said (2.1.1 legacy prefixes, 2.2.1 REX). */
struct prefixes {
	bool opsize;   /* 66 */
	bool addrsize; /* 67 */
	uint8_t seg;   /* 26 2E 36 3E 64 65: the last one counts */
	uint8_t rex;   /* 0 if none */
};

/*
 * Reads the prefixes. A REX prefix counts only right before the opcode: a
 * legacy prefix after it makes it ignored (2.2.1). LOCK on a MOV is #UD
 * (Vol. 2, "LOCK"); F2/F3 turn some opcodes into others and mark HLE
 * stores (XACQUIRE/XRELEASE): both refused. False if no opcode follows.
 */
static bool read_prefixes(struct cursor *c, enum x86_mode mode, struct prefixes *p)
{
	static const uint8_t seg_prefix[6] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };

	for (;;) {
		if (c->pos >= c->n)
			return false;
		uint8_t b = c->b[c->pos];
		bool legacy = true;
		if (b == 0x66) {
			p->opsize = true;
		} else if (b == 0x67) {
			p->addrsize = true;
		} else if (b == 0xf0 || b == 0xf2 || b == 0xf3) {
			return false;
		} else if (mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
			p->rex = b;
			legacy = false;
		} else {
			unsigned s = 0;
			while (s < 6 && seg_prefix[s] != b)
				s++;
			if (s == 6)
				return true; /* the opcode */
			p->seg = (uint8_t)s;
		}
		if (legacy)
			p->rex = 0;
		c->pos++;
	}
}

/* Operand size (3.6, table 3-4): REX.W 64-bit; 66 the other of 16/32 bits. */
static unsigned operand_size(enum x86_mode mode, const struct prefixes *p)
{
	if (mode == X86_MODE_64 && (p->rex & REX_W))
		return 8;
	if (mode == X86_MODE_16)
		return p->opsize ? 4 : 2;
	return p->opsize ? 2 : 4;
}

/* Address size (table 3-4): 67 selects 32 bits in 64-bit mode, the other of 16/32 elsewhere. */
static unsigned address_size(enum x86_mode mode, const struct prefixes *p)
{
	if (mode == X86_MODE_64)
		return p->addrsize ? 4 : 8;
	if (mode == X86_MODE_32)
		return p->addrsize ? 2 : 4;
	return p->addrsize ? 4 : 2;
}

/* The 16-bit forms (table 2-1): rm 0..7 = BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP, BX. */
static bool memory16(struct cursor *c, unsigned mod, unsigned rm, struct x86_access *a)
{
	static const uint8_t base[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP,
					 X86_RSI, X86_RDI, X86_RBP, X86_RBX };
	static const uint8_t index[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_NOREG,
					  X86_NOREG, X86_NOREG, X86_NOREG };
	unsigned disp = mod == 1 ? 1 : mod == 2 ? 2 : 0;
	uint64_t v = 0;

	a->base = base[rm];
	a->index = index[rm];
	if (mod == 0 && rm == 6) { /* disp16 alone */
		a->base = X86_NOREG;
		disp = 2;
	}
	if (disp && !take(c, disp, &v))
		return false;
	a->disp = (int64_t)sext(v, disp);
	return true;
}

/*
 * The 32- and 64-bit forms (tables 2-2, 2-3; 2.2.1.6 for RIP-relative):
 * rm = 100 takes a SIB, whose index 100 (without REX.X) is none and whose
 * base 101 with mod 00 is none with a disp32; rm = 101 with mod 00 is
 * disp32 alone, relative to RIP in 64-bit mode. These two special cases
 * look at the three bits without REX.B (so R12 needs a SIB and R13 a
 * displacement).
 */
static bool memory32(struct cursor *c, enum x86_mode mode, unsigned rex, unsigned mod,
		     unsigned rm, struct x86_access *a)
{
	unsigned disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	uint64_t v = 0;

	a->base = (uint8_t)(rm | (rex & REX_B ? 8 : 0));
	if (rm == 4) {
		if (!take(c, 1, &v))
			return false;
		unsigned sib = (unsigned)v;
		unsigned idx = ((sib >> 3) & 7) | (rex & REX_X ? 8 : 0);
		if (idx != X86_RSP) {
			a->index = (uint8_t)idx;
			a->scale = (uint8_t)(1u << (sib >> 6));
		}
		a->base = (uint8_t)((sib & 7) | (rex & REX_B ? 8 : 0));
		if ((sib & 7) == 5 && mod == 0) {
			a->base = X86_NOREG;
			disp = 4;
		}
	} else if (rm == 5 && mod == 0) {
		a->base = mode == X86_MODE_64 ? X86_RIP : X86_NOREG;
		disp = 4;
	}
	v = 0;
	if (disp && !take(c, disp, &v))
		return false;
	a->disp = (int64_t)sext(v, disp);
	return true;
}

/* Reads ModRM and what follows it for a memory operand; *reg gets the reg field (with REX.R). */
static bool modrm(struct cursor *c, enum x86_mode mode, unsigned rex, unsigned *reg,
		  struct x86_access *a)
{
	uint64_t m;

	if (!take(c, 1, &m))
		return false;
	unsigned mod = (unsigned)(m >> 6), rm = (unsigned)(m & 7);
	*reg = ((unsigned)(m >> 3) & 7) | (rex & REX_R ? 8 : 0);
	if (mod == 3)
		return false; /* a register, not memory: no access to emulate */
	if (a->addr_size == 2)
		return memory16(c, mod, rm, a);
	return memory32(c, mode, rex, mod, rm, a);
}

/* The register a byte operand names: AH..BH for 4..7 without REX (2.2.1.2). */
static uint8_t byte_reg(unsigned r, unsigned rex)
{
	if (!rex && r >= 4 && r < 8)
		return (uint8_t)(X86_AH + r - 4);
	return (uint8_t)r;
}

/* The opcode and its operands, after the prefixes. */
static bool decode_opcode(struct cursor *c, enum x86_mode mode, const struct prefixes *p,
			  struct x86_access *a)
{
	unsigned opsize = operand_size(mode, p), reg = 0;
	uint64_t op, v;

	if (!take(c, 1, &op))
		return false;
	switch (op) {
	case 0x88: /* MOV r/m8, r8 */
	case 0x8a: /* MOV r8, r/m8 */
		if (!modrm(c, mode, p->rex, &reg, a))
			return false;
		a->write = op == 0x88;
		a->size = a->reg_size = 1;
		a->reg = byte_reg(reg, p->rex);
		return true;
	case 0x89: /* MOV r/m, r */
	case 0x8b: /* MOV r, r/m */
		if (!modrm(c, mode, p->rex, &reg, a))
			return false;
		a->write = op == 0x89;
		a->size = a->reg_size = (uint8_t)opsize;
		a->reg = (uint8_t)reg;
		return true;
	case 0xc6: /* MOV r/m8, imm8: /0 */
	case 0xc7: { /* MOV r/m, imm16/imm32 (sign-extended for REX.W): /0 */
		if (!modrm(c, mode, p->rex, &reg, a) || (reg & 7) != 0)
			return false;
		a->write = true;
		a->size = op == 0xc6 ? 1 : (uint8_t)opsize;
		a->reg = X86_NOREG;
		unsigned k = a->size == 8 ? 4 : a->size;
		if (!take(c, k, &v))
			return false;
		a->imm = sext(v, k);
		return true;
	}
	case 0xa0: /* MOV AL, moffs8 */
	case 0xa1: /* MOV eAX, moffs */
	case 0xa2: /* MOV moffs8, AL */
	case 0xa3: /* MOV moffs, eAX */
		/* The offset is address-size wide, no ModRM (Vol. 2, "MOV", note on moffs). */
		if (!take(c, a->addr_size, &v))
			return false;
		a->disp = (int64_t)v;
		a->write = op >= 0xa2;
		a->size = a->reg_size = (op & 1) ? (uint8_t)opsize : 1;
		a->reg = X86_RAX;
		return true;
	case 0x63: /* MOVSXD r64, r/m32 (in 32-bit code, ARPL) */
		if (mode != X86_MODE_64 || !(p->rex & REX_W) || !modrm(c, mode, p->rex, &reg, a))
			return false;
		a->size = 4;
		a->reg_size = 8;
		a->sign_extend = true;
		a->reg = (uint8_t)reg;
		return true;
	case 0x0f:
		if (!take(c, 1, &op))
			return false;
		/* MOVZX B6 (byte) B7 (word), MOVSX BE (byte) BF (word) */
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return false;
		if (!modrm(c, mode, p->rex, &reg, a))
			return false;
		a->size = (op & 1) ? 2 : 1;
		a->reg_size = (uint8_t)opsize;
		a->sign_extend = op >= 0xbe;
		a->reg = (uint8_t)reg;
		return true;
	default:
		return false;
	}
}

bool x86_decode_access(const uint8_t *insn, unsigned n, enum x86_mode mode,
		       struct x86_access *acc)
{
	struct cursor c = { insn, n < X86_INSN_MAX ? n : X86_INSN_MAX, 0 };
	struct prefixes p = { .seg = X86_SEG_NONE };

	memset(acc, 0, sizeof(*acc));
	if (mode != X86_MODE_16 && mode != X86_MODE_32 && mode != X86_MODE_64)
		return false;
	if (!read_prefixes(&c, mode, &p))
		goto refuse;
	acc->seg = p.seg;
	acc->addr_size = (uint8_t)address_size(mode, &p);
	acc->base = acc->index = X86_NOREG;
	acc->scale = 1;
	if (!decode_opcode(&c, mode, &p, acc))
		goto refuse;
	acc->len = (uint8_t)c.pos;
	if (acc->write && acc->reg == X86_NOREG)
		acc->imm = acc->size == 8 ? acc->imm : acc->imm & ((1ULL << (8 * acc->size)) - 1);
	return true;
refuse:
	memset(acc, 0, sizeof(*acc));
	return false;
}

uint64_t x86_access_address(const struct x86_access *acc, const uint64_t gpr[16], uint64_t rip)
{
	uint64_t ea = (uint64_t)acc->disp;

	if (acc->base == X86_RIP)
		ea += rip + acc->len;
	else if (acc->base < X86_NGPRS)
		ea += gpr[acc->base];
	if (acc->index < X86_NGPRS)
		ea += gpr[acc->index] * acc->scale;
	return acc->addr_size == 8 ? ea : ea & ((1ULL << (8 * acc->addr_size)) - 1);
}

/* The value of register r (enum x86_gpr or X86_AH..BH), size bytes of it. */
static uint64_t reg_value(const uint64_t gpr[16], unsigned r, unsigned size)
{
	uint64_t v = r >= X86_AH ? gpr[r - X86_AH] >> 8 : gpr[r];
	return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

/*
 * How vcpu_arch_complete_exit() loads a read, from the destination's
 * width (SDM Vol. 1, 3.4.1.1): a 64-bit destination takes the whole
 * extended value; a 32-bit one is zero-extended into the 64-bit register,
 * so MOV r32 and MOVZX r32 are loads of 64 bits zero-extended from size,
 * while MOVSX r32 sign-extends into 32 bits only (reg_is_64 clear); an 8-
 * or 16-bit destination keeps the other bits (reg_is_64 and sign_extend
 * clear, size the destination's). False for MOVZX/MOVSX r16, m8.
 */
static bool read_completion(const struct x86_access *acc, struct vcpu_exit *e)
{
	switch (acc->reg_size) {
	case 8:
		e->mmio.reg_is_64 = true;
		e->mmio.sign_extend = acc->sign_extend;
		return true;
	case 4:
		e->mmio.reg_is_64 = !acc->sign_extend;
		e->mmio.sign_extend = acc->sign_extend;
		return true;
	default:
		return acc->size == acc->reg_size; /* 66 0F B7/BF is a plain 16-bit load */
	}
}

/*
 * Decodes the instruction of a data access whose exit says write (or
 * not) and, when gva_valid, the linear address gva: false unless the
 * bytes are a supported access in that direction and, in 64-bit code
 * without an FS/GS override, at that address. *linear: the address the
 * instruction computes (the linear one when it can be known, else 0).
 */
static bool decode_for_exit(const uint8_t *insn, unsigned n, enum x86_mode mode,
			    const uint64_t gpr[16], const struct vcpu_exit *exit, bool write,
			    bool gva_valid, uint64_t gva, struct x86_access *acc, uint64_t *linear)
{
	if (!x86_decode_access(insn, n, mode, acc) || acc->write != write)
		return false;
	uint64_t ea = x86_access_address(acc, gpr, exit->pc);
	bool flat = mode == X86_MODE_64 && acc->seg != X86_SEG_FS && acc->seg != X86_SEG_GS;
	if (flat && gva_valid && ea != gva)
		return false;
	*linear = flat ? ea : 0;
	return true;
}

bool vmx_decode_mmio(const uint8_t *insn, unsigned n, enum x86_mode mode, const uint64_t gpr[16],
		     struct vcpu_exit *exit)
{
	struct x86_access acc;
	struct vcpu_exit e = *exit;
	uint64_t linear;

	if (exit->reason != EXIT_STAGE2_FAULT || exit->s2fault.s1ptw ||
	    exit->s2fault.access == ACCESS_FETCH ||
	    !decode_for_exit(insn, n, mode, gpr, exit, exit->s2fault.access == ACCESS_WRITE,
			     exit->s2fault.gva_valid, exit->s2fault.gva, &acc, &linear))
		return false;
	memset(&e.mmio, 0, sizeof(e.mmio));
	e.reason = EXIT_MMIO;
	e.insn_len = acc.len;
	e.mmio.gpa = exit->s2fault.gpa;
	e.mmio.gva = exit->s2fault.gva_valid ? exit->s2fault.gva : linear;
	e.mmio.size = acc.size;
	e.mmio.write = acc.write;
	e.mmio.reg = acc.reg;
	if (acc.write)
		e.mmio.data = acc.reg == X86_NOREG ? acc.imm : reg_value(gpr, acc.reg, acc.size);
	else if (!read_completion(&acc, &e))
		return false;
	*exit = e;
	return true;
}

/*
 * The local APIC's registers are read and written as aligned 32-bit
 * quantities (SDM Vol. 3A, 11.4.1: other accesses "may result in
 * undefined behavior"): only MOV r32, m32 and MOV m32, r32 / imm32 are
 * taken; x86_apic_access() (irq.c) answers an unaligned one as the
 * simulator's does.
 */
bool vmx_decode_apic(const uint8_t *insn, unsigned n, enum x86_mode mode, const uint64_t gpr[16],
		     struct vcpu_exit *exit)
{
	struct x86_access acc;
	struct vcpu_exit e = *exit;
	uint64_t linear;
	uint32_t id;
	bool ok;

	if (exit->reason == EXIT_STAGE2_FAULT && !exit->s2fault.s1ptw &&
	    exit->s2fault.access != ACCESS_FETCH) {
		id = X86_SYSREG_APIC((uint32_t)(exit->s2fault.gpa & 0xfff));
		ok = decode_for_exit(insn, n, mode, gpr, exit, exit->s2fault.access == ACCESS_WRITE,
				     exit->s2fault.gva_valid, exit->s2fault.gva, &acc, &linear);
	} else if (exit->reason == EXIT_SYSREG && X86_SYSREG_IS_APIC(exit->sysreg.id)) {
		id = exit->sysreg.id; /* an APIC-access exit: no address to check against */
		ok = decode_for_exit(insn, n, mode, gpr, exit, exit->sysreg.write, false, 0, &acc,
				     &linear);
	} else {
		return false;
	}
	/* MOV r32, m32; MOV m32, r32; MOV m32, imm32 */
	bool mov32 = ok && acc.size == 4 && !acc.sign_extend &&
		     (acc.reg == X86_NOREG ? acc.write : acc.reg < X86_NGPRS && acc.reg_size == 4);
	if (!mov32)
		return false;
	memset(&e.sysreg, 0, sizeof(e.sysreg));
	e.reason = EXIT_SYSREG;
	e.insn_len = acc.len;
	e.sysreg.id = id;
	e.sysreg.write = acc.write;
	e.sysreg.src = SYSREG_SRC_IMM;
	if (acc.write)
		e.sysreg.value = acc.reg == X86_NOREG ? acc.imm : reg_value(gpr, acc.reg, 4);
	else
		e.sysreg.reg = acc.reg;
	*exit = e;
	return true;
}
