// SPDX-License-Identifier: MIT
// bench_compute: a compute-bound loop of 4 instructions, run 200 million
// times (800 million guest instructions), then power off. bench/uc_raw
// runs the same binary in a minimal Unicorn program for comparison.
#include "guest.h"

#define ITERATIONS 200000000

	.section .text.boot, "ax"
	.global _start
_start:
	li x0, ITERATIONS
	mov x1, #0
	.global bench_loop
bench_loop:
	add x1, x1, x0
	eor x1, x1, x1, lsl #3
	subs x0, x0, #1
	b.ne bench_loop
	.global bench_done
bench_done:
	li x0, PSCI_SYSTEM_OFF
	hvc #0
	b .
