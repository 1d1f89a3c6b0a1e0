/* SPDX-License-Identifier: MIT */
/*
 * ESR_EL2 decoding against tables of syndromes worked out by hand from the
 * ARM ARM (DDI 0487, D17.2.37 "ESR_EL2"). Each row says how its value is
 * built, field by field, so it can be checked against the manual without
 * the code under test. The same decoder serves the bare HAL (values the
 * hardware wrote) and the simulator (values it built), so these rows are
 * the contract between them.
 *
 * ESR_EL2 layout: EC [31:26], IL [25], ISS [24:0]. Common prefixes:
 *   EC 0x24 (data abort from EL1)  0x90000000, with IL 0x92000000, with ISV 0x93000000
 *   EC 0x20 (instruction abort)    0x80000000, with IL 0x82000000
 *   EC 0x16 (HVC64) 0x5a000000, EC 0x17 (SMC64) 0x5e000000, EC 0x18 (SYS64)
 *   0x62000000, EC 0x01 (WFx) 0x06000000 (all with IL)
 * Data abort ISS: ISV [24], SAS [23:22] (0x400000 per step), SSE [21]
 * 0x200000, SRT [20:16], SF [15] 0x8000, AR [14] 0x4000, FnV [10] 0x400,
 * S1PTW [7] 0x80, WnR [6] 0x40, DFSC [5:0]: 0x00+l address size, 0x04+l
 * translation, 0x08+l access flag, 0x0c+l permission (l = level), 0x10
 * synchronous external abort, 0x14+l external abort on a table walk, 0x21
 * alignment, 0x29/0x2b address size/translation at level -1, 0x30 TLB conflict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/trap.h>

/* A data abort at GPA 0x0900_0018 (the PL011's FR) with the MMU off: FAR = GPA. */
#define GPA 0x09000018ULL
#define HPFAR 0x90000ULL /* GPA[47:12] = 0x9000 in HPFAR_EL2[43:4] */
#define PC 0x40080100ULL

static void decode(uint64_t esr, struct vcpu_exit *e)
{
	struct a64_trap t = { .esr = esr, .far = GPA, .hpfar = HPFAR, .pc = PC };

	memset(e, 0xa5, sizeof(*e)); /* the decoder must not rely on a clean record */
	a64_decode_trap(&t, e);
	assert_int_equal(e->syndrome, esr);
	assert_int_equal(e->insn_len, 4);
}

/* ---- Data aborts that are device accesses --------------------------------- */

struct mmio_row {
	const char *insn;
	uint64_t esr;
	unsigned size, reg;
	bool write, sign_extend, reg_is_64;
};

/* Stage-2 translation faults with a valid syndrome: EXIT_MMIO. */
static const struct mmio_row mmio_rows[] = {
	/* ISV, SAS=2 0x800000, SRT=3 0x30000, WnR 0x40, DFSC 0x05 (translation, level 1) */
	{ "str w3, [x1]", 0x93830045, 4, 3, true, false, false },
	/* SAS=3 0xc00000, SRT=0, SF 0x8000, DFSC 0x07 (level 3) */
	{ "ldr x0, [x1]", 0x93c08007, 8, 0, false, false, true },
	/* SAS=0, SRT=4 0x40000, level 2 0x06 */
	{ "ldrb w4, [x2]", 0x93040006, 1, 4, false, false, false },
	/* SAS=1 0x400000, SRT=5 0x50000, level 3 */
	{ "ldrh w5, [x2]", 0x93450007, 2, 5, false, false, false },
	/* SAS=1, SRT=6 0x60000, WnR */
	{ "strh w6, [x7]", 0x93460047, 2, 6, true, false, false },
	/* SAS=3, SRT=8 0x80000, SF, WnR: a 64-bit store */
	{ "str x8, [x9]", 0x93c88047, 8, 8, true, false, true },
	/* SAS=0, SSE 0x200000, SRT=2 0x20000, level 2: sign-extends into W2 */
	{ "ldrsb w2, [x1]", 0x93220006, 1, 2, false, true, false },
	/* The same with SF 0x8000: into X2 */
	{ "ldrsb x2, [x1]", 0x93228006, 1, 2, false, true, true },
	/* SAS=1, SSE, SRT=5, SF */
	{ "ldrsh x5, [x1]", 0x93658007, 2, 5, false, true, true },
	/* SAS=2, SSE, SRT=6, SF */
	{ "ldrsw x6, [x7]", 0x93a68007, 4, 6, false, true, true },
	/* SRT=31 0x1f0000: the zero register, level 1 */
	{ "strb wzr, [x1]", 0x931f0045, 1, 31, true, false, false },
	/* SAS=3, SRT=31, SF, WnR */
	{ "str xzr, [sp]", 0x93df8047, 8, 31, true, false, true },
	/* SAS=2, SRT=1 0x10000, AR 0x4000, WnR: store-release keeps its syndrome */
	{ "stlr w1, [x0]", 0x93814047, 4, 1, true, false, false },
	/* SAS=3, SRT=1, SF, AR */
	{ "ldar x1, [x2]", 0x93c1c007, 8, 1, false, false, true },
	/* SAS=2, SRT=0, translation fault at level 0 (DFSC 0x04) */
	{ "ldr w0, [x1] (level 0)", 0x93800004, 4, 0, false, false, false },
	/* SAS=2, translation fault at level -1 (DFSC 0x2b, FEAT_LPA2) */
	{ "ldr w0, [x1] (level -1)", 0x9380002b, 4, 0, false, false, false },
};

static void test_mmio_syndromes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mmio_rows) / sizeof(mmio_rows[0]); i++) {
		const struct mmio_row *r = &mmio_rows[i];
		struct vcpu_exit e;

		print_message("  %-28s ESR 0x%llx\n", r->insn, (unsigned long long)r->esr);
		decode(r->esr, &e);
		assert_int_equal(e.reason, EXIT_MMIO);
		assert_int_equal(e.pc, PC);
		assert_int_equal(e.mmio.gpa, GPA);
		assert_int_equal(e.mmio.size, r->size);
		assert_int_equal(e.mmio.reg, r->reg);
		assert_int_equal(e.mmio.write, r->write);
		assert_int_equal(e.mmio.sign_extend, r->sign_extend);
		assert_int_equal(e.mmio.reg_is_64, r->reg_is_64);
	}
}

/* The GPA comes from HPFAR (page) and FAR (offset), even when FAR is a virtual address. */
static void test_mmio_address_from_hpfar_and_far(void **state)
{
	(void)state;
	struct a64_trap t = {
		.esr = 0x93830045, /* str w3, [x1] */
		.far = 0xffff800012345abcULL, /* the guest's virtual address (MMU on) */
		.hpfar = 0x90000ULL,
		.pc = PC,
	};
	struct vcpu_exit e;

	a64_decode_trap(&t, &e);
	assert_int_equal(e.reason, EXIT_MMIO);
	assert_int_equal(e.mmio.gpa, 0x9000abcULL);
}

static void test_mmio_write_data(void **state)
{
	(void)state;
	uint64_t x[31];
	struct vcpu_exit e;

	for (int i = 0; i < 31; i++)
		x[i] = 0x1122334455667788ULL + (uint64_t)i;
	x[3] = 0x1122334455667788ULL;
	decode(0x93830045, &e); /* str w3: the low 32 bits */
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0x55667788);

	x[6] = 0xfedcba9876543210ULL;
	decode(0x93460047, &e); /* strh w6: the low 16 bits */
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0x3210);

	x[8] = 0xdeadbeefcafef00dULL;
	decode(0x93c88047, &e); /* str x8: all 64 bits */
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0xdeadbeefcafef00dULL);

	decode(0x931f0045, &e); /* strb wzr: always 0, whatever x[] holds */
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0);
	decode(0x93df8047, &e); /* str xzr */
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0);

	/* A read leaves data to the handler. */
	decode(0x93c08007, &e); /* ldr x0 */
	e.mmio.data = 0;
	a64_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0);
}

/* ---- Aborts the hypervisor cannot emulate ---------------------------------- */

struct fault_row {
	const char *what;
	uint64_t esr;
	enum access_kind access;
	enum walk_fault kind;
	int level;
	unsigned size;
	bool gva_valid;
};

static const struct fault_row fault_rows[] = {
	/* ISV=0 (a pair, writeback or exclusive): 0x92000000, WnR, translation level 2 */
	{ "stp x1, x2, [x0]", 0x92000046, ACCESS_WRITE, FAULT_TRANSLATION, 2, 0, true },
	/* ISV=0, a read, level 3 */
	{ "ldr x1, [x2], #8", 0x92000007, ACCESS_READ, FAULT_TRANSLATION, 3, 0, true },
	/* Permission fault level 3 (0x0f) with syndrome: a store to read-only RAM */
	{ "str w3 to read-only RAM", 0x9383004f, ACCESS_WRITE, FAULT_PERMISSION, 3, 4, true },
	/* Permission fault level 1 (0x0d), a write without syndrome */
	{ "permission, level 1", 0x9200004d, ACCESS_WRITE, FAULT_PERMISSION, 1, 0, true },
	/* Permission fault level 2 (0x0e), a read */
	{ "permission, level 2", 0x9200000e, ACCESS_READ, FAULT_PERMISSION, 2, 0, true },
	/* Permission fault level 0 (0x0c, FEAT_LPA2) */
	{ "permission, level 0", 0x9200000c, ACCESS_READ, FAULT_PERMISSION, 0, 0, true },
	/* Access flag fault level 3 (0x0b), without syndrome */
	{ "access flag, level 3", 0x9200000b, ACCESS_READ, FAULT_ACCESS_FLAG, 3, 0, true },
	/* Access flag fault level 1 (0x09) with syndrome (SAS=2): not a device */
	{ "access flag, level 1", 0x93800009, ACCESS_READ, FAULT_ACCESS_FLAG, 1, 4, true },
	/* Address size fault level 0 (DFSC 0x00): GPA beyond the stage-2 input range */
	{ "address size, level 0", 0x92000000, ACCESS_READ, FAULT_ADDR_SIZE, 0, 0, true },
	/* Address size fault level -1 (0x29) */
	{ "address size, level -1", 0x92000029, ACCESS_READ, FAULT_ADDR_SIZE, -1, 0, true },
	/* Translation fault level -1 (0x2b), without syndrome */
	{ "translation, level -1", 0x9200002b, ACCESS_READ, FAULT_TRANSLATION, -1, 0, true },
	/* S1PTW 0x80, level 3: the guest's own table walk hit a hole in stage 2 */
	{ "stage-1 walk", 0x92000087, ACCESS_READ, FAULT_TRANSLATION, 3, 8, true },
	/* S1PTW even with ISV (SAS=2, SRT=3): still not a device access */
	{ "stage-1 walk, ISV", 0x93830087, ACCESS_READ, FAULT_TRANSLATION, 3, 8, true },
	/* S1PTW with WnR 0x40: the walk updating a descriptor (AF/dirty), level 2 */
	{ "stage-1 walk, update", 0x920000c6, ACCESS_WRITE, FAULT_TRANSLATION, 2, 8, true },
	/* DFSC 0x10, synchronous external abort, with FnV 0x400: FAR not valid */
	{ "external abort, FnV", 0x92000410, ACCESS_READ, FAULT_OTHER, -1, 0, false },
	/* DFSC 0x10 with ISV and WnR: an external abort is never emulated */
	{ "external abort, store", 0x93830050, ACCESS_WRITE, FAULT_OTHER, -1, 4, true },
	/* DFSC 0x16: external abort on a table walk, level 2 */
	{ "external abort on walk", 0x92000016, ACCESS_READ, FAULT_OTHER, 2, 0, true },
	/* DFSC 0x21: alignment fault */
	{ "alignment", 0x92000021, ACCESS_READ, FAULT_OTHER, -1, 0, true },
	/* DFSC 0x30: TLB conflict abort */
	{ "TLB conflict", 0x92000030, ACCESS_READ, FAULT_OTHER, -1, 0, true },
	/* Instruction abort (EC 0x20 with IL): IFSC 0x07, translation level 3 */
	{ "fetch", 0x82000007, ACCESS_FETCH, FAULT_TRANSLATION, 3, 4, true },
	/* Instruction abort, permission fault level 2 (0x0e): stage 2 says XN */
	{ "fetch from XN", 0x8200000e, ACCESS_FETCH, FAULT_PERMISSION, 2, 4, true },
	/* Instruction abort with S1PTW, level 1: the walk's read of an 8-byte descriptor */
	{ "fetch, stage-1 walk", 0x82000085, ACCESS_READ, FAULT_TRANSLATION, 1, 8, true },
	/* Instruction abort, external abort with FnV */
	{ "fetch, external abort", 0x82000410, ACCESS_FETCH, FAULT_OTHER, -1, 4, false },
};

static void test_stage2_fault_syndromes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fault_rows) / sizeof(fault_rows[0]); i++) {
		const struct fault_row *r = &fault_rows[i];
		struct vcpu_exit e;

		print_message("  %-28s ESR 0x%llx\n", r->what, (unsigned long long)r->esr);
		decode(r->esr, &e);
		assert_int_equal(e.reason, EXIT_STAGE2_FAULT);
		assert_int_equal(e.pc, PC);
		/* S1PTW: HPFAR names the descriptor's page; FAR's offset is the VA's, not its. */
		bool walk = (r->esr >> 7) & 1;
		assert_int_equal(e.s2fault.s1ptw, walk);
		assert_int_equal(e.s2fault.gpa, walk ? GPA & ~0xfffULL : GPA);
		assert_int_equal(e.s2fault.gva, GPA);
		assert_int_equal(e.s2fault.access, r->access);
		assert_int_equal(e.s2fault.kind, r->kind);
		assert_int_equal(e.s2fault.level, r->level);
		assert_int_equal(e.s2fault.size, r->size);
		assert_int_equal(e.s2fault.gva_valid, r->gva_valid);
	}
}

/* ---- Hypercalls, system registers, WFx ---------------------------------------- */

static void test_hypercalls(void **state)
{
	(void)state;
	struct vcpu_exit e;
	uint64_t x[31];

	for (int i = 0; i < 31; i++)
		x[i] = 0x100 + (uint64_t)i;
	/* HVC #0: EC 0x16 -> 0x58000000, IL -> 0x5a000000, ISS = imm16 = 0 */
	decode(0x5a000000, &e);
	assert_int_equal(e.reason, EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.conduit, CONDUIT_HVC);
	assert_int_equal(e.hypercall.imm, 0);
	/* ELR_EL2 is past the HVC (ARM ARM D1.10.1): the HVC itself is 4 bytes back */
	assert_int_equal(e.pc, PC - 4);
	a64_exit_fill_operands(&e, x);
	for (int i = 0; i < 6; i++)
		assert_int_equal(e.hypercall.args[i], 0x100 + i);
	assert_int_equal(e.hypercall.args[6], 0);
	assert_int_equal(e.hypercall.args[7], 0);
	assert_int_equal(e.hypercall.ret[0], 0);

	/* HVC #0x1234, HVC #0xffff: the immediate is ISS[15:0] */
	decode(0x5a001234, &e);
	assert_int_equal(e.hypercall.imm, 0x1234);
	decode(0x5a00ffff, &e);
	assert_int_equal(e.hypercall.imm, 0xffff);

	/* SMC #0: EC 0x17 -> 0x5c000000 | IL; ELR_EL2 is the trapped SMC itself */
	decode(0x5e000000, &e);
	assert_int_equal(e.reason, EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.conduit, CONDUIT_SMC);
	assert_int_equal(e.hypercall.imm, 0);
	assert_int_equal(e.pc, PC);
	/* SMC #1 */
	decode(0x5e000001, &e);
	assert_int_equal(e.hypercall.imm, 1);
}

struct sysreg_row {
	const char *insn;
	uint64_t esr;
	uint32_t id;
	bool write;
	unsigned rt;
};

/*
 * Trapped MSR/MRS (EC 0x18 with IL: 0x62000000). ISS: Op0 [21:20], Op2
 * [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Direction [0]
 * (1 = read). The ids are the assembler's MRS/MSR encoding bits [20:5].
 */
static const struct sysreg_row sysreg_rows[] = {
	/* Op0=2 0x200000, Op2=4 0x80000, CRn=1 0x400, Rt=1 0x20, CRm=0, write */
	{ "msr oslar_el1, x1", 0x62280420, 0x8084, true, 1 },
	/* Op0=2, Op2=4, CRn=1, Rt=1 0x20, CRm=1 0x2, read 0x1 */
	{ "mrs x1, oslsr_el1", 0x62280423, 0x808c, false, 1 },
	/* Rt=2 0x40 */
	{ "mrs x2, oslsr_el1", 0x62280443, 0x808c, false, 2 },
	/* CRm=3 0x6, Rt=3 0x60, write */
	{ "msr osdlr_el1, x3", 0x62280466, 0x809c, true, 3 },
	/* Rt=31 0x3e0: XZR */
	{ "msr oslar_el1, xzr", 0x622807e0, 0x8084, true, 31 },
	/* Op0=3 0x300000, Op2=1 0x20000, Op1=3 0xc000, CRn=14 0x3800, Rt=3 0x60, read */
	{ "mrs x3, cntpct_el0", 0x6232f861, 0xdf01, false, 3 },
	/* Op0=3, Op2=2 0x40000, Op1=3, CRn=14, Rt=30 0x3c0, CRm=2 0x4, write */
	{ "msr cntp_cval_el0, x30", 0x6234fbc4, 0xdf12, true, 30 },
	/* Op0=3, everything else 0, read */
	{ "mrs x0, midr_el1", 0x62300001, 0xc000, false, 0 },
	/* Op0=3, Op2=1, CRn=15 0x3c00, Rt=5 0xa0, CRm=2 0x4, read */
	{ "mrs x5, s3_0_c15_c2_1", 0x62323ca5, 0xc791, false, 5 },
	/* A System instruction: Op0=1 0x100000, Op2=1, Op1=3, CRn=7 0x1c00, CRm=14 0x1c */
	{ "dc civac, x0", 0x6212dc1c, 0x5bf1, true, 0 },
};

static void test_system_registers(void **state)
{
	(void)state;
	uint64_t x[31];

	for (int i = 0; i < 31; i++)
		x[i] = 0x1000 + (uint64_t)i;
	for (size_t i = 0; i < sizeof(sysreg_rows) / sizeof(sysreg_rows[0]); i++) {
		const struct sysreg_row *r = &sysreg_rows[i];
		struct vcpu_exit e;

		print_message("  %-28s ESR 0x%llx\n", r->insn, (unsigned long long)r->esr);
		decode(r->esr, &e);
		assert_int_equal(e.reason, EXIT_SYSREG);
		assert_int_equal(e.pc, PC);
		assert_int_equal(e.sysreg.id, r->id);
		assert_int_equal(e.sysreg.write, r->write);
		assert_int_equal(e.sysreg.reg, r->rt);
		assert_int_equal(e.sysreg.op, SYSREG_OP_WRITE);
		a64_exit_fill_operands(&e, x);
		if (r->write)
			assert_int_equal(e.sysreg.value, r->rt == 31 ? 0 : 0x1000 + r->rt);
		/* The encoder gives back the ISS the decoder started from. */
		assert_int_equal(a64_sysreg_iss(r->id, r->rt, !r->write), r->esr & 0x1ffffff);
	}
	assert_int_equal(SYSREG_OSLAR_EL1, 0x8084);
	assert_int_equal(SYSREG_OSLSR_EL1, 0x808c);
	assert_int_equal(SYSREG_OSDLR_EL1, 0x809c);
	assert_int_equal(SYSREG_CNTPCT_EL0, 0xdf01);
	assert_int_equal(SYSREG_CNTP_TVAL_EL0, 0xdf10);
	assert_int_equal(SYSREG_CNTP_CTL_EL0, 0xdf11);
	assert_int_equal(SYSREG_CNTP_CVAL_EL0, 0xdf12);
	/* The ISS example of the ARM ARM's field diagram: Rt beyond 31 is masked. */
	assert_int_equal(a64_sysreg_iss(SYSREG_OSLSR_EL1, 1, true), 0x280423);
	assert_int_equal(a64_sysreg_iss(SYSREG_OSLSR_EL1, 32 + 1, true), 0x280423);
}

static void test_wfx(void **state)
{
	(void)state;
	struct vcpu_exit e;
	/*
	 * EC 0x01 with IL: 0x06000000. From AArch64 the hardware sets CV
	 * (bit 24) and COND = 0b1110 (bits [23:20]): 0x07e00000. TI [1:0]:
	 * 00 WFI, 01 WFE, 10 WFIT, 11 WFET; RV [2] says Rt is valid (WFxT).
	 */
	static const uint64_t esrs[] = { 0x06000000, 0x06000001, 0x07e00000, 0x07e00001,
					 0x07e00006, 0x07e00007 };

	for (size_t i = 0; i < sizeof(esrs) / sizeof(esrs[0]); i++) {
		decode(esrs[i], &e);
		assert_int_equal(e.reason, EXIT_HALT);
		assert_int_equal(e.pc, PC);
	}
}

struct fatal_row {
	uint64_t esr;
	const char *msg;
};

/* Classes cvisor never routes to EL2 stop the VM with a message naming the EC. */
static const struct fatal_row fatal_rows[] = {
	/* EC 0x22 << 26 = 0x88000000, IL */
	{ 0x8a000000, "unexpected trap: EC 0x22 (PC_ALIGN), ESR 0x8a000000" },
	/* EC 0x00: unknown reason (IL set: a 32-bit instruction) */
	{ 0x02000000, "unexpected trap: EC 0x00 (UNKNOWN), ESR 0x2000000" },
	/* EC 0x15: SVC #5 */
	{ 0x56000005, "unexpected trap: EC 0x15 (SVC64), ESR 0x56000005" },
	/* EC 0x3c: BRK #0x3e8 */
	{ 0xf20003e8, "unexpected trap: EC 0x3c (BRK64), ESR 0xf20003e8" },
	/* EC 0x25: a data abort from EL2 itself */
	{ 0x96000010, "unexpected trap: EC 0x25 (DABT_CUR), ESR 0x96000010" },
	/* EC 0x21: an instruction abort from EL2 itself */
	{ 0x86000007, "unexpected trap: EC 0x21 (IABT_CUR), ESR 0x86000007" },
	/* EC 0x26: SP alignment */
	{ 0x9a000000, "unexpected trap: EC 0x26 (SP_ALIGN), ESR 0x9a000000" },
	/* EC 0x2f: SError */
	{ 0xbe000000, "unexpected trap: EC 0x2f (SERROR), ESR 0xbe000000" },
	/* EC 0x07: an FP/SIMD access trapped by CPTR_EL2 */
	{ 0x1fe00000, "unexpected trap: EC 0x07 (FP_ASIMD), ESR 0x1fe00000" },
	/* EC 0x3f: unallocated */
	{ 0xfe000000, "unexpected trap: EC 0x3f (?), ESR 0xfe000000" },
	/* ISS2 (bits [55:32]) is shown too */
	{ 0x345678ULL << 32 | 0x8a000000,
	  "unexpected trap: EC 0x22 (PC_ALIGN), ESR 0x3456788a000000" },
};

static void test_unexpected_classes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fatal_rows) / sizeof(fatal_rows[0]); i++) {
		struct vcpu_exit e;

		decode(fatal_rows[i].esr, &e);
		assert_int_equal(e.reason, EXIT_FATAL);
		assert_int_equal(e.pc, PC);
		assert_string_equal(e.fatal.msg, fatal_rows[i].msg);
	}
}

/* Operands of exits that have none are left alone. */
static void test_fill_operands_other_exits(void **state)
{
	(void)state;
	uint64_t x[31];
	struct vcpu_exit e, copy;

	for (int i = 0; i < 31; i++)
		x[i] = ~0ULL;
	decode(0x92000046, &e); /* a stage-2 fault */
	copy = e;
	a64_exit_fill_operands(&e, x);
	assert_memory_equal(&e, &copy, sizeof(e));
	decode(0x06000000, &e); /* WFI */
	copy = e;
	a64_exit_fill_operands(&e, x);
	assert_memory_equal(&e, &copy, sizeof(e));
}

/* ---- Fault addresses --------------------------------------------------------- */

static void test_fault_address(void **state)
{
	(void)state;
	/* HPFAR_EL2.FIPA holds IPA[51:12] in bits [43:4]; FAR gives the page offset. */
	assert_int_equal(a64_fault_gpa(0x90000, 0xffff000000000abcULL), 0x9000abc);
	assert_int_equal(a64_hpfar_from_gpa(0x9000abc), 0x90000);
	assert_int_equal(a64_hpfar_from_gpa(0x40000000), 0x400000);
	assert_int_equal(a64_fault_gpa(0x400000, 0x123), 0x40000123);
	/* A 52-bit IPA: FIPA is all ones in bits [43:4]. */
	assert_int_equal(a64_hpfar_from_gpa(0xfffffffffffffULL), 0xffffffffff0ULL);
	assert_int_equal(a64_fault_gpa(0xffffffffff0ULL, 0xfff), 0xfffffffffffffULL);
	/* Bits [3:0] and [62:44] are RES0, bit 63 is NS: all ignored. */
	assert_int_equal(a64_fault_gpa(0xf00000000009000fULL, 0), 0x9000000);
	/* Round trips. */
	static const gpa_t gpas[] = { 0, 0xfff, 0x1000, 0x09000018, 0xff12345678ULL,
				      0x8000000000ULL, 0xffffffffffff0ULL };
	for (size_t i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++)
		assert_int_equal(a64_fault_gpa(a64_hpfar_from_gpa(gpas[i]), gpas[i]), gpas[i]);
}

/* ---- Names ------------------------------------------------------------------ */

static void test_ec_names(void **state)
{
	(void)state;
	/* The allocated classes of the ARM ARM's EC table. */
	static const struct {
		unsigned ec;
		const char *name;
	} named[] = {
		{ 0x00, "UNKNOWN" },   { 0x01, "WFX" },         { 0x03, "CP15_32" },
		{ 0x04, "CP15_64" },   { 0x05, "CP14_MR" },     { 0x06, "CP14_LS" },
		{ 0x07, "FP_ASIMD" },  { 0x08, "CP10_ID" },     { 0x09, "PAC" },
		{ 0x0a, "OTHER" },     { 0x0c, "CP14_64" },     { 0x0d, "BTI" },
		{ 0x0e, "ILL" },       { 0x11, "SVC32" },       { 0x12, "HVC32" },
		{ 0x13, "SMC32" },     { 0x14, "SYS128" },      { 0x15, "SVC64" },
		{ 0x16, "HVC64" },     { 0x17, "SMC64" },       { 0x18, "SYS64" },
		{ 0x19, "SVE" },       { 0x1a, "ERET" },        { 0x1b, "TSTART" },
		{ 0x1c, "FPAC" },      { 0x1d, "SME" },         { 0x1e, "GPC" },
		{ 0x1f, "IMP_DEF" },   { 0x20, "IABT_LOW" },    { 0x21, "IABT_CUR" },
		{ 0x22, "PC_ALIGN" },  { 0x24, "DABT_LOW" },    { 0x25, "DABT_CUR" },
		{ 0x26, "SP_ALIGN" },  { 0x27, "MOPS" },        { 0x28, "FP_EXC32" },
		{ 0x2c, "FP_EXC64" },  { 0x2d, "GCS" },         { 0x2f, "SERROR" },
		{ 0x30, "BREAKPT_LOW" }, { 0x31, "BREAKPT_CUR" }, { 0x32, "SOFTSTP_LOW" },
		{ 0x33, "SOFTSTP_CUR" }, { 0x34, "WATCHPT_LOW" }, { 0x35, "WATCHPT_CUR" },
		{ 0x38, "BKPT32" },    { 0x3a, "VECTOR32" },    { 0x3c, "BRK64" },
		{ 0x3d, "PROFILING" },
	};
	/* The unallocated ones. */
	static const unsigned reserved[] = { 0x02, 0x0b, 0x0f, 0x10, 0x23, 0x29, 0x2a, 0x2b,
					     0x2e, 0x36, 0x37, 0x39, 0x3b, 0x3e, 0x3f };

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		assert_string_equal(a64_ec_name(named[i].ec), named[i].name);
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		assert_string_equal(a64_ec_name(reserved[i]), "?");
	assert_string_equal(a64_ec_name(64), "?");
	assert_string_equal(a64_ec_name(~0u), "?");
	/* Every value has a name or "?". */
	assert_int_equal(sizeof(named) / sizeof(named[0]) + sizeof(reserved) / sizeof(reserved[0]),
			 64);
}

/* System register ids as the assembler encodes "mrs x0, <name>" (bits [20:5]). */
static const struct {
	uint32_t id;
	const char *name;
} sysreg_names[] = {
	{ 0x8084, "OSLAR_EL1" }, { 0x808c, "OSLSR_EL1" }, { 0x809c, "OSDLR_EL1" },
	{ 0x8012, "MDSCR_EL1" }, { 0xc000, "MIDR_EL1" }, { 0xc005, "MPIDR_EL1" },
	{ 0xc006, "REVIDR_EL1" }, { 0xc020, "ID_AA64PFR0_EL1" }, { 0xc021, "ID_AA64PFR1_EL1" },
	{ 0xc028, "ID_AA64DFR0_EL1" }, { 0xc030, "ID_AA64ISAR0_EL1" },
	{ 0xc031, "ID_AA64ISAR1_EL1" }, { 0xc038, "ID_AA64MMFR0_EL1" },
	{ 0xc039, "ID_AA64MMFR1_EL1" }, { 0xc03a, "ID_AA64MMFR2_EL1" }, { 0xc080, "SCTLR_EL1" },
	{ 0xc081, "ACTLR_EL1" }, { 0xc082, "CPACR_EL1" }, { 0xc100, "TTBR0_EL1" },
	{ 0xc101, "TTBR1_EL1" }, { 0xc102, "TCR_EL1" }, { 0xc200, "SPSR_EL1" },
	{ 0xc201, "ELR_EL1" }, { 0xc208, "SP_EL0" }, { 0xc288, "AFSR0_EL1" },
	{ 0xc289, "AFSR1_EL1" }, { 0xc290, "ESR_EL1" }, { 0xc300, "FAR_EL1" },
	{ 0xc3a0, "PAR_EL1" }, { 0xc510, "MAIR_EL1" }, { 0xc518, "AMAIR_EL1" },
	{ 0xc600, "VBAR_EL1" }, { 0xc681, "CONTEXTIDR_EL1" }, { 0xc684, "TPIDR_EL1" },
	{ 0xc708, "CNTKCTL_EL1" }, { 0xc800, "CCSIDR_EL1" }, { 0xc801, "CLIDR_EL1" },
	{ 0xd000, "CSSELR_EL1" }, { 0xd801, "CTR_EL0" }, { 0xd807, "DCZID_EL0" },
	{ 0xde82, "TPIDR_EL0" }, { 0xde83, "TPIDRRO_EL0" }, { 0xdf00, "CNTFRQ_EL0" },
	{ 0xdf01, "CNTPCT_EL0" }, { 0xdf02, "CNTVCT_EL0" }, { 0xdf10, "CNTP_TVAL_EL0" },
	{ 0xdf11, "CNTP_CTL_EL0" }, { 0xdf12, "CNTP_CVAL_EL0" }, { 0xdf18, "CNTV_TVAL_EL0" },
	{ 0xdf19, "CNTV_CTL_EL0" }, { 0xdf1a, "CNTV_CVAL_EL0" }, { 0xc660, "ICC_IAR1_EL1" },
	{ 0xc661, "ICC_EOIR1_EL1" }, { 0xc665, "ICC_SRE_EL1" }, { 0xc667, "ICC_IGRPEN1_EL1" },
	{ 0xc230, "ICC_PMR_EL1" }, { 0xc65d, "ICC_SGI1R_EL1" },
};

static void test_sysreg_names(void **state)
{
	(void)state;
	char buf[32];

	for (size_t i = 0; i < sizeof(sysreg_names) / sizeof(sysreg_names[0]); i++) {
		memset(buf, 0, sizeof(buf));
		assert_string_equal(a64_sysreg_name(sysreg_names[i].id, buf, sizeof(buf)),
				    sysreg_names[i].name);
	}
	/* A64_SYSREG packs the fields as the MRS/MSR encoding does. */
	assert_int_equal(A64_SYSREG(3, 0, 1, 0, 0), 0xc080);     /* SCTLR_EL1 */
	assert_int_equal(A64_SYSREG(3, 3, 14, 0, 2), 0xdf02);    /* CNTVCT_EL0 */
	/* Encodings without a name get the generic S<op0>_<op1>_C<n>_C<m>_<op2>. */
	assert_string_equal(a64_sysreg_name(0xc791, buf, sizeof(buf)), "S3_0_C15_C2_1");
	assert_string_equal(a64_sysreg_name(0x5bf1, buf, sizeof(buf)), "S1_3_C7_C14_1");
	assert_string_equal(a64_sysreg_name(A64_SYSREG(3, 7, 15, 15, 7), buf, sizeof(buf)),
			    "S3_7_C15_C15_7");
	assert_string_equal(a64_sysreg_name(0, buf, sizeof(buf)), "S0_0_C0_C0_0");
	/* ... truncated, but terminated, in a short buffer. */
	char small[6];
	assert_ptr_equal(a64_sysreg_name(0xc791, small, sizeof(small)), small);
	assert_string_equal(small, "S3_0_");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmio_syndromes),
		cmocka_unit_test(test_mmio_address_from_hpfar_and_far),
		cmocka_unit_test(test_mmio_write_data),
		cmocka_unit_test(test_stage2_fault_syndromes),
		cmocka_unit_test(test_hypercalls),
		cmocka_unit_test(test_system_registers),
		cmocka_unit_test(test_wfx),
		cmocka_unit_test(test_unexpected_classes),
		cmocka_unit_test(test_fill_operands_other_exits),
		cmocka_unit_test(test_fault_address),
		cmocka_unit_test(test_ec_names),
		cmocka_unit_test(test_sysreg_names),
	};
	return cmocka_run_group_tests_name("aarch64 esr", tests, NULL, NULL);
}
