/* SPDX-License-Identifier: MIT */
/*
 * Sv39x4 G-stage tables (Privileged Architecture v1.12, 4.4 and 8.5.1):
 * the PTEs the core writes, checked bit by bit, and hgatp.
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

static void test_root(void **state)
{
	struct stage2 *s2 = *state;

	/* The geometry: 41-bit GPA, gigapages at level 1, megapages at level 2. */
	fixture_check_stage2_format();
	assert_int_equal(stage2_arch_format.ipa_bits, 41);
	assert_int_equal(stage2_level_size(1), 1ULL << 30);
	assert_int_equal(stage2_level_size(2), 1ULL << 21);
	/* A 16 KiB root (2048 entries), 16 KiB aligned (8.5.1). */
	assert_int_equal(s2->root_pages, 4);
	assert_int_equal(hal_hva_to_hpa(s2->root) % 16384, 0);
	/* hgatp: MODE 8 (Sv39x4), VMID 3, PPN of the root. */
	assert_int_equal(stage2_root_register(s2, 3),
			 (8ULL << 60) | (3ULL << 44) | (hal_hva_to_hpa(s2->root) >> 12));
}

static void test_page_pte(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x80000000, 0x12345000, 0x1000, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x80000abc, ACCESS_WRITE, &res, walk_record_step, &t), 0);
	assert_int_equal(res.hpa, 0x12345abc);
	assert_int_equal(t.n, 3);
	/* GPA 0x8000_0000: VPN[2] = 2 (bits 40:30), VPN[1] = VPN[0] = 0. */
	assert_int_equal(t.steps[0].index, 2);
	/* A pointer PTE: V only, PPN in bits 53:10. */
	assert_int_equal(t.steps[0].desc & 0x3ff, RV_PTE_V);
	/* The leaf: PPN 0x12345 << 10, D A U X W R V = 0xdf. */
	assert_int_equal(t.steps[2].desc, (0x12345ULL << 10) | 0xdf);
}

static void test_read_only_and_io(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x80001000, 0x5000, 0x1000, PERM_READ | PERM_EXEC, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x80001000, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.fault, FAULT_PERMISSION);
	assert_int_equal(stage2_translate(s2, 0x80001000, ACCESS_FETCH, &res, walk_record_step, &t), 0);
	assert_int_equal(t.steps[2].desc, (0x5ULL << 10) | 0xdb); /* D A U X R V */
	/* Device memory: Svpbmt IO (bits 62:61 = 2). */
	t.n = 0;
	assert_int_equal(stage2_map(s2, 0x10000000, 0x7000, 0x1000, PERM_READ | PERM_WRITE, S2_MEM_DEVICE), 0);
	assert_int_equal(stage2_translate(s2, 0x10000000, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.memtype, S2_MEM_DEVICE);
	assert_int_equal(t.steps[2].desc, (2ULL << 61) | (0x7ULL << 10) | 0xd7);
}

static void test_superpages_and_range(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	/* A gigapage at the top of the 41-bit space: VPN[2] = 2047. */
	assert_int_equal(stage2_map(s2, (1ULL << 41) - (1ULL << 30), 1ULL << 32, 1ULL << 30, PERM_RWX,
				    S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, (1ULL << 41) - 8, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.steps[0].index, 2047);
	assert_int_equal(res.leaf_size, 1ULL << 30);
	/* A megapage. */
	assert_int_equal(stage2_map(s2, 0x80200000, 0x40200000, 0x200000, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x80212345, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.level, 2);
	assert_int_equal(res.hpa, 0x40212345);
	/* Beyond 41 bits. */
	assert_int_equal(stage2_map(s2, 1ULL << 41, 0x1000, 0x1000, PERM_RWX, S2_MEM_NORMAL), -CV_ERANGE);
	assert_int_equal(stage2_translate(s2, 1ULL << 41, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_ADDR_SIZE);
}

static void test_reserved_encodings(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x80000000, 0x9000, 0x1000, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_translate(s2, 0x80000000, ACCESS_READ, &res, walk_record_step, &t), 0);
	uint64_t *l0 = hal_hpa_to_hva((t.steps[1].desc >> 10) << 12);
	/* W without R is reserved: a fault. */
	l0[0] = (0x9ULL << 10) | RV_PTE_V | RV_PTE_W | RV_PTE_U | RV_PTE_A;
	assert_int_equal(stage2_translate(s2, 0x80000000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	/* A leaf without U faults for G-stage accesses. */
	l0[0] = (0x9ULL << 10) | RV_PTE_V | RV_PTE_R | RV_PTE_A;
	assert_int_equal(stage2_translate(s2, 0x80000000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	/* A clear at A. */
	l0[0] = (0x9ULL << 10) | RV_PTE_V | RV_PTE_R | RV_PTE_U;
	assert_int_equal(stage2_translate(s2, 0x80000000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_ACCESS_FLAG);
	/*
	 * A leaf without R cannot be made: R = W = X = 0 would be a pointer to
	 * a next-level table (here the guest's own page), W alone is reserved.
	 */
	unsigned tables = s2->table_pages;
	assert_int_equal(stage2_map(s2, 0x80400000, 0xa000, 0x1000, 0, S2_MEM_NORMAL), -CV_EINVAL);
	assert_int_equal(stage2_map(s2, 0x80400000, 0xa000, 0x1000, PERM_WRITE, S2_MEM_NORMAL),
			 -CV_EINVAL);
	assert_int_equal(s2->table_pages, tables);
	assert_int_equal(stage2_translate(s2, 0x80400000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
}

/* Unmapping a page of a megapage splits it into 512 pages with the same bits (4.3.1). */
static void test_unmap_and_protect(void **state)
{
	struct stage2 *s2 = *state;
	struct s2_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(stage2_map(s2, 0x80200000, 0x40200000, 0x200000, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_unmap(s2, 0x80200000, 0x1000), 0);
	assert_int_equal(stage2_translate(s2, 0x80200000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(stage2_protect(s2, 0x80201000, 0x1000, PERM_READ), 0);
	assert_int_equal(stage2_translate(s2, 0x80201000, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(t.steps[2].desc, (0x40201ULL << 10) | 0xd3); /* D A U R V */
	assert_int_equal(stage2_translate(s2, 0x80201000, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(stage2_translate(s2, 0x80202000, ACCESS_WRITE, &res, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_STAGE2_TEST(test_root),
		FIXTURE_STAGE2_TEST(test_page_pte),
		FIXTURE_STAGE2_TEST(test_read_only_and_io),
		FIXTURE_STAGE2_TEST(test_superpages_and_range),
		FIXTURE_STAGE2_TEST(test_reserved_encodings),
		FIXTURE_STAGE2_TEST(test_unmap_and_protect),
	};
	return cmocka_run_group_tests_name("riscv64 sv39x4", tests, NULL, NULL);
}
