// SPDX-License-Identifier: MIT
// idle: arms the virtual timer 2 seconds ahead and waits in WFI with its
// interrupt unmasked; the hypervisor should spend next to no host CPU on
// it meanwhile (make bench measures that). Prints how late the interrupt
// came, in counter ticks, and powers off.
#include "irq_bench.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	bl irq_setup
	mrs x0, cntfrq_el0
	lsl x0, x0, #1                          // 2 seconds
	bl arm_timer
	print "idle: waiting 2 s for the timer\n"
	msr daifclr, #2                         // IRQs unmasked
1:	wfi
	adr x1, irq_count
	ldr x1, [x1]
	cbz x1, 1b
	msr daifset, #2
	print "idle: timer interrupt, late by (ticks) "
	adr x0, irq_late
	ldr x0, [x0]
	bl guest_puthex
	print "\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret
