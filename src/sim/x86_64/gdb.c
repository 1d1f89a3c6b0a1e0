/* SPDX-License-Identifier: MIT */
/*
 * The debugger's view of this architecture's CPU: gdb's target
 * description and register numbering. Not written yet.
 */
#include <cvisor/lib.h>

#include "cpu.h"

const char *sim_gdb_xml(const char *annex)
{
	(void)annex;
	return NULL;
}

unsigned sim_gdb_nregs(void)
{
	return 0;
}

int sim_gdb_reg(struct sim_cpu *c, unsigned regno, uint8_t *buf, bool write)
{
	(void)c;
	(void)regno;
	(void)buf;
	(void)write;
	return -CV_EINVAL;
}

int sim_arch_s1_walk(struct sim_cpu *c, uint64_t va, enum access_kind access,
		     struct s1_result *res, walk_cb cb, void *ctx)
{
	(void)c;
	(void)access;
	(void)cb;
	(void)ctx;
	res->gpa = va;
	return 0;
}
