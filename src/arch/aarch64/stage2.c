/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.c
 * @brief VMSAv8-64 stage-2 translation (ARM ARM D8.2 "Translation table
 *        walk", D8.3 "Translation table descriptor formats"): the format's
 *        geometry and its descriptors, for the core's stage-2 walker.
 */
#include <arch/stage2.h>
#include <cvisor/stage2.h>

/*
 * 4 KiB granule, 40-bit IPA (VTCR_EL2.T0SZ = 24): the walk starts at level
 * 1 (SL0 = 1) with two concatenated level-1 tables as the root, indexed by
 * IPA[39:30] (ARM ARM D8-12). Blocks of 1 GiB at level 1 and 2 MiB at
 * level 2, pages at level 3.
 */
const struct stage2_format stage2_arch_format = {
	.first_level = A64_S2_START_LEVEL,
	.last_level = 3,
	.index_bits = { [1] = 10, [2] = 9, [3] = 9 },
	.leaf_allowed = { [1] = true, [2] = true, [3] = true },
	.root_pages = A64_S2_ROOT_PAGES,
	.ipa_bits = A64_S2_IPA_BITS,
};

uint64_t stage2_arch_table_desc(hpa_t next)
{
	return (next & A64_S2D_ADDR_MASK) | A64_S2D_TYPE_TABLE | A64_S2D_VALID;
}

uint64_t stage2_arch_leaf_desc(hpa_t hpa, int level, unsigned perm, enum s2_memtype memtype)
{
	uint64_t d = (hpa & A64_S2D_ADDR_MASK & ~(stage2_level_size(level) - 1)) |
		     A64_S2D_VALID | A64_S2D_AF;

	if (level == 3)
		d |= A64_S2D_TYPE_TABLE; /* a page descriptor has bits [1:0] = 0b11 */
	if (memtype == S2_MEM_DEVICE)
		d |= A64_S2D_MEMATTR_DEVICE_nGnRE;
	else
		d |= A64_S2D_MEMATTR_NORMAL_WB | A64_S2D_SH_INNER;
	if (perm & PERM_READ)
		d |= A64_S2D_S2AP_R;
	if (perm & PERM_WRITE)
		d |= A64_S2D_S2AP_W;
	if (!(perm & PERM_EXEC))
		d |= A64_S2D_XN;
	return d;
}

void stage2_arch_decode(uint64_t desc, int level, struct walk_desc *info)
{
	if (!(desc & A64_S2D_VALID))
		return;
	if (level < 3 && (desc & A64_S2D_TYPE_TABLE)) {
		info->kind = WALK_TABLE;
		info->addr = desc & A64_S2D_ADDR_MASK;
		return;
	}
	/* Level 3 with bits [1:0] = 0b01 is reserved: treated as invalid. */
	if (level == 3 && !(desc & A64_S2D_TYPE_TABLE))
		return;
	if (!stage2_arch_format.leaf_allowed[level])
		return;
	info->kind = WALK_LEAF;
	info->addr = desc & A64_S2D_ADDR_MASK & ~(stage2_level_size(level) - 1);
	info->perm = ((desc & A64_S2D_S2AP_R) ? PERM_READ : 0) |
		     ((desc & A64_S2D_S2AP_W) ? PERM_WRITE : 0) |
		     ((desc & A64_S2D_XN) ? 0 : PERM_EXEC);
	/* MemAttr[3:2] = 0b00 is Device memory at stage 2. */
	info->memtype = (desc & (0xcULL << A64_S2D_MEMATTR_SHIFT)) ? S2_MEM_NORMAL : S2_MEM_DEVICE;
	info->access_flag = desc & A64_S2D_AF;
}

uint64_t stage2_arch_root_register(hpa_t root, uint16_t vmid)
{
	/* VTTBR_EL2: VMID[55:48] (8-bit VMIDs), BADDR[47:1]. */
	return ((uint64_t)(vmid & 0xff) << 48) | (root & 0x0000fffffffffffeULL);
}

uint64_t a64_vtcr_el2(void)
{
	return VTCR_RES1 | VTCR_PS_40BIT | VTCR_TG0_4K | VTCR_SH0_INNER | VTCR_ORGN0_WBWA |
	       VTCR_IRGN0_WBWA | VTCR_SL0(1) | VTCR_T0SZ(A64_S2_T0SZ);
}
