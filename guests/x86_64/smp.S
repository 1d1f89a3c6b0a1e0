// SPDX-License-Identifier: MIT
// smp: four vCPUs. The BSP (vCPU 0) copies a real-mode trampoline to
// 0x8000 and starts the APs as the SDM's "MP Initialization Example"
// (Vol. 3A, 8.4.4) does: INIT to all excluding self, 10 ms, then two
// start-up IPIs with vector 0x08. Each AP starts in real mode at
// 0800:0000, goes to protected mode, then long mode on the BSP's page
// tables and, once the BSP waits, checks in with its APIC ID (atomic
// increment, atomic bit set), sends the BSP an IPI and halts. The BSP
// waits for all three in HLT and takes their IPIs.
#include "guest.h"

#define CHECKIN_VEC 0x40
#define NAPS 3

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	IDT_GATE CHECKIN_VEC, checkin_handler, 0x8e
	lidt idtr(%rip)
	mov $0x1b, %ecx                 // IA32_APIC_BASE: base, EN, BSP
	rdmsr
	check %rax, 0xfee00900, "BSP's IA32_APIC_BASE"
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff

	print "smp: trampoline at 0x8000, sending INIT, SIPI, SIPI\n"
	lea ap_entry(%rip), %rdi
	call guest_start_aps
	apic_read APIC_ICR_LO
	and $APIC_ICR_BUSY, %eax
	check %rax, 0, "ICR delivery status after the SIPIs"

	// Let the APs check in, and wait in HLT: the test with interrupts off,
	// then STI; HLT in its shadow. An IPI before the HLT is taken at once.
	sti
	movl $1, go(%rip)
1:	cli
	cmpl $NAPS, count(%rip)
	jae 2f
	sti
	hlt
	jmp 1b
2:	sti                             // until every IPI is sent; one still in IRR is taken here
5:	pause
	cmpl $NAPS, sent(%rip)
	jb 5b
	nop
	cli
	mov taken(%rip), %eax
	test %eax, %eax
	jnz 4f
	lea none_taken(%rip), %rdi
	mov %rax, %rsi
	call guest_fail_value
4:	mov count(%rip), %eax
	check %rax, NAPS, "APs checked in"
	mov mask(%rip), %eax
	check %rax, 0xe, "APIC IDs that checked in (bit mask)"
	movzwl TR(tramp_seen_cs), %eax
	check %rax, TRAMP >> 4, "CS an AP started with"
	mov TR(tramp_seen_edx), %eax
	check %rax, 0x606a6, "EDX an AP started with"
	mov TR(tramp_seen_cr0), %eax
	check %rax, 0x60000010, "CR0 an AP started with"
	mov $1, %ebx
3:	lea ap_base(%rip), %rax
	mov (%rax, %rbx, 4), %eax
	check %rax, 0xfee00800, "an AP's IA32_APIC_BASE"
	inc %ebx
	cmp $NAPS, %ebx
	jbe 3b
	print "smp: APs started in real mode at 0800:0000 with EDX 0x606a6, CR0 0x60000010\n"
	print "smp: 3 APs checked in, APIC IDs 1 2 3, IA32_APIC_BASE 0xfee00800 (not BSP)\n"
	print "smp: the BSP waited in HLT and took their IPIs\n"
	print "smp: all ok\n"
	xor %eax, %eax
	pop %rbx
	ret

checkin_handler:
	push %rax
	incl taken(%rip)
	apic_write APIC_EOI, 0
	pop %rax
	iretq

// An AP in long mode: its stack from its APIC ID, check in, tell the BSP, halt.
ap_entry:
	apic_read APIC_ID
	shr $24, %eax
	mov %eax, %ebx
	lea ap_stacks(%rip), %rsp
	lea 1(%rbx), %rax
	shl $12, %rax
	add %rax, %rsp
	mov $0x1b, %ecx
	rdmsr
	lea ap_base(%rip), %rcx
	mov %eax, (%rcx, %rbx, 4)
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff
2:	pause                           // until the BSP waits
	cmpl $0, go(%rip)
	je 2b
	// Check in, then the IPI that wakes the BSP, then say it is sent.
	lock btsl %ebx, mask(%rip)
	lock incl count(%rip)
	apic_write APIC_ICR_HI, 0       // APIC ID 0: the BSP
	apic_write APIC_ICR_LO, CHECKIN_VEC
	lock incl sent(%rip)
1:	cli
	hlt
	jmp 1b

	AP_TRAMPOLINE

	.section .rodata
none_taken: .asciz "check-in IPIs the BSP took"

	IDT
	.balign 8
count:	.long 0
mask:	.long 0
go:	.long 0
sent:	.long 0
taken:	.long 0
ap_base: .fill 4, 4, 0
	.balign 4096
ap_stacks: .fill 4 * 4096, 1, 0
