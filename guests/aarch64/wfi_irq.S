// SPDX-License-Identifier: MIT
// wfi_irq: an interrupt that ends a WFI executed with IRQs unmasked is
// taken at once, with ELR_EL1 the instruction after the WFI. The handler
// ends it while the timer still asserts it (pending again), then disables
// the timer (a trapped write, after which cvisor looks at the interrupts
// again) and returns there. The guest must take it exactly once and go
// on, not wait in that WFI a second time. Run with --clock=virtual: with host time the
// timer could fire before the WFI, and the WFI would then wait for good.
#include "guest.h"

	GUEST_RUNTIME
	VECTORS_IRQ vectors, guest_unexpected_vector, irq_entry

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb
	mov x19, #0
	GIC_CPU_UP x19
	GIC_PPI_ON x19, GIC_PPI_CNTV, 0x80
	print "wfi_irq: waiting with IRQs unmasked\n"
	mrs x0, cntvct_el0
	mov x1, #6250
	add x0, x0, x1
	msr cntv_cval_el0, x0
	mov x0, #1
	msr cntv_ctl_el0, x0
	isb
	msr daifclr, #2
	wfi
	.global after_wfi
after_wfi:
	msr daifset, #2
	adr x0, taken
	ldr x0, [x0]
	check x0, 1, "interrupts taken"
	print "wfi_irq: woke, the interrupt taken at the WFI's return address\n"
	print "wfi_irq: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

irq_entry:
	stp x0, x1, [sp, #-32]!
	stp x17, x30, [sp, #16]
	mrs x17, elr_el1
	adr x0, after_wfi
	cmp x0, x17
	b.ne bad_elr
	mrs x0, icc_iar1_el1
	msr icc_eoir1_el1, x0              // the timer's line is still high: pending again
	msr cntv_ctl_el0, xzr              // now low: not pending, nothing to take after the ERET
	adr x0, taken                      // (a read-modify-write the CPU must run once)
	ldr x1, [x0]
	add x1, x1, #1
	str x1, [x0]
	ldp x17, x30, [sp, #16]
	ldp x0, x1, [sp], #32
	eret
bad_elr:
	adr x0, elr_msg
	bl guest_fail_value

	.section .rodata
elr_msg:
	.asciz "IRQ not taken after the WFI, ELR_EL1"
	.data
	.balign 8
taken:
	.quad 0
