/* SPDX-License-Identifier: MIT */
/**
 * @file addrspace.c
 * @brief A VM's guest physical address space: regions and stage 2.
 *
 * RAM is host pages mapped in the VM's stage-2 tables; MMIO windows are
 * recorded but left unmapped, so that every guest access to them faults to
 * the hypervisor. The hypervisor's own accesses to guest memory translate
 * through the same stage-2 tables, page by page: what the hypervisor sees
 * at a GPA is exactly what the guest sees there.
 */
#include <cvisor/addrspace.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>

int addrspace_init(struct addrspace *as)
{
	memset(as, 0, sizeof(*as));
	return stage2_init(&as->s2);
}

void addrspace_destroy(struct addrspace *as)
{
	for (unsigned i = 0; i < as->nregions; i++) {
		struct as_region *r = &as->regions[i];
		if (r->kind == REGION_RAM && r->host)
			hal_page_free(r->host, r->size / PAGE_SIZE);
	}
	stage2_destroy(&as->s2);
	memset(as, 0, sizeof(*as));
}

/* Checks a new region's range against the existing ones. */
static int check_range(const struct addrspace *as, gpa_t base, uint64_t size)
{
	if (size == 0 || base + size < base)
		return -CV_EINVAL;
	if (as->nregions >= AS_MAX_REGIONS)
		return -CV_ENOMEM;
	for (unsigned i = 0; i < as->nregions; i++) {
		const struct as_region *r = &as->regions[i];
		if (base < r->base + r->size && r->base < base + size)
			return -CV_EOVERLAP;
	}
	return 0;
}

static struct as_region *new_region(struct addrspace *as, enum region_kind kind, gpa_t base,
				    uint64_t size, unsigned perm, const char *name)
{
	struct as_region *r = &as->regions[as->nregions++];
	r->kind = kind;
	r->base = base;
	r->size = size;
	r->perm = perm;
	r->host = NULL;
	cv_strlcpy(r->name, name ? name : "", sizeof(r->name));
	return r;
}

int addrspace_add_ram(struct addrspace *as, gpa_t base, uint64_t size, unsigned perm,
		      const char *name)
{
	if (base % PAGE_SIZE || size % PAGE_SIZE)
		return -CV_EINVAL;
	int rc = check_range(as, base, size);
	if (rc < 0)
		return rc;
	void *host = hal_page_alloc(size / PAGE_SIZE);
	if (!host)
		return -CV_ENOMEM;
	rc = stage2_map(&as->s2, base, hal_hva_to_hpa(host), size, perm, S2_MEM_NORMAL);
	if (rc < 0) {
		hal_page_free(host, size / PAGE_SIZE);
		return rc;
	}
	new_region(as, REGION_RAM, base, size, perm, name)->host = host;
	return 0;
}

int addrspace_add_mmio(struct addrspace *as, gpa_t base, uint64_t size, const char *name)
{
	int rc = check_range(as, base, size);
	if (rc < 0)
		return rc;
	new_region(as, REGION_MMIO, base, size, PERM_READ | PERM_WRITE, name);
	return 0;
}

const struct as_region *addrspace_find(const struct addrspace *as, gpa_t gpa)
{
	for (unsigned i = 0; i < as->nregions; i++) {
		const struct as_region *r = &as->regions[i];
		if (gpa >= r->base && gpa - r->base < r->size)
			return r;
	}
	return NULL;
}

/*
 * Translates gpa through stage 2. With check set, the guest's permission
 * for access must allow it; without, any mapped page will do (the
 * hypervisor loading an image into a read-only region). Returns the host
 * pointer and the bytes left in the leaf, or NULL.
 */
static void *translate(const struct addrspace *as, gpa_t gpa, enum access_kind access,
		       bool check, uint64_t *left)
{
	struct s2_result res;
	int rc = stage2_translate(&as->s2, gpa, access, &res, NULL, NULL);

	if (rc < 0 && (check || rc != -CV_EPERM || res.leaf_size == 0))
		return NULL;
	*left = res.leaf_size - (gpa & (res.leaf_size - 1));
	return hal_hpa_to_hva(res.hpa);
}

void *addrspace_gpa_to_hva(const struct addrspace *as, gpa_t gpa, uint64_t len,
			   enum access_kind access)
{
	const struct as_region *r = addrspace_find(as, gpa);
	if (!r || r->kind != REGION_RAM || len > r->size - (gpa - r->base))
		return NULL;

	uint64_t left;
	uint8_t *first = translate(as, gpa, access, true, &left);
	if (!first)
		return NULL;
	/* Every further leaf must be allowed too, and follow on in host memory. */
	for (uint64_t done = left; done < len; done += left) {
		uint8_t *next = translate(as, gpa + done, access, true, &left);
		if (next != first + done)
			return NULL;
	}
	return first;
}

/* Copies between guest RAM and buf, leaf by leaf. */
static int copy(const struct addrspace *as, gpa_t gpa, void *buf, uint64_t len, bool to_guest)
{
	uint8_t *p = buf;

	if (len > 0 && gpa + len - 1 < gpa)
		return -CV_ERANGE;
	while (len > 0) {
		const struct as_region *r = addrspace_find(as, gpa);
		if (!r || r->kind != REGION_RAM)
			return -CV_EFAULT;
		uint64_t left;
		uint8_t *host = translate(as, gpa, to_guest ? ACCESS_WRITE : ACCESS_READ, false, &left);
		if (!host)
			return -CV_EFAULT;
		uint64_t n = MIN(left, len);
		if (to_guest)
			memcpy(host, p, n);
		else
			memcpy(p, host, n);
		p += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int addrspace_read(const struct addrspace *as, gpa_t gpa, void *buf, uint64_t len)
{
	return copy(as, gpa, buf, len, false);
}

int addrspace_write(struct addrspace *as, gpa_t gpa, const void *buf, uint64_t len)
{
	return copy(as, gpa, (void *)buf, len, true);
}
