/* SPDX-License-Identifier: MIT */
/*
 * The PLIC model (src/core/plic.c, RISC-V PLIC Specification 1.0.0)
 * through the device bus, as a guest's 32-bit accesses reach it, with
 * QEMU virt's register layout: priorities, pending bits, per-context
 * enables, thresholds, claim and complete, and the context lines the
 * platform is told about.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/devbus.h>
#include <cvisor/plic.h>

#define BASE 0x0c000000ULL
#define PRIORITY(id) (BASE + 4 * (id))
#define PENDING(w) (BASE + 0x1000 + 4 * (w))
#define ENABLE(ctx, w) (BASE + 0x2000 + 0x80 * (ctx) + 4 * (w))
#define THRESHOLD(ctx) (BASE + 0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx) (BASE + 0x200004 + 0x1000 * (ctx))
#define NCTX 4

static struct devbus bus;
static struct plic *plic;
static int line_level[NCTX]; /* -1: never told */
static unsigned line_calls;

static void line(struct vm *vm, unsigned ctx, bool level)
{
	(void)vm;
	assert_true(ctx < NCTX);
	line_level[ctx] = level;
	line_calls++;
}

static int setup(void **state)
{
	static const struct plic_config cfg = {.ncontexts = NCTX, .line = line};

	(void)state;
	memset(&bus, 0, sizeof(bus));
	for (unsigned i = 0; i < NCTX; i++)
		line_level[i] = -1;
	line_calls = 0;
	struct device *dev = plic_create(NULL, BASE, PLIC_SIZE, &cfg);
	assert_non_null(dev);
	plic = plic_of(dev);
	assert_non_null(plic);
	return devbus_add(&bus, dev);
}

static int teardown(void **state)
{
	(void)state;
	devbus_destroy(&bus);
	return 0;
}

static uint32_t rd(uint64_t gpa)
{
	uint64_t v = 0xdeadbeef;
	assert_int_equal(devbus_access(&bus, gpa, 4, false, &v), 0);
	return (uint32_t)v;
}

static void wr(uint64_t gpa, uint32_t v)
{
	uint64_t x = v;
	assert_int_equal(devbus_access(&bus, gpa, 4, true, &x), 0);
}

/* Source id enabled for ctx with priority prio. */
static void route(unsigned id, unsigned ctx, uint32_t prio)
{
	wr(PRIORITY(id), prio);
	wr(ENABLE(ctx, id / 32), rd(ENABLE(ctx, id / 32)) | 1u << (id % 32));
}

static void test_registers(void **state)
{
	(void)state;
	wr(PRIORITY(10), 5);
	assert_int_equal(rd(PRIORITY(10)), 5);
	wr(PRIORITY(10), 0xffffffff); /* 3 bits of priority, as on QEMU virt */
	assert_int_equal(rd(PRIORITY(10)), PLIC_MAX_PRIORITY);
	wr(PRIORITY(0), 3); /* source 0 does not exist */
	assert_int_equal(rd(PRIORITY(0)), 0);
	wr(ENABLE(1, 0), 0xffffffff); /* no enable bit for source 0 */
	assert_int_equal(rd(ENABLE(1, 0)), 0xfffffffe);
	assert_int_equal(rd(ENABLE(0, 0)), 0);
	wr(THRESHOLD(1), 4);
	assert_int_equal(rd(THRESHOLD(1)), 4);
	assert_int_equal(rd(THRESHOLD(0)), 0);
	wr(PENDING(0), 0xffffffff); /* read-only */
	assert_int_equal(rd(PENDING(0)), 0);
	/* Only aligned 32-bit accesses. */
	uint64_t v = 0;
	assert_int_equal(devbus_access(&bus, PRIORITY(1), 1, false, &v), -CV_EINVAL);
	assert_int_equal(devbus_access(&bus, PRIORITY(1) + 2, 4, false, &v), -CV_EINVAL);
	assert_int_equal(devbus_access(&bus, PRIORITY(1), 8, true, &v), -CV_EINVAL);
	/* A context past the configured ones reads zero and ignores writes. */
	wr(THRESHOLD(NCTX), 3);
	assert_int_equal(rd(THRESHOLD(NCTX)), 0);
	assert_int_equal(rd(CLAIM(NCTX)), 0);
}

static void test_claim_complete(void **state)
{
	(void)state;
	route(10, 1, 1);
	assert_int_equal(rd(CLAIM(1)), 0); /* nothing pending */
	plic_set_level(plic, 10, true);
	assert_int_equal(rd(PENDING(0)), 1u << 10);
	assert_true(plic_context_pending(plic, 1));
	assert_int_equal(line_level[1], 1);
	assert_false(plic_context_pending(plic, 0)); /* not enabled for context 0 */
	assert_int_equal(line_level[0], -1);
	assert_int_equal(rd(CLAIM(1)), 10);
	assert_int_equal(rd(PENDING(0)), 0); /* claimed: no longer pending */
	assert_int_equal(line_level[1], 0);
	assert_int_equal(rd(CLAIM(1)), 0); /* nothing else */
	/* The level stays high but the gateway is closed until the complete. */
	assert_false(plic_context_pending(plic, 1));
	wr(CLAIM(1), 11); /* not the claimed source: ignored */
	assert_false(plic_context_pending(plic, 1));
	wr(CLAIM(1), 10); /* complete: the level still high pends it again */
	assert_true(plic_context_pending(plic, 1));
	assert_int_equal(line_level[1], 1);
	assert_int_equal(rd(CLAIM(1)), 10);
	plic_set_level(plic, 10, false);
	wr(CLAIM(1), 10); /* complete with the level low: nothing pends */
	assert_false(plic_context_pending(plic, 1));
	assert_int_equal(rd(PENDING(0)), 0);
	assert_int_equal(rd(CLAIM(1)), 0);
}

static void test_priority_and_ties(void **state)
{
	(void)state;
	route(3, 1, 2);
	route(40, 1, 6);
	route(70, 1, 2);
	plic_set_level(plic, 3, true);
	plic_set_level(plic, 70, true);
	plic_set_level(plic, 40, true);
	assert_int_equal(rd(PENDING(0)), 1u << 3);
	assert_int_equal(rd(PENDING(1)), 1u << 8);
	assert_int_equal(rd(PENDING(2)), 1u << 6);
	assert_int_equal(rd(CLAIM(1)), 40); /* the highest priority first */
	assert_int_equal(rd(CLAIM(1)), 3);  /* equal priorities: the lowest id */
	assert_int_equal(rd(CLAIM(1)), 70);
	assert_int_equal(rd(CLAIM(1)), 0);
	/* Priority 0 never interrupts. */
	route(5, 1, 0);
	plic_set_level(plic, 5, true);
	assert_int_equal(rd(CLAIM(1)), 0);
	assert_false(plic_context_possible(plic, 0));
}

static void test_threshold(void **state)
{
	(void)state;
	route(7, 1, 3);
	plic_set_level(plic, 7, true);
	wr(THRESHOLD(1), 3); /* a priority must be above the threshold */
	assert_false(plic_context_pending(plic, 1));
	assert_int_equal(line_level[1], 0);
	assert_int_equal(rd(CLAIM(1)), 0);
	assert_false(plic_context_possible(plic, 1));
	wr(THRESHOLD(1), 2);
	assert_true(plic_context_pending(plic, 1));
	assert_int_equal(line_level[1], 1);
	assert_true(plic_context_possible(plic, 1));
	assert_int_equal(rd(CLAIM(1)), 7);
}

static void test_enables_per_context(void **state)
{
	(void)state;
	route(33, 1, 1);
	route(33, 3, 1);
	plic_set_level(plic, 33, true);
	assert_true(plic_context_pending(plic, 1));
	assert_true(plic_context_pending(plic, 3));
	assert_false(plic_context_pending(plic, 2));
	assert_int_equal(rd(CLAIM(3)), 33); /* one context claims it: gone for both */
	assert_false(plic_context_pending(plic, 1));
	assert_int_equal(line_level[1], 0);
	assert_int_equal(rd(CLAIM(1)), 0);
	wr(CLAIM(2), 33); /* not enabled for context 2: ignored */
	assert_false(plic_context_pending(plic, 1));
	wr(ENABLE(1, 1), 0); /* disabled for context 1 */
	wr(CLAIM(3), 33);
	assert_false(plic_context_pending(plic, 1));
	assert_true(plic_context_pending(plic, 3));
	/* Lines are told only when they change. */
	unsigned calls = line_calls;
	wr(PRIORITY(50), 1);
	assert_int_equal(line_calls, calls);
}

static void test_sources_past_the_last(void **state)
{
	(void)state;
	plic_set_level(plic, 0, true);             /* no source 0 */
	plic_set_level(plic, PLIC_NSOURCES, true); /* nor past 96 */
	assert_int_equal(rd(PENDING(0)), 0);
	assert_int_equal(rd(PRIORITY(PLIC_NSOURCES)), 0);
	route(96, 1, 1); /* the last one works */
	plic_set_level(plic, 96, true);
	assert_int_equal(rd(PENDING(3)), 1u);
	assert_int_equal(rd(CLAIM(1)), 96);
}

static void test_create_checks(void **state)
{
	struct plic_config cfg = {.ncontexts = 0};

	(void)state;
	assert_null(plic_create(NULL, BASE, PLIC_SIZE, &cfg));
	cfg.ncontexts = 8;
	assert_null(
	    plic_create(NULL, BASE, 0x200000 + 7 * 0x1000, &cfg)); /* no room for context 7 */
	cfg.ncontexts = PLIC_MAX_CONTEXTS + 1;
	assert_null(plic_create(NULL, BASE, 0x10000000, &cfg));
	assert_null(plic_of(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_claim_complete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_priority_and_ties, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enables_per_context, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sources_past_the_last, setup, teardown),
	    cmocka_unit_test(test_create_checks),
	};
	return cmocka_run_group_tests_name("plic", tests, NULL, NULL);
}
