// SPDX-License-Identifier: MIT
// nowake: the only hart enables its timer and software interrupts in sie,
// but arms no timer, and suspends (SBI HSM hart_suspend): no IPI can come
// from another hart, no timer will fire, no PLIC source is enabled, so
// cvisor stops the VM with a report instead of waiting forever.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	li t0, SIP_STIP | SIP_SSIP
	csrw sie, t0
	print "nowake: suspending\n"
	li a0, 0
	li a7, SBI_EXT_HSM
	li a6, HSM_HART_SUSPEND
	.global suspend_ecall
suspend_ecall:
	ecall
	print "nowake: woke up\n"
	li a0, 1
	ret
