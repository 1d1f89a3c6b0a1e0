/* SPDX-License-Identifier: MIT */
/**
 * @file stage2.h
 * @brief Stage-2 translation tables in the architecture's own format.
 *
 * Stage 2 translates guest physical addresses (GPA) to host physical
 * addresses (HPA). The core builds the tables in exactly the layout the
 * hardware walks (VMSAv8-64 stage 2 on AArch64, Sv39x4 on RISC-V, EPT on
 * x86_64): on bare metal the MMU walks them; in the simulator project code
 * does, in stage2_translate(), so the walk can be traced and stepped.
 *
 * The generic walker lives in core/stage2.c; each architecture describes
 * its format's geometry as data (stage2_arch_format) and encodes and
 * decodes descriptors (the stage2_arch_* hooks), declared at the end.
 */
#ifndef CVISOR_STAGE2_H
#define CVISOR_STAGE2_H

#include "exit.h"
#include "types.h"
#include "walk.h"

/** A stage-2 table tree. */
struct stage2 {
	void *root;          /**< host pointer to the root table */
	size_t root_pages;   /**< pages in the root (concatenated tables) */
	size_t table_pages;  /**< pages used by tables, root included */
	void *root_alloc;    /**< what was allocated for the root (may be larger, for alignment) */
	size_t root_alloc_pages; /**< pages of root_alloc */
};

/** Result of a translation. */
struct s2_result {
	hpa_t hpa;                /**< output address (on success) */
	unsigned perm;            /**< permissions of the leaf */
	enum s2_memtype memtype;  /**< memory type of the leaf */
	uint64_t leaf_size;       /**< bytes covered by the leaf (4 KiB, 2 MiB, 1 GiB) */
	enum walk_fault fault; /**< why it failed (on failure) */
	int level;                /**< level of the leaf or of the fault */
};

/** Allocates an empty stage-2 tree. Returns 0 or -CV_ENOMEM. */
int stage2_init(struct stage2 *s2);
/** Frees every table of the tree (not the memory it maps). */
void stage2_destroy(struct stage2 *s2);
/**
 * Maps [gpa, gpa+size) to [hpa, hpa+size) with perm and memtype, using the
 * largest block/superpage each aligned piece allows. All three must be
 * page aligned. Fails with -CV_EOVERLAP if any page is already mapped.
 */
int stage2_map(struct stage2 *s2, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned perm,
	       enum s2_memtype memtype);
/**
 * Unmaps every page of [gpa, gpa+size) (page aligned; holes are skipped),
 * splitting blocks that reach outside the range. Tables left empty are
 * kept. The caller makes the hardware forget its cached translations
 * (hal_vm_stage2_changed). Returns 0, -CV_EINVAL or -CV_ENOMEM.
 */
int stage2_unmap(struct stage2 *s2, gpa_t gpa, uint64_t size);
/** Gives every mapped page of [gpa, gpa+size) the permissions perm, splitting blocks as unmap does. */
int stage2_protect(struct stage2 *s2, gpa_t gpa, uint64_t size, unsigned perm);
/**
 * Walks the tree for gpa and checks access. Returns 0 and fills res->hpa
 * (with the page offset) on success; otherwise -CV_EFAULT (translation or
 * access-flag fault) or -CV_EPERM (permission fault) with res->fault and
 * res->level set. Whenever a leaf was found (success, permission or
 * access-flag fault), res->hpa, res->perm and res->leaf_size describe it.
 * cb, if not NULL, sees every level visited.
 */
int stage2_translate(const struct stage2 *s2, gpa_t gpa, enum access_kind access,
		     struct s2_result *res, walk_cb cb, void *ctx);
/** One valid descriptor of a stage-2 tree, as stage2_visit() reports it. */
struct s2_entry {
	int level;             /**< level of the table holding it (architecture's numbering) */
	hpa_t table;           /**< host physical address of that table */
	unsigned index;        /**< its index in that table (the root's may exceed 511) */
	gpa_t gpa;             /**< first guest physical address it covers */
	uint64_t size;         /**< bytes it covers: stage2_level_size(level) */
	uint64_t desc;         /**< the descriptor's raw value */
	struct walk_desc info; /**< desc decoded: a table (info.addr: the next table) or a leaf */
};

/** Called by stage2_visit() for each entry; a nonzero return stops the visit. */
typedef int (*stage2_visit_fn)(const struct s2_entry *e, void *ctx);

/**
 * Calls fn(entry, ctx) for every valid entry of the tree, depth first in
 * GPA order: a table entry, then the entries of its table, then the next
 * entry. Invalid entries are skipped. Reads the tables, changes nothing.
 * Returns 0 once every entry was visited, or fn's first nonzero return.
 */
int stage2_visit(const struct stage2 *s2, stage2_visit_fn fn, void *ctx);
/** The value the hardware's stage-2 base register takes (VTTBR_EL2, hgatp, EPTP). */
uint64_t stage2_root_register(const struct stage2 *s2, uint16_t vmid);

/**
 * Bytes mapped by one descriptor at level: a page at the last level, a
 * block (superpage) above it. Computed from stage2_arch_format.
 */
uint64_t stage2_level_size(int level);

/* ---- Architecture hooks (src/arch/<arch>/stage2.c) ---------------------- */

/** Levels 0..3: the most any supported format has (EPT's PML4 is level 0). */
#define STAGE2_MAX_LEVELS 4

/**
 * The geometry of the architecture's stage-2 format, as data (in the way
 * Bao's page-table descriptions are): which levels a walk visits, how many
 * input-address bits each level's index takes, where a leaf may sit. Levels
 * are numbered from the root down; the last level maps 4 KiB pages. A
 * level's descriptor maps 2^(12 + the index bits of every level below it)
 * bytes. For AArch64 with a 40-bit IPA:
 *
 *   level       1 (root)      2          3
 *   index bits  IPA[39:30]    IPA[29:21] IPA[20:12]   page offset IPA[11:0]
 *               10 bits: two concatenated 4 KiB tables
 */
struct stage2_format {
	int first_level; /**< level of the root table */
	int last_level;  /**< level of the page table (4 KiB pages) */
	/** Input-address bits of each level's index; the root's may be wider (concatenated tables). */
	unsigned index_bits[STAGE2_MAX_LEVELS];
	/** Per level: a leaf (block or page descriptor) may sit there. */
	bool leaf_allowed[STAGE2_MAX_LEVELS];
	size_t root_pages; /**< pages in the root table: 2^(root index bits - 9) */
	unsigned ipa_bits; /**< input address bits: 12 + every level's index bits */
};

/** The format of this build's architecture. */
extern const struct stage2_format stage2_arch_format;

/** Descriptor pointing at the next-level table at hpa. */
uint64_t stage2_arch_table_desc(hpa_t next);
/** Leaf descriptor for output address hpa at level. */
uint64_t stage2_arch_leaf_desc(hpa_t hpa, int level, unsigned perm, enum s2_memtype memtype);
/**
 * Decodes a descriptor read at level into info, which the core has zeroed
 * (WALK_INVALID, S2_MEM_NORMAL, no access flag): an invalid descriptor
 * leaves it so.
 */
void stage2_arch_decode(uint64_t desc, int level, struct walk_desc *info);
/** Stage-2 base register value for a root at hpa and a VMID. */
uint64_t stage2_arch_root_register(hpa_t root, uint16_t vmid);

#endif
