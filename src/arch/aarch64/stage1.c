/* SPDX-License-Identifier: MIT */
/**
 * @file stage1.c
 * @brief AArch64 stage-1 walks (4 KiB granule) in project code.
 */
#include <arch/stage1.h>
#include <cvisor/lib.h>
#include <cvisor/walk.h>

#define DESC_VALID (1ULL << 0)
#define DESC_TABLE (1ULL << 1)      /* levels 0-2: table; level 3: page */
#define DESC_AP1 (1ULL << 6)        /* EL0 access */
#define DESC_AP2 (1ULL << 7)        /* read-only */
#define DESC_AF (1ULL << 10)
#define DESC_PXN (1ULL << 53)
#define DESC_UXN (1ULL << 54)
#define SCTLR_WXN (1ULL << 19)
#define DESC_ADDR 0x0000fffffffff000ULL

/*
 * Which TTBR serves va and how wide its range is (D8.2.3 "Selection
 * between TTBR0 and TTBR1"): the top bits must be all 0 (TTBR0) or all 1
 * (TTBR1) above 64 - TxSZ. Returns the input size in bits, or 0 if va is in
 * neither range or the range is disabled (EPDx) or not 4 KiB granule.
 */
static unsigned select_table(const struct a64_s1_regs *r, gva_t va, uint64_t *ttbr)
{
	bool high = va >> 63;
	unsigned tsz = high ? (r->tcr >> 16) & 0x3f : r->tcr & 0x3f;
	unsigned tg = high ? (r->tcr >> 30) & 3 : (r->tcr >> 14) & 3;
	bool disabled = high ? (r->tcr >> 23) & 1 : (r->tcr >> 7) & 1;
	unsigned bits = 64 - tsz;

	if (disabled || tsz < 16 || tsz > 39 || tg != (high ? 2u : 0u)) /* TG1 0b10 / TG0 0b00: 4 KiB */
		return 0;
	uint64_t top = bits < 64 ? va >> bits : 0;
	if (top != (high ? (~0ULL >> bits) : 0))
		return 0;
	*ttbr = (high ? r->ttbr1 : r->ttbr0) & DESC_ADDR;
	return bits;
}

/*
 * What a leaf descriptor allows an access at EL0 or EL1 (ARM ARM D8.4.1
 * "Memory access control"): AP[2] makes it read-only, AP[1] opens data
 * accesses to EL0; UXN and PXN forbid execution at EL0 and EL1; EL1 cannot
 * execute what EL0 may write (implicit PXN); with SCTLR_EL1.WXN nothing
 * writable is executable.
 */
static unsigned leaf_perm(const struct a64_s1_regs *r, uint64_t d)
{
	bool ro = d & DESC_AP2, user = d & DESC_AP1;
	unsigned data = PERM_READ | (ro ? 0 : PERM_WRITE);
	bool xn = r->el0 ? (d & DESC_UXN) : (d & DESC_PXN) || (user && !ro);

	if (r->el0 && !user)
		data = 0;
	if ((r->sctlr & SCTLR_WXN) && (data & PERM_WRITE))
		xn = true;
	return data | (xn ? 0 : PERM_EXEC);
}

static unsigned level_shift(int level)
{
	return 12 + 9 * (unsigned)(3 - level);
}

int a64_s1_translate(const struct addrspace *as, const struct a64_s1_regs *r, gva_t va,
		     enum access_kind access, struct s1_result *res, walk_cb cb, void *ctx)
{
	uint64_t table;

	memset(res, 0, sizeof(*res));
	if (!(r->sctlr & 1)) { /* MMU off: flat */
		res->gpa = va;
		res->perm = PERM_RWX;
		res->leaf_size = PAGE_SIZE;
		return 0;
	}
	unsigned bits = select_table(r, va, &table);
	if (!bits) {
		res->fault = FAULT_TRANSLATION; /* outside both ranges: a level 0 translation fault */
		return -CV_EFAULT;
	}
	// LAB 4 BEGIN: walk the guest's stage-1 tables level by level in a64_s1_translate()
	/* The walk starts at the level whose 9 bits hold the top of the range. */
	int level = 3 - (int)((bits - 12 - 1) / 9);
	for (;; level++) {
		unsigned shift = level_shift(level);
		unsigned idx_bits = MIN(9u, bits - shift);
		struct walk_step step = { .level = level, .table = table };
		step.index = (unsigned)((va >> shift) & ((1ULL << idx_bits) - 1));
		res->level = level;
		if (addrspace_read(as, table + step.index * 8ULL, &step.desc, 8) < 0) {
			/* The table is not in RAM: a stage-2 fault on the walk (S1PTW). */
			res->fault = FAULT_TABLE_NOT_RAM;
			res->gpa = table + step.index * 8ULL;
			return -CV_EFAULT;
		}
		uint64_t d = step.desc;
		bool is_table = level < 3 && (d & DESC_TABLE);
		step.info.kind = !(d & DESC_VALID) || (level == 3 && !(d & DESC_TABLE)) || (!is_table && level == 0)
					 ? WALK_INVALID : is_table ? WALK_TABLE : WALK_LEAF;
		step.info.addr = d & DESC_ADDR;
		if (step.info.kind == WALK_LEAF) {
			step.info.perm = leaf_perm(r, d);
			step.info.access_flag = d & DESC_AF;
		}
		if (cb)
			cb(&step, ctx);
		int next = s1_walk_follow(&step, shift, va, &table, res);
		if (next < 0)
			return next;
		if (next > 0)
			continue;
		if (!step.info.access_flag) {
			res->fault = FAULT_ACCESS_FLAG;
			return -CV_EFAULT;
		}
		if (!perm_allows(res->perm, access)) {
			res->fault = FAULT_PERMISSION;
			return -CV_EPERM;
		}
		return 0;
	}
	// LAB 4 STUB
	// LAB_TODO(4, "walk the guest's stage-1 tables level by level in a64_s1_translate() "
	//          "(labs/4-paging/README.md)");
	// (void)as;
	// (void)access;
	// (void)cb;
	// (void)ctx;
	// (void)table;
	// (void)leaf_perm;
	// (void)level_shift;
	// res->fault = FAULT_TRANSLATION;
	// return -CV_EFAULT;
	// LAB 4 END
}
