/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 stage-1 walker on tables written into guest RAM by hand
 * (ARM ARM D8.2, D8.3: 4 KiB granule; TCR_EL1 D17.2.131): a 39-bit TTBR0
 * range starting at level 1, a 48-bit TTBR1 range starting at level 0,
 * blocks, pages, an alias, and each kind of fault with its level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/stage1.h>

#include "../walk_record.h"

#define RAM 0x40000000ULL
#define L1_LO 0x40100000ULL  /* TTBR0 root (level 1) */
#define L2_LO 0x40101000ULL
#define L3_LO 0x40102000ULL
#define L0_HI 0x40103000ULL  /* TTBR1 root (level 0) */
#define L1_HI 0x40104000ULL

/* Descriptor bits (D8.3): valid/table, AttrIndx 0, AF, AP[2] read-only, PXN. */
#define TABLE 0x3ULL
#define BLOCK 0x1ULL
#define PAGE 0x3ULL
#define AF (1ULL << 10)
#define RO (1ULL << 7)
#define PXN (1ULL << 53)
#define UXN (1ULL << 54)
#define AP1 (1ULL << 6) /* EL0 data access */

static struct addrspace as;
static struct a64_s1_regs regs;

static void put(gpa_t table, unsigned index, uint64_t desc)
{
	assert_int_equal(addrspace_write(&as, table + index * 8ULL, &desc, 8), 0);
}

static int setup(void **state)
{
	(void)state;
	if (addrspace_init(&as) < 0 || addrspace_add_ram(&as, RAM, 0x1000000, PERM_RWX, "ram") < 0)
		return -1;
	/* TTBR0, 39 bits: L1[1] is a 1 GiB block of the identity map; L1[0] -> L2 -> L3. */
	put(L1_LO, 1, RAM | AF | BLOCK);
	put(L1_LO, 0, L2_LO | TABLE);
	put(L2_LO, 0, L3_LO | TABLE);
	put(L3_LO, 5, 0x40abc000ULL | AF | RO | PAGE); /* VA 0x5000: a read-only alias */
	put(L3_LO, 6, 0x40abd000ULL | PAGE);           /* VA 0x6000: access flag clear */
	put(L3_LO, 8, 0x40abe000ULL | AF | PXN | PAGE); /* VA 0x8000: not executable */
	put(L3_LO, 9, 0x40abf000ULL | AF | AP1 | UXN | PAGE);      /* VA 0x9000: EL0 data */
	put(L3_LO, 11, 0x40ac0000ULL | AF | AP1 | RO | PXN | PAGE); /* VA 0xb000: EL0 code */
	/* TTBR1, 48 bits: L0[511] -> L1; L1[510] is a block: VA 0xffff_ffff_8000_0000 -> RAM. */
	put(L0_HI, 511, L1_HI | TABLE);
	put(L1_HI, 510, RAM | AF | BLOCK);
	regs.sctlr = 1;
	regs.tcr = 25 | (16ULL << 16) | (2ULL << 30); /* T0SZ 25, T1SZ 16, TG0 4K, TG1 4K */
	regs.ttbr0 = L1_LO;
	regs.ttbr1 = L0_HI;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	addrspace_destroy(&as);
	return 0;
}

static void test_blocks_and_pages(void **state)
{
	(void)state;
	struct s1_result res;
	struct walk_record t = { .n = 0 };

	assert_int_equal(a64_s1_translate(&as, &regs, 0x40012345, ACCESS_WRITE, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, 0x40012345);
	assert_int_equal(res.level, 1);
	assert_int_equal(res.leaf_size, 1ULL << 30);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.steps[0].table, L1_LO);
	assert_int_equal(t.steps[0].index, 1);

	t.n = 0;
	assert_int_equal(a64_s1_translate(&as, &regs, 0x5678, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, 0x40abc678);
	assert_int_equal(res.level, 3);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.steps[2].table, L3_LO);
	assert_int_equal(t.steps[2].index, 5);

	/* The high half: 48 bits from level 0. */
	t.n = 0;
	assert_int_equal(a64_s1_translate(&as, &regs, 0xffffffff80001234ULL, ACCESS_FETCH, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, RAM + 0x1234);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.steps[0].level, 0);
	assert_int_equal(t.steps[0].index, 511);
	assert_int_equal(t.steps[1].index, 510);
}

/* Returns a64_s1_translate()'s result for an access at EL0 (el0) or EL1. */
static int access_at(bool el0, gva_t va, enum access_kind access)
{
	struct s1_result res;

	regs.el0 = el0;
	int rc = a64_s1_translate(&as, &regs, va, access, &res, NULL, NULL);
	regs.el0 = false;
	if (rc == -CV_EPERM)
		assert_int_equal(res.fault, FAULT_PERMISSION);
	return rc;
}

/*
 * The same descriptors seen from EL0 and EL1 (ARM ARM D8.4.1): AP[1]
 * opens data to EL0, UXN and PXN close execution at EL0 and EL1, and EL1
 * never executes what EL0 may write.
 */
static void test_el0_permissions(void **state)
{
	(void)state;
	/* VA 0x5000, AP = 0b10 (read-only, EL1 only). */
	assert_int_equal(access_at(false, 0x5000, ACCESS_READ), 0);
	assert_int_equal(access_at(true, 0x5000, ACCESS_READ), -CV_EPERM);
	assert_int_equal(access_at(true, 0x5000, ACCESS_FETCH), 0); /* UXN clear: EL0 may execute */
	/* VA 0x9000, AP = 0b01 (read-write at both), UXN. */
	assert_int_equal(access_at(true, 0x9000, ACCESS_READ), 0);
	assert_int_equal(access_at(true, 0x9000, ACCESS_WRITE), 0);
	assert_int_equal(access_at(true, 0x9000, ACCESS_FETCH), -CV_EPERM);
	assert_int_equal(access_at(false, 0x9000, ACCESS_WRITE), 0);
	assert_int_equal(access_at(false, 0x9000, ACCESS_FETCH), -CV_EPERM); /* implicit PXN */
	/* VA 0xb000, AP = 0b11 (read-only at both), PXN. */
	assert_int_equal(access_at(true, 0xb000, ACCESS_FETCH), 0);
	assert_int_equal(access_at(true, 0xb000, ACCESS_WRITE), -CV_EPERM);
	assert_int_equal(access_at(false, 0xb000, ACCESS_FETCH), -CV_EPERM);
	assert_int_equal(access_at(false, 0xb000, ACCESS_READ), 0);
	/* The identity block (AP = 0b00): nothing for EL0 but instruction fetch. */
	assert_int_equal(access_at(true, 0x40001000, ACCESS_WRITE), -CV_EPERM);
	assert_int_equal(access_at(false, 0x40001000, ACCESS_WRITE), 0);
}

static void test_faults(void **state)
{
	(void)state;
	struct s1_result res;

	/* Nothing at L3[7]: a level 3 translation fault. */
	assert_int_equal(a64_s1_translate(&as, &regs, 0x7000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 3);
	/* Nothing at L1[2]: level 1. */
	assert_int_equal(a64_s1_translate(&as, &regs, 0x80000000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.level, 1);
	/* AF clear. */
	assert_int_equal(a64_s1_translate(&as, &regs, 0x6000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_ACCESS_FLAG);
	assert_int_equal(res.level, 3);
	/* A write to the read-only alias, a fetch from the PXN page: permission faults. */
	assert_int_equal(a64_s1_translate(&as, &regs, 0x5000, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.fault, FAULT_PERMISSION);
	assert_int_equal(a64_s1_translate(&as, &regs, 0x8000, ACCESS_FETCH, &res, NULL, NULL), -CV_EPERM);
	/* Between the two ranges: neither TTBR, a translation fault. */
	assert_int_equal(a64_s1_translate(&as, &regs, 0x0000800000000000ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	assert_int_equal(res.level, 0);
	/* TTBR1 disabled (EPD1). */
	struct a64_s1_regs r = regs;
	r.tcr |= 1ULL << 23;
	assert_int_equal(a64_s1_translate(&as, &r, 0xffffffff80001234ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	/* MMU off: the identity. */
	r = regs;
	r.sctlr = 0;
	assert_int_equal(a64_s1_translate(&as, &r, 0x7000, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, 0x7000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blocks_and_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_el0_permissions, setup, teardown),
	};
	return cmocka_run_group_tests_name("aarch64 stage-1 walks", tests, NULL, NULL);
}
