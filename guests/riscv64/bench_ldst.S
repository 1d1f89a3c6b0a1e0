// SPDX-License-Identifier: MIT
// bench_ldst: a load/store-bound loop: load, add and store every 64th
// byte of a 2 MiB buffer, PASSES times, then shut down. bench/uc_raw runs
// the same binary in a minimal Unicorn program for comparison (make bench).
#include "guest.h"

#define BUF 0x81000000 // 2 MiB, inside RAM
#define PASSES 300

	.section .text.boot, "ax"
	.global _start
_start:
	li t3, PASSES
	li t2, 0
1:	li t0, BUF
	li t4, BUF + 0x200000
2:	ld t1, 0(t0)
	add t2, t2, t1
	sd t2, 0(t0)
	addi t0, t0, 64
	bne t0, t4, 2b
	addi t3, t3, -1
	bnez t3, 1b
	li a0, 0
	li a1, 0
	sbi SBI_EXT_SRST, 0
	j .
