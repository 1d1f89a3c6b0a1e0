/* SPDX-License-Identifier: MIT */
/*
 * uc_raw_x86_64: the floor for cvisor's x86_64 simulator. Runs a raw
 * x86_64 guest binary in a minimal Unicorn program: RAM mapped once in
 * 64-bit mode without paging, VMCALL answered where it stops the CPU, an
 * OUT hook that ends the run on the ACPI power-off port.
 *
 *   uc_raw_x86_64 IMAGE.bin
 *
 * Prints "seconds=S vmcall=N".
 */
#include <stdio.h>
#include <unicorn/unicorn.h>

#include "uc_raw.h"

#define RAM_SIZE 0x8000000ULL
#define LOAD_ADDR 0x100000ULL

static unsigned long long vmcalls;
static int off;

static void on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user)
{
	(void)size;
	(void)user;
	if (port == 0x604 && value == 0x2000) {
		off = 1;
		uc_emu_stop(uc);
	}
}

int main(int argc, char **argv)
{
	uc_engine *uc;
	uc_hook hook;
	static char image[1 << 20];

	long len = read_image(argc, argv, image, sizeof(image));
	if (len < 0)
		return 2;
	if (uc_open(UC_ARCH_X86, UC_MODE_64, &uc) != UC_ERR_OK ||
	    uc_mem_map(uc, 0, RAM_SIZE, UC_PROT_ALL) != UC_ERR_OK ||
	    uc_mem_write(uc, LOAD_ADDR, image, (size_t)len) != UC_ERR_OK ||
	    uc_hook_add(uc, &hook, UC_HOOK_INSN, (void *)on_out, NULL, 1, 0, UC_X86_INS_OUT) != UC_ERR_OK) {
		fprintf(stderr, "uc_raw: setting up the CPU failed\n");
		return 1;
	}
	uint64_t rip = LOAD_ADDR, one = 1;
	double t0 = now();
	while (!off) {
		uc_err e = uc_emu_start(uc, rip, RAM_SIZE, 0, 0);
		uc_reg_read(uc, UC_X86_REG_RIP, &rip);
		if (off)
			break;
		if (e != UC_ERR_INSN_INVALID && e != UC_ERR_OK) {
			fprintf(stderr, "uc_raw: %s at 0x%llx\n", uc_strerror(e), (unsigned long long)rip);
			return 1;
		}
		vmcalls++; /* VMCALL stops the CPU: answer RAX = 1 and step over it */
		uc_reg_write(uc, UC_X86_REG_RAX, &one);
		rip += 3;
	}
	double t1 = now();
	printf("seconds=%.6f vmcall=%llu\n", t1 - t0, vmcalls);
	uc_close(uc);
	return 0;
}
