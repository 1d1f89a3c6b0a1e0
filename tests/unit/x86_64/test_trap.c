/* SPDX-License-Identifier: MIT */
/*
 * VMX exits decoded from the exit reason, exit qualification and the other
 * VMCS exit-information fields, with qualifications worked out by hand
 * from the Intel SDM Vol. 3C tables 28-3 (control registers), 28-5 (I/O
 * instructions) and 28-7 (EPT violations).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/vcpu_arch.h>
#include <arch/trap.h>

static void decode(uint32_t reason, uint64_t qual, struct vcpu_exit *e)
{
	struct vmx_exit_info info = { .reason = reason, .qualification = qual, .rip = 0x100010,
				      .insn_len = 2, .guest_phys = 0xfee00030,
				      .guest_linear = 0xffffffff80000030ULL };
	vmx_decode_exit(&info, e);
	assert_int_equal(e->pc, 0x100010);
	assert_int_equal(e->syndrome, reason);
	assert_int_equal(e->insn_len, 2);
}

static void test_io(void **state)
{
	(void)state;
	struct vcpu_exit e;
	uint64_t gpr[16] = { 0 };

	/* out %al, $0x80: size 0 (1 byte), OUT, immediate (bit 6), port 0x80. */
	decode(VMX_EXIT_IO, 0x00800040, &e);
	assert_int_equal(e.reason, EXIT_PIO);
	assert_int_equal(e.pio.port, 0x80);
	assert_int_equal(e.pio.size, 1);
	assert_true(e.pio.write);
	gpr[X86_RAX] = 0x12345678;
	vmx_exit_fill_operands(&e, gpr);
	assert_int_equal(e.pio.data, 0x78);
	/* in (%dx), %eax from 0x3f8: size 3 (4 bytes), IN (bit 3). */
	decode(VMX_EXIT_IO, 0x03f8000b, &e);
	assert_int_equal(e.pio.port, 0x3f8);
	assert_int_equal(e.pio.size, 4);
	assert_false(e.pio.write);
	/* outw %ax, (%dx) to 0x604 (QEMU's ACPI PM1a control): size 1 (2 bytes). */
	decode(VMX_EXIT_IO, 0x06040001, &e);
	assert_int_equal(e.pio.size, 2);
	gpr[X86_RAX] = 0x2000;
	vmx_exit_fill_operands(&e, gpr);
	assert_int_equal(e.pio.data, 0x2000);
	/* rep outsb (string, bit 4; REP, bit 5): not emulated. */
	decode(VMX_EXIT_IO, 0x03f80030, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "string I/O"));
	/* Size codes 2 and 4..7 are not defined (table 28-5): never an access of 3 or 5..8 bytes. */
	for (uint64_t code = 2; code < 8; code += code == 2 ? 2 : 1) {
		decode(VMX_EXIT_IO, 0x03f80000 | code, &e);
		assert_int_equal(e.reason, EXIT_FATAL);
		assert_non_null(strstr(e.fatal.msg, "undefined size of access"));
	}
}

static void test_ept_violation(void **state)
{
	(void)state;
	struct vcpu_exit e;

	/* A write (bit 1) through a linear address (bits 7, 8) to an unmapped GPA (5:3 = 0). */
	decode(VMX_EXIT_EPT_VIOLATION, 0x182, &e);
	assert_int_equal(e.reason, EXIT_STAGE2_FAULT);
	assert_int_equal(e.s2fault.gpa, 0xfee00030);
	assert_int_equal(e.s2fault.gva, 0xffffffff80000030ULL);
	assert_true(e.s2fault.gva_valid);
	assert_int_equal(e.s2fault.access, ACCESS_WRITE);
	assert_int_equal(e.s2fault.kind, FAULT_TRANSLATION);
	/* A write to a read/execute mapping (bits 3 and 5 set): a permission fault. */
	decode(VMX_EXIT_EPT_VIOLATION, 0x1aa, &e);
	assert_int_equal(e.s2fault.kind, FAULT_PERMISSION);
	/* A fetch (bit 2) during a guest page walk (bit 7 set, bit 8 clear). */
	decode(VMX_EXIT_EPT_VIOLATION, 0x84, &e);
	assert_int_equal(e.s2fault.access, ACCESS_FETCH);
	/* A read with no linear address (bit 7 clear). */
	decode(VMX_EXIT_EPT_VIOLATION, 0x1, &e);
	assert_int_equal(e.s2fault.access, ACCESS_READ);
	assert_false(e.s2fault.gva_valid);
}

static void test_simple_exits(void **state)
{
	(void)state;
	struct vcpu_exit e;
	uint64_t gpr[16] = { 0 };

	decode(VMX_EXIT_HLT, 0, &e);
	assert_int_equal(e.reason, EXIT_HALT);
	decode(VMX_EXIT_VMCALL, 0, &e);
	assert_int_equal(e.reason, EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.conduit, CONDUIT_VMCALL);
	gpr[X86_RAX] = 2;
	gpr[X86_RBX] = 40;
	gpr[X86_RCX] = 1;
	gpr[X86_RDX] = 1;
	vmx_exit_fill_operands(&e, gpr);
	assert_int_equal(e.hypercall.args[0], 2);
	assert_int_equal(e.hypercall.args[1], 40);
	assert_int_equal(e.hypercall.args[3], 1);
	decode(VMX_EXIT_EXTERNAL_INTERRUPT, 0, &e);
	assert_int_equal(e.reason, EXIT_NONE);
	decode(VMX_EXIT_TRIPLE_FAULT, 0, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "triple fault"));
	decode(VMX_EXIT_ENTRY_FAILURE | VMX_EXIT_ENTRY_FAIL_GUEST, 0, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "VM entry failed: exit reason 33"));
	decode(VMX_EXIT_XSETBV, 0, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "XSETBV"));
}

static void test_cpuid_msr_cr(void **state)
{
	(void)state;
	struct vcpu_exit e;
	uint64_t gpr[16] = { 0 };

	decode(VMX_EXIT_CPUID, 0, &e);
	assert_int_equal(e.reason, EXIT_SYSREG);
	assert_int_equal(e.sysreg.id, X86_SYSREG_CPUID);
	gpr[X86_RAX] = 7;
	gpr[X86_RCX] = 1;
	vmx_exit_fill_operands(&e, gpr);
	assert_int_equal(e.sysreg.value, 7 | 1ULL << 32);

	/* wrmsr to IA32_EFER (0xc0000080) with EDX:EAX = 0:0x500. */
	decode(VMX_EXIT_WRMSR, 0, &e);
	gpr[X86_RCX] = 0xc0000080;
	gpr[X86_RDX] = 0;
	gpr[X86_RAX] = 0x500;
	vmx_exit_fill_operands(&e, gpr);
	assert_int_equal(e.sysreg.id, 0xc0000080);
	assert_true(e.sysreg.write);
	assert_int_equal(e.sysreg.value, 0x500);
	decode(VMX_EXIT_RDMSR, 0, &e);
	gpr[X86_RCX] = 0x1b; /* IA32_APIC_BASE */
	vmx_exit_fill_operands(&e, gpr);
	assert_int_equal(e.sysreg.id, 0x1b);
	assert_false(e.sysreg.write);

	/* mov %rbx, %cr3: CR 3, type 0 (to CR), GPR 3 (RBX) in bits 11:8: 0x303. */
	decode(VMX_EXIT_CR_ACCESS, 0x303, &e);
	assert_int_equal(e.sysreg.id, X86_SYSREG_CR(3));
	assert_true(e.sysreg.write);
	gpr[X86_RBX] = 0x1000;
	vmx_exit_fill_operands(&e, gpr);
	assert_int_equal(e.sysreg.value, 0x1000);
	/* mov %cr4, %rcx: CR 4, type 1, GPR 1: 0x114. */
	decode(VMX_EXIT_CR_ACCESS, 0x114, &e);
	assert_int_equal(e.sysreg.id, X86_SYSREG_CR(4));
	assert_false(e.sysreg.write);
	assert_int_equal(e.sysreg.reg, X86_RCX);
	/* clts: CR 0, type 2: 0x20. */
	decode(VMX_EXIT_CR_ACCESS, 0x20, &e);
	assert_int_equal(e.sysreg.op, SYSREG_OP_CLEAR);
	assert_int_equal(e.sysreg.value, 8);
	/* lmsw with source 0x0001 in bits 31:16: type 3. */
	decode(VMX_EXIT_CR_ACCESS, 0x00010030, &e);
	assert_int_equal(e.sysreg.value, 1);
}

static void test_exceptions(void **state)
{
	(void)state;
	struct vcpu_exit e;
	struct vmx_exit_info info = { .reason = VMX_EXIT_EXCEPTION_NMI, .rip = 0x1000 };

	/* #BP from int3: vector 3, type 6 (software exception), valid: 0x80000603. */
	info.intr_info = 0x80000603;
	vmx_decode_exit(&info, &e);
	assert_int_equal(e.reason, EXIT_DEBUG);
	/* #UD: vector 6, type 3 (hardware exception): 0x80000306. */
	info.intr_info = 0x80000306;
	vmx_decode_exit(&info, &e);
	assert_int_equal(e.reason, EXIT_FATAL);
	assert_non_null(strstr(e.fatal.msg, "vector 6"));
	/* NMI: vector 2, type 2. */
	info.intr_info = 0x80000202;
	vmx_decode_exit(&info, &e);
	assert_int_equal(e.reason, EXIT_NONE);
	assert_string_equal(vmx_exit_name(VMX_EXIT_EPT_VIOLATION), "EPT violation");
	assert_string_equal(vmx_exit_name(99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_ept_violation),
		cmocka_unit_test(test_simple_exits),
		cmocka_unit_test(test_cpuid_msr_cr),
		cmocka_unit_test(test_exceptions),
	};
	return cmocka_run_group_tests_name("x86_64 vmx exits", tests, NULL, NULL);
}
