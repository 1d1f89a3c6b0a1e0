/* SPDX-License-Identifier: MIT */
/*
 * The debugger's hold on a simulated RISC-V hart (src/sim/riscv64/gdb.c):
 * the target description gdb reads, registers and CSRs written through it
 * that the guest then computes with (so the write reached the CPU it runs
 * on), and read back after the run; the privilege level; the stage-1 walk
 * with satp Bare.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/addrspace.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>
#include <cvisor/walk.h>

#include "../../../src/sim/sim.h"
#include "../fixture.h"
#include "../gdb_tdesc.h"

#define ENTRY 0x80200000ULL

/* gdb's numbers (gdb.c): x by number, pc, f at 33 + n, CSR n at 65 + n, priv. */
enum {
	R_SP = 2,
	R_A1 = 11,
	R_A2,
	R_A3,
	R_A4,
	R_A5,
	R_S2 = 18,
	R_PC = 32,
	R_FT3 = 36,
	R_FFLAGS = 66,
	R_FRM,
	R_FCSR,
	R_SSTATUS = 65 + 0x100,
	R_SSCRATCH = 65 + 0x140,
	R_SATP = 65 + 0x180,
	R_PRIV = 65 + 4096,
};
#define SSTATUS_FS (3ULL << 13)

/*
 * The guest: its first instruction is skipped by a PC written through
 * the debugger; the rest turns the FPU on and copies what the debugger
 * wrote (s2, ft3, fcsr, sscratch, sp) into other registers.
 */
static const uint8_t code[] = {
    0xb9, 0x65, 0x9b, 0x85, 0xd5, 0xea, /* li    a1, 0xdead (skipped) */
    0x89, 0x62,                         /* lui   t0, 0x2: sstatus.FS = Initial */
    0x73, 0xa0, 0x02, 0x10,             /* csrs  sstatus, t0 */
    0x93, 0x05, 0x19, 0x00,             /* addi  a1, s2, 1 */
    0x53, 0x86, 0x01, 0xe2,             /* fmv.x.d a2, ft3 */
    0xf3, 0x26, 0x30, 0x00,             /* csrr  a3, fcsr */
    0x73, 0x27, 0x00, 0x14,             /* csrr  a4, sscratch */
    0x8a, 0x87,                         /* mv    a5, sp */
    0x73, 0x00, 0x50, 0x10,             /* wfi */
    0x01, 0xa0,                         /* j     . */
    /* MMU_ON: Sv39 on, with the satp the test gives it */
    [0x100] = 0x73, 0x10, 0x08, 0x18, /* csrw  satp, a6 */
    0x73, 0x00, 0x00, 0x12,           /* sfence.vma */
    0x73, 0x00, 0x50, 0x10,           /* wfi */
    0x01, 0xa0,                       /* j     . */
    /* TO_U: sscratch = a6, then sret to U-mode at a7 (USER) */
    [0x200] = 0x73, 0x10, 0x08, 0x14, /* csrw  sscratch, a6 */
    0x73, 0x90, 0x18, 0x14,           /* csrw  sepc, a7 */
    0x93, 0x02, 0x00, 0x10,           /* li    t0, 0x100: sstatus.SPP */
    0x73, 0xb0, 0x02, 0x10,           /* csrc  sstatus, t0 */
    0x73, 0x00, 0x20, 0x10,           /* sret */
    [0x220] = 0x01, 0xa0,             /* USER: j . */
};
#define TO_U (ENTRY + 0x200)
#define USER (ENTRY + 0x220)
#define MMU_ON (ENTRY + 0x100)
#define TABLE 0x80010000ULL
#define AFTER_LI (ENTRY + 6)
#define AT_ADDI (ENTRY + 12)

static struct vm *vm;
static struct sim_cpu *cpu;
static struct tdesc_reg regs[TDESC_MAX_REGS];
static unsigned nregs_xml;

static int setup(void **state)
{
	static const char text[] =
	    "[base]\nid = 2\nname = \"gdb\"\narch = \"riscv64\"\n"
	    "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x8020_0000\n"
	    "memory_regions = [[0x8000_0000, 0x800_0000, 7, 0]]\n";

	(void)state;
	return fixture_vm_boot(text, "gdb.toml", code, sizeof(code), &vm);
}

static int teardown(void **state)
{
	(void)state;
	sim_cpu_destroy(cpu);
	cpu = NULL;
	vm_destroy(vm);
	vm = NULL;
	return 0;
}

static void test_description(void **state)
{
	(void)state;
	nregs_xml = tdesc_load("riscv:rv64", regs, TDESC_MAX_REGS);
	/* x0..x31, pc, f0..f31, fflags, frm, fcsr, 9 supervisor CSRs, priv */
	assert_int_equal(nregs_xml, 32 + 1 + 32 + 3 + 9 + 1);
	assert_int_equal(sim_gdb_nregs(), 65); /* the g packet: x, pc, f */
	assert_int_equal(tdesc_find(regs, nregs_xml, "zero")->regnum, 0);
	assert_int_equal(tdesc_find(regs, nregs_xml, "sp")->regnum, R_SP);
	assert_int_equal(tdesc_find(regs, nregs_xml, "fp")->regnum, 8);
	assert_int_equal(tdesc_find(regs, nregs_xml, "s2")->regnum, R_S2);
	assert_int_equal(tdesc_find(regs, nregs_xml, "t6")->regnum, 31);
	assert_int_equal(tdesc_find(regs, nregs_xml, "pc")->regnum, R_PC);
	assert_int_equal(tdesc_find(regs, nregs_xml, "ft0")->regnum, 33);
	assert_int_equal(tdesc_find(regs, nregs_xml, "ft3")->regnum, R_FT3);
	assert_int_equal(tdesc_find(regs, nregs_xml, "ft11")->regnum, 64);
	assert_int_equal(tdesc_find(regs, nregs_xml, "fcsr")->regnum, R_FCSR);
	assert_int_equal(tdesc_find(regs, nregs_xml, "sstatus")->regnum, R_SSTATUS);
	assert_int_equal(tdesc_find(regs, nregs_xml, "sie")->regnum, 65 + 0x104);
	assert_int_equal(tdesc_find(regs, nregs_xml, "stvec")->regnum, 65 + 0x105);
	assert_int_equal(tdesc_find(regs, nregs_xml, "sscratch")->regnum, R_SSCRATCH);
	assert_int_equal(tdesc_find(regs, nregs_xml, "sepc")->regnum, 65 + 0x141);
	assert_int_equal(tdesc_find(regs, nregs_xml, "scause")->regnum, 65 + 0x142);
	assert_int_equal(tdesc_find(regs, nregs_xml, "stval")->regnum, 65 + 0x143);
	assert_int_equal(tdesc_find(regs, nregs_xml, "sip")->regnum, 65 + 0x144);
	assert_int_equal(tdesc_find(regs, nregs_xml, "satp")->regnum, R_SATP);
	assert_int_equal(tdesc_find(regs, nregs_xml, "priv")->regnum, R_PRIV);
}

/*
 * Writes through the debugger, runs the guest from pc to its WFI, and
 * checks what it computed and what reads back.
 */
static void write_run_check(uint64_t pc, uint64_t s2, uint64_t ft3, uint64_t fcsr,
			    uint64_t sscratch, uint64_t sp, uint64_t fs)
{
	const struct vcpu_arch *a = &vm->vcpus[0]->arch;

	gdb_set(cpu, R_PC, 8, pc);
	assert_int_equal(a->pc, pc);
	gdb_set(cpu, R_S2, 8, s2);
	assert_int_equal(a->x[18], s2);
	gdb_set(cpu, R_FT3, 8, ft3);
	gdb_set(cpu, R_FCSR, 4, fcsr);
	gdb_set(cpu, R_SSCRATCH, 8, sscratch);
	gdb_set(cpu, R_SP, 8, sp);
	gdb_set(cpu, R_A1, 8, 0);

	assert_int_equal(gdb_test_run(cpu), EXIT_HALT);
	assert_int_equal(gdb_test_host_exits(), 0);

	assert_int_equal(gdb_get(cpu, R_A1, 8), s2 + 1);
	assert_int_equal(gdb_get(cpu, R_A2, 8), ft3);
	assert_int_equal(gdb_get(cpu, R_A3, 8), fcsr);
	assert_int_equal(gdb_get(cpu, R_A4, 8), sscratch);
	assert_int_equal(gdb_get(cpu, R_A5, 8), sp);
	assert_int_equal(gdb_get(cpu, R_S2, 8), s2);
	assert_int_equal(gdb_get(cpu, R_FT3, 8), ft3);
	assert_int_equal(gdb_get(cpu, R_FCSR, 4), fcsr);
	assert_int_equal(gdb_get(cpu, R_FFLAGS, 4), fcsr & 0x1f);
	assert_int_equal(gdb_get(cpu, R_FRM, 4), (fcsr >> 5) & 7);
	assert_int_equal(gdb_get(cpu, R_SSCRATCH, 8), sscratch);
	assert_int_equal(gdb_get(cpu, R_SP, 8), sp);
	assert_int_equal(gdb_get(cpu, R_PRIV, 8), 1); /* S-mode */
	assert_int_equal(gdb_get(cpu, R_SSTATUS, 8) & SSTATUS_FS, fs);
}

static void test_registers(void **state)
{
	uint8_t buf[SIM_GDB_REG_MAX];

	(void)state;
	cpu = gdb_test_cpu(vm);
	nregs_xml = tdesc_load("riscv:rv64", regs, TDESC_MAX_REGS);
	tdesc_check_numbering(cpu, regs, nregs_xml);

	/* The boot state (SBI boot protocol: a0 = hart id, a1 = device tree). */
	assert_int_equal(gdb_get(cpu, R_PC, 8), ENTRY);
	assert_int_equal(gdb_get(cpu, 10, 8), 0);
	assert_int_equal(gdb_get(cpu, R_A1, 8), vm->dtb_gpa);
	/* Before the first run the hart is in M-mode, where Unicorn starts. */
	assert_int_equal(gdb_get(cpu, R_PRIV, 8), 3);
	assert_int_equal(gdb_get(cpu, R_SATP, 8), 0);
	/* x0 reads 0 whatever is written; priv cannot be changed. */
	gdb_set(cpu, 0, 8, 0x1234);
	assert_int_equal(gdb_get(cpu, 0, 8), 0);
	memset(buf, 0, sizeof(buf));
	buf[0] = 1;
	assert_int_equal(sim_gdb_reg(cpu, R_PRIV, buf, true), -CV_EINVAL);
	gdb_set(cpu, R_PRIV, 8, 3); /* its own value: accepted */

	/* fcsr with the FPU off: reached, and FS left Off. */
	assert_int_equal(gdb_get(cpu, R_SSTATUS, 8) & SSTATUS_FS, 0);
	gdb_set(cpu, R_FCSR, 4, 0x35);
	assert_int_equal(gdb_get(cpu, R_FCSR, 4), 0x35);
	assert_int_equal(gdb_get(cpu, R_SSTATUS, 8) & SSTATUS_FS, 0);

	/*
	 * Before the first run (through the trampoline), then after it. FS:
	 * Initial as the guest sets it (it only reads FP state); then Dirty,
	 * the debugger's writes having changed FP state the guest had on.
	 */
	write_run_check(AFTER_LI, 0x1234567890abcdefULL, 0x400921fb54442d18ULL, 0x41, 0x5151,
			0x80001000, 1ULL << 13);
	write_run_check(AT_ADDI, 0x7ff, 0xc00921fb54442d18ULL, 0x9f, 0xfeedface, 0x80002000,
			SSTATUS_FS);
}

static void test_walk_mmu_off(void **state)
{
	struct s1_result res;
	unsigned steps = 0;

	(void)state;
	cpu = gdb_test_cpu(vm);
	/* satp is Bare (before the first run, and after it: the guest does not set it). */
	memset(&res, 0xa5, sizeof(res));
	assert_int_equal(sim_cpu_s1_walk(cpu, ENTRY + 0x10, ACCESS_READ, &res, tdesc_count_step, &steps),
			 0);
	assert_int_equal(res.gpa, ENTRY + 0x10);
	assert_int_equal(res.perm, PERM_RWX);
	gdb_set(cpu, R_PC, 8, AFTER_LI);
	assert_int_equal(gdb_test_run(cpu), EXIT_HALT);
	assert_int_equal(gdb_get(cpu, R_PRIV, 8), 1);
	memset(&res, 0xa5, sizeof(res));
	assert_int_equal(
	    sim_cpu_s1_walk(cpu, 0xffffffc000001000ULL, ACCESS_FETCH, &res, tdesc_count_step, &steps), 0);
	assert_int_equal(res.gpa, 0xffffffc000001000ULL);
	assert_int_equal(res.perm, PERM_RWX);
	assert_int_equal(steps, 0);
}

/*
 * With Sv39 on (turned on by the guest itself): the walk uses satp and
 * the mode from QEMU's state (Privileged Architecture v1.12, 4.4:
 * gigapages at the root level; no U bit, so S-mode only).
 */
static void test_walk_mmu_on(void **state)
{
	uint64_t root[512] = {0};
	struct s1_result res;
	unsigned steps = 0;
	uint64_t satp = (8ULL << 60) | (TABLE >> 12);

	(void)state;
	cpu = gdb_test_cpu(vm);
	/* VA 0x8000_0000 (the RAM, identity) and VA 0xc000_0000 (an alias) -> PA 0x8000_0000. */
	root[2] = ((0x80000000ULL >> 12) << 10) | 0xcf; /* V R W X A D */
	root[3] = root[2];
	assert_int_equal(addrspace_write(&vm->as, TABLE, root, sizeof(root)), 0);
	gdb_set(cpu, 16, 8, satp); /* a6 */
	gdb_set(cpu, R_PC, 8, MMU_ON);
	assert_int_equal(gdb_test_run(cpu), EXIT_HALT);
	assert_int_equal(gdb_test_host_exits(), 0);
	assert_int_equal(gdb_get(cpu, R_SATP, 8), satp);
	assert_int_equal(gdb_get(cpu, R_PRIV, 8), 1);

	assert_int_equal(sim_cpu_s1_walk(cpu, 0xc0001234, ACCESS_READ, &res, tdesc_count_step, &steps),
			 0);
	assert_int_equal(res.gpa, 0x80001234);
	assert_int_equal(steps, 1);
	assert_int_equal(sim_cpu_s1_walk(cpu, MMU_ON, ACCESS_FETCH, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, MMU_ON);
	/* Nothing at VA 0x4000_0000: a page fault. */
	assert_int_equal(sim_cpu_s1_walk(cpu, 0x40000000, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	/* satp written through the debugger: Bare again, and the walk follows at once. */
	gdb_set(cpu, R_SATP, 8, 0);
	assert_int_equal(sim_cpu_s1_walk(cpu, 0x40000000, ACCESS_READ, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, 0x40000000);
}

/*
 * Paused in U-mode, where Unicorn's API refuses every S-mode CSR (and a
 * refused read gives garbage): the debugger still reads and writes them,
 * and the hart stays in U-mode.
 */
static void test_csrs_from_user_mode(void **state)
{
	struct vcpu_exit exit;

	(void)state;
	cpu = gdb_test_cpu(vm);
	gdb_set(cpu, 16, 8, 0x5c5c5c5c); /* a6: sscratch */
	gdb_set(cpu, 17, 8, USER);       /* a7 */
	gdb_set(cpu, R_PC, 8, TO_U);
	/* The U-mode loop runs until the (virtual) clock's deadline. */
	sim_cpu_set_deadline(cpu, sim_cpu_clock_ns(cpu) + 1000);
	assert_int_equal(sim_cpu_run(cpu, &exit), 0);
	assert_int_equal(exit.reason, EXIT_NONE);
	assert_int_equal(gdb_get(cpu, R_PC, 8), USER);
	assert_int_equal(gdb_get(cpu, R_PRIV, 8), 0);

	assert_int_equal(gdb_get(cpu, R_SSCRATCH, 8), 0x5c5c5c5c);
	assert_int_equal(gdb_get(cpu, R_SSTATUS, 8) & (1 << 8), 0); /* SPP: from U */
	assert_int_equal(gdb_get(cpu, 65 + 0x141, 8), USER);        /* sepc */
	gdb_set(cpu, R_SSCRATCH, 8, 0xabcdef);
	assert_int_equal(gdb_get(cpu, R_SSCRATCH, 8), 0xabcdef);
	assert_int_equal(gdb_get(cpu, R_PRIV, 8), 0);
	gdb_set(cpu, R_FCSR, 4, 0x21);
	assert_int_equal(gdb_get(cpu, R_FCSR, 4), 0x21);
	assert_int_equal(gdb_get(cpu, R_PRIV, 8), 0);
	/* And the hart runs on in U-mode. */
	sim_cpu_set_deadline(cpu, sim_cpu_clock_ns(cpu) + 1000);
	assert_int_equal(sim_cpu_run(cpu, &exit), 0);
	assert_int_equal(gdb_get(cpu, R_PC, 8), USER);
	assert_int_equal(gdb_get(cpu, R_PRIV, 8), 0);
	assert_int_equal(gdb_test_host_exits(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_description),
	    cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_mmu_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_mmu_on, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csrs_from_user_mode, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
