/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V guest platform: QEMU's "virt" machine layout
 * (hw/riscv/virt.c memory map), and its device tree nodes.
 *
 *   0x1000_0000  16550A UART ("ns16550a")
 *   0x8000_0000  RAM
 */
#include <libfdt.h>

#include <arch/sysreg.h>
#include <cvisor/arch.h>
#include <cvisor/fdt.h>
#include <cvisor/lib.h>
#include <cvisor/ns16550.h>
#include <cvisor/vm.h>

#define VIRT_UART_BASE 0x10000000ULL
#define PHANDLE_CPU0_INTC 0x8001

static const struct platform_device virt_devices[] = {
	{ "ns16550a", VIRT_UART_BASE, NS16550_SIZE },
};

static const struct device_model virt_models[] = {
	{ "ns16550a", 8, false, ns16550_create },
};

const struct platform_desc vm_arch_platform = {
	.arch = ARCH_RISCV64,
	.devices = virt_devices,
	.ndevices = ARRAY_SIZE(virt_devices),
	.models = virt_models,
	.nmodels = ARRAY_SIZE(virt_models),
	.console = "ns16550a",
	.halt_insn = "WFI",
};
/* /cpus (Linux bindings/riscv/cpus.yaml) with each hart's interrupt controller. */
int fdt_arch_add_nodes(const struct vm *vm, void *fdt)
{
	char name[24];
	int rc = fdt_property_string(fdt, "compatible", "riscv-virtio");

	if (!rc)
		rc = fdt_begin_cpus(fdt);
	if (!rc)
		rc = fdt_property_u32(fdt, "timebase-frequency", RV_TIMEBASE_HZ);
	for (unsigned i = 0; !rc && i < vm->nvcpus; i++) {
		cv_snprintf(name, sizeof(name), "cpu@%u", i);
		rc = fdt_begin_node(fdt, name);
		if (!rc)
			rc = fdt_property_string(fdt, "device_type", "cpu");
		if (!rc)
			rc = fdt_property_string(fdt, "compatible", "riscv");
		if (!rc)
			rc = fdt_property_u32(fdt, "reg", i);
		if (!rc)
			rc = fdt_property_string(fdt, "status", "okay");
		if (!rc)
			rc = fdt_property_string(fdt, "riscv,isa", "rv64imac");
		if (!rc)
			rc = fdt_property_string(fdt, "mmu-type", "riscv,sv39");
		if (!rc)
			rc = fdt_begin_node(fdt, "interrupt-controller");
		if (!rc)
			rc = fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
		if (!rc)
			rc = fdt_property_u32(fdt, "#interrupt-cells", 1);
		if (!rc)
			rc = fdt_property(fdt, "interrupt-controller", NULL, 0);
		if (!rc)
			rc = fdt_property_u32(fdt, "phandle", PHANDLE_CPU0_INTC + i);
		if (!rc)
			rc = fdt_end_node(fdt);
		if (!rc)
			rc = fdt_end_node(fdt);
	}
	if (!rc)
		rc = fdt_end_node(fdt);
	return rc;
}

int fdt_arch_device_node(const struct vm *vm, const struct device *dev, void *fdt)
{
	CV_UNUSED(vm);
	if (strcmp(dev->name, "ns16550a") == 0) {
		/* Linux bindings/serial/8250.yaml */
		int rc = fdt_property_string(fdt, "compatible", "ns16550a");
		if (!rc)
			rc = fdt_property_u32(fdt, "clock-frequency", 3686400);
		if (!rc)
			rc = fdt_property_u32(fdt, "reg-shift", 0);
		if (!rc)
			rc = fdt_property_u32(fdt, "reg-io-width", 1);
		return rc;
	}
	return 0;
}
