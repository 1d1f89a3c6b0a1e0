// SPDX-License-Identifier: MIT
// ipi: two harts play ping-pong with SBI IPIs (SBI 2.0 chapter 7), taken
// as supervisor software interrupts at stvec (scause = interrupt | 1),
// each handler clearing sip.SSIP. Hart 0 sends a ping to hart 1
// (hart_mask 1, hart_mask_base 1), hart 1 answers with a pong (mask 1,
// base 0), N = 1000 times; no IPI can merge with another, so each hart
// counts exactly N. Then one IPI to every hart (hart_mask_base -1) reaches
// both: N + 1 each.
#include "guest.h"

#define N 1000

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	csrw sscratch, a0               // the handler's hart id
	la t0, handler
	csrw stvec, t0
	li t0, SIP_SSIP
	csrw sie, t0
	li a0, 1
	la a1, secondary
	li a2, 0
	sbi SBI_EXT_HSM, HSM_HART_START
	check a0, 0, "hart_start of hart 1"
1:	ld t0, ready                    // hart 1 takes interrupts from here on
	beqz t0, 1b
	print "ipi: hart 1 is up\n"
	csrsi sstatus, SSTATUS_SIE
	li t0, 1                        // the first ping; the handler sends the others
	la t1, pings
	sd t0, 0(t1)
	li a0, 1
	li a1, 1
	sbi SBI_EXT_IPI, 0
	check a0, 0, "send_ipi (ping)"
	li s1, N
	call wait_received0
	ld t0, received1
	check t0, N, "pings hart 1 took"
	ld t0, received0
	check t0, N, "pongs hart 0 took"
	print "ipi: 1000 pings and 1000 pongs, each taken once\n"

	li a0, 0                        // every hart, this one too
	li a1, -1
	sbi SBI_EXT_IPI, 0
	check a0, 0, "send_ipi to every hart (hart_mask_base -1)"
	addi s1, s1, 1
	call wait_received0
4:	ld t0, received1
	bltu t0, s1, 4b
	csrci sstatus, SSTATUS_SIE
	ld t0, received0
	check t0, N + 1, "IPIs hart 0 took"
	ld t0, received1
	check t0, N + 1, "IPIs hart 1 took"
	ld t0, bad_cause
	check t0, 0, "an scause other than the software interrupt"
	print "ipi: hart_mask_base -1 reached both harts\n"
	print "ipi: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

// Waits until hart 0 took s1 IPIs. It looks with sstatus.SIE clear, so
// that none is taken between the look and the wfi (which it would then
// wait past): wfi wakes for a pending one, taken once SIE is set again.
wait_received0:
	csrci sstatus, SSTATUS_SIE
	ld t0, received0
	bgeu t0, s1, 1f
	wfi
	csrsi sstatus, SSTATUS_SIE
	j wait_received0
1:	csrsi sstatus, SSTATUS_SIE
	ret

// Hart 1: a0 = 1. It only answers pings, in its handler.
	.balign 4
secondary:
	la sp, stack_top
	li t0, 0x8000
	sub sp, sp, t0
	csrw sscratch, a0
	la t0, handler
	csrw stvec, t0
	li t0, SIP_SSIP
	csrw sie, t0
	csrsi sstatus, SSTATUS_SIE
	li t0, 1
	la t1, ready
	sd t0, 0(t1)
1:	wfi
	j 1b

// Both harts' handler: a software interrupt, cleared, counted, answered.
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
	li t1, CAUSE_SSI
	beq t0, t1, 1f
	la t1, bad_cause
	sd t0, 0(t1)
	j 9f
1:	csrci sip, SIP_SSIP
	csrr t0, sscratch
	bnez t0, 2f
	la t0, received0                // hart 0: a pong; the next ping
	ld t1, 0(t0)
	addi t1, t1, 1
	sd t1, 0(t0)
	ld t0, pings
	li t1, N
	bgeu t0, t1, 9f
	addi t0, t0, 1
	la t1, pings
	sd t0, 0(t1)
	li a0, 1
	li a1, 1
	sbi SBI_EXT_IPI, 0
	j 9f
2:	la t0, received1                // hart 1: a ping; the pong
	ld t1, 0(t0)
	addi t1, t1, 1
	sd t1, 0(t0)
	li t0, N
	bgtu t1, t0, 9f                 // the broadcast is not answered
	li a0, 1
	li a1, 0
	sbi SBI_EXT_IPI, 0
9:	ld t0, 0(sp)
	ld t1, 8(sp)
	ld a0, 16(sp)
	ld a1, 24(sp)
	ld a6, 32(sp)
	ld a7, 40(sp)
	addi sp, sp, 64
	sret

	// A page of its own: stores into a page that holds translated code make
	// Unicorn re-check that code (and leak its bitmap of it, 2.0.1).
	.data
	.balign 4096
ready:		.dword 0
pings:		.dword 0
received0:	.dword 0
received1:	.dword 0
bad_cause:	.dword 0
