/* SPDX-License-Identifier: MIT */
/*
 * stage2_visit(): every valid entry of a small VMSAv8-64 stage-2 tree, in
 * GPA order, a table entry before the entries of its table, with the
 * descriptor decoded (what `cvisor run --s2-dot` draws).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cvisor/hal.h>
#include <cvisor/stage2.h>

#include "../fixture.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

/* Output addresses are never dereferenced by the visitor: any aligned value will do. */
#define HPA_2M 0x80000000ULL
#define HPA_1G 0x100000000ULL

/* What the visitor reported, entry by entry. */
struct seen {
	unsigned n;
	struct s2_entry e[16];
	unsigned stop_after; /* return 1 after this many entries (0: never) */
};

static int record(const struct s2_entry *e, void *ctx)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	s->e[s->n++] = *e;
	return s->stop_after && s->n == s->stop_after ? 1 : 0;
}

/* Asserts entry k: level, index, GPA, size, kind, and (for a leaf) output and permissions. */
static void expect_entry(const struct seen *s, unsigned k, int level, unsigned index, gpa_t gpa,
			 uint64_t size, int kind, hpa_t out, unsigned perm)
{
	const struct s2_entry *e = &s->e[k];

	assert_int_equal(e->level, level);
	assert_int_equal(e->index, index);
	assert_int_equal(e->gpa, gpa);
	assert_int_equal(e->size, size);
	assert_int_equal(e->info.kind, kind);
	if (kind == WALK_LEAF) {
		assert_int_equal(e->info.addr, out);
		assert_int_equal(e->info.perm, perm);
	}
}

static void test_empty_tree(void **state)
{
	struct seen s = { 0 };

	assert_int_equal(stage2_visit(*state, record, &s), 0);
	assert_int_equal(s.n, 0);
}

/*
 * A 1 GiB block at GPA 2 GiB, a 2 MiB block at 0x4020_0000 and one page at
 * 0x4000_0000 (device, rw-): five entries. The root holds a table entry [1] and the
 * block [2]; the level-2 table under [1] a table entry [0] and the block
 * [1]; the level-3 table under that the page [0].
 */
static void test_small_tree(void **state)
{
	struct stage2 *s2 = *state;
	struct seen s = { 0 };

	assert_int_equal(stage2_map(s2, 2 * GiB, HPA_1G, GiB, PERM_READ, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_map(s2, 0x40200000, HPA_2M, 2 * MiB, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_map(s2, 0x40000000, 0x7f000000, PAGE_SIZE, PERM_READ | PERM_WRITE,
				    S2_MEM_DEVICE), 0);

	assert_int_equal(stage2_visit(s2, record, &s), 0);
	assert_int_equal(s.n, 5);
	expect_entry(&s, 0, 1, 1, 0x40000000, GiB, WALK_TABLE, 0, 0);
	expect_entry(&s, 1, 2, 0, 0x40000000, 2 * MiB, WALK_TABLE, 0, 0);
	expect_entry(&s, 2, 3, 0, 0x40000000, PAGE_SIZE, WALK_LEAF, 0x7f000000, PERM_READ | PERM_WRITE);
	assert_int_equal(s.e[2].info.memtype, S2_MEM_DEVICE);
	expect_entry(&s, 3, 2, 1, 0x40200000, 2 * MiB, WALK_LEAF, HPA_2M, PERM_RWX);
	expect_entry(&s, 4, 1, 2, 2 * GiB, GiB, WALK_LEAF, HPA_1G, PERM_READ);
	/* The table each entry sits in, and the entry that points to it. */
	assert_int_equal(s.e[0].table, hal_hva_to_hpa(s2->root));
	assert_int_equal(s.e[1].table, s.e[0].info.addr);
	assert_int_equal(s.e[2].table, s.e[1].info.addr);
	assert_int_equal(s.e[3].table, s.e[0].info.addr);
	assert_int_equal(s.e[4].table, hal_hva_to_hpa(s2->root));
	assert_int_equal(s.e[2].desc & 1, 1);
}

/* A nonzero return from the callback stops the visit and is returned. */
static void test_stop(void **state)
{
	struct stage2 *s2 = *state;
	struct seen s = { .stop_after = 2 };

	assert_int_equal(stage2_map(s2, 0x40000000, HPA_2M, 4 * MiB, PERM_RWX, S2_MEM_NORMAL), 0);
	assert_int_equal(stage2_visit(s2, record, &s), 1);
	assert_int_equal(s.n, 2);
	expect_entry(&s, 1, 2, 0, 0x40000000, 2 * MiB, WALK_LEAF, HPA_2M, PERM_RWX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_STAGE2_TEST(test_empty_tree),
		FIXTURE_STAGE2_TEST(test_small_tree),
		FIXTURE_STAGE2_TEST(test_stop),
	};
	return cmocka_run_group_tests_name("stage2_visit", tests, NULL, NULL);
}
