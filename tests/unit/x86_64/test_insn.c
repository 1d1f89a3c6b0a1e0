/* SPDX-License-Identifier: MIT */
/*
 * The x86 MOV-family decoder (src/arch/x86_64/insn.c): encodings from the
 * GNU assembler (as --64/--32, .code16) with each field worked out by
 * hand, the same table compared with Capstone, refusals, truncations, the
 * EXIT_MMIO an EPT violation becomes (vmx_decode_mmio()), how its read
 * completes into the register file, and random byte strings: never a
 * read past n (run under the sanitizer build), and whatever is accepted
 * is what Capstone decodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <capstone/capstone.h>

#include <arch/insn.h>
#include <arch/stage1.h>
#include <arch/sysreg.h>
#include <arch/trap.h>
#include <arch/vcpu_arch.h>
#include <cvisor/arch.h>
#include <cvisor/vm.h>

#include "../fixture.h"

#define NONE X86_NOREG
#define NOSEG X86_SEG_NONE
#define RIP 0x400000ULL
/* The register file of the address checks: RAX = 0x1_0000_1000 .. R15 = 0x10_0001_0000. */
#define G(r) (((uint64_t)(r) + 1) * 0x100001000ULL)

struct want {
	const char *text; /* as the GNU assembler writes it */
	enum x86_mode mode;
	uint8_t n;
	uint8_t b[X86_INSN_MAX];
	/* expected */
	uint8_t len;
	bool write;
	uint8_t size, reg, reg_size;
	bool sx;
	uint64_t imm;
	uint8_t seg, base, index, scale, addr_size;
	int64_t disp;
	uint64_t addr; /* with G() and RIP */
};

#define M64 X86_MODE_64
#define M32 X86_MODE_32
#define M16 X86_MODE_16

static const struct want table[] = {
	/* text, mode, n, bytes,
	 * len, write, size, reg, reg_size, sx, imm, seg, base, index, scale, addr_size, disp, addr */
	{ "mov (%rdi),%eax", M64, 2, { 0x8b, 0x07 },
	  2, false, 4, X86_RAX, 4, false, 0, NOSEG, X86_RDI, NONE, 1, 8, 0, G(X86_RDI) },
	{ "mov %eax,0x8(%rdi)", M64, 3, { 0x89, 0x47, 0x08 },
	  3, true, 4, X86_RAX, 4, false, 0, NOSEG, X86_RDI, NONE, 1, 8, 8, G(X86_RDI) + 8 },
	{ "mov (%rcx),%rax", M64, 3, { 0x48, 0x8b, 0x01 },
	  3, false, 8, X86_RAX, 8, false, 0, NOSEG, X86_RCX, NONE, 1, 8, 0, G(X86_RCX) },
	{ "mov %rdx,(%rcx)", M64, 3, { 0x48, 0x89, 0x11 },
	  3, true, 8, X86_RDX, 8, false, 0, NOSEG, X86_RCX, NONE, 1, 8, 0, G(X86_RCX) },
	{ "movl $0x12345678,0x10(%rdx)", M64, 7, { 0xc7, 0x42, 0x10, 0x78, 0x56, 0x34, 0x12 },
	  7, true, 4, NONE, 0, false, 0x12345678, NOSEG, X86_RDX, NONE, 1, 8, 0x10, G(X86_RDX) + 0x10 },
	{ "movq $0x11,(%r12)", M64, 8, { 0x49, 0xc7, 0x04, 0x24, 0x11, 0x00, 0x00, 0x00 },
	  8, true, 8, NONE, 0, false, 0x11, NOSEG, X86_R12, NONE, 1, 8, 0, G(X86_R12) },
	{ "movq $0xfffffffffffffffe,(%rax)", M64, 7, { 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff },
	  7, true, 8, NONE, 0, false, 0xfffffffffffffffeULL, NOSEG, X86_RAX, NONE, 1, 8, 0, G(X86_RAX) },
	{ "movw $0xbeef,0x2(%rbx)", M64, 6, { 0x66, 0xc7, 0x43, 0x02, 0xef, 0xbe },
	  6, true, 2, NONE, 0, false, 0xbeef, NOSEG, X86_RBX, NONE, 1, 8, 2, G(X86_RBX) + 2 },
	{ "movb $0x5a,0x0(%r13)", M64, 5, { 0x41, 0xc6, 0x45, 0x00, 0x5a },
	  5, true, 1, NONE, 0, false, 0x5a, NOSEG, X86_R13, NONE, 1, 8, 0, G(X86_R13) },
	{ "mov %ah,(%rsi)", M64, 2, { 0x88, 0x26 },
	  2, true, 1, X86_AH, 1, false, 0, NOSEG, X86_RSI, NONE, 1, 8, 0, G(X86_RSI) },
	{ "mov (%rsi),%bh", M64, 2, { 0x8a, 0x3e },
	  2, false, 1, X86_BH, 1, false, 0, NOSEG, X86_RSI, NONE, 1, 8, 0, G(X86_RSI) },
	{ "mov %sil,(%rdi)", M64, 3, { 0x40, 0x88, 0x37 },
	  3, true, 1, X86_RSI, 1, false, 0, NOSEG, X86_RDI, NONE, 1, 8, 0, G(X86_RDI) },
	{ "mov %r15b,(%rax)", M64, 3, { 0x44, 0x88, 0x38 },
	  3, true, 1, X86_R15, 1, false, 0, NOSEG, X86_RAX, NONE, 1, 8, 0, G(X86_RAX) },
	{ "mov %r8d,0x10(%edi,%ecx,4)", M64, 6, { 0x67, 0x44, 0x89, 0x44, 0x8f, 0x10 },
	  6, true, 4, X86_R8, 4, false, 0, NOSEG, X86_RDI, X86_RCX, 4, 4, 0x10,
	  (uint32_t)(G(X86_RDI) + 4 * G(X86_RCX) + 0x10) },
	{ "mov 0x12345678(,%r9,8),%r10", M64, 8, { 0x4e, 0x8b, 0x14, 0xcd, 0x78, 0x56, 0x34, 0x12 },
	  8, false, 8, X86_R10, 8, false, 0, NOSEG, NONE, X86_R9, 8, 8, 0x12345678,
	  8 * G(X86_R9) + 0x12345678 },
	{ "mov 0x1000,%ecx", M64, 7, { 0x8b, 0x0c, 0x25, 0x00, 0x10, 0x00, 0x00 },
	  7, false, 4, X86_RCX, 4, false, 0, NOSEG, NONE, NONE, 1, 8, 0x1000, 0x1000 },
	{ "mov 0x100(%rip),%edx", M64, 6, { 0x8b, 0x15, 0x00, 0x01, 0x00, 0x00 },
	  6, false, 4, X86_RDX, 4, false, 0, NOSEG, X86_RIP, NONE, 1, 8, 0x100, RIP + 6 + 0x100 },
	{ "mov %r11w,-0x80(%rsp)", M64, 6, { 0x66, 0x44, 0x89, 0x5c, 0x24, 0x80 },
	  6, true, 2, X86_R11, 2, false, 0, NOSEG, X86_RSP, NONE, 1, 8, -0x80, G(X86_RSP) - 0x80 },
	{ "mov %fs:0x28,%rax", M64, 9, { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00 },
	  9, false, 8, X86_RAX, 8, false, 0, X86_SEG_FS, NONE, NONE, 1, 8, 0x28, 0x28 },
	{ "mov 0x1000(%rbp,%r14,2),%r13d", M64, 8, { 0x46, 0x8b, 0xac, 0x75, 0x00, 0x10, 0x00, 0x00 },
	  8, false, 4, X86_R13, 4, false, 0, NOSEG, X86_RBP, X86_R14, 2, 8, 0x1000,
	  G(X86_RBP) + 2 * G(X86_R14) + 0x1000 },
	{ "movzbl (%rdi),%eax", M64, 3, { 0x0f, 0xb6, 0x07 },
	  3, false, 1, X86_RAX, 4, false, 0, NOSEG, X86_RDI, NONE, 1, 8, 0, G(X86_RDI) },
	{ "movzwq 0x4(%rsi),%r9", M64, 5, { 0x4c, 0x0f, 0xb7, 0x4e, 0x04 },
	  5, false, 2, X86_R9, 8, false, 0, NOSEG, X86_RSI, NONE, 1, 8, 4, G(X86_RSI) + 4 },
	{ "movsbl (%rdi),%ecx", M64, 3, { 0x0f, 0xbe, 0x0f },
	  3, false, 1, X86_RCX, 4, true, 0, NOSEG, X86_RDI, NONE, 1, 8, 0, G(X86_RDI) },
	{ "movswq (%rax),%rdx", M64, 4, { 0x48, 0x0f, 0xbf, 0x10 },
	  4, false, 2, X86_RDX, 8, true, 0, NOSEG, X86_RAX, NONE, 1, 8, 0, G(X86_RAX) },
	{ "movsbw (%rax),%dx", M64, 4, { 0x66, 0x0f, 0xbe, 0x10 },
	  4, false, 1, X86_RDX, 2, true, 0, NOSEG, X86_RAX, NONE, 1, 8, 0, G(X86_RAX) },
	{ "movslq (%rdi),%rax", M64, 3, { 0x48, 0x63, 0x07 },
	  3, false, 4, X86_RAX, 8, true, 0, NOSEG, X86_RDI, NONE, 1, 8, 0, G(X86_RDI) },
	{ "movabs 0xfee00020,%eax", M64, 9, { 0xa1, 0x20, 0x00, 0xe0, 0xfe, 0, 0, 0, 0 },
	  9, false, 4, X86_RAX, 4, false, 0, NOSEG, NONE, NONE, 1, 8, 0xfee00020, 0xfee00020 },
	{ "movabs %al,0x1122334455667788", M64, 9, { 0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 },
	  9, true, 1, X86_RAX, 1, false, 0, NOSEG, NONE, NONE, 1, 8, 0x1122334455667788LL,
	  0x1122334455667788ULL },
	{ "addr32 mov 0xfee00030,%eax", M64, 6, { 0x67, 0xa1, 0x30, 0x00, 0xe0, 0xfe },
	  6, false, 4, X86_RAX, 4, false, 0, NOSEG, NONE, NONE, 1, 4, 0xfee00030, 0xfee00030 },
	{ "movabs %rax,0xfec00010", M64, 10, { 0x48, 0xa3, 0x10, 0x00, 0xc0, 0xfe, 0, 0, 0, 0 },
	  10, true, 8, X86_RAX, 8, false, 0, NOSEG, NONE, NONE, 1, 8, 0xfec00010, 0xfec00010 },
	{ "mov %ch,-0x8(%rbx,%rax,1)", M64, 4, { 0x88, 0x6c, 0x03, 0xf8 },
	  4, true, 1, X86_CH, 1, false, 0, NOSEG, X86_RBX, X86_RAX, 1, 8, -8,
	  G(X86_RBX) + G(X86_RAX) - 8 },
	{ "mov 0x7fffffff(%r8,%r12,1),%ebx", M64, 8, { 0x43, 0x8b, 0x9c, 0x20, 0xff, 0xff, 0xff, 0x7f },
	  8, false, 4, X86_RBX, 4, false, 0, NOSEG, X86_R8, X86_R12, 1, 8, 0x7fffffff,
	  G(X86_R8) + G(X86_R12) + 0x7fffffff },
	{ "mov %gs:(%rax),%dl", M64, 3, { 0x65, 0x8a, 0x10 },
	  3, false, 1, X86_RDX, 1, false, 0, X86_SEG_GS, X86_RAX, NONE, 1, 8, 0, G(X86_RAX) },
	{ "mov -0x20(%eip),%esi", M64, 7, { 0x67, 0x8b, 0x35, 0xe0, 0xff, 0xff, 0xff },
	  7, false, 4, X86_RSI, 4, false, 0, NOSEG, X86_RIP, NONE, 1, 4, -0x20, RIP + 7 - 0x20 },
	{ "movw $0xffff,(%r14,%r15,1)", M64, 7, { 0x66, 0x43, 0xc7, 0x04, 0x3e, 0xff, 0xff },
	  7, true, 2, NONE, 0, false, 0xffff, NOSEG, X86_R14, X86_R15, 1, 8, 0,
	  G(X86_R14) + G(X86_R15) },
	{ "movzwl (%r11),%r12d", M64, 4, { 0x45, 0x0f, 0xb7, 0x23 },
	  4, false, 2, X86_R12, 4, false, 0, NOSEG, X86_R11, NONE, 1, 8, 0, G(X86_R11) },
	{ "movsbq 0x1(%r10),%r15", M64, 5, { 0x4d, 0x0f, 0xbe, 0x7a, 0x01 },
	  5, false, 1, X86_R15, 8, true, 0, NOSEG, X86_R10, NONE, 1, 8, 1, G(X86_R10) + 1 },
	/* A REX followed by a legacy prefix is ignored (SDM Vol. 2, 2.2.1): mov %ax,(%rdi). */
	{ "mov %ax,(%rdi)", M64, 4, { 0x48, 0x66, 0x89, 0x07 },
	  4, true, 2, X86_RAX, 2, false, 0, NOSEG, X86_RDI, NONE, 1, 8, 0, G(X86_RDI) },
	/* Longest: 13 prefixes 66 and 89 07 (15 bytes) = mov %ax,(%rdi). */
	{ "mov %ax,(%rdi)", M64, 15, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				       0x66, 0x66, 0x66, 0x89, 0x07 },
	  15, true, 2, X86_RAX, 2, false, 0, NOSEG, X86_RDI, NONE, 1, 8, 0, G(X86_RDI) },

	/* 32-bit code */
	{ "mov 0xfee000b0,%eax", M32, 5, { 0xa1, 0xb0, 0x00, 0xe0, 0xfe },
	  5, false, 4, X86_RAX, 4, false, 0, NOSEG, NONE, NONE, 1, 4, 0xfee000b0, 0xfee000b0 },
	{ "movl $0x0,0xb0(%eax)", M32, 10, { 0xc7, 0x80, 0xb0, 0, 0, 0, 0, 0, 0, 0 },
	  10, true, 4, NONE, 0, false, 0, NOSEG, X86_RAX, NONE, 1, 4, 0xb0,
	  (uint32_t)(G(X86_RAX) + 0xb0) },
	{ "mov (%ebx,%esi,2),%cx", M32, 4, { 0x66, 0x8b, 0x0c, 0x73 },
	  4, false, 2, X86_RCX, 2, false, 0, NOSEG, X86_RBX, X86_RSI, 2, 4, 0,
	  (uint32_t)(G(X86_RBX) + 2 * G(X86_RSI)) },
	{ "mov %dh,0x12345678(%ebp)", M32, 6, { 0x88, 0xb5, 0x78, 0x56, 0x34, 0x12 },
	  6, true, 1, X86_DH, 1, false, 0, NOSEG, X86_RBP, NONE, 1, 4, 0x12345678,
	  (uint32_t)(G(X86_RBP) + 0x12345678) },
	{ "movzbl (%ecx),%edx", M32, 3, { 0x0f, 0xb6, 0x11 },
	  3, false, 1, X86_RDX, 4, false, 0, NOSEG, X86_RCX, NONE, 1, 4, 0, (uint32_t)G(X86_RCX) },
	{ "movswl -0x4(%esp),%edi", M32, 5, { 0x0f, 0xbf, 0x7c, 0x24, 0xfc },
	  5, false, 2, X86_RDI, 4, true, 0, NOSEG, X86_RSP, NONE, 1, 4, -4,
	  (uint32_t)(G(X86_RSP) - 4) },
	{ "mov (%bx,%si),%eax", M32, 3, { 0x67, 0x8b, 0x00 },
	  3, false, 4, X86_RAX, 4, false, 0, NOSEG, X86_RBX, X86_RSI, 1, 2, 0,
	  (uint16_t)(G(X86_RBX) + G(X86_RSI)) },
	{ "mov %es:(%edi),%al", M32, 3, { 0x26, 0x8a, 0x07 },
	  3, false, 1, X86_RAX, 1, false, 0, X86_SEG_ES, X86_RDI, NONE, 1, 4, 0, (uint32_t)G(X86_RDI) },

	/* 16-bit code */
	{ "mov (%bx,%si),%ax", M16, 2, { 0x8b, 0x00 },
	  2, false, 2, X86_RAX, 2, false, 0, NOSEG, X86_RBX, X86_RSI, 1, 2, 0,
	  (uint16_t)(G(X86_RBX) + G(X86_RSI)) },
	{ "mov 0x10(%bp),%al", M16, 3, { 0x8a, 0x46, 0x10 },
	  3, false, 1, X86_RAX, 1, false, 0, NOSEG, X86_RBP, NONE, 1, 2, 0x10,
	  (uint16_t)(G(X86_RBP) + 0x10) },
	{ "mov %ax,0x1234", M16, 3, { 0xa3, 0x34, 0x12 },
	  3, true, 2, X86_RAX, 2, false, 0, NOSEG, NONE, NONE, 1, 2, 0x1234, 0x1234 },
	{ "mov %eax,0x4(%bx,%di)", M16, 4, { 0x66, 0x89, 0x41, 0x04 },
	  4, true, 4, X86_RAX, 4, false, 0, NOSEG, X86_RBX, X86_RDI, 1, 2, 4,
	  (uint16_t)(G(X86_RBX) + G(X86_RDI) + 4) },
	{ "mov (%eax),%bx", M16, 3, { 0x67, 0x8b, 0x18 },
	  3, false, 2, X86_RBX, 2, false, 0, NOSEG, X86_RAX, NONE, 1, 4, 0, (uint32_t)G(X86_RAX) },
	{ "movw $0x55aa,-0x2(%si)", M16, 5, { 0xc7, 0x44, 0xfe, 0xaa, 0x55 },
	  5, true, 2, NONE, 0, false, 0x55aa, NOSEG, X86_RSI, NONE, 1, 2, -2,
	  (uint16_t)(G(X86_RSI) - 2) },
	{ "mov 0x1234(%bp,%di),%bl", M16, 4, { 0x8a, 0x9b, 0x34, 0x12 },
	  4, false, 1, X86_RBX, 1, false, 0, NOSEG, X86_RBP, X86_RDI, 1, 2, 0x1234,
	  (uint16_t)(G(X86_RBP) + G(X86_RDI) + 0x1234) },
	{ "mov %ss:-0x8000,%dx", M16, 5, { 0x36, 0x8b, 0x16, 0x00, 0x80 },
	  5, false, 2, X86_RDX, 2, false, 0, X86_SEG_SS, NONE, NONE, 1, 2, -0x8000, 0x8000 },
	{ "movzbw (%di),%cx", M16, 3, { 0x0f, 0xb6, 0x0d },
	  3, false, 1, X86_RCX, 2, false, 0, NOSEG, X86_RDI, NONE, 1, 2, 0, (uint16_t)G(X86_RDI) },
	{ "movzbl (%bx),%ecx", M16, 4, { 0x66, 0x0f, 0xb6, 0x0f },
	  4, false, 1, X86_RCX, 4, false, 0, NOSEG, X86_RBX, NONE, 1, 2, 0, (uint16_t)G(X86_RBX) },
};

static void registers(uint64_t gpr[16])
{
	for (unsigned i = 0; i < 16; i++)
		gpr[i] = G(i);
}

static void check_fields(const struct want *w, const struct x86_access *a)
{
	print_message("%s\n", w->text);
	assert_int_equal(a->len, w->len);
	assert_int_equal(a->write, w->write);
	assert_int_equal(a->size, w->size);
	assert_int_equal(a->reg, w->reg);
	if (w->reg != NONE)
		assert_int_equal(a->reg_size, w->reg_size);
	assert_int_equal(a->sign_extend, w->sx);
	assert_int_equal(a->imm, w->imm);
	assert_int_equal(a->seg, w->seg);
	assert_int_equal(a->base, w->base);
	assert_int_equal(a->index, w->index);
	assert_int_equal(a->scale, w->scale);
	assert_int_equal(a->addr_size, w->addr_size);
	assert_int_equal(a->disp, w->disp);
}

/* Every form of the table, field by field, with its address. */
static void test_table(void **state)
{
	(void)state;
	uint64_t gpr[16];
	struct x86_access a;

	registers(gpr);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct want *w = &table[i];
		assert_true(x86_decode_access(w->b, w->n, w->mode, &a));
		check_fields(w, &a);
		assert_int_equal(x86_access_address(&a, gpr, RIP), w->addr);
	}
}

/*
 * Shorter than the instruction is refused, whatever is cut (a prefix, the
 * opcode, ModRM, SIB, displacement, immediate); longer changes nothing.
 * The bytes are copied to a buffer of exactly n bytes, so the sanitizer
 * build catches a read past n.
 */
static void test_truncated(void **state)
{
	(void)state;
	struct x86_access a, full;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct want *w = &table[i];
		assert_true(x86_decode_access(w->b, w->n, w->mode, &full));
		for (unsigned n = 0; n < w->len; n++) {
			uint8_t *buf = malloc(n ? n : 1);
			memcpy(buf, w->b, n);
			assert_false(x86_decode_access(buf, n, w->mode, &a));
			assert_int_equal(a.len, 0); /* zeroed */
			free(buf);
		}
		uint8_t longer[32];
		memset(longer, 0x90, sizeof(longer));
		memcpy(longer, w->b, w->len);
		assert_true(x86_decode_access(longer, sizeof(longer), w->mode, &a));
		assert_memory_equal(&a, &full, sizeof(a));
	}
	assert_false(x86_decode_access(NULL, 0, X86_MODE_64, &a));
}

/* What is not a supported load or store of memory. */
static void test_refused(void **state)
{
	(void)state;
	static const struct {
		const char *why;
		enum x86_mode mode;
		uint8_t n, b[16];
	} no[] = {
		{ "lock mov %eax,(%rdi): #UD", M64, 3, { 0xf0, 0x89, 0x07 } },
		{ "rep mov", M64, 3, { 0xf3, 0x89, 0x07 } },
		{ "repne mov", M64, 3, { 0xf2, 0x8b, 0x07 } },
		{ "xrelease movl $1,(%rdi)", M64, 7, { 0xf3, 0xc7, 0x07, 1, 0, 0, 0 } },
		{ "mov %eax,%edi: registers only", M64, 2, { 0x89, 0xc7 } },
		{ "mov $1,%eax (C7 /0 with mod 11)", M64, 6, { 0xc7, 0xc0, 1, 0, 0, 0 } },
		{ "xbegin (C7 F8)", M64, 6, { 0xc7, 0xf8, 0, 0, 0, 0 } },
		{ "C7 /1: undefined", M64, 6, { 0xc7, 0x0f, 1, 0, 0, 0 } },
		{ "C6 /7 with REX.R: still /7", M64, 4, { 0x44, 0xc6, 0x3f, 1 } },
		{ "add %eax,(%rdi)", M64, 2, { 0x01, 0x07 } },
		{ "xchg %eax,(%rdi)", M64, 2, { 0x87, 0x07 } },
		{ "movsb", M64, 1, { 0xa4 } },
		{ "stos", M64, 1, { 0xab } },
		{ "mov %es,(%rdi) (8C)", M64, 2, { 0x8c, 0x07 } },
		{ "mov (%rdi),%es (8E)", M64, 2, { 0x8e, 0x07 } },
		{ "movnti %eax,(%rdi)", M64, 3, { 0x0f, 0xc3, 0x07 } },
		{ "movd %xmm0,(%rdi)", M64, 4, { 0x66, 0x0f, 0x7e, 0x07 } },
		{ "syscall", M64, 2, { 0x0f, 0x05 } },
		{ "movslq without REX.W (movsxd r32)", M64, 2, { 0x63, 0x07 } },
		{ "arpl in 32-bit code", M32, 2, { 0x63, 0x07 } },
		{ "inc %eax (40) in 32-bit code, not REX", M32, 3, { 0x40, 0x89, 0x07 } },
		{ "REX alone", M64, 1, { 0x48 } },
		{ "prefixes alone", M64, 4, { 0x66, 0x67, 0x2e, 0x48 } },
		{ "16 bytes: 14 prefixes and 89 07", M64, 16,
		  { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		    0x89, 0x07 } },
		{ "15 bytes of prefixes, then 89 07", M64, 16,
		  { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
		    0x2e, 0x89 } },
		{ "movl $imm,disp32(%rax) past 15 bytes", M64, 16,
		  { 0x66, 0x66, 0x66, 0x66, 0x66, 0x67, 0x48, 0xc7, 0x80, 0, 0, 0, 0, 1, 2, 3 } },
	};
	struct x86_access a;

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		print_message("%s\n", no[i].why);
		assert_false(x86_decode_access(no[i].b, no[i].n, no[i].mode, &a));
	}
	/* A mode that is none of 2, 4, 8. */
	assert_false(x86_decode_access(table[0].b, table[0].n, (enum x86_mode)3, &a));
}

/* ---- Capstone ------------------------------------------------------------------ */

/* Capstone's names of each general register, by width: 8, 4, 2 and 1 bytes. */
static const x86_reg cs_gpr[16][4] = {
	{ X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL },
	{ X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL },
	{ X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL },
	{ X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL },
	{ X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL },
	{ X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL },
	{ X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL },
	{ X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL },
	{ X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B },
	{ X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B },
	{ X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B },
	{ X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B },
	{ X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B },
	{ X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B },
	{ X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B },
	{ X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B },
};

/* The low size bytes. */
static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Capstone's name of the decoder's register r, size bytes wide. */
static x86_reg cs_reg(unsigned r, unsigned size)
{
	static const x86_reg high[4] = { X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH };
	unsigned w = size == 8 ? 0 : size == 4 ? 1 : size == 2 ? 2 : 3;

	if (r == NONE)
		return X86_REG_INVALID;
	if (r == X86_RIP)
		return size == 8 ? X86_REG_RIP : X86_REG_EIP;
	if (r >= X86_AH && r <= X86_BH)
		return high[r - X86_AH];
	return cs_gpr[r & 15][w];
}

static csh cs_handle[3];

static int cs_setup(void **state)
{
	static const cs_mode modes[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };

	(void)state;
	for (int i = 0; i < 3; i++) {
		if (cs_open(CS_ARCH_X86, modes[i], &cs_handle[i]) != CS_ERR_OK)
			return -1;
		cs_option(cs_handle[i], CS_OPT_DETAIL, CS_OPT_ON);
	}
	return 0;
}

static int cs_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		cs_close(&cs_handle[i]);
	return 0;
}

static csh handle_for(enum x86_mode mode)
{
	return cs_handle[mode == X86_MODE_16 ? 0 : mode == X86_MODE_32 ? 1 : 2];
}

/*
 * Capstone's decoding of bytes b (n of them) must be the access a: the
 * same length, a MOV-family instruction, the memory operand with the same
 * base, index, scale, displacement, segment override and size, and the
 * same register (at its width) or immediate. Returns false and says what
 * differs.
 */
static bool agrees_with_capstone(const uint8_t *b, unsigned n, enum x86_mode mode,
				 const struct x86_access *a)
{
	cs_insn *insn;
	bool ok = false;
	size_t count = cs_disasm(handle_for(mode), b, n, RIP, 1, &insn);

	if (count != 1) {
		print_message("capstone cannot decode it\n");
		return false;
	}
	const cs_x86 *x = &insn->detail->x86;
	unsigned id = insn->id;
	uint64_t mask = size_mask(a->addr_size);
	const char *what = NULL;

	if (insn->size != a->len)
		what = "length";
	else if (id != X86_INS_MOV && id != X86_INS_MOVABS && id != X86_INS_MOVZX &&
		 id != X86_INS_MOVSX && id != X86_INS_MOVSXD)
		what = "instruction";
	else if (x->op_count != 2)
		what = "operand count";
	if (!what) {
		const cs_x86_op *mem = &x->operands[a->write ? 0 : 1];
		const cs_x86_op *other = &x->operands[a->write ? 1 : 0];
		x86_reg seg = a->seg == NOSEG ? X86_REG_INVALID
			      : (x86_reg[]){ X86_REG_ES, X86_REG_CS, X86_REG_SS, X86_REG_DS,
					     X86_REG_FS, X86_REG_GS }[a->seg];
		if (mem->type != X86_OP_MEM)
			what = "memory operand";
		else if (mem->size != a->size)
			what = "access size";
		else if (mem->mem.base != cs_reg(a->base, a->addr_size))
			what = "base";
		else if (mem->mem.index != cs_reg(a->index, a->addr_size))
			what = "index";
		else if (a->index != NONE && mem->mem.scale != a->scale)
			what = "scale";
		else if (((uint64_t)mem->mem.disp & mask) != ((uint64_t)a->disp & mask))
			what = "displacement";
		else if (mem->mem.segment != seg)
			what = "segment";
		else if (a->reg == NONE && (other->type != X86_OP_IMM ||
					    ((uint64_t)other->imm & size_mask(a->size)) != a->imm))
			what = "immediate";
		else if (a->reg != NONE && (other->type != X86_OP_REG ||
					    other->reg != cs_reg(a->reg, a->reg_size)))
			what = "register";
		else if ((id == X86_INS_MOVSX || id == X86_INS_MOVSXD) != a->sign_extend)
			what = "sign extension";
	}
	if (what)
		print_message("capstone disagrees on the %s: %s %s (%u bytes)\n", what, insn->mnemonic,
			      insn->op_str, insn->size);
	else
		ok = true;
	cs_free(insn, count);
	return ok;
}

static void test_capstone_table(void **state)
{
	(void)state;
	struct x86_access a;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct want *w = &table[i];
		print_message("%s\n", w->text);
		assert_true(x86_decode_access(w->b, w->n, w->mode, &a));
		assert_true(agrees_with_capstone(w->b, w->n, w->mode, &a));
	}
}

/*
 * True if Capstone decodes b as a MOV-family load or store of memory
 * that the decoder should have taken: not with LOCK/REP/REPNE (which
 * Capstone shows as prefixes), not a move of a segment register (8C,
 * 8E), not MOVSXD without REX.W.
 */
static bool capstone_says_mov(const uint8_t *b, unsigned n, enum x86_mode mode)
{
	cs_insn *insn;
	size_t count = cs_disasm(handle_for(mode), b, n, RIP, 1, &insn);
	bool mov = false;

	if (count != 1)
		return false;
	const cs_x86 *x = &insn->detail->x86;
	unsigned id = insn->id;
	if ((id == X86_INS_MOV || id == X86_INS_MOVABS || id == X86_INS_MOVZX ||
	     id == X86_INS_MOVSX || id == X86_INS_MOVSXD) && x->op_count == 2 &&
	    (x->operands[0].type == X86_OP_MEM || x->operands[1].type == X86_OP_MEM)) {
		bool lock_rep = false;
		for (unsigned i = 0; i < insn->size && !lock_rep; i++) {
			uint8_t p = b[i];
			if (p == 0xf0 || p == 0xf2 || p == 0xf3)
				lock_rep = true;
			else if (p != 0x66 && p != 0x67 && p != 0x26 && p != 0x2e && p != 0x36 &&
				 p != 0x3e && p != 0x64 && p != 0x65 &&
				 !(mode == X86_MODE_64 && (p & 0xf0) == 0x40))
				break;
		}
		mov = !lock_rep && x->opcode[0] != 0x8c && x->opcode[0] != 0x8e &&
		      !(x->opcode[0] == 0x63 && !(x->rex & 8));
	}
	cs_free(insn, count);
	return mov;
}

/* A small deterministic generator (xorshift64). */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A byte that is, half of the time, one the decoder looks at. */
static uint8_t interesting(void)
{
	static const uint8_t pick[] = { 0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf2,
					0xf3, 0x40, 0x41, 0x44, 0x48, 0x4c, 0x4f, 0x88, 0x89, 0x8a,
					0x8b, 0xc6, 0xc7, 0xa0, 0xa1, 0xa2, 0xa3, 0x63, 0x0f, 0xb6,
					0xb7, 0xbe, 0xbf, 0x04, 0x05, 0x24, 0x25, 0x44, 0x84, 0xc0 };
	uint64_t r = next();
	return (r & 1) ? pick[(r >> 8) % sizeof(pick)] : (uint8_t)(r >> 16);
}

/*
 * Random byte strings in buffers of exactly n bytes: no crash, no read
 * past n (the sanitizer build), an accepted length within n and 15, the
 * same answer at exactly that length and a refusal one byte shorter; and
 * every accepted one is what Capstone decodes. Also counts that the
 * strings did reach every form: a generator that never produced a
 * MOV would prove nothing.
 */
static void test_random(void **state)
{
	(void)state;
	static const enum x86_mode modes[3] = { X86_MODE_16, X86_MODE_32, X86_MODE_64 };
	unsigned accepted = 0, forms[256] = { 0 };

	for (unsigned iter = 0; iter < 200000; iter++) {
		unsigned n = (unsigned)(next() % 18);
		enum x86_mode mode = modes[next() % 3];
		uint8_t *buf = malloc(n ? n : 1);
		struct x86_access a, again;

		for (unsigned i = 0; i < n; i++)
			buf[i] = interesting();
		if (x86_decode_access(buf, n, mode, &a)) {
			accepted++;
			assert_true(a.len >= 2 && a.len <= n && a.len <= X86_INSN_MAX);
			assert_true(x86_decode_access(buf, a.len, mode, &again));
			assert_memory_equal(&a, &again, sizeof(a));
			assert_false(x86_decode_access(buf, a.len - 1u, mode, &again));
			if (!agrees_with_capstone(buf, a.len, mode, &a)) {
				for (unsigned i = 0; i < a.len; i++)
					print_message("%02x ", buf[i]);
				print_message("(mode %u)\n", mode);
				fail();
			}
			unsigned i = 0;
			while (i < a.len && buf[i] != 0x88 && buf[i] != 0x89 && buf[i] != 0x8a &&
			       buf[i] != 0x8b && buf[i] != 0xc6 && buf[i] != 0xc7 && buf[i] != 0x63 &&
			       buf[i] != 0x0f && (buf[i] & 0xfc) != 0xa0)
				i++;
			forms[buf[i]]++;
		} else if (n && capstone_says_mov(buf, n, mode)) {
			for (unsigned i = 0; i < n; i++)
				print_message("%02x ", buf[i]);
			print_message("(mode %u): error: refused, but a plain MOV for Capstone\n", mode);
			fail();
		}
		free(buf);
	}
	print_message("%u of 200000 accepted\n", accepted);
	assert_true(accepted > 5000);
	static const uint8_t every[] = { 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0xa0, 0xa1, 0xa2, 0xa3,
					 0x63, 0x0f };
	for (size_t i = 0; i < sizeof(every); i++)
		assert_true(forms[every[i]] > 20);
}

/* ---- The exit -------------------------------------------------------------------- */

/* The EPT violation of an access at gpa/gva by the instruction at RIP (table 28-7). */
static void ept_exit(bool write, bool gva_valid, uint64_t gpa, uint64_t gva, struct vcpu_exit *e)
{
	/* bit 0 read, bit 1 write; bit 7 the linear address is valid, bit 8 it is the access's own */
	uint64_t q = (write ? 2 : 1) | (gva_valid ? 0x180 : 0);
	struct vmx_exit_info info = { .reason = VMX_EXIT_EPT_VIOLATION, .qualification = q,
				      .guest_phys = gpa, .guest_linear = gva, .rip = RIP,
				      .insn_len = 0 };
	vmx_decode_exit(&info, e);
	assert_int_equal(e->reason, EXIT_STAGE2_FAULT);
}

static void test_mmio_exit(void **state)
{
	(void)state;
	uint64_t gpr[16];
	struct vcpu_exit e, before;
	static const uint8_t load[] = { 0x8b, 0x42, 0x10 };        /* mov 0x10(%rdx),%eax */
	static const uint8_t store_r8[] = { 0x4c, 0x89, 0x02 };    /* mov %r8,(%rdx) */
	static const uint8_t store_ah[] = { 0x88, 0x22 };          /* mov %ah,(%rdx) */
	static const uint8_t store_w[] = { 0x66, 0x44, 0x89, 0x1a }; /* mov %r11w,(%rdx) */
	/* movl $0x12345678,(%rdx) */
	static const uint8_t store_imm[] = { 0xc7, 0x02, 0x78, 0x56, 0x34, 0x12 };
	static const uint8_t movsbw[] = { 0x66, 0x0f, 0xbe, 0x02 }; /* movsbw (%rdx),%ax */
	static const uint8_t fs_load[] = { 0x64, 0x8b, 0x02 };     /* mov %fs:(%rdx),%eax */

	registers(gpr);
	gpr[X86_RDX] = 0xfec00000;
	gpr[X86_RAX] = 0x1122334455667788ULL;
	gpr[X86_R8] = 0x8877665544332211ULL;
	gpr[X86_R11] = 0xffffffffffffabcdULL;

	ept_exit(false, true, 0xfec00010, 0xfec00010, &e);
	assert_true(vmx_decode_mmio(load, sizeof(load), X86_MODE_64, gpr, &e));
	assert_int_equal(e.reason, EXIT_MMIO);
	assert_int_equal(e.pc, RIP);
	assert_int_equal(e.syndrome, VMX_EXIT_EPT_VIOLATION);
	assert_int_equal(e.insn_len, 3);
	assert_int_equal(e.mmio.gpa, 0xfec00010);
	assert_int_equal(e.mmio.gva, 0xfec00010);
	assert_int_equal(e.mmio.size, 4);
	assert_false(e.mmio.write);
	assert_int_equal(e.mmio.reg, X86_RAX);
	assert_true(e.mmio.reg_is_64); /* a 32-bit destination: zero-extended */
	assert_false(e.mmio.sign_extend);

	ept_exit(true, true, 0xfec00000, 0xfec00000, &e);
	assert_true(vmx_decode_mmio(store_r8, sizeof(store_r8), X86_MODE_64, gpr, &e));
	assert_true(e.mmio.write);
	assert_int_equal(e.mmio.size, 8);
	assert_int_equal(e.mmio.reg, X86_R8);
	assert_int_equal(e.mmio.data, 0x8877665544332211ULL);
	assert_int_equal(e.insn_len, 3);

	ept_exit(true, true, 0xfec00000, 0xfec00000, &e);
	assert_true(vmx_decode_mmio(store_ah, sizeof(store_ah), X86_MODE_64, gpr, &e));
	assert_int_equal(e.mmio.size, 1);
	assert_int_equal(e.mmio.reg, X86_AH);
	assert_int_equal(e.mmio.data, 0x77);

	ept_exit(true, true, 0xfec00000, 0xfec00000, &e);
	assert_true(vmx_decode_mmio(store_w, sizeof(store_w), X86_MODE_64, gpr, &e));
	assert_int_equal(e.mmio.size, 2);
	assert_int_equal(e.mmio.data, 0xabcd);
	assert_int_equal(e.insn_len, 4);

	ept_exit(true, true, 0xfec00000, 0xfec00000, &e);
	assert_true(vmx_decode_mmio(store_imm, sizeof(store_imm), X86_MODE_64, gpr, &e));
	assert_int_equal(e.mmio.size, 4);
	assert_int_equal(e.mmio.reg, X86_NOREG);
	assert_int_equal(e.mmio.data, 0x12345678);
	assert_int_equal(e.insn_len, 6);

	/* Without a valid linear address in the qualification, the computed one. */
	ept_exit(false, false, 0xfec00010, 0, &e);
	assert_true(vmx_decode_mmio(load, sizeof(load), X86_MODE_64, gpr, &e));
	assert_int_equal(e.mmio.gva, 0xfec00010);

	/* An FS override: the segment's base is not known here, no cross-check. */
	ept_exit(false, true, 0xfec00000, 0x7000fec00000ULL, &e);
	assert_true(vmx_decode_mmio(fs_load, sizeof(fs_load), X86_MODE_64, gpr, &e));
	assert_int_equal(e.mmio.gva, 0x7000fec00000ULL);

	/* Refusals leave the exit as it was. */
	ept_exit(true, true, 0xfec00010, 0xfec00010, &e); /* a write exit, a load instruction */
	before = e;
	assert_false(vmx_decode_mmio(load, sizeof(load), X86_MODE_64, gpr, &e));
	assert_memory_equal(&e, &before, sizeof(e));
	ept_exit(false, true, 0xfec00010, 0xfec00014, &e); /* not the instruction's address */
	before = e;
	assert_false(vmx_decode_mmio(load, sizeof(load), X86_MODE_64, gpr, &e));
	assert_memory_equal(&e, &before, sizeof(e));
	ept_exit(false, true, 0xfec00010, 0xfec00010, &e);
	before = e;
	assert_false(vmx_decode_mmio(load, 2, X86_MODE_64, gpr, &e)); /* truncated */
	assert_false(vmx_decode_mmio(movsbw, sizeof(movsbw), X86_MODE_64, gpr, &e));
	assert_memory_equal(&e, &before, sizeof(e));
	/* A fetch (bit 2), and the guest's own page walk (bit 7 without bit 8). */
	struct vmx_exit_info info = { .reason = VMX_EXIT_EPT_VIOLATION, .qualification = 0x184,
				      .guest_phys = 0xfec00010, .guest_linear = 0xfec00010, .rip = RIP };
	vmx_decode_exit(&info, &e);
	assert_false(vmx_decode_mmio(load, sizeof(load), X86_MODE_64, gpr, &e));
	info.qualification = 0x81;
	vmx_decode_exit(&info, &e);
	assert_true(e.s2fault.s1ptw);
	assert_false(vmx_decode_mmio(load, sizeof(load), X86_MODE_64, gpr, &e));
	/* Not a stage-2 fault at all. */
	e.reason = EXIT_HALT;
	assert_false(vmx_decode_mmio(load, sizeof(load), X86_MODE_64, gpr, &e));
}

/* ---- Completion of a read -------------------------------------------------------- */

/*
 * Decodes the load bytes b as the exit of a read at gva (the address
 * the instruction computes from v's registers), answers data, completes
 * it, and returns the register reg afterwards.
 */
static uint64_t complete_read(struct vcpu *v, const uint8_t *b, unsigned n, uint64_t data,
			      unsigned reg)
{
	struct vcpu_exit e;
	struct x86_access a;

	assert_true(x86_decode_access(b, n, X86_MODE_64, &a));
	uint64_t gva = x86_access_address(&a, v->arch.gpr, RIP);
	ept_exit(false, true, 0xfed00000, gva, &e);
	assert_true(vmx_decode_mmio(b, n, X86_MODE_64, v->arch.gpr, &e));
	e.mmio.data = data;
	v->arch.rip = RIP;
	vcpu_arch_complete_exit(v, &e);
	assert_int_equal(v->arch.rip, RIP + a.len);
	return v->arch.gpr[reg];
}

static void test_complete_read(void **state)
{
	(void)state;
	static struct vcpu v;
	uint64_t *g = v.arch.gpr;
	const uint64_t ones = ~0ULL;

	memset(&v, 0, sizeof(v));
	g[X86_RDI] = 0x1000;
	g[X86_RSI] = 0x2000;
	g[X86_RCX] = 0x3000;
	g[X86_R10] = 0x4000;
	g[X86_RDX] = ones;
	/* mov (%rdi),%eax: 32 bits zero-extended into RAX (SDM Vol. 1, 3.4.1.1). */
	g[X86_RAX] = ones;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x8b, 0x07 }, 2, 0x80000001, X86_RAX),
			 0x80000001);
	/* ... and data beyond the access's 4 bytes is not taken. */
	g[X86_RAX] = ones;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x8b, 0x07 }, 2, 0xdead00000000beefULL,
				       X86_RAX), 0xbeef);
	/* mov (%rcx),%rax */
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x48, 0x8b, 0x01 }, 3,
				       0x1122334455667788ULL, X86_RAX), 0x1122334455667788ULL);
	/* mov (%rdi),%ax: the upper 48 bits stay. */
	g[X86_RAX] = ones;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x66, 0x8b, 0x07 }, 3, 0x1234, X86_RAX),
			 0xffffffffffff1234ULL);
	/* mov (%rdi),%al */
	g[X86_RAX] = 0x1111111111111111ULL;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x8a, 0x07 }, 2, 0xab, X86_RAX),
			 0x11111111111111abULL);
	/* mov (%rsi),%bh: bits 15:8 of RBX. */
	g[X86_RBX] = 0x1111111111111111ULL;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x8a, 0x3e }, 2, 0xab, X86_RBX),
			 0x111111111111ab11ULL);
	/* mov (%rdi),%sil (REX): the low byte of RSI. */
	g[X86_RSI] = 0x2000;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x40, 0x8a, 0x37 }, 3, 0x80, X86_RSI),
			 0x2080);
	/* mov (%rdi),%r9b */
	g[X86_R9] = ones;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x44, 0x8a, 0x0f }, 3, 0x00, X86_R9),
			 0xffffffffffffff00ULL);
	/* movzbl (%rdi),%eax: zero-extended to 64. */
	g[X86_RAX] = ones;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x0f, 0xb6, 0x07 }, 3, 0xff, X86_RAX),
			 0xff);
	/* movsbl (%rdi),%ecx: sign-extended to 32, then zero-extended. */
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x0f, 0xbe, 0x0f }, 3, 0x80, X86_RCX),
			 0xffffff80ULL);
	/* movswq (%rdi),%rdx */
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x48, 0x0f, 0xbf, 0x17 }, 4, 0x8000,
				       X86_RDX), 0xffffffffffff8000ULL);
	/* movslq (%rdi),%rax */
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x48, 0x63, 0x07 }, 3, 0x80000000,
				       X86_RAX), 0xffffffff80000000ULL);
	/* movsbq 0x1(%r10),%r15 of a positive byte */
	g[X86_R15] = ones;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x4d, 0x0f, 0xbe, 0x7a, 0x01 }, 5, 0x7f,
				       X86_R15), 0x7f);
	/* movzwl (%rdi),%eax into R12D */
	g[X86_R12] = ones;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x44, 0x0f, 0xb7, 0x27 }, 4, 0xfffe,
				       X86_R12), 0xfffe);
	/* 66 0F BF: movsx of 16 bits into 16 bits, a plain 16-bit load. */
	g[X86_RBX] = 0x5555555555555555ULL;
	assert_int_equal(complete_read(&v, (const uint8_t[]){ 0x66, 0x0f, 0xbf, 0x1f }, 4, 0x8001,
				       X86_RBX), 0x5555555555558001ULL);
}

/* A store completes by stepping over it; an abort for the guest leaves RIP and registers. */
static void test_complete_other(void **state)
{
	(void)state;
	static struct vcpu v;
	struct vcpu_exit e;
	static const uint8_t store[] = { 0x89, 0x07 }; /* mov %eax,(%rdi) */
	static const uint8_t load[] = { 0x8b, 0x07 };  /* mov (%rdi),%eax */

	memset(&v, 0, sizeof(v));
	v.arch.gpr[X86_RDI] = 0x1000;
	v.arch.gpr[X86_RAX] = 0x42;
	v.arch.rip = RIP;
	ept_exit(true, true, 0x7000000, 0x1000, &e);
	assert_true(vmx_decode_mmio(store, sizeof(store), X86_MODE_64, v.arch.gpr, &e));
	vcpu_arch_complete_exit(&v, &e);
	assert_int_equal(v.arch.rip, RIP + 2);
	assert_int_equal(v.arch.gpr[X86_RAX], 0x42);

	/* [devices] unmapped_access = "abort": #GP(0), a fault, RIP stays. */
	v.arch.rip = RIP;
	ept_exit(false, true, 0x7000000, 0x1000, &e);
	assert_true(vmx_decode_mmio(load, sizeof(load), X86_MODE_64, v.arch.gpr, &e));
	assert_true(vcpu_arch_inject_abort(&v, &e));
	assert_true(v.arch.inject.valid);
	assert_int_equal(v.arch.inject.vector, 13);
	assert_true(v.arch.inject.has_error);
	assert_int_equal(v.arch.inject.error, 0);
	e.mmio.data = 0x55;
	vcpu_arch_complete_exit(&v, &e);
	assert_int_equal(v.arch.rip, RIP);
	assert_int_equal(v.arch.gpr[X86_RAX], 0x42);
}

/* The local APIC's page: EXIT_SYSREG of its register, a 32-bit MOV only. */
static void test_apic(void **state)
{
	(void)state;
	static struct vcpu v;
	uint64_t *g = v.arch.gpr;
	struct vcpu_exit e, before;
	static const uint8_t eoi[] = { 0xc7, 0x80, 0xb0, 0, 0, 0, 0, 0, 0, 0 }; /* movl $0,0xb0(%rax) */
	static const uint8_t read_id[] = { 0x8b, 0x40, 0x20 };          /* mov 0x20(%rax),%eax */
	static const uint8_t icr[] = { 0x89, 0x88, 0x00, 0x03, 0, 0 };    /* mov %ecx,0x300(%rax) */
	static const uint8_t timer[] = { 0x89, 0x90, 0x80, 0x03, 0, 0 };  /* mov %edx,0x380(%rax) */

	memset(&v, 0, sizeof(v));
	g[X86_RAX] = 0xfee00000;
	g[X86_RCX] = 0xffffffff000c4500ULL;
	g[X86_RDX] = 0x989680;

	ept_exit(true, true, 0xfee000b0, 0xfee000b0, &e);
	assert_true(vmx_decode_apic(eoi, sizeof(eoi), X86_MODE_64, g, &e));
	assert_int_equal(e.reason, EXIT_SYSREG);
	assert_int_equal(e.sysreg.id, X86_SYSREG_APIC(0xb0));
	assert_true(e.sysreg.write);
	assert_int_equal(e.sysreg.src, SYSREG_SRC_IMM);
	assert_int_equal(e.sysreg.value, 0);
	assert_int_equal(e.insn_len, 10);

	ept_exit(true, true, 0xfee00300, 0xfee00300, &e);
	assert_true(vmx_decode_apic(icr, sizeof(icr), X86_MODE_64, g, &e));
	assert_int_equal(e.sysreg.id, X86_SYSREG_APIC(0x300));
	assert_int_equal(e.sysreg.value, 0x000c4500);
	assert_int_equal(e.insn_len, 6);

	/* A read: the register, loaded zero-extended when the exit completes. */
	ept_exit(false, true, 0xfee00020, 0xfee00020, &e);
	assert_true(vmx_decode_apic(read_id, sizeof(read_id), X86_MODE_64, g, &e));
	assert_int_equal(e.sysreg.id, X86_SYSREG_APIC(0x20));
	assert_false(e.sysreg.write);
	assert_int_equal(e.sysreg.reg, X86_RAX);
	e.sysreg.value = 0x03000000; /* APIC ID 3 */
	v.arch.rip = RIP;
	vcpu_arch_complete_exit(&v, &e);
	assert_int_equal(g[X86_RAX], 0x03000000);
	assert_int_equal(v.arch.rip, RIP + 3);
	g[X86_RAX] = 0xfee00000;

	/* From an APIC-access exit (reason 44; table 28-6: offset 0x380, a linear write). */
	struct vmx_exit_info info = { .reason = VMX_EXIT_APIC_ACCESS, .qualification = 0x1380,
				      .rip = RIP };
	vmx_decode_exit(&info, &e);
	assert_true(vmx_decode_apic(timer, sizeof(timer), X86_MODE_64, g, &e));
	assert_int_equal(e.sysreg.id, X86_SYSREG_APIC(0x380));
	assert_int_equal(e.sysreg.value, 0x989680);
	assert_int_equal(e.insn_len, 6);
	/* Completing an APIC exit with no instruction length (the simulator's) touches no register. */
	info.qualification = 0x20;
	vmx_decode_exit(&info, &e);
	e.sysreg.value = 0x12345678;
	v.arch.rip = RIP;
	vcpu_arch_complete_exit(&v, &e);
	assert_int_equal(g[X86_RAX], 0xfee00000);
	assert_int_equal(v.arch.rip, RIP);

	/* Not a 32-bit MOV, or not the exit's direction or address: refused, the exit unchanged. */
	static const struct {
		uint8_t n, b[4];
	} no[] = {
		{ 3, { 0xc6, 0x00, 0x01 } },       /* movb $1,(%rax) */
		{ 3, { 0x48, 0x89, 0x00 } },       /* mov %rax,(%rax) */
		{ 3, { 0x66, 0x89, 0x00 } },       /* mov %ax,(%rax) */
		{ 2, { 0x88, 0x20 } },             /* mov %ah,(%rax) */
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		ept_exit(true, true, 0xfee00000, 0xfee00000, &e);
		before = e;
		assert_false(vmx_decode_apic(no[i].b, no[i].n, X86_MODE_64, g, &e));
		assert_memory_equal(&e, &before, sizeof(e));
	}
	ept_exit(false, true, 0xfee00000, 0xfee00000, &e);
	assert_false(vmx_decode_apic((const uint8_t[]){ 0x0f, 0xb6, 0x00 }, 3, X86_MODE_64, g, &e));
	assert_false(vmx_decode_apic((const uint8_t[]){ 0x0f, 0xbf, 0x00 }, 3, X86_MODE_64, g, &e));
	assert_false(vmx_decode_apic(eoi, sizeof(eoi), X86_MODE_64, g, &e)); /* a store, a read exit */
	ept_exit(false, true, 0xfee00020, 0xfee00024, &e);
	assert_false(vmx_decode_apic(read_id, sizeof(read_id), X86_MODE_64, g, &e));
	e.reason = EXIT_HALT;
	assert_false(vmx_decode_apic(read_id, sizeof(read_id), X86_MODE_64, g, &e));
}

/* ---- Through the core ------------------------------------------------------------ */

static const uint8_t kernel[4] = { 0xf4, 0xeb, 0xfd, 0x90 }; /* hlt; jmp .-1 */

/*
 * One access of the guest by the instruction bytes b, as a HAL takes it:
 * the EPT violation decoded, the EXIT_MMIO handled by the core (the VM's
 * device, or what unmapped_access says), the exit completed.
 */
static void guest_access(struct vcpu *v, const uint8_t *b, unsigned n, bool write, uint64_t gpa)
{
	struct vcpu_exit e;
	struct x86_access a;

	assert_true(x86_decode_access(b, n, X86_MODE_64, &a));
	ept_exit(write, true, gpa, x86_access_address(&a, v->arch.gpr, RIP), &e);
	assert_true(vmx_decode_mmio(b, n, X86_MODE_64, v->arch.gpr, &e));
	v->arch.rip = RIP;
	vcpu_handle_exit(v, &e);
	vcpu_arch_complete_exit(v, &e);
}

/*
 * The I/O APIC (ioapic.c, 32-bit accesses only) through decoded
 * instructions: movl $1,(%rdx) selects IOAPICVER, mov 0x10(%rdx),%eax
 * reads it into RAX zero-extended; redirection entry 0 (index 0x10, masked
 * after reset) into R9D. Then at a GPA that is neither RAM nor a device
 * under unmapped_access = "raz_wi": a read into AH keeps RAX's other
 * bits, MOVZX clears RCX, a store is dropped.
 */
static void test_through_core(void **state)
{
	(void)state;
	static const char text[] = "[base]\nid = 7\nname = \"pc\"\narch = \"x86_64\"\n"
				   "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x10_0000\n"
				   "memory_regions = [[0, 0x100_0000, 7, 0]]\n"
				   "[devices]\nunmapped_access = \"raz_wi\"\n";
	struct vm *vm;

	assert_int_equal(fixture_vm_boot(text, "pc.toml", kernel, sizeof(kernel), &vm), 0);
	struct vcpu *v = vm->vcpus[0];
	uint64_t *g = v->arch.gpr;

	g[X86_RDX] = 0xfec00000;
	g[X86_RAX] = ~0ULL;
	guest_access(v, (const uint8_t[]){ 0xc7, 0x02, 0x01, 0, 0, 0 }, 6, true, 0xfec00000);
	assert_int_equal(v->arch.rip, RIP + 6);
	guest_access(v, (const uint8_t[]){ 0x8b, 0x42, 0x10 }, 3, false, 0xfec00010);
	assert_int_equal(g[X86_RAX], 0x00170011); /* IOAPICVER: 24 entries, version 0x11 */
	assert_int_equal(v->arch.rip, RIP + 3);
	g[X86_R9] = ~0ULL;
	guest_access(v, (const uint8_t[]){ 0xc7, 0x02, 0x10, 0, 0, 0 }, 6, true, 0xfec00000);
	guest_access(v, (const uint8_t[]){ 0x44, 0x8b, 0x4a, 0x10 }, 4, false, 0xfec00010);
	assert_int_equal(g[X86_R9], 0x10000); /* the mask bit */
	assert_int_equal(v->exits[EXIT_MMIO], 4);

	g[X86_RDI] = 0x70000000;
	g[X86_RAX] = ~0ULL;
	guest_access(v, (const uint8_t[]){ 0x8a, 0x27 }, 2, false, 0x70000000); /* mov (%rdi),%ah */
	assert_int_equal(g[X86_RAX], 0xffffffffffff00ffULL);
	g[X86_RCX] = 0x5555555555555555ULL;
	guest_access(v, (const uint8_t[]){ 0x0f, 0xb6, 0x0f }, 3, false, 0x70000000);
	assert_int_equal(g[X86_RCX], 0);
	assert_int_equal(v->unmapped_raz, 2);
	guest_access(v, (const uint8_t[]){ 0x89, 0x0f }, 2, true, 0x70000000);
	assert_int_equal(v->unmapped_wi, 1);
	assert_int_equal(v->arch.rip, RIP + 2);
	assert_true(vm_running(vm));
	vm_destroy(vm);
}

/*
 * Instruction bytes through the boot protocol's identity map (2 MiB
 * pages over the 16 MiB of RAM): 15 bytes inside RAM; at the end of RAM
 * only the bytes before it, so a 3-byte MOV there is refused and a
 * 2-byte one taken; nothing with paging that maps nothing (CR3 at a
 * zeroed page).
 */
static void test_fetch(void **state)
{
	(void)state;
	static const char text[] = "[base]\nid = 8\nname = \"pc\"\narch = \"x86_64\"\n"
				   "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x10_0000\n"
				   "memory_regions = [[0, 0x100_0000, 7, 0]]\n";
	struct vm *vm;
	uint8_t code[X86_INSN_MAX], buf[X86_INSN_MAX];
	struct x86_access a;

	assert_int_equal(fixture_vm_boot(text, "pc.toml", kernel, sizeof(kernel), &vm), 0);
	const struct vcpu_arch *va = &vm->vcpus[0]->arch;
	struct x86_s1_regs r = { .cr0 = va->cr0, .cr3 = va->cr3, .cr4 = va->cr4,
				 .efer = va->efer, .rflags = va->rflags };

	for (unsigned i = 0; i < sizeof(code); i++)
		code[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(addrspace_write(&vm->as, 0x200ff8, code, sizeof(code)), 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(x86_fetch_insn(&vm->as, &r, 0x200ff8, buf), X86_INSN_MAX);
	assert_memory_equal(buf, code, sizeof(code)); /* across a 4 KiB boundary */

	assert_int_equal(addrspace_write(&vm->as, 0xfffffe, (const uint8_t[]){ 0x48, 0x8b }, 2), 0);
	assert_int_equal(x86_fetch_insn(&vm->as, &r, 0xfffffe, buf), 2);
	assert_false(x86_decode_access(buf, 2, X86_MODE_64, &a)); /* mov (%rcx),%rax needs 3 */
	assert_int_equal(addrspace_write(&vm->as, 0xfffffe, (const uint8_t[]){ 0x8b, 0x07 }, 2), 0);
	assert_int_equal(x86_fetch_insn(&vm->as, &r, 0xfffffe, buf), 2);
	assert_true(x86_decode_access(buf, 2, X86_MODE_64, &a));
	assert_int_equal(a.len, 2);

	static const uint8_t zeros[4096];
	assert_int_equal(addrspace_write(&vm->as, 0x300000, zeros, sizeof(zeros)), 0);
	r.cr3 = 0x300000;
	assert_int_equal(x86_fetch_insn(&vm->as, &r, 0x200ff8, buf), 0);
	vm_destroy(vm);
}

/* CS access rights as VM exits leave them (table 25-2), EFER.LMA. */
static void test_code_mode(void **state)
{
	(void)state;
	assert_int_equal(x86_code_mode(0x500, 0xa09b), X86_MODE_64); /* L, G, present code */
	assert_int_equal(x86_code_mode(0x500, 0xc09b), X86_MODE_32); /* compatibility mode, D */
	assert_int_equal(x86_code_mode(0x500, 0x809b), X86_MODE_16);
	assert_int_equal(x86_code_mode(0, 0xc09b), X86_MODE_32);     /* protected mode */
	assert_int_equal(x86_code_mode(0, 0xa09b), X86_MODE_16);     /* L without LMA means nothing */
	assert_int_equal(x86_code_mode(0, 0x9b), X86_MODE_16);       /* real mode */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_capstone_table),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_mmio_exit),
		cmocka_unit_test(test_complete_read),
		cmocka_unit_test(test_complete_other),
		cmocka_unit_test(test_apic),
		cmocka_unit_test(test_code_mode),
		cmocka_unit_test(test_through_core),
		cmocka_unit_test(test_fetch),
	};
	return cmocka_run_group_tests_name("x86_64 instruction decoder", tests, cs_setup, cs_teardown);
}
