/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target "loader": guest images into a VM's guest physical address
 * space, as vm_load_images() hands them to src/lib/loader.c.
 *
 * Feeds: 8 control bytes, then the image.
 *   byte 0   the guest address space (layout & 3, table layouts below):
 *            RAM regions, adjacent or with a hole, and MMIO windows next
 *            to them, in the places the three platforms use;
 *   byte 1   bit 0: load the image raw even if it is an ELF file;
 *   bytes 2-5  a raw image's load address, as a signed offset from the
 *            first RAM region's base.
 *   The image: an ELF file is loaded with loader_load_elf(), anything else
 *   (or with bit 0) with loader_load_raw().
 * Checks, beyond no crash and no read past the image (ASan):
 *  - a refused image wrote nothing into the guest (every call of
 *    addrspace_write() is seen, through the linker's --wrap), and the
 *    refusal is one terminated, non-empty line;
 *  - every write lies inside the layout's RAM;
 *  - a raw load succeeds exactly when [gpa, gpa + size) is RAM, and the
 *    guest then holds the image there;
 *  - an ELF load leaves each PT_LOAD segment's file bytes at its p_paddr
 *    and zeros up to p_memsz (read from the program headers by this file's
 *    own reader, not the loader's), and load_info spans exactly the
 *    segments, its entry inside one of them or e_entry itself.
 */
#include <stdlib.h>
#include <string.h>

#include <cvisor/addrspace.h>
#include <cvisor/lib.h>
#include <cvisor/loader.h>

#include "fuzz.h"

#define MiB (1024ULL * 1024)

struct region_def {
	bool ram;
	gpa_t base;
	uint64_t size;
};

static const struct region_def layouts[4][4] = {
	/* AArch64 virt: RAM in two adjacent regions, the PL011, a window right after RAM. */
	{ { true, 0x40000000, 2 * MiB }, { true, 0x40200000, 2 * MiB },
	  { false, 0x09000000, 0x1000 }, { false, 0x40400000, 0x1000 } },
	/* RISC-V virt: RAM and the 16550A. */
	{ { true, 0x80000000, 4 * MiB }, { false, 0x10000000, 0x1000 } },
	/* A PC: RAM from 0, then a one-page hole, then more RAM. */
	{ { true, 0, 2 * MiB }, { true, 0x201000, 1 * MiB } },
	/* One small region at 1 MiB. */
	{ { true, 0x100000, 1 * MiB } },
};

/* ---- Every write into the guest ------------------------------------------------ */

int __real_addrspace_write(struct addrspace *as, gpa_t gpa, const void *buf, uint64_t len);
int __wrap_addrspace_write(struct addrspace *as, gpa_t gpa, const void *buf, uint64_t len);

static unsigned writes;
static const struct region_def *layout;

/*
 * The ranges written, so that they can be cleared for the next input: the
 * address spaces are built once (building one per input cost 3/4 of the
 * time). Adjacent writes (a zero fill) extend one range.
 */
static struct {
	gpa_t gpa;
	uint64_t len;
} written[64];
static unsigned nwritten;
static bool too_many_writes;

static void remember(gpa_t gpa, uint64_t len)
{
	if (nwritten && written[nwritten - 1].gpa + written[nwritten - 1].len == gpa) {
		written[nwritten - 1].len += len;
		return;
	}
	if (nwritten == ARRAY_SIZE(written)) {
		too_many_writes = true;
		return;
	}
	written[nwritten].gpa = gpa;
	written[nwritten++].len = len;
}

/* True if [gpa, gpa + len) is RAM of the layout (possibly across adjacent regions). */
static bool layout_ram(gpa_t gpa, uint64_t len)
{
	gpa_t at = gpa, end = gpa + len;

	if (end < gpa)
		return false;
	while (at < end) {
		const struct region_def *r = NULL;
		for (unsigned i = 0; i < 4; i++)
			if (layout[i].ram && at >= layout[i].base && at - layout[i].base < layout[i].size)
				r = &layout[i];
		if (!r)
			return false;
		at = r->base + r->size;
	}
	return true;
}

int __wrap_addrspace_write(struct addrspace *as, gpa_t gpa, const void *buf, uint64_t len)
{
	writes++;
	FUZZ_CHECK(layout_ram(gpa, len), "a write of %llu bytes at 0x%llx outside RAM",
		   (unsigned long long)len, (unsigned long long)gpa);
	remember(gpa, len);
	return __real_addrspace_write(as, gpa, buf, len);
}

/* ---- An independent reading of the program headers -------------------------------- */

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* Guest bytes [gpa, gpa + len) equal data (NULL: zeros). */
static bool guest_holds(const struct addrspace *as, gpa_t gpa, const uint8_t *data, uint64_t len)
{
	static const uint8_t zeros[4096];
	uint8_t buf[4096];

	for (uint64_t done = 0; done < len;) {
		uint64_t n = MIN(len - done, sizeof(buf));
		if (addrspace_read(as, gpa + done, buf, n) < 0 ||
		    memcmp(buf, data ? data + done : zeros, n) != 0)
			return false;
		done += n;
	}
	return true;
}

/*
 * After a successful ELF load: the segments are in the guest, and info
 * spans them (System V ABI, ELF-64 program header: p_type at 0, p_offset
 * 8, p_vaddr 16, p_paddr 24, p_filesz 32, p_memsz 40; e_phoff at 32,
 * e_phentsize 54, e_phnum 56, e_entry 24 of the file header).
 */
static void check_elf_loaded(const struct addrspace *as, const uint8_t *img,
			     const struct load_info *info)
{
	uint64_t phoff = le(img + 32, 8), entry = le(img + 24, 8);
	unsigned phentsize = (unsigned)le(img + 54, 2), phnum = (unsigned)le(img + 56, 2);
	gpa_t lo = UINT64_MAX, hi = 0;
	bool entry_in_segment = false;

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
		uint64_t off = le(ph + 8, 8), vaddr = le(ph + 16, 8), paddr = le(ph + 24, 8);
		uint64_t filesz = le(ph + 32, 8), memsz = le(ph + 40, 8);
		if (le(ph, 4) != 1 || memsz == 0)
			continue;
		FUZZ_CHECK(guest_holds(as, paddr, img + off, filesz),
			   "segment %u: the guest does not hold its file bytes at 0x%llx", i,
			   (unsigned long long)paddr);
		FUZZ_CHECK(guest_holds(as, paddr + filesz, NULL, memsz - filesz),
			   "segment %u: not zero after its file bytes", i);
		lo = MIN(lo, paddr);
		hi = MAX(hi, paddr + memsz);
		if (entry >= vaddr && entry - vaddr < memsz)
			entry_in_segment = true;
	}
	FUZZ_CHECK(info->start == lo && info->end == hi,
		   "load_info [0x%llx, 0x%llx) for segments spanning [0x%llx, 0x%llx)",
		   (unsigned long long)info->start, (unsigned long long)info->end,
		   (unsigned long long)lo, (unsigned long long)hi);
	FUZZ_CHECK(entry_in_segment ? (info->entry >= lo && info->entry < hi) : info->entry == entry,
		   "entry 0x%llx for e_entry 0x%llx", (unsigned long long)info->entry,
		   (unsigned long long)entry);
}

/* ---- The target -------------------------------------------------------------------- */

static void build_layout(struct addrspace *as, unsigned which)
{
	FUZZ_CHECK(addrspace_init(as) == 0, "addrspace_init");
	for (unsigned i = 0; i < 4 && layouts[which][i].size; i++) {
		const struct region_def *r = &layouts[which][i];
		int rc = r->ram ? addrspace_add_ram(as, r->base, r->size, PERM_RWX, "ram")
				: addrspace_add_mmio(as, r->base, r->size, "dev");
		FUZZ_CHECK(rc == 0, "layout %u region %u refused: %d", which, i, rc);
	}
}

static void check_refusal(int rc, const char *err, size_t size)
{
	size_t len = strnlen(err, size);

	FUZZ_CHECK(writes == 0, "a refused image (%d) wrote %u times into the guest", rc, writes);
	FUZZ_CHECK(len > 0 && len < size && !strchr(err, '\n'),
		   "the refusal (%d) is not one line: \"%s\"", rc, err);
}

/* Gives the guest RAM of layout which its zeros back (or builds it again). */
static void clear_layout(struct addrspace *as, unsigned which)
{
	static const uint8_t zeros[4096];

	if (too_many_writes) {
		addrspace_destroy(as);
		build_layout(as, which);
	} else {
		for (unsigned i = 0; i < nwritten; i++)
			for (uint64_t done = 0; done < written[i].len; done += sizeof(zeros))
				__real_addrspace_write(as, written[i].gpa + done, zeros,
						       MIN(sizeof(zeros), written[i].len - done));
	}
	nwritten = 0;
	too_many_writes = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct addrspace spaces[4];
	static bool built[4];
	struct fuzz_in in = { data, size };
	struct load_info info;
	char err[160] = "";

	unsigned which = fuzz_u8(&in) & 3;
	bool raw = fuzz_u8(&in) & 1;
	int32_t offset = (int32_t)fuzz_u32(&in);
	fuzz_u16(&in); /* reserved */
	const uint8_t *img = in.p;
	size_t len = in.left;

	struct addrspace *as = &spaces[which];
	if (!built[which])
		build_layout(as, which);
	built[which] = true;
	layout = layouts[which];
	writes = 0;
	(void)loader_elf_arch(img, len);
	if (!raw && loader_is_elf(img, len)) {
		int rc = loader_load_elf(as, img, len, &info, err, sizeof(err));
		if (rc < 0)
			check_refusal(rc, err, sizeof(err));
		else
			check_elf_loaded(as, img, &info);
	} else {
		gpa_t gpa = layout[0].base + (uint64_t)(int64_t)offset;
		int rc = loader_load_raw(as, gpa, img, len, &info, err, sizeof(err));
		bool fits = len > 0 && layout_ram(gpa, len);
		FUZZ_CHECK((rc == 0) == fits, "raw image of %zu bytes at 0x%llx: %d, RAM says %d", len,
			   (unsigned long long)gpa, rc, fits);
		if (rc < 0) {
			check_refusal(rc, err, sizeof(err));
		} else {
			FUZZ_CHECK(info.start == gpa && info.end == gpa + len && info.entry == gpa,
				   "load_info of a raw image");
			FUZZ_CHECK(guest_holds(as, gpa, img, len), "the guest does not hold the image");
		}
	}
	clear_layout(as, which);
	return 0;
}
