/* SPDX-License-Identifier: MIT */
/**
 * @file disasm.c
 * @brief The exit trace's RISC-V disassembler (arch/disasm.h).
 *
 * Encodings: Unprivileged ISA 20191213, chapter 24 "RV32/64G Instruction
 * Set Listings" (opcodes, funct3/funct7, the I/S/B/U/J immediates), chapter
 * 16 "C Standard Extension" (table 16.5-16.7: the three quadrants, rd'/rs1'/
 * rs2' naming x8..x15); Privileged ISA 20211203, chapter 2 (CSR numbers),
 * 3.3.2 (MRET, SRET, WFI), 4.2.1 (SFENCE.VMA) and 8.3.2 (HFENCE).
 */
#include <stdarg.h>

#include <arch/disasm.h>
#include <arch/insn.h>
#include <cvisor/lib.h>

/* ABI names of x0..x31 and f0..f31 (RISC-V ELF psABI, "Register Convention"). */
static const char *const xreg[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};
static const char *const freg[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4",  "ft5",  "ft6", "ft7", "fs0",  "fs1",  "fa0",
    "fa1", "fa2", "fa3", "fa4", "fa5",  "fa6",  "fa7", "fs2", "fs3",  "fs4",  "fs5",
    "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

/* The CSRs a guest of cvisor meets (Privileged ISA, tables 2.2-2.5); others print as numbers. */
static const struct {
	uint16_t num;
	const char *name;
} csrs[] = {
    {0x001, "fflags"},    {0x002, "frm"},        {0x003, "fcsr"},       {0xc00, "cycle"},
    {0xc01, "time"},      {0xc02, "instret"},    {0x100, "sstatus"},    {0x104, "sie"},
    {0x105, "stvec"},     {0x106, "scounteren"}, {0x140, "sscratch"},   {0x141, "sepc"},
    {0x142, "scause"},    {0x143, "stval"},      {0x144, "sip"},        {0x180, "satp"},
    {0x200, "vsstatus"},  {0x204, "vsie"},       {0x205, "vstvec"},     {0x240, "vsscratch"},
    {0x241, "vsepc"},     {0x242, "vscause"},    {0x243, "vstval"},     {0x244, "vsip"},
    {0x280, "vsatp"},     {0x600, "hstatus"},    {0x602, "hedeleg"},    {0x603, "hideleg"},
    {0x604, "hie"},       {0x605, "htimedelta"}, {0x606, "hcounteren"}, {0x643, "htval"},
    {0x644, "hip"},       {0x645, "hvip"},       {0x64a, "htinst"},     {0x680, "hgatp"},
    {0x300, "mstatus"},   {0x301, "misa"},       {0x302, "medeleg"},    {0x303, "mideleg"},
    {0x304, "mie"},       {0x305, "mtvec"},      {0x306, "mcounteren"}, {0x340, "mscratch"},
    {0x341, "mepc"},      {0x342, "mcause"},     {0x343, "mtval"},      {0x344, "mip"},
    {0xf11, "mvendorid"}, {0xf12, "marchid"},    {0xf13, "mimpid"},     {0xf14, "mhartid"},
};

/* Where the text goes. */
struct out {
	char *buf;
	size_t size;
	uint64_t pc;
};

/* Writes the text (like cv_snprintf()); returns its length. */
static int __attribute__((format(printf, 2, 3))) put(const struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = cv_vsnprintf(o->buf, o->size, fmt, ap);
	va_end(ap);
	return n;
}

static uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int64_t sext(uint64_t v, unsigned width)
{
	uint64_t m = 1ULL << (width - 1);
	return (int64_t)((v ^ m) - m);
}

static const char *csr_name(uint32_t num, char *tmp, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(csrs); i++)
		if (csrs[i].num == num)
			return csrs[i].name;
	cv_snprintf(tmp, size, "0x%x", num);
	return tmp;
}

/* A branch or jump target: pc + off, absolute. */
static unsigned long long target(const struct out *o, int64_t off)
{
	return (unsigned long long)(o->pc + (uint64_t)off);
}

/* ---- 32-bit instructions ------------------------------------------------- */

/* The I-, S- and B-type immediates (Unprivileged 2.3, figure 2.4). */
static int64_t imm_i(uint32_t i)
{
	return sext(i >> 20, 12);
}

static int64_t imm_s(uint32_t i)
{
	return sext(bits(i, 31, 25) << 5 | bits(i, 11, 7), 12);
}

static int64_t imm_b(uint32_t i)
{
	uint32_t v = bits(i, 31, 31) << 12 | bits(i, 7, 7) << 11 | bits(i, 30, 25) << 5;
	return sext(v | bits(i, 11, 8) << 1, 13);
}

static int64_t imm_j(uint32_t i)
{
	uint32_t v = bits(i, 31, 31) << 20 | bits(i, 19, 12) << 12 | bits(i, 20, 20) << 11;
	return sext(v | bits(i, 30, 21) << 1, 21);
}

/* "op rd,rs1,rs2" of the OP and OP-32 opcodes, or NULL. */
static const char *op_name(uint32_t i, bool w)
{
	/* by funct3 */
	static const char *const base[8] = {"add", "sll", "slt", "sltu", "xor", "srl", "or", "and"};
	static const char *const mul[8] = {"mul", "mulh", "mulhsu", "mulhu",
					   "div", "divu", "rem",    "remu"};
	static const char *const mulw[8] = {"mulw", NULL,    NULL,   NULL,
					    "divw", "divuw", "remw", "remuw"};
	static const char *const basew[8] = {"addw", "sllw", NULL, NULL, NULL, "srlw", NULL, NULL};
	unsigned f3 = bits(i, 14, 12), f7 = bits(i, 31, 25);

	if (f7 == 1)
		return w ? mulw[f3] : mul[f3];
	if (f7 == 0x20)
		return f3 == 0 ? (w ? "subw" : "sub") : f3 == 5 ? (w ? "sraw" : "sra") : NULL;
	if (f7 == 0)
		return w ? basew[f3] : base[f3];
	return NULL;
}

/* OP-IMM and OP-IMM-32: shifts take a 6-bit (5-bit for the W forms) shamt, printed in hex. */
static int op_imm(const struct out *o, uint32_t i, bool w)
{
	static const char *const names[8] = {"addi", NULL, "slti", "sltiu",
					     "xori", NULL, "ori",  "andi"};
	unsigned f3 = bits(i, 14, 12), rd = bits(i, 11, 7), rs1 = bits(i, 19, 15);
	unsigned top = w ? bits(i, 31, 25) : bits(i, 31, 26);
	unsigned shamt = w ? bits(i, 24, 20) : bits(i, 25, 20);
	const char *name;

	if (f3 == 1 || f3 == 5) {
		if (f3 == 1 && top == 0)
			name = w ? "slliw" : "slli";
		else if (f3 == 5 && top == 0)
			name = w ? "srliw" : "srli";
		else if (f3 == 5 && top == (w ? 0x20u : 0x10u))
			name = w ? "sraiw" : "srai";
		else
			return -1;
		return put(o, "%s %s,%s,0x%x", name, xreg[rd], xreg[rs1], shamt);
	}
	name = w ? (f3 == 0 ? "addiw" : NULL) : names[f3];
	if (!name)
		return -1;
	return put(o, "%s %s,%s,%lld", name, xreg[rd], xreg[rs1], (long long)imm_i(i));
}

/* FENCE's predecessor and successor sets: "iorw" letters (Unprivileged 2.7). */
static void fence_set(unsigned set, char *s)
{
	static const char letters[] = "iorw";
	unsigned n = 0;

	for (unsigned b = 0; b < 4; b++)
		if (set & (8u >> b))
			s[n++] = letters[b];
	if (!n)
		s[n++] = '0';
	s[n] = '\0';
}

static int misc_mem(const struct out *o, uint32_t i)
{
	char pred[5], succ[5];

	if (bits(i, 14, 12) == 1)
		return put(o, "fence.i");
	if (bits(i, 14, 12) != 0)
		return -1;
	if (i == 0x8330000f)
		return put(o, "fence.tso");
	fence_set(bits(i, 27, 24), pred);
	fence_set(bits(i, 23, 20), succ);
	return put(o, "fence %s,%s", pred, succ);
}

/* SYSTEM: ECALL, EBREAK, the privileged instructions, and Zicsr. */
static int sys(const struct out *o, uint32_t i)
{
	static const char *const csr_ops[8] = {NULL, "csrrw",  "csrrs",  "csrrc",
					       NULL, "csrrwi", "csrrsi", "csrrci"};
	unsigned f3 = bits(i, 14, 12), rd = bits(i, 11, 7), rs1 = bits(i, 19, 15),
		 rs2 = bits(i, 24, 20);
	char tmp[12];

	if (f3 == 0) {
		switch (i) {
		case 0x00000073:
			return put(o, "ecall");
		case 0x00100073:
			return put(o, "ebreak");
		case 0x10200073:
			return put(o, "sret");
		case 0x30200073:
			return put(o, "mret");
		case 0x10500073:
			return put(o, "wfi");
		default:
			break;
		}
		const char *name = NULL;
		switch (bits(i, 31, 25)) {
		case 0x09:
			name = "sfence.vma";
			break;
		case 0x11:
			name = "hfence.vvma";
			break;
		case 0x31:
			name = "hfence.gvma";
			break;
		default:
			return -1;
		}
		if (rd != 0)
			return -1;
		return put(o, "%s %s,%s", name, xreg[rs1], xreg[rs2]);
	}
	if (!csr_ops[f3])
		return -1;
	const char *csr = csr_name(i >> 20, tmp, sizeof(tmp));
	if (f3 >= 5)
		return put(o, "%s %s,%s,%u", csr_ops[f3], xreg[rd], csr, rs1);
	return put(o, "%s %s,%s,%s", csr_ops[f3], xreg[rd], csr, xreg[rs1]);
}

/* A: LR, SC and the AMOs, .w or .d, with their ordering bits (Unprivileged 8.2, 8.4). */
static int amo(const struct out *o, uint32_t i)
{
	static const struct {
		unsigned funct5;
		const char *name;
	} ops[] = {
	    {0x02, "lr"},     {0x03, "sc"},      {0x01, "amoswap"}, {0x00, "amoadd"},
	    {0x04, "amoxor"}, {0x0c, "amoand"},  {0x08, "amoor"},   {0x10, "amomin"},
	    {0x14, "amomax"}, {0x18, "amominu"}, {0x1c, "amomaxu"},
	};
	static const char *const order[4] = {"", ".rl", ".aq", ".aqrl"};
	unsigned f3 = bits(i, 14, 12), f5 = bits(i, 31, 27), rd = bits(i, 11, 7);
	unsigned rs1 = bits(i, 19, 15), rs2 = bits(i, 24, 20);

	if (f3 != 2 && f3 != 3)
		return -1;
	for (size_t k = 0; k < ARRAY_SIZE(ops); k++) {
		if (ops[k].funct5 != f5)
			continue;
		const char *w = f3 == 2 ? "w" : "d", *ord = order[bits(i, 26, 25)];
		if (f5 == 0x02)
			return rs2 ? -1 : put(o, "lr.%s%s %s,(%s)", w, ord, xreg[rd], xreg[rs1]);
		return put(o, "%s.%s%s %s,%s,(%s)", ops[k].name, w, ord, xreg[rd], xreg[rs2],
			   xreg[rs1]);
	}
	return -1;
}

static int decode32(const struct out *o, uint32_t i)
{
	static const char *const loads[8] = {"lb", "lh", "lw", "ld", "lbu", "lhu", "lwu", NULL};
	static const char *const stores[8] = {"sb", "sh", "sw", "sd", NULL, NULL, NULL, NULL};
	static const char *const branches[8] = {"beq", "bne", NULL,   NULL,
						"blt", "bge", "bltu", "bgeu"};
	unsigned f3 = bits(i, 14, 12), rd = bits(i, 11, 7), rs1 = bits(i, 19, 15),
		 rs2 = bits(i, 24, 20);
	const char *name;

	switch (i & 0x7f) {
	case 0x37:
	case 0x17:
		return put(o, "%s %s,0x%x", (i & 0x7f) == 0x37 ? "lui" : "auipc", xreg[rd],
			   i >> 12);
	case 0x6f:
		return put(o, "jal %s,0x%llx", xreg[rd], target(o, imm_j(i)));
	case 0x67:
		if (f3 != 0)
			return -1;
		return put(o, "jalr %s,%lld(%s)", xreg[rd], (long long)imm_i(i), xreg[rs1]);
	case 0x63:
		if (!(name = branches[f3]))
			return -1;
		return put(o, "%s %s,%s,0x%llx", name, xreg[rs1], xreg[rs2], target(o, imm_b(i)));
	case 0x03:
	case 0x07: /* LOAD-FP: FLW, FLD */
		if ((i & 0x7f) == 0x07)
			name = f3 == 2 ? "flw" : f3 == 3 ? "fld" : NULL;
		else
			name = loads[f3];
		if (!name)
			return -1;
		return put(o, "%s %s,%lld(%s)", name, (i & 0x7f) == 0x07 ? freg[rd] : xreg[rd],
			   (long long)imm_i(i), xreg[rs1]);
	case 0x23:
	case 0x27: /* STORE-FP: FSW, FSD */
		if ((i & 0x7f) == 0x27)
			name = f3 == 2 ? "fsw" : f3 == 3 ? "fsd" : NULL;
		else
			name = stores[f3];
		if (!name)
			return -1;
		return put(o, "%s %s,%lld(%s)", name, (i & 0x7f) == 0x27 ? freg[rs2] : xreg[rs2],
			   (long long)imm_s(i), xreg[rs1]);
	case 0x13:
	case 0x1b:
		return op_imm(o, i, (i & 0x7f) == 0x1b);
	case 0x33:
	case 0x3b:
		if (!(name = op_name(i, (i & 0x7f) == 0x3b)))
			return -1;
		return put(o, "%s %s,%s,%s", name, xreg[rd], xreg[rs1], xreg[rs2]);
	case 0x0f:
		return misc_mem(o, i);
	case 0x73:
		return sys(o, i);
	case 0x2f:
		return amo(o, i);
	default:
		return -1;
	}
}

/* ---- Compressed instructions (Unprivileged chapter 16) --------------------- */

/* rd', rs1', rs2': x8..x15 in three bits at lo. */
static const char *creg(uint32_t c, unsigned lo)
{
	return xreg[8 + bits(c, lo + 2, lo)];
}

/* The offsets of C.LW/C.SW and C.LD/C.SD/C.FLD/C.FSD: uimm[5:3|2|6] and uimm[5:3|7:6]. */
static unsigned cimm_w(uint32_t c)
{
	return bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6;
}

static unsigned cimm_d(uint32_t c)
{
	return bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
}

/* The 6-bit signed immediate of C.ADDI, C.LI, C.ANDI...: imm[5] at bit 12, imm[4:0] at 6:2. */
static int64_t cimm6(uint32_t c)
{
	return sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6);
}

static int quadrant0(const struct out *o, uint32_t c)
{
	static const char *const names[8] = {NULL, "c.fld", "c.lw", "c.ld",
					     NULL, "c.fsd", "c.sw", "c.sd"};
	unsigned f3 = bits(c, 15, 13);

	if (f3 == 0) {
		/* C.ADDI4SPN: nzuimm[5:4|9:6|2|3]; 0 is reserved (the all-zero word: illegal). */
		unsigned imm = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bits(c, 6, 6) << 2 |
			       bits(c, 5, 5) << 3;
		if (!imm)
			return -1;
		return put(o, "c.addi4spn %s,sp,%u", creg(c, 2), imm);
	}
	if (!names[f3])
		return -1;
	bool fp = f3 == 1 || f3 == 5;
	unsigned imm = f3 == 2 || f3 == 6 ? cimm_w(c) : cimm_d(c);
	return put(o, "%s %s,%u(%s)", names[f3], fp ? freg[8 + bits(c, 4, 2)] : creg(c, 2), imm,
		   creg(c, 7));
}

/* Quadrant 1, funct3 4: C.SRLI, C.SRAI, C.ANDI and the register-register ALU forms. */
static int q1_alu(const struct out *o, uint32_t c)
{
	static const char *const rr[8] = {"c.sub",  "c.xor",  "c.or", "c.and",
					  "c.subw", "c.addw", NULL,   NULL};
	unsigned shamt = bits(c, 12, 12) << 5 | bits(c, 6, 2);

	switch (bits(c, 11, 10)) {
	case 0:
	case 1:
		/* shamt 0: the 128-bit forms' C.SRLI64 / C.SRAI64, a HINT on RV64 */
		if (!shamt)
			return put(o, "%s %s", bits(c, 10, 10) ? "c.srai64" : "c.srli64",
				   creg(c, 7));
		return put(o, "%s %s,0x%x", bits(c, 10, 10) ? "c.srai" : "c.srli", creg(c, 7),
			   shamt);
	case 2:
		return put(o, "c.andi %s,%lld", creg(c, 7), (long long)cimm6(c));
	default: {
		const char *name = rr[bits(c, 12, 12) << 2 | bits(c, 6, 5)];
		if (!name)
			return -1;
		return put(o, "%s %s,%s", name, creg(c, 7), creg(c, 2));
	}
	}
}

static int quadrant1(const struct out *o, uint32_t c)
{
	unsigned f3 = bits(c, 15, 13), rd = bits(c, 11, 7);

	switch (f3) {
	case 0:
		if (rd == 0 && cimm6(c) == 0)
			return put(o, "c.nop");
		return put(o, "c.addi %s,%lld", xreg[rd], (long long)cimm6(c));
	case 1:
		if (rd == 0)
			return -1;
		return put(o, "c.addiw %s,%lld", xreg[rd], (long long)cimm6(c));
	case 2:
		return put(o, "c.li %s,%lld", xreg[rd], (long long)cimm6(c));
	case 3:
		if (rd == 2) {
			/* C.ADDI16SP: nzimm[9|4|6|8:7|5] */
			uint32_t v = bits(c, 12, 12) << 9 | bits(c, 6, 6) << 4 | bits(c, 5, 5) << 6;
			int64_t imm = sext(v | bits(c, 4, 3) << 7 | bits(c, 2, 2) << 5, 10);
			if (!imm)
				return -1;
			return put(o, "c.addi16sp sp,%lld", (long long)imm);
		}
		/* C.LUI: nzimm[17] at bit 12, [16:12] at 6:2, printed as LUI's 20-bit field. */
		if (cimm6(c) == 0)
			return -1;
		return put(o, "c.lui %s,0x%llx", xreg[rd], (unsigned long long)cimm6(c) & 0xfffff);
	case 4:
		return q1_alu(o, c);
	case 5: {
		/* C.J: offset[11|4|9:8|10|6|7|3:1|5] */
		uint32_t v = bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 | bits(c, 10, 9) << 8;
		v |= bits(c, 8, 8) << 10 | bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7;
		int64_t off = sext(v | bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5, 12);
		return put(o, "c.j 0x%llx", target(o, off));
	}
	default: {
		/* C.BEQZ, C.BNEZ: offset[8|4:3] at 12:10, [7:6|2:1|5] at 6:2 */
		uint32_t v = bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6;
		int64_t off = sext(v | bits(c, 4, 3) << 1 | bits(c, 2, 2) << 5, 9);
		return put(o, "%s %s,0x%llx", f3 == 6 ? "c.beqz" : "c.bnez", creg(c, 7),
			   target(o, off));
	}
	}
}

/* Quadrant 2, funct3 4: C.JR, C.MV, C.EBREAK, C.JALR, C.ADD. */
static int q2_jr_mv_add(const struct out *o, uint32_t c)
{
	unsigned rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);

	if (!bits(c, 12, 12)) {
		if (rs2)
			return put(o, "c.mv %s,%s", xreg[rd], xreg[rs2]);
		return rd ? put(o, "c.jr %s", xreg[rd]) : -1;
	}
	if (rs2)
		return put(o, "c.add %s,%s", xreg[rd], xreg[rs2]);
	if (rd)
		return put(o, "c.jalr %s", xreg[rd]);
	return put(o, "c.ebreak");
}

static int quadrant2(const struct out *o, uint32_t c)
{
	unsigned f3 = bits(c, 15, 13), rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
	/* Stack-relative offsets: loads uimm[5] at 12 and the rest at 6:2; stores at 12:7. */
	unsigned lw = bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6;
	unsigned ld = bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6;
	unsigned sw = bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6;
	unsigned sd = bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6;

	switch (f3) {
	case 0:
		if (!(bits(c, 12, 12) << 5 | rs2))
			return put(o, "c.slli64 %s", xreg[rd]);
		return put(o, "c.slli %s,0x%x", xreg[rd], bits(c, 12, 12) << 5 | rs2);
	case 1:
		return put(o, "c.fldsp %s,%u(sp)", freg[rd], ld);
	case 2:
	case 3:
		if (rd == 0)
			return -1;
		return put(o, "%s %s,%u(sp)", f3 == 2 ? "c.lwsp" : "c.ldsp", xreg[rd],
			   f3 == 2 ? lw : ld);
	case 4:
		return q2_jr_mv_add(o, c);
	case 5:
		return put(o, "c.fsdsp %s,%u(sp)", freg[rs2], sd);
	case 6:
		return put(o, "c.swsp %s,%u(sp)", xreg[rs2], sw);
	default:
		return put(o, "c.sdsp %s,%u(sp)", xreg[rs2], sd);
	}
}

unsigned rv_disasm(uint32_t insn, uint64_t pc, char *buf, size_t size)
{
	struct out o = {.buf = buf, .size = size, .pc = pc};
	unsigned len = rv_insn_length((uint16_t)insn);
	int rc = -1;

	if (size)
		buf[0] = '\0';
	if (len == 2) {
		uint32_t c = insn & 0xffff;
		switch (c & 3) {
		case 0:
			rc = quadrant0(&o, c);
			break;
		case 1:
			rc = quadrant1(&o, c);
			break;
		default:
			rc = quadrant2(&o, c);
			break;
		}
	} else if (len == 4) {
		rc = decode32(&o, insn);
	}
	if (rc >= 0)
		return len;
	if (len == 2)
		cv_snprintf(buf, size, "unknown 0x%04x", insn & 0xffff);
	else
		cv_snprintf(buf, size, "unknown 0x%08x", insn);
	return 0;
}
