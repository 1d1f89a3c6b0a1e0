/* SPDX-License-Identifier: MIT */
/*
 * A virtio-blk on RISC-V, where it sits on QEMU virt (0x1000_1000, PLIC
 * source 8): its device-tree node names the PLIC and the source, and the
 * device's interrupt reaches the PLIC's pending bit. The transport and
 * the block device themselves: tests/unit/test_virtio.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include <cvisor/devbus.h>
#include <cvisor/vm.h>

#include "../fixture.h"

#define VBASE 0x10001000ULL
#define IRQ 8
/* The PLIC's pending bits of sources 0-31 (PLIC spec, "Memory Map"). */
#define PLIC_PENDING0 0x0c001000ULL

static struct vm *vm;
static char disk[64];

static int setup(void **state)
{
	static const uint8_t kernel[4] = { 0x13, 0x00, 0x00, 0x00 };
	static uint8_t zeros[4096];
	char text[768];

	(void)state;
	strcpy(disk, "/tmp/cvisor-virtio-rv-XXXXXX");
	int fd = mkstemp(disk);
	if (fd < 0 || write(fd, zeros, sizeof(zeros)) != (ssize_t)sizeof(zeros))
		return -1;
	close(fd);
	snprintf(text, sizeof(text),
		 "[base]\nid = 2\nname = \"rv\"\narch = \"riscv64\"\n"
		 "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x8020_0000\n"
		 "disk_path = \"%s\"\nmemory_regions = [[0x8000_0000, 0x800_0000, 7, 0]]\n"
		 "[devices]\nemu_devices = [[\"virtio-blk\", 0x1000_1000, 0x1000, %d, 3, []]]\n",
		 disk, IRQ);
	return fixture_vm_boot(text, "rv.toml", kernel, sizeof(kernel), &vm);
}

static int teardown(void **state)
{
	(void)state;
	vm_destroy(vm);
	unlink(disk);
	return 0;
}

static uint32_t rd(uint64_t gpa)
{
	uint64_t v = 0xdead;
	assert_int_equal(devbus_access(&vm->bus, gpa, 4, false, &v), 0);
	return (uint32_t)v;
}

static void wr(uint64_t gpa, uint32_t v)
{
	uint64_t x = v;
	assert_int_equal(devbus_access(&vm->bus, gpa, 4, true, &x), 0);
}

static void test_device_tree_node(void **state)
{
	static uint8_t dtb[65536];
	int len;

	(void)state;
	assert_int_equal(addrspace_read(&vm->as, vm->dtb_gpa, dtb, sizeof(dtb)), 0);
	int node = fdt_path_offset(dtb, "/virtio-blk@10001000");
	assert_true(node > 0);
	assert_string_equal(fdt_getprop(dtb, node, "compatible", NULL), "virtio,mmio");
	const fdt64_t *reg = fdt_getprop(dtb, node, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_ld(&reg[0]), VBASE);
	assert_int_equal(fdt64_ld(&reg[1]), 0x200);
	const fdt32_t *irq = fdt_getprop(dtb, node, "interrupts", &len);
	assert_int_equal(len, 4);
	assert_int_equal(fdt32_ld(&irq[0]), IRQ);
	/* interrupt-parent is the PLIC's phandle. */
	const fdt32_t *parent = fdt_getprop(dtb, node, "interrupt-parent", &len);
	assert_int_equal(len, 4);
	int plic = fdt_path_offset(dtb, "/plic@c000000");
	assert_true(plic > 0);
	assert_int_equal(fdt32_ld(parent), fdt_get_phandle(dtb, plic));
}

/* A driver's mistake after DRIVER_OK: the configuration-change interrupt, at the PLIC. */
static void test_interrupt_reaches_plic(void **state)
{
	(void)state;
	assert_int_equal(rd(VBASE), 0x74726976);
	assert_int_equal(rd(PLIC_PENDING0) & (1u << IRQ), 0);
	wr(VBASE + 0x70, 1 | 2 | 4); /* DRIVER_OK without FEATURES_OK */
	assert_int_equal(rd(VBASE + 0x70), 1 | 2 | 4 | 64);
	assert_int_equal(rd(VBASE + 0x60), 2);
	assert_int_equal(rd(PLIC_PENDING0) & (1u << IRQ), 1u << IRQ);
	wr(VBASE + 0x64, 2); /* InterruptACK: the line goes low, the gateway passes it on */
	assert_int_equal(rd(PLIC_PENDING0) & (1u << IRQ), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_tree_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_reaches_plic, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
