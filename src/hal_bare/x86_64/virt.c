/* SPDX-License-Identifier: MIT */
/**
 * @file virt.c
 * @brief Bringing up a PC in VMX root operation: the order in which the
 *        bare HAL's pieces start, and the RAM from the multiboot2 memory map.
 *
 * The PC's memory map as cvisor uses it (under Bochs with `megs: 1024`):
 *
 *   0x0000_0000  real-mode memory, the VGA window, the BIOS: never used
 *   0x0010_0000  cvisor's image (link.ld: text, data, BSS, boot stack)
 *      ...       free RAM, less GRUB's boot information (somewhere above
 *                the image) until the end of what the memory map calls RAM
 *   0x3fff_0000  (1 GiB - 64 KiB) Bochs's ACPI tables: not RAM ("ACPI
 *                reclaimable" in the map)
 *   0xfec0_0000  the I/O APIC; 0xfee0_0000 the local APIC (lapic.c)
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "../hal_bare.h"
#include "hal_arch.h"

const char bare_privilege[] = "in VMX root operation";

extern char __image_start[], __image_end[]; /* link.ld */

/* The boot information (Multiboot2 spec 3.6): a header, then tags, each 8-byte aligned. */
struct mb2_info {
	uint32_t total_size;
	uint32_t reserved;
};
struct mb2_tag {
	uint32_t type;
	uint32_t size; /* with this header, without the padding to 8 bytes */
};
#define MB2_TAG_END 0
#define MB2_TAG_MMAP 6
/* The memory map tag (3.6.8): entries of entry_size bytes after this header. */
struct mb2_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
};
struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type; /* 1: available RAM; 3: ACPI reclaimable; 4: preserve on hibernation; 5: bad */
	uint32_t reserved;
};
#define MB2_MEMORY_AVAILABLE 1

#define LOW_MEMORY_END 0x100000ULL    /* below: the PC's legacy area */
#define MAPPED_END (64ULL << 30)      /* mmu.c's map */

/* Finds tag type in the boot information at info, or NULL. */
static const struct mb2_tag *mb2_find(uint64_t info, uint32_t type)
{
	const struct mb2_info *h = (const void *)(uintptr_t)info;
	uint64_t end = info + h->total_size, p = info + sizeof(*h);

	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *t = (const void *)(uintptr_t)p;
		if (t->type == MB2_TAG_END || t->size < sizeof(*t) || p + t->size > end)
			return NULL;
		if (t->type == type)
			return t;
		p += ALIGN_UP(t->size, 8);
	}
	return NULL;
}

/*
 * Puts the RAM the multiboot2 memory map calls available (type 1) in the
 * page allocator: above 1 MiB, below mmu.c's 64 GiB, less cvisor's image
 * and the boot information itself. Records the RAM in bare_state.
 */
void mb2_memory_init(uint64_t info)
{
	const struct mb2_mmap *mm = info ? (const void *)mb2_find(info, MB2_TAG_MMAP) : NULL;
	uint64_t lowest = UINT64_MAX, total = 0;

	if (!mm || mm->entry_size < sizeof(struct mb2_mmap_entry))
		hal_panic("no memory map in the multiboot2 boot information at 0x%llx",
			  (unsigned long long)info);
	for (uint64_t off = sizeof(*mm); off + mm->entry_size <= mm->tag.size; off += mm->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)((const char *)mm + off);
		if (e->type != MB2_MEMORY_AVAILABLE || e->length == 0)
			continue;
		uint64_t start = e->base_addr, end = e->base_addr + e->length;
		lowest = start < lowest ? start : lowest;
		total += e->length;
		if (end > MAPPED_END) {
			log_warn("RAM above 64 GiB (to 0x%llx) left unused", (unsigned long long)end);
			end = MAPPED_END;
		}
		if (start < LOW_MEMORY_END)
			start = LOW_MEMORY_END;
		if (start < end)
			page_alloc_add_ram(start, end - start);
	}
	if (!total)
		hal_panic("the multiboot2 memory map lists no available RAM");
	page_alloc_reserve((uint64_t)(uintptr_t)__image_start,
			   (uint64_t)(uintptr_t)(__image_end - __image_start));
	page_alloc_reserve(info, ((const struct mb2_info *)(uintptr_t)info)->total_size);
	bare_state.ram_base = lowest;
	bare_state.ram_size = total;
}

void bare_platform_init(void)
{
	x86_mmu_init();                /* cvisor's identity map, 64 GiB (mmu.c) */
	cpu_tables_init(&pcpus[0]);    /* GDT, TSS, IDT of the boot CPU */
	smp_init();                    /* the boot CPU is pcpus[0]; GS base */
	mb2_memory_init(bare_mb2_info); /* free RAM from GRUB's memory map */
	bare_heap_init();              /* hal_zalloc() on those pages */
	lapic_host_init();             /* the local APIC: spurious vector, LINTs masked */
	timer_init();                  /* the TSC's rate, the APIC timer's mode */
	vmx_cpu_init(&pcpus[0]);       /* VMXON (vmx.c) */
	bare_state.ncpus = npcpus;
}
