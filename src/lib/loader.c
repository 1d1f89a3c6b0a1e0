/* SPDX-License-Identifier: MIT */
/**
 * @file loader.c
 * @brief Guest image loading: raw binaries and 64-bit little-endian ELF.
 *
 * Reference: System V ABI, "ELF-64 Object File Format" (file header,
 * program header table). Every field read from the file is checked before
 * it is used: an image is untrusted input.
 */
#include <cvisor/lib.h>
#include <cvisor/loader.h>

/* ELF-64 layout (no <elf.h>: the core also builds without a host libc). */
#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define ET_DYN 3
#define PT_LOAD 1
#define EM_X86_64 62
#define EM_AARCH64 183
#define EM_RISCV 243
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define MAX_SEGMENTS 64

struct elf_seg {
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

bool loader_is_elf(const void *data, size_t len)
{
	return data && len >= 4 && memcmp(data, "\177ELF", 4) == 0;
}

enum cv_arch loader_elf_arch(const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!loader_is_elf(data, len) || len < EHDR_SIZE || p[4] != ELFCLASS64 ||
	    p[5] != ELFDATA2LSB)
		return ARCH_UNKNOWN;
	switch (rd16(p + 18)) {
	case EM_AARCH64:
		return ARCH_AARCH64;
	case EM_RISCV:
		return ARCH_RISCV64;
	case EM_X86_64:
		return ARCH_X86_64;
	}
	return ARCH_UNKNOWN;
}

static void set_err(char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;
	if (!err || errsize == 0)
		return;
	va_start(ap, fmt);
	cv_vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
}

/*
 * True if [gpa, gpa+len) is RAM throughout (it may span adjacent RAM
 * regions). Otherwise explains why in err.
 */
static bool ram_covers(const struct addrspace *as, gpa_t gpa, uint64_t len, const char *what,
		       char *err, size_t errsize)
{
	gpa_t end = gpa + len;

	if (end < gpa) {
		set_err(err, errsize, "%s at 0x%llx of 0x%llx bytes wraps around the address space",
			what, (unsigned long long)gpa, (unsigned long long)len);
		return false;
	}
	for (gpa_t at = gpa; at < end;) {
		const struct as_region *r = addrspace_find(as, at);
		if (!r || r->kind != REGION_RAM) {
			const struct as_region *first = addrspace_find(as, gpa);
			if (first && first->kind == REGION_RAM)
				set_err(err, errsize,
					"%s [0x%llx, 0x%llx) of %llu bytes does not fit in RAM "
					"(%s ends at 0x%llx)",
					what, (unsigned long long)gpa, (unsigned long long)end,
					(unsigned long long)len, first->name,
					(unsigned long long)(first->base + first->size));
			else
				set_err(err, errsize,
					"%s [0x%llx, 0x%llx) does not fit in RAM: 0x%llx is %s", what,
					(unsigned long long)gpa, (unsigned long long)end,
					(unsigned long long)at, r ? "a device" : "not RAM");
			return false;
		}
		at = r->base + r->size;
	}
	return true;
}

int loader_load_raw(struct addrspace *as, gpa_t gpa, const void *data, size_t len,
		    struct load_info *info, char *err, size_t errsize)
{
	if (len == 0) {
		set_err(err, errsize, "image is empty");
		return -CV_EINVAL;
	}
	if (!ram_covers(as, gpa, len, "image", err, errsize))
		return -CV_ERANGE;
	int rc = addrspace_write(as, gpa, data, len);
	if (rc < 0) {
		set_err(err, errsize, "cannot write image at 0x%llx: %s", (unsigned long long)gpa,
			cv_strerror(rc));
		return rc;
	}
	info->start = gpa;
	info->end = gpa + len;
	info->entry = gpa;
	return 0;
}

/* Reads and checks the program headers. Returns the number of PT_LOAD segments or an error. */
static int read_segments(const uint8_t *p, size_t len, struct elf_seg *segs, char *err,
			 size_t errsize)
{
	uint64_t phoff = rd64(p + 32);
	uint16_t phentsize = rd16(p + 54), phnum = rd16(p + 56);
	int n = 0;

	if (phnum == 0) {
		set_err(err, errsize, "ELF file has no program headers");
		return -CV_EINVAL;
	}
	if (phentsize < PHDR_SIZE) {
		set_err(err, errsize, "ELF program header size %u is too small", phentsize);
		return -CV_EINVAL;
	}
	if (phoff > len || (uint64_t)phnum * phentsize > len - phoff) {
		set_err(err, errsize, "ELF program headers (%u at offset 0x%llx) run past the end of the file",
			phnum, (unsigned long long)phoff);
		return -CV_EINVAL;
	}
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = p + phoff + (uint64_t)i * phentsize;
		if (rd32(ph) != PT_LOAD)
			continue;
		struct elf_seg s = {
			.offset = rd64(ph + 8),
			.vaddr = rd64(ph + 16),
			.paddr = rd64(ph + 24),
			.filesz = rd64(ph + 32),
			.memsz = rd64(ph + 40),
		};
		if (s.memsz == 0)
			continue;
		if (s.filesz > s.memsz) {
			set_err(err, errsize, "ELF segment %u: file size 0x%llx exceeds memory size 0x%llx",
				i, (unsigned long long)s.filesz, (unsigned long long)s.memsz);
			return -CV_EINVAL;
		}
		if (s.offset > len || s.filesz > len - s.offset) {
			set_err(err, errsize, "ELF segment %u: data at offset 0x%llx (0x%llx bytes) "
				"runs past the end of the file (%zu bytes)",
				i, (unsigned long long)s.offset, (unsigned long long)s.filesz, len);
			return -CV_EINVAL;
		}
		if (n == MAX_SEGMENTS) {
			set_err(err, errsize, "ELF file has more than %d loadable segments", MAX_SEGMENTS);
			return -CV_EINVAL;
		}
		segs[n++] = s;
	}
	if (n == 0)
		set_err(err, errsize, "ELF file has no loadable (PT_LOAD) segment");
	return n == 0 ? -CV_EINVAL : n;
}

/* Writes zeros to [gpa, gpa+len). */
static int zero_fill(struct addrspace *as, gpa_t gpa, uint64_t len)
{
	static const uint8_t zeros[256];
	while (len > 0) {
		uint64_t n = MIN(len, sizeof(zeros));
		int rc = addrspace_write(as, gpa, zeros, n);
		if (rc < 0)
			return rc;
		gpa += n;
		len -= n;
	}
	return 0;
}

int loader_load_elf(struct addrspace *as, const void *data, size_t len, struct load_info *info,
		    char *err, size_t errsize)
{
	const uint8_t *p = data;
	struct elf_seg segs[MAX_SEGMENTS];
	char what[48];

	if (!loader_is_elf(data, len)) {
		set_err(err, errsize, "not an ELF file");
		return -CV_EINVAL;
	}
	if (len < EHDR_SIZE) {
		set_err(err, errsize, "ELF file of %zu bytes is shorter than an ELF header", len);
		return -CV_EINVAL;
	}
	if (p[4] != ELFCLASS64 || p[5] != ELFDATA2LSB) {
		set_err(err, errsize, "ELF file is not 64-bit little-endian (class %u, data %u)", p[4],
			p[5]);
		return -CV_EINVAL;
	}
	if (p[6] != EV_CURRENT || rd32(p + 20) != EV_CURRENT) {
		set_err(err, errsize, "ELF file has an unknown version");
		return -CV_EINVAL;
	}
	uint16_t type = rd16(p + 16);
	if (type != ET_EXEC && type != ET_DYN) {
		set_err(err, errsize, "ELF file of type %u is not an executable", type);
		return -CV_EINVAL;
	}
	int n = read_segments(p, len, segs, err, errsize);
	if (n < 0)
		return n;

	/* Check everything before writing anything. */
	gpa_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < n; i++) {
		cv_snprintf(what, sizeof(what), "ELF segment %d", i);
		if (!ram_covers(as, segs[i].paddr, segs[i].memsz, what, err, errsize))
			return -CV_ERANGE;
		for (int j = 0; j < i; j++) {
			if (segs[i].paddr < segs[j].paddr + segs[j].memsz &&
			    segs[j].paddr < segs[i].paddr + segs[i].memsz) {
				set_err(err, errsize,
					"ELF segments %d [0x%llx, 0x%llx) and %d [0x%llx, 0x%llx) overlap",
					j, (unsigned long long)segs[j].paddr,
					(unsigned long long)(segs[j].paddr + segs[j].memsz), i,
					(unsigned long long)segs[i].paddr,
					(unsigned long long)(segs[i].paddr + segs[i].memsz));
				return -CV_EOVERLAP;
			}
		}
		lo = MIN(lo, segs[i].paddr);
		hi = MAX(hi, segs[i].paddr + segs[i].memsz);
	}

	/* The entry point is virtual: find it in a segment, as a physical address. */
	uint64_t e_entry = rd64(p + 24);
	gpa_t entry = e_entry;
	for (int i = 0; i < n; i++) {
		if (e_entry >= segs[i].vaddr && e_entry - segs[i].vaddr < segs[i].memsz) {
			entry = segs[i].paddr + (e_entry - segs[i].vaddr);
			break;
		}
	}

	for (int i = 0; i < n; i++) {
		int rc = addrspace_write(as, segs[i].paddr, p + segs[i].offset, segs[i].filesz);
		if (rc == 0)
			rc = zero_fill(as, segs[i].paddr + segs[i].filesz,
				       segs[i].memsz - segs[i].filesz);
		if (rc < 0) {
			set_err(err, errsize, "cannot write ELF segment %d: %s", i, cv_strerror(rc));
			return rc;
		}
	}
	info->start = lo;
	info->end = hi;
	info->entry = entry;
	return 0;
}
