/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 stage-1 walker on tables written into guest RAM by hand
 * (Intel SDM Vol. 3A, 4.5 "4-Level Paging", tables 4-15 to 4-20 for the
 * entry formats): 4 KiB, 2 MiB and 1 GiB pages, the high half, every
 * access right of 4.6 with the #PF error code of 4.7, reserved bits, a
 * table outside RAM, and the accessed and dirty flags of 4.8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/stage1.h>

#include "../walk_record.h"

#define PML4 0x100000ULL
#define PDPT 0x101000ULL
#define PD 0x102000ULL
#define PT 0x103000ULL
#define PDPT_HI 0x104000ULL
#define PD_HI 0x105000ULL

/* Entry bits (table 4-15 ff.): P 0x1, R/W 0x2, U/S 0x4, A 0x20, D 0x40, PS 0x80, XD bit 63. */
#define P 0x1ULL
#define RW 0x2ULL
#define US 0x4ULL
#define A 0x20ULL
#define D 0x40ULL
#define PS 0x80ULL
#define XD (1ULL << 63)

static struct addrspace as;
static struct x86_s1_regs regs;

static void put(gpa_t table, unsigned index, uint64_t e)
{
	assert_int_equal(addrspace_write(&as, table + index * 8ULL, &e, 8), 0);
}

static uint64_t get(gpa_t table, unsigned index)
{
	uint64_t e = 0;
	assert_int_equal(addrspace_read(&as, table + index * 8ULL, &e, 8), 0);
	return e;
}

static int setup(void **state)
{
	(void)state;
	if (addrspace_init(&as) < 0 || addrspace_add_ram(&as, 0, 0x1000000, PERM_RWX, "ram") < 0)
		return -1;
	/* Upper levels are user and writable: the leaf decides (4.6). */
	put(PML4, 0, PDPT | P | RW | US);
	put(PDPT, 0, PD | P | RW | US);
	put(PDPT, 1, 0x0 | P | RW | PS);           /* VA 0x4000_0000: a 1 GiB page at GPA 0 */
	put(PD, 0, PT | P | RW | US);
	put(PD, 1, 0x400000 | P | RW | PS);        /* VA 0x20_0000: a 2 MiB page at 0x40_0000 */
	put(PD, 2, 0x600000 | 0x2000 | P | PS);    /* VA 0x40_0000: bit 13 of a 2 MiB PDE is reserved */
	put(PD, 3, 0x80000000ULL | P | RW);        /* VA 0x60_0000: its PT is not in RAM */
	put(PT, 5, 0x7000 | P);                    /* VA 0x5000: read-only, supervisor */
	/* PT[6] = 0: VA 0x6000 is not present. */
	put(PT, 8, 0x9000 | P | RW | XD);          /* VA 0x8000: not executable */
	put(PT, 9, 0xa000 | P | RW | US);          /* VA 0x9000: a user page */
	put(PT, 10, (1ULL << 45) | 0xb000 | P);    /* VA 0xa000: bit 45 >= MAXPHYADDR 40: reserved */
	put(PML4, 1, PDPT | P | RW | PS);          /* VA 0x80_0000_0000: PS is reserved in a PML4E */
	/* The high half: VA 0xffff_8000_0000_0000 is PML4[256], PDPT[0], PD[0]: a 2 MiB page. */
	put(PML4, 256, PDPT_HI | P | RW);
	put(PDPT_HI, 0, PD_HI | P | RW);
	put(PD_HI, 0, 0x200000 | P | RW | PS);
	regs = (struct x86_s1_regs){
		.cr0 = X86_CR0_PG | X86_CR0_WP | 1, .cr3 = PML4, .cr4 = X86_CR4_PAE,
		.efer = X86_EFER_LMA | X86_EFER_NXE, .cpl = 0, .maxphyaddr = 40,
	};
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	addrspace_destroy(&as);
	return 0;
}

static void test_page_sizes(void **state)
{
	(void)state;
	struct s1_result res;
	struct walk_record t = { .n = 0 };

	/* 4 KiB (4.5.4, table 4-20): four levels, PT[5]. */
	assert_int_equal(x86_s1_translate(&as, &regs, 0x5123, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, 0x7123);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.leaf_size, 4096);
	assert_int_equal(res.perm, PERM_READ | PERM_EXEC);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.steps[0].table, PML4);
	assert_int_equal(t.steps[0].index, 0);
	assert_int_equal(t.steps[0].info.kind, WALK_TABLE);
	assert_int_equal(t.steps[3].table, PT);
	assert_int_equal(t.steps[3].index, 5);
	assert_int_equal(t.steps[3].desc, 0x7000 | P);
	assert_int_equal(t.steps[3].info.kind, WALK_LEAF);
	assert_int_equal(t.steps[3].info.addr, 0x7000);

	/* 2 MiB (table 4-18): bits 20:0 of the VA are the offset. */
	t.n = 0;
	assert_int_equal(x86_s1_translate(&as, &regs, 0x212345, ACCESS_WRITE, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, 0x412345);
	assert_int_equal(res.level, 2);
	assert_int_equal(res.leaf_size, 2ULL << 20);
	assert_int_equal(t.n, 3);

	/* 1 GiB (table 4-16): bits 29:0 are the offset. */
	assert_int_equal(x86_s1_translate(&as, &regs, 0x40001234, ACCESS_FETCH, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, 0x1234);
	assert_int_equal(res.level, 1);
	assert_int_equal(res.leaf_size, 1ULL << 30);

	/* The high half: PML4 index 256. */
	t.n = 0;
	assert_int_equal(x86_s1_translate(&as, &regs, 0xffff800000001234ULL, ACCESS_READ, &res, walk_record_step, &t), 0);
	assert_int_equal(res.gpa, 0x201234);
	assert_int_equal(t.steps[0].index, 256);

	/* Paging off: linear = physical. */
	struct x86_s1_regs r = regs;
	r.cr0 &= ~X86_CR0_PG;
	assert_int_equal(x86_s1_translate(&as, &r, 0x6000, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, 0x6000);
}

static void test_not_present_and_reserved(void **state)
{
	(void)state;
	struct s1_result res;
	struct x86_s1_regs r = regs;

	/* P = 0 (4.7): P clear in the error code; W/R and U/S say what the access was. */
	assert_int_equal(x86_s1_translate(&as, &regs, 0x6000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.code, 0);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	assert_int_equal(x86_s1_translate(&as, &regs, 0x6000, ACCESS_WRITE, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.code, X86_PF_W);
	r.cpl = 3;
	assert_int_equal(x86_s1_translate(&as, &r, 0x6000, ACCESS_WRITE, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.code, X86_PF_W | X86_PF_U);
	/* Not present at level 1 (PDPT[2]); a fetch: I/D with NXE. */
	assert_int_equal(x86_s1_translate(&as, &regs, 0x80000000, ACCESS_FETCH, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.level, 1);
	assert_int_equal(res.code, X86_PF_I);

	/* Reserved bits: P and RSVD (4.7). */
	assert_int_equal(x86_s1_translate(&as, &regs, 0xa000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.code, X86_PF_P | X86_PF_RSVD);
	assert_int_equal(res.level, 3);
	assert_int_equal(x86_s1_translate(&as, &regs, 0x400000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.code, X86_PF_P | X86_PF_RSVD);
	assert_int_equal(res.level, 2);
	assert_int_equal(x86_s1_translate(&as, &regs, 0x8000000000ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	assert_int_equal(res.code, X86_PF_P | X86_PF_RSVD);
	assert_int_equal(res.level, 0);
	/* XD with EFER.NXE = 0 is a reserved bit (table 4-20 note); no I/D without NXE or SMEP. */
	r = regs;
	r.efer &= ~X86_EFER_NXE;
	assert_int_equal(x86_s1_translate(&as, &r, 0x8000, ACCESS_FETCH, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.code, X86_PF_P | X86_PF_RSVD);

	/* Non-canonical (4.5.4): a #GP, not a walk. */
	assert_int_equal(x86_s1_translate(&as, &regs, 0x0000800000000000ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_ERANGE);
	/* A table outside RAM: an EPT violation on the walk, naming the entry's GPA. */
	assert_int_equal(x86_s1_translate(&as, &regs, 0x600000, ACCESS_READ, &res, NULL, NULL), -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TABLE_NOT_RAM);
	assert_int_equal(res.gpa, 0x80000000ULL);
	assert_int_equal(res.level, 3);
	/* 5-level paging is not implemented. */
	r = regs;
	r.cr4 |= X86_CR4_LA57;
	assert_int_equal(x86_s1_translate(&as, &r, 0x5000, ACCESS_READ, &res, NULL, NULL), -CV_ENOTSUP);
}

static void test_access_rights(void **state)
{
	(void)state;
	struct s1_result res;
	struct x86_s1_regs r = regs;

	/* Supervisor write to a read-only page with CR0.WP = 1: P | W (4.6.1). */
	assert_int_equal(x86_s1_translate(&as, &regs, 0x5000, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.code, X86_PF_P | X86_PF_W);
	assert_int_equal(res.fault, FAULT_PERMISSION);
	/* CR0.WP = 0: supervisor writes ignore R/W. */
	r.cr0 &= ~X86_CR0_WP;
	assert_int_equal(x86_s1_translate(&as, &r, 0x5000, ACCESS_WRITE, &res, NULL, NULL), 0);
	/* User mode: a supervisor page faults for any access: P | U. */
	r = regs;
	r.cpl = 3;
	assert_int_equal(x86_s1_translate(&as, &r, 0x5000, ACCESS_READ, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.code, X86_PF_P | X86_PF_U);
	/* ... a user page is fine, and writable because every level has R/W. */
	assert_int_equal(x86_s1_translate(&as, &r, 0x9000, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.perm, PERM_RWX);
	/* A 2 MiB page whose PDE lacks U/S: supervisor only, even though the upper levels allow user. */
	assert_int_equal(x86_s1_translate(&as, &r, 0x200000, ACCESS_READ, &res, NULL, NULL), -CV_EPERM);

	/* XD with NXE: a fetch faults with P | I/D; reads and writes do not. */
	assert_int_equal(x86_s1_translate(&as, &regs, 0x8000, ACCESS_FETCH, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.code, X86_PF_P | X86_PF_I);
	assert_int_equal(x86_s1_translate(&as, &regs, 0x8000, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.perm, PERM_READ | PERM_WRITE);

	/* SMEP: no supervisor fetch from a user page (4.6.1). */
	r = regs;
	r.cr4 |= X86_CR4_SMEP;
	assert_int_equal(x86_s1_translate(&as, &r, 0x9000, ACCESS_FETCH, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.code, X86_PF_P | X86_PF_I);
	/* SMAP: no supervisor data access to a user page unless RFLAGS.AC. */
	r = regs;
	r.cr4 |= X86_CR4_SMAP;
	assert_int_equal(x86_s1_translate(&as, &r, 0x9000, ACCESS_READ, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(res.code, X86_PF_P);
	r.rflags = X86_RFLAGS_AC;
	assert_int_equal(x86_s1_translate(&as, &r, 0x9000, ACCESS_WRITE, &res, NULL, NULL), 0);
}

static void test_accessed_dirty(void **state)
{
	(void)state;
	struct s1_result res;

	/* The plain walk never writes. */
	assert_int_equal(x86_s1_translate(&as, &regs, 0x9000, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.code, 0);
	assert_int_equal(get(PT, 9), 0xa000 | P | RW | US);
	/* A read sets A in every entry used, D nowhere (4.8). */
	assert_int_equal(x86_s1_translate_ad(&as, &regs, 0x9000, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(get(PML4, 0), PDPT | P | RW | US | A);
	assert_int_equal(get(PDPT, 0), PD | P | RW | US | A);
	assert_int_equal(get(PD, 0), PT | P | RW | US | A);
	assert_int_equal(get(PT, 9), 0xa000 | P | RW | US | A);
	assert_int_equal(res.code, 0);
	/* A write sets D in the leaf only. */
	assert_int_equal(x86_s1_translate_ad(&as, &regs, 0x9000, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(get(PT, 9), 0xa000 | P | RW | US | A | D);
	assert_int_equal(get(PD, 0), PT | P | RW | US | A);
	assert_int_equal(res.code, X86_S1_DIRTY);
	/* ... and of a 2 MiB page, in its PDE. */
	assert_int_equal(x86_s1_translate_ad(&as, &regs, 0x200000, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(get(PD, 1), 0x400000 | P | RW | PS | A | D);
	/* A faulting walk writes nothing. */
	assert_int_equal(x86_s1_translate_ad(&as, &regs, 0x5000, ACCESS_WRITE, &res, NULL, NULL), -CV_EPERM);
	assert_int_equal(get(PT, 5), 0x7000 | P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_present_and_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_rights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accessed_dirty, setup, teardown),
	};
	return cmocka_run_group_tests_name("x86_64 stage-1 walks", tests, NULL, NULL);
}
