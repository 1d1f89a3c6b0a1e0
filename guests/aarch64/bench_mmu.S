// SPDX-License-Identifier: MIT
// bench_mmu: the same memory-bound loop with the guest's MMU off, then on,
// each timed with the generic timer's virtual counter (CNTVCT_EL0, which
// the guest reads without trapping). The loop loads, adds and stores every
// 64th byte of a 2 MiB buffer, PASSES times. With the MMU on, the buffer is
// mapped with 4 KiB pages (512 of them, one level-3 table) and the rest of
// RAM with 2 MiB blocks. Prints the counter frequency and both durations in
// ticks; bench/run.sh turns them into seconds and a ratio.
#include "guest.h"

#define BUF 0x41000000                 // 2 MiB, inside RAM
#define PASSES 150
#define D_NORMAL ((3 << 8) | (1 << 10))  // AttrIndx 0, inner shareable, AF
#define D_DEVICE ((1 << 2) | (1 << 10))

	GUEST_RUNTIME

// x0 = ticks the loop took.
mem_loop:
	isb
	mrs x5, cntvct_el0
	li x6, PASSES
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
	isb
	mrs x0, cntvct_el0
	sub x0, x0, x5
	ret

// Prints "bench_mmu: <x1 string> <x0 as hex>\n".
report:
	stp x29, x30, [sp, #-16]!
	mov x19, x0
	mov x0, x1
	bl guest_puts
	mov x0, x19
	bl guest_puthex
	mov w0, #'\n'
	bl guest_putc
	ldp x29, x30, [sp], #16
	ret

	.global main
main:
	stp x29, x30, [sp, #-16]!
	mrs x0, cntfrq_el0
	adr x1, msg_freq
	bl report

	bl mem_loop
	adr x1, msg_off
	bl report

	// Tables: TTBR0 39 bits. L1[0] -> L2 (the UART's 2 MiB block),
	// L1[1] -> L2 of RAM: 2 MiB blocks, but the buffer's entry -> L3 pages.
	adr x0, tables
	mov x1, #(4 * 512)
1:	str xzr, [x0], #8
	subs x1, x1, #1
	b.ne 1b
	adr x10, l1
	adr x11, l2_dev
	adr x12, l2_ram
	adr x13, l3_buf
	orr x0, x11, #3
	str x0, [x10]
	orr x0, x12, #3
	str x0, [x10, #8]
	li x0, (0x09000000 | D_DEVICE | 1)
	str x0, [x11, #(72 * 8)]
	li x0, (0x40000000 | D_NORMAL | 1)
	mov x1, #0
2:	str x0, [x12, x1, lsl #3]
	add x0, x0, #0x200000
	add x1, x1, #1
	cmp x1, #512
	b.ne 2b
	orr x0, x13, #3
	str x0, [x12, #(((BUF - 0x40000000) >> 21) * 8)]
	li x0, (BUF | D_NORMAL | 3)
	mov x1, #0
3:	str x0, [x13, x1, lsl #3]
	add x0, x0, #0x1000
	add x1, x1, #1
	cmp x1, #512
	b.ne 3b

	MMU_TTBR0 x10
	MMU_ON

	bl mem_loop
	adr x1, msg_on
	bl report
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

	.section .rodata
msg_freq:	.asciz "bench_mmu: frequency "
msg_off:	.asciz "bench_mmu: mmu-off ticks "
msg_on:		.asciz "bench_mmu: mmu-on ticks "

	.bss
	.balign 4096
tables:
l1:	.skip 4096
l2_dev:	.skip 4096
l2_ram:	.skip 4096
l3_buf:	.skip 4096
