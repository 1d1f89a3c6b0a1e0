/* SPDX-License-Identifier: MIT */
/*
 * The exit trace's RISC-V disassembler (src/arch/riscv64/disasm.c).
 * Instruction words and their expected text come from the GNU tools, an
 * independent implementation: riscv64-linux-gnu-as -march=rv64gc_zifencei_zicsr_h
 * assembled every line, objdump -d -M no-aliases printed it (branch and
 * jump targets rewritten as absolute 0x addresses, the text's format;
 * C.NOP keeps the manual's name).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arch/disasm.h>

struct row {
	uint32_t insn;
	uint64_t pc;
	const char *text;
};

static const struct row rows[] = {
	{ 0x12345537, 0x80200000, "lui a0,0x12345" },
	{ 0xfffff297, 0x80200004, "auipc t0,0xfffff" },
	{ 0x001000ef, 0x80200008, "jal ra,0x80200808" },
	{ 0xffdff06f, 0x8020000c, "jal zero,0x80200008" },
	{ 0xff8300e7, 0x80200010, "jalr ra,-8(t1)" },
	{ 0x00b50863, 0x80200014, "beq a0,a1,0x80200024" },
	{ 0xfe0298e3, 0x80200018, "bne t0,zero,0x80200008" },
	{ 0x7e944fe3, 0x8020001c, "blt s0,s1,0x8020101a" },
	{ 0x80d67063, 0x80200020, "bgeu a2,a3,0x801ff020" },
	{ 0x80058503, 0x80200024, "lb a0,-2048(a1)" },
	{ 0x7ff41603, 0x80200028, "lh a2,2047(s0)" },
	{ 0x00812283, 0x8020002c, "lw t0,8(sp)" },
	{ 0xff873783, 0x80200030, "ld a5,-8(a4)" },
	{ 0x0015c503, 0x80200034, "lbu a0,1(a1)" },
	{ 0x00265583, 0x80200038, "lhu a1,2(a2)" },
	{ 0x00476683, 0x8020003c, "lwu a3,4(a4)" },
	{ 0x00a28023, 0x80200040, "sb a0,0(t0)" },
	{ 0xfe649f23, 0x80200044, "sh t1,-2(s1)" },
	{ 0x00c12623, 0x80200048, "sw a2,12(sp)" },
	{ 0xfe113c23, 0x8020004c, "sd ra,-8(sp)" },
	{ 0xfff00513, 0x80200050, "addi a0,zero,-1" },
	{ 0x00562593, 0x80200054, "slti a1,a2,5" },
	{ 0x00163593, 0x80200058, "sltiu a1,a2,1" },
	{ 0xfff6c693, 0x8020005c, "xori a3,a3,-1" },
	{ 0x7ff2e293, 0x80200060, "ori t0,t0,2047" },
	{ 0x02037313, 0x80200064, "andi t1,t1,32" },
	{ 0x03f31393, 0x80200068, "slli t2,t1,0x3f" },
	{ 0x00c2d293, 0x8020006c, "srli t0,t0,0xc" },
	{ 0x40155513, 0x80200070, "srai a0,a0,0x1" },
	{ 0x2002829b, 0x80200074, "addiw t0,t0,512" },
	{ 0x01f5951b, 0x80200078, "slliw a0,a1,0x1f" },
	{ 0x0035d51b, 0x8020007c, "srliw a0,a1,0x3" },
	{ 0x4075d51b, 0x80200080, "sraiw a0,a1,0x7" },
	{ 0x00c58533, 0x80200084, "add a0,a1,a2" },
	{ 0x41498933, 0x80200088, "sub s2,s3,s4" },
	{ 0x00b51533, 0x8020008c, "sll a0,a0,a1" },
	{ 0x007322b3, 0x80200090, "slt t0,t1,t2" },
	{ 0x01eebe33, 0x80200094, "sltu t3,t4,t5" },
	{ 0x0158c833, 0x80200098, "xor a6,a7,s5" },
	{ 0x018bdb33, 0x8020009c, "srl s6,s7,s8" },
	{ 0x41bd5cb3, 0x802000a0, "sra s9,s10,s11" },
	{ 0x0041efb3, 0x802000a4, "or t6,gp,tp" },
	{ 0x00a57533, 0x802000a8, "and a0,a0,a0" },
	{ 0x00c5853b, 0x802000ac, "addw a0,a1,a2" },
	{ 0x40c5853b, 0x802000b0, "subw a0,a1,a2" },
	{ 0x00c5953b, 0x802000b4, "sllw a0,a1,a2" },
	{ 0x00c5d53b, 0x802000b8, "srlw a0,a1,a2" },
	{ 0x40c5d53b, 0x802000bc, "sraw a0,a1,a2" },
	{ 0x02c58533, 0x802000c0, "mul a0,a1,a2" },
	{ 0x02c59533, 0x802000c4, "mulh a0,a1,a2" },
	{ 0x02c5a533, 0x802000c8, "mulhsu a0,a1,a2" },
	{ 0x02c5b533, 0x802000cc, "mulhu a0,a1,a2" },
	{ 0x02c5c533, 0x802000d0, "div a0,a1,a2" },
	{ 0x02c5d533, 0x802000d4, "divu a0,a1,a2" },
	{ 0x02c5e533, 0x802000d8, "rem a0,a1,a2" },
	{ 0x02c5f533, 0x802000dc, "remu a0,a1,a2" },
	{ 0x02c5853b, 0x802000e0, "mulw a0,a1,a2" },
	{ 0x02c5c53b, 0x802000e4, "divw a0,a1,a2" },
	{ 0x02c5d53b, 0x802000e8, "divuw a0,a1,a2" },
	{ 0x02c5e53b, 0x802000ec, "remw a0,a1,a2" },
	{ 0x02c5f53b, 0x802000f0, "remuw a0,a1,a2" },
	{ 0x0330000f, 0x802000f4, "fence rw,rw" },
	{ 0x0ff0000f, 0x802000f8, "fence iorw,iorw" },
	{ 0x8330000f, 0x802000fc, "fence.tso" },
	{ 0x0000100f, 0x80200100, "fence.i" },
	{ 0x00000073, 0x80200104, "ecall" },
	{ 0x00100073, 0x80200108, "ebreak" },
	{ 0x10200073, 0x8020010c, "sret" },
	{ 0x30200073, 0x80200110, "mret" },
	{ 0x10500073, 0x80200114, "wfi" },
	{ 0x12000073, 0x80200118, "sfence.vma zero,zero" },
	{ 0x12b50073, 0x8020011c, "sfence.vma a0,a1" },
	{ 0x22050073, 0x80200120, "hfence.vvma a0,zero" },
	{ 0x62b00073, 0x80200124, "hfence.gvma zero,a1" },
	{ 0x10529073, 0x80200128, "csrrw zero,stvec,t0" },
	{ 0x10002573, 0x8020012c, "csrrs a0,sstatus,zero" },
	{ 0x1042b073, 0x80200130, "csrrc zero,sie,t0" },
	{ 0x140fd073, 0x80200134, "csrrwi zero,sscratch,31" },
	{ 0x10016073, 0x80200138, "csrrsi zero,sstatus,2" },
	{ 0x14417573, 0x8020013c, "csrrci a0,sip,2" },
	{ 0xc0102573, 0x80200140, "csrrs a0,time,zero" },
	{ 0x7c002573, 0x80200144, "csrrs a0,0x7c0,zero" },
	{ 0x68051073, 0x80200148, "csrrw zero,hgatp,a0" },
	{ 0x18002573, 0x8020014c, "csrrs a0,satp,zero" },
	{ 0x1005a52f, 0x80200150, "lr.w a0,(a1)" },
	{ 0x1405b52f, 0x80200154, "lr.d.aq a0,(a1)" },
	{ 0x18d7262f, 0x80200158, "sc.w a2,a3,(a4)" },
	{ 0x1ad7362f, 0x8020015c, "sc.d.rl a2,a3,(a4)" },
	{ 0x0eb6252f, 0x80200160, "amoswap.w.aqrl a0,a1,(a2)" },
	{ 0x005332af, 0x80200164, "amoadd.d t0,t0,(t1)" },
	{ 0x20b6252f, 0x80200168, "amoxor.w a0,a1,(a2)" },
	{ 0x60b6352f, 0x8020016c, "amoand.d a0,a1,(a2)" },
	{ 0x40b6252f, 0x80200170, "amoor.w a0,a1,(a2)" },
	{ 0x80b6352f, 0x80200174, "amomin.d a0,a1,(a2)" },
	{ 0xa0b6252f, 0x80200178, "amomax.w a0,a1,(a2)" },
	{ 0xc0b6352f, 0x8020017c, "amominu.d a0,a1,(a2)" },
	{ 0xe0b6252f, 0x80200180, "amomaxu.w a0,a1,(a2)" },
	{ 0x00452007, 0x80200184, "flw ft0,4(a0)" },
	{ 0xff813507, 0x80200188, "fld fa0,-8(sp)" },
	{ 0x0085a027, 0x8020018c, "fsw fs0,0(a1)" },
	{ 0x7ff43c27, 0x80200190, "fsd ft11,2040(s0)" },
	{ 0x0800, 0x80200194, "c.addi4spn s0,sp,16" },
	{ 0x1ffc, 0x80200196, "c.addi4spn a5,sp,1020" },
	{ 0x2588, 0x80200198, "c.fld fa0,8(a1)" },
	{ 0x41c8, 0x8020019a, "c.lw a0,4(a1)" },
	{ 0x6690, 0x8020019c, "c.ld a2,8(a3)" },
	{ 0xbfe4, 0x8020019e, "c.fsd fs1,248(a5)" },
	{ 0xcb98, 0x802001a0, "c.sw a4,16(a5)" },
	{ 0xec80, 0x802001a2, "c.sd s0,24(s1)" },
	{ 0x0001, 0x802001a4, "c.nop" }, /* objdump: c.addi zero,0; the manual names it C.NOP */
	{ 0x12fd, 0x802001a6, "c.addi t0,-1" },
	{ 0x3305, 0x802001a8, "c.addiw t1,-31" },
	{ 0x4301, 0x802001aa, "c.li t1,0" },
	{ 0x457d, 0x802001ac, "c.li a0,31" },
	{ 0x7179, 0x802001ae, "c.addi16sp sp,-48" },
	{ 0x617d, 0x802001b0, "c.addi16sp sp,496" },
	{ 0x6585, 0x802001b2, "c.lui a1,0x1" },
	{ 0x7581, 0x802001b4, "c.lui a1,0xfffe0" },
	{ 0x917d, 0x802001b6, "c.srli a0,0x3f" },
	{ 0x8485, 0x802001b8, "c.srai s1,0x1" },
	{ 0x893d, 0x802001ba, "c.andi a0,15" },
	{ 0x9901, 0x802001bc, "c.andi a0,-32" },
	{ 0x8d0d, 0x802001be, "c.sub a0,a1" },
	{ 0x8c25, 0x802001c0, "c.xor s0,s1" },
	{ 0x8e55, 0x802001c2, "c.or a2,a3" },
	{ 0x8f7d, 0x802001c4, "c.and a4,a5" },
	{ 0x9d0d, 0x802001c6, "c.subw a0,a1" },
	{ 0x9d2d, 0x802001c8, "c.addw a0,a1" },
	{ 0xb001, 0x802001ca, "c.j 0x801ff9ca" },
	{ 0xaffd, 0x802001cc, "c.j 0x802009ca" },
	{ 0xc509, 0x802001ce, "c.beqz a0,0x802001d8" },
	{ 0xf081, 0x802001d0, "c.bnez s1,0x802000d0" },
	{ 0x157e, 0x802001d2, "c.slli a0,0x3f" },
	{ 0x347e, 0x802001d4, "c.fldsp fs0,504(sp)" },
	{ 0x4532, 0x802001d6, "c.lwsp a0,12(sp)" },
	{ 0x6082, 0x802001d8, "c.ldsp ra,0(sp)" },
	{ 0x8082, 0x802001da, "c.jr ra" },
	{ 0x8596, 0x802001dc, "c.mv a1,t0" },
	{ 0x9002, 0x802001de, "c.ebreak" },
	{ 0x9282, 0x802001e0, "c.jalr t0" },
	{ 0x9316, 0x802001e2, "c.add t1,t0" },
	{ 0xa42e, 0x802001e4, "c.fsdsp fa1,8(sp)" },
	{ 0xdfaa, 0x802001e6, "c.swsp a0,252(sp)" },
	{ 0xff86, 0x802001e8, "c.sdsp ra,504(sp)" },
};

static void test_table(void **state)
{
	char buf[RV_DISASM_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned len = rv_disasm(rows[i].insn, rows[i].pc, buf, sizeof(buf));
		if (strcmp(buf, rows[i].text) != 0)
			print_error("0x%08x at 0x%llx: got \"%s\", want \"%s\"\n", rows[i].insn,
				    (unsigned long long)rows[i].pc, buf, rows[i].text);
		assert_string_equal(buf, rows[i].text);
		assert_int_equal(len, (rows[i].insn & 3) == 3 ? 4 : 2);
	}
}

/* Encodings outside the extensions, and reserved ones, are "unknown" with their bits. */
static void test_unknown(void **state)
{
	static const struct {
		uint32_t insn;
		const char *text;
	} bad[] = {
		{ 0x00000000, "unknown 0x0000" },         /* the all-zero parcel: illegal */
		{ 0x0000ffff, "unknown 0x0000ffff" },     /* a 48-bit or longer encoding */
		{ 0x0000707f, "unknown 0x0000707f" },     /* a 32-bit opcode nobody uses */
		{ 0x00007003, "unknown 0x00007003" },     /* LOAD funct3 7 */
		{ 0x00004023, "unknown 0x00004023" },     /* STORE funct3 4 */
		{ 0x00002063, "unknown 0x00002063" },     /* BRANCH funct3 2 */
		{ 0x40001033, "unknown 0x40001033" },     /* OP funct7 0x20 funct3 1 */
		{ 0x00000057, "unknown 0x00000057" },     /* V: not in the list */
		{ 0x8000, "unknown 0x8000" },             /* quadrant 0 funct3 4: reserved */
		{ 0x6101, "unknown 0x6101" },             /* C.ADDI16SP with 0 */
		{ 0x9c41, "unknown 0x9c41" },             /* quadrant 1 reserved ALU form */
		{ 0x8002, "unknown 0x8002" },             /* C.JR x0 */
		{ 0x4002, "unknown 0x4002" },             /* C.LWSP x0 */
	};
	char buf[RV_DISASM_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rv_disasm(bad[i].insn, 0, buf, sizeof(buf)), 0);
		assert_string_equal(buf, bad[i].text);
	}
}

/* A short buffer is cut, NUL-terminated; a zero size writes nothing. */
static void test_short_buffer(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(rv_disasm(0x00a2b023, 0, buf, 6), 4); /* sd a0,0(t0) */
	assert_string_equal(buf, "sd a0");
	assert_int_equal(buf[6], 'x');
	assert_int_equal(rv_disasm(0x00a2b023, 0, buf, 0), 4);
	assert_int_equal(buf[0], 's');
}

/*
 * No word crashes it or writes past the buffer: random words (a fixed
 * seed, so a failure repeats), every 16-bit parcel, each into a buffer
 * with a guard after its end; the text is always terminated.
 */
static void test_any_word(void **state)
{
	char buf[RV_DISASM_MAX + 1];
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (unsigned i = 0; i < 2000000 + 65536; i++) {
		uint32_t w;
		if (i < 65536) {
			w = i;
		} else {
			x ^= x << 13; /* xorshift64 */
			x ^= x >> 7;
			x ^= x << 17;
			w = (uint32_t)x;
		}
		buf[RV_DISASM_MAX] = 'G';
		unsigned len = rv_disasm(w, x, buf, RV_DISASM_MAX);
		assert_int_equal(buf[RV_DISASM_MAX], 'G');
		assert_true(strlen(buf) < RV_DISASM_MAX);
		assert_true(buf[0] != '\0');
		assert_true(len == 0 || len == ((w & 3) == 3 ? 4u : 2u));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_any_word),
	};
	return cmocka_run_group_tests_name("riscv64 disassembler", tests, NULL, NULL);
}
