/* SPDX-License-Identifier: MIT */
/**
 * @file mmu.c
 * @brief cvisor's own translation at EL2: an identity map (xv6's vm.c, for
 *        the hypervisor only; guests' stage 2 is the core's, stage2.c).
 *
 * ARM ARM D8 (VMSAv8-64 translation); the registers are described in D17.2
 * (TCR_EL2, MAIR_EL2, SCTLR_EL2, TTBR0_EL2). One level-1 table maps the
 * first 512 GiB in 1 GiB blocks, virtual = physical:
 *
 *   block 0     (0 .. 1 GiB)    Device-nGnRnE, never executable: the virt devices
 *   blocks 1..  (1 GiB ..)      Normal write-back, inner shareable: RAM
 *
 * TCR_EL2.T0SZ = 25 gives a 39-bit space whose walk starts at level 1.
 * Because the map is the identity, a host pointer is its physical address.
 */
#include <cvisor/hal.h>

#include "hal_arch.h"
#include "cpu.h"

/* A level-1 block descriptor (D8.3). */
#define DESC_BLOCK 0x1ULL
#define DESC_ATTR(i) ((uint64_t)(i) << 2) /* AttrIndx: an attribute of MAIR_EL2 */
#define DESC_SH_INNER (3ULL << 8)
#define DESC_AF (1ULL << 10)
#define DESC_XN (1ULL << 54)

/* MAIR_EL2: attribute 0 Device-nGnRnE (0x00), attribute 1 Normal write-back RA/WA (0xff). */
#define ATTR_DEVICE 0
#define ATTR_NORMAL 1
#define MAIR_VALUE 0xff00ULL

/* TCR_EL2 (the EL2 translation regime without VHE). */
#define TCR_RES1 ((1ULL << 31) | (1ULL << 23))
#define TCR_PS_40BIT (2ULL << 16)
#define TCR_SH0_INNER (3ULL << 12)
#define TCR_ORGN0_WB (1ULL << 10)
#define TCR_IRGN0_WB (1ULL << 8)
#define TCR_T0SZ 25ULL

/* SCTLR_EL2: MMU, data cache, instruction cache on. */
#define SCTLR_M (1ULL << 0)
#define SCTLR_C (1ULL << 2)
#define SCTLR_I (1ULL << 12)

static uint64_t el2_l1[512] __attribute__((aligned(4096)));

/* Fills the level-1 table and turns the MMU on; cvisor runs on, at the same addresses. */
void el2_mmu_on(void)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t d = (i << 30) | DESC_BLOCK | DESC_AF;
		if (i == 0)
			d |= DESC_ATTR(ATTR_DEVICE) | DESC_XN;
		else
			d |= DESC_ATTR(ATTR_NORMAL) | DESC_SH_INNER;
		el2_l1[i] = d;
	}
	DSB();
	WRITE_SYSREG(mair_el2, MAIR_VALUE);
	WRITE_SYSREG(tcr_el2, TCR_RES1 | TCR_PS_40BIT | TCR_SH0_INNER | TCR_ORGN0_WB |
				  TCR_IRGN0_WB | TCR_T0SZ);
	WRITE_SYSREG(ttbr0_el2, (uint64_t)(uintptr_t)el2_l1);
	ISB();
	__asm__ volatile("tlbi alle2" ::: "memory");
	DSB();
	ISB();
	uint64_t sctlr = READ_SYSREG(sctlr_el2);
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_I;
	WRITE_SYSREG(sctlr_el2, sctlr);
	ISB();
}

hpa_t hal_hva_to_hpa(const void *p)
{
	return (hpa_t)(uintptr_t)p; /* identity map at EL2 */
}

void *hal_hpa_to_hva(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}
