/* SPDX-License-Identifier: MIT */
/*
 * A walk_cb that records the steps of a walk (walk_record.h), shared by
 * the stage-1 and stage-2 unit tests of every architecture.
 */
#include "walk_record.h"

void walk_record_step(const struct walk_step *step, void *ctx)
{
	struct walk_record *r = ctx;

	if (r->n < WALK_RECORD_MAX)
		r->steps[r->n++] = *step;
}
