// SPDX-License-Identifier: MIT
// hostile_msr: RDMSR of MSR 0xdeadbeef and WRMSR of 0 to IA32_APIC_BASE
// (0x1b), neither of which cvisor emulates: each is a #GP(0) for the guest,
// at the instruction (SDM Vol. 2B, RDMSR/WRMSR: #GP(0) for a reserved or
// unimplemented MSR). IA32_EFER reads back with LMA set (issue 15, class 11).
#include "guest.h"


	GUEST_RUNTIME

	.global main
main:
	IDT_GATE 13, gp_handler, 0x8e
	lidt idtr(%rip)
	mov $0xdeadbeef, %ecx
	.global rdmsr_insn
rdmsr_insn:
	rdmsr
	mov gp_count(%rip), %rax
	check %rax, 1, "#GP for RDMSR 0xdeadbeef"
	mov $0x1b, %ecx
	xor %eax, %eax
	xor %edx, %edx
	.global wrmsr_insn
wrmsr_insn:
	wrmsr
	mov gp_count(%rip), %rax
	check %rax, 2, "#GP for WRMSR to 0x1b"
	mov $0xc0000080, %ecx
	rdmsr
	and $0x500, %eax
	check %rax, 0x500, "EFER.LME and LMA"
	print "hostile_msr: #GP(0) for MSRs 0xdeadbeef and 0x1b, EFER ok\n"
	xor %eax, %eax
	ret

gp_handler:
	pop %rax                        // error code
	test %rax, %rax
	jz 1f
	lea bad_error(%rip), %rdi
	mov %rax, %rsi
	call guest_fail_value
1:	incq gp_count(%rip)
	addq $2, (%rsp)                 // past the RDMSR / WRMSR
	iretq

	.section .rodata
bad_error: .asciz "#GP error code"

	.data
	.balign 16
gp_count: .quad 0

	IDT
