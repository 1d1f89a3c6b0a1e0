// SPDX-License-Identifier: MIT
// ipi: two vCPUs (cpu_num = 2) play ping-pong with SGI 1 through
// ICC_SGI1R_EL1. vCPU 0 brings up its GIC, starts vCPU 1 (PSCI CPU_ON),
// which brings up its own and says it is ready. Then vCPU 0 sends a ping
// to vCPU 1 by target list (Aff0 bit 1); vCPU 1's handler counts it and
// answers with a pong to "every other vCPU" (IRM = 1); vCPU 0's handler
// counts the pong and, until it has 1000, pings again. Each handler checks
// the INTID it acknowledges, and which vCPU it runs on. Both wait in WFI
// between interrupts. At the end each must have taken exactly 1000, and
// none more after a pause; then vCPU 1 powers off (CPU_OFF).
#include "guest.h"

#define PSCI_CPU_OFF 0x84000002
#define ROUNDS 1000
#define SGI 1
#define PING ((SGI << 24) | (1 << 1))              // INTID 1 to Aff0 = 1 (vCPU 1)
#define PONG_HI 0x100                              // IRM (bit 40) in bits [63:32]

	GUEST_RUNTIME
	VECTORS_IRQ vectors, guest_unexpected_vector, irq_entry

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb
	mov x19, #0
	GIC_CPU_UP x19
	GIC_PPI_ON x19, SGI, 0x80
	print "ipi: vCPU 0 GIC up, SGI 1 enabled\n"
	li x0, PSCI_CPU_ON
	mov x1, #1
	adr x2, secondary
	mov x3, #0
	hvc #0
	check x0, 0, "CPU_ON"
	adr x1, ready
1:	wfe
	ldar w2, [x1]
	cbz w2, 1b
	print "ipi: vCPU 1 ready\n"

	// The first ping; the handlers do the rest.
	li x0, PING
	msr icc_sgi1r_el1, x0
	isb
	adr x20, count0
	mov x21, #ROUNDS
	bl wait_until
	print "ipi: vCPU 0 took 1000 pongs\n"
	// vCPU 1 took its 1000th ping before answering the last pong.
	adr x0, count1
	ldr x0, [x0]
	check x0, ROUNDS, "pings taken by vCPU 1"
	// A pause in which an extra SGI would be taken, then the counts again.
	mov x0, #50000
2:	subs x0, x0, #1
	b.ne 2b
	msr daifclr, #2
	isb
	msr daifset, #2
	adr x0, count0
	ldr x0, [x0]
	check x0, ROUNDS, "pongs taken by vCPU 0 after the pause"
	adr x0, count1
	ldr x0, [x0]
	check x0, ROUNDS, "pings taken by vCPU 1 after the pause"
	print "ipi: exactly 1000 SGIs each way\n"
	adr x1, done
	mov w2, #1
	stlr w2, [x1]
	sev
3:	li x0, PSCI_AFFINITY_INFO
	mov x1, #1
	mov x2, #0
	hvc #0
	cmp x0, #1
	b.ne 3b
	print "ipi: vCPU 1 off\n"
	print "ipi: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

// wait_until(x20 = counter, x21 = value): waits (WFI, IRQs masked, then
// unmasked to take them) until the counter reaches the value.
wait_until:
1:	ldr x0, [x20]
	cmp x0, x21
	b.hs 2f
	wfi
	msr daifclr, #2
	isb
	msr daifset, #2
	b 1b
2:	ret

secondary:
	adr x1, stack1_top
	mov sp, x1
	adr x0, vectors
	msr vbar_el1, x0
	isb
	mov x19, #1
	GIC_CPU_UP x19
	GIC_PPI_ON x19, SGI, 0x80
	adr x1, ready
	mov w2, #1
	stlr w2, [x1]
	sev
	adr x20, count1
	mov x21, #ROUNDS
	bl wait_until
	// Wait for vCPU 0's word (an SGI after this would still be taken).
	adr x1, done
1:	wfe
	ldar w2, [x1]
	cbz w2, 1b
	li x0, PSCI_CPU_OFF
	hvc #0
	print "FAIL: CPU_OFF returned\n"
	b .

irq_entry:
	stp x0, x1, [sp, #-96]!
	stp x2, x3, [sp, #16]
	stp x16, x17, [sp, #32]
	stp x19, x20, [sp, #48]
	stp x29, x30, [sp, #64]
	bl irq_handler
	ldp x2, x3, [sp, #16]
	ldp x16, x17, [sp, #32]
	ldp x19, x20, [sp, #48]
	ldp x29, x30, [sp, #64]
	ldp x0, x1, [sp], #96
	eret

// Counts the SGI on this vCPU and answers: vCPU 1 pongs every ping,
// vCPU 0 pings again until it has ROUNDS pongs.
irq_handler:
	stp x29, x30, [sp, #-16]!
	mrs x19, icc_iar1_el1
	check x19, SGI, "ICC_IAR1_EL1"
	mrs x0, mpidr_el1
	and x20, x0, #0xff
	adr x1, count0
	add x1, x1, x20, lsl #3
	ldr x2, [x1]
	add x2, x2, #1
	str x2, [x1]
	cbz x20, 1f
	// vCPU 1: pong to every other vCPU (IRM).
	li x0, (SGI << 24)
	movk x0, #PONG_HI, lsl #32
	msr icc_sgi1r_el1, x0
	b 2f
1:	cmp x2, #ROUNDS                   // vCPU 0: ping again?
	b.hs 2f
	li x0, PING
	msr icc_sgi1r_el1, x0
2:	msr icc_eoir1_el1, x19
	ldp x29, x30, [sp], #16
	ret

	.data
	.balign 8
count0:
	.quad 0
count1:
	.quad 0
ready:
	.word 0
done:
	.word 0
	.bss
	.balign 16
	.space 4096
stack1_top:
