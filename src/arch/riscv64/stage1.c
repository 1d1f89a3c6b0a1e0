/* SPDX-License-Identifier: MIT */
/**
 * @file stage1.c
 * @brief RISC-V Sv39/Sv48 stage-1 walks in project code.
 *
 * A Sv39 virtual address (4.4.1) is VPN[2] (bits 38:30), VPN[1] (29:21),
 * VPN[0] (20:12) and a 12-bit offset; bits 63:39 must all equal bit 38.
 * Sv48 (4.5.1) adds VPN[3] (47:39). Each table is one 4 KiB page of 512
 * 8-byte PTEs:
 *
 *   63  62:61 60:54    53:10   9:8  7 6 5 4 3 2 1 0
 *   N   PBMT  reserved PPN     RSW  D A G U X W R V
 *
 * R = W = X = 0 points at the next table; anything else is a leaf, at any
 * level (a gigapage at Sv39's root, a megapage one level down).
 */
#include <arch/stage1.h>
#include <arch/stage2.h>
#include <cvisor/lib.h>
#include <cvisor/walk.h>

#define PTE_RWX (RV_PTE_R | RV_PTE_W | RV_PTE_X)
/* Bits 63:54: N, PBMT and reserved; none of those extensions is implemented. */
#define PTE_HIGH_RESERVED (0x3ffULL << 54)
/* In a pointer to the next table, D, A and U are reserved (4.4.1). */
#define PTE_TABLE_RESERVED (RV_PTE_D | RV_PTE_A | RV_PTE_U)

static unsigned level_shift(int level)
{
	return 12 + 9 * (unsigned)(3 - level);
}

/*
 * The level the walk starts at and how many VA bits satp's mode
 * translates: Sv39 1 and 39, Sv48 0 and 48. Returns false for another mode.
 */
static bool mode_geometry(uint64_t satp, int *root, unsigned *va_bits)
{
	switch (satp >> 60) {
	case RV_SATP_MODE_SV39:
		*root = 1;
		*va_bits = 39;
		return true;
	case RV_SATP_MODE_SV48:
		*root = 0;
		*va_bits = 48;
		return true;
	default:
		return false;
	}
}

/* Bits 63:va_bits-1 all equal (4.4.1: "must be equal to bit 38"). */
static bool canonical(gva_t va, unsigned va_bits)
{
	uint64_t top = (uint64_t)((int64_t)va >> (va_bits - 1));
	return top == 0 || top == ~0ULL;
}

/*
 * What the leaf's R/W/X/U bits allow an access at priv (4.3.1 "Addressing
 * and memory protection", 4.1.1.2 "Memory privilege in sstatus"):
 * U-mode reaches only U pages; S-mode reaches U pages for loads and
 * stores only with SUM, and never executes them; with MXR a load may read
 * a page that is executable but not readable.
 */
static unsigned leaf_perm(uint64_t pte, const struct rv_s1_regs *r)
{
	bool user_page = pte & RV_PTE_U;
	unsigned perm = ((pte & RV_PTE_R) ? PERM_READ : 0) | ((pte & RV_PTE_W) ? PERM_WRITE : 0) |
			((pte & RV_PTE_X) ? PERM_EXEC : 0);

	if ((r->sstatus & RV_SSTATUS_MXR) && (pte & RV_PTE_X))
		perm |= PERM_READ;
	if (r->priv == RV_PRIV_U)
		return user_page ? perm : 0;
	if (!user_page)
		return perm;
	return (r->sstatus & RV_SSTATUS_SUM) ? perm & ~(unsigned)PERM_EXEC : 0;
}

/* Decodes the PTE read at level into step->info (4.3.2 steps 3 and 4). */
static void decode_pte(uint64_t pte, int level, const struct rv_s1_regs *r, struct walk_desc *info)
{
	memset(info, 0, sizeof(*info));
	info->memtype = S2_MEM_NORMAL;
	/* Step 3: V = 0, W without R, or a reserved bit set: a page fault. */
	if (!(pte & RV_PTE_V) || ((pte & RV_PTE_W) && !(pte & RV_PTE_R)) || (pte & PTE_HIGH_RESERVED))
		return;
	info->addr = ((pte & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT) << 12;
	if (!(pte & PTE_RWX)) {
		/* Step 4: a pointer, unless this is already the last level. */
		if (level < 3 && !(pte & PTE_TABLE_RESERVED))
			info->kind = WALK_TABLE;
		return;
	}
	info->kind = WALK_LEAF;
	info->perm = leaf_perm(pte, r);
	info->access_flag = pte & RV_PTE_A;
}

int rv_s1_translate(const struct addrspace *as, const struct rv_s1_regs *r, gva_t va,
		    enum access_kind access, struct s1_result *res, walk_cb cb, void *ctx)
{
	unsigned va_bits;
	int level;

	memset(res, 0, sizeof(*res));
	if (r->satp >> 60 == RV_SATP_MODE_BARE) { /* no translation: the GVA is the GPA */
		res->gpa = va;
		res->perm = PERM_RWX;
		res->leaf_size = PAGE_SIZE;
		return 0;
	}
	if (!mode_geometry(r->satp, &level, &va_bits))
		return -CV_EINVAL;
	res->level = level;
	if (!canonical(va, va_bits)) {
		res->fault = FAULT_TRANSLATION; /* a page fault before any table is read */
		return -CV_EFAULT;
	}
	/* Step 1: a = satp.PPN x PAGESIZE. */
	gpa_t table = (r->satp & ((1ULL << 44) - 1)) << 12;
	for (;; level++) {
		unsigned shift = level_shift(level);
		struct walk_step step = { .level = level, .table = table };
		step.index = (unsigned)((va >> shift) & 511);
		res->level = level;
		/* Step 2: the PTE at a + va.vpn[i] x PTESIZE; an access fault if it cannot be read. */
		if (addrspace_read(as, table + step.index * 8ULL, &step.desc, 8) < 0) {
			res->fault = FAULT_TABLE_NOT_RAM;
			res->gpa = table + step.index * 8ULL;
			return -CV_EFAULT;
		}
		decode_pte(step.desc, level, r, &step.info);
		if (cb)
			cb(&step, ctx);
		int next = s1_walk_follow(&step, shift, va, &table, res);
		if (next < 0)
			return next;
		if (next > 0)
			continue;
		uint64_t size = res->leaf_size;
		/* Step 5: the leaf's permissions for this access. */
		if (!perm_allows(res->perm, access)) {
			res->fault = FAULT_PERMISSION;
			return -CV_EPERM;
		}
		/* Step 6: a superpage's PPN must be aligned to its size. */
		if (step.info.addr & (size - 1)) {
			res->fault = FAULT_TRANSLATION;
			return -CV_EFAULT;
		}
		/*
		 * Step 7: A clear, or D clear on a store. The manual lets the
		 * hardware either fault or set them; Unicorn 2.0.1 (QEMU's
		 * get_physical_address) sets them in guest RAM and goes on,
		 * so this walker succeeds too and says what the access sets.
		 */
		if (!(step.desc & RV_PTE_A))
			res->code |= RV_S1_SETS_A;
		if (access == ACCESS_WRITE && !(step.desc & RV_PTE_D))
			res->code |= RV_S1_SETS_D;
		return 0;
	}
}
