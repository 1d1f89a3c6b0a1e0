// SPDX-License-Identifier: MIT
// bench_shadow: shadow-paging fills in the simulator. Each round writes
// CR3 back to itself (which drops every shadow mapping, as a TLB flush
// would) and then reads one byte in each of 48 different 2 MiB pages of the
// identity map cvisor's boot gives: every read is a fill. ROUNDS rounds,
// then power off. bench/run.sh divides the fills cvisor counts by the time.
// 400 rounds (19,600 fills): with a fill near a microsecond, 40 rounds
// took less time than starting the two cvisor processes around them.
#include "guest.h"

#define ROUNDS 400
#define PAGES 48

	.section .text.boot, "ax"
	.global _start
_start:
	mov $ROUNDS, %ecx
1:	mov %cr3, %rax
	mov %rax, %cr3
	mov $0x1000000, %rsi            // 16 MiB: clear of the image
	mov $PAGES, %edx
2:	movb (%rsi), %al
	add $0x200000, %rsi
	dec %edx
	jnz 2b
	dec %ecx
	jnz 1b
	mov $PM1A_CNT, %dx
	mov $0x2000, %ax
	out %ax, %dx
	hlt
