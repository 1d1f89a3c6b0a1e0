/* SPDX-License-Identifier: MIT */
/*
 * The bare builds' device-tree library (src/hal_bare/fdt/) against
 * Debian's libfdt, the library whose interface it takes: trees written by
 * either are read by both, and every answer compared (each node, offset,
 * name, property and value, every lookup, every offset of the structure
 * block as an argument); then, the bare library alone, blobs cut short or
 * corrupted (errors, never a read outside the blob: run under the
 * sanitizers too) and a full buffer or calls out of order while writing.
 *
 * The two libraries share their names; bare_fdt_ops.c holds the bare
 * one's functions, compiled with their names prefixed (BARE_FDT_PREFIX).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include <cvisor/addrspace.h>
#include <cvisor/vm.h>

#include "bare_fdt_ops.h"
#include "fixture.h"

/* ---- Debian's libfdt as a table ---- */

static int real_property_u32(void *fdt, const char *name, uint32_t val)
{
	return fdt_property_u32(fdt, name, val);
}

static int real_property_u64(void *fdt, const char *name, uint64_t val)
{
	return fdt_property_u64(fdt, name, val);
}

static int real_property_string(void *fdt, const char *name, const char *str)
{
	return fdt_property_string(fdt, name, str);
}

static uint32_t real_totalsize(const void *fdt)
{
	return fdt_totalsize(fdt);
}

static uint32_t real_size_dt_struct(const void *fdt)
{
	return fdt_size_dt_struct(fdt);
}

static uint32_t real_version(const void *fdt)
{
	return fdt_version(fdt);
}

static const struct fdt_ops real_ops = {
	.name = "libfdt",
	.create = fdt_create,
	.add_reservemap_entry = fdt_add_reservemap_entry,
	.finish_reservemap = fdt_finish_reservemap,
	.begin_node = fdt_begin_node,
	.property = fdt_property,
	.property_u32 = real_property_u32,
	.property_u64 = real_property_u64,
	.property_string = real_property_string,
	.end_node = fdt_end_node,
	.finish = fdt_finish,
	.check_header = fdt_check_header,
	.next_node = fdt_next_node,
	.first_subnode = fdt_first_subnode,
	.next_subnode = fdt_next_subnode,
	.get_name = fdt_get_name,
	.subnode_offset = fdt_subnode_offset,
	.path_offset = fdt_path_offset,
	.first_property_offset = fdt_first_property_offset,
	.next_property_offset = fdt_next_property_offset,
	.getprop_by_offset = fdt_getprop_by_offset,
	.getprop = fdt_getprop,
	.get_alias = fdt_get_alias,
	.get_phandle = fdt_get_phandle,
	.node_offset_by_phandle = fdt_node_offset_by_phandle,
	.node_offset_by_prop_value = fdt_node_offset_by_prop_value,
	.stringlist_contains = fdt_stringlist_contains,
	.node_check_compatible = fdt_node_check_compatible,
	.node_offset_by_compatible = fdt_node_offset_by_compatible,
	.address_cells = fdt_address_cells,
	.size_cells = fdt_size_cells,
	.num_mem_rsv = fdt_num_mem_rsv,
	.get_mem_rsv = fdt_get_mem_rsv,
	.strerror = fdt_strerror,
	.totalsize = real_totalsize,
	.size_dt_struct = real_size_dt_struct,
	.version = real_version,
};

static const struct fdt_ops *const bare = &bare_fdt_ops;
static const struct fdt_ops *const real = &real_ops;

#define TREE_MAX 16384

/* ---- A tree like QEMU virt's and cvisor's RISC-V guests', written with either library ---- */

#define W(call)                                                                                    \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_)                                                                           \
			return rc_;                                                                \
	} while (0)

/* A property of cells given as 32-bit numbers. */
static int prop_cells(const struct fdt_ops *ops, void *fdt, const char *name, const uint32_t *v,
		      int n)
{
	fdt32_t be[16];
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	return ops->property(fdt, name, be, n * 4);
}

static int cpu_node(const struct fdt_ops *ops, void *fdt, unsigned i)
{
	char name[16];
	snprintf(name, sizeof(name), "cpu@%u", i);
	W(ops->begin_node(fdt, name));
	W(ops->property_string(fdt, "device_type", "cpu"));
	W(ops->property_u32(fdt, "reg", i));
	W(ops->property_string(fdt, "status", "okay"));
	W(ops->property_string(fdt, "compatible", "riscv"));
	W(ops->property_string(fdt, "riscv,isa", "rv64imafdch_zicsr_zifencei"));
	W(ops->property_string(fdt, "mmu-type", "riscv,sv48"));
	W(ops->property_u32(fdt, "phandle", 1 + 2 * i));
	W(ops->begin_node(fdt, "interrupt-controller"));
	W(ops->property_u32(fdt, "#interrupt-cells", 1));
	W(ops->property(fdt, "interrupt-controller", NULL, 0));
	W(ops->property_string(fdt, "compatible", "riscv,cpu-intc"));
	W(ops->property_u32(fdt, "phandle", 2 + 2 * i));
	W(ops->end_node(fdt));
	return ops->end_node(fdt);
}

static int soc_node(const struct fdt_ops *ops, void *fdt)
{
	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
	const uint32_t plic_reg[] = { 0, 0xc000000, 0, 0x600000 };
	const uint32_t ext[] = { 2, 11, 2, 9, 4, 11, 4, 9 };
	char name[32];

	W(ops->begin_node(fdt, "soc"));
	W(ops->property_u32(fdt, "#address-cells", 2));
	W(ops->property_u32(fdt, "#size-cells", 2));
	W(ops->property_string(fdt, "compatible", "simple-bus"));
	W(ops->property(fdt, "ranges", NULL, 0));
	W(ops->begin_node(fdt, "plic@c000000"));
	W(ops->property(fdt, "compatible", plic_compat, sizeof(plic_compat)));
	W(prop_cells(ops, fdt, "reg", plic_reg, 4));
	W(prop_cells(ops, fdt, "interrupts-extended", ext, 8));
	W(ops->property_u32(fdt, "riscv,ndev", 95));
	W(ops->property_u32(fdt, "#address-cells", 0));
	W(ops->property_u32(fdt, "#interrupt-cells", 1));
	W(ops->property(fdt, "interrupt-controller", NULL, 0));
	W(ops->property_u32(fdt, "phandle", 9));
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "serial@10000000"));
	W(ops->property_u32(fdt, "interrupts", 10));
	W(ops->property_u32(fdt, "interrupt-parent", 9));
	W(ops->property_u32(fdt, "clock-frequency", 3686400));
	W(ops->property_u64(fdt, "reg-pair", 0x10000000));
	W(ops->property_string(fdt, "compatible", "ns16550a"));
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "test@100000"));
	W(ops->property(fdt, "compatible", test_compat, sizeof(test_compat)));
	W(ops->property_u32(fdt, "phandle", 10));
	W(ops->end_node(fdt));
	for (unsigned i = 8; i >= 1; i--) {
		snprintf(name, sizeof(name), "virtio_mmio@1000%u000", i);
		W(ops->begin_node(fdt, name));
		W(ops->property_u32(fdt, "interrupts", i));
		W(ops->property_string(fdt, "compatible", "virtio,mmio"));
		W(ops->end_node(fdt));
	}
	return ops->end_node(fdt);
}

#define LONG_NAME "a-property-name-longer-than-the-tokens-that-end-the-tree,so-at-the-end-it-is-found"

/* Names, values and properties at the edges: padding, sharing, old forms. */
static int odd_nodes(const struct fdt_ops *ops, void *fdt)
{
	static const uint8_t bytes[7] = { 1, 2, 3, 4, 5, 6, 7 };
	uint8_t big[301];

	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	W(ops->begin_node(fdt, "a"));
	for (int len = 1; len <= 7; len++) {
		char pname[8] = "len0";
		pname[3] = (char)('0' + len);
		W(ops->property(fdt, pname, bytes, len));
	}
	W(ops->property(fdt, "big", big, sizeof(big)));
	W(ops->property_string(fdt, "address-cells", "a name that ends another one"));
	W(ops->property_string(fdt, "cells", "and a shorter one"));
	W(ops->property(fdt, LONG_NAME, NULL, 0));
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "a@1"));
	W(ops->property_u32(fdt, "#address-cells", 5)); /* more than FDT_MAX_NCELLS */
	W(ops->property(fdt, "#size-cells", "x", 1)); /* not a cell */
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "ab"));
	W(ops->property_u64(fdt, "phandle", 12)); /* not one cell: no phandle */
	W(ops->property_u32(fdt, "linux,phandle", 13));
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "poweroff"));
	W(ops->property_u32(fdt, "linux,phandle", 14));
	W(ops->property(fdt, "compatible", "", 1));
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "empty"));
	W(ops->end_node(fdt));
	/* Ten levels down. */
	for (int i = 0; i < 10; i++) {
		char lname[8];
		snprintf(lname, sizeof(lname), "l%d", i);
		W(ops->begin_node(fdt, lname));
		W(ops->property_u32(fdt, "level", (uint32_t)i));
	}
	/* The long name again, when less room is left than its length: it is not written twice. */
	W(ops->property(fdt, LONG_NAME, NULL, 0));
	for (int i = 0; i < 10; i++)
		W(ops->end_node(fdt));
	return 0;
}

static int build_tree(const struct fdt_ops *ops, void *fdt, int size)
{
	static const char root_compat[] = "riscv-virtio\0qemu,virt";
	const uint32_t mem_reg[] = { 0, 0x80000000, 0, 0x8000000 };
	const uint32_t resv_reg[] = { 0, 0x80000000, 0, 0x40000 };

	W(ops->create(fdt, size));
	W(ops->add_reservemap_entry(fdt, 0x80000000, 0x80000));
	W(ops->add_reservemap_entry(fdt, 0x1000, 0x2000));
	W(ops->finish_reservemap(fdt));
	W(ops->begin_node(fdt, ""));
	W(ops->property_u32(fdt, "#address-cells", 2));
	W(ops->property_u32(fdt, "#size-cells", 2));
	W(ops->property(fdt, "compatible", root_compat, sizeof(root_compat)));
	W(ops->property_string(fdt, "model", "riscv-virtio,qemu"));
	W(ops->begin_node(fdt, "aliases"));
	W(ops->property_string(fdt, "serial0", "/soc/serial@10000000"));
	W(ops->property_string(fdt, "deep", "/empty/l0/l1"));
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "chosen"));
	W(ops->property_string(fdt, "bootargs", "console=ttyS0 earlycon"));
	W(ops->property_string(fdt, "stdout-path", "/soc/serial@10000000"));
	W(ops->property_u64(fdt, "linux,initrd-start", 0x88000000));
	W(ops->property_u64(fdt, "linux,initrd-end", 0x88100000));
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "memory@80000000"));
	W(ops->property_string(fdt, "device_type", "memory"));
	W(prop_cells(ops, fdt, "reg", mem_reg, 4));
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "reserved-memory"));
	W(ops->property_u32(fdt, "#address-cells", 2));
	W(ops->property_u32(fdt, "#size-cells", 2));
	W(ops->property(fdt, "ranges", NULL, 0));
	W(ops->begin_node(fdt, "mmode_resv0@80000000"));
	W(prop_cells(ops, fdt, "reg", resv_reg, 4));
	W(ops->property(fdt, "no-map", NULL, 0));
	W(ops->end_node(fdt));
	W(ops->end_node(fdt));
	W(ops->begin_node(fdt, "cpus"));
	W(ops->property_u32(fdt, "#address-cells", 1));
	W(ops->property_u32(fdt, "#size-cells", 0));
	W(ops->property_u32(fdt, "timebase-frequency", 10000000));
	W(cpu_node(ops, fdt, 0));
	W(cpu_node(ops, fdt, 1));
	W(ops->end_node(fdt));
	W(soc_node(ops, fdt));
	W(odd_nodes(ops, fdt));
	W(ops->end_node(fdt));
	return ops->finish(fdt);
}

/* ---- Everything a library answers about a blob, as text ---- */

struct text {
	char *s;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* The blob's size while it is dumped: every pointer a library returns must lie inside. */
static size_t blob_limit;

/* A pointer into the blob as its offset there, so that two copies compare. */
static long rel(const void *fdt, const void *p)
{
	if (!p)
		return -1;
	long r = (long)((const char *)p - (const char *)fdt);
	if (blob_limit)
		assert_true(r >= 0 && (size_t)r <= blob_limit); /* (one past the end: an empty value) */
	return r;
}

static void put_bytes(struct text *t, const void *p, int len)
{
	const uint8_t *b = p;
	for (int i = 0; p && i < len; i++)
		put(t, "%02x", b[i]);
}

static const char *const queries[] = {
	"", "/", "//", "/cpus", "/cpus/", "cpus", "/cpus/cpu@0", "/cpus//cpu@1/", "/cpus/cpu",
	"/cpus/cpu@0/interrupt-controller", "/memory", "/memory@80000000", "/memory@0",
	"/soc/virtio_mmio", "/soc/virtio_mmio@10004000", "/a", "/a@1", "/a@2", "/ab", "/abc",
	"/empty/l0/l1/l2/l3/l4/l5/l6/l7/l8/l9", "/empty/l0/l1/l2/l3/l4/l5/l6/l7/l8/l9/l10",
	"serial0", "serial0/", "deep/l2", "deep", "serial1", "/aliases", "/chosen", "/nothing",
	"/reserved-memory/mmode_resv0", "/soc/plic@c000000", "/soc/serial@10000000",
	"/soc/test", "/guest", "/psci", "/intc@8000000", "/pl011@9000000", "/timer",
};

/* ("" is left out: libfdt finds it in any list followed by a zero byte, reading past the list.) */
static const char *const compatibles[] = {
	"riscv", "ns16550a", "virtio,mmio", "syscon", "sifive,test0", "riscv,plic0", "qemu,virt", "arm,pl011", "arm,gic-v3", "arm,armv8-timer", "nothing",
};

/* What the library says about one node (the walk gave its offset and path). */
static void dump_node(struct text *t, const struct fdt_ops *ops, const void *fdt, int node,
		      const char *path)
{
	const char *pname;
	const void *val, *v2;
	int len, len2, off, child;

	put(t, "node %d '%s' path_offset %d cells %d %d phandle %u\n", node, path,
	    ops->path_offset(fdt, path), ops->address_cells(fdt, node), ops->size_cells(fdt, node),
	    ops->get_phandle(fdt, node));
	if (ops->get_phandle(fdt, node))
		put(t, " by_phandle %d\n", ops->node_offset_by_phandle(fdt, ops->get_phandle(fdt, node)));
	for (off = ops->first_property_offset(fdt, node); off >= 0;
	     off = ops->next_property_offset(fdt, off)) {
		pname = NULL;
		val = ops->getprop_by_offset(fdt, off, &pname, &len);
		v2 = ops->getprop(fdt, node, pname ? pname : "", &len2);
		if (val && blob_limit)
			assert_true((size_t)rel(fdt, val) + (size_t)len <= blob_limit);
		put(t, " prop %d '%s' at %ld len %d (getprop at %ld len %d) ", off,
		    pname ? pname : "(null)", rel(fdt, val), len, rel(fdt, v2), len2);
		put_bytes(t, val, len);
		put(t, "\n");
	}
	put(t, " props end %d\n", off);
	val = ops->getprop(fdt, node, "nothing", &len);
	put(t, " getprop nothing %ld %d\n", rel(fdt, val), len);
	for (unsigned i = 0; i < sizeof(compatibles) / sizeof(compatibles[0]); i++)
		put(t, " compatible '%s' %d from here %d\n", compatibles[i],
		    ops->node_check_compatible(fdt, node, compatibles[i]),
		    ops->node_offset_by_compatible(fdt, node, compatibles[i]));
	put(t, " by_prop_value %d %d\n",
	    ops->node_offset_by_prop_value(fdt, node, "device_type", "cpu", 4),
	    ops->node_offset_by_prop_value(fdt, node, "interrupt-controller", NULL, 0));
	child = ops->first_subnode(fdt, node);
	put(t, " first_subnode %d next_subnode %d\n", child, ops->next_subnode(fdt, node));
	for (; child >= 0; child = ops->next_subnode(fdt, child)) {
		const char *cname = ops->get_name(fdt, child, &len);
		char base[64];
		snprintf(base, sizeof(base), "%.*s", (int)strcspn(cname, "@"), cname);
		put(t, " child %d '%s' %d subnode_offset %d '%s' %d\n", child, cname, len,
		    ops->subnode_offset(fdt, node, cname), base, ops->subnode_offset(fdt, node, base));
	}
}

/* What the library says about every offset of the structure block, node or not. */
static void dump_offsets(struct text *t, const struct fdt_ops *ops, const void *fdt)
{
	int end = (int)ops->size_dt_struct(fdt) + 8;

	for (int off = -2; off <= end; off++) {
		const char *name, *pname = NULL;
		const void *val;
		int len = 7, plen = 7, depth = 0;
		if (off > 8 && off % 4 != 0 && off % 7 != 0)
			continue; /* some unaligned ones are enough */
		name = ops->get_name(fdt, off, &len);
		val = ops->getprop_by_offset(fdt, off, &pname, &plen);
		put(t, "offset %d name %ld %d prop %ld '%s' %d", off, rel(fdt, name), len,
		    rel(fdt, val), val ? pname : "", plen);
		put(t, " next %d", ops->next_node(fdt, off, NULL));
		put(t, " %d/%d", ops->next_node(fdt, off, &depth), depth);
		depth = 5;
		put(t, " %d/%d", ops->next_node(fdt, off, &depth), depth);
		put(t, " sub %d %d", ops->first_subnode(fdt, off), ops->next_subnode(fdt, off));
		put(t, " props %d %d", ops->first_property_offset(fdt, off),
		    ops->next_property_offset(fdt, off));
		val = ops->getprop(fdt, off, "reg", &len);
		put(t, " reg %ld %d", rel(fdt, val), len);
		put(t, " cells %d %d phandle %u", ops->address_cells(fdt, off),
		    ops->size_cells(fdt, off), ops->get_phandle(fdt, off));
		put(t, " subnode %d %d\n", ops->subnode_offset(fdt, off, "cpus"),
		    ops->subnode_offset(fdt, off, "interrupt-controller"));
	}
}

/*
 * Everything the library says about fdt: the header, the reservations,
 * a depth-first walk of the nodes with each one's answers, the lookups of
 * queries[], and the answers for every offset.
 */
static char *dump(const struct fdt_ops *ops, const void *fdt)
{
	struct text t = { 0 };
	char path[1024];
	const char *names[64];
	int node, depth = 0, rc = ops->check_header(fdt);
	uint64_t addr, size;

	put(&t, "check_header %d\n", rc);
	if (rc != 0)
		return t.s;
	put(&t, "totalsize %u version %u\n", ops->totalsize(fdt), ops->version(fdt));
	rc = ops->num_mem_rsv(fdt);
	put(&t, "mem_rsv %d\n", rc);
	for (int i = -1; i <= rc + 1; i++) {
		addr = size = 7;
		put(&t, " %d: %d", i, ops->get_mem_rsv(fdt, i, &addr, &size));
		put(&t, " %llx %llx\n", (unsigned long long)addr, (unsigned long long)size);
	}
	for (node = ops->next_node(fdt, -1, &depth); node >= 0 && depth >= 1 && depth < 64;
	     node = ops->next_node(fdt, node, &depth)) {
		int len;
		names[depth] = ops->get_name(fdt, node, &len);
		assert_non_null(names[depth]);
		/* The path: "/" for the root, else "/" and each name below the root. */
		strcpy(path, "/");
		for (int d = 2; d <= depth; d++) {
			assert_true(strlen(path) + strlen(names[d]) + 2 < sizeof(path));
			if (d > 2)
				strcat(path, "/");
			strcat(path, names[d]);
		}
		put(&t, "depth %d name %ld len %d\n", depth, rel(fdt, names[depth]), len);
		dump_node(&t, ops, fdt, node, path);
	}
	put(&t, "walk end %d depth %d\n", node, depth);
	for (unsigned i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		const char *alias = ops->get_alias(fdt, queries[i]);
		put(&t, "path '%s' %d alias %ld\n", queries[i], ops->path_offset(fdt, queries[i]),
		    rel(fdt, alias));
	}
	for (uint32_t ph = 0; ph < 20; ph++)
		put(&t, "phandle %u %d\n", ph, ops->node_offset_by_phandle(fdt, ph));
	put(&t, "phandle -1 %d\n", ops->node_offset_by_phandle(fdt, UINT32_MAX));
	for (unsigned i = 0; i < sizeof(compatibles) / sizeof(compatibles[0]); i++)
		put(&t, "compatible '%s' %d\n", compatibles[i],
		    ops->node_offset_by_compatible(fdt, -1, compatibles[i]));
	put(&t, "memory %d\n", ops->node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7));
	dump_offsets(&t, ops, fdt);
	return t.s;
}

/* Prints the first line where a and b differ, and fails if they do. */
static void assert_same_text(const char *a, const char *b, const char *what)
{
	int line = 1;
	const char *la = a, *lb = b;

	for (size_t i = 0; a[i] || b[i]; i++) {
		if (a[i] != b[i]) {
			print_error("%s: line %d differs:\n  libfdt: %.*s\n  bare:   %.*s\n", what, line,
				    (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
			fail();
		}
		if (a[i] == '\n') {
			line++;
			la = a + i + 1;
			lb = b + i + 1;
		}
	}
}

/* Both libraries read fdt (size bytes) and give the same answers to everything. */
static void assert_same_answers(const void *fdt, size_t size, const char *what)
{
	blob_limit = size;
	char *a = dump(real, fdt), *b = dump(bare, fdt);
	blob_limit = 0;
	/* Not vacuous: a whole tree was walked to its end. */
	assert_non_null(strstr(a, "check_header 0\n"));
	assert_non_null(strstr(a, "walk end -1 depth 0\n"));
	assert_same_text(a, b, what);
	free(a);
	free(b);
}

/* Answers that anchor the comparisons to values written in build_tree(). */
static void check_tree_values(const struct fdt_ops *ops, const void *fdt)
{
	int len, serial = ops->path_offset(fdt, "/soc/serial@10000000");
	const fdt32_t *p;

	assert_true(serial > 0);
	assert_int_equal(ops->path_offset(fdt, "serial0"), serial);
	assert_string_equal(ops->getprop(fdt, serial, "compatible", &len), "ns16550a");
	assert_int_equal(len, 9);
	p = ops->getprop(fdt, ops->path_offset(fdt, "/cpus"), "timebase-frequency", &len);
	assert_int_equal(len, 4);
	assert_int_equal(fdt32_ld(p), 10000000);
	assert_int_equal(ops->path_offset(fdt, "/memory"), ops->path_offset(fdt, "/memory@80000000"));
	assert_int_equal(ops->address_cells(fdt, ops->path_offset(fdt, "/soc/plic")), -FDT_ERR_BADNCELLS);
	assert_int_equal(ops->address_cells(fdt, ops->path_offset(fdt, "/cpus")), 1);
	assert_int_equal(ops->size_cells(fdt, ops->path_offset(fdt, "/cpus")), 0);
	assert_int_equal(ops->size_cells(fdt, ops->path_offset(fdt, "/a@1")), -FDT_ERR_BADNCELLS);
	assert_int_equal(ops->get_phandle(fdt, ops->path_offset(fdt, "/ab")), 13);
	assert_int_equal(ops->node_offset_by_phandle(fdt, 9), ops->path_offset(fdt, "/soc/plic"));
	assert_int_equal(ops->num_mem_rsv(fdt), 2);
	assert_null(ops->getprop(fdt, serial, "nothing", &len));
	assert_int_equal(len, -FDT_ERR_NOTFOUND);
	assert_int_equal(ops->path_offset(fdt, "/nothing"), -FDT_ERR_NOTFOUND);
	assert_int_equal(ops->path_offset(fdt, "nothing"), -FDT_ERR_BADPATH);
}

static void test_written_by_libfdt_read_by_both(void **state)
{
	static uint8_t buf[TREE_MAX];

	(void)state;
	assert_int_equal(build_tree(real, buf, sizeof(buf)), 0);
	check_tree_values(bare, buf);
	assert_same_answers(buf, fdt_totalsize(buf), "libfdt's tree");
}

/* The bare writer's blob is libfdt's, byte for byte, and reads the same. */
static void test_written_by_bare_read_by_both(void **state)
{
	static uint8_t mine[TREE_MAX], theirs[TREE_MAX];

	(void)state;
	memset(mine, 0xa5, sizeof(mine));
	assert_int_equal(build_tree(bare, mine, sizeof(mine)), 0);
	assert_int_equal(build_tree(real, theirs, sizeof(theirs)), 0);
	assert_int_equal(fdt_check_full(mine, sizeof(mine)), 0);
	check_tree_values(real, mine);
	assert_same_answers(mine, fdt_totalsize(mine), "the bare writer's tree");
	assert_int_equal(fdt_totalsize(mine), fdt_totalsize(theirs));
	assert_memory_equal(mine, theirs, fdt_totalsize(theirs));
}

/*
 * A tree libfdt edited in place: a larger buffer with free space between
 * the blocks, NOP tokens where a property and a node were, properties
 * grown, a node added, a reservation added; then packed again.
 */
static void test_edited_by_libfdt_read_by_both(void **state)
{
	static uint8_t orig[TREE_MAX], buf[2 * TREE_MAX];
	int node;

	(void)state;
	assert_int_equal(build_tree(real, orig, sizeof(orig)), 0);
	assert_int_equal(fdt_open_into(orig, buf, sizeof(buf)), 0);
	node = fdt_path_offset(buf, "/cpus/cpu@1");
	assert_int_equal(fdt_nop_property(buf, node, "mmu-type"), 0);
	assert_int_equal(fdt_nop_node(buf, fdt_path_offset(buf, "/soc/virtio_mmio@10003000")), 0);
	assert_int_equal(fdt_setprop_string(buf, fdt_path_offset(buf, "/chosen"), "bootargs",
					    "console=ttyS0 earlycon root=/dev/vda rw"),
			 0);
	assert_int_equal(fdt_appendprop_string(buf, 0, "compatible", "cvisor"), 0);
	node = fdt_add_subnode(buf, fdt_path_offset(buf, "/soc"), "rtc@101000");
	assert_true(node > 0);
	assert_int_equal(fdt_setprop_string(buf, node, "compatible", "google,goldfish-rtc"), 0);
	assert_int_equal(fdt_setprop_u32(buf, node, "phandle", 19), 0);
	assert_int_equal(fdt_add_mem_rsv(buf, 0x90000000, 0x1000), 0);
	assert_int_equal(fdt_del_node(buf, fdt_path_offset(buf, "/a@1")), 0);
	assert_same_answers(buf, sizeof(buf), "libfdt's edited tree");
	assert_int_equal(fdt_pack(buf), 0);
	assert_same_answers(buf, fdt_totalsize(buf), "libfdt's edited tree, packed");
}

/* The device tree cvisor generates for a guest (src/lib/fdt.c, with libfdt). */
static void test_guest_tree_read_by_both(void **state)
{
	static const char text[] = "[base]\nid = 1\nname = \"unit\"\narch = \"aarch64\"\ncpu_num = 2\n"
				   "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x4008_0000\n"
				   "cmdline = \"console=ttyAMA0 earlycon\"\n"
				   "memory_regions = [[0x4000_0000, 0x800_0000, 7, 0]]\n";
	static const uint8_t kernel[8] = { 0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14 };
	static uint8_t buf[65536];
	struct vm *vm;

	(void)state;
	assert_int_equal(fixture_vm_boot(text, "unit.toml", kernel, sizeof(kernel), &vm), 0);
	assert_int_equal(addrspace_read(&vm->as, vm->dtb_gpa, buf, sizeof(buf)), 0);
	vm_destroy(vm);
	assert_int_equal(bare->check_header(buf), 0);
	assert_true(bare->path_offset(buf, "/cpus/cpu@1") > 0);
	assert_same_answers(buf, fdt_totalsize(buf), "cvisor's guest tree");
}

/* A version 16 blob (no size_dt_struct) reads the same. */
static void test_version_16(void **state)
{
	static uint8_t buf[TREE_MAX];

	(void)state;
	assert_int_equal(build_tree(real, buf, sizeof(buf)), 0);
	fdt_set_version(buf, 16);
	fdt_set_size_dt_struct(buf, 0);
	assert_same_answers(buf, fdt_totalsize(buf), "a version 16 tree");
	fdt_set_version(buf, 15);
	fdt_set_last_comp_version(buf, 15);
	assert_int_equal(bare->check_header(buf), -FDT_ERR_BADVERSION);
}

/* The bare library reads a blob at any address: the same answers one byte off. */
static void test_unaligned_blob(void **state)
{
	static uint8_t buf[TREE_MAX + 8];
	char *a, *b;

	(void)state;
	assert_int_equal(build_tree(bare, buf, TREE_MAX), 0);
	a = dump(bare, buf);
	memmove(buf + 1, buf, TREE_MAX);
	b = dump(bare, buf + 1);
	assert_non_null(strstr(a, "walk end -1 depth 0\n"));
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_stringlist_and_strerror(void **state)
{
	static const char list[] = "one\0two\0three";
	static const char *const strs[] = { "one", "two", "three", "thre", "o", "", "twothree" };

	(void)state;
	for (int len = 0; len <= (int)sizeof(list); len++)
		for (unsigned i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
			/* Held: the string and its NUL wholly in the first len bytes. */
			size_t n = strlen(strs[i]) + 1;
			int held = 0;
			for (size_t at = 0; at + n <= (size_t)len; at++)
				if ((at == 0 || list[at - 1] == '\0') && memcmp(list + at, strs[i], n) == 0)
					held = 1;
			/* A copy of exactly len bytes, so that a read past it would be seen. */
			char *l = malloc(len ? (size_t)len : 1);
			memcpy(l, list, (size_t)len);
			assert_int_equal(bare->stringlist_contains(l, len, strs[i]), held);
			free(l);
			/* libfdt looks one byte past the list: not when that byte decides. */
			if ((len == 0 || list[len - 1] == '\0') && len < (int)sizeof(list) && strs[i][0])
				assert_int_equal(real->stringlist_contains(list, len, strs[i]), held);
		}
	assert_int_equal(bare->stringlist_contains(list, sizeof(list), "three"), 1);
	assert_int_equal(bare->stringlist_contains(list, sizeof(list) - 1, "three"), 0);
	/* (libfdt 1.6.1 has no name for FDT_ERR_ALIGNMENT.) */
	for (int e = -FDT_ERR_MAX - 3; e <= 2; e++)
		if (e != -FDT_ERR_ALIGNMENT)
			assert_string_equal(bare->strerror(e), real->strerror(e));
	assert_string_equal(bare->strerror(-FDT_ERR_ALIGNMENT), "FDT_ERR_ALIGNMENT");
	assert_string_equal(bare->strerror(-FDT_ERR_TRUNCATED), "FDT_ERR_TRUNCATED");
}

/* ---- Blobs cut short or corrupted: the bare library alone ---- */

/*
 * A copy of the finished blob fdt with its blocks in the order header,
 * reservations, then the strings and structure blocks with the one named
 * by last at the end, cut bytes shorter; in a buffer of exactly its new
 * totalsize, so that a read past the blob is a read past the allocation.
 */
static uint8_t *relayout(const uint8_t *fdt, int struct_last, uint32_t cut)
{
	uint32_t rsv = fdt_off_dt_struct(fdt) - fdt_off_mem_rsvmap(fdt);
	uint32_t st = fdt_size_dt_struct(fdt), sg = fdt_size_dt_strings(fdt);
	uint32_t hdr = fdt_off_mem_rsvmap(fdt), first, second;
	uint8_t *out;

	if (struct_last)
		st -= cut;
	else
		sg -= cut;
	out = malloc(hdr + rsv + st + sg);
	assert_non_null(out);
	memcpy(out, fdt, hdr + rsv);
	first = hdr + rsv;
	second = first + (struct_last ? sg : st);
	fdt_set_off_dt_strings(out, struct_last ? first : second);
	fdt_set_off_dt_struct(out, struct_last ? second : first);
	fdt_set_size_dt_struct(out, st);
	fdt_set_size_dt_strings(out, sg);
	fdt_set_totalsize(out, hdr + rsv + st + sg);
	memcpy(out + fdt_off_dt_struct(out), fdt + fdt_off_dt_struct(fdt), st);
	memcpy(out + fdt_off_dt_strings(out), fdt + fdt_off_dt_strings(fdt), sg);
	return out;
}

/* The bare library's answers on a blob of size bytes: all inside it, none crashing. */
static void exercise(const void *fdt, size_t size)
{
	blob_limit = size;
	free(dump(bare, fdt));
	blob_limit = 0;
}

/* How a walk of every node from the root ends. */
static int walk_end(const void *fdt)
{
	int depth = 0, node;
	for (node = bare->next_node(fdt, -1, &depth); node >= 0 && depth > 0;
	     node = bare->next_node(fdt, node, &depth))
		;
	return node;
}

/* A blob whose totalsize is cut: its last block no longer fits. */
static void test_truncated_blob(void **state)
{
	static uint8_t tree[TREE_MAX];

	(void)state;
	assert_int_equal(build_tree(bare, tree, sizeof(tree)), 0);
	uint32_t size = fdt_totalsize(tree);
	for (uint32_t n = sizeof(struct fdt_header); n < size; n++) {
		uint8_t *b = malloc(n);
		memcpy(b, tree, n);
		fdt_set_totalsize(b, n);
		assert_int_equal(bare->check_header(b), -FDT_ERR_TRUNCATED);
		exercise(b, n);
		free(b);
	}
}

/* The structure block cut short (it last in the blob): every walk ends in an error. */
static void test_truncated_structure(void **state)
{
	static uint8_t tree[TREE_MAX];

	(void)state;
	assert_int_equal(build_tree(bare, tree, sizeof(tree)), 0);
	uint8_t *whole = relayout(tree, 1, 0);
	exercise(whole, fdt_totalsize(whole));
	assert_int_equal(walk_end(whole), -FDT_ERR_NOTFOUND);
	free(whole);
	/* Every cut in the last tokens, then every 13th byte (all four alignments) before. */
	for (uint32_t cut = 1; cut <= fdt_size_dt_struct(tree); cut += cut < 64 ? 1 : 13) {
		uint8_t *b = relayout(tree, 1, cut);
		assert_int_equal(bare->check_header(b), 0);
		/* The walk reaches the cut (no FDT_END, or a root at offset 0 no more). */
		int end = walk_end(b);
		assert_true(end == -FDT_ERR_TRUNCATED || (cut > fdt_size_dt_struct(tree) - 8 &&
							 end == -FDT_ERR_BADOFFSET));
		exercise(b, fdt_totalsize(b));
		free(b);
	}
}

/* The strings block cut short (it last): the names past the cut are errors. */
static void test_truncated_strings(void **state)
{
	static uint8_t tree[TREE_MAX];
	const char *name;
	int len;

	(void)state;
	assert_int_equal(build_tree(bare, tree, sizeof(tree)), 0);
	uint32_t size = fdt_size_dt_strings(tree);
	/* The root's first property, "#address-cells": the first name written, the last in the block. */
	int prop = bare->first_property_offset(tree, 0);
	uint32_t nameoff = fdt32_ld((const fdt32_t *)(tree + fdt_off_dt_struct(tree) + prop + 8));
	assert_int_equal(nameoff, size - sizeof("#address-cells"));
	for (uint32_t cut = 1; cut <= size; cut += cut < 64 ? 1 : 5) {
		uint8_t *b = relayout(tree, 0, cut);
		assert_int_equal(bare->check_header(b), 0);
		name = NULL;
		assert_null(bare->getprop_by_offset(b, prop, &name, &len));
		assert_int_equal(len, nameoff >= size - cut ? -FDT_ERR_BADOFFSET : -FDT_ERR_TRUNCATED);
		assert_null(bare->getprop(b, 0, "#address-cells", &len));
		assert_true(len == -FDT_ERR_BADOFFSET || len == -FDT_ERR_TRUNCATED);
		exercise(b, fdt_totalsize(b));
		free(b);
	}
}

/* A small deterministic generator (xorshift32): the same corruptions on every run. */
static uint32_t rng = 2463534242u;
static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Random bytes changed anywhere, the header included: answers inside the blob, no crash. */
static void test_corrupted_blobs(void **state)
{
	static uint8_t tree[TREE_MAX];
	unsigned valid = 0;

	(void)state;
	assert_int_equal(build_tree(bare, tree, sizeof(tree)), 0);
	for (int i = 0; i < 1500; i++) {
		uint8_t *b = relayout(tree, i & 1, 0);
		uint32_t size = fdt_totalsize(b);
		unsigned n = 1 + next_random() % 4;
		for (unsigned k = 0; k < n; k++) {
			uint32_t r = next_random();
			/* A third of the changes hit the header's fields. */
			uint32_t at = r % 3 == 0 ? (r >> 8) % sizeof(struct fdt_header) : (r >> 8) % size;
			b[at] = (uint8_t)(r % 5 == 0 ? 0xff : next_random());
		}
		/* A larger totalsize than the buffer cannot be seen: whoever has the blob checks it. */
		if (fdt_totalsize(b) > size)
			fdt_set_totalsize(b, size);
		if (bare->check_header(b) == 0)
			valid++;
		exercise(b, size);
		free(b);
	}
	/* Most corrupted blobs still have a header that checks: their insides were tried. */
	assert_true(valid > 500);
}

/* A big-endian word at byte offset off of the structure block. */
static void poke(uint8_t *fdt, int off, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);
	memcpy(fdt + fdt_off_dt_struct(fdt) + off, &be, 4);
}

/* Blobs made to mislead: each gives its error. */
static void test_hostile_blobs(void **state)
{
	static uint8_t tree[TREE_MAX], b[TREE_MAX];
	int len, serial, prop;

	(void)state;
	assert_int_equal(build_tree(bare, tree, sizeof(tree)), 0);
	serial = bare->path_offset(tree, "/soc/serial@10000000");
	prop = bare->first_property_offset(tree, serial);
#define FRESH() memcpy(b, tree, sizeof(b))
	/* A property longer than the block. */
	FRESH();
	poke(b, prop + 4, 0xfffffff0);
	assert_null(bare->getprop(b, serial, "interrupts", &len));
	assert_int_equal(len, -FDT_ERR_TRUNCATED);
	assert_int_equal(walk_end(b), -FDT_ERR_TRUNCATED);
	/* A name offset far past the strings block. */
	FRESH();
	poke(b, prop + 8, 0xffffff00);
	assert_null(bare->getprop(b, serial, "interrupts", &len));
	assert_int_equal(len, -FDT_ERR_BADOFFSET);
	/* An unknown token. */
	FRESH();
	poke(b, prop, 7);
	assert_int_equal(walk_end(b), -FDT_ERR_BADSTRUCTURE);
	assert_int_equal(bare->first_property_offset(b, serial), -FDT_ERR_BADSTRUCTURE);
	/* The tree ends inside a node: after its property, FDT_END instead of FDT_END_NODE. */
	{
		static uint8_t t[256];
		assert_int_equal(bare->create(t, sizeof(t)), 0);
		assert_int_equal(bare->finish_reservemap(t), 0);
		assert_int_equal(bare->begin_node(t, ""), 0);
		assert_int_equal(bare->property_u32(t, "p", 1), 0);
		assert_int_equal(bare->end_node(t), 0);
		assert_int_equal(bare->finish(t), 0);
		poke(t, (int)fdt_size_dt_struct(t) - 8, FDT_END);
		for (int i = 0; i < 2; i++) {
			const struct fdt_ops *ops = i ? bare : real;
			assert_int_equal(ops->next_property_offset(t, ops->first_property_offset(t, 0)),
					 -FDT_ERR_BADSTRUCTURE);
			assert_int_equal(ops->next_node(t, 0, NULL), -FDT_ERR_NOTFOUND);
		}
	}
	/* Header fields: magic, versions, sizes past the blob or past 2^31. */
	FRESH();
	fdt_set_magic(b, 0xedfe0dd0);
	assert_int_equal(bare->check_header(b), -FDT_ERR_BADMAGIC);
	assert_int_equal(bare->path_offset(b, "/"), -FDT_ERR_BADMAGIC);
	FRESH();
	fdt_set_last_comp_version(b, 18);
	assert_int_equal(bare->check_header(b), -FDT_ERR_BADVERSION);
	FRESH();
	fdt_set_totalsize(b, 0x80000000u);
	assert_int_equal(bare->check_header(b), -FDT_ERR_TRUNCATED);
	FRESH();
	fdt_set_off_dt_strings(b, 0xfffffff0u);
	assert_int_equal(bare->check_header(b), -FDT_ERR_TRUNCATED);
	FRESH();
	fdt_set_size_dt_strings(b, 0xfffffff0u);
	assert_int_equal(bare->check_header(b), -FDT_ERR_TRUNCATED);
	FRESH();
	fdt_set_size_dt_struct(b, fdt_totalsize(b));
	assert_int_equal(bare->check_header(b), -FDT_ERR_TRUNCATED);
	FRESH();
	fdt_set_off_dt_struct(b, 8); /* inside the header */
	assert_int_equal(bare->check_header(b), -FDT_ERR_TRUNCATED);
	/* No (0, 0) at the end of the reservations: they run to the end of the blob. */
	FRESH();
	memset(b + fdt_off_mem_rsvmap(b), 0xee, fdt_totalsize(b) - fdt_off_mem_rsvmap(b));
	assert_int_equal(bare->num_mem_rsv(b), -FDT_ERR_TRUNCATED);
	/* Offsets that are no node: negative, odd, a property's, past the block. */
	assert_null(bare->get_name(tree, -8, &len));
	assert_int_equal(len, -FDT_ERR_BADOFFSET);
	assert_int_equal(bare->first_subnode(tree, -8), 0); /* from before the root: the root */
	assert_null(bare->get_name(tree, 3, &len));
	assert_int_equal(len, -FDT_ERR_BADOFFSET);
	assert_null(bare->get_name(tree, prop, &len));
	assert_int_equal(len, -FDT_ERR_BADOFFSET);
	assert_null(bare->getprop(tree, 0x7ffffffc, "reg", &len));
	assert_int_equal(len, -FDT_ERR_BADOFFSET);
#undef FRESH
}

/* Aliases that name each other are not followed: no endless lookup. */
static void test_alias_loop(void **state)
{
	static uint8_t b[1024];

	(void)state;
	assert_int_equal(bare->create(b, sizeof(b)), 0);
	assert_int_equal(bare->finish_reservemap(b), 0);
	assert_int_equal(bare->begin_node(b, ""), 0);
	assert_int_equal(bare->begin_node(b, "aliases"), 0);
	assert_int_equal(bare->property_string(b, "a", "b"), 0);
	assert_int_equal(bare->property_string(b, "b", "a/x"), 0);
	assert_int_equal(bare->property_string(b, "c", "/aliases"), 0);
	assert_int_equal(bare->property(b, "d", "/aliases", 3), 0); /* no NUL: "/al" */
	assert_int_equal(bare->end_node(b), 0);
	assert_int_equal(bare->end_node(b), 0);
	assert_int_equal(bare->finish(b), 0);
	assert_int_equal(bare->path_offset(b, "a"), -FDT_ERR_BADPATH);
	assert_int_equal(bare->path_offset(b, "b/y"), -FDT_ERR_BADPATH);
	assert_int_equal(bare->path_offset(b, "c"), bare->path_offset(b, "/aliases"));
	assert_int_equal(bare->path_offset(b, "d"), -FDT_ERR_NOTFOUND);
}

/* 3000 nodes, each inside the last: walked to the end without recursion. */
static void test_deep_tree(void **state)
{
	enum { DEPTH = 3000 };
	uint8_t *b = malloc(64 * DEPTH);
	int depth = 0, node, n = 0;

	(void)state;
	assert_int_equal(bare->create(b, 64 * DEPTH), 0);
	assert_int_equal(bare->finish_reservemap(b), 0);
	for (int i = 0; i < DEPTH; i++)
		assert_int_equal(bare->begin_node(b, i ? "n" : ""), 0);
	for (int i = 0; i < DEPTH; i++)
		assert_int_equal(bare->end_node(b), 0);
	assert_int_equal(bare->finish(b), 0);
	for (node = bare->next_node(b, -1, &depth); node >= 0; node = bare->next_node(b, node, &depth))
		n++;
	assert_int_equal(node, -FDT_ERR_NOTFOUND);
	assert_int_equal(n, DEPTH);
	assert_int_equal(depth, 0);
	assert_int_equal(fdt_check_full(b, 64 * DEPTH), 0);
	free(b);
}

/* ---- Writing: a full buffer, calls out of order ---- */

/* Every buffer size: the build fits from exactly the blob's size on, else -FDT_ERR_NOSPACE. */
static void test_write_nospace(void **state)
{
	static uint8_t tree[TREE_MAX];

	(void)state;
	assert_int_equal(build_tree(bare, tree, sizeof(tree)), 0);
	int size = (int)fdt_totalsize(tree);
	for (int n = 0; n <= size + 4; n++) {
		uint8_t *b = malloc(n ? (size_t)n : 1);
		int rc = build_tree(bare, b, n);
		assert_int_equal(rc, n >= size ? 0 : -FDT_ERR_NOSPACE);
		assert_int_equal(build_tree(real, b, n), rc);
		if (rc == 0)
			assert_memory_equal(b, tree, (size_t)size);
		free(b);
	}
}

static void test_write_out_of_order(void **state)
{
	static uint8_t b[1024];

	(void)state;
	for (int i = 0; i < 2; i++) {
		const struct fdt_ops *ops = i ? bare : real;
		assert_int_equal(ops->create(b, (int)sizeof(struct fdt_header) - 1), -FDT_ERR_NOSPACE);
		assert_int_equal(ops->create(b, sizeof(b)), 0);
		assert_int_equal(ops->begin_node(b, ""), -FDT_ERR_BADSTATE);
		assert_int_equal(ops->property_u32(b, "x", 1), -FDT_ERR_BADSTATE);
		assert_int_equal(ops->finish_reservemap(b), 0);
		assert_int_equal(ops->add_reservemap_entry(b, 0, 1), -FDT_ERR_BADSTATE);
		assert_int_equal(ops->begin_node(b, ""), 0);
		assert_int_equal(ops->end_node(b), 0);
		assert_int_equal(ops->finish(b), 0);
		/* A finished tree: no more writing. */
		assert_int_equal(ops->property_u32(b, "x", 1), -FDT_ERR_BADSTATE);
		assert_int_equal(ops->begin_node(b, "n"), -FDT_ERR_BADSTATE);
		assert_int_equal(ops->finish(b), -FDT_ERR_BADSTATE);
		/* A buffer fdt_create() never saw. */
		memset(b, 0, sizeof(b));
		assert_int_equal(ops->finish_reservemap(b), -FDT_ERR_BADMAGIC);
		assert_int_equal(ops->end_node(b), -FDT_ERR_BADMAGIC);
	}
	/* The bare writer checks that the nodes nest; libfdt does not. */
	assert_int_equal(bare->create(b, sizeof(b)), 0);
	assert_int_equal(bare->finish_reservemap(b), 0);
	assert_int_equal(bare->begin_node(b, ""), 0);
	assert_int_equal(bare->getprop(b, 0, "x", NULL), NULL); /* not a tree yet */
	assert_int_equal(bare->check_header(b), -FDT_ERR_BADMAGIC);
	assert_int_equal(bare->property(b, "x", "", -1), -FDT_ERR_BADVALUE);
	assert_int_equal(bare->finish(b), -FDT_ERR_BADSTRUCTURE);
	assert_int_equal(bare->end_node(b), 0);
	assert_int_equal(bare->end_node(b), 0);
	assert_int_equal(bare->finish(b), -FDT_ERR_BADSTRUCTURE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_by_libfdt_read_by_both),
		cmocka_unit_test(test_written_by_bare_read_by_both),
		cmocka_unit_test(test_edited_by_libfdt_read_by_both),
		cmocka_unit_test(test_guest_tree_read_by_both),
		cmocka_unit_test(test_version_16),
		cmocka_unit_test(test_unaligned_blob),
		cmocka_unit_test(test_stringlist_and_strerror),
		cmocka_unit_test(test_truncated_blob),
		cmocka_unit_test(test_truncated_structure),
		cmocka_unit_test(test_truncated_strings),
		cmocka_unit_test(test_corrupted_blobs),
		cmocka_unit_test(test_hostile_blobs),
		cmocka_unit_test(test_alias_loop),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_write_nospace),
		cmocka_unit_test(test_write_out_of_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
