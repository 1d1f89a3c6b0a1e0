// SPDX-License-Identifier: MIT
// hostile_crdata: 70 copies of the bytes of `mov %rax,%cr3` (0f 22 d8) as
// data in its executable pages, never executed, then real control-register
// accesses that must all take effect (issue 15, class 10):
//   MOV from CR0 reads PG set (the guest's CR0, SDM Vol. 3A 2.5);
//   after PD[1] is pointed at GPA 0 and CR3 is written, VA 0x20_0000 + x
//   reads GPA x (4.10.4.1: MOV to CR3 invalidates the old translation).
#include "guest.h"

#define ALIAS 0x200000

	GUEST_RUNTIME

	.global fake_cr3_moves
fake_cr3_moves:
	.rept 70
	.byte 0x0f, 0x22, 0xd8
	.endr

	.global main
main:
	mov %cr0, %rax
	bt $31, %rax
	jc 1f
	lea no_pg(%rip), %rdi
	mov %rax, %rsi
	call guest_fail_value
1:	// Touch the alias before the change: the simulator maps VA 0x20_0000 -> GPA 0x20_0000.
	lea marker(%rip), %rbx
	mov ALIAS(%rbx), %rax
	movq $0x1234abcd, (%rbx)
	// PD[1] (the boot tables' first page directory): a 2 MiB page at GPA 0.
	mov %cr3, %rax
	and $~0xfff, %rax
	mov (%rax), %rax
	and $~0xfff, %rax
	mov (%rax), %rax
	and $~0xfff, %rax
	movq $0x83, 8(%rax)             // P | RW | PS, address 0
	mov %cr3, %rax
	mov %rax, %cr3
	mov ALIAS(%rbx), %rax
	check %rax, 0x1234abcd, "VA 0x200000 + marker after MOV to CR3"
	print "hostile_crdata: CR0 reads PG, MOV to CR3 takes effect\n"
	xor %eax, %eax
	ret

	.section .rodata
no_pg:	.asciz "CR0 without PG"

	.data
	.balign 8
marker:	.quad 0
