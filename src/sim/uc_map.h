/* SPDX-License-Identifier: MIT */
/**
 * @file uc_map.h
 * @brief Unicorn's address space as a VM's guest-physical space, for every
 *        simulated architecture: RAM where stage 2 maps it, one MMIO
 *        window per device, catch-all MMIO windows for every other address
 *        (the stage-2 fault path).
 */
#ifndef SIM_UC_MAP_H
#define SIM_UC_MAP_H

#include <unicorn/unicorn.h>

#include <cvisor/addrspace.h>

/*
 * How Unicorn's map follows stage 2 (docs/simulator.md, "The memory map"):
 * a RAM region is first mapped as stage 2 maps it, in as few pieces as
 * possible. On its first change it is cut into at most SIM_MAP_CHUNKS
 * chunks (2 MiB or more), and from then on a change rebuilds only the
 * chunks it overlaps. A chunk that stage 2 cuts into more than
 * SIM_MAP_CHUNK_PIECES runs of equal permissions (or any chunk, once the
 * map holds SIM_MAP_MAX_PIECES pieces) is mapped as one piece with the
 * permissions all its pages share; the permission hooks then grant, page
 * by page, what stage 2 grants beyond them. So a guest cannot make the map
 * grow without bound, and each change costs what its chunks cost.
 */
#define SIM_MAP_CHUNKS 64
#define SIM_MAP_CHUNK_MIN 0x200000ULL
#define SIM_MAP_CHUNK_PIECES 4
#define SIM_MAP_MAX_PIECES 256

/** One MMIO window of Unicorn's map: the user pointer of its callbacks. */
struct sim_window {
	void *owner;   /**< the architecture's per-vCPU state; NULL: a free slot */
	gpa_t base;    /**< GPA of the window's first byte (callbacks get offsets) */
};

struct sim_map {
	/* Regions, the gaps between them, and holes stage 2 leaves in RAM. */
	struct sim_window windows[AS_MAX_REGIONS * 2 + 2 + 64];
	unsigned n;
	void *owner;                  /**< what sim_map_build() was given */
	uc_cb_mmio_read_t rd;
	uc_cb_mmio_write_t wr;
	bool exec;                    /**< sim_map_exec_windows() was applied */
	bool restricted;              /**< stage 2 maps some RAM without write permission */
	const struct addrspace *as;   /**< what sim_map_build() was given */
	/* Per RAM region of as (same index): how it is mapped since stage 2 changed in it. */
	struct sim_ram_map {
		uint64_t chunk;       /**< 0: as sim_map_build() mapped it; else its chunks' size */
		uint64_t restricted;  /**< bit i: chunk i (bit 0: the region, unchunked) lacks write somewhere */
		uint8_t pieces[SIM_MAP_CHUNKS]; /**< Unicorn regions in chunk i */
	} ram[AS_MAX_REGIONS];
	unsigned pieces;              /**< Unicorn regions in all chunked regions */
};

/**
 * Stage-2 changes a CPU has not followed yet: the union of their ranges.
 * Any thread adds to it; the CPU's own thread takes it before it runs.
 */
struct sim_s2_pending {
	bool lock;                    /**< held while the fields below change */
	bool any;                     /**< a change is pending */
	gpa_t lo, hi;                 /**< [lo, hi): every pending change lies inside */
};

/** Adds the change of [gpa, gpa + size) to p (any thread). */
void sim_s2_pending_add(struct sim_s2_pending *p, gpa_t gpa, uint64_t size);
/**
 * Takes what p holds: true with [*gpa, *gpa + *size) covering every change
 * added before, and p empty; false if nothing is pending.
 */
bool sim_s2_pending_take(struct sim_s2_pending *p, gpa_t *gpa, uint64_t *size);

/**
 * Maps [0, limit) of uc for address space as: RAM regions from the stage-2
 * tables (the host pages stage 2 points at, with its permissions),
 * device regions and the gaps between regions as MMIO windows whose
 * callbacks are rd/wr with a struct sim_window as user data.
 * Returns 0 or a negative cv_err.
 */
int sim_map_build(uc_engine *uc, const struct addrspace *as, struct sim_map *m, void *owner,
		  uint64_t limit, uc_cb_mmio_read_t rd, uc_cb_mmio_write_t wr);

/**
 * Makes Unicorn's map follow a change of stage 2 in [gpa, gpa + size)
 * (unmap, protect): rebuilds the chunks of RAM that overlap it from the
 * stage-2 tables, RAM with stage 2's current permissions, catch-all
 * windows where stage 2 maps nothing; every other piece stays as it is.
 * Unicorn flushes its TLB on each change of its map, so no access goes on
 * with the old permissions. Called between runs of the CPU, never from a
 * hook. Returns 0 or a negative cv_err.
 */
int sim_map_refresh(uc_engine *uc, struct sim_map *m, gpa_t gpa, uint64_t size);

/**
 * Makes every MMIO window of m executable. With the guest's MMU on,
 * Unicorn checks the *virtual* address of an access against its map
 * before translating it, and an MMIO region refuses instruction fetches:
 * code at a virtual address that is not RAM in the guest-physical map
 * (a high-half kernel) could not run. Executable windows let the check
 * pass; a fetch whose *physical* address is in a window then arrives in
 * the window's read callback, which must treat it as an instruction
 * fetch (the program counter is in the same page), never as a load.
 *
 * Unicorn also checks write permission on the region of the *virtual*
 * address: a store through a VA in a window reaches RAM whatever stage 2
 * says of it. So while stage 2 maps some RAM read-only (m->restricted),
 * the windows are not writable: every store through such a VA first
 * reaches the architecture's UC_HOOK_MEM_WRITE_PROT hook, which walks
 * stage 1 and stage 2 and either lets the store go on (the hook returns
 * true) or makes it a stage-2 permission fault. Writes are then slower
 * through those VAs, which is why it is not always so.
 */
int sim_map_exec_windows(uc_engine *uc, struct sim_map *m);

/**
 * For an architecture's UC_HOOK_MEM_*_PROT hook, once stage 1 has given the
 * GPA accessed: true if the access must go on (Unicorn refused it only for
 * the region of its virtual address: the GPA is a device or no RAM, whose
 * window callbacks take it, or RAM that stage 2 allows); false if stage 2
 * forbids it, a stage-2 permission fault.
 */
bool sim_map_access_goes_on(const struct addrspace *as, gpa_t gpa, enum access_kind access);

#endif
