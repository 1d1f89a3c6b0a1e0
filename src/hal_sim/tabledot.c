/* SPDX-License-Identifier: MIT */
/*
 * Page tables as a Graphviz graph: `cvisor run --s2-dot=FILE` (a VM's
 * stage-2 tables when it stops) and gdb's `monitor s2 dot FILE` /
 * `monitor s1 dot FILE` (at a pause). docs/debugging.md, "Drawing the
 * page tables", shows the output.
 *
 *   one node per table:  its level and address, then each valid entry:
 *                        "[index] = descriptor  what it means"
 *   table -> table       a table descriptor, labelled with its index
 *   table -> range       leaves, as one node per run of entries that map
 *                        contiguously with the same permissions and memory
 *                        type (a 128 MiB identity of 2 MiB blocks is one
 *                        line "[0..63]" and one range node, not 64)
 *
 * Node names are stable from run to run (the level and the first input
 * address a table translates), so two graphs of the same VM compare; the
 * addresses in the labels are the tables' own (in the simulator, stage-2
 * tables and RAM are host process addresses).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvisor/lib.h>
#include <cvisor/stage2.h>
#include <cvisor/vm.h>

#include "hal_sim.h"

/* A table page and the lines of its label. */
struct tdot_table {
	uint64_t addr;        /* where the table is (table_space) */
	int level;
	uint64_t in_base;     /* first input address it translates */
	bool root;
	char *label;          /* its lines so far (malloc'd) */
	size_t len;
	unsigned lines;
	unsigned hidden;      /* entries beyond TDOT_MAX_LINES, counted */
	bool has_last;        /* an entry was seen (for duplicates, from walks) */
	unsigned last_index;
	bool run;             /* a run of leaves is open */
	struct s2_entry first, last; /* its first and last entry */
	unsigned nrun;
};

/* Lines of entries one table node shows; the rest are counted. */
#define TDOT_MAX_LINES 40

struct table_dot {
	const char *in_name, *out_name, *table_space;
	struct tdot_table *t;
	unsigned n, cap;
	bool memtype;         /* leaves say normal / device (stage 2: stage 1 has MAIR indexes) */
	char *edges;          /* the edges and range nodes (malloc'd) */
	size_t elen;
	bool oom;
};

static void append(struct table_dot *d, char **buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(struct table_dot *d, char **buf, size_t *len, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	char *p = realloc(*buf, *len + (size_t)n + 1);
	if (!p) {
		d->oom = true;
		return;
	}
	memcpy(p + *len, line, (size_t)n + 1);
	*buf = p;
	*len += (size_t)n;
}

struct table_dot *table_dot_new(const char *in_name, const char *out_name, const char *table_space,
				 bool memtype)
{
	struct table_dot *d = calloc(1, sizeof(*d));

	if (d) {
		d->in_name = in_name;
		d->out_name = out_name;
		d->table_space = table_space;
		d->memtype = memtype;
	}
	return d;
}

void table_dot_free(struct table_dot *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->n; i++)
		free(d->t[i].label);
	free(d->t);
	free(d->edges);
	free(d);
}

static void node_name(const struct tdot_table *t, char *buf, size_t size)
{
	if (t->root)
		snprintf(buf, size, "root");
	else
		snprintf(buf, size, "t%d_%llx", t->level, (unsigned long long)t->in_base);
}

/* "4 KiB", "2 MiB", "1 GiB", "128 MiB". */
static const char *size_text(uint64_t size, char *buf, size_t len)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (u + 1 < ARRAY_SIZE(unit) && size >= 1024 && size % 1024 == 0) {
		size /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)size, unit[u]);
	return buf;
}

/* The table at addr, made on first sight. NULL when out of memory. */
static struct tdot_table *table(struct table_dot *d, const struct s2_entry *e)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->t[i].addr == e->table)
			return &d->t[i];
	if (d->n == d->cap) {
		unsigned cap = d->cap ? 2 * d->cap : 16;
		struct tdot_table *p = realloc(d->t, cap * sizeof(*p));
		if (!p) {
			d->oom = true;
			return NULL;
		}
		d->t = p;
		d->cap = cap;
	}
	struct tdot_table *t = &d->t[d->n];
	memset(t, 0, sizeof(*t));
	t->addr = e->table;
	t->level = e->level;
	t->root = d->n == 0;
	/* A page-sized table translates 512 entries' worth; the root may span more. */
	t->in_base = t->root ? 0 : e->gpa & ~(512 * e->size - 1);
	d->n++;
	return t;
}

/* Closes t's open run of leaves: its line, its range node and the edge to it. */
static void close_run(struct table_dot *d, struct tdot_table *t)
{
	char from[48], p[4], sz[32], idx[24];

	if (!t->run)
		return;
	t->run = false;
	const struct s2_entry *a = &t->first, *b = &t->last;
	uint64_t bytes = b->gpa + b->size - a->gpa;
	const char *kind = a->level == stage2_arch_format.last_level ? "page" : "block";
	if (t->nrun == 1)
		snprintf(idx, sizeof(idx), "[%u]", a->index);
	else
		snprintf(idx, sizeof(idx), "[%u..%u]", a->index, b->index);
	if (t->lines < TDOT_MAX_LINES) {
		char each[32];
		if (t->nrun == 1)
			append(d, &t->label, &t->len, "%s = 0x%016llx %s -> %s 0x%llx %s%s%s\\l", idx,
			       (unsigned long long)a->desc, kind, d->out_name, (unsigned long long)a->info.addr,
			       perm_text(a->info.perm, p), a->info.memtype == S2_MEM_DEVICE ? " device" : "",
			       a->info.access_flag ? "" : " no-AF");
		else
			append(d, &t->label, &t->len, "%s = 0x%016llx.. %u %ss of %s -> %s 0x%llx %s%s%s\\l",
			       idx, (unsigned long long)a->desc, t->nrun, kind,
			       size_text(a->size, each, sizeof(each)), d->out_name,
			       (unsigned long long)a->info.addr, perm_text(a->info.perm, p),
			       a->info.memtype == S2_MEM_DEVICE ? " device" : "",
			       a->info.access_flag ? "" : " no-AF");
		t->lines++;
	} else {
		t->hidden += t->nrun;
	}
	node_name(t, from, sizeof(from));
	append(d, &d->edges, &d->elen,
	       "\tm_%llx [shape=note, style=filled, fillcolor=\"#fff3d6\", label=\"%s 0x%llx-0x%llx (%s)\\l-> %s 0x%llx-0x%llx\\l%s%s%s\\l\"];\n",
	       (unsigned long long)a->gpa, d->in_name, (unsigned long long)a->gpa,
	       (unsigned long long)(a->gpa + bytes - 1), size_text(bytes, sz, sizeof(sz)), d->out_name,
	       (unsigned long long)a->info.addr, (unsigned long long)(a->info.addr + bytes - 1),
	       perm_text(a->info.perm, p),
	       !d->memtype ? "" : a->info.memtype == S2_MEM_DEVICE ? " device" : " normal",
	       a->info.access_flag ? "" : " no-AF");
	append(d, &d->edges, &d->elen, "\t%s -> m_%llx [label=\"%s\"];\n", from,
	       (unsigned long long)a->gpa, idx);
}

/* True if e continues t's open run: the next index, contiguous output, the same attributes. */
static bool continues_run(const struct tdot_table *t, const struct s2_entry *e)
{
	const struct s2_entry *l = &t->last;

	return t->run && e->info.kind == WALK_LEAF && e->index == l->index + 1 &&
	       e->info.addr == l->info.addr + l->size && e->info.perm == l->info.perm &&
	       e->info.memtype == l->info.memtype && e->info.access_flag == l->info.access_flag;
}

void table_dot_entry(struct table_dot *d, const struct s2_entry *e)
{
	struct tdot_table *t = table(d, e);

	if (!t)
		return;
	/* Walks (stage 1) report a table's entry once per walk through it. */
	if (t->has_last && e->index == t->last_index)
		return;
	t->has_last = true;
	t->last_index = e->index;
	if (continues_run(t, e)) {
		t->last = *e;
		t->nrun++;
		return;
	}
	close_run(d, t);
	if (e->info.kind == WALK_LEAF) {
		t->run = true;
		t->first = t->last = *e;
		t->nrun = 1;
		return;
	}
	/* A table descriptor: its line, and an edge to the next table's node. */
	char from[48], to[48];
	struct tdot_table next = { .level = e->level + 1, .in_base = e->gpa };
	node_name(t, from, sizeof(from));
	node_name(&next, to, sizeof(to));
	if (t->lines < TDOT_MAX_LINES) {
		append(d, &t->label, &t->len, "[%u] = 0x%016llx table -> %s 0x%llx\\l", e->index,
		       (unsigned long long)e->desc, d->table_space, (unsigned long long)e->info.addr);
		t->lines++;
	} else {
		t->hidden++;
	}
	append(d, &d->edges, &d->elen, "\t%s -> %s [label=\"[%u]\"];\n", from, to, e->index);
}

int table_dot_write(struct table_dot *d, FILE *f, const char *title)
{
	char name[48];

	for (unsigned i = 0; i < d->n; i++)
		close_run(d, &d->t[i]);
	if (d->oom)
		return -1;
	fprintf(f, "digraph tables {\n");
	fprintf(f, "\tgraph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, labelloc=t, label=\"%s\"];\n",
		title);
	fprintf(f, "\tnode [shape=box, fontname=\"Courier\", fontsize=9];\n");
	fprintf(f, "\tedge [fontname=\"Helvetica\", fontsize=9];\n");
	for (unsigned i = 0; i < d->n; i++) {
		const struct tdot_table *t = &d->t[i];
		node_name(t, name, sizeof(name));
		fprintf(f, "\t%s [style=filled, fillcolor=\"%s\", label=\"L%d table%s at %s 0x%llx\\l%s",
			name, t->root ? "#e3f0ff" : "#dff5df", t->level, t->root ? " (root)" : "",
			d->table_space, (unsigned long long)t->addr, t->label ? t->label : "");
		if (t->hidden)
			fprintf(f, "... and %u more entries\\l", t->hidden);
		fprintf(f, "\"];\n");
	}
	if (d->edges)
		fputs(d->edges, f);
	fprintf(f, "}\n");
	return ferror(f) ? -1 : 0;
}

static int add_entry(const struct s2_entry *e, void *ctx)
{
	table_dot_entry(ctx, e);
	return 0;
}

int hal_sim_s2_dot(const struct vm *vm, const char *path, char *err, size_t errsize)
{
	struct table_dot *d = table_dot_new("GPA", "HPA", "HPA", true);
	char title[200];
	FILE *f;
	int rc = -1;

	if (!d) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	stage2_visit(&vm->as.s2, add_entry, d);
	snprintf(title, sizeof(title), "VM %u (%s): stage-2 tables (GPA -> HPA)", vm->id, vm->name);
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
	} else {
		rc = table_dot_write(d, f, title);
		if (fclose(f) != 0 || rc < 0) {
			snprintf(err, errsize, "%s: cannot write the graph", path);
			rc = -1;
		}
	}
	table_dot_free(d);
	return rc;
}

/* ---- The guest's stage-1 tables, from walks -------------------------------- */

/*
 * The guest's tables are in its own format and registers, which only the
 * simulated CPU's walker reads (sim_cpu_s1_walk()): the graph is built
 * from walks of every part of the lower half of the address space, each
 * walk going on from where the last one ended (past its leaf, or past the
 * invalid entry it stopped at), so each valid entry is seen.
 */

/* Every architecture's 4 KiB-granule walks number levels from the root down to 3 (4 KiB pages). */
static uint64_t s1_entry_size(int level)
{
	return 1ULL << (12 + 9 * (3 - level));
}

struct s1_steps {
	unsigned n;
	struct walk_step step[STAGE2_MAX_LEVELS + 1];
};

static void s1_record(const struct walk_step *s, void *ctx)
{
	struct s1_steps *st = ctx;

	if (st->n < ARRAY_SIZE(st->step))
		st->step[st->n++] = *s;
}

/* The lower half: 47 bits covers Sv39, AArch64's TTBR0 (up to 48 bits) and x86_64's canonical lower half. */
#define S1_VA_LIMIT (1ULL << 47)
/* Walks one graph may take: 512 per table visited, for the few tables a small guest has. */
#define S1_MAX_WALKS (1u << 20)

int hal_sim_s1_dot(struct vcpu *vcpu, const char *path, char *err, size_t errsize)
{
	struct table_dot *d = table_dot_new("VA", "GPA", "GPA", false);
	char title[200];
	uint64_t va = 0;
	unsigned walks = 0;
	int rc = -1;

	if (!d) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	while (va < S1_VA_LIMIT && walks++ < S1_MAX_WALKS) {
		struct s1_steps st = { 0 };
		struct s1_result res = { 0 };
		int w = sim_cpu_s1_walk(vcpu->hal, va, ACCESS_READ, &res, s1_record, &st);
		if (w == 0 && res.leaf_size == 0) {
			snprintf(err, errsize, "the guest's MMU is off: no stage-1 tables (VA = GPA)");
			goto out;
		}
		if (st.n == 0) /* beyond the translated range: no table read */
			break;
		for (unsigned i = 0; i < st.n; i++) {
			const struct walk_step *s = &st.step[i];
			struct s2_entry e = {
				.level = s->level,
				.table = s->table,
				.index = s->index,
				.size = s1_entry_size(s->level),
				.desc = s->desc,
				.info = s->info,
			};
			e.gpa = va & ~(e.size - 1);
			if (s->info.kind != WALK_INVALID)
				table_dot_entry(d, &e);
		}
		uint64_t skip = s1_entry_size(st.step[st.n - 1].level);
		va = (va & ~(skip - 1)) + skip;
	}
	snprintf(title, sizeof(title), "VM %u (%s), vCPU %u: the guest's stage-1 tables (VA -> GPA), lower half",
		 vcpu->vm->id, vcpu->vm->name, vcpu->id);
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = table_dot_write(d, f, title);
	if (fclose(f) != 0 || rc < 0) {
		snprintf(err, errsize, "%s: cannot write the graph", path);
		rc = -1;
	}
out:
	table_dot_free(d);
	return rc;
}
