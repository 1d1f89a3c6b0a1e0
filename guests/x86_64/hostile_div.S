// SPDX-License-Identifier: MIT
// hostile_div: exceptions the CPU raises itself, many times: 1000 #DE (a
// division by zero) and 1000 #GP (a selector beyond the GDT's limit: error
// code = the selector, SDM Vol. 3A 6.15 "#GP" and 6.13), each handler
// skipping the faulting instruction. Hardware delivers each one; none may
// become a #DF (issue 15, class 8).
#include "guest.h"

#define ROUNDS 1000
#define BAD_SEL 0x28   // the boot GDT has 4 entries: index 5 is beyond its limit


	GUEST_RUNTIME

	.global main
main:
	push %rbx
	IDT_GATE 0, de_handler, 0x8e
	IDT_GATE 8, df_handler, 0x8e
	IDT_GATE 13, gp_handler, 0x8e
	lidt idtr(%rip)
	mov $ROUNDS, %ebx
1:	xor %ecx, %ecx
	mov $7, %eax
	xor %edx, %edx
	.global div_insn
div_insn:
	div %rcx                        // 3 bytes: 48 f7 f1
	dec %ebx
	jnz 1b
	mov de_count(%rip), %rax
	check %rax, ROUNDS, "#DE taken"
	print "hostile_div: 1000 #DE delivered\n"
	mov $ROUNDS, %ebx
2:	mov $BAD_SEL, %eax
	.global mov_ds_insn
mov_ds_insn:
	mov %ax, %ds                    // 2 bytes: 8e d8
	dec %ebx
	jnz 2b
	mov gp_count(%rip), %rax
	check %rax, ROUNDS, "#GP taken"
	mov gp_error(%rip), %rax
	check %rax, BAD_SEL, "#GP error code"
	print "hostile_div: 1000 #GP delivered, error code 0x28\n"
	xor %eax, %eax
	pop %rbx
	ret

de_handler:
	incq de_count(%rip)
	addq $3, (%rsp)
	iretq
gp_handler:
	pop %rax                        // the error code
	mov %rax, gp_error(%rip)
	incq gp_count(%rip)
	addq $2, (%rsp)
	iretq
df_handler:
	lea df_msg(%rip), %rdi
	mov (%rsp), %rsi
	call guest_fail_value

	.section .rodata
df_msg:	.asciz "#DF taken"

	.data
	.balign 16
de_count: .quad 0
gp_count: .quad 0
gp_error: .quad 0

	IDT
