// SPDX-License-Identifier: MIT
// timer: the virtual timer (CNTV_*) through the GICv3. Brings up the GIC
// for vCPU 0 (distributor, redistributor, ICC_* system registers), puts
// PPI 27 in group 1 at priority 0xa0 and takes N = 10 timer interrupts at
// a fixed period of 62500 counts (1 ms at CNTFRQ_EL0 = 62.5 MHz), waiting
// for each in WFI (IRQs masked, then unmasked to take it): tick i is due at t0 + i * period (CNTV_CVAL_EL0), and
// its handler checks that CNTVCT_EL0 has reached that deadline, that the
// acknowledged INTID is 27, that the running priority is the interrupt's
// own while it is handled and idle (0xff) after the EOI. Then, with IRQs
// masked (PSTATE.I), a timer that has fired is pending (ISTATUS,
// ICC_HPPIR1_EL1 = 27) but not taken; unmasking takes it at once.
#include "guest.h"

#define NTICKS 10
#define PERIOD 62500
#define PRIO 0xa0

	GUEST_RUNTIME
	VECTORS_IRQ vectors, guest_unexpected_vector, irq_entry

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb
	mrs x0, cntfrq_el0
	check x0, 62500000, "CNTFRQ_EL0"
	mrs x0, icc_sre_el1
	check x0, 7, "ICC_SRE_EL1 (SRE, DFB, DIB)"
	mov x19, #0
	GIC_CPU_UP x19
	GIC_PPI_ON x19, GIC_PPI_CNTV, PRIO
	mrs x0, icc_pmr_el1
	check x0, 0xf0, "ICC_PMR_EL1"
	mrs x0, icc_rpr_el1
	check x0, 0xff, "ICC_RPR_EL1 idle"
	print "timer: GIC up, PPI 27 enabled\n"

	// Ten ticks: tick i due at t0 + i * PERIOD; the handler disables the timer.
	mrs x20, cntvct_el0                // t0
	mov x21, #1                        // the tick waited for
1:	mov x0, #PERIOD
	madd x22, x21, x0, x20             // its deadline
	adr x0, deadline
	str x22, [x0]
	msr cntv_cval_el0, x22
	mov x0, #1                         // ENABLE, not IMASK
	msr cntv_ctl_el0, x0
	isb
	// Wait with IRQs masked (WFI still wakes: ARM ARM D1.6.2), take it
	// with them unmasked, check again: an interrupt cannot slip in between
	// the check and the WFI.
2:	adr x0, ticks
	ldr x1, [x0]
	cmp x1, x21
	b.hs 3f
	wfi
	msr daifclr, #2
	isb
	msr daifset, #2
	b 2b
3:	check_reg x1, x21, "one interrupt per tick"
	print "timer: tick at or after its deadline\n"
	add x21, x21, #1
	cmp x21, #NTICKS
	b.ls 1b
	print "timer: 10 ticks at a period of 62500 counts\n"

	// Masked: the timer fires, the interrupt is pending and not taken.
	mrs x0, cntvct_el0
	add x22, x0, #1000
	adr x0, deadline
	str x22, [x0]
	msr cntv_cval_el0, x22
	mov x0, #1
	msr cntv_ctl_el0, x0
	isb
4:	mrs x0, cntvct_el0
	cmp x0, x22
	b.lo 4b
	// Give the CPU many instructions in which it could (wrongly) take it.
	mov x0, #20000
5:	subs x0, x0, #1
	b.ne 5b
	adr x0, ticks
	ldr x1, [x0]
	check x1, NTICKS, "no interrupt taken while masked"
	mrs x0, cntv_ctl_el0
	check x0, 5, "CNTV_CTL_EL0 ENABLE and ISTATUS"
	mrs x0, icc_hppir1_el1
	check x0, GIC_PPI_CNTV, "ICC_HPPIR1_EL1 while masked"
	print "timer: masked: pending, not taken\n"
	msr daifclr, #2
	isb
	nop
	adr x0, ticks
	ldr x1, [x0]
	check x1, (NTICKS + 1), "taken once unmasked"
	msr daifset, #2
	print "timer: unmasked: taken\n"
	print "timer: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

// The IRQ vector: saves what it clobbers, handles, returns.
irq_entry:
	stp x0, x1, [sp, #-160]!
	stp x2, x3, [sp, #16]
	stp x4, x5, [sp, #32]
	stp x6, x7, [sp, #48]
	stp x8, x9, [sp, #64]
	stp x16, x17, [sp, #80]
	stp x19, x20, [sp, #96]
	stp x29, x30, [sp, #112]
	bl irq_handler
	ldp x2, x3, [sp, #16]
	ldp x4, x5, [sp, #32]
	ldp x6, x7, [sp, #48]
	ldp x8, x9, [sp, #64]
	ldp x16, x17, [sp, #80]
	ldp x19, x20, [sp, #96]
	ldp x29, x30, [sp, #112]
	ldp x0, x1, [sp], #160
	eret

irq_handler:
	stp x29, x30, [sp, #-16]!
	mrs x19, icc_iar1_el1
	check x19, GIC_PPI_CNTV, "ICC_IAR1_EL1"
	mrs x0, icc_rpr_el1
	check x0, PRIO, "ICC_RPR_EL1 while handling"
	.global handler_cntvct
handler_cntvct:
	mrs x0, cntvct_el0
	adr x1, deadline
	ldr x1, [x1]
	cmp x0, x1
	b.hs 1f
	mov x17, x0
	adr x0, early_msg
	bl guest_fail_value
1:	msr cntv_ctl_el0, xzr              // the output goes low
	msr icc_eoir1_el1, x19
	mrs x0, icc_rpr_el1
	check x0, 0xff, "ICC_RPR_EL1 after EOI"
	adr x0, ticks
	ldr x1, [x0]
	add x1, x1, #1
	str x1, [x0]
	ldp x29, x30, [sp], #16
	ret

	.section .rodata
early_msg:
	.asciz "interrupt before its deadline, CNTVCT_EL0"
	.data
	.balign 8
ticks:
	.quad 0
deadline:
	.quad 0
