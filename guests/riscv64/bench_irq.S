// SPDX-License-Identifier: MIT
// bench_irq: 1000 timer interrupts, each armed 100 `time` ticks ahead
// (10 us at 10 MHz) while the hart waits in WFI; prints the timebase and
// the total lateness of the interrupts (time at the handler minus the
// deadline), from which make bench gives the average delivery latency.
#include "irq_bench.h"

#define ROUNDS 1000

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -32
	sd ra, 0(sp)
	sd s1, 8(sp)
	sd s2, 16(sp)
	call irq_setup
	li s1, 0                                // total lateness
	li s2, 0                                // interrupts taken
1:	li a0, 100
	call arm_timer
	// sstatus.SIE clear while it looks: wfi ends for a pending interrupt
	// enabled in sie even so (privileged spec 3.3.3), and setting SIE takes it.
2:	la t0, irq_count
	ld t0, 0(t0)
	bne t0, s2, 3f
	wfi
	csrsi sstatus, SSTATUS_SIE
	csrci sstatus, SSTATUS_SIE
	j 2b
3:	mv s2, t0
	la t0, irq_late
	ld t0, 0(t0)
	add s1, s1, t0
	li t0, ROUNDS
	bltu s2, t0, 1b
	print "bench_irq: frequency "
	li a0, 10000000
	call guest_puthex
	print "\nbench_irq: interrupts "
	mv a0, s2
	call guest_puthex
	print "\nbench_irq: total lateness (ticks) "
	mv a0, s1
	call guest_puthex
	print "\n"
	li a0, 0
	ld ra, 0(sp)
	ld s1, 8(sp)
	ld s2, 16(sp)
	addi sp, sp, 32
	ret
