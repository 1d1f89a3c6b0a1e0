// SPDX-License-Identifier: MIT
// el0irq: timer interrupts taken from EL0, between system calls. EL1 arms
// the virtual timer (PPI 27) with a period of 6250 counts (100 us) and
// drops to EL0 with IRQs unmasked; EL0 makes SVC #1 calls in a loop. Each
// interrupt must arrive at "IRQ, lower EL using AArch64" (VBAR_EL1 + 0x480)
// with SPSR_EL1 saying EL0 and ELR_EL1 inside the EL0 loop; each SVC at
// "synchronous, lower EL" (+ 0x400) with ESR_EL1 EC 0x15. The simulator
// enters EL1 from EL0 for an SVC with a virtual IRQ (src/sim/aarch64/exc.c)
// and delivers the GIC's interrupts with the same line: both must reach
// the right vector. After 20 ticks the handler disables the timer and EL0
// returns to EL1 with SVC #0.
#include "guest.h"

#define TICKS 20
#define PERIOD 6250

	GUEST_RUNTIME

	.text
	.balign 2048
vectors:
	.rept 8                            // current EL, SP_EL0 and SP_ELx
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	b el0_sync                         // 0x400: synchronous, lower EL
	.balign 0x80
	b el0_irq                          // 0x480: IRQ, lower EL
	.rept 6
	.balign 0x80
	b guest_unexpected_vector
	.endr

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb
	mov x19, #0
	GIC_CPU_UP x19
	GIC_PPI_ON x19, GIC_PPI_CNTV, 0x80
	print "el0irq: GIC up, timer every 6250 counts, to EL0\n"
	mrs x0, cntvct_el0
	mov x1, #PERIOD
	add x0, x0, x1
	msr cntv_cval_el0, x0
	mov x0, #1
	msr cntv_ctl_el0, x0
	// ERET to el0_loop at EL0t with D, A, F masked and I clear.
	adr x0, el0_loop
	msr elr_el1, x0
	mov x0, #0x340
	msr spsr_el1, x0
	adr x0, saved_sp
	mov x1, sp
	str x1, [x0]
	isb
	eret

// Back at EL1 (SVC #0 from EL0): SP_EL1 as before, IRQs masked.
el1_again:
	adr x0, saved_sp
	ldr x1, [x0]
	mov sp, x1
	adr x0, irqs
	ldr x0, [x0]
	check x0, TICKS, "timer interrupts taken"
	adr x0, svcs
	ldr x0, [x0]
	cmp x0, #0
	cset x0, ne
	check x0, 1, "SVCs made"
	print "el0irq: 20 timer interrupts taken from EL0 at VBAR_EL1 + 0x480\n"
	print "el0irq: SVCs from EL0 at VBAR_EL1 + 0x400 in between\n"
	print "el0irq: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

// EL0: system calls until the handler says the ticks are done.
el0_loop:
	adr x1, done
1:	svc #1
	ldr x0, [x1]
	cbz x0, 1b
	svc #0
	b .

// Synchronous exception from EL0: SVC #1 counts and returns, SVC #0 goes back to EL1.
el0_sync:
	mrs x9, esr_el1
	lsr x10, x9, #26
	cmp x10, #0x15
	b.ne guest_unexpected_vector
	ands x10, x9, #0xffff
	b.eq 1f
	adr x9, svcs
	ldr x10, [x9]
	add x10, x10, #1
	str x10, [x9]
	eret
1:	adr x9, el1_again
	msr elr_el1, x9
	mov x9, #0x3c5                     // EL1h, DAIF masked
	msr spsr_el1, x9
	eret

// IRQ from EL0: must be the timer, taken from the EL0 loop.
el0_irq:
	stp x0, x1, [sp, #-32]!
	stp x2, x30, [sp, #16]
	mrs x0, spsr_el1
	and x0, x0, #0xf
	cbnz x0, bad_spsr
	mrs x0, elr_el1
	adr x1, el0_loop
	cmp x0, x1
	b.lo bad_elr
	add x1, x1, #32
	cmp x0, x1
	b.hs bad_elr
	mrs x2, icc_iar1_el1
	cmp x2, #GIC_PPI_CNTV
	b.ne bad_intid
	adr x0, irqs
	ldr x1, [x0]
	add x1, x1, #1
	str x1, [x0]
	cmp x1, #TICKS
	b.hs 1f
	mrs x0, cntv_cval_el0
	mov x1, #PERIOD
	add x0, x0, x1
	msr cntv_cval_el0, x0
	b 2f
1:	msr cntv_ctl_el0, xzr
	adr x0, done
	mov x1, #1
	str x1, [x0]
2:	msr icc_eoir1_el1, x2
	ldp x2, x30, [sp, #16]
	ldp x0, x1, [sp], #32
	eret
bad_spsr:
	mrs x17, spsr_el1
	adr x0, spsr_msg
	bl guest_fail_value
bad_elr:
	mrs x17, elr_el1
	adr x0, elr_msg
	bl guest_fail_value
bad_intid:
	mov x17, x2
	adr x0, intid_msg
	bl guest_fail_value

	.section .rodata
spsr_msg:
	.asciz "IRQ not taken from EL0, SPSR_EL1"
elr_msg:
	.asciz "IRQ not taken from the EL0 loop, ELR_EL1"
intid_msg:
	.asciz "ICC_IAR1_EL1"
	.data
	.balign 8
irqs:
	.quad 0
svcs:
	.quad 0
done:
	.quad 0
saved_sp:
	.quad 0
