/* SPDX-License-Identifier: MIT */
/*
 * uc_raw_aarch64: the floor for cvisor's simulator. Runs a raw AArch64
 * guest binary in a minimal Unicorn program: RAM mapped once, no stage 2,
 * no devices, one interrupt hook that answers HVC by itself. cvisor's
 * figures for the same binaries, divided by these, show what the
 * hypervisor layer costs.
 *
 *   uc_raw_aarch64 IMAGE.bin
 *
 * Prints "seconds=S hvc=N" on stdout: wall time of uc_emu_start and the
 * number of HVCs taken. The guest ends with PSCI SYSTEM_OFF (x0 =
 * 0x84000008), which stops the run; any other HVC returns x0 = 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unicorn/unicorn.h>

#include "uc_raw.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x8000000ULL
#define LOAD_ADDR 0x40080000ULL
#define EXCP_HVC 11

static unsigned long long hvc_count;

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	uint64_t x0;
	(void)user;
	if (intno != EXCP_HVC) {
		fprintf(stderr, "uc_raw: unexpected exception %u\n", intno);
		uc_emu_stop(uc);
		return;
	}
	hvc_count++;
	uc_reg_read(uc, UC_ARM64_REG_X0, &x0);
	if (x0 == 0x84000008) {
		uc_emu_stop(uc);
		return;
	}
	x0 = 1;
	uc_reg_write(uc, UC_ARM64_REG_X0, &x0);
}

int main(int argc, char **argv)
{
	uc_engine *uc;
	uc_hook hook;
	static char image[1 << 20];

	long len = read_image(argc, argv, image, sizeof(image));
	if (len < 0)
		return 2;

	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK) {
		fprintf(stderr, "uc_raw: uc_open failed\n");
		return 1;
	}
	uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_A72);
	/* SCR_EL3.RW | HCE, so that HVC is taken (as in cvisor's simulator). */
	uc_arm64_cp_reg scr = { .crn = 1, .crm = 1, .op0 = 3, .op1 = 6, .op2 = 0,
				.val = (1ULL << 10) | (1ULL << 8) };
	uint64_t pstate = 0x3c5; /* EL1h, DAIF masked */
	if (uc_reg_write(uc, UC_ARM64_REG_CP_REG, &scr) != UC_ERR_OK ||
	    uc_reg_write(uc, UC_ARM64_REG_PSTATE, &pstate) != UC_ERR_OK ||
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
	printf("seconds=%.6f hvc=%llu\n", t1 - t0, hvc_count);
	uc_close(uc);
	return 0;
}
