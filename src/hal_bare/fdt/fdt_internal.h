/* SPDX-License-Identifier: MIT */
/*
 * What fdt.c shares with fdt_sw.c: the structure block's token walker.
 * Not part of the library's interface.
 */
#ifndef BARE_FDT_INTERNAL_H
#define BARE_FDT_INTERNAL_H

#include "libfdt.h"

/* A token's size (FDT_TAGSIZE) as the 32-bit offsets in the blob. */
#define TOKEN 4u

/* Rounds n up to the structure block's alignment (4 bytes, 5.4.1). */
#define FDT_ALIGN4(n) (((n) + 3u) & ~3u)

/*
 * Reads the token at offset in the structure block into *tag and returns
 * the offset of the next one, or a negative error: -FDT_ERR_BADOFFSET
 * (offset negative or unaligned), -FDT_ERR_TRUNCATED (the token, its name
 * or its value runs past the block), -FDT_ERR_BADSTRUCTURE (an unknown
 * token). The block is size bytes; the header is not checked.
 */
int bare_fdt_next_token(const void *fdt, uint32_t size, int offset, uint32_t *tag);

#endif
