/* SPDX-License-Identifier: MIT */
/*
 * cvisor's RISC-V stage-1 walker against Unicorn's own MMU (QEMU's
 * get_physical_address) on the same tables: pseudo-random Sv39 tables
 * (gigapages, megapages, pages, pointers, invalid and reserved
 * encodings, misaligned superpages, read-only, execute-only, U pages, A
 * and D clear, a table outside RAM), walked as Sv39 and, under one more
 * level, as Sv48. For every virtual address tried, a load, a store and a
 * fetch run on a Unicorn RISC-V CPU in S-mode (under SUM and MXR
 * combinations) and in U-mode, and their outcome (the value read, where
 * the store landed, the page fault taken, the catch-all window reached)
 * must be what rv_s1_translate() predicts; where the walker says the
 * access sets A or D, Unicorn must have set exactly those bits.
 *
 * Memory: RAM at 0x8000_0000 (16 MiB) is the test's address space, mapped
 * into Unicorn from the same host pages. Its first MiB holds the code and
 * the tables; every other page starts with a nop and holds its own
 * physical address at offset 0x100. Everything else is a catch-all MMIO
 * window, as in the simulator.
 *
 * Unicorn starts in M-mode and has no API for the privilege level: one
 * instance drops to S-mode once (mret) and then sets satp and sstatus
 * itself before each access (S-mode may write both); a second instance
 * drops to U-mode with satp already set, since nothing brings it back.
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

#include "pte.h"

#define RAM 0x80000000ULL
#define RAM_SIZE 0x1000000ULL
#define TABLES (RAM + 0x1000)      /* table pages, allocated upwards */
#define DATA (RAM + 0x100000)      /* tagged pages from here */
#define TAG_OFF 0x100
#define NOT_RAM 0x20000000ULL      /* tables that are not in RAM */
#define U_ALIAS 0xc0000000ULL      /* root[3]: RAM again, as a U gigapage (U-mode code) */

/* Code offsets in RAM (see code[] below). */
#define M_ENTRY 0x00
#define NOP_AT 0x80
#define S_LOAD 0x100
#define S_STORE 0x200
#define S_FETCH 0x300
#define U_LOAD 0x400
#define U_STORE 0x410
#define U_FETCH 0x420


#define INSN_NOP 0x00000013u
#define MSTATUS_MPP_S 0x800ULL

static struct addrspace as;
static uint8_t *ram;                 /* host view of RAM */
static gpa_t next_table = TABLES;
static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t satp39, satp48;

/* What was compared. */
static unsigned n_cases, n_ok, n_fault, n_mmio, n_set_a, n_set_d, n_fetch_mmio;

static uint64_t next_rand(void)
{
	return uc_probe_rand(&rng);
}

static void put(gpa_t table, unsigned index, uint64_t pte)
{
	memcpy(ram + (table - RAM) + index * 8ULL, &pte, 8);
}

static void put32(uint64_t off, uint32_t insn)
{
	memcpy(ram + off, &insn, 4);
}

static gpa_t new_table(void)
{
	gpa_t t = next_table;
	next_table += 0x1000;
	assert_true(next_table <= DATA);
	return t;
}

/*
 * Random leaf flags: every R/W/X combination but 000 (W-only and WX are
 * reserved), U now and then, A or D clear now and then. Bits 63:54 stay
 * clear: Unicorn 2.0.1 does not check them (it folds them into the PPN).
 */
static uint64_t leaf_flags(void)
{
	uint64_t r = next_rand(), f = V | A | D;
	static const uint64_t rwx[] = { R, R | W, R | X, R | W | X, X, W, W | X, R | W, R | W | X };
	f |= rwx[r % 9];
	if ((r >> 8) % 5 == 0)
		f |= U;
	if ((r >> 16) % 6 == 0)
		f &= ~A;
	if ((r >> 24) % 4 == 0)
		f &= ~D;
	return f;
}

static uint64_t data_page(void)
{
	return DATA + (next_rand() % ((RAM_SIZE - (DATA - RAM)) / 0x1000)) * 0x1000;
}

static void fill_l3(gpa_t t)
{
	for (unsigned i = 0; i < 512; i++) {
		uint64_t r = next_rand() % 10;
		if (r < 7)
			put(t, i, PPN(data_page()) | leaf_flags());
		else if (r == 7)
			put(t, i, PPN(data_page()) | V); /* a pointer at the last level */
	}
}

/* Level 2: level-3 tables in its first entries, megapages (some misaligned), a table outside RAM. */
static void fill_l2(gpa_t t)
{
	for (unsigned i = 0; i < 512; i++) {
		uint64_t r = next_rand() % 10;
		if (i < 6 && r < 7) {
			gpa_t l3 = new_table();
			fill_l3(l3);
			put(t, i, PPN(l3) | V);
		} else if (r < 5) {
			uint64_t mega = RAM + 0x200000 * (1 + next_rand() % 7);
			if (next_rand() % 8 == 0)
				mega += 0x1000; /* misaligned */
			put(t, i, PPN(mega) | leaf_flags());
		} else if (r == 5 && i % 64 == 7) {
			put(t, i, PPN(NOT_RAM) | V);
		}
	}
}

static void run(uc_engine *uc, uint64_t pc, uint64_t until)
{
	memset(&uc_got, 0, sizeof(uc_got));
	uc_err e = uc_emu_start(uc, pc, until, 0, 64);
	uc_got.err = (int)e;
}

static void set(uc_engine *uc, int reg, uint64_t v)
{
	assert_int_equal(uc_reg_write(uc, reg, &v), UC_ERR_OK);
}

/*
 * A Unicorn RISC-V CPU on the test's memory, taken from M-mode to mode
 * mpp (S: 0x800, U: 0) by the M-mode code at RAM, with satp already set
 * (U-mode cannot set it) and landing on the nop at entry.
 */
static uc_engine *open_cpu(uint64_t mpp, uint64_t satp, uint64_t entry)
{
	uc_engine *uc;

	assert_int_equal(uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc), UC_ERR_OK);
	uc_probe_map(uc, RAM, RAM_SIZE, ram);
	set(uc, UC_RISCV_REG_T0, mpp);
	set(uc, UC_RISCV_REG_T1, entry);
	set(uc, UC_RISCV_REG_T2, satp);
	run(uc, RAM + M_ENTRY, entry);
	assert_int_equal(uc_got.err, UC_ERR_OK);
	assert_int_equal(uc_got.intno, 0);
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
		put32(pa - RAM, INSN_NOP);
		memcpy(ram + (pa - RAM) + TAG_OFF, &pa, 8);
	}
	/* M-mode: csrw satp, t2; sfence.vma; csrw mepc, t1; csrw mstatus, t0; mret. */
	static const uint32_t m_code[] = { 0x18039073, 0x12000073, 0x34131073, 0x30029073, 0x30200073 };
	memcpy(ram + M_ENTRY, m_code, sizeof(m_code));
	put32(NOP_AT, INSN_NOP);
	/* S-mode: csrw sstatus, a3; csrw satp, a2; sfence.vma; then the access. */
	static const uint32_t s_prefix[] = { 0x10069073, 0x18061073, 0x12000073 };
	static const uint32_t access[] = { 0x0005b503 /* ld a0, 0(a1) */, 0x00e5b023 /* sd a4, 0(a1) */,
					   0x000580e7 /* jalr ra, 0(a1) */ };
	for (unsigned k = 0; k < 3; k++) {
		memcpy(ram + S_LOAD + 0x100 * k, s_prefix, sizeof(s_prefix));
		put32(S_LOAD + 0x100 * k + 12, access[k]);
		put32(U_LOAD + 0x10 * k, access[k]);
	}

	/* Sv39 root: [2] identity of RAM's gigapage (S, RWX), [3] the same as a U page. */
	gpa_t root = new_table();
	put(root, 2, PPN(RAM) | D | A | X | W | R | V);
	put(root, 3, PPN(RAM) | D | A | X | W | R | U | V);
	static const unsigned used[] = { 0, 1, 4, 5, 6, 256, 257, 300, 400, 510, 511 };
	for (unsigned k = 0; k < sizeof(used) / sizeof(used[0]); k++) {
		unsigned i = used[k];
		uint64_t r = next_rand() % 10;
		if (r < 6 || i == 256 || i == 511) {
			gpa_t l2 = new_table();
			fill_l2(l2);
			put(root, i, PPN(l2) | V);
		} else if (r < 8) {
			put(root, i, PPN(RAM + (r == 7 ? 0x200000 : 0)) | leaf_flags()); /* r 7: misaligned */
		} else if (r == 8) {
			put(root, i, PPN(NOT_RAM) | V);
		}
	}
	satp39 = RV_SATP_MODE_SV39 << 60 | (root >> 12);
	/* Sv48: [0] and [511] -> the Sv39 root as level 1; [1] a terapage (GPA 0 + VA bits 38:0). */
	gpa_t root48 = new_table();
	put(root48, 0, PPN(root) | V);
	put(root48, 511, PPN(root) | V);
	put(root48, 1, PPN(0ULL) | D | A | X | W | R | V);
	satp48 = RV_SATP_MODE_SV48 << 60 | (root48 >> 12);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	addrspace_destroy(&as);
	return 0;
}

/* The walk, remembering the leaf PTE's GPA. */
static gpa_t leaf_at;
static void last_step(const struct walk_step *step, void *ctx)
{
	(void)ctx;
	leaf_at = step->table + step->index * 8ULL;
}

static int walk(const struct rv_s1_regs *r, uint64_t va, enum access_kind access,
		struct s1_result *res)
{
	leaf_at = 0;
	return rv_s1_translate(&as, r, va, access, res, last_step, NULL);
}

static int fault_intno(enum access_kind access)
{
	return access == ACCESS_READ ? 13 : access == ACCESS_WRITE ? 15 : 12;
}

/*
 * Compares one access: what the walker predicts (rc, res) with what
 * Unicorn did (got), and the leaf's A/D bits before (pte0) and after.
 */
static void compare(const char *mode, uint64_t va, enum access_kind access, int rc,
		    const struct s1_result *res, gpa_t leaf, uint64_t pte0, uint64_t value)
{
	static const char *names[] = { "load", "store", "fetch" };
	char what[128];
	snprintf(what, sizeof(what), "%s %s at VA 0x%llx", mode, names[access], (unsigned long long)va);
	n_cases++;
	if (rc == -CV_EFAULT && res->fault == FAULT_TABLE_NOT_RAM) {
		/* A table not in RAM: Unicorn's walk reads it from the catch-all window. */
		if (!uc_got.mmio || uc_got.mmio_addr != res->gpa)
			fail_msg("%s: walker reads a table entry at GPA 0x%llx outside RAM; Unicorn: mmio %d at "
				 "0x%llx, intno %d", what, (unsigned long long)res->gpa, uc_got.mmio,
				 (unsigned long long)uc_got.mmio_addr, uc_got.intno);
		n_mmio++;
		return;
	}
	if (rc < 0) {
		if (uc_got.intno != fault_intno(access) || uc_got.mmio)
			fail_msg("%s: walker faults (kind %s, level %d), Unicorn: intno %d, mmio %d at 0x%llx, "
				 "err %d", what, walk_fault_name(res->fault), res->level, uc_got.intno, uc_got.mmio,
				 (unsigned long long)uc_got.mmio_addr, uc_got.err);
		n_fault++;
		return;
	}
	if (uc_got.intno)
		fail_msg("%s: walker gives GPA 0x%llx, Unicorn took exception %d", what,
			 (unsigned long long)res->gpa, uc_got.intno);
	if (res->gpa < RAM || res->gpa >= RAM + RAM_SIZE) {
		if (!uc_got.mmio || uc_got.mmio_addr != (access == ACCESS_FETCH ? res->gpa & ~3ULL : res->gpa))
			fail_msg("%s: walker gives GPA 0x%llx outside RAM, Unicorn: mmio %d at 0x%llx", what,
				 (unsigned long long)res->gpa, uc_got.mmio, (unsigned long long)uc_got.mmio_addr);
		n_mmio++;
		n_fetch_mmio += access == ACCESS_FETCH;
	} else if (access != ACCESS_FETCH && value != *(uint64_t *)(ram + (res->gpa - RAM))) {
		fail_msg("%s: walker gives GPA 0x%llx, Unicorn saw 0x%llx there", what,
			 (unsigned long long)res->gpa, (unsigned long long)value);
	} else {
		n_ok++;
	}
	/* A and D: Unicorn sets in the leaf exactly what the walker says the access sets. */
	uint64_t pte1;
	memcpy(&pte1, ram + (leaf - RAM), 8);
	uint64_t want = pte0 | ((res->code & RV_S1_SETS_A) ? A : 0) | ((res->code & RV_S1_SETS_D) ? D : 0);
	if (pte1 != want)
		fail_msg("%s: leaf PTE 0x%llx became 0x%llx, walker expected 0x%llx", what,
			 (unsigned long long)pte0, (unsigned long long)pte1, (unsigned long long)want);
	n_set_a += (pte1 & ~pte0 & A) != 0;
	n_set_d += (pte1 & ~pte0 & D) != 0;
	memcpy(ram + (leaf - RAM), &pte0, 8); /* clear them again for the next accesses */
}

/* Runs one access on uc (S-mode when s_mode, with r's satp and sstatus) and compares. */
static void check(uc_engine *uc, bool s_mode, const struct rv_s1_regs *r, uint64_t va,
		  enum access_kind access)
{
	struct s1_result res;
	uint64_t pte0 = 0, value = 0;
	uint64_t marker = va ^ 0x5a5a5a5a5a5a5a5aULL;

	int rc = walk(r, va, access, &res);
	gpa_t leaf = leaf_at;
	/* Stores only where they cannot hit the code or the tables. */
	if (access == ACCESS_WRITE && rc == 0 && res.gpa >= RAM && res.gpa < DATA)
		return;
	/* Fetches run the nop at the start of a data page, or end outside RAM. */
	if (access == ACCESS_FETCH && rc == 0 && res.gpa >= RAM && res.gpa < DATA)
		return;
	if (leaf)
		memcpy(&pte0, ram + (leaf - RAM), 8);
	set(uc, UC_RISCV_REG_A1, va);
	set(uc, UC_RISCV_REG_A4, marker);
	if (s_mode) {
		set(uc, UC_RISCV_REG_A2, r->satp);
		set(uc, UC_RISCV_REG_A3, r->sstatus);
		uint64_t at = RAM + S_LOAD + 0x100 * access;
		run(uc, at, access == ACCESS_FETCH ? va + 4 : at + 16);
	} else {
		uint64_t at = U_ALIAS + U_LOAD + 0x10 * access;
		run(uc, at, access == ACCESS_FETCH ? va + 4 : at + 4);
	}
	uc_reg_read(uc, UC_RISCV_REG_A0, &value);
	if (access == ACCESS_WRITE)
		value = marker;
	char mode[48];
	snprintf(mode, sizeof(mode), "%s%s%s %s", s_mode ? "S" : "U",
		 (r->sstatus & RV_SSTATUS_SUM) ? "+SUM" : "", (r->sstatus & RV_SSTATUS_MXR) ? "+MXR" : "",
		 r->satp >> 60 == RV_SATP_MODE_SV48 ? "Sv48" : "Sv39");
	compare(mode, va, access, rc, &res, leaf, pte0, value);
	if (access == ACCESS_WRITE && rc == 0 && res.gpa >= DATA && res.gpa < RAM + RAM_SIZE) {
		/* Put the tag back. */
		gpa_t page = res.gpa & ~0xfffULL;
		memcpy(ram + (res.gpa - RAM), &res.gpa, 8);
		put32(page - RAM, INSN_NOP);
		memcpy(ram + (page - RAM) + TAG_OFF, &page, 8);
	}
}

/* A random VA in one of the ranges the tables populate, for satp's mode. */
static uint64_t random_va(bool sv48)
{
	static const uint64_t sv39_bases[] = {
		0x0000000000000000ULL, 0x0000000040000000ULL, 0x0000000080000000ULL,
		0x0000000100000000ULL, 0x0000000140000000ULL, 0x0000000180000000ULL,
		0xffffffc000000000ULL, 0xffffffc040000000ULL, 0xffffffcb00000000ULL,
		0xffffffe400000000ULL, 0xffffffff80000000ULL, 0xffffffffc0000000ULL,
		0x0000004000000000ULL, /* not canonical for Sv39 */
	};
	uint64_t base = sv39_bases[next_rand() % (sizeof(sv39_bases) / sizeof(sv39_bases[0]))];
	if (sv48) { /* the same tables one level down: L0[0], L0[511] (high half), L0[1] (terapage) */
		uint64_t r = next_rand() % 4;
		base &= (1ULL << 39) - 1;
		base |= r == 0 ? 0xffffff8000000000ULL : r == 1 ? 1ULL << 39 : 0;
	}
	uint64_t off = (next_rand() % 2 ? next_rand() % 8 : next_rand() % 512) << 21;
	off += (next_rand() % 512) << 12;
	if (base == 0x0000000080000000ULL)
		off = (DATA - RAM) + (next_rand() % 0x2000) * 0x1000; /* the identity: data and beyond */
	return base + (off & 0x3fffffffULL) + TAG_OFF;
}

static void test_agrees_with_unicorn(void **state)
{
	(void)state;
	uc_engine *s = open_cpu(MSTATUS_MPP_S, 0, RAM + NOP_AT);
	uc_engine *u = open_cpu(0, satp39, U_ALIAS + NOP_AT);
	static const uint64_t sstatus[] = { 0, RV_SSTATUS_SUM, RV_SSTATUS_MXR,
					    RV_SSTATUS_SUM | RV_SSTATUS_MXR };

	for (unsigned i = 0; i < 1200; i++) {
		bool sv48 = i % 3 == 2;
		struct rv_s1_regs r = { .satp = sv48 ? satp48 : satp39, .priv = RV_PRIV_S,
					.sstatus = sstatus[(i / 3) % 4] };
		uint64_t va = random_va(sv48);
		for (int a = ACCESS_READ; a <= ACCESS_FETCH; a++)
			check(s, true, &r, a == ACCESS_FETCH ? va & ~0xfffULL : va, (enum access_kind)a);
		if (!sv48) {
			struct rv_s1_regs ur = { .satp = satp39, .priv = RV_PRIV_U };
			for (int a = ACCESS_READ; a <= ACCESS_FETCH; a++)
				check(u, false, &ur, a == ACCESS_FETCH ? va & ~0xfffULL : va,
				      (enum access_kind)a);
		}
	}
	print_message("%u accesses compared: %u translated to RAM, %u page faults, %u reached a "
		      "catch-all window (%u of them fetches); Unicorn set A %u times, D %u times\n",
		      n_cases, n_ok, n_fault, n_mmio, n_fetch_mmio, n_set_a, n_set_d);
	/* Every kind of outcome was exercised. */
	assert_true(n_ok > 100 && n_fault > 100 && n_mmio > 10 && n_set_a > 10 && n_set_d > 10);
	uc_close(s);
	uc_close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_agrees_with_unicorn, setup, teardown),
	};
	return cmocka_run_group_tests_name("riscv64 stage-1 walker vs Unicorn's MMU", tests, NULL, NULL);
}
