/* SPDX-License-Identifier: MIT */
/*
 * The core without any CPU: a VM built from a config, its generated device
 * tree read back with libfdt, the boot state of vCPU 0, and the exit
 * handlers fed exits by hand, as a HAL would after a trap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include <arch/trap.h>
#include <arch/hypercall.h>
#include <arch/sysreg.h>
#include <cvisor/arch.h>
#include <cvisor/config.h>
#include <cvisor/vm.h>

#include "../fixture.h"
#include "../hal_stub.h"

#define RAM 0x40000000ULL
#define RAM_SIZE 0x8000000ULL
#define ENTRY 0x40080000ULL

static struct vm *vm;

/* ret (nop) and a branch to itself: enough of a kernel for these tests. */
static const uint8_t kernel[8] = { 0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14 };

static int setup(void **state)
{
	static const char text[] = "[base]\nid = 4\nname = \"unit\"\narch = \"aarch64\"\n"
				   "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x4008_0000\n"
				   "cmdline = \"console=ttyAMA0 earlycon\"\n"
				   "memory_regions = [[0x4000_0000, 0x800_0000, 7, 0]]\n";

	(void)state;
	return fixture_vm_boot(text, "unit.toml", kernel, sizeof(kernel), &vm);
}

static int teardown(void **state)
{
	(void)state;
	vm_destroy(vm);
	vm = NULL;
	return 0;
}

static const void *guest_dtb(void)
{
	static uint8_t buf[65536];
	assert_int_equal(addrspace_read(&vm->as, vm->dtb_gpa, buf, sizeof(buf)), 0);
	assert_int_equal(fdt_check_header(buf), 0);
	return buf;
}

static void test_layout_and_boot_state(void **state)
{
	(void)state;
	assert_int_equal(vm->id, 4);
	assert_string_equal(vm->name, "unit");
	assert_int_equal(vm->entry, ENTRY);
	/* The device tree goes 2 MiB below the end of the first RAM region. */
	assert_int_equal(vm->dtb_gpa, RAM + RAM_SIZE - 0x200000);
	/* The kernel is in RAM at its load address. */
	uint8_t back[8];
	assert_int_equal(addrspace_read(&vm->as, ENTRY, back, 8), 0);
	assert_memory_equal(back, kernel, 8);
	/* The PL011 is on the bus at QEMU virt's address. */
	assert_non_null(devbus_find(&vm->bus, 0x09000000));
	assert_string_equal(devbus_find(&vm->bus, 0x09000000)->name, "pl011");
	/* Linux arm64 boot protocol: x0 = device tree, EL1h with DAIF masked, at the entry. */
	const struct vcpu_arch *a = &vm->vcpus[0]->arch;
	assert_int_equal(a->x[0], vm->dtb_gpa);
	assert_int_equal(a->x[1], 0);
	assert_int_equal(a->pc, ENTRY);
	assert_int_equal(a->pstate, 0x3c5);
	assert_int_equal(vm->state, VM_RUNNING);
}

static void test_device_tree(void **state)
{
	(void)state;
	const void *fdt = guest_dtb();
	int len;

	int mem = fdt_path_offset(fdt, "/memory@40000000");
	assert_true(mem >= 0);
	assert_string_equal(fdt_getprop(fdt, mem, "device_type", &len), "memory");
	const fdt64_t *reg = fdt_getprop(fdt, mem, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_ld(&reg[0]), RAM);
	assert_int_equal(fdt64_ld(&reg[1]), RAM_SIZE);

	int uart = fdt_path_offset(fdt, "/pl011@9000000");
	assert_true(uart >= 0);
	assert_true(fdt_node_check_compatible(fdt, uart, "arm,pl011") == 0);
	assert_true(fdt_node_check_compatible(fdt, uart, "arm,primecell") == 0);
	reg = fdt_getprop(fdt, uart, "reg", &len);
	assert_int_equal(fdt64_ld(&reg[0]), 0x09000000);
	assert_int_equal(fdt64_ld(&reg[1]), 0x1000);

	int psci = fdt_path_offset(fdt, "/psci");
	assert_true(psci >= 0);
	assert_string_equal(fdt_getprop(fdt, psci, "method", &len), "hvc");

	int chosen = fdt_path_offset(fdt, "/chosen");
	assert_true(chosen >= 0);
	assert_string_equal(fdt_getprop(fdt, chosen, "bootargs", &len), "console=ttyAMA0 earlycon");
	assert_string_equal(fdt_getprop(fdt, chosen, "stdout-path", &len), "/pl011@9000000");

	int cpu = fdt_path_offset(fdt, "/cpus/cpu@0");
	assert_true(cpu >= 0);
	assert_string_equal(fdt_getprop(fdt, cpu, "enable-method", &len), "psci");
}

static void mmio(struct vcpu_exit *e, gpa_t gpa, unsigned size, bool write, uint64_t data)
{
	memset(e, 0, sizeof(*e));
	e->reason = EXIT_MMIO;
	e->pc = ENTRY;
	e->mmio.gpa = gpa;
	e->mmio.size = (uint8_t)size;
	e->mmio.write = write;
	e->mmio.data = data;
	e->mmio.reg = 2;
}

static void test_mmio_exits(void **state)
{
	(void)state;
	struct vcpu *v = vm->vcpus[0];
	struct vcpu_exit e;

	mmio(&e, 0x09000000, 1, true, 'A');
	vcpu_handle_exit(v, &e);
	mmio(&e, 0x09000000, 4, true, '\n');
	vcpu_handle_exit(v, &e);
	assert_string_equal(hal_stub_console_output(), "A\n");
	mmio(&e, 0x09000fe0, 4, false, 0);
	vcpu_handle_exit(v, &e);
	assert_int_equal(e.mmio.data, 0x11);
	assert_int_equal(v->exits[EXIT_MMIO], 3);
	assert_int_equal(vm->state, VM_RUNNING);

	/* The HAL then completes the read into x2 and steps over the load. */
	vcpu_arch_complete_exit(v, &e);
	assert_int_equal(v->arch.x[2], 0x11);
	assert_int_equal(v->arch.pc, ENTRY + 4);
}

static void test_wild_access_stops_vm(void **state)
{
	(void)state;
	struct vcpu_exit e;

	mmio(&e, 0x70000000, 4, true, 5);
	vcpu_handle_exit(vm->vcpus[0], &e);
	assert_int_equal(vm->state, VM_FAILED);
	assert_string_equal(vm->stop_reason,
			    "stage-2 fault: write of 4 bytes at GPA 0x70000000 (neither RAM nor a device) "
			    "by vCPU 0 at PC 0x40080000");
}

/* A trap as the hardware reports it (ESR_EL2, FAR_EL2, HPFAR_EL2 from gpa), decoded and handled. */
static void trap(struct vcpu_exit *e, uint64_t esr, uint64_t far, gpa_t gpa)
{
	struct a64_trap t = { .esr = esr, .far = far, .hpfar = a64_hpfar_from_gpa(gpa), .pc = ENTRY };

	a64_decode_trap(&t, e);
	vcpu_handle_exit(vm->vcpus[0], e);
}

/*
 * [devices] unmapped_access: what each setting makes of a load or store at
 * a GPA that is neither RAM nor a device, and a fetch or the guest's own
 * walk there, which are aborts whatever it says: ESR_EL1 and FAR_EL1 of
 * the synchronous external abort (DFSC/IFSC 0x10) the HAL then enters.
 */
static void test_unmapped_access(void **state)
{
	(void)state;
	struct vcpu *v = vm->vcpus[0];
	struct vcpu_arch *a = &v->arch;
	struct vcpu_exit e;

	/* raz_wi: ldr w2, [x1] (ISV, SAS 2, SRT 2) reads 0; str w2 is dropped. */
	vm->cfg.unmapped_access = UNMAPPED_RAZ_WI;
	a->x[2] = 0x55;
	trap(&e, 0x93820006, 0x70000000, 0x70000000);
	assert_int_equal(e.reason, EXIT_MMIO);
	assert_int_equal(e.mmio.data, 0);
	vcpu_arch_complete_exit(v, &e);
	assert_int_equal(a->x[2], 0);
	assert_int_equal(a->pc, ENTRY + 4);
	a->pc = ENTRY;
	trap(&e, 0x93820046, 0x70000008, 0x70000008);
	assert_false(a->inject.pending);
	assert_int_equal(v->unmapped_raz, 1);
	assert_int_equal(v->unmapped_wi, 1);
	assert_int_equal(vm->state, VM_RUNNING);

	/* abort at EL1h: a data abort, EC 0x25, IL, DFSC 0x10, WnR for the store; no completion. */
	vm->cfg.unmapped_access = UNMAPPED_ABORT;
	trap(&e, 0x93820006, 0x70000000, 0x70000000);
	assert_true(a->inject.pending);
	assert_int_equal(a->inject.esr, 0x96000010);
	assert_int_equal(a->inject.far, 0x70000000);
	a->x[2] = 0x55;
	vcpu_arch_complete_exit(v, &e);
	assert_int_equal(a->x[2], 0x55);
	assert_int_equal(a->pc, ENTRY);
	/* From EL0 (PSTATE.M 0): the lower-EL class, EC 0x24. */
	a->pstate = 0;
	trap(&e, 0x93820046, 0x70000008, 0x70000008);
	assert_int_equal(a->inject.esr, 0x92000050);
	assert_int_equal(a->inject.far, 0x70000008);
	a->pstate = 0x3c5;

	/* stop, the default: a fetch is still an instruction abort (EC 0x21, IFSC 0x10). */
	vm->cfg.unmapped_access = UNMAPPED_STOP;
	a->inject.pending = false;
	trap(&e, 0x82000005, 0x10000000, 0x10000000);
	assert_int_equal(e.reason, EXIT_STAGE2_FAULT);
	assert_true(a->inject.pending);
	assert_int_equal(a->inject.esr, 0x86000010);
	assert_int_equal(a->inject.far, 0x10000000);
	/* The guest's walk for a load (S1PTW) reads a descriptor there: a data abort, WnR 0, FAR the VA. */
	trap(&e, 0x92000085, 0x80000000, 0x20000000);
	assert_true(e.s2fault.s1ptw);
	assert_int_equal(a->inject.esr, 0x96000010);
	assert_int_equal(a->inject.far, 0x80000000);
	/* FnV (an external abort whose FAR_EL2 is not valid): FnV for the guest too, FAR 0. */
	trap(&e, 0x82000405, 0x10000000, 0x10000000);
	assert_int_equal(a->inject.esr, 0x86000410);
	assert_int_equal(a->inject.far, 0);
	assert_int_equal(v->unmapped_aborts, 5);
	assert_int_equal(vm->state, VM_RUNNING);

	/* RAM without the permission is not "unmapped": the VM stops whatever the setting. */
	vm->cfg.unmapped_access = UNMAPPED_ABORT;
	a->inject.pending = false;
	trap(&e, 0x8200000f, RAM, RAM); /* IFSC 0x0f: permission fault, level 3 */
	assert_false(a->inject.pending);
	assert_int_equal(vm->state, VM_FAILED);
	assert_string_equal(vm->stop_reason, "stage-2 fault: fetch of 4 bytes at GPA 0x40000000 (RAM "
					     "without this permission) by vCPU 0 at PC 0x40080000");
}

/* raz_wi and a load pair (ISV = 0): no register to complete, the VM stops and says why. */
static void test_unmapped_raz_wi_needs_a_register(void **state)
{
	(void)state;
	struct vcpu_exit e;

	vm->cfg.unmapped_access = UNMAPPED_RAZ_WI;
	/* The HAL would name the size from the instruction (a64_exit_describe_access()): 0 here. */
	trap(&e, 0x92000006, 0x70000000, 0x70000000);
	assert_int_equal(vm->state, VM_FAILED);
	assert_string_equal(vm->stop_reason,
			    "stage-2 fault: read of 0 bytes at GPA 0x70000000 (neither RAM nor a device; "
			    "unmapped_access = \"raz_wi\" cannot complete an access whose syndrome "
			    "names no register) by vCPU 0 at PC 0x40080000");
}

static void test_device_refusal_stops_vm(void **state)
{
	(void)state;
	struct vcpu_exit e;

	/* A 64-bit access to a 32-bit UART register. */
	mmio(&e, 0x09000024, 8, false, 0);
	vcpu_handle_exit(vm->vcpus[0], &e);
	assert_int_equal(vm->state, VM_FAILED);
	assert_non_null(strstr(vm->stop_reason, "read of 8 bytes at GPA 0x9000024"));
}

static uint64_t call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct vcpu_exit e;
	struct a64_trap t = { .esr = 0x5a000000, .pc = ENTRY + 4 }; /* HVC #0 */
	uint64_t x[31] = { fn, a1, a2, a3 };

	a64_decode_trap(&t, &e);
	a64_exit_fill_operands(&e, x);
	vcpu_handle_exit(vm->vcpus[0], &e);
	return e.hypercall.ret[0];
}

static void test_hypercalls_and_psci(void **state)
{
	(void)state;
	assert_int_equal(call(PSCI_VERSION, 0, 0, 0), 0x10001);
	assert_int_equal(call(SMCCC_VERSION, 0, 0, 0), 0x10001);
	assert_int_equal(call(PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0), 0);
	assert_int_equal((int64_t)call(PSCI_FEATURES, 0x8400ff00, 0, 0), PSCI_RET_NOT_SUPPORTED);
	assert_int_equal(call(CVISOR_SMCCC_BASE + 2, 40, 1, 1), 42);
	assert_int_equal(call(CVISOR_SMCCC_BASE32 + 2, 1, 2, 3), 6);
	assert_int_equal(call(CVISOR_SMCCC_BASE + 3, 0, 0, 0), 0);
	call(CVISOR_SMCCC_BASE + 1, 'Z', 0, 0);
	assert_string_equal(hal_stub_console_output(), "Z");
	assert_int_equal((int64_t)call(0xc2000000, 0, 0, 0), -1); /* unknown function */
	assert_int_equal(vm->vcpus[0]->exits[EXIT_HYPERCALL], 9);
	assert_int_equal(vm->state, VM_RUNNING);

	call(PSCI_SYSTEM_OFF, 0, 0, 0);
	assert_int_equal(vm->state, VM_OFF);
	assert_string_equal(vm->stop_reason, "guest powered off (PSCI SYSTEM_OFF)");
}

/* cvisor call MEM_PROTECT: stage 2 changes, the HAL hears of it; bad requests change nothing. */
static void test_mem_protect(void **state)
{
	(void)state;
	struct s2_result res;
	const uint64_t page = RAM + 0x100000, fn = CVISOR_SMCCC_BASE + CVISOR_HC_MEM_PROTECT;
	unsigned changes = hal_stub_stage2_changes();

	assert_int_equal(call(fn, page, 0x2000, PERM_READ), 0);
	assert_int_equal(hal_stub_stage2_changes(), changes + 1);
	assert_int_equal(stage2_translate(&vm->as.s2, page + 0x1008, ACCESS_WRITE, &res, NULL, NULL),
			 -CV_EPERM);
	assert_int_equal(stage2_translate(&vm->as.s2, page + 0x1008, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.perm, PERM_READ);
	assert_int_equal(res.leaf_size, 0x1000); /* the 2 MiB block was split */
	assert_int_equal(stage2_translate(&vm->as.s2, page + 0x2000, ACCESS_WRITE, &res, NULL, NULL), 0);

	assert_int_equal(call(fn, page, 0x2000, PERM_READ | PERM_WRITE), 0);
	assert_int_equal(stage2_translate(&vm->as.s2, page, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(stage2_translate(&vm->as.s2, page, ACCESS_FETCH, &res, NULL, NULL), -CV_EPERM);

	/* Refused: unaligned, empty, no read, unknown bits, outside RAM, across its end. */
	assert_int_equal(call(fn, page + 8, 0x1000, PERM_READ), CVISOR_HC_INVALID);
	assert_int_equal(call(fn, page, 0, PERM_READ), CVISOR_HC_INVALID);
	assert_int_equal(call(fn, page, 0x1000, PERM_WRITE), CVISOR_HC_INVALID);
	assert_int_equal(call(fn, page, 0x1000, 0x17), CVISOR_HC_INVALID);
	assert_int_equal(call(fn, 0x70000000, 0x1000, PERM_READ), CVISOR_HC_INVALID);
	assert_int_equal(call(fn, RAM + RAM_SIZE - 0x1000, 0x2000, PERM_READ), CVISOR_HC_INVALID);
	/* More than the config gave the region. */
	vm->as.regions[0].perm = PERM_READ | PERM_WRITE;
	assert_int_equal(call(fn, page, 0x1000, PERM_RWX), CVISOR_HC_DENIED);
	assert_int_equal(hal_stub_stage2_changes(), changes + 2);
	assert_int_equal(vm->state, VM_RUNNING);
}

static void test_system_reset(void **state)
{
	(void)state;
	call(PSCI_SYSTEM_RESET, 0, 0, 0);
	assert_int_equal(vm->state, VM_RESET);
}

static void test_sysreg_and_halt(void **state)
{
	(void)state;
	struct vcpu *v = vm->vcpus[0];
	struct vcpu_exit e;
	uint64_t x[31] = { 0 };
	struct a64_trap t = { .pc = ENTRY };

	x[1] = 1;
	t.esr = 0x62280420; /* msr oslar_el1, x1 */
	a64_decode_trap(&t, &e);
	a64_exit_fill_operands(&e, x);
	vcpu_handle_exit(v, &e);
	t.esr = 0x62280443; /* mrs x2, oslsr_el1 */
	a64_decode_trap(&t, &e);
	vcpu_handle_exit(v, &e);
	assert_int_equal(e.sysreg.value & 0xb, 0xa);
	vcpu_arch_complete_exit(v, &e);
	assert_int_equal(v->arch.x[2] & 0xb, 0xa);

	t.esr = 0x06000000; /* WFI, with nothing that could wake it */
	a64_decode_trap(&t, &e);
	vcpu_handle_exit(v, &e);
	assert_int_equal(vm->state, VM_FAILED);
	assert_non_null(strstr(vm->stop_reason, "waits for an interrupt (WFI)"));
}

/* The flash at QEMU virt's address: one node, a reg range per bank, a 32-bit bus. */
static void test_flash(void **state)
{
	(void)state;
	const void *fdt = guest_dtb();
	int len;

	assert_non_null(devbus_find(&vm->bus, 0x07fffffc));
	assert_string_equal(devbus_find(&vm->bus, 0)->name, "flash");
	int flash = fdt_path_offset(fdt, "/flash@0");
	assert_true(flash >= 0);
	assert_true(fdt_node_check_compatible(fdt, flash, "cfi-flash") == 0);
	const fdt64_t *reg = fdt_getprop(fdt, flash, "reg", &len);
	assert_int_equal(len, 32);
	assert_int_equal(fdt64_ld(&reg[0]), 0);
	assert_int_equal(fdt64_ld(&reg[1]), 0x4000000);
	assert_int_equal(fdt64_ld(&reg[2]), 0x4000000);
	assert_int_equal(fdt64_ld(&reg[3]), 0x4000000);
	const fdt32_t *width = fdt_getprop(fdt, flash, "bank-width", &len);
	assert_int_equal(len, 4);
	assert_int_equal(fdt32_ld(width), 4);

	/* An erased flash through an MMIO exit, as the guest reads it. */
	struct vcpu_exit e;
	mmio(&e, 0x04000004, 1, false, 0);
	vcpu_handle_exit(vm->vcpus[0], &e);
	assert_int_equal(e.mmio.data, 0xff);
	assert_int_equal(vm->state, VM_RUNNING);
}

/* RAM where the flash would be: the config's region wins, the flash is left out. */
static void test_ram_over_flash(void **state)
{
	(void)state;
	static const char text[] = "[base]\nid = 5\nname = \"low\"\narch = \"aarch64\"\n"
				   "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x8_0000\n"
				   "memory_regions = [[0x0, 0x400_0000, 7, 0]]\n";
	struct vm *low;

	assert_int_equal(fixture_vm_boot(text, "low.toml", kernel, sizeof(kernel), &low), 0);
	const struct as_region *r = addrspace_find(&low->as, 0x04000000);
	assert_null(r);
	assert_null(devbus_find(&low->bus, 0x04000000));
	assert_string_equal(devbus_find(&low->bus, 0x09000000)->name, "pl011");
	vm_destroy(low);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout_and_boot_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_exits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wild_access_stops_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmapped_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmapped_raz_wi_needs_a_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_refusal_stops_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hypercalls_and_psci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_protect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysreg_and_halt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flash, setup, teardown),
		cmocka_unit_test(test_ram_over_flash),
	};
	return cmocka_run_group_tests_name("vm and exit handlers", tests, NULL, NULL);
}
