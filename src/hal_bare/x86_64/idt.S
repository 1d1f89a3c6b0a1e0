// SPDX-License-Identifier: MIT
// The entries of cvisor's IDT (gdt_idt.c): one stub per vector, and the
// common path that saves the registers and calls x86_trap(frame).
//
// On an interrupt or exception at CPL 0 in 64-bit mode the CPU aligns RSP
// to 16 bytes (or takes the IST stack of the gate), then pushes SS, RSP,
// RFLAGS, CS and RIP, and for some exceptions an error code (Intel SDM
// Vol. 3A 6.14.2, 6.13: vectors 8, 10-14, 17, 21, 29 and 30 push one).
// Each stub pushes a 0 in place of the missing error code, so that every
// frame looks alike, then its vector, and jumps to trap_common, which
// pushes the 15 general registers (struct trap_frame in gdt_idt.c, in
// that order from the lowest address), calls x86_trap() with RSP 16-byte
// aligned (15 + 2 + 5 words = 176 bytes), pops them and returns with
// IRETQ. The interrupts cvisor takes come while it waits in HLT
// (cpu_idle()) or in its short interrupt window (cpu_irqs_ack()); the
// handlers only set a flag, so no state beyond the registers needs saving
// (cvisor is built without SSE: -mgeneral-regs-only).

// Vectors with an error code: bit v set.
#define ERRCODE_VECTORS ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | \
			 (1 << 17) | (1 << 21) | (1 << 29) | (1 << 30))

	.text
	.macro vector_stub v
	.balign 16
vector_\v:
	.if \v >= 32
	pushq $0
	.elseif ((ERRCODE_VECTORS >> \v) & 1) == 0
	pushq $0
	.endif
	pushq $\v
	jmp trap_common
	.endm

	.altmacro
	.set v, 0
	.rept 256
	vector_stub %v
	.set v, v + 1
	.endr

trap_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	cld
	call x86_trap
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp               // the vector and the error code
	iretq

// The stubs' addresses, for gdt_idt.c's gates.
	.macro vector_addr v
	.quad vector_\v
	.endm
	.section .rodata
	.balign 8
	.global x86_vector_stubs
x86_vector_stubs:
	.set v, 0
	.rept 256
	vector_addr %v
	.set v, v + 1
	.endr
