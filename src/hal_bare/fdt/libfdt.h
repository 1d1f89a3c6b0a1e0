/* SPDX-License-Identifier: MIT */
/**
 * @file libfdt.h
 * @brief cvisor's own flattened-device-tree library for the bare builds:
 *        the part of libfdt's interface that cvisor uses, with libfdt's
 *        names, signatures, error codes and results.
 *
 * The core writes each guest's device tree with the sequential-write
 * functions (fdt_create() ... fdt_finish()), and the bare HAL reads the
 * host's, which the firmware hands over at boot (QEMU's, possibly edited
 * by OpenSBI). Debian packages libfdt for the host and AArch64 but not for
 * RISC-V, so the bare builds compile this instead; code written against
 * libfdt compiles unchanged against it.
 *
 * Conventions, as libfdt's:
 * - A node or property is named by its offset in the structure block (the
 *   root node is at offset 0). A negative int is an error: -FDT_ERR_*.
 * - Every reading function checks the header first (fdt_check_header())
 *   and every read stays inside the blob's totalsize bytes: a truncated or
 *   corrupt blob gives an error, never a read outside it. The caller must
 *   give a buffer of at least totalsize bytes (the header's own field).
 * - Values are big-endian: fdt32_ld()/fdt64_ld() read them.
 *
 * Differences from libfdt (Debian's 1.6.1, which tests/unit/test_bare_fdt.c
 * compares it with): blobs older than version 16 (node names as full
 * paths) are refused with -FDT_ERR_BADVERSION; a blob need not be 8-byte
 * aligned; an alias is followed only to a full path (never to another
 * alias); fdt_stringlist_contains() never looks past the list (libfdt
 * reads one byte beyond, and so finds "" in any list followed by a zero);
 * fdt_finish() refuses a tree whose nodes do not nest
 * (-FDT_ERR_BADSTRUCTURE); a walk that runs into the end of a cut-short
 * structure block says -FDT_ERR_TRUNCATED where libfdt sometimes says
 * -FDT_ERR_NOTFOUND.
 *
 * Reading: fdt.c. Writing: fdt_sw.c. The layout: fdt.h.
 */
#ifndef LIBFDT_H
#define LIBFDT_H

#include "libfdt_env.h"
#include "fdt.h"

/*
 * The unit test links this library beside the real libfdt: with
 * BARE_FDT_PREFIX defined, every function of the library is named
 * bare_fdt_... in the object code, so the two do not clash.
 */
#ifdef BARE_FDT_PREFIX
#define fdt_check_header bare_fdt_check_header
#define fdt_next_node bare_fdt_next_node
#define fdt_first_subnode bare_fdt_first_subnode
#define fdt_next_subnode bare_fdt_next_subnode
#define fdt_get_name bare_fdt_get_name
#define fdt_subnode_offset bare_fdt_subnode_offset
#define fdt_subnode_offset_namelen bare_fdt_subnode_offset_namelen
#define fdt_path_offset bare_fdt_path_offset
#define fdt_path_offset_namelen bare_fdt_path_offset_namelen
#define fdt_first_property_offset bare_fdt_first_property_offset
#define fdt_next_property_offset bare_fdt_next_property_offset
#define fdt_getprop_by_offset bare_fdt_getprop_by_offset
#define fdt_getprop bare_fdt_getprop
#define fdt_getprop_namelen bare_fdt_getprop_namelen
#define fdt_get_alias bare_fdt_get_alias
#define fdt_get_alias_namelen bare_fdt_get_alias_namelen
#define fdt_get_phandle bare_fdt_get_phandle
#define fdt_node_offset_by_phandle bare_fdt_node_offset_by_phandle
#define fdt_node_offset_by_prop_value bare_fdt_node_offset_by_prop_value
#define fdt_stringlist_contains bare_fdt_stringlist_contains
#define fdt_node_check_compatible bare_fdt_node_check_compatible
#define fdt_node_offset_by_compatible bare_fdt_node_offset_by_compatible
#define fdt_address_cells bare_fdt_address_cells
#define fdt_size_cells bare_fdt_size_cells
#define fdt_num_mem_rsv bare_fdt_num_mem_rsv
#define fdt_get_mem_rsv bare_fdt_get_mem_rsv
#define fdt_strerror bare_fdt_strerror
#define fdt_create bare_fdt_create
#define fdt_add_reservemap_entry bare_fdt_add_reservemap_entry
#define fdt_finish_reservemap bare_fdt_finish_reservemap
#define fdt_begin_node bare_fdt_begin_node
#define fdt_property bare_fdt_property
#define fdt_end_node bare_fdt_end_node
#define fdt_finish bare_fdt_finish
#endif

/* ---- Error codes (negated when returned), libfdt's numbers ---- */
#define FDT_ERR_NOTFOUND 1      /**< no such node or property */
#define FDT_ERR_EXISTS 2        /**< (not returned by this library) */
#define FDT_ERR_NOSPACE 3       /**< the buffer being written is full */
#define FDT_ERR_BADOFFSET 4     /**< an offset that is not a node (or property) of the tree */
#define FDT_ERR_BADPATH 5       /**< a path that does not start with '/' and is no alias */
#define FDT_ERR_BADPHANDLE 6    /**< phandle 0 or 0xffffffff */
#define FDT_ERR_BADSTATE 7      /**< a write function called out of order, or on a finished tree */
#define FDT_ERR_TRUNCATED 8     /**< the blob ends inside a block, token or string */
#define FDT_ERR_BADMAGIC 9      /**< no device-tree magic number (or a tree still being written) */
#define FDT_ERR_BADVERSION 10   /**< a format version this library does not read */
#define FDT_ERR_BADSTRUCTURE 11 /**< an unknown token, or nodes that do not nest */
#define FDT_ERR_BADLAYOUT 12    /**< (not returned by this library) */
#define FDT_ERR_INTERNAL 13     /**< (not returned by this library) */
#define FDT_ERR_BADNCELLS 14    /**< a #address-cells or #size-cells that is not one cell of 0..4 */
#define FDT_ERR_BADVALUE 15     /**< a property value the function cannot use */
#define FDT_ERR_BADOVERLAY 16   /**< (not returned by this library) */
#define FDT_ERR_NOPHANDLES 17   /**< (not returned by this library) */
#define FDT_ERR_BADFLAGS 18     /**< (not returned by this library) */
#define FDT_ERR_ALIGNMENT 19    /**< (not returned by this library) */
#define FDT_ERR_MAX 19

/** The largest #address-cells or #size-cells accepted. */
#define FDT_MAX_NCELLS 4

/* ---- The header's fields, in the CPU's byte order ---- */
/* (By byte offset, not through a struct pointer: the blob need not be aligned.) */
#define fdt_get_header(fdt, field)                                                                 \
	(fdt32_ld((const fdt32_t *)(const void *)((const char *)(fdt) +                            \
						  offsetof(struct fdt_header, field))))
#define fdt_magic(fdt) (fdt_get_header(fdt, magic))
#define fdt_totalsize(fdt) (fdt_get_header(fdt, totalsize))
#define fdt_off_dt_struct(fdt) (fdt_get_header(fdt, off_dt_struct))
#define fdt_off_dt_strings(fdt) (fdt_get_header(fdt, off_dt_strings))
#define fdt_off_mem_rsvmap(fdt) (fdt_get_header(fdt, off_mem_rsvmap))
#define fdt_version(fdt) (fdt_get_header(fdt, version))
#define fdt_last_comp_version(fdt) (fdt_get_header(fdt, last_comp_version))
#define fdt_boot_cpuid_phys(fdt) (fdt_get_header(fdt, boot_cpuid_phys))
#define fdt_size_dt_strings(fdt) (fdt_get_header(fdt, size_dt_strings))
#define fdt_size_dt_struct(fdt) (fdt_get_header(fdt, size_dt_struct))

/* ---- Reading (fdt.c) ---- */

/**
 * Checks that fdt starts with a header this library can read: the magic
 * number, version 16 or 17, and the three blocks inside totalsize bytes.
 * Returns 0, or -FDT_ERR_BADMAGIC, -FDT_ERR_BADVERSION, -FDT_ERR_TRUNCATED.
 */
int fdt_check_header(const void *fdt);

/**
 * The node after offset in the order the blob stores them (depth first).
 * A negative offset starts before the root, so the root comes first. If
 * depth is not NULL it is raised by one for each node entered and lowered
 * by one for each node left; once it goes below 0 the walk has left the
 * node it started in, and the result is the offset just after that
 * node's end (libfdt's convention). Returns -FDT_ERR_NOTFOUND at the end
 * of the tree, -FDT_ERR_BADOFFSET if offset is not a node.
 */
int fdt_next_node(const void *fdt, int offset, int *depth);

/** The first child of node offset, or -FDT_ERR_NOTFOUND (also for any error). */
int fdt_first_subnode(const void *fdt, int offset);

/** The next sibling of node offset, or -FDT_ERR_NOTFOUND (also for any error). */
int fdt_next_subnode(const void *fdt, int offset);

/** Loops over the children of node parent: node is each child's offset. */
#define fdt_for_each_subnode(node, fdt, parent)                                                    \
	for ((node) = fdt_first_subnode((fdt), (parent)); (node) >= 0;                             \
	     (node) = fdt_next_subnode((fdt), (node)))

/**
 * The name of node nodeoffset with its unit address ("memory@80000000";
 * "" for the root). If lenp is not NULL it gets the name's length, or
 * the error when the result is NULL.
 */
const char *fdt_get_name(const void *fdt, int nodeoffset, int *lenp);

/**
 * The child of node parentoffset called name. A name without a unit
 * address also matches a child that has one ("memory" finds
 * "memory@80000000", the first such child). Returns its offset or
 * -FDT_ERR_NOTFOUND.
 */
int fdt_subnode_offset(const void *fdt, int parentoffset, const char *name);

/** fdt_subnode_offset() on the first namelen characters of name. */
int fdt_subnode_offset_namelen(const void *fdt, int parentoffset, const char *name, int namelen);

/**
 * The node at path ("/cpus/cpu@0"; each component matched as by
 * fdt_subnode_offset()). A path that does not start with '/' starts with
 * an alias of /aliases ("serial0/..."). Returns its offset,
 * -FDT_ERR_NOTFOUND, or -FDT_ERR_BADPATH for an unknown alias.
 */
int fdt_path_offset(const void *fdt, const char *path);

/** fdt_path_offset() on the first namelen characters of path. */
int fdt_path_offset_namelen(const void *fdt, const char *path, int namelen);

/** The first property of node nodeoffset, or -FDT_ERR_NOTFOUND if it has none. */
int fdt_first_property_offset(const void *fdt, int nodeoffset);

/** The property after property offset in the same node, or -FDT_ERR_NOTFOUND. */
int fdt_next_property_offset(const void *fdt, int offset);

/** Loops over the properties of node node: property is each one's offset. */
#define fdt_for_each_property_offset(property, fdt, node)                                          \
	for ((property) = fdt_first_property_offset((fdt), (node)); (property) >= 0;               \
	     (property) = fdt_next_property_offset((fdt), (property)))

/**
 * The value of the property at offset (from fdt_first_property_offset()).
 * If namep is not NULL it gets the property's name; if lenp is not NULL,
 * the value's length, or the error when the result is NULL.
 */
const void *fdt_getprop_by_offset(const void *fdt, int offset, const char **namep, int *lenp);

/**
 * The value of property name of node nodeoffset (inside the blob, not
 * aligned beyond 4 bytes). If lenp is not NULL it gets the value's length
 * (0 for an empty property), or the error when the result is NULL:
 * -FDT_ERR_NOTFOUND, -FDT_ERR_BADOFFSET, ...
 */
const void *fdt_getprop(const void *fdt, int nodeoffset, const char *name, int *lenp);

/** fdt_getprop() on the first namelen characters of name. */
const void *fdt_getprop_namelen(const void *fdt, int nodeoffset, const char *name, int namelen,
				int *lenp);

/** The path /aliases gives for alias name ("serial0"), or NULL. */
const char *fdt_get_alias(const void *fdt, const char *name);

/** fdt_get_alias() on the first namelen characters of name. */
const char *fdt_get_alias_namelen(const void *fdt, const char *name, int namelen);

/**
 * The phandle of node nodeoffset (its "phandle" property, or the older
 * "linux,phandle"), or 0 if it has none.
 */
uint32_t fdt_get_phandle(const void *fdt, int nodeoffset);

/**
 * The node whose phandle is phandle, -FDT_ERR_NOTFOUND, or
 * -FDT_ERR_BADPHANDLE for 0 and 0xffffffff, which name no node.
 */
int fdt_node_offset_by_phandle(const void *fdt, uint32_t phandle);

/**
 * The first node after startoffset (-1: from the root, inclusive) with a
 * property propname whose value is the proplen bytes at propval.
 * Returns its offset or -FDT_ERR_NOTFOUND.
 */
int fdt_node_offset_by_prop_value(const void *fdt, int startoffset, const char *propname,
				  const void *propval, int proplen);

/** 1 if the string list strlist (listlen bytes of NUL-terminated strings) holds str, else 0. */
int fdt_stringlist_contains(const char *strlist, int listlen, const char *str);

/**
 * 0 if node nodeoffset's "compatible" list holds compatible, 1 if not,
 * or the error (-FDT_ERR_NOTFOUND when it has no "compatible").
 */
int fdt_node_check_compatible(const void *fdt, int nodeoffset, const char *compatible);

/**
 * The first node after startoffset (-1: from the root, inclusive) that is
 * compatible with compatible. Returns its offset or -FDT_ERR_NOTFOUND.
 */
int fdt_node_offset_by_compatible(const void *fdt, int startoffset, const char *compatible);

/**
 * The #address-cells of node nodeoffset: how many cells an address takes
 * in its children's "reg" (Devicetree Specification 2.3.5). 2 when absent;
 * -FDT_ERR_BADNCELLS if it is not one cell of 1..FDT_MAX_NCELLS.
 */
int fdt_address_cells(const void *fdt, int nodeoffset);

/**
 * The #size-cells of node nodeoffset: how many cells a size takes in its
 * children's "reg" (2.3.5). 1 when absent; -FDT_ERR_BADNCELLS if it is
 * not one cell of 0..FDT_MAX_NCELLS.
 */
int fdt_size_cells(const void *fdt, int nodeoffset);

/** The number of memory reservations (5.3), the (0, 0) end not counted; or an error. */
int fdt_num_mem_rsv(const void *fdt);

/**
 * Reads memory reservation n into *address and *size. Returns 0, or
 * -FDT_ERR_BADOFFSET if entry n lies outside the blob.
 */
int fdt_get_mem_rsv(const void *fdt, int n, uint64_t *address, uint64_t *size);

/** The name of error errval ("FDT_ERR_NOTFOUND" for -FDT_ERR_NOTFOUND). */
const char *fdt_strerror(int errval);

/* ---- Sequential writing (fdt_sw.c) ---- */

/**
 * Starts a tree in buf (bufsize bytes, any alignment), which it clears.
 * Then: fdt_add_reservemap_entry() for each reserved range,
 * fdt_finish_reservemap(), the nodes (fdt_begin_node(), its properties,
 * its children, fdt_end_node()), fdt_finish(). Until fdt_finish() the
 * buffer has no valid magic number, so no reader takes it for a tree.
 * Returns 0 or -FDT_ERR_NOSPACE (bufsize below 48 bytes, a header's room).
 */
int fdt_create(void *buf, int bufsize);

/** Adds a memory reservation (address, size). -FDT_ERR_BADSTATE once the nodes have begun. */
int fdt_add_reservemap_entry(void *fdt, uint64_t addr, uint64_t size);

/** Ends the memory reservations: the nodes come next. */
int fdt_finish_reservemap(void *fdt);

/** Begins node name (with its unit address: "memory@80000000"; "" for the root). */
int fdt_begin_node(void *fdt, const char *name);

/**
 * Adds property name to the node begun last, its value the len bytes at
 * val (val may be NULL when len is 0: a property that is only present,
 * like "interrupt-controller"). Properties come before the node's
 * children. Returns 0, -FDT_ERR_NOSPACE, -FDT_ERR_BADSTATE.
 */
int fdt_property(void *fdt, const char *name, const void *val, int len);

/** Ends the node begun last. */
int fdt_end_node(void *fdt);

/**
 * Ends the tree: the strings block moves down after the structure block,
 * and the header gets its final sizes and magic. fdt_totalsize() is then
 * the blob's size. Returns 0, -FDT_ERR_NOSPACE, -FDT_ERR_BADSTATE, or
 * -FDT_ERR_BADSTRUCTURE if some node was not ended (or ended twice).
 */
int fdt_finish(void *fdt);

/** Adds a property of one 32-bit cell. */
static inline int fdt_property_u32(void *fdt, const char *name, uint32_t val)
{
	fdt32_t v = cpu_to_fdt32(val);
	return fdt_property(fdt, name, &v, sizeof(v));
}

/** Adds a property of one 64-bit value (two cells). */
static inline int fdt_property_u64(void *fdt, const char *name, uint64_t val)
{
	fdt64_t v = cpu_to_fdt64(val);
	return fdt_property(fdt, name, &v, sizeof(v));
}

/** fdt_property_u32() by its older name. */
static inline int fdt_property_cell(void *fdt, const char *name, uint32_t val)
{
	return fdt_property_u32(fdt, name, val);
}

/** Adds a string property, its NUL included. */
static inline int fdt_property_string(void *fdt, const char *name, const char *str)
{
	return fdt_property(fdt, name, str, (int)strlen(str) + 1);
}

#endif
