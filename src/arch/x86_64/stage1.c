/* SPDX-License-Identifier: MIT */
/**
 * @file stage1.c
 * @brief x86_64 4-level paging walks in project code (Intel SDM Vol. 3A,
 *        chapter 4).
 *
 * A linear address (4.5.4, figure 4-8) is split into four 9-bit indexes
 * and a 12-bit offset; bits 63:47 must all equal bit 47 (canonical):
 *
 *   63..48 sign | 47..39 PML4 | 38..30 PDPT | 29..21 PD | 20..12 PT | 11..0
 *
 * Every table is a 4 KiB page of 512 8-byte entries:
 *
 *   63  62..52   51..M    M-1..12   11..9 8 7  6 5 4   3   2   1  0
 *   XD  ignored  reserved address   ign   G PS D A PCD PWT U/S R/W P
 *
 * (M = MAXPHYADDR). PS = 1 in a PDPTE maps a 1 GiB page, in a PDE a 2 MiB
 * page; the PML4E's PS is reserved. The rights of a page combine all
 * levels (4.6): writable only if every R/W is 1, user only if every U/S
 * is 1, not executable if any XD is 1.
 */
#include <arch/stage1.h>
#include <cvisor/lib.h>

#define LEVELS 4
#define ADDR_MASK 0x000ffffffffff000ULL /* bits 51:12 */

/* Where one walk is, kept so the A/D pass can find the entries it used. */
struct walk {
	gpa_t entry_gpa[LEVELS];
	uint64_t entry[LEVELS];
	int used;                /* entries read */
	bool user, writable, nx; /* combined rights so far (4.6) */
};

static unsigned level_shift(int level)
{
	return 12 + 9 * (unsigned)(LEVELS - 1 - level);
}

/* Bits 63:47 all equal (4.5.4 "canonical"). */
static bool canonical(gva_t va)
{
	uint64_t top = (uint64_t)((int64_t)va >> 47);
	return top == 0 || top == ~0ULL;
}

/*
 * Reserved bits of a present entry at level (4.5.4, tables 4-15 to 4-20;
 * 4.7 "RSVD"): address bits at or above MAXPHYADDR, XD without
 * EFER.NXE, PS in a PML4E, and the low address bits of a large page
 * (bits 29:13 of a 1 GiB PDPTE, 20:13 of a 2 MiB PDE; bit 12 is PAT).
 */
static bool reserved_bits(const struct x86_s1_regs *r, int level, uint64_t e)
{
	unsigned m = r->maxphyaddr ? r->maxphyaddr : 52;
	uint64_t rsvd = ADDR_MASK & ~((1ULL << m) - 1);

	if (!(r->efer & X86_EFER_NXE))
		rsvd |= X86_PTE_XD;
	if (level == 0)
		rsvd |= X86_PTE_PS;
	else if (level < LEVELS - 1 && (e & X86_PTE_PS))
		rsvd |= ((1ULL << level_shift(level)) - 1) & ~0x1fffULL;
	return (e & rsvd) != 0;
}

/*
 * Does the page allow this access (4.6.1 "Determination of Access
 * Rights")? User mode (CPL 3): user pages only; writes need R/W. Supervisor
 * mode: writes need R/W only with CR0.WP; data accesses to user pages
 * fault with CR4.SMAP unless RFLAGS.AC; fetches from user pages fault with
 * CR4.SMEP. Fetches from an XD page fault with EFER.NXE (both modes).
 */
static bool allowed(const struct x86_s1_regs *r, const struct walk *w, enum access_kind access)
{
	bool user_mode = r->cpl == 3;

	if (user_mode && !w->user)
		return false;
	if (access == ACCESS_FETCH) {
		if (w->nx && (r->efer & X86_EFER_NXE))
			return false;
		return user_mode || !w->user || !(r->cr4 & X86_CR4_SMEP);
	}
	if (!user_mode && w->user && (r->cr4 & X86_CR4_SMAP) && !(r->rflags & X86_RFLAGS_AC))
		return false;
	if (access == ACCESS_WRITE && !w->writable)
		return !user_mode && !(r->cr0 & X86_CR0_WP);
	return true;
}

/* What the page allows at r->cpl, as PERM_* bits (for the shadow and the trace). */
static unsigned rights(const struct x86_s1_regs *r, const struct walk *w)
{
	unsigned perm = 0;
	if (allowed(r, w, ACCESS_READ))
		perm |= PERM_READ;
	if (allowed(r, w, ACCESS_WRITE))
		perm |= PERM_WRITE;
	if (allowed(r, w, ACCESS_FETCH))
		perm |= PERM_EXEC;
	return perm;
}

/*
 * The #PF error code (4.7, figure 4-12): P for a protection or
 * reserved-bit fault, W/R for a write, U/S for CPL 3, RSVD, and I/D for a
 * fetch when NXE (with PAE, always the case here) or SMEP is on.
 */
static uint64_t error_code(const struct x86_s1_regs *r, enum access_kind access, bool present,
			   bool rsvd)
{
	uint64_t code = 0;
	if (present)
		code |= X86_PF_P;
	if (access == ACCESS_WRITE)
		code |= X86_PF_W;
	if (r->cpl == 3)
		code |= X86_PF_U;
	if (rsvd)
		code |= X86_PF_RSVD;
	if (access == ACCESS_FETCH && (r->efer & X86_EFER_NXE || r->cr4 & X86_CR4_SMEP))
		code |= X86_PF_I;
	return code;
}

/* Fills a trace step for entry e at level (table = GPA of its table). */
static void describe(struct walk_step *step, const struct x86_s1_regs *r, const struct walk *w,
		     bool leaf, bool rsvd)
{
	uint64_t e = step->desc;
	memset(&step->info, 0, sizeof(step->info));
	step->info.access_flag = e & X86_PTE_A;
	if (!(e & X86_PTE_P) || rsvd) {
		step->info.kind = WALK_INVALID;
	} else if (!leaf) {
		step->info.kind = WALK_TABLE;
		step->info.addr = e & ADDR_MASK;
	} else {
		uint64_t size = 1ULL << level_shift(step->level);
		step->info.kind = WALK_LEAF;
		step->info.addr = e & ADDR_MASK & ~(size - 1);
		step->info.perm = rights(r, w);
	}
}

/* The walk itself; w records the entries it used. */
static int walk(const struct addrspace *as, const struct x86_s1_regs *r, gva_t va,
		enum access_kind access, struct s1_result *res, walk_cb cb, void *ctx,
		struct walk *w)
{
	gpa_t table = r->cr3 & ADDR_MASK;

	memset(res, 0, sizeof(*res));
	memset(w, 0, sizeof(*w));
	if (!(r->cr0 & X86_CR0_PG)) { /* paging off: linear = physical */
		res->gpa = va;
		res->perm = PERM_RWX;
		res->leaf_size = PAGE_SIZE;
		return 0;
	}
	if (!(r->efer & X86_EFER_LMA) || !(r->cr4 & X86_CR4_PAE) || (r->cr4 & X86_CR4_LA57))
		return -CV_ENOTSUP;
	if (!canonical(va)) {
		res->fault = FAULT_TRANSLATION;
		return -CV_ERANGE;
	}
	w->user = w->writable = true;
	for (int level = 0; level < LEVELS; level++) {
		unsigned shift = level_shift(level);
		struct walk_step step = { .level = level, .table = table };
		step.index = (unsigned)((va >> shift) & 511);
		gpa_t egpa = table + step.index * 8ULL;
		res->level = level;
		if (addrspace_read(as, egpa, &step.desc, 8) < 0) {
			/* The table is not in RAM: an EPT violation on the walk. */
			res->fault = FAULT_TABLE_NOT_RAM;
			res->gpa = egpa;
			return -CV_EFAULT;
		}
		uint64_t e = step.desc;
		bool present = e & X86_PTE_P;
		bool rsvd = present && reserved_bits(r, level, e);
		bool leaf = level == LEVELS - 1 || (level > 0 && (e & X86_PTE_PS));
		w->entry_gpa[level] = egpa;
		w->entry[level] = e;
		w->used = level + 1;
		if (present && !rsvd) {
			w->user &= (e & X86_PTE_US) != 0;
			w->writable &= (e & X86_PTE_RW) != 0;
			w->nx |= (e & X86_PTE_XD) != 0;
		}
		describe(&step, r, w, leaf, rsvd);
		if (cb)
			cb(&step, ctx);
		if (!present || rsvd) {
			res->fault = FAULT_TRANSLATION;
			res->code = error_code(r, access, present, rsvd);
			return -CV_EFAULT;
		}
		if (!leaf) {
			table = e & ADDR_MASK;
			continue;
		}
		uint64_t size = 1ULL << shift;
		res->leaf_size = size;
		res->perm = step.info.perm;
		res->gpa = (e & ADDR_MASK & ~(size - 1)) | (va & (size - 1));
		if (!allowed(r, w, access)) {
			res->fault = FAULT_PERMISSION;
			res->code = error_code(r, access, true, false);
			return -CV_EPERM;
		}
		res->code = (e & X86_PTE_D) ? X86_S1_DIRTY : 0;
		return 0;
	}
	return -CV_EFAULT; /* not reached: level 3 is always a leaf */
}

int x86_s1_translate(const struct addrspace *as, const struct x86_s1_regs *r, gva_t va,
		     enum access_kind access, struct s1_result *res, walk_cb cb, void *ctx)
{
	struct walk w;
	return walk(as, r, va, access, res, cb, ctx, &w);
}

/*
 * The processor sets A in every entry it used and, for a write, D in the
 * leaf (4.8). Done here after the walk succeeded, entry by entry; a guest
 * sharing its tables with another vCPU would need these to be atomic
 * read-modify-writes, as on hardware.
 */
int x86_s1_translate_ad(struct addrspace *as, const struct x86_s1_regs *r, gva_t va,
			enum access_kind access, struct s1_result *res, walk_cb cb, void *ctx)
{
	struct walk w;
	int rc = walk(as, r, va, access, res, cb, ctx, &w);

	if (rc < 0)
		return rc;
	for (int i = 0; i < w.used; i++) {
		uint64_t e = w.entry[i] | X86_PTE_A;
		if (i == w.used - 1 && access == ACCESS_WRITE) {
			e |= X86_PTE_D;
			res->code |= X86_S1_DIRTY;
		}
		if (e != w.entry[i] && addrspace_write(as, w.entry_gpa[i], &e, 8) < 0)
			return -CV_EFAULT; /* read a moment ago: cannot happen */
	}
	return 0;
}
