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

/* A run of RAM pages that stage 2 maps alike: host-contiguous, same permissions. */
struct run {
	gpa_t gpa;
	uint64_t len;
	bool mapped;   /* false: a hole stage 2 does not map */
	hpa_t hpa;
	unsigned perm;
};

/*
 * The run of [gpa, end) that starts at gpa: the pages stage 2 maps
 * host-contiguously with the same permissions, or the pages it leaves
 * unmapped. Walks stage 2 leaf by leaf (a block counts once).
 */
static void next_run(const struct stage2 *s2, gpa_t gpa, gpa_t end, struct run *run)
{
	struct s2_result res;

	run->gpa = gpa;
	run->mapped = stage2_translate(s2, gpa, ACCESS_READ, &res, NULL, NULL) == 0;
	run->hpa = res.hpa;
	run->perm = res.perm;
	if (!run->mapped) {
		while (gpa < end && stage2_translate(s2, gpa, ACCESS_READ, &res, NULL, NULL) < 0)
			gpa += PAGE_SIZE;
		run->len = gpa - run->gpa;
		return;
	}
	while (gpa < end) {
		struct s2_result n;
		if (stage2_translate(s2, gpa, ACCESS_READ, &n, NULL, NULL) < 0 ||
		    n.hpa != run->hpa + (gpa - run->gpa) || n.perm != run->perm)
			break;
		gpa += MIN(n.leaf_size - (gpa & (n.leaf_size - 1)), end - gpa);
	}
	run->len = gpa - run->gpa;
}

/* Maps one run: host pages with stage 2's permissions, or a catch-all window for a hole. */
static int map_run(uc_engine *uc, struct sim_map *m, const struct run *run)
{
	if (!run->mapped)
		return map_window(uc, m, m->owner, run->gpa, run->len, m->rd, m->wr);
	return uc_mem_map_ptr(uc, run->gpa, run->len, prot_of(run->perm),
			      hal_hpa_to_hva(run->hpa)) == UC_ERR_OK
		       ? 0
		       : -CV_EINVAL;
}

/*
 * Maps a RAM region by walking stage 2, one Unicorn region per run. Pages
 * stage 2 does not map (unmapped by the hypervisor) become catch-all
 * windows: the stage-2 fault path. Records in *restricted whether a run
 * lacks write permission.
 */
static int map_ram(uc_engine *uc, struct sim_map *m, const struct as_region *r, bool *restricted)
{
	gpa_t gpa = r->base, end = r->base + r->size;

	*restricted = false;
	while (gpa < end) {
		struct run run;
		next_run(&m->as->s2, gpa, end, &run);
		if (run.mapped && !(run.perm & PERM_WRITE))
			*restricted = true;
		int rc = map_run(uc, m, &run);
		if (rc < 0)
			return rc;
		gpa += run.len;
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

/*
 * A fetch from RAM that Unicorn's piece does not let execute: a chunk
 * mapped with the permissions its pages share (sim_map_refresh()). The
 * fetch goes on (true) if stage 2 lets the page at this address execute,
 * as a piece of its own would; else the architecture's hook reports it.
 */
static bool on_fetch_prot(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			  void *user)
{
	const struct sim_map *m = user;
	const struct as_region *r = addrspace_find(m->as, addr);
	struct s2_result res;

	(void)uc;
	(void)type;
	(void)size;
	(void)value;
	return r && r->kind == REGION_RAM &&
	       stage2_translate(&m->as->s2, addr, ACCESS_FETCH, &res, NULL, NULL) == 0;
}

int sim_map_build(uc_engine *uc, const struct addrspace *as, struct sim_map *m, void *owner,
		  uint64_t limit, uc_cb_mmio_read_t rd, uc_cb_mmio_write_t wr)
{
	m->owner = owner;
	m->rd = rd;
	m->wr = wr;
	m->as = as;
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
	 * Devices that share a page (virtio-mmio's 0x200-byte windows, as on
	 * QEMU virt) share its window: every window reaches the device bus by
	 * the GPA. Only RAM may not share a page with anything.
	 */
	bool last_ram = false;
	for (unsigned i = 0; i < n && sorted[i]->base < limit; i++) {
		const struct as_region *r = sorted[i];
		gpa_t base = ALIGN_DOWN(r->base, PAGE_SIZE);
		gpa_t end = ALIGN_UP(r->base + r->size, PAGE_SIZE);
		if (base < next && r->kind != REGION_RAM && !last_ram) {
			base = next;
			if (end <= next)
				continue;
		}
		last_ram = r->kind == REGION_RAM;
		int rc = base < next ? -CV_EOVERLAP : 0;
		if (rc == 0 && base > next)
			rc = map_window(uc, m, owner, next, base - next, rd, wr);
		if (rc == 0 && r->kind == REGION_RAM) {
			bool restricted;
			rc = map_ram(uc, m, r, &restricted);
			m->ram[r - as->regions].restricted = restricted;
			m->restricted |= restricted;
		} else if (rc == 0) {
			rc = map_window(uc, m, owner, base, end - base, rd, wr);
		}
		if (rc < 0)
			return rc;
		next = end;
	}
	if (next < limit && map_window(uc, m, owner, next, limit - next, rd, wr) < 0)
		return -CV_EINVAL;
	uc_hook h;
	return uc_hook_add(uc, &h, UC_HOOK_MEM_FETCH_PROT, (void *)on_fetch_prot, m, 1, 0) == UC_ERR_OK
		       ? 0
		       : -CV_EINVAL;
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

/* ---- Following stage 2 ------------------------------------------------------ */

/* Frees the window slots of Unicorn regions inside [lo, hi), which the caller unmaps. */
static void free_windows(struct sim_map *m, gpa_t lo, gpa_t hi)
{
	for (unsigned w = 0; w < m->n; w++)
		if (m->windows[w].owner && m->windows[w].base >= lo && m->windows[w].base < hi)
			m->windows[w].owner = NULL;
}

/* The size of region r's chunks: at least 2 MiB, at most SIM_MAP_CHUNKS of them. */
static uint64_t chunk_size(const struct as_region *r)
{
	uint64_t c = ALIGN_UP((r->size + SIM_MAP_CHUNKS - 1) / SIM_MAP_CHUNKS, SIM_MAP_CHUNK_MIN);
	return MAX(c, SIM_MAP_CHUNK_MIN);
}

/* What stage 2 makes of one chunk: its runs, and whether one piece can stand for them all. */
struct chunk_plan {
	unsigned runs;
	bool one_piece;     /* no hole, host-contiguous: one piece with the shared permissions */
	unsigned shared;    /* the permissions every run has */
	hpa_t hpa;
};

static void plan_chunk(const struct stage2 *s2, gpa_t lo, gpa_t hi, struct chunk_plan *p)
{
	struct run run;

	p->runs = 0;
	p->hpa = 0;
	p->one_piece = true;
	p->shared = PERM_RWX;
	for (gpa_t gpa = lo; gpa < hi; gpa += run.len) {
		next_run(s2, gpa, hi, &run);
		if (p->runs++ == 0)
			p->hpa = run.hpa;
		p->one_piece &= run.mapped && run.hpa == p->hpa + (gpa - lo);
		if (run.mapped)
			p->shared &= run.perm;
	}
}

/*
 * Maps chunk k of RAM region i, which has no Unicorn region now: one
 * piece per run while the chunk has few and the map has room, else one
 * piece with the permissions its pages share (on_fetch_prot() and the
 * architecture's permission hooks grant the rest, page by page).
 */
static int map_chunk(uc_engine *uc, struct sim_map *m, unsigned i, unsigned k)
{
	const struct as_region *r = &m->as->regions[i];
	struct sim_ram_map *rm = &m->ram[i];
	gpa_t lo = r->base + k * rm->chunk, hi = MIN(lo + rm->chunk, r->base + r->size);
	struct chunk_plan p;
	struct run run;

	plan_chunk(&m->as->s2, lo, hi, &p);
	rm->restricted &= ~(1ULL << k);
	if (p.one_piece && (p.runs > SIM_MAP_CHUNK_PIECES || m->pieces + p.runs > SIM_MAP_MAX_PIECES)) {
		run = (struct run){ .gpa = lo, .len = hi - lo, .mapped = true, .hpa = p.hpa,
				    .perm = p.shared };
		p.runs = 1;
	} else {
		run.len = 0;
	}
	rm->pieces[k] = (uint8_t)MIN(p.runs, 255u);
	m->pieces += rm->pieces[k];
	if (!(p.shared & PERM_WRITE))
		rm->restricted |= 1ULL << k;
	if (run.len) /* one piece */
		return map_run(uc, m, &run);
	for (gpa_t gpa = lo; gpa < hi; gpa += run.len) {
		next_run(&m->as->s2, gpa, hi, &run);
		int rc = map_run(uc, m, &run);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Unmaps chunk k of RAM region i (its pieces lie inside it) and maps it again. */
static int remap_chunk(uc_engine *uc, struct sim_map *m, unsigned i, unsigned k)
{
	const struct as_region *r = &m->as->regions[i];
	struct sim_ram_map *rm = &m->ram[i];
	gpa_t lo = r->base + k * rm->chunk, hi = MIN(lo + rm->chunk, r->base + r->size);

	free_windows(m, lo, hi);
	if (uc_mem_unmap(uc, lo, hi - lo) != UC_ERR_OK)
		return -CV_EINVAL;
	m->pieces -= rm->pieces[k];
	return map_chunk(uc, m, i, k);
}

/*
 * The first change in RAM region i: its pieces from sim_map_build() (they
 * lie inside it) give way to chunks, all mapped afresh. A cost in
 * proportion to the region's size, once.
 */
static int chunk_region(uc_engine *uc, struct sim_map *m, unsigned i)
{
	const struct as_region *r = &m->as->regions[i];
	struct sim_ram_map *rm = &m->ram[i];

	free_windows(m, r->base, r->base + r->size);
	if (uc_mem_unmap(uc, r->base, r->size) != UC_ERR_OK)
		return -CV_EINVAL;
	rm->chunk = chunk_size(r);
	rm->restricted = 0;
	for (unsigned k = 0; k * rm->chunk < r->size; k++) {
		int rc = map_chunk(uc, m, i, k);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sim_map_refresh(uc_engine *uc, struct sim_map *m, gpa_t gpa, uint64_t size)
{
	const struct addrspace *as = m->as;
	gpa_t lo = ALIGN_DOWN(gpa, PAGE_SIZE), hi = ALIGN_UP(gpa + size, PAGE_SIZE);
	bool restricted = false;

	for (unsigned i = 0; i < as->nregions; i++) {
		const struct as_region *r = &as->regions[i];
		struct sim_ram_map *rm = &m->ram[i];
		int rc = 0;

		if (r->kind != REGION_RAM)
			continue;
		if (lo < r->base + r->size && hi > r->base) {
			if (!rm->chunk) {
				rc = chunk_region(uc, m, i);
			} else {
				unsigned first = (unsigned)((MAX(lo, r->base) - r->base) / rm->chunk);
				unsigned last = (unsigned)((MIN(hi, r->base + r->size) - 1 - r->base) / rm->chunk);
				for (unsigned k = first; k <= last && rc == 0; k++)
					rc = remap_chunk(uc, m, i, k);
			}
		}
		if (rc < 0)
			return rc;
		restricted |= rm->restricted != 0;
	}
	if (restricted == m->restricted)
		return 0;
	m->restricted = restricted; /* the windows' write permission follows (sim_map_exec_windows()) */
	return m->exec ? sim_map_exec_windows(uc, m) : 0;
}

/* ---- Pending changes ------------------------------------------------------- */

static void pending_lock(struct sim_s2_pending *p)
{
	while (__atomic_test_and_set(&p->lock, __ATOMIC_ACQUIRE))
		;
}

static void pending_unlock(struct sim_s2_pending *p)
{
	__atomic_clear(&p->lock, __ATOMIC_RELEASE);
}

void sim_s2_pending_add(struct sim_s2_pending *p, gpa_t gpa, uint64_t size)
{
	gpa_t end = gpa + size < gpa ? ~0ULL : gpa + size;

	pending_lock(p);
	p->lo = p->any ? MIN(p->lo, gpa) : gpa;
	p->hi = p->any ? MAX(p->hi, end) : end;
	__atomic_store_n(&p->any, true, __ATOMIC_RELAXED);
	pending_unlock(p);
}

bool sim_s2_pending_take(struct sim_s2_pending *p, gpa_t *gpa, uint64_t *size)
{
	if (!__atomic_load_n(&p->any, __ATOMIC_ACQUIRE))
		return false; /* the common case: nothing changed, no lock taken */
	pending_lock(p);
	bool any = p->any;
	*gpa = p->lo;
	*size = p->hi - p->lo;
	p->any = false;
	pending_unlock(p);
	return any;
}

bool sim_map_access_goes_on(const struct addrspace *as, gpa_t gpa, enum access_kind access)
{
	const struct as_region *r = addrspace_find(as, gpa);
	struct s2_result res;

	return !r || r->kind != REGION_RAM ||
	       stage2_translate(&as->s2, gpa, access, &res, NULL, NULL) == 0;
}
