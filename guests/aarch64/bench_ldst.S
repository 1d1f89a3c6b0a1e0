// SPDX-License-Identifier: MIT
// bench_ldst: a load/store-bound loop: load, add and store every 64th
// byte of a 2 MiB buffer, PASSES times (the loop of bench_mmu, MMU off),
// then power off. bench/uc_raw runs the same binary in a minimal Unicorn
// program for comparison (make bench).
#include "guest.h"

#define BUF 0x41000000 // 2 MiB, inside RAM
#define PASSES 300

	.section .text.boot, "ax"
	.global _start
_start:
	li x6, PASSES
	mov x2, #0
1:	li x1, BUF
	add x4, x1, #0x200000
2:	ldr x3, [x1]
	add x2, x2, x3
	str x2, [x1]
	add x1, x1, #64
	cmp x1, x4
	b.ne 2b
	subs x6, x6, #1
	b.ne 1b
	li x0, PSCI_SYSTEM_OFF
	hvc #0
	b .
