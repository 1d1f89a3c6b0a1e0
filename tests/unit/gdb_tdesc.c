/* SPDX-License-Identifier: MIT */
/*
 * The gdb register tests' shared part (gdb_tdesc.h): the target
 * description read through sim_gdb_xml() and checked the way gdb will
 * read it (gdb's tdesc rules: a register without regnum= is numbered
 * one after the register before it, across the included documents), a
 * simulated CPU of a booted VM, and the host side of its exits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

#include "../../src/sim/sim.h"
#include "gdb_tdesc.h"

/* The value of attribute attr in the tag [tag, end), into out; false if absent. */
static bool attr(const char *tag, const char *end, const char *attr_name, char *out, size_t len)
{
	size_t n = strlen(attr_name);

	for (const char *p = tag; p + n + 2 < end; p++) {
		if (p[-1] != ' ' || strncmp(p, attr_name, n) != 0 || p[n] != '=' || p[n + 1] != '"')
			continue;
		const char *v = p + n + 2, *q = memchr(v, '"', (size_t)(end - v));
		assert_non_null(q);
		assert_true((size_t)(q - v) < len);
		memcpy(out, v, (size_t)(q - v));
		out[q - v] = '\0';
		return true;
	}
	return false;
}

/* Reads a number attribute, or returns dflt. */
static unsigned num_attr(const char *tag, const char *end, const char *name, unsigned dflt)
{
	char v[24];
	char *e;

	if (!attr(tag, end, name, v, sizeof(v)))
		return dflt;
	unsigned long n = strtoul(v, &e, 10);
	assert_true(*v && *e == '\0');
	return (unsigned)n;
}

struct parse {
	struct tdesc_reg *regs;
	unsigned n, max;
	unsigned next; /* the number of a register without regnum= */
	char includes[8][40];
	unsigned nincludes;
	char arch[40];
};

/*
 * Walks the tags of doc: each must close (">"), elements must nest and
 * close in order, and there must be exactly one root element (root_name).
 * Collects <reg>, <xi:include> and <architecture> into *p.
 */
static void parse_doc(const char *doc, const char *root_name, struct parse *p)
{
	char stack[8][32];
	int depth = 0, roots = 0;

	assert_non_null(doc);
	assert_memory_equal(doc, "<?xml version=\"1.0\"?>\n", 22);
	for (const char *s = doc; (s = strchr(s, '<')) != NULL;) {
		const char *end = strchr(s, '>');
		assert_non_null(end);
		assert_null(memchr(s + 1, '<', (size_t)(end - s - 1)));
		if (s[1] == '?' || s[1] == '!') {
			s = end + 1;
			continue;
		}
		bool closing = s[1] == '/', empty = end[-1] == '/';
		const char *name = s + (closing ? 2 : 1);
		size_t len = strcspn(name, " />");
		assert_true(len > 0 && len < sizeof(stack[0]));
		if (closing) {
			assert_true(depth > 0);
			depth--;
			assert_int_equal(strlen(stack[depth]), len);
			assert_memory_equal(stack[depth], name, len);
		} else {
			if (depth == 0) {
				roots++;
				assert_int_equal(strlen(root_name), len);
				assert_memory_equal(root_name, name, len);
			}
			if (strncmp(name, "reg ", 4) == 0) {
				struct tdesc_reg *r = &p->regs[p->n];
				assert_true(p->n < p->max);
				assert_true(attr(s, end, "name", r->name, sizeof(r->name)));
				r->bits = num_attr(s, end, "bitsize", 0);
				assert_true(r->bits > 0 && r->bits % 8 == 0);
				r->regnum = num_attr(s, end, "regnum", p->next);
				p->next = r->regnum + 1;
				p->n++;
			} else if (strncmp(name, "xi:include ", 11) == 0) {
				assert_true(p->nincludes < 8);
				assert_true(attr(s, end, "href", p->includes[p->nincludes],
						 sizeof(p->includes[0])));
				p->nincludes++;
			} else if (strncmp(name, "architecture>", 13) == 0) {
				const char *t = end + 1, *q = strchr(t, '<');
				assert_non_null(q);
				assert_true((size_t)(q - t) < sizeof(p->arch));
				memcpy(p->arch, t, (size_t)(q - t));
				p->arch[q - t] = '\0';
			}
			if (!empty) {
				assert_true(depth < 8);
				memcpy(stack[depth], name, len);
				stack[depth][len] = '\0';
				depth++;
			}
		}
		s = end + 1;
	}
	assert_int_equal(depth, 0);
	assert_int_equal(roots, 1);
}

unsigned tdesc_load(const char *arch, struct tdesc_reg *regs, unsigned max)
{
	struct parse p = {.regs = regs, .max = max};

	assert_null(sim_gdb_xml("no-such-document.xml"));
	assert_null(sim_gdb_xml(""));
	assert_null(sim_gdb_xml(NULL));
	assert_null(sim_gdb_xml("target.xml\n"));
	parse_doc(sim_gdb_xml("target.xml"), "target", &p);
	assert_string_equal(p.arch, arch);
	assert_int_equal(p.n, 0); /* every register is in an included feature */
	assert_true(p.nincludes > 0);
	for (unsigned i = 0; i < p.nincludes; i++) {
		const char *doc = sim_gdb_xml(p.includes[i]);
		if (!doc)
			fail_msg("target.xml includes %s, which sim_gdb_xml() does not know",
				 p.includes[i]);
		parse_doc(doc, "feature", &p);
	}
	return p.n;
}

const struct tdesc_reg *tdesc_find(const struct tdesc_reg *regs, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(regs[i].name, name) == 0)
			return &regs[i];
	fail_msg("no register %s in the description", name);
	return NULL;
}

void tdesc_check_numbering(struct sim_cpu *c, const struct tdesc_reg *regs, unsigned n)
{
	unsigned nregs = sim_gdb_nregs(), below = 0;
	uint8_t buf[SIM_GDB_REG_MAX];

	assert_true(n > 0 && nregs > 0);
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			assert_true(regs[i].regnum > regs[i - 1].regnum);
		if (regs[i].regnum < nregs) {
			assert_int_equal(regs[i].regnum, below); /* 0..nregs-1, none left out */
			below++;
		}
		assert_true(regs[i].bits / 8 <= SIM_GDB_REG_MAX);
		int rc = sim_gdb_reg(c, regs[i].regnum, buf, false);
		if (rc != (int)(regs[i].bits / 8))
			fail_msg("%s (%u): read gave %d, its size is %u bytes", regs[i].name,
				 regs[i].regnum, rc, regs[i].bits / 8);
	}
	assert_int_equal(below, nregs);
	unsigned r = 0;
	for (unsigned regno = 0; regno <= regs[n - 1].regnum + 2; regno++) {
		if (r < n && regs[r].regnum == regno) {
			r++;
			continue;
		}
		if (sim_gdb_reg(c, regno, buf, false) != -CV_EINVAL)
			fail_msg("register %u is not described, yet it reads", regno);
	}
}

void tdesc_count_step(const struct walk_step *step, void *ctx)
{
	(void)step;
	(*(unsigned *)ctx)++;
}

uint64_t gdb_get(struct sim_cpu *c, unsigned regno, int size)
{
	uint8_t buf[SIM_GDB_REG_MAX];
	uint64_t v = 0;

	assert_true(size <= 8);
	assert_int_equal(sim_gdb_reg(c, regno, buf, false), size);
	memcpy(&v, buf, (size_t)size);
	return v;
}

void gdb_set(struct sim_cpu *c, unsigned regno, int size, uint64_t v)
{
	uint8_t buf[SIM_GDB_REG_MAX];

	assert_true(size <= 8);
	memcpy(buf, &v, (size_t)size);
	assert_int_equal(sim_gdb_reg(c, regno, buf, true), size);
}

struct sim_cpu *gdb_test_cpu(struct vm *vm)
{
	struct sim_config cfg = {.storm_limit = 100, .virtual_clock = true};
	struct sim_cpu *c = NULL;

	assert_int_equal(sim_cpu_create(vm->vcpus[0], &cfg, &c), 0);
	sim_cpu_set_deadline(c, CLOCK_NEVER);
	return c;
}

enum exit_reason gdb_test_run(struct sim_cpu *c)
{
	struct vcpu_exit exit = {.reason = EXIT_NONE};

	/* EXIT_NONE: nothing for the core (an instruction emulated between runs): run on. */
	for (int i = 0; i < 100 && exit.reason == EXIT_NONE; i++)
		assert_int_equal(sim_cpu_run(c, &exit), 0);
	return exit.reason;
}

static unsigned host_exits;

unsigned gdb_test_host_exits(void)
{
	unsigned n = host_exits;
	host_exits = 0;
	return n;
}

/* The host of the simulated CPU: these tests' guests make no exit inside a hook. */
void sim_host_exit(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	(void)vcpu;
	(void)exit;
	host_exits++;
}
