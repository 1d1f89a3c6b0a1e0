/* SPDX-License-Identifier: MIT */
/*
 * Unicorn as an independent MMU for the tests that check cvisor's stage-1
 * walkers against it (test_uc_s1 of each architecture): the test's RAM,
 * catch-all windows over every other address, and the outcome of one
 * access as Unicorn saw it.
 */
#ifndef TEST_UC_PROBE_H
#define TEST_UC_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

/** What one access did in Unicorn (clear it before each run). */
struct uc_outcome {
	int intno;          /**< the first exception taken (the architecture's number); 0 none */
	bool mmio;          /**< the access reached a catch-all window */
	uint64_t mmio_addr; /**< the address it reached there (the first piece of a split access) */
	int err;            /**< uc_emu_start's error, for the tests that keep it */
};
extern struct uc_outcome uc_got;

/**
 * Maps the test's RAM (host memory ram, size bytes at GPA base) into uc,
 * catch-all MMIO windows over every other address up to the last page,
 * and an interrupt hook. A window access or an exception is recorded in
 * uc_got and stops the CPU. Fails the test if Unicorn refuses.
 */
void uc_probe_map(uc_engine *uc, uint64_t base, uint64_t size, void *ram);

/** The next number of a xorshift64 sequence: tables that are random but the same every run. */
uint64_t uc_probe_rand(uint64_t *state);

#endif
