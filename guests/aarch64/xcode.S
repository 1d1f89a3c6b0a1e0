// SPDX-License-Identifier: MIT
// xcode: code one vCPU writes, another runs (cpu_num = 2). vCPU 1 runs
// `patched` (movz w0, #n; ret) once before any change, so that its
// simulated CPU holds a translation of it; then, for each round n = 1..12,
// vCPU 0 writes `movz w0, #n` over it and makes it visible to instruction
// fetches as the ARM ARM asks (B2.4.4 "Concurrent modification and
// execution of instructions": DC CVAU, DSB ISH, an instruction cache
// invalidation, DSB ISH), then tells vCPU 1 the round (store-release and
// SEV). vCPU 1 takes it (load-acquire), ISB, calls `patched` and checks
// it returns n: the new code, not its old translation. The invalidation
// is IC IVAU of the line for rounds 1-8, IC IALLUIS for 9-10 and IC IALLU
// for 11-12. vCPU 1 answers each round (ack) and, after the last, powers
// off (CPU_OFF); vCPU 0 waits for that (AFFINITY_INFO) and ends.
#include "guest.h"

#define PSCI_CPU_OFF 0x84000002
#define ROUNDS 12
#define MOVZ_W0 0x52800000 // movz w0, #imm16 (imm16 at bit 5)

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	print "xcode: vCPU 0 starts vCPU 1\n"
	li x0, PSCI_CPU_ON
	mov x1, #1
	adr x2, secondary
	mov x3, #1
	hvc #0
	check x0, 0, "CPU_ON"
	// Wait until vCPU 1 has run the first version.
	adr x1, ready
1:	wfe
	ldar w2, [x1]
	cbz w2, 1b

	mov x19, #1 // the round
2:	li w2, MOVZ_W0
	orr w2, w2, w19, lsl #5
	adr x1, patched
	str w2, [x1]
	dc cvau, x1
	dsb ish
	cmp x19, #8
	b.hi 3f
	ic ivau, x1
	b 5f
3:	cmp x19, #10
	b.hi 4f
	ic ialluis
	b 5f
4:	ic iallu
5:	dsb ish
	isb
	adr x1, round
	stlr w19, [x1]
	sev
	// Wait for vCPU 1's answer to this round.
	adr x1, ack
6:	wfe
	ldar w2, [x1]
	cmp w2, w19
	b.ne 6b
	add x19, x19, #1
	cmp x19, #ROUNDS + 1
	b.ne 2b

	// vCPU 1 powers off after its last answer.
7:	li x0, PSCI_AFFINITY_INFO
	mov x1, #1
	mov x2, #0
	hvc #0
	cmp x0, #1
	b.ne 7b
	print "xcode: vCPU 1 ran each of the 12 versions (IC IVAU, IC IALLUIS, IC IALLU)\n"
	print "xcode: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

// vCPU 1: its own stack, the first version, then one call per round.
secondary:
	adr x1, stack_top
	mov sp, x1
	bl patched
	check x0, 0, "the first version"
	adr x1, ready
	mov w2, #1
	stlr w2, [x1]
	sev
	mov x19, #0 // the last round taken
1:	adr x1, round
2:	wfe
	ldar w2, [x1]
	cmp w2, w19
	b.eq 2b
	mov w19, w2
	isb
	bl patched
	check_reg x0, x19, "vCPU 1 ran the new code"
	adr x1, ack
	stlr w19, [x1]
	sev
	cmp x19, #ROUNDS
	b.ne 1b
	li x0, PSCI_CPU_OFF
	hvc #0
	print "FAIL: CPU_OFF returned\n"
	b .

// The code vCPU 0 rewrites: its own page, apart from the code that calls it.
	.balign 4096
patched:
	movz w0, #0
	ret
	.balign 4096

	.data
	.balign 4
ready:
	.word 0
round:
	.word 0
ack:
	.word 0
	.bss
	.balign 16
	.space 4096
stack_top:
