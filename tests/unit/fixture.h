/* SPDX-License-Identifier: MIT */
/**
 * @file fixture.h
 * @brief CMocka setups the unit tests of every architecture share: an
 *        empty stage-2 tree, and a VM booted from a config text.
 */
#ifndef TESTS_UNIT_FIXTURE_H
#define TESTS_UNIT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

struct vm;

/** Setup: *state = an empty stage-2 tree (stage2_init). Returns its result. */
int fixture_stage2_setup(void **state);
/** Teardown of fixture_stage2_setup: frees the tree. */
int fixture_stage2_teardown(void **state);
/** A CMocka test run on a fresh empty stage-2 tree. */
#define FIXTURE_STAGE2_TEST(f) \
	cmocka_unit_test_setup_teardown(f, fixture_stage2_setup, fixture_stage2_teardown)

/**
 * Asserts that stage2_arch_format agrees with itself: the input-address
 * bits are 12 plus every level's index bits, the root's pages hold its
 * entries, the last level maps 4 KiB pages and may hold a leaf.
 */
void fixture_check_stage2_format(void);

/**
 * Resets the stub console, parses the config text (named file in
 * messages), creates the VM, loads kernel as its image and boots it.
 * Returns 0 with *vm set, or -1 after printing why.
 */
int fixture_vm_boot(const char *text, const char *file, const uint8_t *kernel, size_t kernel_len,
		    struct vm **vm);

#endif
