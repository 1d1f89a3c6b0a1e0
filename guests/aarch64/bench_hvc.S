// SPDX-License-Identifier: MIT
// bench_hvc: 1 million cvisor VERSION hypercalls, then power off.
#include "guest.h"

#define CALLS 1000000

	.section .text.boot, "ax"
	.global _start
_start:
	li x19, CALLS
1:	li x0, CVISOR_CALL(CVISOR_VERSION)
	hvc #0
	subs x19, x19, #1
	b.ne 1b
	li x0, PSCI_SYSTEM_OFF
	hvc #0
	b .
