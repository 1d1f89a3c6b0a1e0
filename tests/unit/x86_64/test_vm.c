/* SPDX-License-Identifier: MIT */
/*
 * An x86_64 VM without a CPU: the boot state and identity page tables of
 * cvisor's 64-bit boot protocol, COM1 and the ACPI power-off port through
 * port I/O exits, VMCALL, CPUID and MSR emulation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/trap.h>
#include <cvisor/arch.h>
#include <cvisor/config.h>
#include <cvisor/vm.h>

#include "../fixture.h"
#include "../hal_stub.h"

#define ENTRY 0x100000ULL

static struct vm *vm;
static const uint8_t kernel[4] = { 0xf4, 0xeb, 0xfd, 0x90 }; /* hlt; jmp .-1 */

static int setup(void **state)
{
	static const char text[] = "[base]\nid = 3\nname = \"pc\"\narch = \"x86_64\"\n"
				   "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x10_0000\n"
				   "memory_regions = [[0, 0x100_0000, 7, 0]]\n";

	(void)state;
	return fixture_vm_boot(text, "pc.toml", kernel, sizeof(kernel), &vm);
}

static int teardown(void **state)
{
	(void)state;
	vm_destroy(vm);
	return 0;
}

static uint64_t read64(gpa_t gpa)
{
	uint64_t v = 0;
	assert_int_equal(addrspace_read(&vm->as, gpa, &v, 8), 0);
	return v;
}

static void test_boot_state(void **state)
{
	(void)state;
	const struct vcpu_arch *a = &vm->vcpus[0]->arch;

	assert_int_equal(a->rip, ENTRY);
	assert_int_equal(a->gpr[X86_RSI], vm->dtb_gpa);
	assert_int_equal(vm->dtb_gpa, 0x1000000 - 0x200000);
	assert_int_equal(a->cr0 & 0x80000001, 0x80000001); /* PG, PE */
	assert_int_equal(a->cr4 & 0x20, 0x20);             /* PAE */
	assert_int_equal(a->efer, 0x500);                   /* LME, LMA */
	assert_int_equal(a->rflags, 2);
	/* The identity map: PML4[0] -> PDPT, PDPT[1] -> the second PD, its entry 5 maps 1 GiB + 10 MiB. */
	gpa_t pml4 = a->cr3;
	assert_int_equal(pml4, vm->dtb_gpa - 0x10000);
	uint64_t pdpt = read64(pml4) & ~0xfffULL;
	assert_int_equal(read64(pml4) & 3, 3);
	uint64_t pd1 = read64(pdpt + 8) & ~0xfffULL;
	assert_int_equal(read64(pd1 + 5 * 8), (1ULL << 30) + 5 * 0x200000 + 0x83);
}

static uint32_t pio(uint16_t port, unsigned size, bool write, uint64_t rax)
{
	struct vcpu *v = vm->vcpus[0];
	struct vcpu_exit e;
	uint32_t q = (uint32_t)port << 16 | (write ? 0 : 8) | (size == 4 ? 3 : size - 1);
	struct vmx_exit_info info = { .reason = VMX_EXIT_IO, .qualification = q, .insn_len = 1,
				      .rip = v->arch.rip };

	v->arch.gpr[X86_RAX] = rax;
	vmx_decode_exit(&info, &e);
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	vcpu_arch_complete_exit(v, &e);
	return (uint32_t)v->arch.gpr[X86_RAX];
}

static void test_port_io(void **state)
{
	(void)state;
	uint64_t rip = vm->vcpus[0]->arch.rip;

	pio(0x3f8, 1, true, 'x');
	pio(0x3f8, 1, true, '\n');
	assert_string_equal(hal_stub_console_output(), "x\n");
	assert_int_equal(vm->vcpus[0]->arch.rip, rip + 2);
	assert_int_equal(pio(0x3fd, 1, false, 0x1234), 0x1260); /* LSR into AL, AH kept */
	assert_int_equal(pio(0x80, 1, false, 0), 0xff);          /* unclaimed: all ones */
	assert_int_equal(vm->state, VM_RUNNING);
	pio(0x604, 2, true, 0x2000);                             /* ACPI S5 */
	assert_int_equal(vm->state, VM_OFF);
	assert_non_null(strstr(vm->stop_reason, "ACPI S5"));
}

static void test_vmcall_cpuid_msr(void **state)
{
	(void)state;
	struct vcpu *v = vm->vcpus[0];
	struct vcpu_exit e;
	struct vmx_exit_info info = { .insn_len = 3, .rip = v->arch.rip };

	info.reason = VMX_EXIT_VMCALL;
	v->arch.gpr[X86_RAX] = 2; /* ADD */
	v->arch.gpr[X86_RBX] = 40;
	v->arch.gpr[X86_RCX] = 1;
	v->arch.gpr[X86_RDX] = 1;
	vmx_decode_exit(&info, &e);
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	vcpu_arch_complete_exit(v, &e);
	assert_int_equal(v->arch.gpr[X86_RAX], 42);

	info.reason = VMX_EXIT_CPUID;
	info.insn_len = 2;
	v->arch.gpr[X86_RAX] = 0;
	vmx_decode_exit(&info, &e);
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	char vendor[13] = { 0 };
	memcpy(vendor, &v->arch.gpr[X86_RBX], 4);
	memcpy(vendor + 4, &v->arch.gpr[X86_RDX], 4);
	memcpy(vendor + 8, &v->arch.gpr[X86_RCX], 4);
	assert_string_equal(vendor, "cvisorcvisor");
	v->arch.gpr[X86_RAX] = 1;
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	assert_int_equal(v->arch.gpr[X86_RCX] >> 31, 1); /* hypervisor present */

	info.reason = VMX_EXIT_RDMSR;
	v->arch.gpr[X86_RCX] = 0xc0000080;
	vmx_decode_exit(&info, &e);
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	assert_int_equal(v->arch.gpr[X86_RAX], 0x500);
	assert_int_equal(vm->state, VM_RUNNING);
	/* An MSR cvisor does not emulate is a #GP(0) for the guest, RIP at the RDMSR (SDM Vol. 2B). */
	v->arch.gpr[X86_RCX] = 0x12345;
	v->arch.rip = 0x1000;
	vmx_decode_exit(&info, &e);
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	vcpu_arch_complete_exit(v, &e);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_true(v->arch.inject.valid);
	assert_int_equal(v->arch.inject.vector, 13);
	assert_true(v->arch.inject.has_error);
	assert_int_equal(v->arch.inject.error, 0);
	assert_int_equal(v->arch.rip, 0x1000);
	v->arch.inject.valid = false;
	/* So is a reserved EFER bit (bit 9); LMA ignores writes. */
	info.reason = VMX_EXIT_WRMSR;
	v->arch.gpr[X86_RCX] = 0xc0000080;
	v->arch.gpr[X86_RDX] = 0;
	v->arch.gpr[X86_RAX] = 0x200 | 0x100;
	vmx_decode_exit(&info, &e);
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	assert_true(v->arch.inject.valid);
	v->arch.inject.valid = false;
	v->arch.gpr[X86_RAX] = 0x800 | 0x100 | 0x1;
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	assert_false(v->arch.inject.valid);
	assert_int_equal(v->arch.efer, 0xd01);
}

/* Trapped control-register accesses: MOV to CR3 and from CR4, CLTS (SDM table 28-3). */
static void test_control_registers(void **state)
{
	(void)state;
	struct vcpu *v = vm->vcpus[0];
	struct vcpu_exit e;
	struct vmx_exit_info info = { .reason = VMX_EXIT_CR_ACCESS, .insn_len = 3, .rip = v->arch.rip };

	info.qualification = 0x303; /* mov %rbx, %cr3 */
	v->arch.gpr[X86_RBX] = 0x200000;
	vmx_decode_exit(&info, &e);
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	assert_int_equal(v->arch.cr3, 0x200000);
	info.qualification = 0x114; /* mov %cr4, %rcx */
	vmx_decode_exit(&info, &e);
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	assert_int_equal(v->arch.gpr[X86_RCX], v->arch.cr4);
	v->arch.cr0 |= 8; /* TS */
	info.qualification = 0x20; /* clts */
	vmx_decode_exit(&info, &e);
	vmx_exit_fill_operands(&e, v->arch.gpr);
	vcpu_handle_exit(v, &e);
	assert_int_equal(v->arch.cr0 & 8, 0);
	assert_int_equal(vm->state, VM_RUNNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmcall_cpuid_msr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_registers, setup, teardown),
	};
	return cmocka_run_group_tests_name("x86_64 vm, ports, vmcall, cpuid", tests, NULL, NULL);
}
