/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.c
 * @brief EPT entries: the x86_64 hooks of the core's stage-2 walker
 *        (see arch/ept.h).
 */
#include <arch/stage2.h>
#include <cvisor/stage2.h>

int stage2_arch_start_level(void)
{
	return 0;
}

int stage2_arch_last_level(void)
{
	return 3;
}

size_t stage2_arch_root_pages(void)
{
	return 1;
}

unsigned stage2_arch_ipa_bits(void)
{
	return 48;
}

static unsigned level_shift(int level)
{
	return 12 + 9 * (unsigned)(3 - level);
}

unsigned stage2_arch_index(int level, gpa_t gpa)
{
	return (unsigned)((gpa >> level_shift(level)) & 511);
}

uint64_t stage2_arch_level_size(int level)
{
	return 1ULL << level_shift(level);
}

bool stage2_arch_leaf_allowed(int level)
{
	return level >= 1; /* 1 GiB, 2 MiB and 4 KiB pages; a PML4E is always a table */
}

uint64_t stage2_arch_table_desc(hpa_t next)
{
	/* A non-leaf entry: its access rights limit everything below; give all. */
	return (next & EPT_ADDR_MASK) | EPT_R | EPT_W | EPT_X;
}

uint64_t stage2_arch_leaf_desc(hpa_t hpa, int level, unsigned perm, enum s2_memtype memtype)
{
	uint64_t d = (hpa & EPT_ADDR_MASK & ~(stage2_arch_level_size(level) - 1)) | EPT_ACCESSED;

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
	info->kind = WALK_INVALID;
	info->addr = 0;
	info->perm = 0;
	info->memtype = S2_MEM_NORMAL;
	info->access_flag = true;

	/* Not present: bits 2:0 all clear (29.3.2). Write without read is a misconfiguration. */
	if (!(desc & (EPT_R | EPT_W | EPT_X)) || ((desc & EPT_W) && !(desc & EPT_R)))
		return;
	if (level == 0 || (level < 3 && !(desc & EPT_LARGE))) {
		info->kind = WALK_TABLE;
		info->addr = desc & EPT_ADDR_MASK;
		return;
	}
	info->kind = WALK_LEAF;
	info->addr = desc & EPT_ADDR_MASK & ~(stage2_arch_level_size(level) - 1);
	info->perm = ((desc & EPT_R) ? PERM_READ : 0) | ((desc & EPT_W) ? PERM_WRITE : 0) |
		     ((desc & EPT_X) ? PERM_EXEC : 0);
	info->memtype = ((desc >> EPT_MT_SHIFT) & 7) == EPT_MT_UC ? S2_MEM_DEVICE : S2_MEM_NORMAL;
}

uint64_t stage2_arch_root_register(hpa_t root, uint16_t vmid)
{
	(void)vmid; /* VPIDs tag guest TLB entries on x86; the EPTP has no field for them */
	return (root & EPT_ADDR_MASK) | EPTP_AD | EPTP_WALK_4 | EPTP_WB;
}
