/* SPDX-License-Identifier: MIT */
/**
 * @file page_alloc.c
 * @brief Host pages: the RAM the host device tree describes, after
 *        cvisor's image, handed out by hal_page_alloc() (xv6's kalloc.c).
 *
 * Free memory is a short list of ranges (base, pages), address ordered;
 * an allocation takes the first range that fits, first fit. Runs of 2 MiB
 * or more come 2 MiB aligned, so that stage 2 can map guest RAM with 2 MiB
 * blocks. The RAM is the `reg` of the device tree's /memory node
 * (Devicetree Specification 3.4), less what is not cvisor's to give: its
 * own image and what lies before it, the device tree itself, and the
 * /reserved-memory regions (3.5: on RISC-V, OpenSBI's own memory, which
 * its PMP forbids to S-mode). One lock: every CPU allocates.
 */
#include <libfdt.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "hal_bare.h"
#include "lock.h"

extern char __image_end[]; /* link.ld */

#define MAX_RANGES 64
static struct range {
	uint64_t base, pages;
} ranges[MAX_RANGES];
static unsigned nranges;
static struct spinlock ranges_lock;

/* Returns pages at base to the free list, merged with the neighbours they touch. */
static void ranges_add(uint64_t base, uint64_t pages)
{
	unsigned i = 0;
	while (i < nranges && ranges[i].base < base)
		i++;
	if (i > 0 && ranges[i - 1].base + ranges[i - 1].pages * PAGE_SIZE == base) {
		ranges[i - 1].pages += pages;
		if (i < nranges && base + pages * PAGE_SIZE == ranges[i].base) {
			ranges[i - 1].pages += ranges[i].pages;
			memmove(&ranges[i], &ranges[i + 1], (nranges - i - 1) * sizeof(ranges[0]));
			nranges--;
		}
		return;
	}
	if (i < nranges && base + pages * PAGE_SIZE == ranges[i].base) {
		ranges[i].base = base;
		ranges[i].pages += pages;
		return;
	}
	if (nranges == MAX_RANGES) {
		log_warn("page allocator: free list full, %llu pages at 0x%llx lost",
			 (unsigned long long)pages, (unsigned long long)base);
		return;
	}
	memmove(&ranges[i + 1], &ranges[i], (nranges - i) * sizeof(ranges[0]));
	ranges[i].base = base;
	ranges[i].pages = pages;
	nranges++;
}

static void *page_alloc_locked(size_t npages)
{
	/* Runs of 2 MiB or more come 2 MiB aligned, so stage 2 can use blocks. */
	uint64_t align = npages * PAGE_SIZE >= (2ULL << 20) ? (2ULL << 20) : PAGE_SIZE;

	for (unsigned i = 0; i < nranges; i++) {
		uint64_t start = ALIGN_UP(ranges[i].base, align);
		uint64_t end = ranges[i].base + ranges[i].pages * PAGE_SIZE;
		if (start >= end || (end - start) / PAGE_SIZE < npages)
			continue;
		struct range r = ranges[i];
		memmove(&ranges[i], &ranges[i + 1], (nranges - i - 1) * sizeof(ranges[0]));
		nranges--;
		if (start > r.base)
			ranges_add(r.base, (start - r.base) / PAGE_SIZE);
		uint64_t after = start + npages * PAGE_SIZE;
		if (after < end)
			ranges_add(after, (end - after) / PAGE_SIZE);
		return (void *)(uintptr_t)start;
	}
	return NULL;
}

void *hal_page_alloc(size_t npages)
{
	spin_lock(&ranges_lock);
	void *p = page_alloc_locked(npages);
	spin_unlock(&ranges_lock);
	/* Zeroed outside the lock: 128 MiB of a VM's RAM takes a while. */
	if (p)
		memset(p, 0, npages * PAGE_SIZE);
	return p;
}

void hal_page_free(void *p, size_t npages)
{
	if (!p)
		return;
	spin_lock(&ranges_lock);
	ranges_add((uint64_t)(uintptr_t)p, npages);
	spin_unlock(&ranges_lock);
}

/* Takes [base, base + size) out of the free list (a part of a range, or ranges, or nothing). */
static void ranges_take(uint64_t base, uint64_t size)
{
	uint64_t end = ALIGN_UP(base + size, PAGE_SIZE);

	base = ALIGN_DOWN(base, PAGE_SIZE);
	for (unsigned i = 0; i < nranges; i++) {
		uint64_t r_base = ranges[i].base, r_end = r_base + ranges[i].pages * PAGE_SIZE;
		if (end <= r_base || base >= r_end)
			continue;
		memmove(&ranges[i], &ranges[i + 1], (nranges - i - 1) * sizeof(ranges[0]));
		nranges--;
		if (r_base < base)
			ranges_add(r_base, (base - r_base) / PAGE_SIZE);
		if (end < r_end)
			ranges_add(end, (r_end - end) / PAGE_SIZE);
		i = (unsigned)-1; /* the list changed: look again from the start */
	}
}

/*
 * Gives the page allocator the whole pages of [base, base + size): RAM a
 * platform without a device tree found (x86_64's multiboot2 memory map).
 */
void page_alloc_add_ram(uint64_t base, uint64_t size)
{
	uint64_t start = ALIGN_UP(base, PAGE_SIZE), end = ALIGN_DOWN(base + size, PAGE_SIZE);

	if (end <= start)
		return;
	spin_lock(&ranges_lock);
	ranges_add(start, (end - start) / PAGE_SIZE);
	spin_unlock(&ranges_lock);
}

/* Takes [base, base + size) out of what page_alloc_add_ram() gave, whole pages around it. */
void page_alloc_reserve(uint64_t base, uint64_t size)
{
	spin_lock(&ranges_lock);
	ranges_take(base, size);
	spin_unlock(&ranges_lock);
}

/* A cell count property of node (#address-cells, #size-cells), or dflt when absent. */
static unsigned cells(const void *fdt, int node, const char *name, unsigned dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	return p && len == 4 ? fdt32_ld(p) : dflt;
}

/* One number of 1 or 2 cells at *p; advances *p. */
static uint64_t read_cells(const fdt32_t **p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld((*p)++);
	return v;
}

/* Takes every region of /reserved-memory out of the free list. */
static void take_reserved(const void *fdt)
{
	int parent = fdt_path_offset(fdt, "/reserved-memory"), node;
	if (parent < 0)
		return;
	unsigned ac = cells(fdt, parent, "#address-cells", 2), sc = cells(fdt, parent, "#size-cells", 2);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return;
	fdt_for_each_subnode(node, fdt, parent) {
		int len;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		for (; reg && len >= (int)(4 * (ac + sc)); len -= (int)(4 * (ac + sc))) {
			uint64_t base = read_cells(&reg, ac), size = read_cells(&reg, sc);
			ranges_take(base, size);
		}
	}
}

/*
 * Puts the RAM the host device tree describes in the page allocator, less
 * cvisor's image and everything before it, the device tree and the
 * reserved regions, and records it in bare_state. Without a /memory
 * node, assumes dflt_size bytes at dflt_base (QEMU's default RAM).
 */
void page_alloc_init(const void *host_dtb, uint64_t dflt_base, uint64_t dflt_size)
{
	uint64_t ram_base = dflt_base, ram_size = dflt_size;
	bool dtb_ok = fdt_check_header(host_dtb) == 0;
	int node = dtb_ok ? fdt_path_offset(host_dtb, "/memory") : -1;
	if (node < 0 && dtb_ok)
		node = fdt_node_offset_by_prop_value(host_dtb, -1, "device_type", "memory", 7);
	int len;
	const fdt64_t *reg = node >= 0 ? fdt_getprop(host_dtb, node, "reg", &len) : NULL;
	if (reg && len >= 16) {
		ram_base = fdt64_ld(&reg[0]);
		ram_size = fdt64_ld(&reg[1]);
	} else {
		log_warn("no /memory in the host device tree: assuming %llu MiB at 0x%llx",
			 (unsigned long long)(dflt_size >> 20), (unsigned long long)dflt_base);
	}
	uint64_t free_start = ALIGN_UP((uint64_t)(uintptr_t)__image_end, PAGE_SIZE);
	uint64_t end = ram_base + ram_size;
	bare_state.ram_base = ram_base;
	bare_state.ram_size = ram_size;
	ranges_add(free_start, (end - free_start) / PAGE_SIZE);
	if (dtb_ok) {
		ranges_take((uint64_t)(uintptr_t)host_dtb, fdt_totalsize(host_dtb));
		take_reserved(host_dtb);
	}
}
