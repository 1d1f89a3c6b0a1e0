/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V stage-1 walker on tables written into guest RAM by hand,
 * every PTE worked out from the RISC-V Privileged Architecture v1.12:
 * 4.4.1 (Sv39 addresses and PTE layout: PPN in bits 53:10, flags
 * D A G U X W R V in bits 7:0), 4.5 (Sv48: one more level above), 4.3.2
 * (the walk: V = 0 or W without R faults, pointers have R = W = X = 0,
 * no pointer at the last level, misaligned superpages fault), 4.3.1 and
 * 4.1.1.2 (R/W/X, U, SUM, MXR).
 *
 * Levels are the project's: Sv39's root is 1, Sv48's 0, 3 = 4 KiB.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/stage1.h>

#include "pte.h"

#include "../walk_record.h"

#define RAM 0x80000000ULL
#define ROOT 0x80100000ULL   /* Sv39 root (level 1); also Sv48's level 1 under L0[0] */
#define L2 0x80101000ULL
#define L3 0x80102000ULL
#define ROOT48 0x80103000ULL /* Sv48 root (level 0) */
#define L1_48 0x80104000ULL
#define NOT_RAM 0x10000000ULL /* a GPA with no RAM */


static struct addrspace as;
static struct rv_s1_regs sv39, sv48;

static void put(gpa_t table, unsigned index, uint64_t pte)
{
	assert_int_equal(addrspace_write(&as, table + index * 8ULL, &pte, 8), 0);
}

static int setup(void **state)
{
	(void)state;
	if (addrspace_init(&as) < 0 || addrspace_add_ram(&as, RAM, 0x1000000, PERM_RWX, "ram") < 0)
		return -1;
	/* Sv39 root: [2] a gigapage identity-mapping VA 0x8000_0000 (VPN[2] = 2). */
	put(ROOT, 2, PPN(RAM) | D | A | X | W | R | V); /* = 0x200000cf */
	/* [256]: the high half, VA 0xffff_ffc0_0000_0000 (bit 38 set: VPN[2] = 256) -> RAM. */
	put(ROOT, 256, PPN(RAM) | D | A | X | W | R | V);
	/* [0] -> L2 -> L3, the first 2 MiB in 4 KiB pages. */
	put(ROOT, 0, PPN(L2) | V);                       /* = 0x20040401 */
	put(L2, 0, PPN(L3) | V);
	put(L3, 5, PPN(0x80abc000ULL) | A | R | V);      /* VA 0x5000: read-only alias */
	put(L3, 6, PPN(0x80abd000ULL) | W | R | V);      /* VA 0x6000: A and D clear */
	put(L3, 8, PPN(0x80abe000ULL) | D | A | W | R | V); /* VA 0x8000: not executable */
	put(L3, 9, PPN(0x80abf000ULL) | A | W | V);      /* VA 0x9000: W without R, reserved */
	put(L3, 10, PPN(0x80ac0000ULL) | D | A | U | X | W | R | V); /* VA 0xa000: a U page */
	put(L3, 11, PPN(0x80ac1000ULL) | A | X | V);     /* VA 0xb000: execute-only */
	put(L3, 12, PPN(0x80ac2000ULL) | V);             /* VA 0xc000: a pointer at the last level */
	put(L3, 13, PPN(0x80ac3000ULL) | (1ULL << 54) | A | R | V); /* VA 0xd000: reserved bit 54 */
	/* L2[1]: a megapage, VA 0x20_0000 -> 0x8020_0000; L2[2] a misaligned one. */
	put(L2, 1, PPN(0x80200000ULL) | D | A | W | R | V);
	put(L2, 2, PPN(0x80201000ULL) | D | A | W | R | V);
	/* L2[3]: a pointer to a table at a GPA that is not RAM. */
	put(L2, 3, PPN(NOT_RAM) | V);
	sv39.satp = RV_SATP_MODE_SV39 << 60 | (ROOT >> 12); /* = 0x8000000000080100 */
	sv39.priv = RV_PRIV_S;

	/* Sv48 root: [0] -> the Sv39 root, used as a level-1 table. */
	put(ROOT48, 0, PPN(ROOT) | V);
	/* [1]: a 512 GiB terapage, VA 0x80_0000_0000 -> GPA 0. */
	put(ROOT48, 1, PPN(0ULL) | D | A | X | W | R | V);
	/* [2]: a terapage whose PPN is not 512 GiB aligned. */
	put(ROOT48, 2, PPN(RAM) | D | A | X | W | R | V);
	/* [256]: the high half 0xffff_8000_0000_0000 -> L1_48; [0] a gigapage -> RAM. */
	put(ROOT48, 256, PPN(L1_48) | V);
	put(L1_48, 0, PPN(RAM) | D | A | X | R | V);
	sv48.satp = RV_SATP_MODE_SV48 << 60 | (ROOT48 >> 12);
	sv48.priv = RV_PRIV_S;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	addrspace_destroy(&as);
	return 0;
}

static void test_sv39_leaves(void **state)
{
	(void)state;
	struct s1_result res;
	struct walk_record t = { .n = 0 };

	/* A gigapage at the root (level 1). */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x80012345, ACCESS_WRITE, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, 0x80012345);
	assert_int_equal(res.level, 1);
	assert_int_equal(res.leaf_size, 1ULL << 30);
	assert_int_equal(res.perm, PERM_RWX);
	assert_int_equal(res.code, 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.steps[0].table, ROOT);
	assert_int_equal(t.steps[0].index, 2);
	assert_int_equal(t.steps[0].desc, 0x200000cfULL);
	assert_int_equal(t.steps[0].info.kind, WALK_LEAF);

	/* A 4 KiB page three levels down, read-only. */
	t.n = 0;
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x5678, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, 0x80abc678);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.leaf_size, 0x1000);
	assert_int_equal(res.perm, PERM_READ);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.steps[0].desc, 0x20040401ULL); /* the pointer to L2 */
	assert_int_equal(t.steps[0].info.kind, WALK_TABLE);
	assert_int_equal(t.steps[0].info.addr, L2);
	assert_int_equal(t.steps[1].table, L2);
	assert_int_equal(t.steps[2].table, L3);
	assert_int_equal(t.steps[2].index, 5);

	/* A megapage (level 2). */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x2abcde, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, 0x802abcde);
	assert_int_equal(res.level, 2);
	assert_int_equal(res.leaf_size, 2ULL << 20);

	/* The high half: 0xffff_ffc0_0000_0000 is canonical (bits 63:39 = bit 38 = 1), VPN[2] 256. */
	t.n = 0;
	assert_int_equal(rv_s1_translate(&as, &sv39, 0xffffffc000001234ULL, ACCESS_FETCH, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, RAM + 0x1234);
	assert_int_equal(t.steps[0].index, 256);

	/* satp MODE Bare: no translation. */
	struct rv_s1_regs bare = { .satp = 0, .priv = RV_PRIV_S };
	assert_int_equal(rv_s1_translate(&as, &bare, 0x1234, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, 0x1234);
	/* An unimplemented mode (Sv57, 10). */
	struct rv_s1_regs sv57 = { .satp = 10ULL << 60, .priv = RV_PRIV_S };
	assert_int_equal(rv_s1_translate(&as, &sv57, 0x1234, ACCESS_READ, &res, NULL, NULL), -CV_EINVAL);
}

static void test_sv39_faults(void **state)
{
	(void)state;
	struct s1_result res;

	/* 4.3.2 step 3: V = 0 at L3[7] (level 3), at the root's [1] (level 1), at L2[4] (level 2). */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x7000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 3);
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x40000000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.level, 1);
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x800000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.level, 2);
	/* Step 3: W without R is reserved. */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x9000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 3);
	/* Step 3: a reserved bit (54) set. */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0xd000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.level, 3);
	/* Step 4: a pointer where the last level should have a leaf. */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0xc000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 3);
	/* Step 6: a megapage whose PPN[0] is not zero. */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x400000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 2);
	/* 4.4.1: bits 63:39 differ from bit 38, non-canonical, before any table is read. */
	struct walk_record t = { .n = 0 };
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x0000008000000000ULL, ACCESS_READ, &res, walk_record_step, &t),
			 -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 1);
	assert_int_equal(t.n, 0);
	assert_int_equal(rv_s1_translate(&as, &sv39, 0xffffffbfffff0000ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	/* Step 2: the L3 table of VA 0x60_0000 would be at a GPA with no RAM: an access fault there. */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x600000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TABLE_NOT_RAM);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.gpa, NOT_RAM); /* VPN[0] = 0: the table's entry 0 */
}

static void test_permissions(void **state)
{
	(void)state;
	struct s1_result res;
	struct rv_s1_regs r = sv39;

	/* Step 5: a store to the read-only page, a fetch from the non-executable one. */
	assert_int_equal(rv_s1_translate(&as, &r, 0x5000, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.fault, FAULT_PERMISSION);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.gpa, 0x80abc000); /* the leaf is still described */
	assert_int_equal(rv_s1_translate(&as, &r, 0x8000, ACCESS_FETCH, &res, NULL, NULL), -CV_EPERM);
	/* Execute-only: no load without MXR, a load with it (4.1.1.2). */
	assert_int_equal(rv_s1_translate(&as, &r, 0xb000, ACCESS_READ, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(rv_s1_translate(&as, &r, 0xb000, ACCESS_FETCH, &res, NULL, NULL), 0);
	r.sstatus = RV_SSTATUS_MXR;
	assert_int_equal(rv_s1_translate(&as, &r, 0xb000, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, 0x80ac1000);
	assert_int_equal(rv_s1_translate(&as, &r, 0xb000, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);

	/* A U page from S-mode: nothing without SUM; loads and stores with it; never a fetch. */
	r.sstatus = 0;
	assert_int_equal(rv_s1_translate(&as, &r, 0xa000, ACCESS_READ, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.perm, 0);
	r.sstatus = RV_SSTATUS_SUM;
	assert_int_equal(rv_s1_translate(&as, &r, 0xa000, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(rv_s1_translate(&as, &r, 0xa000, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.perm, PERM_READ | PERM_WRITE);
	assert_int_equal(rv_s1_translate(&as, &r, 0xa000, ACCESS_FETCH, &res, NULL, NULL), -CV_EPERM);

	/* From U-mode: the U page fully (SUM does not matter), S pages never. */
	r.priv = RV_PRIV_U;
	r.sstatus = 0;
	assert_int_equal(rv_s1_translate(&as, &r, 0xa000, ACCESS_FETCH, &res, NULL, NULL), 0);
	assert_int_equal(res.perm, PERM_RWX);
	assert_int_equal(rv_s1_translate(&as, &r, 0x5000, ACCESS_READ, &res, NULL, NULL), -CV_EPERM);
	r.sstatus = RV_SSTATUS_SUM;
	assert_int_equal(rv_s1_translate(&as, &r, 0x80000000, ACCESS_FETCH, &res, NULL, NULL), -CV_EPERM);
}

static void test_accessed_dirty(void **state)
{
	(void)state;
	struct s1_result res;
	uint64_t pte;

	/* Step 7: A and D clear: Unicorn 2.0.1 sets them, so the walk succeeds and says so. */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x6000, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.code, RV_S1_SETS_A);
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x6010, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.code, RV_S1_SETS_A | RV_S1_SETS_D);
	assert_int_equal(res.gpa, 0x80abd010);
	/* A set, D clear: a store sets D only. */
	assert_int_equal(rv_s1_translate(&as, &sv39, 0x5000, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.code, 0);
	/* The walker never writes: the PTE is as it was. */
	assert_int_equal(addrspace_read(&as, L3 + 6 * 8, &pte, 8), 0);
	assert_int_equal(pte, PPN(0x80abd000ULL) | W | R | V);
}

static void test_sv48(void **state)
{
	(void)state;
	struct s1_result res;
	struct walk_record t = { .n = 0 };

	/* Four levels: L0[0] -> the Sv39 root as level 1 -> its gigapage [2]. */
	assert_int_equal(rv_s1_translate(&as, &sv48, 0x80001234, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, 0x80001234);
	assert_int_equal(res.level, 1);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.steps[0].level, 0);
	assert_int_equal(t.steps[0].table, ROOT48);
	assert_int_equal(t.steps[1].table, ROOT);
	/* Down to a 4 KiB page: levels 0, 1, 2, 3. */
	t.n = 0;
	assert_int_equal(rv_s1_translate(&as, &sv48, 0x5008, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, 0x80abc008);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.steps[3].level, 3);
	/* A terapage at level 0: VA 0x80_8000_1234 (VPN[3] = 1) -> GPA 0x8000_1234. */
	assert_int_equal(rv_s1_translate(&as, &sv48, 0x8080001234ULL, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, 0x80001234);
	assert_int_equal(res.level, 0);
	assert_int_equal(res.leaf_size, 1ULL << 39);
	/* A misaligned terapage. */
	assert_int_equal(rv_s1_translate(&as, &sv48, 0x10000000000ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	assert_int_equal(res.level, 0);
	/* The high half 0xffff_8000_0000_0000 (VPN[3] = 256), a read-only-and-execute gigapage. */
	assert_int_equal(rv_s1_translate(&as, &sv48, 0xffff800000000010ULL, ACCESS_FETCH, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, RAM + 0x10);
	assert_int_equal(rv_s1_translate(&as, &sv48, 0xffff800000000010ULL, ACCESS_WRITE, &res, NULL, NULL),
			 -CV_EPERM);
	assert_int_equal(res.level, 1);
	/* Sv48 canonical: bits 63:48 equal bit 47. 0x0000_8000_0000_0000 is not; Sv39's high half is not either. */
	assert_int_equal(rv_s1_translate(&as, &sv48, 0x0000800000000000ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	assert_int_equal(res.level, 0);
	/* 0xffff_ffc0_0000_0000 is canonical for Sv48 too, but VPN[3] = 511 is invalid. */
	assert_int_equal(rv_s1_translate(&as, &sv48, 0xffffffc000000000ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(res.level, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sv39_leaves),
		cmocka_unit_test(test_sv39_faults),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_accessed_dirty),
		cmocka_unit_test(test_sv48),
	};
	return cmocka_run_group_tests_name("riscv64 stage-1 walker", tests, setup, teardown);
}
