// SPDX-License-Identifier: MIT
// timer: timer interrupts from the SBI timer (SBI 2.0 chapter 6), taken
// at stvec as the privileged spec says (scause = interrupt | 5, sepc the
// interrupted instruction, sstatus.SPP = 1, SPIE = the SIE before, SIE 0).
//  1. masked: with sstatus.SIE clear, the timer's deadline passes: no
//     interrupt is taken, sip.STIP shows it pending; set SIE and it is
//     taken at once, before the next instruction.
//  2. periodic: N = 10 interrupts at a fixed period, each re-arming the
//     timer from its handler (which clears STIP); each must arrive no
//     earlier than its deadline, by the `time` CSR. The main loop waits
//     in wfi between them.
#include "guest.h"

#define PERIOD 50000                    // ticks of 10 MHz: 5 ms
#define N 10
#define SPIN 10000

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	la t0, handler
	csrw stvec, t0
	li t0, SIP_STIP
	csrw sie, t0                    // the timer interrupt enabled, sstatus.SIE still clear

	// 1. A deadline passes while masked.
	rdtime a0
	li t0, PERIOD
	add a0, a0, t0
	la t0, deadline
	sd a0, 0(t0)
	sbi SBI_EXT_TIME, 0
	check a0, 0, "sbi_set_timer"
	ld s1, deadline
	li t0, PERIOD
	add s1, s1, t0                  // a whole period past the deadline
1:	li t0, SPIN                     // a while between two reads of time, each an exit
0:	addi t0, t0, -1
	bnez t0, 0b
	rdtime t0
	bltu t0, s1, 1b
	ld t0, count
	check t0, 0, "interrupts taken while sstatus.SIE = 0"
	csrr t0, sip
	andi t0, t0, SIP_STIP
	check t0, SIP_STIP, "sip.STIP while masked"
	print "timer: masked: deadline passed, sip.STIP pending, nothing taken\n"
	.global unmask
unmask:
	csrsi sstatus, SSTATUS_SIE
	.global after_unmask
after_unmask:
	csrci sstatus, SSTATUS_SIE
	ld t0, count
	check t0, 1, "interrupts taken once unmasked"
	ld t0, first_sepc
	la t1, after_unmask
	check_eq t0, t1, "sepc of the interrupt taken when unmasked"
	ld t0, first_status
	andi t0, t0, SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE
	check t0, SSTATUS_SPP | SSTATUS_SPIE, "sstatus in the handler (SPP, SPIE set; SIE clear)"
	print "timer: unmasked: taken at once, sepc the next instruction, SPP=1 SPIE=1 SIE=0\n"

	// 2. N interrupts, one every PERIOD.
	la t0, count
	sd zero, 0(t0)
	li t0, 1
	la t1, periodic
	sd t0, 0(t1)
	rdtime a0
	li t0, PERIOD
	add a0, a0, t0
	la t0, deadline
	sd a0, 0(t0)
	sbi SBI_EXT_TIME, 0
	li s2, 0                        // ticks printed
	// Ticks are printed with sstatus.SIE clear: none is taken between the
	// look at count and the wfi (which would then wait past it); wfi wakes
	// for a pending one, taken when SIE is set again.
2:	ld t0, count
	bgeu s2, t0, 3f
	addi s2, s2, 1
	print "timer: tick "
	mv a0, s2
	call guest_putdec
	print "\n"
	j 2b
3:	li t0, N
	bgeu s2, t0, 4f
	wfi
	csrsi sstatus, SSTATUS_SIE
	csrci sstatus, SSTATUS_SIE
	j 2b
4:
	ld t0, early
	beqz t0, 5f
	ld a1, early_time
	la a0, early_msg
	call guest_fail_value
5:	ld t0, bad_cause
	check t0, 0, "an scause other than the timer interrupt"
	ld t0, count
	check t0, N, "timer interrupts"
	print "timer: 10 interrupts, each at or after its deadline\n"
	print "timer: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

// The trap handler: only timer interrupts are expected. It re-arms the
// timer one period later (the next deadline), or disarms it after N.
	.balign 4
handler:
	addi sp, sp, -64
	sd t0, 0(sp)
	sd t1, 8(sp)
	sd a0, 16(sp)
	sd a1, 24(sp)
	sd a6, 32(sp)
	sd a7, 40(sp)
	csrr t0, scause
	li t1, CAUSE_STI
	beq t0, t1, 1f
	la t1, bad_cause
	sd t0, 0(t1)
	j 9f
1:	rdtime t0                       // no earlier than the deadline
	ld t1, deadline
	bgeu t0, t1, 2f
	la t1, early
	sd t0, 0(t1)
	la t1, early_time
	sd t0, 0(t1)
2:	ld t0, count
	bnez t0, 3f
	csrr t1, sepc                   // the first one: what the CPU saved
	la t0, first_sepc
	sd t1, 0(t0)
	csrr t1, sstatus
	la t0, first_status
	sd t1, 0(t0)
3:	ld t0, count
	addi t0, t0, 1
	la t1, count
	sd t0, 0(t1)
	li a0, -1                       // disarmed ...
	ld t1, periodic
	beqz t1, 4f
	li t1, N
	bgeu t0, t1, 4f
	ld a0, deadline                 // ... or one period after the last deadline
	li t1, PERIOD
	add a0, a0, t1
	la t1, deadline
	sd a0, 0(t1)
4:	sbi SBI_EXT_TIME, 0             // clears the pending timer interrupt
9:	ld t0, 0(sp)
	ld t1, 8(sp)
	ld a0, 16(sp)
	ld a1, 24(sp)
	ld a6, 32(sp)
	ld a7, 40(sp)
	addi sp, sp, 64
	sret

	.section .rodata
early_msg:	.asciz "a timer interrupt before its deadline, at time"

	// A page of its own: stores into a page that holds translated code make
	// Unicorn re-check that code (and leak its bitmap of it, 2.0.1).
	.data
	.balign 4096
deadline:	.dword 0
count:		.dword 0
periodic:	.dword 0
early:		.dword 0
early_time:	.dword 0
bad_cause:	.dword 0
first_sepc:	.dword 0
first_status:	.dword 0
