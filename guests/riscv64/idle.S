// SPDX-License-Identifier: MIT
// idle: arms the timer 2 seconds ahead (SBI set_timer) and waits in WFI
// with its interrupt unmasked; the hypervisor should spend next to no host
// CPU on it meanwhile (make bench measures that). Prints how late the
// interrupt came, in `time` ticks, and powers off.
#include "irq_bench.h"

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	call irq_setup
	li a0, 20000000                         // 2 s at the 10 MHz timebase
	call arm_timer
	print "idle: waiting 2 s for the timer\n"
	csrsi sstatus, SSTATUS_SIE
1:	wfi
	la t0, irq_count
	ld t0, 0(t0)
	beqz t0, 1b
	csrci sstatus, SSTATUS_SIE
	print "idle: timer interrupt, late by (ticks) "
	la t0, irq_late
	ld a0, 0(t0)
	call guest_puthex
	print "\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret
