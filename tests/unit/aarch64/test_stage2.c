/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 tables in the VMSAv8-64 format: the descriptors the core writes
 * (checked bit by bit against ARM ARM D8.3), the walk, faults, and the
 * EL2 registers that point the hardware at the tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arch/stage2.h>
#include <cvisor/hal.h>
#include <cvisor/stage2.h>

#include "../fixture.h"
#include "../walk_record.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

/* Output addresses are never dereferenced by the walker: any aligned value will do. */
#define HPA_2M 0x80000000ULL
#define HPA_1G 0x100000000ULL

static void test_init_root(void **state)
{
	struct stage2 *s2 = *state;

	/* The geometry: 40-bit IPA, 1 GiB blocks at level 1, 2 MiB at level 2. */
	fixture_check_stage2_format();
	assert_int_equal(stage2_arch_format.ipa_bits, 40);
	assert_int_equal(stage2_level_size(1), GiB);
	assert_int_equal(stage2_level_size(2), 2 * MiB);
	/* Two concatenated level-1 tables, aligned to their 8 KiB size. */
	assert_int_equal(s2->root_pages, 2);
	assert_int_equal(s2->table_pages, 2);
	assert_int_equal(hal_hva_to_hpa(s2->root) % (2 * PAGE_SIZE), 0);
}

static void test_page_descriptor_bits(void **state)
{
	struct stage2 *s2 = *state;
	uint8_t *page = hal_page_alloc(1);
	hpa_t hpa = hal_hva_to_hpa(page);
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x40000000, hpa, PAGE_SIZE, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x40000123, ACCESS_WRITE, &res, walk_record_step, &t), 0);
	assert_int_equal(res.hpa, hpa + 0x123);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.leaf_size, PAGE_SIZE);
	assert_int_equal(res.perm, PERM_RWX);

	/* Levels 1, 2, 3; 0x4000_0000 is index 1 at level 1, 0 below. */
	assert_int_equal(t.n, 3);
	assert_int_equal(t.steps[0].level, 1);
	assert_int_equal(t.steps[0].table, hal_hva_to_hpa(s2->root));
	assert_int_equal(t.steps[0].index, 1);
	assert_int_equal(t.steps[0].desc & 3, 3); /* table descriptor */
	assert_int_equal(t.steps[1].index, 0);
	assert_int_equal(t.steps[1].desc & 3, 3);
	assert_int_equal(t.steps[1].table, t.steps[0].desc & A64_S2D_ADDR_MASK);
	/*
	 * Page descriptor: [1:0]=0b11, MemAttr=0b1111 (Normal WB) [5:2],
	 * S2AP=0b11 [7:6], SH=0b11 [9:8], AF [10]; XN clear: 0x7ff.
	 */
	assert_int_equal(t.steps[2].desc, hpa | 0x7ff);
	assert_int_equal(s2->table_pages, 4);
	hal_page_free(page, 1);
}

static void test_read_only_not_executable(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x40001000, 0x12345000, PAGE_SIZE, PERM_READ, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x40001008, ACCESS_READ, &res, walk_record_step, &t), 0);
	/* S2AP=0b01 (read only), XN[1] (bit 54) set. */
	assert_int_equal(t.steps[2].desc, 0x12345000ULL | 0x77f | (1ULL << 54));

	assert_int_equal(stage2_translate(s2, 0x40001008, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.fault, FAULT_PERMISSION);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.hpa, 0x12345008); /* the leaf is still described */
	assert_int_equal(stage2_translate(s2, 0x40001008, ACCESS_FETCH, &res, NULL, NULL), -CV_EPERM);
}

static void test_device_memory(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x09000000, 0x7f000000, PAGE_SIZE, PERM_READ | PERM_WRITE,
				    S2_MEM_DEVICE), 0);
	assert_int_equal(stage2_translate(s2, 0x09000000, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.memtype, S2_MEM_DEVICE);
	/* MemAttr=0b0001 Device-nGnRE, S2AP=0b11, SH=0, AF, XN. */
	assert_int_equal(t.steps[2].desc, 0x7f000000ULL | 0x3 | 0x4 | 0xc0 | 0x400 | (1ULL << 54));
}

static void test_blocks(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	/* Both addresses 2 MiB aligned: one level-2 block, no level-3 table. */
	assert_int_equal(stage2_map(s2, 0x40200000, HPA_2M, 2 * MiB, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x40312345, ACCESS_FETCH, &res, walk_record_step, &t), 0);
	assert_int_equal(res.level, 2);
	assert_int_equal(res.leaf_size, 2 * MiB);
	assert_int_equal(res.hpa, HPA_2M + 0x112345);
	assert_int_equal(t.n, 2);
	/* Block descriptor: [1:0]=0b01 with the same attributes. */
	assert_int_equal(t.steps[1].desc, HPA_2M | 0x7fd);
	assert_int_equal(s2->table_pages, 3);

	/* 1 GiB aligned on both sides: a level-1 block. */
	assert_int_equal(stage2_map(s2, 2 * GiB, HPA_1G, GiB, PERM_READ, S2_MEM_NORMAL), 0);
	t.n = 0;
	assert_int_equal(stage2_translate(s2, 2 * GiB + 0x1234, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.level, 1);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.steps[0].index, 2);
	assert_int_equal(res.hpa, HPA_1G + 0x1234);
}

static void test_mixed_sizes(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;

	/* 4 KiB before a 2 MiB boundary, a block, then 4 KiB after it. */
	assert_int_equal(stage2_map(s2, 0x401ff000, HPA_2M - PAGE_SIZE, 2 * MiB + 2 * PAGE_SIZE,
				    PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x401ff000, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.level, 3);
	assert_int_equal(stage2_translate(s2, 0x40200000, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.level, 2);
	assert_int_equal(res.hpa, HPA_2M);
	assert_int_equal(stage2_translate(s2, 0x40400fff, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.hpa, HPA_2M + 2 * MiB + 0xfff);
	assert_int_equal(stage2_translate(s2, 0x40401000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 3);
}

static void test_overlap_refused_whole(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;

	assert_int_equal(stage2_map(s2, 0x40003000, 0x5000000, PAGE_SIZE, PERM_RWX, S2_MEM_NORMAL), 0);
	size_t pages = s2->table_pages;
	/* The range starts free but runs into the mapped page: nothing may change. */
	assert_int_equal(stage2_map(s2, 0x40000000, 0x6000000, 16 * PAGE_SIZE, PERM_RWX, S2_MEM_NORMAL),
			 -CV_EOVERLAP);
	assert_int_equal(s2->table_pages, pages);
	assert_int_equal(stage2_translate(s2, 0x40000000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	/* A block over a table that holds a page overlaps too. */
	assert_int_equal(stage2_map(s2, 0x40000000, HPA_2M, 2 * MiB, PERM_RWX, S2_MEM_NORMAL),
			 -CV_EOVERLAP);
	/* A page inside an existing block. */
	assert_int_equal(stage2_map(s2, 0x40400000, HPA_2M, 2 * MiB, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_map(s2, 0x40401000, 0x7000000, PAGE_SIZE, PERM_RWX, S2_MEM_NORMAL),
			 -CV_EOVERLAP);
}

static void test_bad_arguments(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;

	assert_int_equal(stage2_map(s2, 0x40000800, 0x1000, PAGE_SIZE, PERM_RWX, S2_MEM_NORMAL), -CV_EINVAL);
	assert_int_equal(stage2_map(s2, 0x40000000, 0x1800, PAGE_SIZE, PERM_RWX, S2_MEM_NORMAL), -CV_EINVAL);
	assert_int_equal(stage2_map(s2, 0x40000000, 0x1000, 100, PERM_RWX, S2_MEM_NORMAL), -CV_EINVAL);
	assert_int_equal(stage2_map(s2, 0x40000000, 0x1000, 0, PERM_RWX, S2_MEM_NORMAL), -CV_EINVAL);
	/* Beyond the 40-bit IPA space. */
	assert_int_equal(stage2_map(s2, 1ULL << 40, 0x1000, PAGE_SIZE, PERM_RWX, S2_MEM_NORMAL), -CV_ERANGE);
	assert_int_equal(stage2_map(s2, (1ULL << 40) - PAGE_SIZE, 0x1000, 2 * PAGE_SIZE, PERM_RWX,
				    S2_MEM_NORMAL), -CV_ERANGE);
	assert_int_equal(stage2_translate(s2, 1ULL << 40, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_ADDR_SIZE);
	/* An empty tree: a translation fault at the start level. */
	assert_int_equal(stage2_translate(s2, 0x1000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 1);
}

static void test_top_of_ipa_space(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };
	gpa_t top = (1ULL << 40) - PAGE_SIZE;

	/* The last level-1 entry lives in the second concatenated table: index 1023. */
	assert_int_equal(stage2_map(s2, top, 0x3000, PAGE_SIZE, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, top + 0xfff, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(t.steps[0].index, 1023);
	assert_int_equal(t.steps[1].index, 511);
	assert_int_equal(t.steps[2].index, 511);
	assert_int_equal(res.hpa, 0x3fff);
}

static void test_access_flag_fault(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x40000000, 0x9000, PAGE_SIZE, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x40000000, ACCESS_READ, &res, walk_record_step, &t), 0);
	/* Clear AF in the leaf, as software managing access flags would. */
	uint64_t *l3 = hal_hpa_to_hva(t.steps[1].desc & A64_S2D_ADDR_MASK);
	l3[0] &= ~A64_S2D_AF;
	assert_int_equal(stage2_translate(s2, 0x40000000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_ACCESS_FLAG);
	/* A reserved level-3 encoding (0b01) reads as invalid. */
	l3[0] = 0x9000 | 0x1;
	assert_int_equal(stage2_translate(s2, 0x40000000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
}

static void test_el2_registers(void **state)
{
	struct stage2 *s2 = *state;
	hpa_t root = hal_hva_to_hpa(s2->root);

	/* VTTBR_EL2: VMID in [55:48], BADDR the root. */
	assert_int_equal(stage2_root_register(s2, 5), (5ULL << 48) | root);
	/*
	 * VTCR_EL2: RES1 bit 31, PS=0b010 (40 bits) 0x20000, TG0=4K, SH0=0b11
	 * 0x3000, ORGN0=IRGN0=WBWA 0x500, SL0=1 0x40, T0SZ=24 0x18.
	 */
	assert_int_equal(a64_vtcr_el2(), 0x80023558ULL);
}

/* Unmapping a page inside a 2 MiB block splits it into a level-3 table with the same attributes. */
static void test_unmap_splits_block(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x40200000, HPA_2M, 2 * MiB, PERM_RWX, S2_MEM_NORMAL), 0);
	size_t pages = s2->table_pages;
	assert_int_equal(stage2_unmap(s2, 0x40201000, PAGE_SIZE), 0);
	assert_int_equal(s2->table_pages, pages + 1);
	assert_int_equal(stage2_translate(s2, 0x40201000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 3);
	/* Its neighbours are now pages, with the block's output addresses and bits. */
	assert_int_equal(stage2_translate(s2, 0x40202abc, ACCESS_WRITE, &res, walk_record_step, &t), 0);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.hpa, HPA_2M + 0x2abc);
	assert_int_equal(t.steps[2].desc, (HPA_2M + 0x2000) | 0x7ff);
	/* Unmapping across a hole and past the mapping is fine. */
	assert_int_equal(stage2_unmap(s2, 0x40000000, 4 * MiB), 0);
	assert_int_equal(stage2_translate(s2, 0x40202000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	/* The freed range can be mapped again. */
	assert_int_equal(stage2_map(s2, 0x40200000, HPA_2M, PAGE_SIZE, PERM_READ, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_unmap(s2, 0x40000800, PAGE_SIZE), -CV_EINVAL);
}

/* Protecting part of a block: read-only pages, the rest unchanged. */
static void test_protect(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x40200000, HPA_2M, 2 * MiB, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_protect(s2, 0x40300000, 2 * PAGE_SIZE, PERM_READ), 0);
	assert_int_equal(stage2_translate(s2, 0x40300000, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(stage2_translate(s2, 0x40301fff, ACCESS_FETCH, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(stage2_translate(s2, 0x40301fff, ACCESS_READ, &res, walk_record_step, &t), 0);
	/* S2AP = 0b01, XN: 0x77f | bit 54 (ARM ARM D8.3). */
	assert_int_equal(t.steps[2].desc, (HPA_2M + 0x101000) | 0x77f | (1ULL << 54));
	assert_int_equal(stage2_translate(s2, 0x40302000, ACCESS_WRITE, &res, NULL, NULL), 0);
	/* Whole-block protection keeps the block. */
	assert_int_equal(stage2_map(s2, 0x40400000, HPA_2M, 2 * MiB, PERM_RWX, S2_MEM_NORMAL), 0);
	size_t pages = s2->table_pages;
	assert_int_equal(stage2_protect(s2, 0x40400000, 2 * MiB, PERM_READ | PERM_EXEC), 0);
	assert_int_equal(s2->table_pages, pages);
	assert_int_equal(stage2_translate(s2, 0x40400000, ACCESS_FETCH, &res, NULL, NULL), 0);
	assert_int_equal(res.level, 2);
	assert_int_equal(res.perm, PERM_READ | PERM_EXEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_STAGE2_TEST(test_init_root),
		FIXTURE_STAGE2_TEST(test_page_descriptor_bits),
		FIXTURE_STAGE2_TEST(test_read_only_not_executable),
		FIXTURE_STAGE2_TEST(test_device_memory),
		FIXTURE_STAGE2_TEST(test_blocks),
		FIXTURE_STAGE2_TEST(test_mixed_sizes),
		FIXTURE_STAGE2_TEST(test_overlap_refused_whole),
		FIXTURE_STAGE2_TEST(test_bad_arguments),
		FIXTURE_STAGE2_TEST(test_top_of_ipa_space),
		FIXTURE_STAGE2_TEST(test_access_flag_fault),
		FIXTURE_STAGE2_TEST(test_el2_registers),
		FIXTURE_STAGE2_TEST(test_unmap_splits_block),
		FIXTURE_STAGE2_TEST(test_protect),
	};
	return cmocka_run_group_tests_name("stage2", tests, NULL, NULL);
}
