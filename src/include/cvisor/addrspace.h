/* SPDX-License-Identifier: MIT */
/**
 * @file addrspace.h
 * @brief A VM's guest physical address space (axaddrspace in AxVisor).
 *
 * An address space is a list of regions (RAM backed by host pages, or MMIO
 * windows served by emulated devices) plus the stage-2 tables that map the
 * RAM. Every access the hypervisor makes to guest memory (loaders, devices,
 * hypercalls) goes through addrspace_read()/addrspace_write() or
 * addrspace_gpa_to_hva(), which walk stage 2 and check bounds and
 * permissions: no code touches host memory by a raw guest address.
 */
#ifndef CVISOR_ADDRSPACE_H
#define CVISOR_ADDRSPACE_H

#include "stage2.h"
#include "types.h"

#define AS_MAX_REGIONS 32 /**< regions of one address space */

/** What backs a region. */
enum region_kind {
	REGION_RAM,  /**< host pages, mapped in stage 2 */
	REGION_MMIO, /**< an emulated device: not mapped, each access exits */
};

/** One contiguous range of guest physical addresses. */
struct as_region {
	enum region_kind kind; /**< RAM or MMIO */
	gpa_t base;            /**< first guest physical address */
	uint64_t size;         /**< bytes */
	unsigned perm;      /**< enum mem_perm bits */
	void *host;         /**< RAM: host memory backing it (NULL for MMIO) */
	char name[32];     /**< for logs and traces ("ram", "pl011"...) */
};

/** A guest physical address space. */
struct addrspace {
	struct as_region regions[AS_MAX_REGIONS]; /**< sorted by nothing: in the order added */
	unsigned nregions;                        /**< entries of regions used */
	struct stage2 s2;                         /**< the stage-2 tables mapping the RAM regions */
};

/** Initializes an empty address space with an empty stage-2 tree. */
int addrspace_init(struct addrspace *as);
/** Frees the RAM it allocated and its stage-2 tables. */
void addrspace_destroy(struct addrspace *as);
/**
 * Adds RAM at [base, base+size) with perm: allocates zeroed host pages and
 * maps them in stage 2. base and size must be page aligned.
 * Returns 0, -CV_EINVAL, -CV_EOVERLAP or -CV_ENOMEM.
 */
int addrspace_add_ram(struct addrspace *as, gpa_t base, uint64_t size, unsigned perm,
		      const char *name);
/**
 * Records an MMIO window (not mapped in stage 2: accesses exit to the
 * hypervisor). Returns 0, -CV_EINVAL or -CV_EOVERLAP.
 */
int addrspace_add_mmio(struct addrspace *as, gpa_t base, uint64_t size, const char *name);
/** The region containing gpa, or NULL. */
const struct as_region *addrspace_find(const struct addrspace *as, gpa_t gpa);
/**
 * Host pointer for [gpa, gpa+len) if the whole range is RAM contiguous in
 * host memory and stage 2 allows access. NULL otherwise.
 */
void *addrspace_gpa_to_hva(const struct addrspace *as, gpa_t gpa, uint64_t len,
			   enum access_kind access);
/**
 * Copies len bytes from guest RAM at gpa, translating page by page through
 * stage 2. The hypervisor reads and writes as the owner of the memory: the
 * pages must be mapped RAM, but the guest's permissions are not applied
 * (an image is loaded into a read-only region this way). Returns 0 or
 * -CV_EFAULT if part of the range is not RAM.
 */
int addrspace_read(const struct addrspace *as, gpa_t gpa, void *buf, uint64_t len);
/** Copies len bytes into guest RAM at gpa; as addrspace_read(). */
int addrspace_write(struct addrspace *as, gpa_t gpa, const void *buf, uint64_t len);

#endif
