/* SPDX-License-Identifier: MIT */
/*
 * The bare builds' device-tree library (src/hal_bare/fdt/) as a table of
 * its functions, for test_bare_fdt.c. Compiled with BARE_FDT_PREFIX and
 * -Isrc/hal_bare/fdt: <libfdt.h> here is that library's, and its
 * functions are bare_fdt_... in the object code, beside the real libfdt.
 */
#include <libfdt.h>

#include "bare_fdt_ops.h"

/* The header's inline functions and macros, as functions. */
static int property_u32(void *fdt, const char *name, uint32_t val)
{
	return fdt_property_u32(fdt, name, val);
}

static int property_u64(void *fdt, const char *name, uint64_t val)
{
	return fdt_property_u64(fdt, name, val);
}

static int property_string(void *fdt, const char *name, const char *str)
{
	return fdt_property_string(fdt, name, str);
}

static uint32_t totalsize(const void *fdt)
{
	return fdt_totalsize(fdt);
}

static uint32_t size_dt_struct(const void *fdt)
{
	return fdt_size_dt_struct(fdt);
}

static uint32_t version(const void *fdt)
{
	return fdt_version(fdt);
}

const struct fdt_ops bare_fdt_ops = {
	.name = "bare",
	.create = fdt_create,
	.add_reservemap_entry = fdt_add_reservemap_entry,
	.finish_reservemap = fdt_finish_reservemap,
	.begin_node = fdt_begin_node,
	.property = fdt_property,
	.property_u32 = property_u32,
	.property_u64 = property_u64,
	.property_string = property_string,
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
	.totalsize = totalsize,
	.size_dt_struct = size_dt_struct,
	.version = version,
};
