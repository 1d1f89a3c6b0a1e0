// SPDX-License-Identifier: MIT
// bench_compute: a compute-bound loop of 4 instructions, run 200 million
// times (800 million guest instructions), then power off.
#include "guest.h"

#define ITERATIONS 200000000

	.section .text.boot, "ax"
	.global _start
_start:
	mov $ITERATIONS, %ecx
	xor %eax, %eax
1:	add %rcx, %rax
	xor %rax, %rdx
	dec %rcx
	jnz 1b
	mov $PM1A_CNT, %dx
	mov $0x2000, %ax
	out %ax, %dx
	hlt
