// SPDX-License-Identifier: MIT
// vmcall: cvisor's calls through VMCALL (RAX = number, RBX/RCX/RDX =
// arguments, RAX = result), the registers they preserve, and CPUID's
// answers (vendor, hypervisor bit, hypervisor leaf).
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	mov $CVISOR_ADD, %eax
	mov $40, %ebx
	mov $1, %ecx
	mov $1, %edx
	mov $0x5a5a, %r12
	vmcall
	check %rax, 42, "cvisor ADD"
	check %r12, 0x5a5a, "r12 preserved"
	mov $CVISOR_VCPU_ID, %eax
	vmcall
	check %rax, 0, "cvisor VCPU_ID"
	mov $99, %eax
	vmcall
	check %rax, -1, "unknown cvisor call"

	lea msg(%rip), %r12             // PUTCHAR
1:	movzbl (%r12), %ebx
	test %ebx, %ebx
	jz 2f
	mov $CVISOR_PUTCHAR, %eax
	vmcall
	inc %r12
	jmp 1b
2:
	xor %eax, %eax                  // CPUID leaf 0: "cvisorcvisor" in EBX, EDX, ECX
	cpuid
	check %rbx, 0x73697663, "CPUID vendor EBX ('cvis')"
	mov $1, %eax
	cpuid
	shr $31, %ecx
	check %rcx, 1, "CPUID.1:ECX.hypervisor"
	mov $0x40000000, %eax
	cpuid
	check %rax, 0x40000000, "hypervisor leaf"

	print "vmcall: all ok\n"
	xor %eax, %eax
	pop %r12
	pop %rbx
	ret

	.section .rodata
msg:	.asciz "vmcall: putchar ok\n"
