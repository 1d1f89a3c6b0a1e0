// SPDX-License-Identifier: MIT
// bench_irq: 1000 one-shot local APIC timer interrupts (SDM Vol. 3A
// 11.5.4), each armed 10 us ahead while the vCPU waits in HLT; prints the
// clock's frequency (RDTSC counts the VM clock's nanoseconds) and the
// total lateness of the interrupts (RDTSC at the handler minus the
// deadline), from which make bench gives the average delivery latency.
#include "guest.h"

#define VEC 0x30
#define AHEAD_NS 10000
#define AHEAD_TICKS (AHEAD_NS / (1000000000 / APIC_TIMER_HZ))
#define ROUNDS 1000

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	push %r13
	IDT_GATE VEC, timer_handler, 0x8e
	lidt idtr(%rip)
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff
	apic_write APIC_TIMER_DIVIDE, 0xb
	apic_write APIC_LVT_TIMER, VEC
	xor %r12d, %r12d                        // total lateness
	xor %r13d, %r13d                        // interrupts taken
1:	tsc
	add $AHEAD_NS, %rax
	mov %rax, deadline(%rip)
	apic_write APIC_TIMER_INITIAL, AHEAD_TICKS
2:	cli
	cmp count(%rip), %r13
	jne 3f
	sti
	hlt
	jmp 2b
3:	sti
	mov count(%rip), %r13
	add late(%rip), %r12
	cmp $ROUNDS, %r13
	jb 1b
	print "bench_irq: frequency "
	mov $1000000000, %rdi
	call guest_puthex
	print "\nbench_irq: interrupts "
	mov %r13, %rdi
	call guest_puthex
	print "\nbench_irq: total lateness (ticks) "
	mov %r12, %rdi
	call guest_puthex
	print "\n"
	xor %eax, %eax
	pop %r13
	pop %r12
	pop %rbx
	ret

timer_handler:
	push %rax
	push %rdx
	tsc
	sub deadline(%rip), %rax
	mov %rax, late(%rip)
	incq count(%rip)
	apic_write APIC_EOI, 0
	pop %rdx
	pop %rax
	iretq

	IDT
	.balign 8
deadline: .quad 0
late:	.quad 0
count:	.quad 0
