/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 guest platform: QEMU's "virt" machine layout (hw/arm/virt.c
 * memory map), so configs need not list the standard devices, and the
 * device tree nodes that describe them.
 *
 *   0x0800_0000  GIC (with the interrupts issue)
 *   0x0900_0000  PL011 UART
 *   0x4000_0000  RAM
 */
#include <libfdt.h>

#include <cvisor/arch.h>
#include <cvisor/fdt.h>
#include <cvisor/lib.h>
#include <cvisor/pl011.h>
#include <cvisor/vm.h>

#define VIRT_UART_BASE 0x09000000ULL
/* phandle of the fixed clock the PL011 binding asks for. */
#define PHANDLE_APB_PCLK 0x8000

static const struct platform_device virt_devices[] = {
	{ "pl011", VIRT_UART_BASE, PL011_SIZE },
};

/* A PL011 serves its 4 KiB whatever the window (the rest of a larger one reads as a hole). */
static struct device *create_pl011(struct vm *vm, gpa_t base, uint64_t size)
{
	CV_UNUSED(size);
	return pl011_create(vm, base);
}

static const struct device_model virt_models[] = {
	{ "pl011", PL011_SIZE, false, create_pl011 },
};

const struct platform_desc vm_arch_platform = {
	.arch = ARCH_AARCH64,
	.devices = virt_devices,
	.ndevices = ARRAY_SIZE(virt_devices),
	.models = virt_models,
	.nmodels = ARRAY_SIZE(virt_models),
	.console = "pl011",
	.halt_insn = "WFI",
};
/* /cpus with one cpu@N per vCPU (enable-method psci), /psci, the clock. */
int fdt_arch_add_nodes(const struct vm *vm, void *fdt)
{
	char name[24];
	int rc = fdt_property_string(fdt, "compatible", "linux,dummy-virt");

	if (!rc)
		rc = fdt_begin_cpus(fdt);
	for (unsigned i = 0; !rc && i < vm->nvcpus; i++) {
		cv_snprintf(name, sizeof(name), "cpu@%u", i);
		rc = fdt_begin_node(fdt, name);
		if (!rc)
			rc = fdt_property_string(fdt, "device_type", "cpu");
		if (!rc)
			rc = fdt_property_string(fdt, "compatible", "arm,armv8");
		if (!rc)
			rc = fdt_property_u32(fdt, "reg", i);
		if (!rc)
			rc = fdt_property_string(fdt, "enable-method", "psci");
		if (!rc)
			rc = fdt_end_node(fdt);
	}
	if (!rc)
		rc = fdt_end_node(fdt);
	/* PSCI 1.0 binding (Linux Documentation/devicetree/bindings/arm/psci.yaml). */
	if (!rc)
		rc = fdt_begin_node(fdt, "psci");
	if (!rc)
		rc = fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2",
				  sizeof("arm,psci-1.0\0arm,psci-0.2"));
	if (!rc)
		rc = fdt_property_string(fdt, "method", "hvc");
	if (!rc)
		rc = fdt_end_node(fdt);
	/* The PL011 binding needs its clocks: one fixed 24 MHz clock, as on QEMU virt. */
	if (!rc)
		rc = fdt_begin_node(fdt, "apb-pclk");
	if (!rc)
		rc = fdt_property_string(fdt, "compatible", "fixed-clock");
	if (!rc)
		rc = fdt_property_u32(fdt, "#clock-cells", 0);
	if (!rc)
		rc = fdt_property_u32(fdt, "clock-frequency", 24000000);
	if (!rc)
		rc = fdt_property_string(fdt, "clock-output-names", "clk24mhz");
	if (!rc)
		rc = fdt_property_u32(fdt, "phandle", PHANDLE_APB_PCLK);
	if (!rc)
		rc = fdt_end_node(fdt);
	return rc;
}

int fdt_arch_device_node(const struct vm *vm, const struct device *dev, void *fdt)
{
	CV_UNUSED(vm);
	if (strcmp(dev->name, "pl011") == 0) {
		/* Linux bindings/serial/arm,pl011.yaml */
		fdt32_t clocks[2] = { cpu_to_fdt32(PHANDLE_APB_PCLK), cpu_to_fdt32(PHANDLE_APB_PCLK) };
		int rc = fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell",
				      sizeof("arm,pl011\0arm,primecell"));
		if (!rc)
			rc = fdt_property(fdt, "clocks", clocks, sizeof(clocks));
		if (!rc)
			rc = fdt_property(fdt, "clock-names", "uartclk\0apb_pclk",
					  sizeof("uartclk\0apb_pclk"));
		return rc;
	}
	return 0;
}
