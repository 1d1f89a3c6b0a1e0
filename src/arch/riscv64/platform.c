/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V guest platform: QEMU's "virt" machine layout
 * (hw/riscv/virt.c memory map), and its device tree nodes.
 *
 *   0x0c00_0000  PLIC ("plic", sifive,plic-1.0.0), contexts as on virt:
 *                2h = hart h's M-mode (no guest has one: never signalled),
 *                2h + 1 = hart h's S-mode (the guest's VS-mode: sip.SEIP)
 *   0x1000_0000  16550A UART ("ns16550a")
 *   0x8000_0000  RAM
 */
#include <libfdt.h>

#include <arch/irq.h>
#include <arch/sysreg.h>
#include <cvisor/arch.h>
#include <cvisor/fdt.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/ns16550.h>
#include <cvisor/plic.h>
#include <cvisor/virtio_blk.h>
#include <cvisor/virtio_console.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/virtio_net.h>
#include <cvisor/virtio_rng.h>
#include <cvisor/vm.h>

#define VIRT_PLIC_BASE 0x0c000000ULL
#define VIRT_UART_BASE 0x10000000ULL
#define PHANDLE_CPU0_INTC 0x8001
#define PHANDLE_PLIC 0x8000
/* The hart-local interrupt numbers the PLIC's contexts drive (Privileged 3.1.9). */
#define IRQ_M_EXT 11
#define IRQ_S_EXT 9

/* A context's line changed: the hart whose S-mode it is looks at its interrupts again. */
static void plic_line(struct vm *vm, unsigned ctx, bool level)
{
	CV_UNUSED(level);
	if ((ctx & 1) && ctx / 2 < vm->nvcpus)
		hal_vcpu_notify(vm->vcpus[ctx / 2]);
}

/* The PLIC with two contexts per hart of the VM, as on QEMU virt. */
static struct device *virt_plic_create(struct vm *vm, gpa_t base, uint64_t size)
{
	struct plic_config cfg = { .ncontexts = 2 * vm->cfg.cpu_num, .line = plic_line };

	return plic_create(vm, base, size, &cfg);
}

static const struct platform_device virt_devices[] = {
	{ "plic", VIRT_PLIC_BASE, PLIC_SIZE },
	{ "ns16550a", VIRT_UART_BASE, NS16550_SIZE },
};

static const struct device_model virt_models[] = {
	{ "ns16550a", 8, false, ns16550_create },
	{ "plic", 0x200000 + 2 * 0x1000, false, virt_plic_create },
	{ "virtio-blk", VIRTIO_MMIO_SIZE, false, virtio_blk_create },
	{ "virtio-console", VIRTIO_MMIO_SIZE, false, virtio_console_create },
	{ "virtio-net", VIRTIO_MMIO_SIZE, false, virtio_net_create },
	{ "virtio-rng", VIRTIO_MMIO_SIZE, false, virtio_rng_create },
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

/* cpu@i with its interrupt controller (Linux bindings/riscv/cpus.yaml, riscv,cpu-intc.yaml). */
static int cpu_node(void *fdt, unsigned i)
{
	char name[24];
	int rc;

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
	return rc;
}

/* /cpus (Linux bindings/riscv/cpus.yaml): timebase-frequency, one cpu@N per hart. */
int fdt_arch_add_nodes(const struct vm *vm, void *fdt)
{
	int rc = fdt_property_string(fdt, "compatible", "riscv-virtio");

	if (!rc)
		rc = fdt_begin_cpus(fdt);
	if (!rc)
		rc = fdt_property_u32(fdt, "timebase-frequency", RV_TIMEBASE_HZ);
	for (unsigned i = 0; !rc && i < vm->nvcpus; i++)
		rc = cpu_node(fdt, i);
	if (!rc)
		rc = fdt_end_node(fdt);
	return rc;
}

/*
 * The PLIC (Linux bindings/interrupt-controller/sifive,plic-1.0.0.yaml):
 * interrupts-extended lists its contexts in order, each as the hart's
 * interrupt controller and the hart-local interrupt it drives: for hart
 * h, context 2h its M-mode external interrupt (11), context 2h + 1 its
 * S-mode one (9), exactly as on QEMU virt, so guests that number the
 * contexts as on virt (xv6-riscv, bare-metal code) work unchanged. Linux
 * uses only the entries with 9.
 */
static int plic_node(const struct vm *vm, void *fdt)
{
	static const char compatible[] = "sifive,plic-1.0.0\0riscv,plic0";
	fdt32_t ext[4 * VM_MAX_VCPUS];
	unsigned n = 0;
	int rc = fdt_property(fdt, "compatible", compatible, sizeof(compatible));

	for (unsigned h = 0; h < vm->nvcpus; h++) {
		ext[n++] = cpu_to_fdt32(PHANDLE_CPU0_INTC + h);
		ext[n++] = cpu_to_fdt32(IRQ_M_EXT);
		ext[n++] = cpu_to_fdt32(PHANDLE_CPU0_INTC + h);
		ext[n++] = cpu_to_fdt32(IRQ_S_EXT);
	}
	if (!rc)
		rc = fdt_property(fdt, "interrupts-extended", ext, (int)(n * sizeof(ext[0])));
	if (!rc)
		rc = fdt_property_u32(fdt, "riscv,ndev", PLIC_NSOURCES - 1);
	if (!rc)
		rc = fdt_property_u32(fdt, "#address-cells", 0);
	if (!rc)
		rc = fdt_property_u32(fdt, "#interrupt-cells", 1);
	if (!rc)
		rc = fdt_property(fdt, "interrupt-controller", NULL, 0);
	if (!rc)
		rc = fdt_property_u32(fdt, "phandle", PHANDLE_PLIC);
	return rc;
}

/* True if the VM has the platform's PLIC, which the generated tree names by PHANDLE_PLIC. */
static bool has_plic(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->bus.ndevs; i++)
		if (plic_of(vm->bus.devs[i]))
			return true;
	return false;
}

/*
 * A virtio-mmio device (Linux bindings/virtio/mmio.yaml): its PLIC
 * source, one cell (the PLIC's #interrupt-cells), as on QEMU virt.
 */
static int virtio_node(const struct vm *vm, const struct virtio_mmio *t, void *fdt)
{
	int rc = fdt_property_string(fdt, "compatible", "virtio,mmio");

	if (!rc && has_plic(vm) && t->irq > 0 && t->irq < PLIC_NSOURCES) {
		rc = fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC);
		if (!rc)
			rc = fdt_property_u32(fdt, "interrupts", t->irq);
	}
	return rc;
}

int fdt_arch_device_node(const struct vm *vm, const struct device *dev, void *fdt)
{
	const struct virtio_mmio *virtio = virtio_mmio_from_device(dev);

	if (virtio)
		return virtio_node(vm, virtio, fdt);
	if (strcmp(dev->name, "plic") == 0)
		return plic_node(vm, fdt);
	if (strcmp(dev->name, "ns16550a") == 0) {
		/*
		 * Linux bindings/serial/8250.yaml. No interrupts property: the
		 * model raises no interrupt line yet (ns16550.c), and a guest
		 * told of one would wait for it; without one Linux polls.
		 */
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
