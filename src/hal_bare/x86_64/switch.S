// SPDX-License-Identifier: MIT
// Switching between cvisor's threads on one CPU (xv6's swtch.S).
//
//   bare_switch(save_sp, new_sp): pushes the callee-saved registers of the
//   System V AMD64 ABI (3.2.1: rbx, rbp, r12-r15; the rest is the caller's
//   to save, and cvisor uses no SSE or x87 state), stores RSP in *save_sp
//   (rdi), takes new_sp (rsi) and pops what was pushed there; RET then
//   continues where that thread called bare_switch(). A new thread's
//   first frame (cpu_sched.c) returns into bare_thread_start with r12 =
//   its function and r13 = its argument.

	.text
	.global bare_switch
bare_switch:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.global bare_thread_start
bare_thread_start:
	mov %r13, %rdi
	call *%r12
	call sched_exit
1:	hlt
	jmp 1b
