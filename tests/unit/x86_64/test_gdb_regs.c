/* SPDX-License-Identifier: MIT */
/*
 * The debugger's hold on a simulated x86_64 CPU (src/sim/x86_64/gdb.c):
 * the target description gdb reads, registers written through it that the
 * guest then computes with (so the write reached the CPU it runs on), and
 * read back after the run; the x87 stack; registers gdb may not change;
 * the stage-1 walk through the boot page tables and with paging off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/stage1.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>
#include <cvisor/walk.h>

#include "../../../src/sim/sim.h"
#include "../fixture.h"
#include "../gdb_tdesc.h"

#define ENTRY 0x100000ULL

/* gdb's numbers (gdb.c). */
enum {
	R_RAX,
	R_RBX,
	R_RCX,
	R_RDX,
	R_RSI,
	R_RDI,
	R_RBP,
	R_RSP,
	R_RIP = 16,
	R_EFLAGS,
	R_CS,
	R_SS,
	R_ST0 = 24,
	R_FCTRL = 32,
	R_FSTAT,
	R_FTAG,
	R_XMM0 = 40,
	R_MXCSR = 56,
	R_FS_BASE,
	R_GS_BASE,
	R_CR0,
	R_CR2,
	R_CR3,
	R_CR4,
	R_EFER,
};

/*
 * The guest: its first instruction is skipped by a RIP written through
 * the debugger; the rest turns SSE on (CR4.OSFXSR | OSXMMEXCPT) and
 * copies what the debugger wrote (rbx, xmm3, rsp) into other registers.
 * The MOV to CR4 is not in the run's first block: the simulator finds the
 * instructions it intercepts in the blocks Unicorn reports as it
 * translates them (insn.c), and a run's first block was not reported
 * (measured: without the JMP, Unicorn's CR4 changed, the register file's
 * did not).
 */
static const uint8_t code[] = {
    0xb9, 0xad, 0xde, 0x00, 0x00,             /* mov    $0xdead, %ecx (skipped) */
    0xeb, 0x00,                               /* jmp    1f; 1: (ends the run's first block) */
    0x0f, 0x20, 0xe0,                         /* mov    %cr4, %rax */
    0x48, 0x0d, 0x00, 0x06, 0x00, 0x00,       /* or     $0x600, %rax */
    0x0f, 0x22, 0xe0,                         /* mov    %rax, %cr4 */
    0x48, 0x8d, 0x4b, 0x01,                   /* lea    1(%rbx), %rcx */
    0x66, 0x48, 0x0f, 0x7e, 0xda,             /* movq   %xmm3, %rdx */
    0x66, 0x48, 0x0f, 0x3a, 0x16, 0xde, 0x01, /* pextrq $1, %xmm3, %rsi */
    0x48, 0x89, 0xe7,                         /* mov    %rsp, %rdi */
    0xf4,                                     /* hlt */
    0xeb, 0xfe,                               /* jmp    . */
};
#define AFTER_MOV (ENTRY + 5)
#define AT_LEA (ENTRY + 19)

static struct vm *vm;
static struct sim_cpu *cpu;
static struct tdesc_reg regs[TDESC_MAX_REGS];
static unsigned nregs_xml;

static int setup(void **state)
{
	static const char text[] =
	    "[base]\nid = 3\nname = \"gdb\"\narch = \"x86_64\"\n"
	    "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x10_0000\n"
	    "memory_regions = [[0, 0x100_0000, 7, 0]]\n";

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
	nregs_xml = tdesc_load("i386:x86-64", regs, TDESC_MAX_REGS);
	assert_int_equal(nregs_xml, 64);
	assert_int_equal(sim_gdb_nregs(), 64);
	static const struct {
		const char *name;
		unsigned regnum, bits;
	} want[] = {
	    {"rax", R_RAX, 64},         {"rbx", R_RBX, 64},
	    {"rsp", R_RSP, 64},         {"r15", 15, 64},
	    {"rip", R_RIP, 64},         {"eflags", R_EFLAGS, 32},
	    {"cs", R_CS, 32},           {"gs", 23, 32},
	    {"st0", R_ST0, 80},         {"st7", 31, 80},
	    {"fctrl", R_FCTRL, 32},     {"fop", 39, 32},
	    {"xmm0", R_XMM0, 128},      {"xmm15", 55, 128},
	    {"mxcsr", R_MXCSR, 32},     {"fs_base", R_FS_BASE, 64},
	    {"gs_base", R_GS_BASE, 64}, {"cr0", R_CR0, 64},
	    {"cr2", R_CR2, 64},         {"cr3", R_CR3, 64},
	    {"cr4", R_CR4, 64},         {"efer", R_EFER, 64},
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const struct tdesc_reg *r = tdesc_find(regs, nregs_xml, want[i].name);
		assert_int_equal(r->regnum, want[i].regnum);
		assert_int_equal(r->bits, want[i].bits);
	}
}

static void set_xmm3(uint64_t lo, uint64_t hi)
{
	uint8_t buf[16];
	memcpy(buf, &lo, 8);
	memcpy(buf + 8, &hi, 8);
	assert_int_equal(sim_gdb_reg(cpu, R_XMM0 + 3, buf, true), 16);
}

static void check_xmm3(uint64_t lo, uint64_t hi)
{
	uint8_t buf[16];
	uint64_t got_lo, got_hi;
	assert_int_equal(sim_gdb_reg(cpu, R_XMM0 + 3, buf, false), 16);
	memcpy(&got_lo, buf, 8);
	memcpy(&got_hi, buf + 8, 8);
	assert_int_equal(got_lo, lo);
	assert_int_equal(got_hi, hi);
}

/* Writes through the debugger, runs the guest from rip to its HLT, checks. */
static void write_run_check(uint64_t rip, uint64_t rbx, uint64_t lo, uint64_t hi, uint64_t rsp)
{
	const struct vcpu_arch *a = &vm->vcpus[0]->arch;

	gdb_set(cpu, R_RIP, 8, rip);
	assert_int_equal(a->rip, rip);
	gdb_set(cpu, R_RBX, 8, rbx);
	assert_int_equal(a->gpr[X86_RBX], rbx);
	set_xmm3(lo, hi);
	gdb_set(cpu, R_RSP, 8, rsp);
	assert_int_equal(a->gpr[X86_RSP], rsp);
	gdb_set(cpu, R_RCX, 8, 0);

	assert_int_equal(gdb_test_run(cpu), EXIT_HALT);
	assert_int_equal(gdb_test_host_exits(), 0);

	assert_int_equal(gdb_get(cpu, R_RCX, 8), rbx + 1);
	assert_int_equal(gdb_get(cpu, R_RDX, 8), lo);
	assert_int_equal(gdb_get(cpu, R_RSI, 8), hi);
	assert_int_equal(gdb_get(cpu, R_RDI, 8), rsp);
	assert_int_equal(gdb_get(cpu, R_RBX, 8), rbx);
	check_xmm3(lo, hi);
	assert_int_equal(gdb_get(cpu, R_RSP, 8), rsp);
	assert_int_equal(gdb_get(cpu, R_CR4, 8) & 0x600, 0x600);
	assert_int_equal(gdb_get(cpu, R_CS, 4), 0x10); /* __BOOT_CS */
}

static void test_registers(void **state)
{
	uint8_t buf[SIM_GDB_REG_MAX];

	(void)state;
	cpu = gdb_test_cpu(vm);
	nregs_xml = tdesc_load("i386:x86-64", regs, TDESC_MAX_REGS);
	tdesc_check_numbering(cpu, regs, nregs_xml);

	/* The 64-bit boot protocol's state, as the register file holds it. */
	const struct vcpu_arch *a = &vm->vcpus[0]->arch;
	assert_int_equal(gdb_get(cpu, R_RIP, 8), ENTRY);
	assert_int_equal(gdb_get(cpu, R_EFLAGS, 4), 0x2);
	assert_int_equal(gdb_get(cpu, R_CR0, 8), a->cr0);
	assert_true(a->cr0 & X86_CR0_PG);
	assert_int_equal(gdb_get(cpu, R_CR3, 8), a->cr3);
	assert_int_equal(gdb_get(cpu, R_EFER, 8), a->efer);

	write_run_check(AFTER_MOV, 0x1234567890abcdefULL, 0x0102030405060708ULL,
			0x1112131415161718ULL, 0x200000);
	write_run_check(AT_LEA, 0x7ff, 0xa0a1a2a3a4a5a6a7ULL, 0xb0b1b2b3b4b5b6b7ULL, 0x300000);

	/* Read-only registers: their own value is accepted, another refused and left. */
	uint64_t cr3 = gdb_get(cpu, R_CR3, 8), cs = gdb_get(cpu, R_CS, 4);
	gdb_set(cpu, R_CR3, 8, cr3);
	memcpy(buf, &(uint64_t){cr3 + 0x1000}, 8);
	assert_int_equal(sim_gdb_reg(cpu, R_CR3, buf, true), -CV_EINVAL);
	assert_int_equal(a->cr3, cr3);
	gdb_set(cpu, R_CS, 4, cs);
	memcpy(buf, &(uint32_t){0x18}, 4);
	assert_int_equal(sim_gdb_reg(cpu, R_CS, buf, true), -CV_EINVAL);
	assert_int_equal(gdb_get(cpu, R_CS, 4), cs);
	/* CR2 and the segment bases are writable. */
	gdb_set(cpu, R_CR2, 8, 0xdeadb000);
	assert_int_equal(a->cr2, 0xdeadb000);
	gdb_set(cpu, R_FS_BASE, 8, 0x7f0000001000ULL);
	assert_int_equal(gdb_get(cpu, R_FS_BASE, 8), 0x7f0000001000ULL);
	gdb_set(cpu, R_EFLAGS, 4, 0x246);
	assert_int_equal(a->rflags, 0x246);
	assert_int_equal(sim_gdb_reg(cpu, R_EFER + 1, buf, false), -CV_EINVAL);
}

/*
 * st0..st7 are ST(i) (from the top of the x87 stack): with TOP = 6, st0
 * is physical R6, which ftag's bits 13:12 describe (SDM Vol. 1, 8.1.7).
 */
static void test_x87(void **state)
{
	uint8_t one[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f}, buf[SIM_GDB_REG_MAX];

	(void)state;
	cpu = gdb_test_cpu(vm);
	gdb_set(cpu, R_FSTAT, 4, 6 << 11);
	assert_int_equal(gdb_get(cpu, R_FSTAT, 4), 6 << 11);
	assert_int_equal(sim_gdb_reg(cpu, R_ST0, one, true), 10);
	assert_int_equal(sim_gdb_reg(cpu, R_ST0, buf, false), 10);
	assert_memory_equal(buf, one, 10);
	/* The same register is st7 with TOP = 7, and st0 is R7 then. */
	gdb_set(cpu, R_FSTAT, 4, 7 << 11);
	assert_int_equal(sim_gdb_reg(cpu, R_ST0 + 7, buf, false), 10);
	assert_memory_equal(buf, one, 10);
	assert_int_equal(sim_gdb_reg(cpu, R_ST0, buf, false), 10);
	assert_memory_not_equal(buf, one, 10);
	gdb_set(cpu, R_FCTRL, 4, 0x37f);
	assert_int_equal(gdb_get(cpu, R_FCTRL, 4), 0x37f);
	gdb_set(cpu, R_MXCSR, 4, 0x1f80);
	assert_int_equal(gdb_get(cpu, R_MXCSR, 4), 0x1f80);
}

static void test_walk(void **state)
{
	struct s1_result res;
	unsigned steps = 0;

	(void)state;
	cpu = gdb_test_cpu(vm);
	/* Paging on: the boot tables map GVA = GPA with 2 MiB pages (PML4, PDPT, PD). */
	assert_int_equal(sim_cpu_s1_walk(cpu, ENTRY + 0x10, ACCESS_READ, &res, tdesc_count_step, &steps),
			 0);
	assert_int_equal(res.gpa, ENTRY + 0x10);
	assert_int_equal(res.leaf_size, 2ULL << 20);
	assert_int_equal(steps, 3);
	/* Beyond the 4 GiB mapped: a #PF (not present), the walk's -CV_EFAULT. */
	assert_int_equal(sim_cpu_s1_walk(cpu, 0x100000000ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	assert_int_equal(res.fault, FAULT_TRANSLATION);
	/* A non-canonical address: a #GP, reported as a fault too. */
	assert_int_equal(sim_cpu_s1_walk(cpu, 0x0000800000000000ULL, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	/* Paging off (the register file's CR0, as the paused vCPU has it): VA = PA, no walk. */
	struct vcpu_arch *a = &vm->vcpus[0]->arch;
	uint64_t cr0 = a->cr0;
	a->cr0 &= ~X86_CR0_PG;
	steps = 0;
	memset(&res, 0xa5, sizeof(res));
	assert_int_equal(
	    sim_cpu_s1_walk(cpu, 0x100000000ULL, ACCESS_WRITE, &res, tdesc_count_step, &steps), 0);
	assert_int_equal(res.gpa, 0x100000000ULL);
	assert_int_equal(res.perm, PERM_RWX);
	assert_int_equal(steps, 0);
	a->cr0 = cr0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_description),
	    cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_x87, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
