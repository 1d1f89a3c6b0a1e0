/* SPDX-License-Identifier: MIT */
/**
 * @file fdt.h
 * @brief The flattened device tree's layout (Devicetree Specification
 *        v0.4, chapter 5 "Flattened Devicetree (DTB) Format"): the header,
 *        the memory reservation entries, the structure block's tokens.
 *
 * A blob is four parts, each found through the header's offsets:
 *
 *     header (5.2)          40 bytes, ten big-endian 32-bit fields
 *     memory reservations   (5.3) pairs of 64-bit (address, size), 8-byte
 *                           aligned, ended by a (0, 0) pair
 *     structure block (5.4) the nodes as a sequence of 32-bit tokens
 *     strings block (5.5)   the property names, NUL-terminated, which the
 *                           structure block refers to by offset
 *
 * Every field is big-endian; read them with fdt32_ld()/fdt64_ld() or the
 * fdt_<field>() accessors of libfdt.h.
 */
#ifndef FDT_H
#define FDT_H

#include "libfdt_env.h"

/** The header at the start of every blob (5.2), all fields big-endian. */
struct fdt_header {
	fdt32_t magic;             /**< FDT_MAGIC */
	fdt32_t totalsize;         /**< the whole blob, in bytes */
	fdt32_t off_dt_struct;     /**< offset of the structure block */
	fdt32_t off_dt_strings;    /**< offset of the strings block */
	fdt32_t off_mem_rsvmap;    /**< offset of the memory reservation block */
	fdt32_t version;           /**< 17 for the format described here */
	fdt32_t last_comp_version; /**< oldest version this blob is compatible with: 16 */
	fdt32_t boot_cpuid_phys;   /**< physical id of the boot CPU */
	fdt32_t size_dt_strings;   /**< length of the strings block */
	fdt32_t size_dt_struct;    /**< length of the structure block (version 17) */
};

/** One memory reservation (5.3): a range the client must not use as RAM. */
struct fdt_reserve_entry {
	fdt64_t address;
	fdt64_t size;
};

/** The header's magic number: the bytes d0 0d fe ed. */
#define FDT_MAGIC 0xd00dfeed

/* The structure block's tokens (5.4.1), each a big-endian 32-bit word. */
#define FDT_BEGIN_NODE 0x1 /**< a node: its name (NUL-terminated, padded to 4) follows */
#define FDT_END_NODE 0x2   /**< the end of the node begun last */
#define FDT_PROP 0x3       /**< a property: len, nameoff, then len bytes padded to 4 */
#define FDT_NOP 0x4        /**< nothing: ignored by readers (an overwritten node or property) */
#define FDT_END 0x9        /**< the end of the structure block */

/** The size of a token, and the alignment of everything in the structure block. */
#define FDT_TAGSIZE sizeof(fdt32_t)
/** The header's size up to version 16 (no size_dt_struct) and from 17. */
#define FDT_V16_SIZE (9 * sizeof(fdt32_t))
#define FDT_V17_SIZE (10 * sizeof(fdt32_t))

#endif
