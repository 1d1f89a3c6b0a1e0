/* SPDX-License-Identifier: MIT */
/*
 * Image loading: raw binaries and ELF files built here byte by byte, good
 * and broken, into a small guest RAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/loader.h>

#define RAM 0x40000000ULL
#define RAM_SIZE 0x20000ULL

static struct addrspace as;

static int setup(void **state)
{
	(void)state;
	if (addrspace_init(&as) < 0)
		return -1;
	if (addrspace_add_ram(&as, RAM, RAM_SIZE, PERM_RWX, "ram0") < 0)
		return -1;
	return addrspace_add_mmio(&as, 0x09000000, 0x1000, "pl011");
}

static int teardown(void **state)
{
	(void)state;
	addrspace_destroy(&as);
	return 0;
}

/* ---- A little ELF writer ---- */

struct seg {
	uint32_t type;
	uint64_t vaddr, paddr, filesz, memsz;
	uint8_t fill; /* file bytes are this value */
};

static uint8_t elf[0x8000];

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Builds a 64-bit little-endian ELF; returns its size. */
static size_t build_elf(uint16_t machine, uint64_t entry, const struct seg *segs, unsigned n)
{
	size_t off = 64 + 56 * n;

	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\177ELF", 4);
	elf[4] = 2; /* ELFCLASS64 */
	elf[5] = 1; /* little-endian */
	elf[6] = 1; /* EV_CURRENT */
	put16(elf + 16, 2); /* ET_EXEC */
	put16(elf + 18, machine);
	put32(elf + 20, 1);
	put64(elf + 24, entry);
	put64(elf + 32, 64); /* e_phoff */
	put16(elf + 52, 64);
	put16(elf + 54, 56);
	put16(elf + 56, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *ph = elf + 64 + 56 * i;
		put32(ph, segs[i].type);
		put32(ph + 4, 7);
		put64(ph + 8, off);
		put64(ph + 16, segs[i].vaddr);
		put64(ph + 24, segs[i].paddr);
		put64(ph + 32, segs[i].filesz);
		put64(ph + 40, segs[i].memsz);
		memset(elf + off, segs[i].fill, segs[i].filesz);
		off += segs[i].filesz;
	}
	return off;
}

static uint8_t ram_byte(gpa_t gpa)
{
	uint8_t b = 0xee;
	assert_int_equal(addrspace_read(&as, gpa, &b, 1), 0);
	return b;
}

/* ---- Tests ---- */

static void test_identify(void **state)
{
	(void)state;
	struct seg s = { 1, RAM, RAM, 16, 16, 0xaa };
	size_t len = build_elf(183, RAM, &s, 1);

	assert_true(loader_is_elf(elf, len));
	assert_false(loader_is_elf("\177EL", 3));
	assert_false(loader_is_elf("MZ\0\0", 4));
	assert_int_equal(loader_elf_arch(elf, len), ARCH_AARCH64);
	put16(elf + 18, 243);
	assert_int_equal(loader_elf_arch(elf, len), ARCH_RISCV64);
	put16(elf + 18, 62);
	assert_int_equal(loader_elf_arch(elf, len), ARCH_X86_64);
	put16(elf + 18, 40); /* EM_ARM: 32-bit Arm */
	assert_int_equal(loader_elf_arch(elf, len), ARCH_UNKNOWN);
	put16(elf + 18, 183);
	elf[4] = 1; /* ELFCLASS32 */
	assert_int_equal(loader_elf_arch(elf, len), ARCH_UNKNOWN);
	assert_int_equal(loader_elf_arch(elf, 20), ARCH_UNKNOWN);
}

static void test_elf_segments_and_bss(void **state)
{
	(void)state;
	struct load_info li;
	char err[160] = "";
	/* Text at 0x4000_1000; data + bss (memsz > filesz) at 0x4000_3000. */
	struct seg s[] = {
		{ 1, RAM + 0x1000, RAM + 0x1000, 0x100, 0x100, 0x11 },
		{ 4, 0, 0, 0x10, 0x10, 0x99 }, /* PT_NOTE: not loaded */
		{ 1, RAM + 0x3000, RAM + 0x3000, 0x20, 0x80, 0x22 },
	};
	size_t len = build_elf(183, RAM + 0x1000, s, 3);

	/* Dirty the bss first: the loader must zero it. */
	uint8_t junk[0x80];
	memset(junk, 0x5a, sizeof(junk));
	assert_int_equal(addrspace_write(&as, RAM + 0x3000, junk, sizeof(junk)), 0);

	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), 0);
	assert_int_equal(li.entry, RAM + 0x1000);
	assert_int_equal(li.start, RAM + 0x1000);
	assert_int_equal(li.end, RAM + 0x3080);
	assert_int_equal(ram_byte(RAM + 0x1000), 0x11);
	assert_int_equal(ram_byte(RAM + 0x10ff), 0x11);
	assert_int_equal(ram_byte(RAM + 0x1100), 0x00);
	assert_int_equal(ram_byte(RAM + 0x301f), 0x22);
	assert_int_equal(ram_byte(RAM + 0x3020), 0x00);
	assert_int_equal(ram_byte(RAM + 0x307f), 0x00);
}

static void test_elf_virtual_entry(void **state)
{
	(void)state;
	struct load_info li;
	char err[160] = "";
	/* Linked high (like a kernel), loaded at its physical address. */
	struct seg s = { 1, 0xffff000000080000ULL, RAM + 0x8000, 0x40, 0x40, 0x33 };
	size_t len = build_elf(183, 0xffff000000080010ULL, &s, 1);

	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), 0);
	assert_int_equal(li.entry, RAM + 0x8010);
	assert_int_equal(ram_byte(RAM + 0x8000), 0x33);
}

static void test_elf_outside_ram(void **state)
{
	(void)state;
	struct load_info li;
	char err[160] = "";
	struct seg s[] = {
		{ 1, RAM, RAM, 0x10, 0x10, 0x44 },
		{ 1, RAM + RAM_SIZE - 0x10, RAM + RAM_SIZE - 0x10, 0x10, 0x20, 0x55 },
	};
	size_t len = build_elf(183, RAM, s, 2);

	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), -CV_ERANGE);
	assert_non_null(strstr(err, "ELF segment 1"));
	assert_non_null(strstr(err, "does not fit in RAM"));
	/* Nothing was written, not even the good segment. */
	assert_int_equal(ram_byte(RAM), 0);

	struct seg dev = { 1, 0x09000000, 0x09000000, 4, 4, 0x66 };
	len = build_elf(183, RAM, &dev, 1);
	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), -CV_ERANGE);
	assert_non_null(strstr(err, "a device"));
}

static void test_elf_overlapping_segments(void **state)
{
	(void)state;
	struct load_info li;
	char err[160] = "";
	struct seg s[] = {
		{ 1, RAM + 0x1000, RAM + 0x1000, 0x100, 0x200, 0x77 },
		{ 1, RAM + 0x1100, RAM + 0x1100, 0x100, 0x100, 0x88 },
	};
	size_t len = build_elf(183, RAM + 0x1000, s, 2);

	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), -CV_EOVERLAP);
	assert_non_null(strstr(err, "overlap"));
	assert_int_equal(ram_byte(RAM + 0x1000), 0);
}

static void test_elf_malformed(void **state)
{
	(void)state;
	struct load_info li;
	char err[160];
	struct seg s = { 1, RAM, RAM, 0x10, 0x10, 0x12 };
	size_t len = build_elf(183, RAM, &s, 1);

	/* Truncated: shorter than a header. */
	assert_int_equal(loader_load_elf(&as, elf, 40, &li, err, sizeof(err)), -CV_EINVAL);
	assert_non_null(strstr(err, "shorter than an ELF header"));
	/* Segment data past the end of the file. */
	assert_int_equal(loader_load_elf(&as, elf, len - 1, &li, err, sizeof(err)), -CV_EINVAL);
	assert_non_null(strstr(err, "past the end of the file"));
	/* Program headers past the end. */
	put16(elf + 56, 200);
	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), -CV_EINVAL);
	assert_non_null(strstr(err, "program headers"));
	put16(elf + 56, 1);
	/* file size larger than memory size */
	put64(elf + 64 + 40, 8);
	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), -CV_EINVAL);
	assert_non_null(strstr(err, "exceeds memory size"));
	put64(elf + 64 + 40, 0x10);
	/* 32-bit */
	elf[4] = 1;
	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), -CV_EINVAL);
	assert_non_null(strstr(err, "64-bit little-endian"));
	elf[4] = 2;
	/* Not an executable (ET_REL). */
	put16(elf + 16, 1);
	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), -CV_EINVAL);
	assert_non_null(strstr(err, "not an executable"));
	put16(elf + 16, 2);
	/* No PT_LOAD. */
	put32(elf + 64, 4);
	assert_int_equal(loader_load_elf(&as, elf, len, &li, err, sizeof(err)), -CV_EINVAL);
	assert_non_null(strstr(err, "no loadable"));
	/* Not ELF at all. */
	assert_int_equal(loader_load_elf(&as, "hello", 5, &li, err, sizeof(err)), -CV_EINVAL);
	/* Nothing of it reached RAM. */
	assert_int_equal(ram_byte(RAM), 0);
	/* A NULL error buffer is allowed. */
	assert_int_equal(loader_load_elf(&as, elf, 10, &li, NULL, 0), -CV_EINVAL);
}

static void test_raw(void **state)
{
	(void)state;
	struct load_info li;
	char err[160] = "";
	uint8_t img[300];

	memset(img, 0xc3, sizeof(img));
	assert_int_equal(loader_load_raw(&as, RAM + 0x80, img, sizeof(img), &li, err, sizeof(err)), 0);
	assert_int_equal(li.start, RAM + 0x80);
	assert_int_equal(li.end, RAM + 0x80 + sizeof(img));
	assert_int_equal(li.entry, RAM + 0x80);
	assert_int_equal(ram_byte(RAM + 0x80), 0xc3);
	assert_int_equal(ram_byte(RAM + 0x80 + sizeof(img) - 1), 0xc3);
	assert_int_equal(ram_byte(RAM + 0x80 + sizeof(img)), 0);
}

static void test_raw_too_big_or_misplaced(void **state)
{
	(void)state;
	struct load_info li;
	char err[160] = "";
	static uint8_t big[RAM_SIZE + 1];

	assert_int_equal(loader_load_raw(&as, RAM, big, sizeof(big), &li, err, sizeof(err)), -CV_ERANGE);
	assert_non_null(strstr(err, "does not fit in RAM"));
	assert_non_null(strstr(err, "ram0"));
	assert_int_equal(loader_load_raw(&as, 0x70000000, big, 4, &li, err, sizeof(err)), -CV_ERANGE);
	assert_non_null(strstr(err, "not RAM"));
	assert_int_equal(loader_load_raw(&as, RAM, big, 0, &li, err, sizeof(err)), -CV_EINVAL);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(loader_load_raw(&as, 0xfffffffffffffff0ULL, big, 0x20, &li, err, sizeof(err)),
			 -CV_ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_segments_and_bss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_virtual_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_overlapping_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_too_big_or_misplaced, setup, teardown),
	};
	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
