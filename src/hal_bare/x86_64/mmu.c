/* SPDX-License-Identifier: MIT */
/**
 * @file mmu.c
 * @brief cvisor's own page tables in long mode: an identity map (xv6's
 *        vm.c, for the hypervisor only; guests' EPT is the core's stage 2).
 *
 * Intel SDM Vol. 3A 4.5 (4-level paging). A virtual address has 48 bits;
 * the PML4's entry 0 covers the first 512 GiB through one page-directory-
 * pointer table (PDPT), whose 512 entries each translate 1 GiB. An entry
 * with PS (bit 7) set is a leaf: in the PDPT a 1 GiB page, if the CPU has
 * them (CPUID.80000001H:EDX.Page1GB, bit 26; Bochs's corei7_skylake_x
 * has), else the PDPT entry points at a page directory of 512 2 MiB
 * pages. The map covers the first 64 GiB, virtual = physical:
 *
 *   0 .. 0xfdff_ffff          write-back (RAM; the PCI windows, which
 *                             cvisor does not touch)
 *   0xfe00_0000 .. 4 GiB      uncached: the I/O APIC (0xfec0_0000), the
 *                             local APIC (0xfee0_0000), the firmware
 *   4 GiB .. 64 GiB           write-back
 *
 * The memory type of a page is PAT entry PAT:PCD:PWT (4.9.2); with the PAT
 * as at reset (SDM Vol. 3A 11.12.4: entry 0 WB, entry 3 UC) PCD = PWT = 0
 * is write-back and PCD = PWT = 1 uncached. The 4th GiB is therefore
 * always mapped with 2 MiB pages, so that its last 32 MiB can differ. No
 * page is user-accessible; none is no-execute (IA32_EFER.NXE stays 0).
 * One page is left out: the guard page below the boot stack (link.ld's
 * __stack_guard), mapped with the rest of its 2 MiB through a page table
 * of 4 KiB pages, so that an overflow of the boot stack is a page fault
 * (reported from the exceptions' own stack, IST1: gdt_idt.c), not silent
 * damage to the BSS. Because the map is the identity, a host pointer is its physical
 * address.
 *
 * boot.S's map (4 GiB, 2 MiB pages) is enough to run C; this one is
 * cvisor's for good: its CR3 is every VMCS's host CR3.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "hal_arch.h"

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS (1ULL << 7)
#define PTE_G (1ULL << 8) /* global: kept in the TLB across CR3 writes (with CR4.PGE) */

#define GIB (1ULL << 30)
#define MIB2 (1ULL << 21)
#define MAPPED_GIB 64
#define UC_START 0xfe000000ULL /* to 4 GiB: uncached */

#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_EDX_PAGE1GB (1u << 26)

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
/* Page directories: one per GiB without 1 GiB pages; with them, the 4th's and the guard page's. */
static uint64_t pds[MAPPED_GIB][512] __attribute__((aligned(4096)));
/* The 4 KiB pages of the 2 MiB around the guard page. */
static uint64_t guard_pt[512] __attribute__((aligned(4096)));
uint64_t host_cr3;
extern char __stack_guard[]; /* link.ld */

/* Does the CPU have 1 GiB pages (CPUID.80000001H:EDX[26], SDM Vol. 2A CPUID)? */
static bool cpu_has_1g_pages(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
	if (a < CPUID_EXT_FEATURES)
		return false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(CPUID_EXT_FEATURES), "c"(0));
	return d & CPUID_EXT_EDX_PAGE1GB;
}

/* Fills page directory pd with the 2 MiB pages of GiB gib. */
static void fill_pd(uint64_t *pd, uint64_t gib)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t pa = gib * GIB + i * MIB2;
		uint64_t pte = pa | PTE_P | PTE_W | PTE_PS | PTE_G;
		if (pa >= UC_START && pa < 4 * GIB)
			pte |= PTE_PCD | PTE_PWT;
		pd[i] = pte;
	}
}

/* Maps the 2 MiB page holding the guard page with 4 KiB pages, the guard page left out. */
static void map_guard(uint64_t guard)
{
	uint64_t *pde = &pds[guard / GIB][guard % GIB / MIB2];
	uint64_t base = ALIGN_DOWN(guard, MIB2);

	for (uint64_t i = 0; i < 512; i++) {
		uint64_t pa = base + i * PAGE_SIZE;
		guard_pt[i] = pa == guard ? 0 : pa | PTE_P | PTE_W | PTE_G;
	}
	*pde = (uint64_t)(uintptr_t)guard_pt | PTE_P | PTE_W;
}

/* Builds the 64 GiB identity map (once, on the boot CPU) and loads it. */
void x86_mmu_init(void)
{
	bool gib_pages = cpu_has_1g_pages();
	uint64_t guard = (uint64_t)(uintptr_t)__stack_guard;

	for (uint64_t g = 0; g < MAPPED_GIB; g++) {
		if (gib_pages && g != 3 && g != guard / GIB) {
			pdpt[g] = g * GIB | PTE_P | PTE_W | PTE_PS | PTE_G;
			continue;
		}
		fill_pd(pds[g], g);
		pdpt[g] = (uint64_t)(uintptr_t)pds[g] | PTE_P | PTE_W;
	}
	map_guard(guard);
	pml4[0] = (uint64_t)(uintptr_t)pdpt | PTE_P | PTE_W;
	host_cr3 = (uint64_t)(uintptr_t)pml4;
	__asm__ volatile("mov %0, %%cr3" ::"r"(host_cr3) : "memory"); /* flushes the boot map's TLB entries */
}

hpa_t hal_hva_to_hpa(const void *p)
{
	return (hpa_t)(uintptr_t)p; /* identity map */
}

void *hal_hpa_to_hva(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}
