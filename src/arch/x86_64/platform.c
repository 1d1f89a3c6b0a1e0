/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 guest platform, following QEMU's q35 conventions where a
 * guest looks for them:
 *
 *   I/O port 0x3f8   COM1, a 16550A UART ("ns16550a")
 *   I/O port 0x604   ACPI PM1a control: writing SLP_EN (0x2000) powers off
 *   MMIO 0xfec00000  the I/O APIC ("ioapic", ioapic.c)
 *   MMIO 0xfee00000  each vCPU's local APIC (irq.c): not a device of the bus,
 *                    the CPU's own (IA32_APIC_BASE)
 *   RAM from 0 (the config's memory_regions)
 *
 * x86 guests do not use a device tree; cvisor still writes one (memory,
 * /chosen) for guests that look for it, at the same place as elsewhere.
 */
#include <libfdt.h>

#include <arch/irq.h>

#include <cvisor/arch.h>
#include <cvisor/fdt.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/ns16550.h>
#include <cvisor/virtio_blk.h>
#include <cvisor/virtio_console.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/virtio_net.h>
#include <cvisor/virtio_rng.h>
#include <cvisor/vm.h>

#define COM1_PORT 0x3f8
#define PM1A_CNT_PORT 0x604
#define PM1_SLP_EN (1u << 13)

static const struct platform_device pc_devices[] = {
	{ "ns16550a", COM1_PORT, 8 },
	{ "acpi-pm", PM1A_CNT_PORT, 2 },
	{ "ioapic", IOAPIC_BASE, IOAPIC_SIZE },
};

/*
 * PM1a control (ACPI 6.4, 4.8.3.2.1 "PM1 Control Registers"): SLP_EN with
 * SLP_TYP 0, the S5 (soft off) value of QEMU's q35 tables, powers off.
 */
static int pm_read(struct device *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	(void)dev;
	(void)offset;
	(void)size;
	*val = 0;
	return 0;
}

static int pm_write(struct device *dev, uint64_t offset, unsigned size, uint64_t val)
{
	if (offset != 0 || size != 2)
		return -CV_EINVAL;
	if ((val & PM1_SLP_EN) && ((val >> 10) & 7) == 0)
		vm_stop(dev->vm, VM_OFF, "guest powered off (ACPI S5 through PM1a control)");
	return 0;
}

static const struct device_ops pm_ops = { .read = pm_read, .write = pm_write };

static struct device *create_pm(struct vm *vm, gpa_t base, uint64_t size)
{
	struct device *dev = hal_zalloc(sizeof(*dev));

	if (dev) {
		cv_strlcpy(dev->name, "acpi-pm", sizeof(dev->name));
		dev->base = base;
		dev->size = size;
		dev->ops = &pm_ops;
		dev->vm = vm;
	}
	return dev;
}

/* The UART and the power-off port are I/O port devices on a PC; the I/O APIC is MMIO. */
static const struct device_model pc_models[] = {
	{ "ns16550a", 8, true, ns16550_create },
	{ "acpi-pm", 2, true, create_pm },
	{ "ioapic", IOAPIC_SIZE, false, ioapic_create },
	{ "virtio-blk", VIRTIO_MMIO_SIZE, false, virtio_blk_create },
	{ "virtio-console", VIRTIO_MMIO_SIZE, false, virtio_console_create },
	{ "virtio-net", VIRTIO_MMIO_SIZE, false, virtio_net_create },
	{ "virtio-rng", VIRTIO_MMIO_SIZE, false, virtio_rng_create },
};

const struct platform_desc vm_arch_platform = {
	.arch = ARCH_X86_64,
	.devices = pc_devices,
	.ndevices = ARRAY_SIZE(pc_devices),
	.models = pc_models,
	.nmodels = ARRAY_SIZE(pc_models),
	.console = "ns16550a",
	.halt_insn = "HLT",
};

int fdt_arch_add_nodes(const struct vm *vm, void *fdt)
{
	CV_UNUSED(vm);
	return fdt_property_string(fdt, "compatible", "cvisor,x86-64-pc");
}

int fdt_arch_device_node(const struct vm *vm, const struct device *dev, void *fdt)
{
	CV_UNUSED(vm);
	CV_UNUSED(dev);
	CV_UNUSED(fdt);
	return 0;
}
