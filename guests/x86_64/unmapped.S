// SPDX-License-Identifier: MIT
// unmapped: accesses to GPAs that are neither RAM nor a device, with the
// guest's own IDT installed. Its #GP handler prints the error code it
// takes, checks the RIP pushed (the instruction), and resumes after the
// access. In order:
//   1. a load (mov (%rdi), %eax) from GPA 0x7000_0000, eax = 0x55 before:
//      the guest prints what eax holds after it;
//   2. a store (mov %eax, 8(%rdi)) to GPA 0x7000_0008;
//   3. a call to GPA 0x7000_1000: a fetch from no memory, which nothing
//      on x86 can fault: the VM stops, whatever its config says.
// 1 and 2 follow [devices] unmapped_access (configs unmapped_*.toml): with
// "stop" the VM stops at 1; with "abort" each is a #GP(0); with "raz_wi"
// 1 reads 0 and 2 is ignored.
#include "guest.h"

#define DATA_GPA 0x70000000
#define FETCH_GPA 0x70001000

// EXPECT label: the #GP handler checks the pushed RIP against label and
// resumes at 9f.
.macro EXPECT label
	lea \label(%rip), %r8
	mov %r8, expected_rip(%rip)
	lea 9f(%rip), %r8
	mov %r8, resume(%rip)
.endm

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	IDT_GATE 13, gp_handler, 0x8e
	lidt idtr(%rip)

	// 1. A load: eax keeps 0x55 after a #GP, reads 0 with raz_wi.
	print "unmapped: load from 0x7000_0000\n"
	EXPECT data_load
	mov $DATA_GPA, %rdi
	mov $0x55, %eax
	.global data_load
data_load:
	mov (%rdi), %eax
9:
	mov %rax, %rbx
	print "unmapped: eax = "
	mov %rbx, %rdi
	call guest_puthex
	print "\n"

	// 2. A store.
	print "unmapped: store to 0x7000_0008\n"
	EXPECT data_store
	mov $DATA_GPA, %rdi
	.global data_store
data_store:
	mov %eax, 8(%rdi)
9:
	// 3. A fetch from no memory: the end.
	print "unmapped: call to 0x7000_1000\n"
	mov $FETCH_GPA, %rax
	call *%rax
	print "unmapped: still running after the fetch\n"
	mov $1, %eax
	pop %rbx
	ret

// #GP: prints "unmapped: #GP error=0x...", checks the pushed RIP, returns
// to resume with rax as it was (a faulting load leaves its register
// unchanged). Clobbers rdi, rsi, rcx, rdx, r8..r11 (the main program keeps
// nothing there across an access).
gp_handler:
	push %rax
	print "unmapped: #GP error="
	mov 8(%rsp), %rdi               // the error code
	call guest_puthex
	print "\n"
	mov 16(%rsp), %rsi              // the RIP pushed
	cmp expected_rip(%rip), %rsi
	je 1f
	lea bad_rip(%rip), %rdi
	call guest_fail_value
1:	mov resume(%rip), %rax
	mov %rax, 16(%rsp)
	pop %rax
	add $8, %rsp                    // the error code
	iretq

	.section .rodata
bad_rip: .asciz "RIP pushed for #GP"

	.data
	.balign 8
expected_rip: .quad 0
resume: .quad 0

	IDT
