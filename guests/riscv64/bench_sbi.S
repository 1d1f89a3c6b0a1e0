// SPDX-License-Identifier: MIT
// bench_sbi: 1 million SBI calls (cvisor VERSION), then shut down.
#include "guest.h"

#define CALLS 1000000

	.section .text.boot, "ax"
	.global _start
_start:
	li s0, CALLS
1:	sbi SBI_EXT_CVISOR, CVISOR_VERSION
	addi s0, s0, -1
	bnez s0, 1b
	li a0, 0
	li a1, 0
	sbi SBI_EXT_SRST, 0
	j .
