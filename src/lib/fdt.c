/* SPDX-License-Identifier: MIT */
/*
 * Generation of the guest's device tree (Devicetree Specification v0.4),
 * with libfdt's sequential-write API. The core writes what every
 * architecture shares (root cells, /chosen, /memory, device nodes); the
 * architecture adds its own nodes (cpus, psci, clocks) and the device
 * properties it knows (compatible strings).
 */
#include <libfdt.h>

#include <cvisor/arch.h>
#include <cvisor/fdt.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

/* Maps a libfdt error to a cv_err. */
static int fdt_err(int err)
{
	return err == -FDT_ERR_NOSPACE ? -CV_ENOMEM : -CV_EINVAL;
}

/* Writes a property of two 64-bit cells (address, size), as #address-cells = 2. */
static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

/* /chosen: command line, console, initrd (Devicetree spec 3.6; Linux's chosen.txt). */
static int add_chosen(const struct vm *vm, void *fdt)
{
	char path[64];
	int rc = fdt_begin_node(fdt, "chosen");

	if (!rc && vm->cfg.cmdline[0])
		rc = fdt_property_string(fdt, "bootargs", vm->cfg.cmdline);
	for (unsigned i = 0; !rc && i < vm->bus.ndevs; i++) {
		const struct device *d = vm->bus.devs[i];
		if (strcmp(d->name, vm_arch_platform.console) == 0) {
			cv_snprintf(path, sizeof(path), "/%s@%llx", d->name,
				    (unsigned long long)d->base);
			rc = fdt_property_string(fdt, "stdout-path", path);
			break;
		}
	}
	if (!rc && vm->initrd_end > vm->initrd_start) {
		rc = fdt_property_u64(fdt, "linux,initrd-start", vm->initrd_start);
		if (!rc)
			rc = fdt_property_u64(fdt, "linux,initrd-end", vm->initrd_end);
	}
	if (!rc)
		rc = fdt_end_node(fdt);
	return rc;
}

/* One /memory@base node per RAM region. */
static int add_memory(const struct vm *vm, void *fdt)
{
	char name[40];
	int rc = 0;

	for (unsigned i = 0; !rc && i < vm->as.nregions; i++) {
		const struct as_region *r = &vm->as.regions[i];
		if (r->kind != REGION_RAM)
			continue;
		cv_snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)r->base);
		rc = fdt_begin_node(fdt, name);
		if (!rc)
			rc = fdt_property_string(fdt, "device_type", "memory");
		if (!rc)
			rc = prop_reg(fdt, r->base, r->size);
		if (!rc)
			rc = fdt_end_node(fdt);
	}
	return rc;
}

/* One node per emulated device; the architecture fills in its properties. */
static int add_devices(const struct vm *vm, void *fdt)
{
	char name[64];
	int rc = 0;

	for (unsigned i = 0; !rc && i < vm->bus.ndevs; i++) {
		const struct device *d = vm->bus.devs[i];
		cv_snprintf(name, sizeof(name), "%s@%llx", d->name, (unsigned long long)d->base);
		rc = fdt_begin_node(fdt, name);
		if (!rc && !d->own_reg)
			rc = prop_reg(fdt, d->base, d->size);
		if (!rc)
			rc = fdt_arch_device_node(vm, d, fdt);
		if (!rc)
			rc = fdt_end_node(fdt);
	}
	return rc;
}

int fdt_begin_cpus(void *fdt)
{
	int rc = fdt_begin_node(fdt, "cpus");
	if (!rc)
		rc = fdt_property_u32(fdt, "#address-cells", 1);
	if (!rc)
		rc = fdt_property_u32(fdt, "#size-cells", 0);
	return rc;
}

int fdt_build(const struct vm *vm, void *buf, size_t size)
{
	void *fdt = buf;
	int rc = fdt_create(fdt, (int)size);

	if (!rc)
		rc = fdt_finish_reservemap(fdt);
	if (!rc)
		rc = fdt_begin_node(fdt, "");
	if (!rc)
		rc = fdt_property_u32(fdt, "#address-cells", 2);
	if (!rc)
		rc = fdt_property_u32(fdt, "#size-cells", 2);
	if (!rc)
		rc = fdt_property_string(fdt, "model", "cvisor virtual machine");
	/* First: the architecture's root properties (compatible, interrupt-parent) come before any node. */
	if (!rc)
		rc = fdt_arch_add_nodes(vm, fdt);
	if (!rc)
		rc = add_chosen(vm, fdt);
	if (!rc)
		rc = add_memory(vm, fdt);
	if (!rc)
		rc = add_devices(vm, fdt);
	if (!rc)
		rc = fdt_end_node(fdt);
	if (!rc)
		rc = fdt_finish(fdt);
	if (rc)
		return fdt_err(rc);
	return (int)fdt_totalsize(fdt);
}
