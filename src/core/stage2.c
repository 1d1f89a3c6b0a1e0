/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.c
 * @brief The generic stage-2 table walker and builder.
 *
 * The tables are a radix tree of page-sized tables of 64-bit descriptors.
 * What a descriptor looks like is the architecture's business (the
 * stage2_arch_* hooks), and so is the geometry, given as data
 * (stage2_arch_format); how a walk goes from level to level is the same
 * on every architecture this project supports, and lives here.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/stage2.h>

/** Entries in one page-sized table of 64-bit descriptors. */
#define TABLE_ENTRIES (PAGE_SIZE / sizeof(uint64_t))

/* The geometry of this architecture's format. */
static const struct stage2_format *const fmt = &stage2_arch_format;

static uint64_t *table_at(hpa_t pa)
{
	return hal_hpa_to_hva(pa);
}

/* Bit position of the lowest input-address bit a level's index takes. */
static unsigned level_shift(int level)
{
	unsigned shift = PAGE_SHIFT;

	for (int below = fmt->last_level; below > level; below--)
		shift += fmt->index_bits[below];
	return shift;
}

uint64_t stage2_level_size(int level)
{
	return 1ULL << level_shift(level);
}

/* Decodes a descriptor read at level: the architecture fills what it finds in a cleared info. */
static void decode(uint64_t desc, int level, struct walk_desc *info)
{
	memset(info, 0, sizeof(*info)); /* WALK_INVALID, S2_MEM_NORMAL, no access flag */
	stage2_arch_decode(desc, level, info);
}

/* Index of the descriptor for gpa in a table at level (the root may span pages). */
static unsigned level_index(int level, gpa_t gpa)
{
	return (unsigned)((gpa >> level_shift(level)) & ((1ULL << fmt->index_bits[level]) - 1));
}

int stage2_init(struct stage2 *s2)
{
	size_t pages = fmt->root_pages;
	size_t align = pages * PAGE_SIZE;

	memset(s2, 0, sizeof(*s2));
	/*
	 * A root of several concatenated tables must be aligned to its whole
	 * size (ARM ARM D8.2.4 "Concatenated translation tables"; RISC-V
	 * hgatp wants 16 KiB). The HAL only promises page alignment, so take
	 * twice the size when needed and use the aligned half.
	 */
	void *p = hal_page_alloc(pages);
	if (!p)
		return -CV_ENOMEM;
	s2->root_alloc = p;
	s2->root_alloc_pages = pages;
	if (hal_hva_to_hpa(p) % align != 0) {
		hal_page_free(p, pages);
		p = hal_page_alloc(2 * pages);
		if (!p)
			return -CV_ENOMEM;
		s2->root_alloc = p;
		s2->root_alloc_pages = 2 * pages;
		hpa_t pa = ALIGN_UP(hal_hva_to_hpa(p), (hpa_t)align);
		p = hal_hpa_to_hva(pa);
	}
	memset(p, 0, align);
	s2->root = p;
	s2->root_pages = pages;
	s2->table_pages = pages;
	return 0;
}

/* Frees the tables below a table at level (not the table itself). */
static void free_below(uint64_t *table, unsigned entries, int level)
{
	if (level >= fmt->last_level)
		return;
	for (unsigned i = 0; i < entries; i++) {
		struct walk_desc info;
		decode(table[i], level, &info);
		if (info.kind != WALK_TABLE)
			continue;
		uint64_t *next = table_at(info.addr);
		free_below(next, TABLE_ENTRIES, level + 1);
		hal_page_free(next, 1);
	}
}

void stage2_destroy(struct stage2 *s2)
{
	if (!s2->root)
		return;
	free_below(s2->root, (unsigned)(s2->root_pages * TABLE_ENTRIES),
		   fmt->first_level);
	hal_page_free(s2->root_alloc, s2->root_alloc_pages);
	memset(s2, 0, sizeof(*s2));
}

/* The largest level whose leaf fits at gpa/hpa with size bytes left. */
static int leaf_level_for(gpa_t gpa, hpa_t hpa, uint64_t size)
{
	for (int level = fmt->first_level; level <= fmt->last_level; level++) {
		uint64_t ls = stage2_level_size(level);
		if (fmt->leaf_allowed[level] && gpa % ls == 0 && hpa % ls == 0 && size >= ls)
			return level;
	}
	return fmt->last_level;
}

/*
 * Places one leaf at level for gpa. With dry set, only checks that the slot
 * and the path to it are free. Returns 0, -CV_EOVERLAP or -CV_ENOMEM.
 */
static int place_leaf(struct stage2 *s2, gpa_t gpa, hpa_t hpa, int leaf_level, unsigned perm,
		      enum s2_memtype memtype, bool dry)
{
	uint64_t *table = s2->root;

	for (int level = fmt->first_level;; level++) {
		uint64_t *slot = &table[level_index(level, gpa)];
		struct walk_desc info;
		decode(*slot, level, &info);

		if (level == leaf_level) {
			if (info.kind != WALK_INVALID)
				return -CV_EOVERLAP;
			if (!dry)
				*slot = stage2_arch_leaf_desc(hpa, level, perm, memtype);
			return 0;
		}
		if (info.kind == WALK_LEAF)
			return -CV_EOVERLAP;
		if (info.kind == WALK_INVALID) {
			if (dry)
				return 0; /* nothing below: free */
			uint64_t *next = hal_page_alloc(1);
			if (!next)
				return -CV_ENOMEM;
			memset(next, 0, PAGE_SIZE);
			s2->table_pages++;
			*slot = stage2_arch_table_desc(hal_hva_to_hpa(next));
			table = next;
		} else {
			table = table_at(info.addr);
		}
	}
}

/* Maps the range, or (dry) checks that every page of it is free. */
static int map_range(struct stage2 *s2, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned perm,
		     enum s2_memtype memtype, bool dry)
{
	while (size > 0) {
		int level = leaf_level_for(gpa, hpa, size);
		uint64_t ls = stage2_level_size(level);
		int rc = place_leaf(s2, gpa, hpa, level, perm, memtype, dry);
		if (rc < 0)
			return rc;
		gpa += ls;
		hpa += ls;
		size -= ls;
	}
	return 0;
}

int stage2_map(struct stage2 *s2, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned perm,
	       enum s2_memtype memtype)
{
	uint64_t limit = 1ULL << fmt->ipa_bits;

	if (!s2->root || size == 0 || gpa % PAGE_SIZE || hpa % PAGE_SIZE || size % PAGE_SIZE)
		return -CV_EINVAL;
	/*
	 * A leaf the guest cannot read is refused: not every architecture can
	 * encode one (RISC-V: R = W = X = 0 is a pointer to the next level's
	 * table, W without R is reserved; privileged spec 4.3.1), and a table
	 * pointer to guest RAM would let the guest write its own stage 2.
	 */
	if (!(perm & PERM_READ))
		return -CV_EINVAL;
	if (gpa >= limit || size > limit - gpa)
		return -CV_ERANGE;
	/* Check first, so a refused mapping leaves the tables as they were. */
	int rc = map_range(s2, gpa, hpa, size, perm, memtype, true);
	if (rc < 0)
		return rc;
	return map_range(s2, gpa, hpa, size, perm, memtype, false);
}

/* Replaces the block in *slot at level by a table of leaves one level down, same attributes. */
static int split_block(struct stage2 *s2, uint64_t *slot, int level)
{
	// LAB 3 BEGIN: split a block into a table of smaller leaves in split_block()
	struct walk_desc info;
	uint64_t *next = hal_page_alloc(1);

	if (!next)
		return -CV_ENOMEM;
	decode(*slot, level, &info);
	uint64_t child = stage2_level_size(level + 1);
	unsigned n = (unsigned)(stage2_level_size(level) / child);
	for (unsigned i = 0; i < n; i++)
		next[i] = stage2_arch_leaf_desc(info.addr + i * child, level + 1, info.perm,
						info.memtype);
	s2->table_pages++;
	*slot = stage2_arch_table_desc(hal_hva_to_hpa(next));
	return 0;
	// LAB 3 STUB
	// LAB_TODO(3, "split a block into a table of smaller leaves in split_block() "
	//          "(labs/3-stage2/README.md)");
	// (void)s2;
	// (void)slot;
	// (void)level;
	// return -CV_ENOTSUP;
	// LAB 3 END
}

/*
 * The slot of the leaf that maps gpa, with blocks split until that leaf
 * lies inside [gpa, gpa + size). Returns NULL if nothing maps gpa, with
 * *skip = the bytes from gpa to the end of the hole; *rc < 0 on failure.
 */
static uint64_t *leaf_inside(struct stage2 *s2, gpa_t gpa, uint64_t size, int *level_out,
			     uint64_t *skip, int *rc)
{
	uint64_t *table = s2->root;

	*rc = 0;
	for (int level = fmt->first_level; level <= fmt->last_level; level++) {
		uint64_t *slot = &table[level_index(level, gpa)];
		uint64_t ls = stage2_level_size(level);
		struct walk_desc info;
		decode(*slot, level, &info);
		if (info.kind == WALK_INVALID) {
			*skip = ls - (gpa & (ls - 1));
			return NULL;
		}
		if (info.kind == WALK_LEAF) {
			if (gpa % ls == 0 && size >= ls) {
				*level_out = level;
				return slot;
			}
			if ((*rc = split_block(s2, slot, level)) < 0)
				return NULL;
			decode(*slot, level, &info);
		}
		table = table_at(info.addr);
	}
	*rc = -CV_EINVAL; /* a table below the last level: a broken tree */
	return NULL;
}

/* Unmaps (perm < 0) or re-protects every leaf in [gpa, gpa + size). */
static int change_range(struct stage2 *s2, gpa_t gpa, uint64_t size, int perm)
{
	if (!s2->root || gpa % PAGE_SIZE || size % PAGE_SIZE)
		return -CV_EINVAL;
	while (size > 0) {
		int level, rc;
		uint64_t skip;
		uint64_t *slot = leaf_inside(s2, gpa, size, &level, &skip, &rc);
		if (rc < 0)
			return rc;
		if (!slot) {
			skip = MIN(skip, size);
			gpa += skip;
			size -= skip;
			continue;
		}
		uint64_t ls = stage2_level_size(level);
		if (perm < 0) {
			*slot = 0;
		} else {
			struct walk_desc info;
			decode(*slot, level, &info);
			*slot = stage2_arch_leaf_desc(info.addr, level, (unsigned)perm, info.memtype);
		}
		gpa += ls;
		size -= ls;
	}
	return 0;
}

int stage2_unmap(struct stage2 *s2, gpa_t gpa, uint64_t size)
{
	return change_range(s2, gpa, size, -1);
}

int stage2_protect(struct stage2 *s2, gpa_t gpa, uint64_t size, unsigned perm)
{
	return change_range(s2, gpa, size, (int)(perm & PERM_RWX));
}

int stage2_translate(const struct stage2 *s2, gpa_t gpa, enum access_kind access,
		     struct s2_result *res, walk_cb cb, void *ctx)
{
	const uint64_t *table = s2->root;
	int level = fmt->first_level;

	memset(res, 0, sizeof(*res));
	res->level = level;
	if (!table || gpa >> fmt->ipa_bits) {
		res->fault = FAULT_ADDR_SIZE;
		return -CV_EFAULT;
	}
	for (;; level++) {
		struct walk_step step = {
			.level = level,
			.table = hal_hva_to_hpa(table),
			.index = level_index(level, gpa),
		};
		step.desc = table[step.index];
		decode(step.desc, level, &step.info);
		if (cb)
			cb(&step, ctx);

		res->level = level;
		switch (step.info.kind) {
		case WALK_INVALID:
			res->fault = FAULT_TRANSLATION;
			return -CV_EFAULT;
		case WALK_TABLE:
			if (level >= fmt->last_level) {
				res->fault = FAULT_TRANSLATION;
				return -CV_EFAULT;
			}
			table = table_at(step.info.addr);
			continue;
		case WALK_LEAF:
			break;
		}
		uint64_t ls = stage2_level_size(level);
		res->perm = step.info.perm;
		res->memtype = step.info.memtype;
		res->leaf_size = ls;
		res->hpa = step.info.addr + (gpa & (ls - 1));
		// LAB 3 BEGIN: check the leaf's access flag and permissions in stage2_translate()
		if (!step.info.access_flag) {
			res->fault = FAULT_ACCESS_FLAG;
			return -CV_EFAULT;
		}
		if (!perm_allows(step.info.perm, access)) {
			res->fault = FAULT_PERMISSION;
			return -CV_EPERM;
		}
		return 0;
		// LAB 3 STUB
		// LAB_TODO(3, "check the leaf's access flag and permissions in stage2_translate() "
		//          "(labs/3-stage2/README.md)");
		// (void)access;
		// return 0;
		// LAB 3 END
	}
}

uint64_t stage2_root_register(const struct stage2 *s2, uint16_t vmid)
{
	return stage2_arch_root_register(hal_hva_to_hpa(s2->root), vmid);
}

/*
 * Visits the valid entries of one table at level, which maps the GPAs from
 * base: each entry, then (for a table entry) the entries of its table.
 */
static int visit_table(const uint64_t *table, unsigned entries, int level, gpa_t base,
		       stage2_visit_fn fn, void *ctx)
{
	uint64_t size = stage2_level_size(level);

	for (unsigned i = 0; i < entries; i++) {
		struct s2_entry e = {
			.level = level,
			.table = hal_hva_to_hpa(table),
			.index = i,
			.gpa = base + i * size,
			.size = size,
			.desc = table[i],
		};
		decode(e.desc, level, &e.info);
		if (e.info.kind == WALK_INVALID)
			continue;
		/* A table descriptor at the last level is invalid (as stage2_translate() finds). */
		if (e.info.kind == WALK_TABLE && level >= fmt->last_level)
			continue;
		int rc = fn(&e, ctx);
		if (rc)
			return rc;
		if (e.info.kind == WALK_TABLE) {
			rc = visit_table(table_at(e.info.addr), TABLE_ENTRIES, level + 1, e.gpa, fn, ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int stage2_visit(const struct stage2 *s2, stage2_visit_fn fn, void *ctx)
{
	if (!s2->root)
		return 0;
	return visit_table(s2->root, (unsigned)(s2->root_pages * TABLE_ENTRIES), fmt->first_level, 0,
			   fn, ctx);
}
