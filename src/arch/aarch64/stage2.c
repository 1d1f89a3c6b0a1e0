/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.c
 * @brief VMSAv8-64 stage-2 descriptors: the AArch64 hooks of the core's
 *        stage-2 walker (see arch/s2.h for the chosen geometry).
 */
#include <arch/stage2.h>
#include <cvisor/stage2.h>

int stage2_arch_start_level(void)
{
	return A64_S2_START_LEVEL;
}

int stage2_arch_last_level(void)
{
	return 3;
}

size_t stage2_arch_root_pages(void)
{
	return A64_S2_ROOT_PAGES;
}

unsigned stage2_arch_ipa_bits(void)
{
	return A64_S2_IPA_BITS;
}

/* Each level resolves 9 bits; level 3 maps 4 KiB pages (bits [20:12]). */
static unsigned level_shift(int level)
{
	return 12 + 9 * (unsigned)(3 - level);
}

unsigned stage2_arch_index(int level, gpa_t gpa)
{
	/* The root level spans the concatenated tables: 10 bits at level 1. */
	unsigned bits = level == A64_S2_START_LEVEL ? A64_S2_IPA_BITS - level_shift(level) : 9;
	return (unsigned)((gpa >> level_shift(level)) & ((1ULL << bits) - 1));
}

uint64_t stage2_arch_level_size(int level)
{
	return 1ULL << level_shift(level);
}

bool stage2_arch_leaf_allowed(int level)
{
	/* 4 KiB granule: 1 GiB blocks at level 1, 2 MiB at level 2, pages at 3. */
	return level >= 1 && level <= 3;
}

uint64_t stage2_arch_table_desc(hpa_t next)
{
	return (next & A64_S2D_ADDR_MASK) | A64_S2D_TYPE_TABLE | A64_S2D_VALID;
}

uint64_t stage2_arch_leaf_desc(hpa_t hpa, int level, unsigned perm, enum s2_memtype memtype)
{
	uint64_t d = (hpa & A64_S2D_ADDR_MASK & ~(stage2_arch_level_size(level) - 1)) |
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
	info->kind = WALK_INVALID;
	info->addr = 0;
	info->perm = 0;
	info->memtype = S2_MEM_NORMAL;
	info->access_flag = false;

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
	if (!stage2_arch_leaf_allowed(level))
		return;
	info->kind = WALK_LEAF;
	info->addr = desc & A64_S2D_ADDR_MASK & ~(stage2_arch_level_size(level) - 1);
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
