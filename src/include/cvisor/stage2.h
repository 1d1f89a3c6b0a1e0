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
 * The generic walker lives in core/stage2.c; the descriptor formats are
 * the stage2_arch_* hooks declared at the end, one set per architecture.
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
	size_t root_alloc_pages;
};

/** Result of a translation. */
struct s2_result {
	hpa_t hpa;                /**< output address (on success) */
	unsigned perm;            /**< permissions of the leaf */
	enum s2_memtype memtype;
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
/** The value the hardware's stage-2 base register takes (VTTBR_EL2, hgatp, EPTP). */
uint64_t stage2_root_register(const struct stage2 *s2, uint16_t vmid);

/* ---- Architecture hooks (src/arch/<arch>/stage2.c) ---------------------- */

/** Level at which a walk starts (AArch64 40-bit IPA: 1). */
int stage2_arch_start_level(void);
/** Level of the last table (page level); 3 on every supported format. */
int stage2_arch_last_level(void);
/** Pages in the root table (concatenated root tables: 2 for a 40-bit IPA). */
size_t stage2_arch_root_pages(void);
/** Number of input address bits (40 for VTCR_EL2.T0SZ = 24). */
unsigned stage2_arch_ipa_bits(void);
/** Index of the descriptor for gpa in a table at level (root may span pages). */
unsigned stage2_arch_index(int level, gpa_t gpa);
/** Bytes mapped by one descriptor at level. */
uint64_t stage2_arch_level_size(int level);
/** True if a leaf (block) descriptor may sit at this level. */
bool stage2_arch_leaf_allowed(int level);
/** Descriptor pointing at the next-level table at hpa. */
uint64_t stage2_arch_table_desc(hpa_t next);
/** Leaf descriptor for output address hpa at level. */
uint64_t stage2_arch_leaf_desc(hpa_t hpa, int level, unsigned perm, enum s2_memtype memtype);
/** Decodes a descriptor read at level. */
void stage2_arch_decode(uint64_t desc, int level, struct walk_desc *info);
/** Stage-2 base register value for a root at hpa and a VMID. */
uint64_t stage2_arch_root_register(hpa_t root, uint16_t vmid);

#endif
