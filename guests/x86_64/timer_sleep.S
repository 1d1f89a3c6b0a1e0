// SPDX-License-Identifier: MIT
// timer_sleep: a one-shot APIC timer 2 s away, then HLT. The vCPU must
// sleep until then (the host thread waits for the deadline), not spin.
#include "guest.h"

#define VEC 0x30
#define SLEEP_NS 2000000000
#define SLEEP_TICKS (SLEEP_NS / (1000000000 / APIC_TIMER_HZ))

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	IDT_GATE VEC, timer_handler, 0x8e
	lidt idtr(%rip)
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff
	apic_write APIC_TIMER_DIVIDE, 0xb
	apic_write APIC_LVT_TIMER, VEC
	print "timer_sleep: one-shot timer 2 s away, waiting in HLT\n"
	tsc
	mov %rax, %rbx
	apic_write APIC_TIMER_INITIAL, SLEEP_TICKS
1:	cli
	cmpl $0, fired(%rip)
	jne 2f
	sti
	hlt
	jmp 1b
2:	tsc
	sub %rbx, %rax
	mov $SLEEP_NS, %rcx
	cmp %rcx, %rax
	jae 3f
	mov %rax, %rsi
	lea early(%rip), %rdi
	call guest_fail_value
3:	print "timer_sleep: woke up 2 s later\n"
	xor %eax, %eax
	pop %rbx
	ret

timer_handler:
	movl $1, fired(%rip)
	push %rax
	apic_write APIC_EOI, 0
	pop %rax
	iretq

	.section .rodata
early:	.asciz "woke up before the timer (ns)"

	IDT
fired:	.long 0
