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
 * (Devicetree Specification 3.4). One lock: every CPU allocates.
 */
#include <libfdt.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "../hal_bare.h"
#include "hal_aarch64.h"
#include "virt.h"
#include "../lock.h"

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

/*
 * Puts the RAM the host device tree describes, minus cvisor's image, in
 * the page allocator, and records it in bare_state. Without a /memory
 * node, assumes QEMU's default RAM.
 */
void page_alloc_init(const void *host_dtb)
{
	uint64_t ram_base = VIRT_RAM_BASE, ram_size = VIRT_RAM_SIZE;
	int node = fdt_check_header(host_dtb) == 0 ? fdt_path_offset(host_dtb, "/memory") : -1;
	if (node < 0)
		node = fdt_node_offset_by_prop_value(host_dtb, -1, "device_type", "memory", 7);
	int len;
	const fdt64_t *reg = node >= 0 ? fdt_getprop(host_dtb, node, "reg", &len) : NULL;
	if (reg && len >= 16) {
		ram_base = fdt64_ld(&reg[0]);
		ram_size = fdt64_ld(&reg[1]);
	} else {
		log_warn("no /memory in the host device tree: assuming 128 MiB at 0x40000000");
	}
	uint64_t free_start = ALIGN_UP((uint64_t)(uintptr_t)__image_end, PAGE_SIZE);
	uint64_t end = ram_base + ram_size;
	bare_state.ram_base = ram_base;
	bare_state.ram_size = ram_size;
	ranges_add(free_start, (end - free_start) / PAGE_SIZE);
}
