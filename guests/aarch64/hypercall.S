// SPDX-License-Identifier: MIT
// hypercall: SMCCC and PSCI discovery calls, cvisor's own calls through
// HVC and SMC, and the registers the calling convention preserves.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!

	li x0, SMCCC_VERSION
	hvc #0
	check x0, 0x10001, "SMCCC_VERSION"

	li x0, PSCI_FEATURES
	li x1, PSCI_SYSTEM_OFF
	hvc #0
	check x0, 0, "PSCI_FEATURES(SYSTEM_OFF)"

	li x0, PSCI_FEATURES
	li x1, 0x8400ff00
	hvc #0
	movn x1, #0                // -1: NOT_SUPPORTED
	check_reg x0, x1, "PSCI_FEATURES(unknown)"

	li x0, CVISOR_CALL(CVISOR_VERSION)
	hvc #0
	check x0, 0x1, "cvisor VERSION (0.1)"

	// ADD round trip; x4..x17 and x19.. survive the call.
	li x0, CVISOR_CALL(CVISOR_ADD)
	mov x1, #40
	mov x2, #1
	mov x3, #1
	li x4, 0x5a5a
	li x9, 0x1234
	hvc #0
	check x0, 42, "cvisor ADD over HVC"
	check x4, 0x5a5a, "x4 preserved"
	check x9, 0x1234, "x9 preserved"

	// The same call through SMC, with an immediate the hypervisor ignores.
	li x0, CVISOR_CALL(CVISOR_ADD)
	mov x1, #100
	mov x2, #20
	mov x3, #3
	smc #0
	check x0, 123, "cvisor ADD over SMC"

	li x0, CVISOR_CALL(CVISOR_VCPU_ID)
	hvc #0
	check x0, 0, "cvisor VCPU_ID"

	// AFFINITY_INFO: this vCPU (MPIDR Aff0 = 0) is ON (0); no vCPU has
	// Aff0 = 1, and only level 0 may be asked: INVALID_PARAMETERS (-2).
	li x0, PSCI_FEATURES
	li x1, PSCI_AFFINITY_INFO
	hvc #0
	check x0, 0, "PSCI_FEATURES(AFFINITY_INFO)"
	li x0, PSCI_AFFINITY_INFO
	mov x1, #0
	mov x2, #0
	hvc #0
	check x0, 0, "AFFINITY_INFO(vCPU 0)"
	li x0, PSCI_AFFINITY_INFO
	mov x1, #1
	mov x2, #0
	hvc #0
	movn x1, #1
	check_reg x0, x1, "AFFINITY_INFO(no such vCPU)"
	li x0, PSCI_AFFINITY_INFO
	mov x1, #0
	mov x2, #1
	hvc #0
	movn x1, #1
	check_reg x0, x1, "AFFINITY_INFO(level 1)"

	li x0, CVISOR_CALL(0xff)
	hvc #0
	movn x1, #0
	check_reg x0, x1, "unknown cvisor call"

	// PUTCHAR prints through the hypervisor, not the UART.
	adr x19, msg
1:	ldrb w1, [x19], #1
	cbz w1, 2f
	li x0, CVISOR_CALL(CVISOR_PUTCHAR)
	hvc #0
	b 1b
2:
	print "hypercall: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

	.section .rodata
msg:	.asciz "hypercall: putchar ok\n"
