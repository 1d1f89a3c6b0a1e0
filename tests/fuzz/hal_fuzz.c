/* SPDX-License-Identifier: MIT */
/*
 * The HAL of the fuzz targets: host pages from mmap (zero pages that cost
 * nothing until touched, so a config's 128 MiB of RAM is cheap) within a
 * budget, so that a config asking for a terabyte of RAM is refused as
 * "out of memory", as a HAL on a small machine would, instead of making
 * the fuzzer run out of memory. No console, no vCPU ever runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "fuzz.h"

/* Guest RAM and page tables one input may allocate in all: 1 GiB. */
#define FUZZ_PAGE_BUDGET (1024u * 1024 * 1024 / 4096)

static size_t pages_in_use;

size_t hal_fuzz_pages_in_use(void)
{
	return pages_in_use;
}

void *hal_page_alloc(size_t npages)
{
	if (npages == 0 || npages > FUZZ_PAGE_BUDGET - pages_in_use)
		return NULL;
	void *p = mmap(NULL, npages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	pages_in_use += npages;
	return p;
}

void hal_page_free(void *p, size_t npages)
{
	if (!p)
		return;
	if (npages > pages_in_use || munmap(p, npages * 4096) != 0)
		hal_panic("hal_page_free(%p, %zu): not what hal_page_alloc() gave", p, npages);
	pages_in_use -= npages;
}






void hal_console_write(const struct vm *vm, const char *buf, size_t len)
{
	(void)vm;
	(void)buf;
	(void)len;
}

int hal_console_getc(const struct vm *vm)
{
	(void)vm;
	return -1;
}

void hal_log_write(const char *line)
{
	(void)line;
}

/* hal_trace_wants(), hal_trace_write(), hal_exit_insn_text(), hal_exit_handled(): src/hal_bare/trace.c. */






void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size)
{
	(void)vm;
	(void)gpa;
	(void)size;
}

/*
 * No disk images: a fuzzed config names any path, and no file is opened
 * for it. A virtio-blk device is refused when its VM is created.
 */
int hal_disk_open(const char *path, bool writable, uint64_t *size)
{
	(void)path;
	(void)writable;
	*size = 0;
	return -CV_ENOTSUP;
}

int hal_disk_read(int disk, uint64_t offset, void *buf, size_t len)
{
	(void)disk;
	(void)offset;
	(void)buf;
	(void)len;
	return -CV_EIO;
}

int hal_disk_write(int disk, uint64_t offset, const void *buf, size_t len)
{
	(void)disk;
	(void)offset;
	(void)buf;
	(void)len;
	return -CV_EIO;
}

int hal_disk_flush(int disk)
{
	(void)disk;
	return -CV_EIO;
}

void hal_disk_close(int disk)
{
	(void)disk;
}
