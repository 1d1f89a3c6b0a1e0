// SPDX-License-Identifier: MIT
// trap: the guest loads its own IDT and takes two exceptions of its own:
// int3 (#BP, vector 3, a trap: RIP after it) and ud2 (#UD, vector 6, a
// fault: RIP at it). They go through its IDT, as with an empty VMX
// exception bitmap, never to the hypervisor.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	// IDT entries 3 and 6: 64-bit interrupt gates to the handlers.
	lea idt(%rip), %rdi
	lea bp_handler(%rip), %rsi
	mov $3, %ecx
	call set_gate
	lea idt(%rip), %rdi
	lea ud_handler(%rip), %rsi
	mov $6, %ecx
	call set_gate
	lidt idtr(%rip)

	.global int3_insn
int3_insn:
	int3
	check %rbx, 3, "#BP handler ran"
	mov seen_rip(%rip), %rax
	lea int3_insn + 1(%rip), %rcx
	cmp %rcx, %rax
	je 1f
	mov %rax, %rsi
	lea bad_bp(%rip), %rdi
	call guest_fail_value
1:
	.global ud2_insn
ud2_insn:
	ud2
	check %rbx, 6, "#UD handler ran"
	mov seen_rip(%rip), %rax
	lea ud2_insn(%rip), %rcx
	cmp %rcx, %rax
	je 2f
	mov %rax, %rsi
	lea bad_ud(%rip), %rdi
	call guest_fail_value
2:
	print "trap: all ok\n"
	xor %eax, %eax
	pop %rbx
	ret

// set_gate(rdi = idt, rsi = handler, ecx = vector): an interrupt gate, CS = the current CS.
set_gate:
	shl $4, %rcx
	add %rcx, %rdi
	mov %si, (%rdi)
	mov %cs, %ax
	mov %ax, 2(%rdi)
	movb $0, 4(%rdi)
	movb $0x8e, 5(%rdi)             // present, DPL 0, 64-bit interrupt gate
	mov %rsi, %rax
	shr $16, %rax
	mov %ax, 6(%rdi)
	shr $16, %rax
	mov %eax, 8(%rdi)
	movl $0, 12(%rdi)
	ret

bp_handler:
	mov (%rsp), %rax                // the pushed RIP
	mov %rax, seen_rip(%rip)
	mov $3, %ebx
	iretq

ud_handler:
	mov (%rsp), %rax
	mov %rax, seen_rip(%rip)
	add $2, %rax                    // skip the ud2
	mov %rax, (%rsp)
	mov $6, %ebx
	iretq

	.section .rodata
bad_bp:	.asciz "RIP pushed for #BP"
bad_ud:	.asciz "RIP pushed for #UD"

	.data
	.balign 16
idt:	.fill 512, 8, 0
idtr:	.word 256 * 16 - 1
	.quad idt
seen_rip: .quad 0
