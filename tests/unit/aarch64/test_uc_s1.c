/* SPDX-License-Identifier: MIT */
/*
 * cvisor's AArch64 stage-1 walker against Unicorn's own MMU (QEMU's
 * get_phys_addr_lpae) on the same tables: pseudo-random 4 KiB-granule
 * tables (blocks, pages, invalid entries, read-only, no-execute, access
 * flag clear) under a 39-bit TTBR0 range and a 48-bit TTBR1 range; for
 * every virtual address tried, a load, a store and a fetch run on a
 * Unicorn Cortex-A72 at EL1, and their outcome (the value read, where the
 * store landed, the exception taken) must be what a64_s1_translate()
 * predicts.
 *
 * Memory: RAM at 0x4000_0000 (16 MiB) is the test's address space, mapped
 * into Unicorn from the same host pages. Its first MiB holds the code and
 * the tables; every other page starts with BRK #1 and holds its own
 * physical address at offset 0x100. Everything else is a catch-all MMIO
 * window, as in the simulator: an access whose physical address is not RAM
 * arrives there with that address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <unicorn/unicorn.h>

#include <arch/stage1.h>

#include "../uc_probe.h"

#define RAM 0x40000000ULL
#define RAM_SIZE 0x1000000ULL
#define CODE RAM
#define TABLES (RAM + 0x1000)        /* table pages, allocated upwards */
#define DATA (RAM + 0x100000)        /* tagged pages from here */
#define TAG_OFF 0x100
#define BRK1 0xd4200020u

/* Descriptor bits (ARM ARM D8.3). */
#define VALID 0x1ULL
#define TABLE_BIT 0x2ULL
#define AF (1ULL << 10)
#define AP2 (1ULL << 7)            /* read-only */
#define AP1 (1ULL << 6)            /* EL0 access (and so implicit PXN when writable) */
#define PXN (1ULL << 53)
#define NORMAL ((3ULL << 8))       /* AttrIndx 0, inner shareable */

static struct addrspace as;
static struct a64_s1_regs regs;
static uint8_t *ram;                /* host view of RAM */
static gpa_t next_table = TABLES;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
	return uc_probe_rand(&rng);
}

static void put(gpa_t table, unsigned index, uint64_t desc)
{
	memcpy(ram + (table - RAM) + index * 8ULL, &desc, 8);
}

static gpa_t new_table(void)
{
	gpa_t t = next_table;
	next_table += 0x1000;
	assert_true(next_table <= DATA);
	return t;
}

/* A random data page or 2 MiB-aligned data block of RAM. */
static uint64_t data_page(void)
{
	return DATA + (next_rand() % ((RAM_SIZE - (DATA - RAM)) / 0x1000)) * 0x1000;
}

/* Random leaf attributes: mostly valid, some read-only, no-execute, AF clear, EL0. */
static uint64_t leaf_attrs(void)
{
	uint64_t r = next_rand(), a = NORMAL | AF;
	if (r % 5 == 0)
		a |= AP2;
	if ((r >> 8) % 4 == 0)
		a |= PXN;
	if ((r >> 16) % 9 == 0)
		a &= ~AF;
	if ((r >> 24) % 7 == 0)
		a |= AP1;
	return a;
}

/* Fills a level-3 table: pages, some invalid. */
static void fill_l3(gpa_t t)
{
	for (unsigned i = 0; i < 512; i++)
		if (next_rand() % 6)
			put(t, i, data_page() | leaf_attrs() | VALID | TABLE_BIT);
}

/* Fills a level-2 table: level-3 tables in its first 8 entries, 2 MiB blocks into RAM, some invalid. */
static void fill_l2(gpa_t t)
{
	for (unsigned i = 0; i < 512; i++) {
		uint64_t r = next_rand() % 8;
		if (i < 8 && r < 6) {
			gpa_t l3 = new_table();
			fill_l3(l3);
			put(t, i, l3 | VALID | TABLE_BIT);
		} else if (r < 5) {
			uint64_t block = RAM + 0x200000 * (1 + next_rand() % 7);
			put(t, i, block | leaf_attrs() | VALID);
		}
	}
}

static void cp_write(uc_engine *uc, int op0, int op1, int crn, int crm, int op2, uint64_t val)
{
	uc_arm64_cp_reg r = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2, .val = val };
	assert_int_equal(uc_reg_write(uc, UC_ARM64_REG_CP_REG, &r), UC_ERR_OK);
}

static uc_engine *open_cpu(void)
{
	uc_engine *uc;

	assert_int_equal(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
	uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_A72);
	cp_write(uc, 3, 6, 1, 1, 0, 1ULL << 10);                  /* SCR_EL3.RW: EL1 is AArch64 */
	uc_probe_map(uc, RAM, RAM_SIZE, ram);
	cp_write(uc, 3, 0, 10, 2, 0, 0xff);                       /* MAIR_EL1: Attr0 normal */
	cp_write(uc, 3, 0, 2, 0, 2, regs.tcr);
	cp_write(uc, 3, 0, 2, 0, 0, regs.ttbr0);
	cp_write(uc, 3, 0, 2, 0, 1, regs.ttbr1);
	cp_write(uc, 3, 0, 1, 0, 0, 0x30d00800 | regs.sctlr);     /* SCTLR_EL1: RES1 bits, M */
	return uc;
}

static int setup(void **state)
{
	(void)state;
	if (addrspace_init(&as) < 0 || addrspace_add_ram(&as, RAM, RAM_SIZE, PERM_RWX, "ram") < 0)
		return -1;
	ram = addrspace_gpa_to_hva(&as, RAM, RAM_SIZE, ACCESS_WRITE);
	if (!ram)
		return -1;
	for (uint64_t pa = DATA; pa < RAM + RAM_SIZE; pa += 0x1000) {
		uint32_t brk = BRK1;
		memcpy(ram + (pa - RAM), &brk, 4);
		memcpy(ram + (pa - RAM) + TAG_OFF, &pa, 8);
	}
	/* Code: ldr x0, [x1]; brk #0; str x2, [x1]; brk #0. */
	static const uint32_t code[] = { 0xf9400020, 0xd4200000, 0xf9000022, 0xd4200000 };
	memcpy(ram, code, sizeof(code));

	/* TTBR0, 39 bits from level 1: [1] the identity block holding code and tables. */
	gpa_t l1 = new_table();
	put(l1, 1, RAM | NORMAL | AF | VALID);
	for (unsigned i = 0; i < 512; i++) {
		if (i == 1)
			continue;
		uint64_t r = next_rand() % 10;
		if (r < 2 && i < 4) {
			gpa_t l2 = new_table();
			fill_l2(l2);
			put(l1, i, l2 | VALID | TABLE_BIT);
		} else if (r < 4) {
			put(l1, i, RAM | leaf_attrs() | VALID); /* 1 GiB blocks: only their first 16 MiB is RAM */
		}
	}
	/* TTBR1, 48 bits from level 0: [511] and [256] -> level 1 tables. */
	gpa_t l0 = new_table();
	unsigned tops[] = { 256, 511 };
	for (unsigned k = 0; k < 2; k++) {
		gpa_t t = new_table();
		put(l0, tops[k], t | VALID | TABLE_BIT);
		for (unsigned i = 0; i < 4; i++) {
			gpa_t l2 = new_table();
			fill_l2(l2);
			put(t, i, l2 | VALID | TABLE_BIT);
		}
		put(t, 5, RAM | leaf_attrs() | VALID);
	}
	regs.sctlr = 1;
	/* T0SZ 25, T1SZ 16, TG0 4 KiB, TG1 4 KiB, IPS 40 bits. */
	regs.tcr = 25 | (16ULL << 16) | (2ULL << 30) | (2ULL << 32);
	regs.ttbr0 = l1;
	regs.ttbr1 = l0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	addrspace_destroy(&as);
	return 0;
}

static void run(uc_engine *uc, uint64_t pc, uint64_t x1, uint64_t x2)
{
	memset(&uc_got, 0, sizeof(uc_got));
	uc_reg_write(uc, UC_ARM64_REG_X1, &x1);
	uc_reg_write(uc, UC_ARM64_REG_X2, &x2);
	uc_err e = uc_emu_start(uc, pc, 0, 0, 4);
	if (e != UC_ERR_OK && !uc_got.intno && !uc_got.mmio)
		uc_got.intno = -(int)e;
}

/* Checks one VA: load, store and fetch agree with the walker. Returns how many leaves it hit. */
static unsigned check_va(uc_engine *uc, uint64_t va)
{
	struct s1_result res;
	char what[96];
	uint64_t x0;
	int rc;

	/* Load. */
	rc = a64_s1_translate(&as, &regs, va, ACCESS_READ, &res, NULL, NULL);
	run(uc, CODE, va, 0);
	snprintf(what, sizeof(what), "load at VA 0x%llx", (unsigned long long)va);
	if (rc < 0) {
		if (uc_got.intno != 4)
			fail_msg("%s: walker faults (kind %d, level %d), Unicorn gave intno %d mmio %d",
				 what, res.fault, res.level, uc_got.intno, uc_got.mmio);
	} else if (res.gpa >= RAM && res.gpa < RAM + RAM_SIZE) {
		uint64_t want;
		memcpy(&want, ram + (res.gpa - RAM), 8);
		uc_reg_read(uc, UC_ARM64_REG_X0, &x0);
		if (uc_got.intno != 7 || x0 != want)
			fail_msg("%s: walker gives GPA 0x%llx (0x%llx), Unicorn read 0x%llx (intno %d)",
				 what, (unsigned long long)res.gpa, (unsigned long long)want,
				 (unsigned long long)x0, uc_got.intno);
	} else if (!uc_got.mmio || uc_got.mmio_addr != res.gpa) {
		fail_msg("%s: walker gives GPA 0x%llx outside RAM, Unicorn: mmio %d at 0x%llx, intno %d",
			 what, (unsigned long long)res.gpa, uc_got.mmio, (unsigned long long)uc_got.mmio_addr,
			 uc_got.intno);
	}
	unsigned leaves = rc == 0;

	/* Store (only where it cannot hit the code or the tables). */
	rc = a64_s1_translate(&as, &regs, va, ACCESS_WRITE, &res, NULL, NULL);
	if (rc < 0 || res.gpa >= DATA) {
		uint64_t marker = va ^ 0x5a5a5a5a5a5a5a5aULL, after = 0;
		run(uc, CODE + 8, va, marker);
		snprintf(what, sizeof(what), "store at VA 0x%llx", (unsigned long long)va);
		if (rc < 0) {
			if (uc_got.intno != 4)
				fail_msg("%s: walker faults (kind %d), Unicorn gave intno %d mmio %d", what,
					 res.fault, uc_got.intno, uc_got.mmio);
		} else if (res.gpa < RAM + RAM_SIZE) {
			memcpy(&after, ram + (res.gpa - RAM), 8);
			if (uc_got.intno != 7 || after != marker)
				fail_msg("%s: walker gives GPA 0x%llx, Unicorn stored elsewhere (intno %d)",
					 what, (unsigned long long)res.gpa, uc_got.intno);
			memcpy(ram + (res.gpa - RAM), &res.gpa, 8); /* put the tag back */
			uint64_t tag_pa = res.gpa & ~0xfffULL;
			memcpy(ram + (tag_pa - RAM) + TAG_OFF, &tag_pa, 8);
		} else if (!uc_got.mmio || uc_got.mmio_addr != res.gpa) {
			fail_msg("%s: walker gives GPA 0x%llx outside RAM, Unicorn did not go there", what,
				 (unsigned long long)res.gpa);
		}
	}

	/* Fetch: run the BRK #1 at the start of the page. */
	uint64_t page = va & ~0xfffULL;
	rc = a64_s1_translate(&as, &regs, page, ACCESS_FETCH, &res, NULL, NULL);
	if (rc < 0 || (res.gpa >= DATA && res.gpa < RAM + RAM_SIZE)) {
		run(uc, page, 0, 0);
		snprintf(what, sizeof(what), "fetch at VA 0x%llx", (unsigned long long)page);
		if (rc < 0 && uc_got.intno != 3)
			fail_msg("%s: walker faults (kind %d), Unicorn gave intno %d", what, res.fault,
				 uc_got.intno);
		if (rc == 0 && uc_got.intno != 7)
			fail_msg("%s: walker gives GPA 0x%llx, Unicorn gave intno %d", what,
				 (unsigned long long)res.gpa, uc_got.intno);
	}
	return leaves;
}

static void test_agrees_with_unicorn(void **state)
{
	(void)state;
	uc_engine *uc = open_cpu();
	unsigned tried = 0, leaves = 0;
	static const uint64_t bases[] = {
		0x0000000000000000ULL, 0x0000000040000000ULL, 0x0000000080000000ULL,
		0x00000000c0000000ULL, 0x0000005000000000ULL, 0xffff800000000000ULL,
		0xffffff8000000000ULL, 0xffff800140000000ULL,
	};

	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
		for (unsigned i = 0; i < 160; i++) {
			/* Spread over the range's first 4 GiB, 2 MiB and 4 KiB steps mixed. */
			uint64_t off = (next_rand() % 4 == 0) ? (next_rand() % 4) << 30 : 0;
			off += (next_rand() % 2 ? next_rand() % 8 : next_rand() % 512) << 21;
			off += (next_rand() % 512) << 12;
			if (bases[b] == 0x0000000040000000ULL) /* the identity block: data area and beyond */
				off = (DATA - RAM) + (next_rand() % 0x2000) * 0x1000;
			leaves += check_va(uc, bases[b] + off + TAG_OFF);
			tried++;
		}
	/* Outside both ranges (neither TTBR0 nor TTBR1). */
	leaves += check_va(uc, 0x0000800000000000ULL + TAG_OFF);
	tried++;
	print_message("%u virtual addresses compared, %u translated, %u faulted\n", tried, leaves,
		      tried - leaves);
	assert_true(leaves > tried / 5 && leaves < tried); /* both outcomes were exercised */
	uc_close(uc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_agrees_with_unicorn, setup, teardown),
	};
	return cmocka_run_group_tests_name("aarch64 stage-1 walker vs Unicorn's MMU", tests, NULL, NULL);
}
