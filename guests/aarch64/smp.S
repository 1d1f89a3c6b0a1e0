// SPDX-License-Identifier: MIT
// smp: four vCPUs (cpu_num = 4). vCPU 0 starts the others one at a time with
// PSCI CPU_ON (the SMC64 form for vCPUs 1 and 3, SMC32 for 2), passing each
// its index as the context id; each checks its x0, prints its MPIDR_EL1 and
// checks in with an atomic increment (LDAXR/STLXR) of `checked_in`. vCPU 0
// waits with WFE until each has, checks CPU_ON's errors (ALREADY_ON for a
// vCPU that is on, INVALID_PARAMETERS for an affinity no vCPU has) and
// AFFINITY_INFO (ON), then lets the others go: each calls CPU_OFF, and vCPU
// 0 waits until AFFINITY_INFO says OFF for all three.
// Starting them one at a time keeps the console lines in a fixed order.
#include "guest.h"

#define PSCI_CPU_ON_32 0x84000003
#define PSCI_CPU_OFF 0x84000002
#define NCPUS 4

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	print "smp: vCPU 0 starts the others\n"
	mov x19, #1                        // the vCPU to start
1:	mov x0, x19
	bl start_cpu
	check x0, 0, "CPU_ON"
	// Wait (WFE) until it has checked in: checked_in == x19.
2:	wfe
	adr x1, checked_in
	ldar w2, [x1]
	cmp w2, w19
	b.ne 2b
	add x19, x19, #1
	cmp x19, #NCPUS
	b.ne 1b
	print "smp: all 3 secondaries checked in\n"

	// CPU_ON of a vCPU that is on: ALREADY_ON (-4); of affinity 0x7: INVALID_PARAMETERS (-2).
	li x0, PSCI_CPU_ON
	mov x1, #1
	adr x2, secondary
	mov x3, #1
	hvc #0
	mov x1, #-4
	check_reg x0, x1, "CPU_ON of a vCPU that is on"
	li x0, PSCI_CPU_ON
	mov x1, #7
	adr x2, secondary
	mov x3, #7
	hvc #0
	mov x1, #-2
	check_reg x0, x1, "CPU_ON of affinity 7"
	print "smp: CPU_ON errors ok\n"

	// AFFINITY_INFO of each: ON (0).
	mov x19, #1
3:	li x0, PSCI_AFFINITY_INFO
	mov x1, x19
	mov x2, #0
	hvc #0
	check x0, 0, "AFFINITY_INFO ON"
	add x19, x19, #1
	cmp x19, #NCPUS
	b.ne 3b
	print "smp: AFFINITY_INFO says ON for vCPUs 1-3\n"

	// Let them go (release), then wait until each is OFF (1).
	adr x1, go_off
	mov w2, #1
	stlr w2, [x1]
	sev
	mov x19, #1
4:	li x0, PSCI_AFFINITY_INFO
	mov x1, x19
	mov x2, #0
	hvc #0
	cmp x0, #1
	b.ne 4b
	add x19, x19, #1
	cmp x19, #NCPUS
	b.ne 4b
	print "smp: AFFINITY_INFO says OFF for vCPUs 1-3\n"
	print "smp: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

// start_cpu(x0 = index): CPU_ON of the vCPU with MPIDR Aff0 = index, entry
// `secondary`, context = index. vCPU 2 with the SMC32 function ID.
start_cpu:
	mov x1, x0
	adr x2, secondary
	mov x3, x0
	li x0, PSCI_CPU_ON
	cmp x1, #2
	b.ne 1f
	li x0, PSCI_CPU_ON_32
1:	hvc #0
	ret

// A secondary: x0 = its index (the context id), EL1h, MMU off, DAIF masked.
secondary:
	mov x19, x0
	// Its own stack: stacks + (index + 1) * 4 KiB.
	adr x1, stacks
	add x2, x19, #1
	add x1, x1, x2, lsl #12
	mov sp, x1
	mrs x20, mpidr_el1
	and x1, x20, #0xff
	check_reg x1, x19, "context id is the vCPU's Aff0"
	mrs x1, CurrentEL
	check x1, 4, "CurrentEL is EL1"
	mrs x1, daif
	check x1, 0x3c0, "DAIF masked"
	mrs x1, sctlr_el1
	tst x1, #1
	cset x1, ne
	check x1, 0, "MMU off"
	print "smp: vCPU up, MPIDR_EL1 "
	mov x0, x20
	bl guest_puthex
	mov w0, #'\n'
	bl guest_putc
	// Check in: atomic increment.
	adr x1, checked_in
1:	ldaxr w2, [x1]
	add w2, w2, #1
	stlxr w3, w2, [x1]
	cbnz w3, 1b
	sev
	// Wait for vCPU 0's go, then power off.
	adr x1, go_off
2:	wfe
	ldar w2, [x1]
	cbz w2, 2b
	li x0, PSCI_CPU_OFF
	hvc #0
	print "FAIL: CPU_OFF returned\n"
	b .

	.data
	.balign 4
checked_in:
	.word 0
go_off:
	.word 0
	.bss
	.balign 4096
stacks:
	.space 4096 * NCPUS
