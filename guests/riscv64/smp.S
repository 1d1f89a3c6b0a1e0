// SPDX-License-Identifier: MIT
// smp: four harts (cpu_num = 4) through the SBI HSM extension (SBI 2.0
// chapter 9). Hart 0 starts harts 1-3 with hart_start (start address and
// an opaque value); each starts in S-mode with a0 = its hart id, a1 = the
// opaque value, satp = 0 and sstatus.SIE = 0, checks that, checks in (an
// atomic add), prints its id and opaque value, and wakes hart 0 with an
// IPI. Hart 0 waits in wfi until all three are in, sees them STARTED with
// hart_get_status, lets them go with one IPI to the three, and waits until
// hart_get_status says each has stopped itself with hart_stop.
//
// The console is shared: the harts print in turn (hart 0, then 1, 2, 3),
// each waiting for `turn` to name it, without a lock: AMOs (amoswap for a
// spinlock) are not atomic between the simulator's harts (each is its own
// Unicorn instance, translated as single-threaded), and a spinlock taken
// by two harts at once can end up held by nobody.
#include "guest.h"

#define OPAQUE 0x5ec0000
#define STACK 0x4000                    // each hart's share of the 64 KiB stack

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li t0, SIP_SSIP
	csrw sie, t0                    // IPIs wake wfi; sstatus.SIE stays clear: none is taken
	print "smp: hart 0 starts harts 1-3\n"
	li s1, 1
1:	mv a0, s1
	la a1, secondary
	li a2, OPAQUE
	add a2, a2, s1
	sbi SBI_EXT_HSM, HSM_HART_START
	check a0, 0, "hart_start"
	addi s1, s1, 1
	li t0, 4
	bltu s1, t0, 1b
	li a0, 1                        // once more: it is already on (or being started)
	la a1, secondary
	li a2, 0
	sbi SBI_EXT_HSM, HSM_HART_START
	check a0, -6, "hart_start of a started hart: SBI_ERR_ALREADY_AVAILABLE"
	li a0, 4
	la a1, secondary
	sbi SBI_EXT_HSM, HSM_HART_START
	check a0, -3, "hart_start of hart 4, which does not exist: SBI_ERR_INVALID_PARAM"

	// Wait for the three: each sends an IPI once it is in.
2:	csrci sip, SIP_SSIP             // first clear, then look: an IPI after this still wakes wfi
	ld t0, checked_in
	li t1, 3
	beq t0, t1, 3f
	wfi
	j 2b
3:	ld t0, turn                     // hart 3 printed its line: the console is hart 0's again
	li t1, 4
	bne t0, t1, 3b
	print "smp: hart 0 saw 3 harts check in\n"
	li s1, 1
4:	mv a0, s1
	sbi SBI_EXT_HSM, HSM_HART_GET_STATUS
	check a0, 0, "hart_get_status"
	check a1, HSM_STARTED, "hart_get_status of a hart that checked in: STARTED"
	addi s1, s1, 1
	li t0, 4
	bltu s1, t0, 4b
	print "smp: harts 1-3 are STARTED\n"

	// Let them go, and wait until each has stopped.
	li t0, 1
	la t1, go
	sd t0, 0(t1)
	fence rw, rw
	li a0, 7                        // harts 1, 2, 3
	li a1, 1
	sbi SBI_EXT_IPI, 0
	check a0, 0, "send_ipi to harts 1-3"
	li s1, 1
5:	mv a0, s1
	sbi SBI_EXT_HSM, HSM_HART_GET_STATUS
	check a0, 0, "hart_get_status"
	li t0, HSM_STOPPED
	bne a1, t0, 5b
	addi s1, s1, 1
	li t0, 4
	bltu s1, t0, 5b
	print "smp: harts 1-3 are STOPPED\n"

	// A stopped hart starts again afresh: sie (hart 1 had set SSIE) and
	// sstatus.SIE clear, satp 0, a0/a1 from this start.
	li a0, 1
	la a1, restarted
	li a2, OPAQUE + 0x100
	li a7, SBI_EXT_HSM
	li a6, HSM_HART_START
	.global restart_ecall
restart_ecall:
	ecall
	check a0, 0, "hart_start of hart 1 again"
6:	ld t0, restart_ok
	beqz t0, 6b
7:	li a0, 1
	sbi SBI_EXT_HSM, HSM_HART_GET_STATUS
	li t0, HSM_STOPPED
	bne a1, t0, 7b
	print "smp: hart 1 started again, its CSRs as at a first start, and stopped\n"
	li a0, 0
	sbi SBI_EXT_HSM, HSM_HART_GET_STATUS
	check a1, HSM_STARTED, "hart_get_status of hart 0"
	print "smp: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

// Harts 1-3 start here: a0 = hart id, a1 = opaque.
	.balign 4
	.global secondary
secondary:
	la sp, stack_top
	li t0, STACK
	mul t0, t0, a0
	sub sp, sp, t0
	mv s0, a0
	mv s1, a1
	li t0, OPAQUE
	add t0, t0, s0
	check_eq s1, t0, "a1 at hart_start: the opaque value"
	csrr t0, sstatus
	andi t0, t0, SSTATUS_SIE
	check t0, 0, "sstatus.SIE at hart_start"
	csrr t0, satp
	check t0, 0, "satp at hart_start"
	li t0, 1
	la t1, checked_in
	amoadd.d t0, t0, (t1)
0:	ld t0, turn                     // wait for this hart's turn at the console
	bne t0, s0, 0b
	print "smp: hart "
	mv a0, s0
	call guest_putdec
	print " checked in, opaque "
	mv a0, s1
	call guest_puthex
	print "\n"
	addi t0, s0, 1
	la t1, turn
	fence rw, w
	sd t0, 0(t1)
	li t0, SIP_SSIP
	csrw sie, t0
	li a0, 1                        // wake hart 0
	li a1, 0
	sbi SBI_EXT_IPI, 0
	check a0, 0, "send_ipi to hart 0"
1:	csrci sip, SIP_SSIP
	ld t0, go
	bnez t0, 2f
	wfi
	j 1b
2:	li a7, SBI_EXT_HSM
	li a6, HSM_HART_STOP
	.global stop_ecall
stop_ecall:
	ecall
	la a0, stop_returned
	mv a1, a0
	call guest_fail_value

// Hart 1's second start: the checks, a flag for hart 0, and off again.
	.balign 4
restarted:
	mv s0, a0
	mv s1, a1
	check s0, 1, "a0 at the second hart_start"
	li t0, OPAQUE + 0x100
	check_eq s1, t0, "a1 at the second hart_start"
	csrr t0, sie
	check t0, 0, "sie at the second hart_start"
	csrr t0, sstatus
	andi t0, t0, SSTATUS_SIE
	check t0, 0, "sstatus.SIE at the second hart_start"
	csrr t0, satp
	check t0, 0, "satp at the second hart_start"
	li t0, 1
	la t1, restart_ok
	sd t0, 0(t1)
	sbi SBI_EXT_HSM, HSM_HART_STOP
	la a0, stop_returned
	mv a1, a0
	call guest_fail_value

	.section .rodata
stop_returned:	.asciz "hart_stop returned"

	// A page of its own: stores into a page that holds translated code make
	// Unicorn re-check that code (and leak its bitmap of it, 2.0.1).
	.data
	.balign 4096
checked_in:	.dword 0
go:		.dword 0
restart_ok:	.dword 0
turn:		.dword 1                // the hart whose line is next (hart 0 prints before starting them)
