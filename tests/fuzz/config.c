/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target "config": a VM config file, through what `cvisor check`
 * does with it, minus reading files from disk.
 *
 * Feeds: the input as the text of a TOML config.
 * Runs:  toml_parse(); config_parse(); config_validate() (a path "exists"
 *        unless it contains "missing"); then, for a config with no
 *        problem, vm_create() and vm_load_images() with small stand-in
 *        images (a raw kernel, a ramdisk and a bios of 64 bytes each), as
 *        `check` builds the VM; vm_destroy().
 * Checks, beyond no crash:
 *  - round trip: a tree toml_parse() accepts, printed back as TOML by
 *    print_table() below, parses again to the same tree;
 *  - a refused text has exactly one error (the reader stops at the first);
 *  - config_parse() returns -CV_EPARSE exactly when it reported an error;
 *  - config_validate() returns the number of errors it added;
 *  - every diagnostic and every vm_create()/vm_load_images() refusal is one
 *    terminated, non-empty line;
 *  - the parsed config is within its declared bounds (cpu_num 1..16,
 *    counts within the arrays, strings terminated);
 *  - a VM that was built gives back every page when destroyed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvisor/config.h>
#include <cvisor/lib.h>
#include <cvisor/toml.h>
#include <cvisor/vm.h>

#include "fuzz.h"

/* The reader's limit on nested arrays and on the parts of one header. */
#define TOML_MAX_DEPTH 32

/* ---- Printing a tree back as TOML ------------------------------------------ */

struct text {
	char *buf;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
		FUZZ_CHECK(t->buf, "out of memory printing TOML");
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* A basic string: quotes, backslashes and control characters escaped. */
static void put_quoted(struct text *t, const char *s)
{
	char esc[8];

	puts_(t, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(t, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(t, esc);
		} else {
			put(t, (const char *)&c, 1);
		}
	}
	puts_(t, "\"");
}

static void put_value(struct text *t, const struct toml_value *v)
{
	char num[24];

	switch (v->type) {
	case TOML_STRING:
		put_quoted(t, v->s);
		return;
	case TOML_INT:
		/* Hexadecimal takes the whole unsigned range, as the reader allows. */
		snprintf(num, sizeof(num), "0x%llx", (unsigned long long)v->i);
		puts_(t, num);
		return;
	case TOML_BOOL:
		puts_(t, v->b ? "true" : "false");
		return;
	case TOML_ARRAY:
		puts_(t, "[");
		for (unsigned i = 0; i < v->arr.n; i++) {
			put_value(t, v->arr.items[i]);
			puts_(t, ", ");
		}
		puts_(t, "]");
		return;
	case TOML_TABLE:
		FUZZ_CHECK(0, "a table inside an array");
	}
}

/* A table: its own keys after a header naming its path, then its sub-tables. */
static void print_table(struct text *t, const struct toml_value *tab, const char **path,
			unsigned depth)
{
	if (depth > 0) {
		puts_(t, "[");
		for (unsigned i = 0; i < depth; i++) {
			if (i)
				puts_(t, ".");
			put_quoted(t, path[i]);
		}
		puts_(t, "]\n");
	}
	for (unsigned i = 0; i < tab->tab.n; i++) {
		const struct toml_kv *kv = &tab->tab.kvs[i];
		if (kv->value->type == TOML_TABLE)
			continue;
		put_quoted(t, kv->key);
		puts_(t, " = ");
		put_value(t, kv->value);
		puts_(t, "\n");
	}
	for (unsigned i = 0; i < tab->tab.n; i++) {
		const struct toml_kv *kv = &tab->tab.kvs[i];
		if (kv->value->type != TOML_TABLE)
			continue;
		path[depth] = kv->key;
		print_table(t, kv->value, path, depth + 1);
	}
}

/* How deep tables nest under v (0 for a table of values only). */
static unsigned table_depth(const struct toml_value *v)
{
	unsigned d = 0;
	for (unsigned i = 0; v->type == TOML_TABLE && i < v->tab.n; i++) {
		const struct toml_value *sub = v->tab.kvs[i].value;
		if (sub->type == TOML_TABLE) {
			unsigned s = 1 + table_depth(sub);
			d = s > d ? s : d;
		}
	}
	return d;
}

/* Two trees hold the same values (tables compared by key, in any order). */
static bool same_value(const struct toml_value *a, const struct toml_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case TOML_STRING:
		return strcmp(a->s, b->s) == 0;
	case TOML_INT:
		return a->i == b->i;
	case TOML_BOOL:
		return a->b == b->b;
	case TOML_ARRAY:
		if (a->arr.n != b->arr.n)
			return false;
		for (unsigned i = 0; i < a->arr.n; i++)
			if (!same_value(a->arr.items[i], b->arr.items[i]))
				return false;
		return true;
	case TOML_TABLE:
		if (a->tab.n != b->tab.n)
			return false;
		for (unsigned i = 0; i < a->tab.n; i++) {
			const struct toml_kv *kv = toml_find_kv((struct toml_value *)b,
							       a->tab.kvs[i].key);
			if (!kv || !same_value(a->tab.kvs[i].value, kv->value))
				return false;
		}
		return true;
	}
	return false;
}

/* Parse, print, parse again: the same tree. */
static void check_toml_round_trip(const char *text, size_t len)
{
	static struct diag_list dl;
	const char *path[TOML_MAX_DEPTH + 1];

	memset(&dl, 0, sizeof(dl));
	struct toml_value *root = toml_parse(text, len, &dl);
	if (!root) {
		FUZZ_CHECK(dl.count == 1 && diag_count(&dl, DIAG_ERROR) == 1,
			   "a refused TOML text gave %u messages, %u of them errors", dl.count,
			   diag_count(&dl, DIAG_ERROR));
		return;
	}
	FUZZ_CHECK(dl.count == 0, "an accepted TOML text gave %u messages", dl.count);
	if (table_depth(root) > TOML_MAX_DEPTH) {
		/* Headers nest 32 deep, dotted keys inside them 32 more: not printable as headers. */
		toml_free(root);
		return;
	}
	struct text out = { NULL, 0, 0 };
	puts_(&out, "");
	print_table(&out, root, path, 0);
	struct toml_value *again = toml_parse(out.buf, out.len, &dl);
	FUZZ_CHECK(again, "TOML printed back does not parse: %s\n%s", dl.count ? dl.items[0].msg : "",
		   out.buf);
	FUZZ_CHECK(same_value(root, again), "TOML printed back parses to another tree:\n%s",
		   out.buf);
	toml_free(again);
	toml_free(root);
	free(out.buf);
}

/* ---- The config, as `cvisor check` sees it ---------------------------------------------- */

/* Every diagnostic is one terminated line, in the size the simulator prints it. */
static void check_diags(const struct diag_list *dl, unsigned from)
{
	char line[600];

	for (unsigned i = from; i < dl->count; i++) {
		int n = diag_format(dl, i, line, sizeof(line));
		FUZZ_CHECK(n > 0 && (size_t)n < sizeof(line), "diagnostic %u of %d characters", i,
			   n);
		FUZZ_CHECK(!strchr(line, '\n') && !strchr(line, '\r'),
			   "diagnostic %u is more than one line: \"%s\"", i, line);
	}
}

static void check_string(const char *s, size_t size, const char *what)
{
	FUZZ_CHECK(strnlen(s, size) < size, "%s is not terminated", what);
}

static void check_config(const struct vm_config *cfg)
{
	FUZZ_CHECK(cfg->cpu_num >= 1 && cfg->cpu_num <= CFG_MAX_CPUS, "cpu_num %u", cfg->cpu_num);
	FUZZ_CHECK(cfg->nregions <= CFG_MAX_REGIONS && cfg->nemu_devices <= CFG_MAX_DEVICES &&
			   cfg->npt_devices <= CFG_MAX_DEVICES && cfg->npt_addrs <= CFG_MAX_DEVICES &&
			   cfg->nexcluded <= CFG_MAX_DEVICES && cfg->nphys_cpu_ids <= CFG_MAX_CPUS &&
			   cfg->nphys_cpu_sets <= CFG_MAX_CPUS,
		   "a count beyond its array");
	check_string(cfg->name, sizeof(cfg->name), "name");
	check_string(cfg->cmdline, sizeof(cfg->cmdline), "cmdline");
	check_string(cfg->kernel_path.path, sizeof(cfg->kernel_path.path), "kernel_path");
	check_string(cfg->interrupt_mode, sizeof(cfg->interrupt_mode), "interrupt_mode");
	FUZZ_CHECK(cfg->unmapped_access <= UNMAPPED_RAZ_WI, "unmapped_access %u",
		   (unsigned)cfg->unmapped_access);
	for (unsigned i = 0; i < cfg->nemu_devices; i++) {
		check_string(cfg->emu_devices[i].name, sizeof(cfg->emu_devices[i].name),
			     "an emu_devices name");
		FUZZ_CHECK(cfg->emu_devices[i].ncfg <= CFG_MAX_DEV_CFG, "emu_devices config count");
	}
	for (unsigned i = 0; i < cfg->nregions; i++)
		FUZZ_CHECK(cfg->regions[i].flags <= 0xff && cfg->regions[i].map_type <= CFG_MAP_RESERVED,
			   "memory region %u flags 0x%x map_type %u", i, cfg->regions[i].flags,
			   cfg->regions[i].map_type);
}

static bool fake_exists(const char *path)
{
	return !strstr(path, "missing");
}

static void check_err(const char *err, size_t size, const char *what)
{
	size_t len = strnlen(err, size);
	FUZZ_CHECK(len > 0 && len < size, "%s: a refusal of %zu characters", what, len);
	FUZZ_CHECK(!strchr(err, '\n'), "%s is more than one line: \"%s\"", what, err);
}

/* What `check` does after the config is valid: build the VM and load its images. */
static void build_vm(const struct vm_config *cfg)
{
	static const uint8_t image[64];
	struct vm_images img = { .kernel = image, .kernel_len = sizeof(image) };
	struct vm *vm;
	char err[300] = "";

	if (cfg->ramdisk_path.set) {
		img.ramdisk = image;
		img.ramdisk_len = sizeof(image);
	}
	if (cfg->bios_path.set) {
		img.bios = image;
		img.bios_len = sizeof(image);
	}
	if (vm_create(cfg, &vm, err, sizeof(err)) < 0) {
		check_err(err, sizeof(err), "vm_create");
		FUZZ_CHECK(hal_fuzz_pages_in_use() == 0, "a refused VM kept %zu pages",
			   hal_fuzz_pages_in_use());
		return;
	}
	if (vm_load_images(vm, &img, err, sizeof(err)) < 0)
		check_err(err, sizeof(err), "vm_load_images");
	vm_destroy(vm);
	FUZZ_CHECK(hal_fuzz_pages_in_use() == 0, "a destroyed VM kept %zu pages",
		   hal_fuzz_pages_in_use());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_config cfg;
	static struct diag_list dl;
	const char *text = (const char *)data;

	check_toml_round_trip(text, size);

	memset(&dl, 0, sizeof(dl));
	int rc = config_parse(text, size, "fuzz/vm.toml", &cfg, &dl);
	unsigned errors = diag_count(&dl, DIAG_ERROR);
	FUZZ_CHECK(rc == 0 || rc == -CV_EPARSE, "config_parse returned %d", rc);
	FUZZ_CHECK((rc < 0) == (errors > 0 || dl.dropped > 0),
		   "config_parse returned %d with %u errors", rc, errors);
	check_diags(&dl, 0);
	if (rc < 0)
		return 0;
	check_config(&cfg);

	unsigned before = dl.count;
	unsigned problems = config_validate(&cfg, fake_exists, &dl);
	if (dl.dropped == 0)
		FUZZ_CHECK(problems == diag_count(&dl, DIAG_ERROR) - errors,
			   "config_validate returned %u and reported %u errors", problems,
			   diag_count(&dl, DIAG_ERROR) - errors);
	check_diags(&dl, before);
	if (problems == 0 && errors == 0)
		build_vm(&cfg);
	return 0;
}
