// SPDX-License-Identifier: MIT
// The world switch of VMX (Intel SDM Vol. 3C, 26 "VM Entries", 27 "VM
// Exits"): VMLAUNCH or VMRESUME loads the guest state of the current VMCS
// and runs the guest; a VM exit loads the host state of the VMCS, which
// starts cvisor again at HOST_RIP = vmx_exit with RSP = HOST_RSP. Neither
// saves or loads the general registers but RSP: this file does.
//
//   vmx_enter(g, launched): pushes cvisor's callee-saved registers and g,
//   writes that RSP into HOST_RSP, loads the guest's registers from g
//   (struct vmx_gprs, vmx.h) and VMLAUNCHes (launched 0) or VMRESUMEs.
//   The guest runs until a VM exit, which lands at vmx_exit with the stack
//   as vmx_enter left it: the guest's registers go into g and vmx_enter
//   returns 0. If the instruction itself fails it falls through: RFLAGS.CF
//   (VMfailInvalid: no current VMCS) returns 1, RFLAGS.ZF (VMfailValid:
//   the VM-instruction error field says why, 31.4) returns 2.
//
// struct vmx_gprs: rax 0, rcx 8, rdx 16, rbx 24, rbp 32, rsi 40, rdi 48,
// r8 56 .. r15 112.

	.text
	.global vmx_enter
vmx_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi                        // g, found again at 0(%rsp) after the exit
	mov $0x6c14, %rax                // HOST_RSP
	vmwrite %rsp, %rax
	test %esi, %esi                  // launched? (MOVs below keep the flags)
	mov 0(%rdi), %rax
	mov 8(%rdi), %rcx
	mov 16(%rdi), %rdx
	mov 24(%rdi), %rbx
	mov 32(%rdi), %rbp
	mov 40(%rdi), %rsi
	mov 56(%rdi), %r8
	mov 64(%rdi), %r9
	mov 72(%rdi), %r10
	mov 80(%rdi), %r11
	mov 88(%rdi), %r12
	mov 96(%rdi), %r13
	mov 104(%rdi), %r14
	mov 112(%rdi), %r15
	mov 48(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	// Only on VMfail: the guest's registers are loaded, cvisor's are on the stack.
	pushfq
	pop %rax
	pop %rdi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	test $1, %al                     // CF: VMfailInvalid
	jnz 3f
	mov $2, %eax
	ret
3:	mov $1, %eax
	ret

	.global vmx_exit
vmx_exit:
	push %rdi                        // the guest's RDI
	mov 8(%rsp), %rdi                // g
	mov %rax, 0(%rdi)
	mov %rcx, 8(%rdi)
	mov %rdx, 16(%rdi)
	mov %rbx, 24(%rdi)
	mov %rbp, 32(%rdi)
	mov %rsi, 40(%rdi)
	mov %r8, 56(%rdi)
	mov %r9, 64(%rdi)
	mov %r10, 72(%rdi)
	mov %r11, 80(%rdi)
	mov %r12, 88(%rdi)
	mov %r13, 96(%rdi)
	mov %r14, 104(%rdi)
	mov %r15, 112(%rdi)
	pop %rax
	mov %rax, 48(%rdi)
	pop %rdi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	xor %eax, %eax
	ret
