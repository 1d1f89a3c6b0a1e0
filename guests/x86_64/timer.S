// SPDX-License-Identifier: MIT
// timer: the local APIC timer (SDM Vol. 3A, 11.5.4). The guest enables its
// APIC, runs the timer periodic with IF = 0 (nothing may be delivered, the
// vector waits in IRR), takes it right after STI, then takes 10 periodic
// interrupts in HLT, each timed with RDTSC (nanoseconds of the VM clock)
// against its expiry, and prints their smallest and largest spacing; then
// a one-shot that fires once, one held back by TPR, and a self-IPI held
// while IF = 0 and taken right after POPF, then IRETQ, set IF.
#include "guest.h"

#define VEC 0x30
#define SELF_VEC 0x31
#define PERIOD_NS 5000000                                 // 5 ms
#define PERIOD_TICKS (PERIOD_NS / (1000000000 / APIC_TIMER_HZ))
#define N 10
#define LATE_NS 20000000                                  // 20 ms: the host may be busy

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	push %r13
	push %r14
	IDT_GATE VEC, timer_handler, 0x8e
	IDT_GATE SELF_VEC, self_handler, 0x8e
	IDT_GATE 0xff, spurious_handler, 0x8e
	lidt idtr(%rip)

	// What CPUID says: an APIC (CPUID.1:EDX[9]), its timer's clock (CPUID.15H:ECX).
	mov $1, %eax
	cpuid
	shr $9, %edx
	and $1, %edx
	check %rdx, 1, "CPUID.1:EDX.APIC"
	mov $0x15, %eax
	cpuid
	check %rcx, APIC_TIMER_HZ, "CPUID.15H:ECX (APIC timer clock)"
	apic_read APIC_VERSION
	check %rax, 0x60014, "APIC version register"
	apic_read APIC_ID
	check %rax, 0, "APIC ID register"
	print "timer: local APIC version 0x60014, id 0, timer clock 100 MHz\n"

	// Software-enable it (spurious vector 0xff), divide by 1, periodic.
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff
	apic_write APIC_TIMER_DIVIDE, 0xb
	apic_write APIC_LVT_TIMER, APIC_TIMER_PERIODIC | VEC
	tsc
	mov %rax, %r12
	apic_write APIC_TIMER_INITIAL, PERIOD_TICKS

	// IF = 0 for two periods: no interrupt, vector 0x30 in IRR (bank 1, bit 16).
	mov $2 * PERIOD_NS, %rdi
	call spin_from_r12
	mov ticks(%rip), %rax
	check %rax, 0, "interrupts taken while IF=0"
	apic_read APIC_IRR + 0x10
	shr $16, %eax
	and $1, %eax
	check %rax, 1, "IRR bit of vector 0x30 while IF=0"
	print "timer: IF=0 for 2 periods: nothing delivered, vector 0x30 waits in IRR\n"

	// STI: taken after the instruction STI shadows (SDM Vol. 3A, 6.8.3).
	sti
	nop
	.global after_sti
after_sti:
	cli
	mov ticks(%rip), %rax
	check %rax, 1, "interrupts right after sti"
	print "timer: taken right after sti\n"

	// Ten periods from a fresh start, waiting in HLT. Stop the timer and take
	// what it may have raised since, first.
	apic_write APIC_TIMER_INITIAL, 0
	sti
	nop
	cli
	movq $0, ticks(%rip)
	tsc
	mov %rax, start(%rip)
	apic_write APIC_TIMER_INITIAL, PERIOD_TICKS
	sti
1:	hlt
	cmpq $N, ticks(%rip)
	jb 1b
	cli
	apic_write APIC_LVT_TIMER, APIC_LVT_MASKED | VEC
	call check_times
	print "timer: 10 interrupts, none before its expiry, none 20 ms after it\n"
	print "timer: spacing min "
	mov min_spacing(%rip), %rdi
	call guest_puthex
	print " ns, max "
	mov max_spacing(%rip), %rdi
	call guest_puthex
	print " ns\n"

	// One-shot: one interrupt, then the count stays 0.
	movq $0, ticks(%rip)
	apic_write APIC_LVT_TIMER, VEC
	tsc
	mov %rax, %r12
	apic_write APIC_TIMER_INITIAL, PERIOD_TICKS
	sti
2:	hlt
	cmpq $1, ticks(%rip)
	jb 2b
	mov $3 * PERIOD_NS, %rdi
	call spin_from_r12
	cli
	mov ticks(%rip), %rax
	check %rax, 1, "one-shot interrupts in 3 periods"
	apic_read APIC_TIMER_CURRENT
	check %rax, 0, "current count after the one-shot"
	print "timer: one-shot: 1 interrupt in 3 periods, current count 0\n"

	// TPR 0x30 holds vector 0x30 back (class 3 is not above 3); TPR 0 lets it in.
	movq $0, ticks(%rip)
	apic_write APIC_TPR, 0x30
	tsc
	mov %rax, %r12
	apic_write APIC_TIMER_INITIAL, 100
	sti
	mov $PERIOD_NS, %rdi
	call spin_from_r12
	mov ticks(%rip), %rax
	check %rax, 0, "interrupts with TPR 0x30"
	apic_read APIC_PPR
	check %rax, 0x30, "PPR with TPR 0x30"
	apic_write APIC_TPR, 0
	mov $1000, %ecx
3:	cmpq $0, ticks(%rip)
	jne 4f
	dec %ecx
	jnz 3b
4:	cli
	mov ticks(%rip), %rax
	check %rax, 1, "interrupts once TPR is 0"
	print "timer: TPR 0x30 held vector 0x30 back, TPR 0 let it in\n"

	// A self-IPI (vector 0x31) waits while IF = 0; POPF, then IRETQ, set IF:
	// each is taken right after the instruction that set IF.
	apic_write APIC_TPR, 0
	apic_write APIC_ICR_LO, 0x40000 | SELF_VEC
	mov selfs(%rip), %rax
	check %rax, 0, "self-IPIs taken with IF=0"
	pushfq
	orq $0x200, (%rsp)
	popfq
	.global after_popf
after_popf:
	cli
	mov selfs(%rip), %rax
	check %rax, 1, "self-IPIs taken after POPF set IF"
	apic_write APIC_ICR_LO, 0x40000 | SELF_VEC
	mov %rsp, %rcx
	mov %ss, %eax
	push %rax
	push %rcx
	pushfq
	orq $0x200, (%rsp)
	mov %cs, %eax
	push %rax
	lea after_iretq(%rip), %rax
	push %rax
	iretq
	.global after_iretq
after_iretq:
	cli
	mov selfs(%rip), %rax
	check %rax, 2, "self-IPIs taken after IRETQ set IF"
	print "timer: self-IPI held while IF=0, taken right after POPF and after IRETQ\n"

	apic_write APIC_SVR, 0xff
	print "timer: all ok\n"
	xor %eax, %eax
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	ret

// spin_from_r12(rdi = ns): busy-waits until RDTSC is rdi past r12, reading it every few thousand instructions.
spin_from_r12:
1:	mov $1000, %ecx
2:	dec %ecx
	jnz 2b
	tsc
	sub %r12, %rax
	cmp %rdi, %rax
	jb 1b
	ret

// check_times: interrupt k (0..N-1) came no earlier than (k + 1) periods
// after start (a timer never fires early), and less than LATE_NS after
// that (the host's scheduling delays a wake-up; the periods stay on their
// grid). Also the smallest and largest spacing of two interrupts in a row,
// in min_spacing and max_spacing.
check_times:
	push %rbx
	xor %ebx, %ebx
	movq $-1, min_spacing(%rip)
	movq $0, max_spacing(%rip)
1:	lea times(%rip), %rax
	mov (%rax, %rbx, 8), %r14
	mov %r14, %rax
	sub start(%rip), %rax
	lea 1(%rbx), %rcx
	imul $PERIOD_NS, %rcx
	sub %rcx, %rax                  // ns after its expiry
	jae 2f
	lea early(%rip), %rdi
	jmp 9f
2:	cmp $LATE_NS, %rax
	jb 3f
	lea late(%rip), %rdi
9:	mov %rax, %rsi
	call guest_fail_value
3:	test %rbx, %rbx
	jz 4f
	mov %r14, %rax
	sub %r13, %rax                  // spacing from the one before
	cmp min_spacing(%rip), %rax
	jae 5f
	mov %rax, min_spacing(%rip)
5:	cmp max_spacing(%rip), %rax
	jbe 4f
	mov %rax, max_spacing(%rip)
4:	mov %r14, %r13
	inc %rbx
	cmp $N, %rbx
	jb 1b
	pop %rbx
	ret

// The timer's handler: the time of each interrupt, then EOI.
timer_handler:
	push %rax
	push %rcx
	push %rdx
	tsc
	mov ticks(%rip), %rcx
	cmp $16, %rcx
	jae 1f
	lea times(%rip), %rdx
	mov %rax, (%rdx, %rcx, 8)
1:	incq ticks(%rip)
	apic_write APIC_EOI, 0
	pop %rdx
	pop %rcx
	pop %rax
	iretq

self_handler:
	push %rax
	incq selfs(%rip)
	apic_write APIC_EOI, 0
	pop %rax
	iretq

spurious_handler:
	iretq

	.section .rodata
early:	.asciz "interrupt before its expiry (ns after it, negative)"
late:	.asciz "interrupt 20 ms or more after its expiry (ns after it)"

	IDT
	.balign 8
ticks:	.quad 0
selfs:	.quad 0
start:	.quad 0
min_spacing: .quad 0
max_spacing: .quad 0
times:	.fill 16, 8, 0
