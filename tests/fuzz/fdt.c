/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target "fdt_<arch>": the device tree cvisor writes for a VM
 * (src/lib/fdt.c and the architecture's fdt_arch_* hooks), the VM made
 * from a fuzzed config. One binary per architecture.
 *
 * Feeds: 3 control bytes, then the text of a TOML config.
 *   bytes 0-1  the size of a second, smaller buffer for the tree;
 *   byte 2     the initrd's size in pages, placed at ramdisk_load_addr.
 *   A config that config_parse() and config_validate() accept (any path
 *   "exists") and vm_create() builds is written with fdt_build().
 * Checks, beyond no crash:
 *  - a VM vm_create() accepts always fits the 64 KiB vm_load_images() gives
 *    its tree, and the blob passes libfdt's fdt_check_full();
 *  - the tree says what the VM is (Devicetree Specification v0.4): root
 *    #address-cells and #size-cells 2; one /memory@<base> per RAM region
 *    with its reg and device_type; one node per MMIO device with its reg;
 *    /chosen/bootargs the config's cmdline (absent when empty);
 *    linux,initrd-start/end the initrd when there is one; stdout-path
 *    the path of an existing node; /cpus, where the architecture writes
 *    it, one cpu@N per vCPU;
 *  - in the smaller buffer fdt_build() either fails with -CV_ENOMEM or
 *    writes the same blob.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <cvisor/config.h>
#include <cvisor/fdt.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

#include "fuzz.h"

/* What vm_load_images() gives the tree (src/core/vm.c, FDT_MAX_SIZE). */
#define TREE_SIZE (64 * 1024)

static bool any_exists(const char *path)
{
	(void)path;
	return true;
}

/* Property name of node holds the 64-bit cells a and b (b only if two_cells). */
static void check_cells(const void *fdt, int node, const char *name, uint64_t a, uint64_t b,
			bool two_cells)
{
	int len;
	const fdt64_t *p = fdt_getprop(fdt, node, name, &len);

	FUZZ_CHECK(p && len == (two_cells ? 16 : 8), "property %s of %d bytes", name, p ? len : -1);
	FUZZ_CHECK(fdt64_ld(&p[0]) == a && (!two_cells || fdt64_ld(&p[1]) == b),
		   "property %s holds other values", name);
}

static void check_string_prop(const void *fdt, int node, const char *name, const char *want)
{
	const char *s = fdt_getprop(fdt, node, name, NULL);
	FUZZ_CHECK(s && strcmp(s, want) == 0, "property %s is \"%s\", not \"%s\"", name,
		   s ? s : "(absent)", want);
}

static void check_nodes(const struct vm *vm, const void *fdt)
{
	char path[80];
	int node, n = 0;
	unsigned ram = 0;

	for (unsigned i = 0; i < vm->as.nregions; i++) {
		const struct as_region *r = &vm->as.regions[i];
		if (r->kind != REGION_RAM)
			continue;
		ram++;
		cv_snprintf(path, sizeof(path), "/memory@%llx", (unsigned long long)r->base);
		node = fdt_path_offset(fdt, path);
		FUZZ_CHECK(node >= 0, "no node %s", path);
		check_cells(fdt, node, "reg", r->base, r->size, true);
		check_string_prop(fdt, node, "device_type", "memory");
	}
	for (unsigned i = 0; i < vm->bus.ndevs; i++) {
		const struct device *d = vm->bus.devs[i];
		cv_snprintf(path, sizeof(path), "/%s@%llx", d->name, (unsigned long long)d->base);
		node = fdt_path_offset(fdt, path);
		FUZZ_CHECK(node >= 0, "no node %s", path);
		if (!d->own_reg) {
			check_cells(fdt, node, "reg", d->base, d->size, true);
			continue;
		}
		/* A device with several ranges (the GICv3): each inside its window, the first at its base. */
		int len;
		const fdt64_t *p = fdt_getprop(fdt, node, "reg", &len);
		FUZZ_CHECK(p && len > 0 && len % 16 == 0, "%s: reg of %d bytes", path, p ? len : -1);
		FUZZ_CHECK(fdt64_ld(&p[0]) == d->base, "%s: reg does not start at its base", path);
		for (int k = 0; k < len / 8; k += 2)
			FUZZ_CHECK(fdt64_ld(&p[k]) >= d->base && fdt64_ld(&p[k + 1]) <= d->size &&
					   fdt64_ld(&p[k]) - d->base <= d->size - fdt64_ld(&p[k + 1]),
				   "%s: reg range %d outside the device's window", path, k / 2);
	}
	fdt_for_each_subnode(node, fdt, 0)
		if (strncmp(fdt_get_name(fdt, node, NULL), "memory@", 7) == 0)
			n++;
	FUZZ_CHECK((unsigned)n == ram, "%d memory nodes for %u RAM regions", n, ram);
}

/* Root cells, /chosen and /cpus. */
static void check_tree(const struct vm *vm, const void *fdt)
{
	int len;
	const fdt32_t *cells = fdt_getprop(fdt, 0, "#address-cells", &len);

	FUZZ_CHECK(cells && len == 4 && fdt32_ld(cells) == 2, "root #address-cells");
	cells = fdt_getprop(fdt, 0, "#size-cells", &len);
	FUZZ_CHECK(cells && len == 4 && fdt32_ld(cells) == 2, "root #size-cells");

	int chosen = fdt_path_offset(fdt, "/chosen");
	FUZZ_CHECK(chosen >= 0, "no /chosen");
	if (vm->cfg.cmdline[0])
		check_string_prop(fdt, chosen, "bootargs", vm->cfg.cmdline);
	else
		FUZZ_CHECK(!fdt_getprop(fdt, chosen, "bootargs", NULL), "bootargs without a cmdline");
	if (vm->initrd_end > vm->initrd_start) {
		check_cells(fdt, chosen, "linux,initrd-start", vm->initrd_start, 0, false);
		check_cells(fdt, chosen, "linux,initrd-end", vm->initrd_end, 0, false);
	} else {
		FUZZ_CHECK(!fdt_getprop(fdt, chosen, "linux,initrd-start", NULL), "initrd without one");
	}
	const char *out = fdt_getprop(fdt, chosen, "stdout-path", NULL);
	if (out)
		FUZZ_CHECK(fdt_path_offset(fdt, out) >= 0, "stdout-path %s names no node", out);

	int cpus = fdt_path_offset(fdt, "/cpus"), node, n = 0;
	if (cpus >= 0) {
		fdt_for_each_subnode(node, fdt, cpus)
			n++;
		FUZZ_CHECK((unsigned)n == vm->nvcpus, "%d cpu nodes for %u vCPUs", n, vm->nvcpus);
	}
}

/* Builds the tree in 64 KiB and in size bytes, and checks both. */
static void check_fdt(const struct vm *vm, size_t size)
{
	static uint8_t tree[TREE_SIZE];
	uint8_t *small = malloc(size ? size : 1);

	int n = fdt_build(vm, tree, sizeof(tree));
	FUZZ_CHECK(n > 0, "fdt_build in %d bytes: %d", TREE_SIZE, n);
	FUZZ_CHECK(fdt_check_full(tree, (size_t)n) == 0, "libfdt refuses the tree: %s",
		   fdt_strerror(fdt_check_full(tree, (size_t)n)));
	check_tree(vm, tree);
	check_nodes(vm, tree);

	int m = fdt_build(vm, small, size);
	FUZZ_CHECK(m == -CV_ENOMEM || (m == n && memcmp(small, tree, (size_t)n) == 0),
		   "fdt_build in %zu bytes gave %d (%d in %d)", size, m, n, TREE_SIZE);
	free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_config cfg;
	static struct diag_list dl;
	struct fuzz_in in = { data, size };
	struct vm *vm;
	char err[300];

	size_t small = fuzz_u16(&in);
	unsigned initrd_pages = fuzz_u8(&in);
	memset(&dl, 0, sizeof(dl));
	if (config_parse((const char *)in.p, in.left, "fuzz/vm.toml", &cfg, &dl) < 0 ||
	    config_validate(&cfg, any_exists, &dl) > 0 || vm_create(&cfg, &vm, err, sizeof(err)) < 0)
		return 0;
	if (cfg.ramdisk_load_addr.set && initrd_pages) {
		vm->initrd_start = cfg.ramdisk_load_addr.value;
		vm->initrd_end = vm->initrd_start + initrd_pages * PAGE_SIZE;
	}
	check_fdt(vm, small);
	vm_destroy(vm);
	FUZZ_CHECK(hal_fuzz_pages_in_use() == 0, "%zu pages left", hal_fuzz_pages_in_use());
	return 0;
}
