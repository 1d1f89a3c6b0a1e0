/* SPDX-License-Identifier: MIT */
/*
 * Unicorn as an independent MMU for the stage-1 walker tests (uc_probe.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "uc_probe.h"

struct uc_outcome uc_got;

static void record_window(uc_engine *uc, uint64_t addr)
{
	if (!uc_got.mmio) /* the first piece: Unicorn splits 8-byte accesses in two */
		uc_got.mmio_addr = addr;
	uc_got.mmio = true;
	uc_emu_stop(uc);
}

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	(void)size;
	record_window(uc, (uint64_t)(uintptr_t)user + offset);
	return 0;
}

static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	(void)size;
	(void)value;
	record_window(uc, (uint64_t)(uintptr_t)user + offset);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	(void)user;
	if (!uc_got.intno)
		uc_got.intno = (int)intno;
	uc_emu_stop(uc);
}

/* A window over [base, base+size): executable, so a fetch from it reaches the read callback. */
static void catch_all(uc_engine *uc, uint64_t base, uint64_t size)
{
	assert_int_equal(uc_mmio_map(uc, base, size, on_mmio_read, (void *)(uintptr_t)base,
				     on_mmio_write, (void *)(uintptr_t)base), UC_ERR_OK);
	assert_int_equal(uc_mem_protect(uc, base, size, UC_PROT_ALL), UC_ERR_OK);
}

void uc_probe_map(uc_engine *uc, uint64_t base, uint64_t size, void *ram)
{
	uc_hook h;

	assert_int_equal(uc_mem_map_ptr(uc, base, size, UC_PROT_ALL, ram), UC_ERR_OK);
	catch_all(uc, 0, base);
	catch_all(uc, base + size, 0xfffffffffffff000ULL - (base + size));
	assert_int_equal(uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)on_intr, NULL, 1, 0), UC_ERR_OK);
}

uint64_t uc_probe_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}
