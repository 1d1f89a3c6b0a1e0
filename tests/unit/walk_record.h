/* SPDX-License-Identifier: MIT */
/**
 * @file walk_record.h
 * @brief A walk_cb for tests: records the steps of a stage-1 or stage-2
 *        walk, so a test can check each table, index and descriptor read.
 */
#ifndef TESTS_UNIT_WALK_RECORD_H
#define TESTS_UNIT_WALK_RECORD_H

#include <cvisor/walk.h>

/** More than any supported walk visits (five levels with LPA2 or Sv57). */
#define WALK_RECORD_MAX 8

/** The steps of one walk; start it with n = 0. */
struct walk_record {
	struct walk_step steps[WALK_RECORD_MAX];
	int n;
};

/** A walk_cb: appends step to the struct walk_record ctx (steps past the last slot are dropped). */
void walk_record_step(const struct walk_step *step, void *ctx);

#endif
