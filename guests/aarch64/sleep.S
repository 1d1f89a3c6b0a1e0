// SPDX-License-Identifier: MIT
// sleep: the EL1 physical timer (CNTP_*, PPI 30) two seconds away: the
// guest sets CNTP_TVAL_EL0 = 125,000,000 counts (2 s at 62.5 MHz) and
// waits in one WFI with IRQs masked. cvisor must sleep meanwhile, not spin
// (tests/sim/aarch64_irq.sh measures its CPU time). After the WFI the
// counter has passed CNTP_CVAL_EL0, CNTP_TVAL_EL0 reads 0 or less,
// ISTATUS is set and ICC_HPPIR1_EL1 names PPI 30; unmasking takes it.
#include "guest.h"

#define TWO_SECONDS 125000000

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
	GIC_PPI_ON x19, GIC_PPI_CNTP, 0x40
	li x0, TWO_SECONDS
	msr cntp_tval_el0, x0
	mov x0, #1
	msr cntp_ctl_el0, x0
	isb
	print "sleep: waiting for the physical timer, 2 s away\n"
	wfi
	mrs x0, cntpct_el0
	mrs x1, cntp_cval_el0
	cmp x0, x1
	cset x0, hs
	check x0, 1, "CNTPCT_EL0 past CNTP_CVAL_EL0 after the WFI"
	mrs x0, cntp_tval_el0
	sxtw x0, w0                        // a signed 32-bit count (ARM ARM D11.2.4)
	cmp x0, #0
	cset x0, le
	check x0, 1, "CNTP_TVAL_EL0 not positive"
	mrs x0, cntp_ctl_el0
	check x0, 5, "CNTP_CTL_EL0 ENABLE and ISTATUS"
	mrs x0, icc_hppir1_el1
	check x0, GIC_PPI_CNTP, "ICC_HPPIR1_EL1"
	print "sleep: woke up after the deadline\n"
	msr daifclr, #2
	isb
	msr daifset, #2
	adr x0, taken
	ldr x0, [x0]
	check x0, 1, "the interrupt taken once unmasked"
	print "sleep: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

irq_entry:
	stp x0, x1, [sp, #-32]!
	stp x29, x30, [sp, #16]
	mrs x0, icc_iar1_el1
	msr cntp_ctl_el0, xzr
	msr icc_eoir1_el1, x0
	cmp x0, #GIC_PPI_CNTP
	b.ne 1f
	adr x0, taken
	ldr x1, [x0]
	add x1, x1, #1
	str x1, [x0]
1:	ldp x29, x30, [sp, #16]
	ldp x0, x1, [sp], #32
	eret

	.data
	.balign 8
taken:
	.quad 0
