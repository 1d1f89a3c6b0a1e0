// SPDX-License-Identifier: MIT
// bench_compute: a compute-bound loop of 4 instructions, run 200 million
// times (800 million guest instructions), then shut down.
#include "guest.h"

#define ITERATIONS 200000000

	.section .text.boot, "ax"
	.global _start
_start:
	li t0, ITERATIONS
	li t1, 0
1:	add t1, t1, t0
	slli t2, t1, 3
	addi t0, t0, -1
	bnez t0, 1b
	li a0, 0
	li a1, 0
	sbi SBI_EXT_SRST, 0
	j .
