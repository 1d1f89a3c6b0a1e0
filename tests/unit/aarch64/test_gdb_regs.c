/* SPDX-License-Identifier: MIT */
/*
 * The debugger's hold on a simulated AArch64 CPU (src/sim/aarch64/gdb.c):
 * the target description gdb reads, registers written through it that the
 * guest then computes with (so the write reached the CPU it runs on), and
 * read back after the run, and the stage-1 walk with the MMU off.
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

#define ENTRY 0x40080000ULL

/* gdb's numbers (gdb.c). */
enum { R_X1 = 1, R_X2, R_X3, R_X4, R_X5, R_X6, R_SP = 31, R_PC, R_CPSR, R_V0, R_FPSR = 66, R_FPCR };

/*
 * The guest: its first instruction is skipped by a PC written through
 * the debugger; the rest turns the FPU on and copies what the debugger
 * wrote (x5, v3, FPCR, SP) into other registers.
 */
static const uint32_t code[] = {
    0xd29bd5a1, /* mov  x1, #0xdead (skipped) */
    0xd2a00600, /* mov  x0, #0x300000: CPACR_EL1.FPEN = 0b11 */
    0xd5181040, /* msr  cpacr_el1, x0 */
    0xd5033fdf, /* isb */
    0x910004a1, /* add  x1, x5, #1 */
    0x4e183c62, /* mov  x2, v3.d[1] */
    0x4e083c63, /* mov  x3, v3.d[0] */
    0xd53b4404, /* mrs  x4, fpcr */
    0x910003e6, /* mov  x6, sp */
    0xd503207f, /* wfi */
    0x14000000, /* b    . */
    /* MMU_ON: the guest's stage 1 on, with the registers the test gives it */
    [0x40] = 0xd518a20a, /* msr  mair_el1, x10 */
    0xd5182007,          /* msr  ttbr0_el1, x7 */
    0xd5182048,          /* msr  tcr_el1, x8 */
    0xd5033fdf,          /* isb */
    0xd5381009,          /* mrs  x9, sctlr_el1 */
    0xb2400129,          /* orr  x9, x9, #1: M */
    0xd5181009,          /* msr  sctlr_el1, x9 */
    0xd5033fdf,          /* isb */
    0xd503207f,          /* wfi */
    0x14000000,          /* b    . */
};
#define AT_ADD (ENTRY + 16)
#define MMU_ON (ENTRY + 0x100)
#define TABLE 0x40010000ULL

static struct vm *vm;
static struct sim_cpu *cpu;
static struct tdesc_reg regs[TDESC_MAX_REGS];
static unsigned nregs_xml;

static int setup(void **state)
{
	static const char text[] =
	    "[base]\nid = 4\nname = \"gdb\"\narch = \"aarch64\"\n"
	    "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x4008_0000\n"
	    "memory_regions = [[0x4000_0000, 0x800_0000, 7, 0]]\n";

	(void)state;
	return fixture_vm_boot(text, "gdb.toml", (const uint8_t *)code, sizeof(code), &vm);
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
	nregs_xml = tdesc_load("aarch64", regs, TDESC_MAX_REGS);
	assert_int_equal(nregs_xml, 68);
	assert_int_equal(sim_gdb_nregs(), 68);
	/* The names and sizes gdb's AArch64 support looks for, at the numbers the tests use. */
	assert_int_equal(tdesc_find(regs, nregs_xml, "x0")->regnum, 0);
	assert_int_equal(tdesc_find(regs, nregs_xml, "x30")->regnum, 30);
	assert_int_equal(tdesc_find(regs, nregs_xml, "sp")->regnum, R_SP);
	assert_int_equal(tdesc_find(regs, nregs_xml, "pc")->regnum, R_PC);
	assert_int_equal(tdesc_find(regs, nregs_xml, "cpsr")->regnum, R_CPSR);
	assert_int_equal(tdesc_find(regs, nregs_xml, "cpsr")->bits, 32);
	assert_int_equal(tdesc_find(regs, nregs_xml, "v0")->regnum, R_V0);
	assert_int_equal(tdesc_find(regs, nregs_xml, "v31")->regnum, R_V0 + 31);
	assert_int_equal(tdesc_find(regs, nregs_xml, "v31")->bits, 128);
	assert_int_equal(tdesc_find(regs, nregs_xml, "fpsr")->regnum, R_FPSR);
	assert_int_equal(tdesc_find(regs, nregs_xml, "fpcr")->regnum, R_FPCR);
	assert_int_equal(tdesc_find(regs, nregs_xml, "fpcr")->bits, 32);
	assert_non_null(
	    strstr(sim_gdb_xml("target.xml"), "<xi:include href=\"aarch64-fpu.xml\"/>"));
}

static void set_v3(uint64_t lo, uint64_t hi)
{
	uint8_t buf[16];
	memcpy(buf, &lo, 8);
	memcpy(buf + 8, &hi, 8);
	assert_int_equal(sim_gdb_reg(cpu, R_V0 + 3, buf, true), 16);
}

static void check_v3(uint64_t lo, uint64_t hi)
{
	uint8_t buf[16];
	uint64_t got_lo, got_hi;
	assert_int_equal(sim_gdb_reg(cpu, R_V0 + 3, buf, false), 16);
	memcpy(&got_lo, buf, 8);
	memcpy(&got_hi, buf + 8, 8);
	assert_int_equal(got_lo, lo);
	assert_int_equal(got_hi, hi);
}

/*
 * Writes through the debugger, runs the guest from AT_ADD's neighbour
 * pc, and checks what it computed and what reads back. first: before the
 * CPU ever ran (sim_arch_enter() restores less then).
 */
static void write_run_check(uint64_t pc, uint64_t x5, uint64_t lo, uint64_t hi, uint64_t fpcr,
			    uint64_t sp)
{
	const struct vcpu_arch *a = &vm->vcpus[0]->arch;

	gdb_set(cpu, R_PC, 8, pc);
	assert_int_equal(a->pc, pc);
	gdb_set(cpu, R_X5, 8, x5);
	assert_int_equal(a->x[5], x5);
	set_v3(lo, hi);
	gdb_set(cpu, R_FPCR, 4, fpcr);
	gdb_set(cpu, R_SP, 8, sp);
	assert_int_equal(a->sp_el1, sp); /* EL1h: SP is SP_EL1 */
	gdb_set(cpu, R_X1, 8, 0);

	assert_int_equal(gdb_test_run(cpu), EXIT_HALT);
	assert_int_equal(gdb_test_host_exits(), 0);

	/* What the guest computed from the written registers. */
	assert_int_equal(gdb_get(cpu, R_X1, 8), x5 + 1);
	assert_int_equal(gdb_get(cpu, R_X2, 8), hi);
	assert_int_equal(gdb_get(cpu, R_X3, 8), lo);
	assert_int_equal(gdb_get(cpu, R_X4, 8), fpcr);
	assert_int_equal(gdb_get(cpu, R_X6, 8), sp);
	/* And the registers themselves survived entering and leaving. */
	assert_int_equal(gdb_get(cpu, R_X5, 8), x5);
	check_v3(lo, hi);
	assert_int_equal(gdb_get(cpu, R_FPCR, 4), fpcr);
	assert_int_equal(gdb_get(cpu, R_SP, 8), sp);
	assert_int_equal(gdb_get(cpu, R_CPSR, 4) & 0x3ff, 0x3c5); /* still EL1h, DAIF masked */
	assert_int_equal(gdb_get(cpu, R_CPSR, 4), (uint32_t)vm->vcpus[0]->arch.pstate);
}

static void test_registers(void **state)
{
	uint8_t buf[SIM_GDB_REG_MAX];

	(void)state;
	cpu = gdb_test_cpu(vm);
	nregs_xml = tdesc_load("aarch64", regs, TDESC_MAX_REGS);
	tdesc_check_numbering(cpu, regs, nregs_xml);

	/* The boot state, as the register file holds it (Linux arm64 boot protocol). */
	const struct vcpu_arch *a = &vm->vcpus[0]->arch;
	assert_int_equal(gdb_get(cpu, R_PC, 8), ENTRY);
	assert_int_equal(gdb_get(cpu, 0, 8), vm->dtb_gpa);
	assert_int_equal(gdb_get(cpu, R_CPSR, 4), 0x3c5);
	assert_int_equal(a->pstate, 0x3c5);
	assert_int_equal(sim_gdb_reg(cpu, R_FPCR + 1, buf, false), -CV_EINVAL);
	assert_int_equal(sim_gdb_reg(cpu, R_FPCR + 1, buf, true), -CV_EINVAL);

	/* Before the first run, then after it (the register file restored differently). */
	write_run_check(AT_ADD - 12, 0x1234567890abcdefULL, 0x0102030405060708ULL,
			0x1112131415161718ULL, 0x03400000, 0x40001000);
	write_run_check(AT_ADD, 0x7ffULL, 0xa0a1a2a3a4a5a6a7ULL, 0xb0b1b2b3b4b5b6b7ULL, 0x00c00000,
			0x40002000);

	/* SP at EL1t is SP_EL0 (the register file's view, while paused). */
	struct vcpu_arch *w = &vm->vcpus[0]->arch;
	gdb_set(cpu, R_CPSR, 4, 0x3c4);
	assert_int_equal(w->pstate, 0x3c4);
	w->sp_el0 = 0x4000f000;
	assert_int_equal(gdb_get(cpu, R_SP, 8), 0x4000f000);
	gdb_set(cpu, R_CPSR, 4, 0x3c5);
	assert_int_equal(gdb_get(cpu, R_SP, 8), 0x40002000);
}

static void test_walk_mmu_off(void **state)
{
	struct s1_result res;
	unsigned steps = 0;

	(void)state;
	cpu = gdb_test_cpu(vm);
	/* SCTLR_EL1.M is clear at boot: the VA is the IPA, nothing walked. */
	memset(&res, 0xa5, sizeof(res));
	assert_int_equal(sim_cpu_s1_walk(cpu, ENTRY + 0x10, ACCESS_READ, &res, tdesc_count_step, &steps),
			 0);
	assert_int_equal(res.gpa, ENTRY + 0x10);
	assert_int_equal(res.perm, PERM_RWX);
	assert_int_equal(steps, 0);
	assert_int_equal(
	    sim_cpu_s1_walk(cpu, 0xffff000000001000ULL, ACCESS_WRITE, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, 0xffff000000001000ULL);
}

/*
 * With the guest's MMU on (turned on by the guest itself): the walk uses
 * the guest's TTBR0_EL1/TCR_EL1 from Unicorn and the exception level from
 * the register file (ARM ARM D8: 4 KiB granule, 39-bit VAs, level-1
 * blocks of 1 GiB; AP[2:1] = 00: EL1 read/write, no EL0 access).
 */
static void test_walk_mmu_on(void **state)
{
	uint64_t l1[512] = {0};
	struct s1_result res;
	unsigned steps = 0;

	(void)state;
	cpu = gdb_test_cpu(vm);
	/* VA 0x4000_0000 (the RAM, identity) and VA 0x8000_0000 (an alias) -> PA 0x4000_0000. */
	l1[1] = 0x40000000ULL | (1 << 10) | (3 << 8) | 1; /* block, AF, inner shareable */
	l1[2] = l1[1];
	assert_int_equal(addrspace_write(&vm->as, TABLE, l1, sizeof(l1)), 0);
	gdb_set(cpu, 7, 8, TABLE);
	/* T0SZ 25, inner/outer write-back, inner shareable, TG0 4 KiB, EPD1, IPS 40 bits */
	gdb_set(cpu, 8, 8, 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2ULL << 32));
	gdb_set(cpu, 10, 8, 0xff); /* MAIR_EL1 Attr0: normal write-back memory */
	gdb_set(cpu, R_PC, 8, MMU_ON);
	assert_int_equal(gdb_test_run(cpu), EXIT_HALT);
	assert_int_equal(gdb_test_host_exits(), 0);
	assert_int_equal(gdb_get(cpu, R_PC, 8) & ~0xfULL, MMU_ON + 0x20); /* ran on, translated */

	assert_int_equal(sim_cpu_s1_walk(cpu, 0x80001234, ACCESS_READ, &res, tdesc_count_step, &steps),
			 0);
	assert_int_equal(res.gpa, 0x40001234);
	assert_int_equal(res.level, 1);
	assert_int_equal(steps, 1);
	assert_int_equal(sim_cpu_s1_walk(cpu, MMU_ON, ACCESS_FETCH, &res, NULL, NULL), 0);
	assert_int_equal(res.gpa, MMU_ON);
	/* Nothing at VA 0xc000_0000: a translation fault. */
	assert_int_equal(sim_cpu_s1_walk(cpu, 0xc0000000, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	/* At EL0 (PSTATE written through the debugger) the EL1-only block is a permission fault. */
	uint64_t cpsr = gdb_get(cpu, R_CPSR, 4);
	gdb_set(cpu, R_CPSR, 4, cpsr & ~0xfULL);
	assert_int_equal(sim_cpu_s1_walk(cpu, 0x80001234, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_PERMISSION);
	gdb_set(cpu, R_CPSR, 4, cpsr);
	assert_int_equal(sim_cpu_s1_walk(cpu, 0x80001234, ACCESS_WRITE, &res, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_description),
	    cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_mmu_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_mmu_on, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
