// SPDX-License-Identifier: MIT
// ipi: two vCPUs play ping-pong with 1000 fixed IPIs through the ICR
// (SDM Vol. 3A, 11.6.1). The BSP starts the AP (INIT-SIPI-SIPI); the AP
// enables its APIC, says it is ready and waits in HLT. Each ping (vector
// 0x50, to APIC ID 1) is answered by a pong (vector 0x51, to APIC ID 0)
// from the AP's handler; the BSP's handler sends the next ping. Both count
// exactly, EOI each one, and nothing is left in IRR or ISR at the end.
#include "guest.h"

#define PING 0x50
#define PONG 0x51
#define ROUNDS 1000

	GUEST_RUNTIME
	AP_TRAMPOLINE

	.global main
main:
	push %rbx
	IDT_GATE PING, ping_handler, 0x8e
	IDT_GATE PONG, pong_handler, 0x8e
	lidt idtr(%rip)
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff
	lea ap_entry(%rip), %rdi
	call guest_start_aps
1:	pause
	cmpl $1, ap_ready(%rip)
	jne 1b
	print "ipi: AP ready, 1000 rounds of ping (0x50) and pong (0x51)\n"

	apic_write APIC_ICR_HI, 1 << 24
	apic_write APIC_ICR_LO, PING
	// Wait in HLT for the last pong (test with interrupts off, HLT in STI's shadow).
2:	cli
	cmpl $ROUNDS, pongs(%rip)
	jae 3f
	sti
	hlt
	jmp 2b
3:	mov $1000000, %rdi              // 1 ms more: nothing else may come
	sti
	call guest_delay
	cli
	mov pongs(%rip), %eax
	check %rax, ROUNDS, "pongs the BSP took"
	mov pings(%rip), %eax
	check %rax, ROUNDS, "pings the AP took"
	mov ap_isr_bad(%rip), %eax
	check %rax, 0, "pings the AP saw without vector 0x50 in its ISR"
	apic_read APIC_ISR + 0x20       // vectors 0x40..0x5f
	check %rax, 0, "BSP's ISR for vectors 0x40-0x5f after the EOIs"
	apic_read APIC_IRR + 0x20
	check %rax, 0, "BSP's IRR for vectors 0x40-0x5f"
	print "ipi: 1000 pings and 1000 pongs, each taken once and ended with EOI\n"
	print "ipi: all ok\n"
	xor %eax, %eax
	pop %rbx
	ret

// The BSP: a pong came; the next ping, until ROUNDS.
pong_handler:
	push %rax
	incl pongs(%rip)
	apic_write APIC_EOI, 0
	cmpl $ROUNDS, pongs(%rip)
	jae 1f
	apic_write APIC_ICR_HI, 1 << 24
	apic_write APIC_ICR_LO, PING
1:	pop %rax
	iretq

// The AP: a ping came (its ISR bit is set while it runs); answer it.
ping_handler:
	push %rax
	incl pings(%rip)
	apic_read APIC_ISR + 0x20
	cmp $1 << (PING - 0x40), %eax
	je 1f
	incl ap_isr_bad(%rip)
1:	apic_write APIC_EOI, 0
	apic_write APIC_ICR_HI, 0
	apic_write APIC_ICR_LO, PONG
	pop %rax
	iretq

ap_entry:
	lea ap_stack_top(%rip), %rsp
	lidt idtr(%rip)
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff
	movl $1, ap_ready(%rip)
	sti
1:	hlt
	jmp 1b

	IDT
	.balign 8
pings:	.long 0
pongs:	.long 0
ap_isr_bad: .long 0
ap_ready: .long 0
	.balign 16
	.fill 4096, 1, 0
ap_stack_top:
