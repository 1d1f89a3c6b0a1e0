/* SPDX-License-Identifier: MIT */
/*
 * EPT tables (Intel SDM Vol. 3C, 29.3.2, tables 29-1 to 29-6): the entries
 * the core writes, checked bit by bit, and the EPT pointer (25.6.11).
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

static void test_four_level_walk(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	/* The geometry: 48-bit GPA, a PML4E covers 512 GiB and is never a leaf. */
	fixture_check_stage2_format();
	assert_int_equal(stage2_arch_format.ipa_bits, 48);
	assert_int_equal(stage2_level_size(0), 512ULL << 30);
	assert_false(stage2_arch_format.leaf_allowed[0]);
	assert_int_equal(stage2_map(s2, 0x100000, 0x7654000, 0x1000, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x100abc, ACCESS_WRITE, &res, walk_record_step, &t), 0);
	assert_int_equal(res.hpa, 0x7654abc);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.steps[0].level, 0);
	/* Non-leaf entries: RWX = 7. */
	assert_int_equal(t.steps[0].desc & 0xfff, 7);
	/* The PTE: address, R W X, memory type WB (6 << 3), accessed, dirty: 0x337. */
	assert_int_equal(t.steps[3].desc, 0x7654000ULL | 0x337);
	/* EPTP: WB (6), walk length 4 (3 << 3), A/D (bit 6): 0x5e. */
	assert_int_equal(stage2_root_register(s2, 0), hal_hva_to_hpa(s2->root) | 0x5e);
}

static void test_large_pages_and_uc(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	/* 2 MiB page: PDE with bit 7. */
	assert_int_equal(stage2_map(s2, 0x200000, 0x40000000, 0x200000, PERM_READ | PERM_EXEC, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x212345, ACCESS_FETCH, &res, walk_record_step, &t), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.steps[2].desc, 0x40000000ULL | 0x1b5); /* R X, WB, large, accessed */
	assert_int_equal(stage2_translate(s2, 0x212345, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);
	/* Uncacheable device memory: memory type 0. */
	t.n = 0;
	assert_int_equal(stage2_map(s2, 0xfee00000, 0x9000, 0x1000, PERM_READ | PERM_WRITE, S2_MEM_DEVICE), 0);
	assert_int_equal(stage2_translate(s2, 0xfee00000, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.memtype, S2_MEM_DEVICE);
	assert_int_equal(t.steps[3].desc, 0x9000ULL | 0x303);
	/* A 1 GiB page at 4 GiB. */
	assert_int_equal(stage2_map(s2, 1ULL << 32, 1ULL << 33, 1ULL << 30, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, (1ULL << 32) + 5, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.level, 1);
	/* Nothing at 1 TiB; beyond 48 bits an address-size fault. */
	assert_int_equal(stage2_translate(s2, 1ULL << 40, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(stage2_translate(s2, 1ULL << 48, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_ADDR_SIZE);
}

/* Unmapping inside a 2 MiB page splits it into a page table: PTEs lose bit 7. */
static void test_unmap_splits(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x200000, 0x40000000, 0x200000, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_unmap(s2, 0x3ff000, 0x1000), 0);
	assert_int_equal(stage2_translate(s2, 0x3ff000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(stage2_translate(s2, 0x3fe000, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.steps[3].desc, 0x401fe000ULL | 0x337); /* RWX, WB, A, D; no bit 7 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_STAGE2_TEST(test_four_level_walk),
		FIXTURE_STAGE2_TEST(test_large_pages_and_uc),
		FIXTURE_STAGE2_TEST(test_unmap_splits),
	};
	return cmocka_run_group_tests_name("x86_64 ept", tests, NULL, NULL);
}
