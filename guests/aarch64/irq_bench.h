// SPDX-License-Identifier: MIT
// What bench_irq.S uses: the GICv3 set up for the virtual timer's
// interrupt (PPI 27) on vCPU 0 with guest.h's GIC_CPU_UP and GIC_PPI_ON,
// a vector table whose IRQ entry takes it, and the handler, which
// records the interrupt's lateness against CNTV_CVAL_EL0.
// GIC architecture specification (IHI 0069) 12.2 (ICC_IAR1_EL1,
// ICC_EOIR1_EL1); ARM ARM D11 (the Generic Timer).
#include "guest.h"

#define TIMER_PPI GIC_PPI_CNTV

	VECTORS_IRQ irq_vectors, guest_unexpected_vector, on_timer_irq

// irq_setup: the vector table, the GIC for vCPU 0 (guest.h), PPI 27
// enabled in group 1. Clobbers x0..x3.
irq_setup:
	adr x0, irq_vectors
	msr vbar_el1, x0
	isb
	mov x3, #0
	GIC_CPU_UP x3
	GIC_PPI_ON x3, TIMER_PPI, 0xa0
	ret

// The timer's interrupt: acknowledge, record its lateness (CNTVCT_EL0 at
// entry - CNTV_CVAL_EL0) in irq_late, count it, disable the
// timer, end it. Anything but PPI 27 fails.
on_timer_irq:
	stp x0, x1, [sp, #-16]!
	stp x2, x30, [sp, #-16]!
	mrs x2, cntvct_el0
	mrs x0, icc_iar1_el1
	cmp x0, #TIMER_PPI
	b.ne 9f
	mrs x1, cntv_cval_el0
	sub x1, x2, x1
	adr x30, irq_late
	str x1, [x30]
	adr x30, irq_count
	ldr x1, [x30]
	add x1, x1, #1
	str x1, [x30]
	msr cntv_ctl_el0, xzr                   // disabled: the level falls
	isb
	msr icc_eoir1_el1, x0
	ldp x2, x30, [sp], #16
	ldp x0, x1, [sp], #16
	eret
9:	mov x17, x0
	adr x0, irq_wrong
	bl guest_fail_value

// arm_timer x0 = ticks from now: CNTV_CVAL_EL0 = CNTVCT_EL0 + x0, enabled. Clobbers x1.
arm_timer:
	mrs x1, cntvct_el0
	add x1, x1, x0
	msr cntv_cval_el0, x1
	mov x1, #1
	msr cntv_ctl_el0, x1                    // ENABLE, IMASK clear
	isb
	ret

	.pushsection .rodata
irq_wrong: .asciz "an interrupt other than the timer's PPI 27 (INTID in the value)"
	.popsection
	.data
	.balign 8
irq_late: .quad 0
irq_count: .quad 0
	.text
