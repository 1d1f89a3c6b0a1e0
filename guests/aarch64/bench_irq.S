// SPDX-License-Identifier: MIT
// bench_irq: 1000 virtual-timer interrupts, each armed 1000 counter ticks
// ahead (16 us at 62.5 MHz) while the vCPU waits in WFI; prints the
// counter's frequency and the total lateness of the interrupts (counter at
// the handler minus CNTV_CVAL_EL0), from which make bench gives the
// average delivery latency.
#include "irq_bench.h"

#define ROUNDS 1000

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	stp x19, x20, [sp, #-16]!
	bl irq_setup
	mov x19, #0                             // total lateness
	mov x20, #0                             // interrupts taken
1:	mov x0, #1000
	bl arm_timer
	// IRQs masked while it looks: WFI wakes for a pending interrupt even
	// masked (ARM ARM D1.6.2), and unmasking then takes it.
2:	adr x1, irq_count
	ldr x1, [x1]
	cmp x1, x20
	b.ne 3f
	wfi
	msr daifclr, #2
	isb
	msr daifset, #2
	b 2b
3:	mov x20, x1
	adr x1, irq_late
	ldr x1, [x1]
	add x19, x19, x1
	cmp x20, #ROUNDS
	b.lo 1b
	print "bench_irq: frequency "
	mrs x0, cntfrq_el0
	bl guest_puthex
	print "\nbench_irq: interrupts "
	mov x0, x20
	bl guest_puthex
	print "\nbench_irq: total lateness (ticks) "
	mov x0, x19
	bl guest_puthex
	print "\n"
	mov x0, #0
	ldp x19, x20, [sp], #16
	ldp x29, x30, [sp], #16
	ret
