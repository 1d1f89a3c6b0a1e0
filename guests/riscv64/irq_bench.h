// SPDX-License-Identifier: MIT
// What bench_irq.S uses: the supervisor timer interrupt
// through SBI set_timer (SBI specification, "Timer Extension", EID
// "TIME"), an stvec handler that takes it (Privileged specification
// 4.1.1 sstatus.SIE, 4.1.3 sie.STIE, scause = interrupt bit | 5), records
// its lateness (`time` at entry minus the deadline), and
// stops the timer (set_timer to the largest time, which clears the
// pending bit).
#include "guest.h"

#ifndef SIE_STIE
#define SIE_STIE (1 << 5)
#endif

	.text
	.balign 4
// irq_setup: stvec and sie.STIE (interrupts still masked by sstatus.SIE).
irq_setup:
	la t0, on_timer_irq
	csrw stvec, t0
	li t0, SIE_STIE
	csrs sie, t0
	ret

// arm_timer a0 = ticks from now: the deadline in irq_deadline, then set_timer.
arm_timer:
	addi sp, sp, -16
	sd ra, 0(sp)
	rdtime t0
	add a0, a0, t0
	la t0, irq_deadline
	sd a0, 0(t0)
	sbi SBI_EXT_TIME, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	.balign 4
on_timer_irq:
	addi sp, sp, -48
	sd t0, 0(sp)
	sd t1, 8(sp)
	sd a0, 16(sp)
	sd a6, 24(sp)
	sd a7, 32(sp)
	rdtime t1
	csrr t0, scause
	li a0, CAUSE_STI
	bne t0, a0, 9f
	la t0, irq_deadline
	ld t0, 0(t0)
	sub t1, t1, t0
	la t0, irq_late
	sd t1, 0(t0)
	la t0, irq_count
	ld t1, 0(t0)
	addi t1, t1, 1
	sd t1, 0(t0)
	li a0, -1                               // no deadline: the pending bit falls
	sbi SBI_EXT_TIME, 0
	ld t0, 0(sp)
	ld t1, 8(sp)
	ld a0, 16(sp)
	ld a6, 24(sp)
	ld a7, 32(sp)
	addi sp, sp, 48
	sret
9:	mv a1, t0
	la a0, irq_wrong
	call guest_fail_value

	.pushsection .rodata
irq_wrong: .asciz "a trap other than the supervisor timer interrupt (scause in the value)"
	.popsection
	.data
	.balign 8
irq_deadline: .quad 0
irq_late: .quad 0
irq_count: .quad 0
	.text
