/* SPDX-License-Identifier: MIT */
/**
 * @file fdt_sw.c
 * @brief Writing a flattened device tree in one pass, front to back
 *        (libfdt's "sequential write" interface), as the core builds each
 *        guest's tree (src/lib/fdt.c).
 *
 * The blob it produces (Devicetree Specification v0.4, chapter 5; all
 * numbers big-endian):
 *
 *     header (5.2)  40 bytes, version 17, last compatible version 16
 *     memory reservations (5.3)  at 48, (address, size) pairs, ended by (0, 0)
 *     structure block (5.4)  FDT_BEGIN_NODE name, FDT_PROP len nameoff
 *                   value, FDT_END_NODE ..., FDT_END; 4-byte aligned
 *     strings block (5.5)  each property name once, NUL-terminated
 *
 * While the tree is written the buffer holds, from the front, the header,
 * the reservations and the structure block so far, and from the back the
 * strings block growing down; the free space is between. A property's
 * nameoff is meanwhile its name's distance from the buffer's end.
 * fdt_finish() moves the strings down after the structure block and
 * turns each nameoff into an offset in the strings block.
 *
 * The header's fields record the state until then:
 *     magic           ~FDT_MAGIC (no reader takes the buffer for a tree)
 *     totalsize       the buffer's size
 *     off_dt_struct   the end of the reservations written so far
 *     off_dt_strings  0 while reservations are written, then totalsize
 *     size_dt_struct  the structure block's bytes so far
 *     size_dt_strings the strings' bytes so far (at the buffer's end)
 */
#include "fdt_internal.h"

#define FDT_SW_MAGIC (~(uint32_t)FDT_MAGIC)

/* Sets header field f of the tree being written. */
#define set_header(fdt, f, v) fdt32_st((char *)(fdt) + offsetof(struct fdt_header, f), (v))

/*
 * 0 if fdt is a tree being written and in state reservations (0) or nodes
 * (1); -FDT_ERR_BADSTATE for a finished tree, -FDT_ERR_BADMAGIC for a
 * buffer fdt_create() did not start.
 */
static int check_state(const void *fdt, int nodes)
{
	if (fdt_magic(fdt) == FDT_MAGIC)
		return -FDT_ERR_BADSTATE;
	if (fdt_magic(fdt) != FDT_SW_MAGIC)
		return -FDT_ERR_BADMAGIC;
	if (fdt_off_dt_strings(fdt) != (nodes ? fdt_totalsize(fdt) : 0))
		return -FDT_ERR_BADSTATE;
	return 0;
}

/* The bytes free between the structure block's end and the strings. */
static uint32_t free_space(const void *fdt)
{
	return fdt_totalsize(fdt) - fdt_off_dt_struct(fdt) - fdt_size_dt_struct(fdt) -
	       fdt_size_dt_strings(fdt);
}

/*
 * Where the reservations start: after the header, rounded up to a whole
 * reservation entry (16 bytes; 5.3 asks for 8), where libfdt puts them, so
 * that both write the same bytes.
 */
#define RSV_START FDT_ALIGN16(FDT_V17_SIZE)
#define FDT_ALIGN16(n) (((n) + 15u) & ~15u)

int fdt_create(void *buf, int bufsize)
{
	if (bufsize < (int)RSV_START)
		return -FDT_ERR_NOSPACE;
	memset(buf, 0, (size_t)bufsize);
	set_header(buf, magic, FDT_SW_MAGIC);
	set_header(buf, version, 17);
	set_header(buf, last_comp_version, 16);
	set_header(buf, totalsize, (uint32_t)bufsize);
	set_header(buf, off_mem_rsvmap, RSV_START);
	set_header(buf, off_dt_struct, RSV_START);
	return 0;
}

int fdt_add_reservemap_entry(void *fdt, uint64_t addr, uint64_t size)
{
	int err = check_state(fdt, 0);
	if (err)
		return err;
	if (free_space(fdt) < sizeof(struct fdt_reserve_entry))
		return -FDT_ERR_NOSPACE;
	uint32_t off = fdt_off_dt_struct(fdt);
	fdt64_st((char *)fdt + off, addr);
	fdt64_st((char *)fdt + off + 8, size);
	set_header(fdt, off_dt_struct, off + (uint32_t)sizeof(struct fdt_reserve_entry));
	return 0;
}

int fdt_finish_reservemap(void *fdt)
{
	int err = fdt_add_reservemap_entry(fdt, 0, 0); /* the list's end (5.3) */
	if (err)
		return err;
	set_header(fdt, off_dt_strings, fdt_totalsize(fdt));
	return 0;
}

/* Takes len bytes (a multiple of 4) at the structure block's end, cleared; NULL if full. */
static char *grab(void *fdt, uint32_t len)
{
	uint32_t used = fdt_size_dt_struct(fdt);
	char *p = (char *)fdt + fdt_off_dt_struct(fdt) + used;

	if (free_space(fdt) < len)
		return NULL;
	set_header(fdt, size_dt_struct, used + len);
	memset(p, 0, len);
	return p;
}

int fdt_begin_node(void *fdt, const char *name)
{
	size_t len = strlen(name);
	int err = check_state(fdt, 1);
	char *p;

	if (err)
		return err;
	if (len >= free_space(fdt))
		return -FDT_ERR_NOSPACE; /* (and the sum below cannot overflow) */
	p = grab(fdt, TOKEN + FDT_ALIGN4((uint32_t)len + 1));
	if (!p)
		return -FDT_ERR_NOSPACE;
	fdt32_st(p, FDT_BEGIN_NODE);
	memcpy(p + TOKEN, name, len + 1);
	return 0;
}

int fdt_end_node(void *fdt)
{
	int err = check_state(fdt, 1);
	char *p;

	if (err)
		return err;
	p = grab(fdt, TOKEN);
	if (!p)
		return -FDT_ERR_NOSPACE;
	fdt32_st(p, FDT_END_NODE);
	return 0;
}

/*
 * The distance from the buffer's end of string s (len bytes and its NUL)
 * in the strings written so far, where s may also be the tail of a longer
 * name; 0 if it is not there.
 */
static uint32_t find_string(const void *fdt, const char *s, size_t len)
{
	uint32_t size = fdt_size_dt_strings(fdt), total = fdt_totalsize(fdt);
	const char *strings = (const char *)fdt + total - size;

	for (uint32_t i = 0; i + len + 1 <= size; i++)
		if (memcmp(strings + i, s, len + 1) == 0)
			return size - i;
	return 0;
}

int fdt_property(void *fdt, const char *name, const void *val, int len)
{
	size_t namelen = strlen(name);
	uint32_t size, dist;
	int err = check_state(fdt, 1);
	char *p;

	if (err)
		return err;
	if (len < 0)
		return -FDT_ERR_BADVALUE;
	if ((size_t)len >= free_space(fdt))
		return -FDT_ERR_NOSPACE; /* (and 3 * TOKEN + FDT_ALIGN4(len) cannot overflow) */
	/* The name: found among the strings, or added below them. */
	size = fdt_size_dt_strings(fdt);
	dist = find_string(fdt, name, namelen);
	if (!dist) {
		if (free_space(fdt) < namelen + 1)
			return -FDT_ERR_NOSPACE;
		dist = size + (uint32_t)namelen + 1;
		memcpy((char *)fdt + fdt_totalsize(fdt) - dist, name, namelen + 1);
		set_header(fdt, size_dt_strings, dist);
	}
	p = grab(fdt, 3 * TOKEN + FDT_ALIGN4((uint32_t)len));
	if (!p) {
		set_header(fdt, size_dt_strings, size); /* the name added, if any, taken back */
		return -FDT_ERR_NOSPACE;
	}
	fdt32_st(p, FDT_PROP);
	fdt32_st(p + 4, (uint32_t)len);
	fdt32_st(p + 8, dist);
	if (len)
		memcpy(p + 3 * TOKEN, val, (size_t)len);
	return 0;
}

/*
 * Walks the structure block written so far: 0 if its nodes nest (every
 * node ended, none ended twice), -FDT_ERR_BADSTRUCTURE if not. With fix
 * set, turns each property's nameoff from its distance from the buffer's
 * end into its offset in the strings block.
 */
static int walk_struct(void *fdt, uint32_t size, int fix)
{
	uint32_t tag, strings = fdt_size_dt_strings(fdt);
	int depth = 0, offset = 0, next;

	for (; (uint32_t)offset < size; offset = next) {
		next = bare_fdt_next_token(fdt, size, offset, &tag);
		if (next < 0)
			return next;
		if (tag == FDT_BEGIN_NODE)
			depth++;
		else if (tag == FDT_END_NODE && --depth < 0)
			return -FDT_ERR_BADSTRUCTURE;
		else if (tag == FDT_PROP && fix) {
			char *nameoff = (char *)fdt + fdt_off_dt_struct(fdt) + offset + 8;
			fdt32_st(nameoff, strings - fdt32_ld((const fdt32_t *)(void *)nameoff));
		}
	}
	return depth ? -FDT_ERR_BADSTRUCTURE : 0;
}

int fdt_finish(void *fdt)
{
	int err = check_state(fdt, 1);
	uint32_t strings, size;
	char *p;

	if (!err)
		err = walk_struct(fdt, fdt_size_dt_struct(fdt), 0);
	if (err)
		return err;
	p = grab(fdt, TOKEN);
	if (!p)
		return -FDT_ERR_NOSPACE;
	fdt32_st(p, FDT_END);
	/* The strings down to the structure block's end, then the final header (5.2). */
	size = fdt_size_dt_strings(fdt);
	strings = fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt);
	memmove((char *)fdt + strings, (char *)fdt + fdt_totalsize(fdt) - size, size);
	walk_struct(fdt, fdt_size_dt_struct(fdt), 1);
	set_header(fdt, off_dt_strings, strings);
	set_header(fdt, totalsize, strings + size);
	set_header(fdt, magic, FDT_MAGIC);
	return 0;
}
