/* SPDX-License-Identifier: MIT */
/*
 * uc_raw_riscv64: the floor for cvisor's RISC-V simulator. Runs a raw
 * RISC-V guest binary in a minimal Unicorn program: RAM mapped once, the
 * CPU left in M-mode (no trampoline), one interrupt hook that answers
 * ecall by itself.
 *
 *   uc_raw_riscv64 IMAGE.bin
 *
 * Prints "seconds=S ecall=N". The guest ends with SBI SRST (a7 =
 * 0x53525354), which stops the run; any other ecall returns a0 = 0.
 */
#include <stdio.h>
#include <unicorn/unicorn.h>

#include "uc_raw.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x8000000ULL
#define LOAD_ADDR 0x80200000ULL

static unsigned long long ecalls;

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	uint64_t a7, zero = 0;
	(void)user;
	if (intno != 8 && intno != 9 && intno != 11) {
		fprintf(stderr, "uc_raw: unexpected exception %u\n", intno);
		uc_emu_stop(uc);
		return;
	}
	ecalls++;
	uc_reg_read(uc, UC_RISCV_REG_A7, &a7);
	if (a7 == 0x53525354) {
		uc_emu_stop(uc);
		return;
	}
	uc_reg_write(uc, UC_RISCV_REG_A0, &zero);
}

int main(int argc, char **argv)
{
	uc_engine *uc;
	uc_hook hook;
	static char image[1 << 20];

	long len = read_image(argc, argv, image, sizeof(image));
	if (len < 0)
		return 2;
	if (uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc) != UC_ERR_OK ||
	    uc_mem_map(uc, RAM_BASE, RAM_SIZE, UC_PROT_ALL) != UC_ERR_OK ||
	    uc_mem_write(uc, LOAD_ADDR, image, (size_t)len) != UC_ERR_OK ||
	    uc_hook_add(uc, &hook, UC_HOOK_INTR, (void *)on_intr, NULL, 1, 0) != UC_ERR_OK) {
		fprintf(stderr, "uc_raw: setting up the CPU failed\n");
		return 1;
	}
	double t0 = now();
	uc_err e = uc_emu_start(uc, LOAD_ADDR, RAM_BASE + RAM_SIZE, 0, 0);
	double t1 = now();
	if (e != UC_ERR_OK) {
		fprintf(stderr, "uc_raw: %s\n", uc_strerror(e));
		return 1;
	}
	printf("seconds=%.6f ecall=%llu\n", t1 - t0, ecalls);
	uc_close(uc);
	return 0;
}
