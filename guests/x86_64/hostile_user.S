// SPDX-License-Identifier: MIT
// hostile_user: the guest drops to CPL 3 and takes exceptions back to CPL 0
// thousands of times; every handler checks what the hardware gives it (SDM
// Vol. 3A, 6.14 "Exception and Interrupt Handling in 64-bit Mode"):
//   int $0x80 (DPL 3 gate)   runs at CPL 0 on the TSS's RSP0: CS = 0x10, SS null,
//                            frame SS:RSP:RFLAGS:CS:RIP of CPL 3 right below RSP0
//   int3 (DPL 3, IST 1)      the same on the TSS's IST1 stack
//   int $0x81 (DPL 0 gate)   #GP(0x81 * 8 + 2) from CPL 3 (6.12.1.1)
// and executes MOV from CR2, which only CPL 0 may. IRETQ returns to CPL 3
// (issue 15, class 9).
#include "guest.h"

#define ROUNDS 1000
#define KCODE 0x10
#define KDATA 0x18
#define UDATA 0x23   // GDT index 4, RPL 3
#define UCODE 0x2b   // GDT index 5, RPL 3
#define TSS_SEL 0x30



	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %rbp
	// User pages: set U/S (bit 2) on the boot tables' first entries (PML4[0], PDPT[0], PD[0]).
	mov %cr3, %rax
	and $~0xfff, %rax
	orq $4, (%rax)
	mov (%rax), %rax
	and $~0xfff, %rax
	orq $4, (%rax)
	mov (%rax), %rax
	and $~0xfff, %rax
	orq $4, (%rax)
	mov %cr3, %rax
	mov %rax, %cr3
	// The TSS descriptor (SDM Vol. 3A, 8.2.3): base, limit 0x67, type 9 (64-bit TSS), present.
	lea tss(%rip), %rax
	mov %rax, %rdx
	and $0xffffff, %edx
	shl $16, %rdx
	or $0x67, %rdx
	mov %rax, %rcx
	shr $24, %rcx
	and $0xff, %ecx
	shl $56, %rcx
	or %rcx, %rdx
	mov $0x89, %ecx
	shl $40, %rcx
	or %rcx, %rdx
	mov %rdx, gdt + TSS_SEL(%rip)
	shr $32, %rax
	mov %rax, gdt + TSS_SEL + 8(%rip)
	lea kstack_top(%rip), %rax
	mov %rax, tss + 4(%rip)         // RSP0
	lea ist_top(%rip), %rax
	mov %rax, tss + 0x24(%rip)      // IST1
	lgdt gdtr(%rip)
	mov $TSS_SEL, %ax
	ltr %ax
	IDT_GATE 0x80, sys_handler, 0xee, 0
	IDT_GATE 3, bp_handler, 0xee, 1
	IDT_GATE 0x81, never_handler, 0x8e, 0
	IDT_GATE 13, gp_handler, 0x8e, 0
	IDT_GATE 0x82, exit_handler, 0xee, 0
	lidt idtr(%rip)
	print "hostile_user: to CPL 3\n"
	mov %rsp, kernel_rsp(%rip)
	pushq $UDATA
	lea ustack_top(%rip), %rax
	push %rax
	pushq $0x2
	pushq $UCODE
	lea user(%rip), %rax
	push %rax
	iretq

back:	// from exit_handler, at CPL 0
	mov sys_count(%rip), %rax
	check %rax, ROUNDS, "int $0x80 taken"
	mov bp_count(%rip), %rax
	check %rax, ROUNDS, "int3 taken"
	mov gp_count(%rip), %rax
	check %rax, ROUNDS, "#GP taken"
	print "hostile_user: 3000 exceptions from CPL 3 taken at CPL 0, frames ok\n"
	xor %eax, %eax
	pop %rbp
	pop %rbx
	ret

// ---- CPL 3 ----
user:
	mov $ROUNDS, %ebp
1:
	.global user_int80
user_int80:
	int $0x80
	.global user_int3
user_int3:
	int3
	.global user_int81
user_int81:
	int $0x81
	mov %cs, %ax
	cmp $UCODE, %ax
	jne 2f
	dec %ebp
	jnz 1b
2:	int $0x82

// ---- CPL 0 handlers ----
// check_frame: rax = the stack top the frame must sit under; rsp + 8 is the frame.
check_frame:
	lea 8(%rsp), %rcx
	sub $40, %rax
	cmp %rax, %rcx
	jne bad_stack
	cmpq $UCODE, 8(%rcx)
	jne bad_cs
	cmpq $UDATA, 32(%rcx)
	jne bad_ss
	mov %cs, %ax
	cmp $KCODE, %ax
	jne bad_kcs
	mov %ss, %ax
	test %ax, %ax
	jnz bad_kss
	mov %cr2, %rax                  // #GP at CPL 3: the CPU must really be at CPL 0
	ret

sys_handler:
	lea kstack_top(%rip), %rax
	call check_frame
	incq sys_count(%rip)
	iretq
bp_handler:
	lea ist_top(%rip), %rax
	call check_frame
	incq bp_count(%rip)
	iretq
gp_handler:
	pop %rax                        // error code
	cmp $(0x81 * 8 + 2), %rax
	jne bad_gp
	lea kstack_top(%rip), %rax
	call check_frame
	incq gp_count(%rip)
	addq $2, (%rsp)                 // past the int $0x81
	iretq
exit_handler:
	mov kernel_rsp(%rip), %rsp
	mov $KDATA, %ax
	mov %ax, %ss
	jmp back
never_handler:
	lea never_msg(%rip), %rdi
	jmp fail
bad_stack:
	lea bad_stack_msg(%rip), %rdi
	mov %rsp, %rsi
	jmp fail
bad_cs:	lea bad_cs_msg(%rip), %rdi
	mov 8(%rcx), %rsi
	jmp fail
bad_ss:	lea bad_ss_msg(%rip), %rdi
	mov 32(%rcx), %rsi
	jmp fail
bad_kcs: lea bad_kcs_msg(%rip), %rdi
	movzwl %ax, %esi
	jmp fail
bad_kss: lea bad_kss_msg(%rip), %rdi
	movzwl %ax, %esi
	jmp fail
bad_gp:	lea bad_gp_msg(%rip), %rdi
	mov %rax, %rsi
fail:	mov kernel_rsp(%rip), %rsp
	call guest_fail_value

	.section .rodata
never_msg:	.asciz "int $0x81 went through its DPL 0 gate"
bad_stack_msg:	.asciz "handler's RSP (not the TSS's stack)"
bad_cs_msg:	.asciz "CS pushed"
bad_ss_msg:	.asciz "SS pushed"
bad_kcs_msg:	.asciz "handler's CS"
bad_kss_msg:	.asciz "handler's SS"
bad_gp_msg:	.asciz "#GP error code"

	.data
	.balign 16
gdt:	.quad 0, 0
	.quad 0x00af9a000000ffff        // 0x10 kernel code, 64-bit
	.quad 0x00cf92000000ffff        // 0x18 kernel data
	.quad 0x00cff2000000ffff        // 0x20 user data, DPL 3
	.quad 0x00affa000000ffff        // 0x28 user code, 64-bit, DPL 3
	.quad 0, 0                      // 0x30 TSS (filled in)
gdt_end:
gdtr:	.word gdt_end - gdt - 1
	.quad gdt
	.balign 16
	.balign 16
tss:	.fill 0x68, 1, 0
kernel_rsp: .quad 0
sys_count: .quad 0
bp_count: .quad 0
gp_count: .quad 0
	.balign 16
	.fill 4096, 1, 0
kstack_top:
	.fill 4096, 1, 0
ist_top:
	.fill 4096, 1, 0
ustack_top:

	IDT
