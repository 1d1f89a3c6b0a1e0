/* SPDX-License-Identifier: MIT */
/**
 * @file walk.h
 * @brief What every page-table walker shares (permissions, the decoded
 *        descriptor, one step of a walk), what a stage-1 walk returns, and
 *        the walk trace
 *        (--trace=walks) that shows a student GVA -> GPA -> HPA level by
 *        level.
 *
 * The guest's own (stage-1) walkers live in `src/arch/<arch>/stage1.c`:
 * a64_s1_translate(), rv_s1_translate(), x86_s1_translate(). They read the
 * guest's tables through the address space, so every table read itself
 * goes through stage 2, as on hardware. The stage-2 walker is
 * stage2_translate() (stage2.h). All of them take a walk_cb that sees
 * each level they visit; walk_trace_begin() gives the one that prints it.
 */
#ifndef CVISOR_WALK_H
#define CVISOR_WALK_H

#include "exit.h"
#include "types.h"

struct vcpu;

/** Access permissions of a mapping, at either stage. */
enum mem_perm { PERM_READ = 1, PERM_WRITE = 2, PERM_EXEC = 4, PERM_RWX = 7 };

/** True if a leaf with permissions perm (enum mem_perm bits) allows access. */
static inline bool perm_allows(unsigned perm, enum access_kind access)
{
	unsigned need = access == ACCESS_READ ? PERM_READ : access == ACCESS_WRITE ? PERM_WRITE : PERM_EXEC;
	return (perm & need) != 0;
}

/** Writes perm (enum mem_perm bits) as "rwx", "r--"...: three letters and a NUL in buf; returns buf. */
const char *perm_text(unsigned perm, char buf[4]);

/** Memory type of a stage-2 mapping. */
enum s2_memtype { S2_MEM_NORMAL, S2_MEM_DEVICE };

/** What a descriptor means, as the walker understands it. */
struct walk_desc {
	/** What the descriptor is. */
	enum {
		WALK_INVALID, /**< not valid: the walk faults here */
		WALK_TABLE,   /**< points to the next level's table */
		WALK_LEAF,    /**< maps a page or block: the walk ends here */
	} kind;
	hpa_t addr;          /**< next table (TABLE) or output address (LEAF) */
	unsigned perm;       /**< enum mem_perm bits (LEAF) */
	enum s2_memtype memtype; /**< memory type (LEAF; stage 2) */
	bool access_flag;    /**< AF set (architectures without AF: true) */
};

/** One level of a walk, for tracing and teaching. */
struct walk_step {
	int level;           /**< level of the table read (architecture's numbering) */
	uint64_t table;      /**< address of the table read: a GPA at stage 1, an HPA at stage 2 */
	unsigned index;      /**< index of the descriptor in that table */
	uint64_t desc;       /**< descriptor value read */
	struct walk_desc info; /**< desc decoded */
};

/** Called once per level a walker visits (stage 1 or 2), when non-NULL. */
typedef void (*walk_cb)(const struct walk_step *step, void *ctx);

/** What a stage-1 walk found (every architecture). */
struct s1_result {
	gpa_t gpa;               /**< the output address, with the page offset (leaf found);
				      for FAULT_TABLE_NOT_RAM the GPA of the descriptor that could not be read */
	unsigned perm;           /**< PERM_READ/WRITE/EXEC of the leaf for the access's privilege */
	enum walk_fault fault;   /**< why it failed: translation, permission, access flag,
				      FAULT_TABLE_NOT_RAM = a table that is not in RAM */
	int level;               /**< level of the leaf, or of the fault (architecture's numbering) */
	uint64_t leaf_size;      /**< bytes the leaf maps (4 KiB, 2 MiB, 1 GiB, ...) */
	uint64_t code;           /**< architecture detail of a fault (x86: the \#PF error code) */
};

/**
 * What every stage-1 walker does with a level's decoded descriptor, once
 * its callback has seen it: an invalid one is a translation fault
 * (returns -CV_EFAULT, res->fault set); a table pointer continues the walk
 * (*table = the next table, returns 1); a leaf gives res->gpa (with va's
 * offset inside the leaf of 2^shift bytes), res->perm and res->leaf_size
 * (returns 0; the walker then checks what its format checks on a leaf).
 */
int s1_walk_follow(const struct walk_step *step, unsigned shift, gva_t va, uint64_t *table,
		   struct s1_result *res);

/** A walk being traced: pass it as the ctx of walk_trace_step(). */
struct walk_trace {
	const struct vcpu *vcpu; /**< on whose behalf (its VM says whether walks are traced) */
	int stage;               /**< 1 or 2 */
	/** Where the lines go: out(line, out_arg), or the trace (NULL: --trace=walks). */
	void (*out)(const char *line, void *out_arg);
	void *out_arg;           /**< passed to out */
};

/**
 * Starts tracing a walk of addr (a GVA for stage 1, a GPA for stage 2) on
 * behalf of vcpu, for why ("fault", "fetch", "shadow fill", ...). If the
 * VM traces walks, prints the walk's first line and returns
 * walk_trace_step, to be passed to the walker with t as its ctx;
 * otherwise returns NULL and prints nothing.
 */
walk_cb walk_trace_begin(struct walk_trace *t, const struct vcpu *vcpu, int stage, uint64_t addr,
			    enum access_kind access, const char *why);
/**
 * The same as walk_trace_begin(), but the lines go to out(line, out_arg)
 * whatever the VM traces (gdb's `monitor walk`). Returns walk_trace_step.
 */
walk_cb walk_trace_begin_to(struct walk_trace *t, const struct vcpu *vcpu, int stage, uint64_t addr,
			    enum access_kind access, const char *why,
			    void (*out)(const char *line, void *out_arg), void *out_arg);
/** Prints one level of a walk (an walk_cb; ctx is a struct walk_trace). */
void walk_trace_step(const struct walk_step *step, void *ctx);
/** Prints how the walk ended: rc 0 with its output address, or the fault. */
void walk_trace_end(const struct walk_trace *t, int rc, uint64_t out, enum walk_fault fault,
		    int level);
/**
 * The stage-2 half of a traced translation: walks stage 2 for gpa and
 * prints it, if the VM traces walks (nothing otherwise). Called by the
 * architectures after a traced stage-1 walk, so the trace reads
 * GVA -> GPA -> HPA.
 */
void walk_trace_stage2(const struct vcpu *vcpu, gpa_t gpa, enum access_kind access,
		       const char *why);
/**
 * Walks stage 2 for gpa and prints it to where t's lines go (a trace
 * begun with walk_trace_begin_to()); t is reused for the walk.
 */
void walk_trace_stage2_to(struct walk_trace *t, gpa_t gpa, enum access_kind access, const char *why);
/** "translation", "permission", "access-flag", "address-size", "other" */
const char *walk_fault_name(enum walk_fault kind);

#endif
