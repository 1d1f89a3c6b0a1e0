/* SPDX-License-Identifier: MIT */
/**
 * @file heap.c
 * @brief cvisor's heap, hal_zalloc() and hal_free(), on pages from
 *        hal_page_alloc().
 *
 * First fit over a list of blocks in address order, each with a header
 * giving its size; a freed block merges with the free blocks that follow
 * it. Requests of BIG bytes or more take whole pages of their own, after a
 * header page that records how many and carries a mark; hal_free() tells
 * the two kinds apart by address (the heap's own pages or not). One lock
 * for the heap's blocks: every CPU allocates.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "hal_bare.h"
#include "lock.h"

struct block {
	size_t size; /* bytes after the header */
	bool free;
	struct block *next;
};
#define HEAP_PAGES 4096 /* 16 MiB */
#define BIG (64 * 1024)
#define BIG_MARK 0x6269675f70616765ULL /* "big_page": the header page of a BIG allocation */
static struct block *heap;
static struct spinlock heap_lock;

void bare_heap_init(void)
{
	heap = hal_page_alloc(HEAP_PAGES);
	if (!heap)
		hal_panic("no memory for the heap");
	heap->size = HEAP_PAGES * PAGE_SIZE - sizeof(*heap);
	heap->free = true;
	heap->next = NULL;
}

/* Whole pages for a BIG request, after a header page recording how many. */
static void *big_alloc(size_t size)
{
	size_t pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE + 1;
	uint64_t *p = hal_page_alloc(pages);

	if (!p)
		return NULL;
	p[0] = pages;
	p[1] = BIG_MARK;
	return (char *)p + PAGE_SIZE;
}

/* True if p is in the heap's pages (a small block), not a BIG allocation. */
static bool in_heap(const void *p)
{
	return (const char *)p > (const char *)heap &&
	       (const char *)p < (const char *)heap + HEAP_PAGES * PAGE_SIZE;
}

/* First fit; heap_lock held. */
static void *small_alloc(size_t size)
{
	for (struct block *b = heap; b; b = b->next) {
		if (!b->free || b->size < size)
			continue;
		if (b->size >= size + sizeof(struct block) + 16) {
			struct block *rest = (struct block *)((char *)(b + 1) + size);
			rest->size = b->size - size - sizeof(struct block);
			rest->free = true;
			rest->next = b->next;
			b->next = rest;
			b->size = size;
		}
		b->free = false;
		memset(b + 1, 0, b->size);
		return b + 1;
	}
	return NULL;
}

/* heap_lock held. */
static void small_free(void *p)
{
	struct block *b = (struct block *)p - 1;
	b->free = true;
	while (b->next && b->next->free) {
		b->size += sizeof(struct block) + b->next->size;
		b->next = b->next->next;
	}
}

/* BIG requests go to the page allocator, which has its own lock: no lock is held inside another. */
void *hal_zalloc(size_t size)
{
	size = ALIGN_UP(size ? size : 1, 16);
	if (size >= BIG)
		return big_alloc(size);
	spin_lock(&heap_lock);
	void *p = small_alloc(size);
	spin_unlock(&heap_lock);
	return p;
}

void hal_free(void *p)
{
	if (!p)
		return;
	if (!in_heap(p)) {
		uint64_t *h = (uint64_t *)((char *)p - PAGE_SIZE);
		if (h[1] != BIG_MARK)
			hal_panic("hal_free(%p): not an allocation", p);
		h[1] = 0;
		hal_page_free(h, h[0]);
		return;
	}
	spin_lock(&heap_lock);
	small_free(p);
	spin_unlock(&heap_lock);
}
