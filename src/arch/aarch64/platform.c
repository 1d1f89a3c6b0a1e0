/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 guest platform: QEMU's "virt" machine layout (hw/arm/virt.c
 * memory map), so configs need not list the standard devices, and the
 * device tree nodes that describe them.
 *
 *   0x0000_0000  CFI flash, two banks of 64 MiB (bank 1 at 0x0400_0000)
 *   0x0800_0000  GICv3 distributor (64 KiB)
 *   0x080a_0000  GICv3 redistributors, 128 KiB per vCPU
 *   0x0900_0000  PL011 UART (SPI 33)
 *   0x4000_0000  RAM
 */
#include <libfdt.h>

#include <arch/irq.h>

#include <cvisor/arch.h>
#include <cvisor/fdt.h>
#include <cvisor/gicv3.h>
#include <cvisor/lib.h>
#include <cvisor/pflash.h>
#include <cvisor/pl011.h>
#include <cvisor/virtio_blk.h>
#include <cvisor/virtio_console.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/virtio_net.h>
#include <cvisor/virtio_rng.h>
#include <cvisor/vm.h>

#define VIRT_FLASH_BASE 0x00000000ULL
#define VIRT_UART_BASE 0x09000000ULL
/* The PL011's interrupt on QEMU virt: SPI 1 (INTID 33). */
#define VIRT_UART_SPI 1
/* phandles: the fixed clock the PL011 binding asks for; the GIC. */
#define PHANDLE_APB_PCLK 0x8000
#define PHANDLE_GIC 0x8001

/* The GIC's 3-cell interrupt specifier (Linux bindings/interrupt-controller/arm,gic-v3.yaml). */
#define GIC_FDT_SPI 0
#define GIC_FDT_PPI 1
#define GIC_FDT_LEVEL_HIGH 4

static const struct platform_device virt_devices[] = {
	{ "gicv3", GICV3_DIST_BASE, GICV3_WINDOW_SIZE },
	{ "pl011", VIRT_UART_BASE, PL011_SIZE },
	{ "flash", VIRT_FLASH_BASE, PFLASH_MAX_BANKS * PFLASH_BANK_SIZE },
};

/*
 * A PL011 serves its 4 KiB whatever the window (the rest of a larger one
 * reads as a hole); its interrupt is the virt machine's UART SPI, as its
 * device tree node says.
 */
static struct device *create_pl011(struct vm *vm, gpa_t base, uint64_t size)
{
	CV_UNUSED(size);
	return pl011_create(vm, base, GICV3_SPI_BASE + VIRT_UART_SPI);
}

static const struct device_model virt_models[] = {
	{ "gicv3", GICV3_WINDOW_SIZE, false, gicv3_create },
	{ "pl011", PL011_SIZE, false, create_pl011 },
	{ "flash", PFLASH_BANK_SIZE, false, pflash_create },
	{ "virtio-blk", VIRTIO_MMIO_SIZE, false, virtio_blk_create },
	{ "virtio-console", VIRTIO_MMIO_SIZE, false, virtio_console_create },
	{ "virtio-net", VIRTIO_MMIO_SIZE, false, virtio_net_create },
	{ "virtio-rng", VIRTIO_MMIO_SIZE, false, virtio_rng_create },
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
/* Writes a property of 3-cell interrupt specifiers: n triples (type, number, flags). */
static int prop_interrupts(void *fdt, const uint32_t *cells, unsigned n)
{
	fdt32_t v[12];

	for (unsigned i = 0; i < 3 * n && i < ARRAY_SIZE(v); i++)
		v[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, "interrupts", v, 3 * n * sizeof(fdt32_t));
}

/*
 * /timer (Linux bindings/timer/arm,arch_timer.yaml): the four PPIs in the
 * binding's order, secure physical (13), non-secure physical (14),
 * virtual (11), hypervisor (10), as PPI numbers (INTID - 16), level-high.
 * always-on: the timer keeps counting while the vCPU waits (WFI).
 */
static int add_timer(void *fdt)
{
	const uint32_t ppis[] = {
		GIC_FDT_PPI, A64_PPI_CNTPS - 16, GIC_FDT_LEVEL_HIGH,
		GIC_FDT_PPI, A64_PPI_CNTP - 16, GIC_FDT_LEVEL_HIGH,
		GIC_FDT_PPI, A64_PPI_CNTV - 16, GIC_FDT_LEVEL_HIGH,
		GIC_FDT_PPI, A64_PPI_CNTHP - 16, GIC_FDT_LEVEL_HIGH,
	};
	int rc = fdt_begin_node(fdt, "timer");

	if (!rc)
		rc = fdt_property(fdt, "compatible", "arm,armv8-timer\0arm,armv7-timer",
				  sizeof("arm,armv8-timer\0arm,armv7-timer"));
	if (!rc)
		rc = prop_interrupts(fdt, ppis, 4);
	if (!rc)
		rc = fdt_property(fdt, "always-on", NULL, 0);
	if (!rc)
		rc = fdt_end_node(fdt);
	return rc;
}

/*
 * /cpus with one cpu@N per vCPU (reg = its MPIDR affinity, enable-method
 * psci), /psci, the timer, the clock.
 */
int fdt_arch_add_nodes(const struct vm *vm, void *fdt)
{
	char name[24];
	int rc = fdt_property_string(fdt, "compatible", "linux,dummy-virt");

	if (!rc && gicv3_of(vm))
		rc = fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC);

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
	if (!rc && gicv3_of(vm))
		rc = add_timer(fdt);
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

/*
 * The GICv3 (Linux bindings/interrupt-controller/arm,gic-v3.yaml): reg =
 * the distributor, then one redistributor region holding every vCPU's
 * (#redistributor-regions = 1); three interrupt cells (type, number,
 * flags). Its own node writes reg: the core writes one range only.
 */
static int gic_node(const struct gicv3 *gic, const struct device *dev, void *fdt)
{
	gpa_t rbase;
	uint64_t rsize;

	gicv3_redist_region(gic, &rbase, &rsize);
	fdt64_t reg[4] = { cpu_to_fdt64(dev->base), cpu_to_fdt64(GICV3_DIST_SIZE),
			   cpu_to_fdt64(rbase), cpu_to_fdt64(rsize) };
	int rc = fdt_property_string(fdt, "compatible", "arm,gic-v3");
	if (!rc)
		rc = fdt_property(fdt, "reg", reg, sizeof(reg));
	if (!rc)
		rc = fdt_property_u32(fdt, "#redistributor-regions", 1);
	if (!rc)
		rc = fdt_property_u32(fdt, "#interrupt-cells", 3);
	if (!rc)
		rc = fdt_property(fdt, "interrupt-controller", NULL, 0);
	/* No child nodes (no ITS); dtc wants an interrupt provider to say so. */
	if (!rc)
		rc = fdt_property_u32(fdt, "#address-cells", 0);
	if (!rc)
		rc = fdt_property_u32(fdt, "phandle", PHANDLE_GIC);
	return rc;
}

/*
 * The flash (Linux bindings/mtd/mtd-physmap.yaml): one reg range per
 * bank, as QEMU virt describes its two, and the bus width in bytes.
 */
static int flash_node(const struct device *dev, void *fdt)
{
	fdt64_t reg[2 * PFLASH_MAX_BANKS];
	unsigned n = pflash_banks(dev);

	for (unsigned i = 0; i < n; i++) {
		reg[2 * i] = cpu_to_fdt64(dev->base + i * PFLASH_BANK_SIZE);
		reg[2 * i + 1] = cpu_to_fdt64(PFLASH_BANK_SIZE);
	}
	int rc = fdt_property_string(fdt, "compatible", "cfi-flash");
	if (!rc)
		rc = fdt_property(fdt, "reg", reg, (int)(2 * n * sizeof(fdt64_t)));
	if (!rc)
		rc = fdt_property_u32(fdt, "bank-width", PFLASH_WIDTH);
	return rc;
}

/*
 * A virtio-mmio device (Linux bindings/virtio/mmio.yaml): its SPI,
 * level-sensitive as the transport drives it (virtio_mmio.c), and
 * dma-coherent as on QEMU virt: the device reads guest RAM directly.
 */
static int virtio_node(const struct vm *vm, const struct virtio_mmio *t, void *fdt)
{
	int rc = fdt_property_string(fdt, "compatible", "virtio,mmio");

	if (!rc)
		rc = fdt_property(fdt, "dma-coherent", NULL, 0);
	if (!rc && gicv3_of(vm) && t->irq >= GICV3_SPI_BASE) {
		const uint32_t spi[] = { GIC_FDT_SPI, t->irq - GICV3_SPI_BASE, GIC_FDT_LEVEL_HIGH };
		rc = prop_interrupts(fdt, spi, 1);
	}
	return rc;
}

int fdt_arch_device_node(const struct vm *vm, const struct device *dev, void *fdt)
{
	const struct gicv3 *gic = gicv3_from_device(dev);
	const struct virtio_mmio *virtio = virtio_mmio_from_device(dev);

	if (gic)
		return gic_node(gic, dev, fdt);
	if (virtio)
		return virtio_node(vm, virtio, fdt);
	if (strcmp(dev->name, "flash") == 0)
		return flash_node(dev, fdt);
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
		/* Its SPI, as on QEMU virt (create_pl011()). */
		const uint32_t spi[] = { GIC_FDT_SPI, VIRT_UART_SPI, GIC_FDT_LEVEL_HIGH };
		if (!rc && gicv3_of(vm))
			rc = prop_interrupts(fdt, spi, 1);
		return rc;
	}
	return 0;
}
