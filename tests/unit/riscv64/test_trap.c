/* SPDX-License-Identifier: MIT */
/*
 * RISC-V traps from VS-mode, decoded from the values the H extension
 * leaves in scause, stval, htval and htinst (Privileged Architecture
 * v1.12, table 4.2 and 8.6.3). Transformed instructions are written out
 * by hand from 8.6.4: the load/store with rs1 and the offset cleared, bit
 * 1 clear for a compressed original.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/trap.h>

static void decode(uint64_t scause, uint64_t stval, uint64_t htval, uint64_t htinst,
		   struct vcpu_exit *e)
{
	struct rv_trap t = { .scause = scause, .stval = stval, .htval = htval, .htinst = htinst,
			     .sepc = 0x80200010 };
	rv_decode_trap(&t, e);
	assert_int_equal(e->pc, 0x80200010);
	assert_int_equal(e->syndrome, scause);
}

static void test_mmio_loads_and_stores(void **state)
{
	(void)state;
	struct vcpu_exit e;
	uint64_t x[32] = { 0 };

	/* lbu a0,5(a1) at the UART's LSR (0x1000_0005): load guest-page fault (21),
	 * htval = GPA >> 2, htinst = lbu a0,0(x0) = 0x00004503 (32-bit: bits 1:0 = 11). */
	decode(21, 0x10000005, 0x10000005 >> 2, 0x00004503, &e);
	assert_int_equal(e.reason, EXIT_MMIO);
	assert_int_equal(e.mmio.gpa, 0x10000005);
	assert_int_equal(e.mmio.size, 1);
	assert_false(e.mmio.write);
	assert_false(e.mmio.sign_extend);
	assert_int_equal(e.mmio.reg, 10);
	assert_int_equal(e.insn_len, 4);

	/* c.sw a4,0(a5) to 0x1000_0000: store guest-page fault (23), htinst = sw a4 with
	 * bit 1 clear: (14 << 20 | 2 << 12 | 0x23) & ~2 = 0x00e02021. */
	decode(23, 0x10000000, 0x10000000 >> 2, 0x00e02021, &e);
	assert_int_equal(e.reason, EXIT_MMIO);
	assert_true(e.mmio.write);
	assert_int_equal(e.mmio.size, 4);
	assert_int_equal(e.mmio.reg, 14);
	assert_int_equal(e.insn_len, 2);
	x[14] = 0xffffffff12345678ULL;
	rv_exit_fill_operands(&e, x);
	assert_int_equal(e.mmio.data, 0x12345678);

	/* lh a2,-4(s0): signed halfword, htinst 0x00001603. */
	decode(21, 0x10000002, 0x10000002 >> 2, 0x00001603, &e);
	assert_true(e.mmio.sign_extend);
	assert_int_equal(e.mmio.size, 2);
	assert_int_equal(e.mmio.reg, 12);

	/* sd ra: htinst 0x00103023, 8 bytes. */
	decode(23, 0x10000000, 0x10000000 >> 2, 0x00103023, &e);
	assert_int_equal(e.mmio.size, 8);
	assert_int_equal(e.mmio.reg, 1);
}

static void test_guest_page_faults_without_instruction(void **state)
{
	(void)state;
	struct vcpu_exit e;

	/* htinst = 0 (the hart gives no transformed instruction): not emulable here. */
	decode(23, 0x70000000, 0x70000000 >> 2, 0, &e);
	assert_int_equal(e.reason, EXIT_STAGE2_FAULT);
	assert_int_equal(e.s2fault.gpa, 0x70000000);
	assert_int_equal(e.s2fault.access, ACCESS_WRITE);
	/* The low two GPA bits come from stval. */
	decode(21, 0xffffffc000000003ULL, 0x12345678 >> 2, 0, &e);
	assert_int_equal(e.s2fault.gpa, 0x12345678 | 3);
	assert_int_equal(e.s2fault.gva, 0xffffffc000000003ULL);
	assert_int_equal(e.s2fault.access, ACCESS_READ);
	/* Instruction guest-page fault (20). */
	decode(20, 0x90000000, 0x90000000 >> 2, 0, &e);
	assert_int_equal(e.reason, EXIT_STAGE2_FAULT);
	assert_int_equal(e.s2fault.access, ACCESS_FETCH);
	/* A store's htinst on a load fault is inconsistent: not trusted. */
	decode(21, 0x10000000, 0x10000000 >> 2, 0x00103023, &e);
	assert_int_equal(e.reason, EXIT_STAGE2_FAULT);
}

static void test_ecall(void **state)
{
	(void)state;
	struct vcpu_exit e;
	uint64_t x[32] = { 0 };

	for (int i = 0; i < 8; i++)
		x[10 + i] = 0x100 + (uint64_t)i;
	decode(RV_CAUSE_VS_ECALL, 0, 0, 0, &e);
	assert_int_equal(e.reason, EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.conduit, CONDUIT_ECALL);
	assert_int_equal(e.insn_len, 4);
	rv_exit_fill_operands(&e, x);
	assert_int_equal(e.hypercall.args[0], 0x100); /* a0 */
	assert_int_equal(e.hypercall.args[6], 0x106); /* a6: FID */
	assert_int_equal(e.hypercall.args[7], 0x107); /* a7: EID */
}

static void test_virtual_instructions(void **state)
{
	(void)state;
	struct vcpu_exit e;
	uint64_t x[32] = { 0 };

	/* wfi with hstatus.VTW set: virtual instruction (22), stval = the instruction. */
	decode(22, 0x10500073, 0, 0, &e);
	assert_int_equal(e.reason, EXIT_HALT);
	assert_int_equal(e.insn_len, 4);
	/* csrrs a0, sstatus, zero (a read): 0x10002573. */
	decode(22, 0x10002573, 0, 0, &e);
	assert_int_equal(e.reason, EXIT_SYSREG);
	assert_int_equal(e.sysreg.id, 0x100);
	assert_false(e.sysreg.write);
	assert_int_equal(e.sysreg.reg, 10);
	/* csrrw zero, stvec, t0: 0x10529073; the operand is x5. */
	decode(22, 0x10529073, 0, 0, &e);
	assert_true(e.sysreg.write);
	assert_int_equal(e.sysreg.op, SYSREG_OP_WRITE);
	assert_int_equal(e.sysreg.id, 0x105);
	x[5] = 0x80200100;
	rv_exit_fill_operands(&e, x);
	assert_int_equal(e.sysreg.value, 0x80200100);
	/* csrrsi zero, sie, 2: 0x10416073; the operand is the immediate 2. */
	decode(22, 0x10416073, 0, 0, &e);
	assert_true(e.sysreg.write);
	assert_int_equal(e.sysreg.op, SYSREG_OP_SET);
	rv_exit_fill_operands(&e, x);
	assert_int_equal(e.sysreg.value, 2);
	/* Another instruction: fatal, naming it. */
	decode(22, 0x12345678, 0, 0, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "0x12345678"));
}

static void test_unexpected_causes(void **state)
{
	(void)state;
	struct vcpu_exit e;

	decode(RV_CAUSE_ILLEGAL_INSN, 0xdeadbeef, 0, 0, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "scause 0x2 (illegal instruction)"));
	decode(RV_CAUSE_INTERRUPT | 5, 0, 0, 0, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "supervisor timer interrupt"));
	assert_string_equal(rv_cause_name(23), "store/AMO guest-page fault");
	assert_string_equal(rv_cause_name(14), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmio_loads_and_stores),
		cmocka_unit_test(test_guest_page_faults_without_instruction),
		cmocka_unit_test(test_ecall),
		cmocka_unit_test(test_virtual_instructions),
		cmocka_unit_test(test_unexpected_causes),
	};
	return cmocka_run_group_tests_name("riscv64 traps", tests, NULL, NULL);
}
