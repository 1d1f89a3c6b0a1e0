// SPDX-License-Identifier: MIT
// bench_load: a load-bound loop: load and add every 64th
// byte of a 2 MiB buffer, PASSES times, then power off. bench/uc_raw runs
// the same binary in a minimal Unicorn program for comparison (make bench).
#include "guest.h"

#define BUF 0x400000 // 2 MiB, inside RAM
#define PASSES 3000

	.section .text.boot, "ax"
	.global _start
_start:
	mov $PASSES, %esi
	xor %edx, %edx
1:	mov $BUF, %ecx
2:	mov (%rcx), %rax
	add %rax, %rdx
	add $64, %rcx
	cmp $(BUF + 0x200000), %rcx
	jne 2b
	dec %esi
	jnz 1b
	mov $PM1A_CNT, %dx
	mov $0x2000, %ax
	out %ax, %dx
	hlt
