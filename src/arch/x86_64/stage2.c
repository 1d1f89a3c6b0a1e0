/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.c
 * @brief Intel EPT (SDM Vol. 3C, 29.3.2 "EPT Translation Mechanism"): the
 *        format's geometry and its entries, for the core's stage-2 walker.
 */
#include <arch/stage2.h>
#include <cvisor/stage2.h>

/*
 * Four levels of 512-entry tables for a 48-bit GPA: PML4 (level 0, always
 * a table), PDPT (1 GiB pages), PD (2 MiB pages), PT (4 KiB pages).
 */
const struct stage2_format stage2_arch_format = {
	.first_level = 0,
	.last_level = 3,
	.index_bits = { 9, 9, 9, 9 },
	.leaf_allowed = { [1] = true, [2] = true, [3] = true },
	.root_pages = 1,
	.ipa_bits = 48,
};

uint64_t stage2_arch_table_desc(hpa_t next)
{
	/* A non-leaf entry: its access rights limit everything below; give all. */
	return (next & EPT_ADDR_MASK) | EPT_R | EPT_W | EPT_X;
}

uint64_t stage2_arch_leaf_desc(hpa_t hpa, int level, unsigned perm, enum s2_memtype memtype)
{
	uint64_t d = (hpa & EPT_ADDR_MASK & ~(stage2_level_size(level) - 1)) | EPT_ACCESSED;

	if (perm & PERM_READ)
		d |= EPT_R;
	if (perm & PERM_WRITE)
		d |= EPT_W | EPT_DIRTY;
	if (perm & PERM_EXEC)
		d |= EPT_X;
	d |= (memtype == S2_MEM_DEVICE ? EPT_MT_UC : EPT_MT_WB) << EPT_MT_SHIFT;
	if (level < 3)
		d |= EPT_LARGE;
	return d;
}

void stage2_arch_decode(uint64_t desc, int level, struct walk_desc *info)
{
	info->access_flag = true; /* EPT has no access flag a walk checks */

	/* Not present: bits 2:0 all clear (29.3.2). Write without read is a misconfiguration. */
	if (!(desc & (EPT_R | EPT_W | EPT_X)) || ((desc & EPT_W) && !(desc & EPT_R)))
		return;
	if (level == 0 || (level < 3 && !(desc & EPT_LARGE))) {
		info->kind = WALK_TABLE;
		info->addr = desc & EPT_ADDR_MASK;
		return;
	}
	info->kind = WALK_LEAF;
	info->addr = desc & EPT_ADDR_MASK & ~(stage2_level_size(level) - 1);
	info->perm = ((desc & EPT_R) ? PERM_READ : 0) | ((desc & EPT_W) ? PERM_WRITE : 0) |
		     ((desc & EPT_X) ? PERM_EXEC : 0);
	info->memtype = ((desc >> EPT_MT_SHIFT) & 7) == EPT_MT_UC ? S2_MEM_DEVICE : S2_MEM_NORMAL;
}

uint64_t stage2_arch_root_register(hpa_t root, uint16_t vmid)
{
	(void)vmid; /* VPIDs tag guest TLB entries on x86; the EPTP has no field for them */
	return (root & EPT_ADDR_MASK) | EPTP_AD | EPTP_WALK_4 | EPTP_WB;
}
