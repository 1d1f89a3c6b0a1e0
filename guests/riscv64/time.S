// SPDX-License-Identifier: MIT
// time: reads the `time` CSR (rdtime and its other read forms), which
// counts at the device tree's timebase-frequency (10 MHz on QEMU virt).
// In VS-mode the read traps to cvisor (hcounteren.TM clear, Privileged
// 8.2.5), which gives the platform's time; the guest checks that time
// moves forward across a busy loop and that each read form works. A write
// to `time` (a read-only CSR) is an illegal instruction the guest's own
// handler takes (scause 2, stval = the instruction).
#include "guest.h"

#define SPIN 1000000

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	la t0, handler
	csrw stvec, t0

	.global time_read1
time_read1:
	rdtime s1                       // csrrs s1, time, x0
	li t0, SPIN
1:	addi t0, t0, -1
	bnez t0, 1b
	.global time_read2
time_read2:
	csrrsi s2, time, 0              // the immediate form, reads only
	bgtu s2, s1, 2f
	mv a1, s2
	la a0, not_forward
	call guest_fail_value
2:	csrrc s3, time, x0              // csrrc with x0 reads only too
	bgeu s3, s2, 3f
	mv a1, s3
	la a0, went_back
	call guest_fail_value
3:	print "time: advances\n"

	// A write: an illegal instruction for the guest, not an exit.
	.global time_write
time_write:
	csrw time, s1
	ld t0, seen_cause
	check t0, 2, "scause of a write to time"
	ld t0, seen_epc
	la t1, time_write
	check_eq t0, t1, "sepc of a write to time"
	ld t0, seen_tval
	lwu t1, time_write
	check_eq t0, t1, "stval of a write to time (the instruction)"
	print "time: a write is an illegal instruction\n"
	print "time: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	.balign 4
handler:
	csrr t0, scause
	la t1, seen_cause
	sd t0, 0(t1)
	csrr t0, sepc
	la t1, seen_epc
	sd t0, 0(t1)
	csrr t0, stval
	la t1, seen_tval
	sd t0, 0(t1)
	csrr t0, sepc
	addi t0, t0, 4                  // every instruction here is 4 bytes
	csrw sepc, t0
	sret

	.section .rodata
not_forward:	.asciz "time did not move forward across the loop"
went_back:	.asciz "time went back"

	.data
	.balign 8
seen_cause:	.dword 0
seen_epc:	.dword 0
seen_tval:	.dword 0
