// SPDX-License-Identifier: MIT
// sleep: waits for a timer interrupt two seconds away, twice: in wfi
// (privileged spec 3.3.3: it ends when an interrupt enabled in sie is
// pending, even with sstatus.SIE clear, so nothing is taken), then in an
// SBI hart_suspend of the default retentive kind (SBI 2.0, 9.4), which
// behaves as wfi. Each time the hart must wake no earlier than the
// deadline, by `time`; a hypervisor that waits by spinning would burn
// the two seconds of CPU time (the test measures it).
#include "guest.h"

#define WAIT 20000000                   // ticks of 10 MHz: 2 s
#define SHORT 2000000                   // 0.2 s

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li t0, SIP_STIP
	csrw sie, t0                    // enabled in sie, masked by sstatus.SIE = 0
	rdtime s1
	li t0, WAIT
	add s1, s1, t0
	mv a0, s1
	sbi SBI_EXT_TIME, 0
	print "sleep: waiting 2 s in wfi\n"
	.global sleep_wfi
sleep_wfi:
	wfi
	rdtime t0
	bgeu t0, s1, 1f
	mv a1, t0
	la a0, early
	call guest_fail_value
1:	csrr t0, sip
	andi t0, t0, SIP_STIP
	check t0, SIP_STIP, "sip.STIP after the wfi"
	print "sleep: woke from wfi at or after the deadline, STIP pending\n"

	rdtime s1
	li t0, SHORT
	add s1, s1, t0
	mv a0, s1
	sbi SBI_EXT_TIME, 0             // also clears STIP
	csrr t0, sip
	andi t0, t0, SIP_STIP
	check t0, 0, "sip.STIP after sbi_set_timer"
	li a0, 0                        // default retentive suspend
	li a1, 0
	li a2, 0
	sbi SBI_EXT_HSM, HSM_HART_SUSPEND
	check a0, 0, "hart_suspend"
	rdtime t0
	bgeu t0, s1, 2f
	mv a1, t0
	la a0, early
	call guest_fail_value
2:	print "sleep: woke from hart_suspend at or after the deadline\n"
	li a0, 0x80000000               // non-retentive: not implemented
	la a1, main
	sbi SBI_EXT_HSM, HSM_HART_SUSPEND
	check a0, -2, "non-retentive hart_suspend: SBI_ERR_NOT_SUPPORTED"
	print "sleep: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	.section .rodata
early:	.asciz "woke before the deadline, at time"
