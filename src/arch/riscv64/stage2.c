/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.c
 * @brief RISC-V G-stage translation, Sv39x4 (Privileged Architecture
 *        v1.12, 8.5.1 "Guest physical address translation"): the format's
 *        geometry and its page table entries, for the core's stage-2 walker.
 */
#include <arch/stage2.h>
#include <cvisor/stage2.h>

/*
 * Three levels, which RISC-V numbers 2, 1, 0 and the core 1, 2, 3:
 * VPN[2] is GPA[40:30] (11 bits: the 16 KiB root of four pages), VPN[1]
 * GPA[29:21], VPN[0] GPA[20:12]. Gigapages, megapages and pages.
 */
const struct stage2_format stage2_arch_format = {
	.first_level = 1,
	.last_level = 3,
	.index_bits = { [1] = 11, [2] = 9, [3] = 9 },
	.leaf_allowed = { [1] = true, [2] = true, [3] = true },
	.root_pages = RV_S2_ROOT_PAGES,
	.ipa_bits = RV_S2_GPA_BITS,
};

static uint64_t ppn(hpa_t pa)
{
	return (pa >> 12) << RV_PTE_PPN_SHIFT;
}

uint64_t stage2_arch_table_desc(hpa_t next)
{
	return ppn(next) | RV_PTE_V; /* R = W = X = 0: a pointer to the next level */
}

uint64_t stage2_arch_leaf_desc(hpa_t hpa, int level, unsigned perm, enum s2_memtype memtype)
{
	uint64_t d = ppn(hpa & ~(stage2_level_size(level) - 1)) | RV_PTE_V | RV_PTE_U |
		     RV_PTE_A | RV_PTE_D;
	if (perm & PERM_READ)
		d |= RV_PTE_R;
	if (perm & PERM_WRITE)
		d |= RV_PTE_W;
	if (perm & PERM_EXEC)
		d |= RV_PTE_X;
	if (memtype == S2_MEM_DEVICE)
		d |= RV_PTE_PBMT_IO;
	return d;
}

void stage2_arch_decode(uint64_t desc, int level, struct walk_desc *info)
{
	/* Invalid, or W without R (reserved, 4.3.1). */
	if (!(desc & RV_PTE_V) || ((desc & RV_PTE_W) && !(desc & RV_PTE_R)))
		return;
	hpa_t pa = ((desc & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT) << 12;
	if (!(desc & (RV_PTE_R | RV_PTE_W | RV_PTE_X))) {
		if (level < 3) {
			info->kind = WALK_TABLE;
			info->addr = pa;
		}
		return;
	}
	/* A leaf without U is a fault for G-stage accesses. */
	if (!(desc & RV_PTE_U))
		return;
	info->kind = WALK_LEAF;
	info->addr = pa & ~(stage2_level_size(level) - 1);
	info->perm = ((desc & RV_PTE_R) ? PERM_READ : 0) | ((desc & RV_PTE_W) ? PERM_WRITE : 0) |
		     ((desc & RV_PTE_X) ? PERM_EXEC : 0);
	info->memtype = (desc & (3ULL << 61)) == RV_PTE_PBMT_IO ? S2_MEM_DEVICE : S2_MEM_NORMAL;
	info->access_flag = desc & RV_PTE_A;
}

uint64_t stage2_arch_root_register(hpa_t root, uint16_t vmid)
{
	/* hgatp: MODE[63:60], VMID[57:44] (14 bits), PPN[43:0] of the 16 KiB root. */
	return RV_HGATP_MODE_SV39X4 << 60 | (uint64_t)(vmid & 0x3fff) << 44 | (root >> 12);
}
