/* SPDX-License-Identifier: MIT */
/**
 * @file uc_map.c
 * @brief Building Unicorn's memory map from a VM's address space.
 *
 * RAM is found by walking the VM's stage-2 tables, not by reading the
 * region list: what the simulated CPU can reach is exactly what stage 2
 * maps, as on hardware.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "uc_map.h"

static int prot_of(unsigned perm)
{
	return ((perm & PERM_READ) ? UC_PROT_READ : 0) | ((perm & PERM_WRITE) ? UC_PROT_WRITE : 0) |
	       ((perm & PERM_EXEC) ? UC_PROT_EXEC : 0);
}

static int map_window(uc_engine *uc, struct sim_map *m, void *owner, gpa_t base, uint64_t size,
		      uc_cb_mmio_read_t rd, uc_cb_mmio_write_t wr);

/*
 * Maps a RAM region by walking stage 2, coalescing host-contiguous leaves
 * with the same permissions. Pages stage 2 does not map (unmapped by the
 * hypervisor) become catch-all windows: the stage-2 fault path.
 */
static int map_ram(uc_engine *uc, struct sim_map *m, void *owner, const struct stage2 *s2,
		   const struct as_region *r, uc_cb_mmio_read_t rd, uc_cb_mmio_write_t wr)
{
	gpa_t gpa = r->base, end = r->base + r->size;

	while (gpa < end) {
		struct s2_result res;
		if (stage2_translate(s2, gpa, ACCESS_READ, &res, NULL, NULL) < 0) {
			gpa_t hole = gpa;
			while (gpa < end && stage2_translate(s2, gpa, ACCESS_READ, &res, NULL, NULL) < 0)
				gpa += PAGE_SIZE;
			int rc = map_window(uc, m, owner, hole, gpa - hole, rd, wr);
			if (rc < 0)
				return rc;
			continue;
		}
		gpa_t start = gpa;
		hpa_t hstart = res.hpa;
		unsigned perm = res.perm;
		uint64_t len = 0;
		while (gpa < end) {
			struct s2_result n;
			if (stage2_translate(s2, gpa, ACCESS_READ, &n, NULL, NULL) < 0 ||
			    n.hpa != hstart + len || n.perm != perm)
				break;
			uint64_t step = n.leaf_size - (gpa & (n.leaf_size - 1));
			step = MIN(step, end - gpa);
			len += step;
			gpa += step;
		}
		if (!(perm & PERM_WRITE))
			m->restricted = true;
		if (uc_mem_map_ptr(uc, start, len, prot_of(perm), hal_hpa_to_hva(hstart)) != UC_ERR_OK)
			return -CV_EINVAL;
	}
	return 0;
}

static int map_window(uc_engine *uc, struct sim_map *m, void *owner, gpa_t base, uint64_t size,
		      uc_cb_mmio_read_t rd, uc_cb_mmio_write_t wr)
{
	struct sim_window *w = NULL;

	for (unsigned i = 0; i < m->n && !w; i++) /* a slot a refresh freed */
		if (!m->windows[i].owner)
			w = &m->windows[i];
	if (!w) {
		if (m->n == ARRAY_SIZE(m->windows))
			return -CV_ENOMEM;
		w = &m->windows[m->n++];
	}
	w->owner = owner;
	w->base = base;
	return uc_mmio_map(uc, base, size, rd, w, wr, w) == UC_ERR_OK ? 0 : -CV_EINVAL;
}

int sim_map_build(uc_engine *uc, const struct addrspace *as, struct sim_map *m, void *owner,
		  uint64_t limit, uc_cb_mmio_read_t rd, uc_cb_mmio_write_t wr)
{
	m->owner = owner;
	m->rd = rd;
	m->wr = wr;
	m->restricted = false;
	const struct as_region *sorted[AS_MAX_REGIONS];
	unsigned n = as->nregions;
	gpa_t next = 0;

	for (unsigned i = 0; i < n; i++)
		sorted[i] = &as->regions[i];
	for (unsigned i = 1; i < n; i++) /* insertion sort by base */
		for (unsigned j = i; j > 0 && sorted[j]->base < sorted[j - 1]->base; j--) {
			const struct as_region *t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	/*
	 * Unicorn maps whole pages: a device window smaller than a page (the
	 * 16550A's 0x100 bytes) takes its page; the device bus still refuses
	 * offsets past the device, so those accesses stop the VM as wild ones.
	 */
	for (unsigned i = 0; i < n && sorted[i]->base < limit; i++) {
		const struct as_region *r = sorted[i];
		gpa_t base = ALIGN_DOWN(r->base, PAGE_SIZE);
		gpa_t end = ALIGN_UP(r->base + r->size, PAGE_SIZE);
		int rc = base < next ? -CV_EOVERLAP : 0;
		if (rc == 0 && base > next)
			rc = map_window(uc, m, owner, next, base - next, rd, wr);
		if (rc == 0)
			rc = r->kind == REGION_RAM ? map_ram(uc, m, owner, &as->s2, r, rd, wr)
						   : map_window(uc, m, owner, base, end - base, rd, wr);
		if (rc < 0)
			return rc;
		next = end;
	}
	if (next < limit)
		return map_window(uc, m, owner, next, limit - next, rd, wr);
	return 0;
}

int sim_map_exec_windows(uc_engine *uc, struct sim_map *m)
{
	uc_mem_region *regions;
	uint32_t n;

	if (uc_mem_regions(uc, &regions, &n) != UC_ERR_OK)
		return -CV_EINVAL;
	m->exec = true;
	int prot = m->restricted ? UC_PROT_READ | UC_PROT_EXEC : UC_PROT_ALL, rc = 0;
	for (uint32_t i = 0; i < n && rc == 0; i++)
		for (unsigned w = 0; w < m->n; w++)
			if (m->windows[w].owner && regions[i].begin == m->windows[w].base &&
			    uc_mem_protect(uc, regions[i].begin, regions[i].end - regions[i].begin + 1,
					   prot) != UC_ERR_OK)
				rc = -CV_EINVAL;
	uc_free(regions);
	return rc;
}

int sim_map_refresh_ram(uc_engine *uc, const struct addrspace *as, struct sim_map *m)
{
	m->restricted = false;
	for (unsigned i = 0; i < as->nregions; i++) {
		const struct as_region *r = &as->regions[i];
		uc_mem_region *regions;
		uint32_t n;
		void *owner = NULL;

		if (r->kind != REGION_RAM)
			continue;
		if (uc_mem_regions(uc, &regions, &n) != UC_ERR_OK)
			return -CV_EINVAL;
		/* Unicorn's pieces of this region: RAM runs and hole windows, all made by map_ram(). */
		int rc = 0;
		for (uint32_t k = 0; k < n && rc == 0; k++) {
			uint64_t b = regions[k].begin, len = regions[k].end - regions[k].begin + 1;
			if (b < r->base || b >= r->base + r->size)
				continue;
			for (unsigned w = 0; w < m->n; w++)
				if (m->windows[w].owner && m->windows[w].base == b) {
					owner = m->windows[w].owner;
					m->windows[w].owner = NULL; /* the slot is free again */
				}
			if (uc_mem_unmap(uc, b, len) != UC_ERR_OK)
				rc = -CV_EINVAL;
		}
		uc_free(regions);
		if (rc == 0)
			rc = map_ram(uc, m, owner ? owner : m->owner, &as->s2, r, m->rd, m->wr);
		if (rc < 0)
			return rc;
	}
	return m->exec ? sim_map_exec_windows(uc, m) : 0;
}

bool sim_map_access_goes_on(const struct addrspace *as, gpa_t gpa, enum access_kind access)
{
	const struct as_region *r = addrspace_find(as, gpa);
	struct s2_result res;

	return !r || r->kind != REGION_RAM ||
	       stage2_translate(&as->s2, gpa, access, &res, NULL, NULL) == 0;
}
