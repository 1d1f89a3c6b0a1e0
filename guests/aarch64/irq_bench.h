// SPDX-License-Identifier: MIT
// What bench_irq.S uses: the GICv3 set up for the virtual
// timer's interrupt (PPI 27) on vCPU 0, a vector table whose IRQ entry
// (current EL with SP_ELx, offset 0x280) takes it, and the handler, which
// records the counter at entry and its lateness against CNTV_CVAL_EL0.
// GIC architecture specification (IHI 0069) 12.9 (GICD_CTLR), 12.11
// (GICR_WAKER), 12.10 (ISENABLER0, IPRIORITYR), 12.2 (ICC_*); ARM ARM
// D11 (the Generic Timer).
#include "guest.h"

#define TIMER_PPI GIC_PPI_CNTV

	.text
	.balign 2048
irq_vectors:
	.rept 5
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	b on_timer_irq                          // IRQ, current EL with SP_ELx
	.rept 10
	.balign 0x80
	b guest_unexpected_vector
	.endr

// irq_setup: the vector table, the distributor, vCPU 0's redistributor and
// CPU interface, PPI 27 enabled in group 1. Clobbers x0, x1.
irq_setup:
	adr x0, irq_vectors
	msr vbar_el1, x0
	isb
	li x1, GICD_BASE
	mov w0, #0x12                           // ARE | EnableGrp1
	str w0, [x1]
	li x1, GICR_BASE
	ldr w0, [x1, #0x14]                     // GICR_WAKER
	bic w0, w0, #2                          // ProcessorSleep = 0
	str w0, [x1, #0x14]
1:	ldr w0, [x1, #0x14]
	tbnz w0, #2, 1b                         // until ChildrenAsleep = 0
	li x1, (GICR_BASE + GICR_SGI)
	mov w0, #(1 << TIMER_PPI)
	str w0, [x1, #0x80]                     // IGROUPR0: group 1
	mov w0, #0xa0
	strb w0, [x1, #(0x400 + TIMER_PPI)]     // IPRIORITYR
	mov w0, #(1 << TIMER_PPI)
	str w0, [x1, #0x100]                    // ISENABLER0
	mov x0, #1
	msr S3_0_C12_C12_5, x0                  // ICC_SRE_EL1.SRE
	isb
	mov x0, #0xff
	msr S3_0_C4_C6_0, x0                    // ICC_PMR_EL1: every priority
	mov x0, #1
	msr S3_0_C12_C12_7, x0                  // ICC_IGRPEN1_EL1
	isb
	ret

// The timer's interrupt: acknowledge, record CNTVCT_EL0 and its lateness
// (CNTVCT - CNTV_CVAL) in irq_seen_at / irq_late, count it, disable the
// timer, end it. Anything but PPI 27 fails.
on_timer_irq:
	stp x0, x1, [sp, #-16]!
	stp x2, x30, [sp, #-16]!
	mrs x2, cntvct_el0
	mrs x0, S3_0_C12_C12_0                  // ICC_IAR1_EL1
	cmp x0, #TIMER_PPI
	b.ne 9f
	mrs x1, cntv_cval_el0
	sub x1, x2, x1
	adr x30, irq_late
	str x1, [x30]
	adr x30, irq_seen_at
	str x2, [x30]
	adr x30, irq_count
	ldr x1, [x30]
	add x1, x1, #1
	str x1, [x30]
	msr cntv_ctl_el0, xzr                   // disabled: the level falls
	isb
	msr S3_0_C12_C12_1, x0                  // ICC_EOIR1_EL1
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
irq_seen_at: .quad 0
irq_count: .quad 0
	.text
