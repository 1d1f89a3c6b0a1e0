/* SPDX-License-Identifier: MIT */
/*
 * A RISC-V VM without a CPU: QEMU virt's layout, the device tree, the
 * boot state (a0 = hart id, a1 = device tree), the 16550A through MMIO
 * exits, and the SBI calls a guest makes with ecall.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include <arch/hypercall.h>
#include <arch/irq.h>
#include <arch/trap.h>
#include <cvisor/arch.h>
#include <cvisor/config.h>
#include <cvisor/devbus.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "../fixture.h"
#include "../hal_stub.h"

#define RAM 0x80000000ULL
#define RAM_SIZE 0x8000000ULL
#define ENTRY 0x80200000ULL

static struct vm *vm;
static const uint8_t kernel[8] = { 0x13, 0x00, 0x00, 0x00, 0x6f, 0x00, 0x00, 0x00 };

static int setup(void **state)
{
	static const char text[] = "[base]\nid = 2\nname = \"rv\"\narch = \"riscv64\"\n"
				   "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x8020_0000\n"
				   "memory_regions = [[0x8000_0000, 0x800_0000, 7, 0]]\n";

	(void)state;
	return fixture_vm_boot(text, "rv.toml", kernel, sizeof(kernel), &vm);
}

static int teardown(void **state)
{
	(void)state;
	vm_destroy(vm);
	return 0;
}

static void test_boot_state_and_device_tree(void **state)
{
	(void)state;
	static uint8_t dtb[65536];
	const struct vcpu_arch *a = &vm->vcpus[0]->arch;
	int len;

	assert_int_equal(vm->entry, ENTRY);
	assert_int_equal(a->pc, ENTRY);
	assert_int_equal(a->x[10], 0);           /* a0: hart id */
	assert_int_equal(a->x[11], vm->dtb_gpa); /* a1: device tree */
	assert_int_equal(vm->dtb_gpa, RAM + RAM_SIZE - 0x200000);

	assert_int_equal(addrspace_read(&vm->as, vm->dtb_gpa, dtb, sizeof(dtb)), 0);
	assert_int_equal(fdt_check_header(dtb), 0);
	int uart = fdt_path_offset(dtb, "/ns16550a@10000000");
	assert_true(uart >= 0);
	assert_string_equal(fdt_getprop(dtb, uart, "compatible", &len), "ns16550a");
	int cpus = fdt_path_offset(dtb, "/cpus");
	assert_true(cpus >= 0);
	assert_non_null(fdt_getprop(dtb, cpus, "timebase-frequency", &len));
	int cpu = fdt_path_offset(dtb, "/cpus/cpu@0");
	assert_string_equal(fdt_getprop(dtb, cpu, "riscv,isa", &len), "rv64imac");
	assert_true(fdt_path_offset(dtb, "/cpus/cpu@0/interrupt-controller") >= 0);
	assert_true(fdt_path_offset(dtb, "/memory@80000000") >= 0);
	/* The PLIC: hart 0's M-mode (11) and S-mode (9) contexts, as on QEMU virt. */
	int plic = fdt_path_offset(dtb, "/plic@c000000");
	assert_true(plic >= 0);
	const char *compat = fdt_getprop(dtb, plic, "compatible", &len);
	assert_int_equal(len, sizeof("sifive,plic-1.0.0\0riscv,plic0"));
	assert_memory_equal(compat, "sifive,plic-1.0.0\0riscv,plic0", len);
	const fdt32_t *ext = fdt_getprop(dtb, plic, "interrupts-extended", &len);
	uint32_t intc = fdt_get_phandle(dtb, fdt_path_offset(dtb, "/cpus/cpu@0/interrupt-controller"));
	assert_int_equal(len, 16);
	assert_int_equal(fdt32_to_cpu(ext[0]), intc);
	assert_int_equal(fdt32_to_cpu(ext[1]), 11);
	assert_int_equal(fdt32_to_cpu(ext[2]), intc);
	assert_int_equal(fdt32_to_cpu(ext[3]), 9);
	assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(dtb, plic, "riscv,ndev", &len)), 96);
	assert_non_null(fdt_getprop(dtb, plic, "interrupt-controller", &len));
	assert_true(fdt_get_phandle(dtb, plic) != 0);
	int chosen = fdt_path_offset(dtb, "/chosen");
	assert_string_equal(fdt_getprop(dtb, chosen, "stdout-path", &len), "/ns16550a@10000000");
}

static void test_uart_through_mmio_exits(void **state)
{
	(void)state;
	struct vcpu *v = vm->vcpus[0];
	struct vcpu_exit e;
	struct rv_trap t = { .scause = 23, .stval = 0x10000000, .htval = 0x10000000 >> 2,
			     .htinst = 0x00a00023 /* sb a0,0(x0) */, .sepc = ENTRY };

	v->arch.x[10] = 'R';
	rv_decode_trap(&t, &e);
	rv_exit_fill_operands(&e, v->arch.x);
	vcpu_handle_exit(v, &e);
	assert_string_equal(hal_stub_console_output(), "R");
	vcpu_arch_complete_exit(v, &e);
	assert_int_equal(v->arch.pc, ENTRY + 4);

	/* lbu a1, 5(a0) of LSR with a compressed-length htinst: THRE | TEMT. */
	struct rv_trap l = { .scause = 21, .stval = 0x10000005, .htval = 0x10000005 >> 2,
			     .htinst = 0x00004581 /* lbu a1,0(x0), bit 1 clear */, .sepc = ENTRY + 4 };
	rv_decode_trap(&l, &e);
	vcpu_handle_exit(v, &e);
	vcpu_arch_complete_exit(v, &e);
	assert_int_equal(v->arch.x[11], 0x60);
	assert_int_equal(v->arch.pc, ENTRY + 6);

	/* A wild store stops the VM with the report. */
	struct rv_trap w = { .scause = 23, .stval = 0x70000000, .htval = 0x70000000 >> 2,
			     .htinst = 0x00a02023 /* sw a0,0(x0) */, .sepc = 0x80200040 };
	rv_decode_trap(&w, &e);
	vcpu_handle_exit(v, &e);
	assert_int_equal(vm->state, VM_FAILED);
	assert_string_equal(vm->stop_reason, "stage-2 fault: write of 4 bytes at GPA 0x70000000 "
					     "(neither RAM nor a device) by vCPU 0 at PC 0x80200040");
}

/* One SBI call: a7 = eid, a6 = fid, a0..a2 arguments. Returns a0; *value gets a1. */
static int64_t sbi(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t *value)
{
	struct vcpu *v = vm->vcpus[0];
	struct vcpu_exit e;
	struct rv_trap t = { .scause = RV_CAUSE_VS_ECALL, .sepc = v->arch.pc };

	v->arch.x[10] = a0;
	v->arch.x[11] = a1;
	v->arch.x[12] = a2;
	v->arch.x[16] = fid;
	v->arch.x[17] = eid;
	rv_decode_trap(&t, &e);
	rv_exit_fill_operands(&e, v->arch.x);
	vcpu_handle_exit(v, &e);
	vcpu_arch_complete_exit(v, &e);
	if (value)
		*value = v->arch.x[11];
	return (int64_t)v->arch.x[10];
}

static void test_sbi(void **state)
{
	(void)state;
	uint64_t value;
	uint64_t pc = vm->vcpus[0]->arch.pc;

	assert_int_equal(sbi(SBI_EXT_BASE, 0, 0, 0, 0, &value), SBI_SUCCESS);
	assert_int_equal(value, 2u << 24); /* SBI 2.0 */
	assert_int_equal(vm->vcpus[0]->arch.pc, pc + 4);
	assert_int_equal(sbi(SBI_EXT_BASE, 3, SBI_EXT_SRST, 0, 0, &value), SBI_SUCCESS);
	assert_int_equal(value, 1);
	assert_int_equal(sbi(SBI_EXT_BASE, 3, 0x12345, 0, 0, &value), SBI_SUCCESS);
	assert_int_equal(value, 0);
	assert_int_equal(sbi(SBI_EXT_CVISOR, 2, 40, 1, 1, &value), SBI_SUCCESS);
	assert_int_equal(value, 42);
	assert_int_equal(sbi(SBI_EXT_CVISOR, 99, 0, 0, 0, NULL), SBI_ERR_NOT_SUPPORTED);
	sbi(SBI_EXT_LEGACY_PUTCHAR, 0, 'Q', 0, 0, NULL);
	assert_string_equal(hal_stub_console_output(), "Q");
	hal_stub_console_input("k");
	assert_int_equal(sbi(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0, NULL), 'k');
	assert_int_equal(sbi(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0, NULL), -1);
	assert_int_equal(sbi(SBI_EXT_HSM, 2, 0, 0, 0, &value), SBI_SUCCESS);
	assert_int_equal(value, 0); /* STARTED */
	/* One hart: there is no hart 1 to start, to ask about or to send an IPI to. */
	assert_int_equal(sbi(SBI_EXT_HSM, 0, 1, 0x80200000, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi(SBI_EXT_HSM, 2, 1, 0, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi(SBI_EXT_HSM, 0, 0, 0x80200000, 0, NULL), SBI_ERR_ALREADY_AVAILABLE);
	assert_int_equal(sbi(SBI_EXT_IPI, 0, 2, 0, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_false(vm->vcpus[0]->arch.ipi);
	assert_int_equal(sbi(SBI_EXT_IPI, 0, 1, 0, 0, NULL), SBI_SUCCESS); /* to itself */
	assert_true(vm->vcpus[0]->arch.ipi);
	assert_int_equal(vm->state, VM_RUNNING);
	sbi(SBI_EXT_SRST, 0, 0, 0, 0, NULL); /* shutdown */
	assert_int_equal(vm->state, VM_OFF);
	assert_non_null(strstr(vm->stop_reason, "guest powered off"));
}

/* The SBI timer against the VM clock: 10 MHz ticks, STIP from the compare value until the next set_timer. */
static void test_sbi_timer(void **state)
{
	(void)state;
	struct vcpu *v = vm->vcpus[0];

	assert_int_equal(v->arch.timer_cmp, RV_TIMER_OFF); /* not armed at boot */
	assert_int_equal(vcpu_arch_timers(v, 0), CLOCK_NEVER);
	assert_false(vcpu_arch_irq_possible(v));
	assert_int_equal(sbi(SBI_EXT_TIME, 0, 1000, 0, 0, NULL), SBI_SUCCESS);
	assert_int_equal(vcpu_arch_timers(v, 99999), 100000); /* 1000 ticks of 100 ns */
	assert_int_equal(rv_irq_lines(v), 0);
	v->arch.sie = RV_IRQ_STIP;
	assert_true(vcpu_arch_irq_possible(v));
	assert_false(vcpu_arch_irq_wakes(v));
	assert_int_equal(vcpu_arch_timers(v, 100000), CLOCK_NEVER);
	assert_int_equal(rv_irq_lines(v), RV_IRQ_STIP);
	assert_true(vcpu_arch_irq_wakes(v));
	v->arch.sie = 0; /* pending, but not enabled: WFI does not end */
	assert_false(vcpu_arch_irq_wakes(v));
	assert_int_equal(sbi(SBI_EXT_TIME, 0, 5, 0, 0, NULL), SBI_SUCCESS); /* clears STIP */
	assert_int_equal(rv_irq_lines(v), 0);
	assert_int_equal(vcpu_arch_timers(v, 100000), CLOCK_NEVER); /* already past: fires */
	assert_int_equal(rv_irq_lines(v), RV_IRQ_STIP);
	assert_int_equal(sbi(SBI_EXT_LEGACY_SET_TIMER, 0, ~0ULL, 0, 0, NULL), 0); /* disarms */
	assert_int_equal(rv_irq_lines(v), 0);
	assert_int_equal(vcpu_arch_timers(v, 200000), CLOCK_NEVER);
	assert_int_equal(rv_time_to_ns(~0ULL), CLOCK_NEVER);
	assert_int_equal(rv_ns_to_time(1234567), 12345);
	assert_int_equal(sbi(SBI_EXT_BASE, 3, SBI_EXT_TIME, 0, 0, NULL), SBI_SUCCESS);
}

/*
 * A device's line (vm_irq_set()) is a PLIC source of the VM: source 10
 * raised shows in the pending word (PLIC base + 0x1000), lowered clears
 * it (a level source that was never claimed); source 0 does not exist.
 */
static void test_device_line_reaches_the_plic(void **state)
{
	uint64_t pending = 0;

	(void)state;
	vm_irq_set(vm, 10, true);
	assert_int_equal(devbus_access(&vm->bus, 0x0c001000, 4, false, &pending), 0);
	assert_int_equal(pending, 1u << 10);
	vm_irq_set(vm, 10, false);
	assert_int_equal(devbus_access(&vm->bus, 0x0c001000, 4, false, &pending), 0);
	assert_int_equal(pending, 0);
	vm_irq_set(vm, 0, true);
	assert_int_equal(devbus_access(&vm->bus, 0x0c001000, 4, false, &pending), 0);
	assert_int_equal(pending, 0);
}

static void test_sbi_reboot(void **state)
{
	(void)state;
	sbi(SBI_EXT_SRST, 0, 1, 0, 0, NULL); /* cold reboot */
	assert_int_equal(vm->state, VM_RESET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_state_and_device_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uart_through_mmio_exits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sbi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sbi_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sbi_reboot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_line_reaches_the_plic, setup, teardown),
	};
	return cmocka_run_group_tests_name("riscv64 vm, uart and sbi", tests, NULL, NULL);
}
