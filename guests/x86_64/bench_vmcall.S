// SPDX-License-Identifier: MIT
// bench_vmcall: 1 million cvisor VERSION calls through VMCALL, then power off.
#include "guest.h"

#define CALLS 1000000

	.section .text.boot, "ax"
	.global _start
_start:
	mov $CALLS, %ebx
1:	mov $CVISOR_VERSION, %eax
	vmcall
	dec %ebx
	jnz 1b
	mov $PM1A_CNT, %dx
	mov $0x2000, %ax
	out %ax, %dx
	hlt
