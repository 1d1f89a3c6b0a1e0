/* SPDX-License-Identifier: MIT */
/**
 * @file fdt.c
 * @brief Reading a flattened device tree (Devicetree Specification v0.4,
 *        chapter 5), with every read kept inside the blob.
 *
 * The blob (5.1-5.5; all numbers big-endian):
 *
 *     header           magic d00dfeed, totalsize, the offsets of the three
 *                      blocks, version 17 (last compatible 16), the boot
 *                      CPU, the sizes of the strings and structure blocks
 *     memory reservations  (address, size) pairs of 64 bits, to (0, 0)
 *     structure block  32-bit tokens, each 4-byte aligned:
 *                        FDT_BEGIN_NODE name\0 (padded to 4)
 *                        FDT_PROP len nameoff value (len bytes, padded)
 *                        FDT_END_NODE
 *                        FDT_NOP (ignored)
 *                        FDT_END (once, last)
 *                      a node is BEGIN_NODE, its properties, its child
 *                      nodes, END_NODE; the root node's name is ""
 *     strings block    the property names, NUL-terminated; a property's
 *                      nameoff is its name's offset in this block
 *
 * A node or property is named by the offset of its token in the structure
 * block, as libfdt does. Nothing in the blob is trusted: fdt_check_header()
 * puts each block inside totalsize, the token walker
 * (bare_fdt_next_token()) puts each token, name and value inside the
 * structure block, and get_string() each property name inside the strings
 * block. Every walk moves forward, so a corrupt blob cannot make one loop.
 */
#include "fdt_internal.h"

#include <limits.h>

/* The header's size for the blob's version (size_dt_struct is new in 17, 5.2). */
static uint32_t header_size(const void *fdt)
{
	return fdt_version(fdt) >= 17 ? FDT_V17_SIZE : FDT_V16_SIZE;
}

/* 1 if [off, off + size) lies in [hdr, total). */
static int block_inside(uint32_t hdr, uint32_t total, uint32_t off, uint32_t size)
{
	return off >= hdr && off <= total && size <= total - off;
}

int fdt_check_header(const void *fdt)
{
	if (fdt_magic(fdt) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	if (fdt_version(fdt) < 16 || fdt_last_comp_version(fdt) > 17 ||
	    fdt_version(fdt) < fdt_last_comp_version(fdt))
		return -FDT_ERR_BADVERSION;
	uint32_t hdr = header_size(fdt), total = fdt_totalsize(fdt);
	if (total < hdr || total > INT_MAX)
		return -FDT_ERR_TRUNCATED;
	/* Version 16 gives no structure size: the block may run to the end. */
	uint32_t st = fdt_version(fdt) >= 17 ? fdt_size_dt_struct(fdt) : 0;
	if (!block_inside(hdr, total, fdt_off_mem_rsvmap(fdt), 0) ||
	    !block_inside(hdr, total, fdt_off_dt_struct(fdt), st) ||
	    !block_inside(hdr, total, fdt_off_dt_strings(fdt), fdt_size_dt_strings(fdt)))
		return -FDT_ERR_TRUNCATED;
	return 0;
}

/* The structure block's size (the blob's header checked). */
static uint32_t struct_size(const void *fdt)
{
	if (fdt_version(fdt) >= 17)
		return fdt_size_dt_struct(fdt);
	return fdt_totalsize(fdt) - fdt_off_dt_struct(fdt);
}

/* The byte at offset in the structure block. */
static const char *struct_at(const void *fdt, int offset)
{
	return (const char *)fdt + fdt_off_dt_struct(fdt) + offset;
}

int bare_fdt_next_token(const void *fdt, uint32_t size, int offset, uint32_t *tag)
{
	if (offset < 0 || offset % (int)TOKEN)
		return -FDT_ERR_BADOFFSET;
	uint32_t off = (uint32_t)offset, next;
	if (size < TOKEN || off > size - TOKEN)
		return -FDT_ERR_TRUNCATED;
	const char *p = struct_at(fdt, offset);
	*tag = fdt32_ld((const fdt32_t *)(const void *)p);
	switch (*tag) {
	case FDT_BEGIN_NODE: {
		/* The name, NUL-terminated, then padding to 4 bytes (5.4.1). */
		uint32_t room = size - off - TOKEN;
		const char *nul = memchr(p + TOKEN, '\0', room);
		if (!nul)
			return -FDT_ERR_TRUNCATED;
		next = off + TOKEN + FDT_ALIGN4((uint32_t)(nul - (p + TOKEN)) + 1);
		break;
	}
	case FDT_PROP: {
		/* len and nameoff, then the value, padded to 4 bytes (5.4.1). */
		if (size - off < 3 * TOKEN)
			return -FDT_ERR_TRUNCATED;
		uint32_t len = fdt32_ld((const fdt32_t *)(const void *)(p + TOKEN));
		if (len > size - off - 3 * TOKEN)
			return -FDT_ERR_TRUNCATED;
		next = off + 3 * TOKEN + FDT_ALIGN4(len);
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		next = off + TOKEN;
		break;
	default:
		return -FDT_ERR_BADSTRUCTURE;
	}
	if (next > size)
		return -FDT_ERR_TRUNCATED; /* the padding runs past the block */
	return (int)next;
}

/* The next token's offset after offset, from a checked blob. */
static int next_token(const void *fdt, int offset, uint32_t *tag)
{
	return bare_fdt_next_token(fdt, struct_size(fdt), offset, tag);
}

/* The offset after node offset's BEGIN_NODE token, or -FDT_ERR_BADOFFSET if offset is no node. */
static int check_node(const void *fdt, int offset)
{
	uint32_t tag;
	int next = next_token(fdt, offset, &tag);
	if (next < 0 || tag != FDT_BEGIN_NODE)
		return -FDT_ERR_BADOFFSET;
	return next;
}

/* The offset after property offset's token, or -FDT_ERR_BADOFFSET if offset is no property. */
static int check_prop(const void *fdt, int offset)
{
	uint32_t tag;
	int next = next_token(fdt, offset, &tag);
	if (next < 0 || tag != FDT_PROP)
		return -FDT_ERR_BADOFFSET;
	return next;
}

/*
 * The name at offset stroff of the strings block (5.5), *lenp its
 * length; NULL with *lenp the error if it starts or ends outside.
 */
static const char *get_string(const void *fdt, uint32_t stroff, int *lenp)
{
	uint32_t size = fdt_size_dt_strings(fdt);
	if (stroff >= size) {
		*lenp = -FDT_ERR_BADOFFSET;
		return NULL;
	}
	const char *s = (const char *)fdt + fdt_off_dt_strings(fdt) + stroff;
	const char *nul = memchr(s, '\0', size - stroff);
	if (!nul) {
		*lenp = -FDT_ERR_TRUNCATED;
		return NULL;
	}
	*lenp = (int)(nul - s);
	return s;
}

/* fdt_next_node() on a checked blob. */
static int next_node(const void *fdt, int offset, int *depth)
{
	uint32_t tag;
	int next = 0;

	if (offset >= 0) {
		next = check_node(fdt, offset);
		if (next < 0)
			return next;
	}
	for (;;) {
		offset = next;
		next = next_token(fdt, offset, &tag);
		if (next < 0)
			return next;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (depth)
				(*depth)++;
			return offset;
		case FDT_END_NODE:
			if (depth && --(*depth) < 0)
				return next;
			break;
		case FDT_END:
			return -FDT_ERR_NOTFOUND;
		default: /* FDT_PROP, FDT_NOP */
			break;
		}
	}
}

int fdt_next_node(const void *fdt, int offset, int *depth)
{
	int err = fdt_check_header(fdt);
	return err ? err : next_node(fdt, offset, depth);
}

int fdt_first_subnode(const void *fdt, int offset)
{
	int depth = 0;

	if (fdt_check_header(fdt))
		return -FDT_ERR_NOTFOUND;
	offset = next_node(fdt, offset, &depth);
	if (offset < 0 || depth != 1)
		return -FDT_ERR_NOTFOUND;
	return offset;
}

int fdt_next_subnode(const void *fdt, int offset)
{
	int depth = 1;

	if (fdt_check_header(fdt))
		return -FDT_ERR_NOTFOUND;
	/* Past the node's own children (depth 2 and below) to its sibling, at depth 1. */
	do {
		offset = next_node(fdt, offset, &depth);
		if (offset < 0 || depth < 1)
			return -FDT_ERR_NOTFOUND;
	} while (depth > 1);
	return offset;
}

const char *fdt_get_name(const void *fdt, int nodeoffset, int *lenp)
{
	int err = fdt_check_header(fdt);
	if (!err)
		err = check_node(fdt, nodeoffset);
	if (err < 0) {
		if (lenp)
			*lenp = err;
		return NULL;
	}
	/* check_node() found the name's NUL inside the block. */
	const char *name = struct_at(fdt, nodeoffset) + FDT_TAGSIZE;
	if (lenp)
		*lenp = (int)strlen(name);
	return name;
}

/*
 * 1 if node name s (NUL-terminated) is the n characters at name, or has
 * them before a unit address that name lacks ("memory" and "memory@0").
 */
static int name_matches(const char *s, const char *name, int n)
{
	size_t len = (size_t)n;
	if (memchr(s, '\0', len) || memcmp(s, name, len) != 0)
		return 0; /* s shorter than n, or different */
	return s[len] == '\0' || (s[len] == '@' && !memchr(name, '@', len));
}

/* fdt_subnode_offset_namelen() on a checked blob. */
static int subnode_offset(const void *fdt, int parent, const char *name, int namelen)
{
	int depth = 0, offset;

	for (offset = parent; offset >= 0 && depth >= 0; offset = next_node(fdt, offset, &depth))
		if (depth == 1 && name_matches(struct_at(fdt, offset) + FDT_TAGSIZE, name, namelen))
			return offset;
	return depth < 0 ? -FDT_ERR_NOTFOUND : offset;
}

int fdt_subnode_offset_namelen(const void *fdt, int parentoffset, const char *name, int namelen)
{
	int err = fdt_check_header(fdt);
	if (err)
		return err;
	if (namelen < 0)
		return -FDT_ERR_BADVALUE;
	return subnode_offset(fdt, parentoffset, name, namelen);
}

int fdt_subnode_offset(const void *fdt, int parentoffset, const char *name)
{
	return fdt_subnode_offset_namelen(fdt, parentoffset, name, (int)strlen(name));
}

/* The first property at or after offset that still belongs to the same node. */
static int property_from(const void *fdt, int offset)
{
	uint32_t tag;
	int next;

	for (;; offset = next) {
		next = next_token(fdt, offset, &tag);
		if (next < 0)
			return next;
		if (tag == FDT_PROP)
			return offset;
		if (tag == FDT_END)
			return -FDT_ERR_BADSTRUCTURE; /* the tree ends inside the node */
		if (tag != FDT_NOP)
			return -FDT_ERR_NOTFOUND; /* a child node, or the node's end */
	}
}

int fdt_first_property_offset(const void *fdt, int nodeoffset)
{
	int next = fdt_check_header(fdt);
	if (!next)
		next = check_node(fdt, nodeoffset);
	return next < 0 ? next : property_from(fdt, next);
}

int fdt_next_property_offset(const void *fdt, int offset)
{
	int next = fdt_check_header(fdt);
	if (!next)
		next = check_prop(fdt, offset);
	return next < 0 ? next : property_from(fdt, next);
}

/*
 * The value of the property at offset of a checked blob (its token
 * checked), its name in *namep (may be NULL), its length in *lenp; NULL
 * with *lenp the error if its name lies outside the strings block.
 */
static const void *prop_value(const void *fdt, int offset, const char **namep, int *namelen,
			      int *lenp)
{
	const fdt32_t *p = (const fdt32_t *)(const void *)struct_at(fdt, offset);
	const char *name = get_string(fdt, fdt32_ld(&p[2]), namelen);
	if (!name) {
		*lenp = *namelen;
		return NULL;
	}
	if (namep)
		*namep = name;
	*lenp = (int)fdt32_ld(&p[1]);
	return &p[3];
}

const void *fdt_getprop_by_offset(const void *fdt, int offset, const char **namep, int *lenp)
{
	int namelen, len, err = fdt_check_header(fdt);
	const void *val = NULL;

	if (!err)
		err = check_prop(fdt, offset);
	if (err >= 0) {
		val = prop_value(fdt, offset, namep, &namelen, &len);
		err = len;
	}
	if (lenp)
		*lenp = err;
	return val;
}

const void *fdt_getprop_namelen(const void *fdt, int nodeoffset, const char *name, int namelen,
				int *lenp)
{
	int offset, len, plen;
	const char *pname;
	const void *val;

	offset = fdt_first_property_offset(fdt, nodeoffset);
	for (; offset >= 0; offset = property_from(fdt, check_prop(fdt, offset))) {
		val = prop_value(fdt, offset, &pname, &plen, &len);
		if (!val) {
			offset = len;
			break;
		}
		if (plen == namelen && memcmp(pname, name, (size_t)namelen) == 0) {
			if (lenp)
				*lenp = len;
			return val;
		}
	}
	if (lenp)
		*lenp = offset;
	return NULL;
}

const void *fdt_getprop(const void *fdt, int nodeoffset, const char *name, int *lenp)
{
	return fdt_getprop_namelen(fdt, nodeoffset, name, (int)strlen(name), lenp);
}

const char *fdt_get_alias_namelen(const void *fdt, const char *name, int namelen)
{
	int aliases = fdt_path_offset(fdt, "/aliases");
	if (aliases < 0)
		return NULL;
	return fdt_getprop_namelen(fdt, aliases, name, namelen, NULL);
}

const char *fdt_get_alias(const void *fdt, const char *name)
{
	return fdt_get_alias_namelen(fdt, name, (int)strlen(name));
}

/*
 * The node an alias names (the first len characters at name): only a
 * full path is followed, so that an alias cannot name another alias and
 * loop. -FDT_ERR_BADPATH if there is no such alias.
 */
static int alias_offset(const void *fdt, const char *name, int len)
{
	int vlen = 0, aliases = fdt_path_offset(fdt, "/aliases");
	const char *path = NULL;

	if (aliases >= 0)
		path = fdt_getprop_namelen(fdt, aliases, name, len, &vlen);
	if (!path || vlen < 1 || path[0] != '/')
		return -FDT_ERR_BADPATH;
	/* The value lies inside the blob; its NUL need not. */
	const char *nul = memchr(path, '\0', (size_t)vlen);
	return fdt_path_offset_namelen(fdt, path, nul ? (int)(nul - path) : vlen);
}

int fdt_path_offset_namelen(const void *fdt, const char *path, int namelen)
{
	const char *p = path, *end, *q;
	int offset = 0, err = fdt_check_header(fdt);

	if (err)
		return err;
	if (namelen < 0)
		return -FDT_ERR_BADVALUE;
	end = path + namelen;
	if (p == end || *p != '/') {
		q = memchr(p, '/', (size_t)(end - p));
		if (!q)
			q = end;
		offset = alias_offset(fdt, p, (int)(q - p));
		if (offset < 0)
			return offset;
		p = q;
	}
	while (p < end) {
		while (*p == '/') {
			if (++p == end)
				return offset;
		}
		q = memchr(p, '/', (size_t)(end - p));
		if (!q)
			q = end;
		offset = subnode_offset(fdt, offset, p, (int)(q - p));
		if (offset < 0)
			return offset;
		p = q;
	}
	return offset;
}

int fdt_path_offset(const void *fdt, const char *path)
{
	return fdt_path_offset_namelen(fdt, path, (int)strlen(path));
}

uint32_t fdt_get_phandle(const void *fdt, int nodeoffset)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, nodeoffset, "phandle", &len);

	if (!p || len != sizeof(*p)) {
		p = fdt_getprop(fdt, nodeoffset, "linux,phandle", &len);
		if (!p || len != sizeof(*p))
			return 0;
	}
	return fdt32_ld(p);
}

int fdt_node_offset_by_phandle(const void *fdt, uint32_t phandle)
{
	int offset, err = fdt_check_header(fdt);

	if (err)
		return err;
	if (phandle == 0 || phandle == UINT32_MAX)
		return -FDT_ERR_BADPHANDLE;
	for (offset = next_node(fdt, -1, NULL); offset >= 0; offset = next_node(fdt, offset, NULL))
		if (fdt_get_phandle(fdt, offset) == phandle)
			return offset;
	return offset;
}

int fdt_node_offset_by_prop_value(const void *fdt, int startoffset, const char *propname,
				  const void *propval, int proplen)
{
	int offset, len, err = fdt_check_header(fdt);
	const void *val;

	if (err)
		return err;
	for (offset = next_node(fdt, startoffset, NULL); offset >= 0;
	     offset = next_node(fdt, offset, NULL)) {
		val = fdt_getprop(fdt, offset, propname, &len);
		if (val && len == proplen && (len == 0 || memcmp(val, propval, (size_t)len) == 0))
			return offset;
	}
	return offset;
}

int fdt_stringlist_contains(const char *strlist, int listlen, const char *str)
{
	size_t len = strlen(str);
	const char *nul;

	/* Each string with its NUL: len + 1 bytes, which must all be in the list. */
	while (listlen > 0 && (size_t)listlen > len) {
		if (memcmp(strlist, str, len + 1) == 0)
			return 1;
		nul = memchr(strlist, '\0', (size_t)listlen);
		if (!nul)
			return 0;
		listlen -= (int)(nul - strlist) + 1;
		strlist = nul + 1;
	}
	return 0;
}

int fdt_node_check_compatible(const void *fdt, int nodeoffset, const char *compatible)
{
	int len;
	const char *list = fdt_getprop(fdt, nodeoffset, "compatible", &len);

	if (!list)
		return len;
	return !fdt_stringlist_contains(list, len, compatible);
}

int fdt_node_offset_by_compatible(const void *fdt, int startoffset, const char *compatible)
{
	int offset, rc, err = fdt_check_header(fdt);

	if (err)
		return err;
	for (offset = next_node(fdt, startoffset, NULL); offset >= 0;
	     offset = next_node(fdt, offset, NULL)) {
		rc = fdt_node_check_compatible(fdt, offset, compatible);
		if (rc == 0)
			return offset;
		if (rc < 0 && rc != -FDT_ERR_NOTFOUND)
			return rc;
	}
	return offset;
}

/* The value of #address-cells or #size-cells: one cell, 0..FDT_MAX_NCELLS (2.3.5). */
static int cells(const void *fdt, int nodeoffset, const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, nodeoffset, name, &len);

	if (!p)
		return len;
	if (len != sizeof(*p) || fdt32_ld(p) > FDT_MAX_NCELLS)
		return -FDT_ERR_BADNCELLS;
	return (int)fdt32_ld(p);
}

int fdt_address_cells(const void *fdt, int nodeoffset)
{
	int n = cells(fdt, nodeoffset, "#address-cells");
	if (n == 0)
		return -FDT_ERR_BADNCELLS; /* a "reg" address needs at least one cell */
	return n == -FDT_ERR_NOTFOUND ? 2 : n; /* the default of 2.3.5 */
}

int fdt_size_cells(const void *fdt, int nodeoffset)
{
	int n = cells(fdt, nodeoffset, "#size-cells");
	return n == -FDT_ERR_NOTFOUND ? 1 : n; /* the default of 2.3.5 */
}

/*
 * Memory reservation n (5.3) as its two 64-bit words (address, size), or
 * NULL if it lies outside the blob (the header checked).
 */
static const fdt64_t *mem_rsv(const void *fdt, int n)
{
	uint32_t off = fdt_off_mem_rsvmap(fdt), total = fdt_totalsize(fdt);
	uint32_t max = (total - off) / sizeof(struct fdt_reserve_entry);

	if (n < 0 || (uint32_t)n >= max)
		return NULL;
	off += (uint32_t)n * (uint32_t)sizeof(struct fdt_reserve_entry);
	return (const fdt64_t *)(const void *)((const char *)fdt + off);
}

int fdt_num_mem_rsv(const void *fdt)
{
	const fdt64_t *re;
	int n, err = fdt_check_header(fdt);

	if (err)
		return err;
	for (n = 0; (re = mem_rsv(fdt, n)) != NULL; n++)
		if (fdt64_ld(&re[1]) == 0)
			return n; /* the (0, 0) end: its size 0 ends the list */
	return -FDT_ERR_TRUNCATED;
}

int fdt_get_mem_rsv(const void *fdt, int n, uint64_t *address, uint64_t *size)
{
	const fdt64_t *re;
	int err = fdt_check_header(fdt);

	if (err)
		return err;
	re = mem_rsv(fdt, n);
	if (!re)
		return -FDT_ERR_BADOFFSET;
	*address = fdt64_ld(&re[0]);
	*size = fdt64_ld(&re[1]);
	return 0;
}

const char *fdt_strerror(int errval)
{
	static const char *const names[FDT_ERR_MAX + 1] = {
		[FDT_ERR_NOTFOUND] = "FDT_ERR_NOTFOUND",
		[FDT_ERR_EXISTS] = "FDT_ERR_EXISTS",
		[FDT_ERR_NOSPACE] = "FDT_ERR_NOSPACE",
		[FDT_ERR_BADOFFSET] = "FDT_ERR_BADOFFSET",
		[FDT_ERR_BADPATH] = "FDT_ERR_BADPATH",
		[FDT_ERR_BADPHANDLE] = "FDT_ERR_BADPHANDLE",
		[FDT_ERR_BADSTATE] = "FDT_ERR_BADSTATE",
		[FDT_ERR_TRUNCATED] = "FDT_ERR_TRUNCATED",
		[FDT_ERR_BADMAGIC] = "FDT_ERR_BADMAGIC",
		[FDT_ERR_BADVERSION] = "FDT_ERR_BADVERSION",
		[FDT_ERR_BADSTRUCTURE] = "FDT_ERR_BADSTRUCTURE",
		[FDT_ERR_BADLAYOUT] = "FDT_ERR_BADLAYOUT",
		[FDT_ERR_INTERNAL] = "FDT_ERR_INTERNAL",
		[FDT_ERR_BADNCELLS] = "FDT_ERR_BADNCELLS",
		[FDT_ERR_BADVALUE] = "FDT_ERR_BADVALUE",
		[FDT_ERR_BADOVERLAY] = "FDT_ERR_BADOVERLAY",
		[FDT_ERR_NOPHANDLES] = "FDT_ERR_NOPHANDLES",
		[FDT_ERR_BADFLAGS] = "FDT_ERR_BADFLAGS",
		[FDT_ERR_ALIGNMENT] = "FDT_ERR_ALIGNMENT",
	};

	if (errval > 0)
		return "<valid offset/length>";
	if (errval == 0)
		return "<no error>";
	if (errval >= -FDT_ERR_MAX && names[-errval])
		return names[-errval];
	return "<unknown error>";
}
