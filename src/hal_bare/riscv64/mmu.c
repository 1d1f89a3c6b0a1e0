/* SPDX-License-Identifier: MIT */
/**
 * @file mmu.c
 * @brief cvisor's own translation in HS-mode: an identity map (xv6's
 *        vm.c, for the hypervisor only; guests' G-stage is the core's).
 *
 * RISC-V Privileged Architecture 1.12, 4.3 (Sv32's walk, which Sv39
 * follows) and 4.4 (Sv39). A virtual address has 39 bits; the root table's
 * 512 entries each translate 1 GiB. An entry with R, W or X set is a leaf:
 * a 1 GiB "gigapage", whose physical page number must be 1 GiB aligned.
 * The root maps the first 64 GiB, virtual = physical:
 *
 *   entries 0, 1   (0 .. 2 GiB)    R W     the virt devices, PCIe windows
 *   entries 2..63  (2 .. 64 GiB)   R W X   RAM, from 0x8000_0000
 *
 * Each entry has G (global: the same in every address space), and A and
 * D set: a hart without hardware A/D updating (Svadu, which QEMU 7.2 does
 * not have) raises a page fault on an access whose entry lacks A, or on a
 * write whose entry lacks D (4.3.1). Whether memory is cached or a device
 * is a physical memory attribute on RISC-V (3.6), not a page's, so the
 * two ranges differ only in X. Because the map is the identity, a host
 * pointer is its physical address.
 */
#include <cvisor/hal.h>

#include "hal_arch.h"
#include "virt.h"

/* A page table entry (4.4.1, figure 4.21). */
#define PTE_V (1ULL << 0)
#define PTE_R (1ULL << 1)
#define PTE_W (1ULL << 2)
#define PTE_X (1ULL << 3)
#define PTE_G (1ULL << 5)
#define PTE_A (1ULL << 6)
#define PTE_D (1ULL << 7)
#define PTE_PPN_SHIFT 10

/* satp (4.1.11): MODE in bits 63:60 (8 is Sv39), ASID 0, the root's PPN. */
#define SATP_SV39 (8ULL << 60)

#define GIB_SHIFT 30
#define MAPPED_GIB 64

static uint64_t hs_root[512] __attribute__((aligned(4096)));
uint64_t hs_satp;

/* Fills the root table (once, on the boot hart) and turns translation on; cvisor runs on. */
void hs_mmu_on(void)
{
	for (uint64_t i = 0; i < MAPPED_GIB; i++) {
		uint64_t pa = i << GIB_SHIFT;
		uint64_t pte = (pa >> 12) << PTE_PPN_SHIFT | PTE_V | PTE_R | PTE_W | PTE_G | PTE_A |
			       PTE_D;
		if (pa >= VIRT_RAM_BASE)
			pte |= PTE_X;
		hs_root[i] = pte;
	}
	hs_satp = SATP_SV39 | (uint64_t)(uintptr_t)hs_root >> 12;
	__asm__ volatile("sfence.vma" ::: "memory"); /* the table's stores before the walks */
	WRITE_CSR(satp, hs_satp);
	__asm__ volatile("sfence.vma" ::: "memory"); /* no translation cached from before */
	/* A hart without Sv39 ignores the write (4.1.11): satp then still reads 0. */
	if (READ_CSR(satp) != hs_satp)
		hal_panic("the hart has no Sv39 translation (satp reads 0x%llx)",
			  (unsigned long long)READ_CSR(satp));
}

hpa_t hal_hva_to_hpa(const void *p)
{
	return (hpa_t)(uintptr_t)p; /* identity map in HS-mode */
}

void *hal_hpa_to_hva(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}
