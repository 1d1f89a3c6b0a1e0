/* SPDX-License-Identifier: MIT */
/**
 * @file bare_fdt_ops.h
 * @brief A device-tree library as a table of its functions, so that one
 *        test drives two: Debian's libfdt and the bare builds' own
 *        (src/hal_bare/fdt/), which have the same names and so cannot
 *        meet in one file. Each table is filled where its library's
 *        header is included, so the compiler checks every signature
 *        against the one below.
 */
#ifndef TESTS_UNIT_BARE_FDT_OPS_H
#define TESTS_UNIT_BARE_FDT_OPS_H

#include <stdint.h>

struct fdt_ops {
	const char *name;
	/* sequential writing */
	int (*create)(void *buf, int bufsize);
	int (*add_reservemap_entry)(void *fdt, uint64_t addr, uint64_t size);
	int (*finish_reservemap)(void *fdt);
	int (*begin_node)(void *fdt, const char *name);
	int (*property)(void *fdt, const char *name, const void *val, int len);
	int (*property_u32)(void *fdt, const char *name, uint32_t val);
	int (*property_u64)(void *fdt, const char *name, uint64_t val);
	int (*property_string)(void *fdt, const char *name, const char *str);
	int (*end_node)(void *fdt);
	int (*finish)(void *fdt);
	/* reading */
	int (*check_header)(const void *fdt);
	int (*next_node)(const void *fdt, int offset, int *depth);
	int (*first_subnode)(const void *fdt, int offset);
	int (*next_subnode)(const void *fdt, int offset);
	const char *(*get_name)(const void *fdt, int nodeoffset, int *lenp);
	int (*subnode_offset)(const void *fdt, int parentoffset, const char *name);
	int (*path_offset)(const void *fdt, const char *path);
	int (*first_property_offset)(const void *fdt, int nodeoffset);
	int (*next_property_offset)(const void *fdt, int offset);
	const void *(*getprop_by_offset)(const void *fdt, int offset, const char **namep,
					 int *lenp);
	const void *(*getprop)(const void *fdt, int nodeoffset, const char *name, int *lenp);
	const char *(*get_alias)(const void *fdt, const char *name);
	uint32_t (*get_phandle)(const void *fdt, int nodeoffset);
	int (*node_offset_by_phandle)(const void *fdt, uint32_t phandle);
	int (*node_offset_by_prop_value)(const void *fdt, int startoffset, const char *propname,
					 const void *propval, int proplen);
	int (*stringlist_contains)(const char *strlist, int listlen, const char *str);
	int (*node_check_compatible)(const void *fdt, int nodeoffset, const char *compatible);
	int (*node_offset_by_compatible)(const void *fdt, int startoffset,
					 const char *compatible);
	int (*address_cells)(const void *fdt, int nodeoffset);
	int (*size_cells)(const void *fdt, int nodeoffset);
	int (*num_mem_rsv)(const void *fdt);
	int (*get_mem_rsv)(const void *fdt, int n, uint64_t *address, uint64_t *size);
	const char *(*strerror)(int errval);
	/* the header's fields, from the library's accessor macros */
	uint32_t (*totalsize)(const void *fdt);
	uint32_t (*size_dt_struct)(const void *fdt);
	uint32_t (*version)(const void *fdt);
};

/** The bare builds' library (src/hal_bare/fdt/, its names prefixed bare_fdt_). */
extern const struct fdt_ops bare_fdt_ops;

#endif
