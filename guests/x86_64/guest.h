/* SPDX-License-Identifier: MIT */
/*
 * guest.h: what every x86_64 test guest shares (GNU as, AT&T syntax).
 * Include it from a .S file; define `main`, entered in 64-bit mode with
 * RDI = the device tree's GPA (cvisor passes it in RSI), and return 0 in
 * RAX for success. The runtime prints through COM1 (16550A at port 0x3f8)
 * and ends the VM as on QEMU's q35 machine:
 *   main returns 0      -> ACPI S5: 0x2000 to port 0x604 (cvisor exits 0)
 *   main returns not 0  -> "FAIL" and HLT with interrupts off (cvisor exits 1)
 * Helpers follow the SysV ABI: arguments in RDI, RSI; RAX, RCX, RDX, RSI,
 * RDI, R8-R11 clobbered; RBX, RBP, R12-R15 preserved.
 */
#ifndef GUEST_H
#define GUEST_H

#define COM1 0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_THRE 0x20
#define PM1A_CNT 0x604
#define CVISOR_VERSION 0
#define CVISOR_PUTCHAR 1
#define CVISOR_ADD 2
#define CVISOR_VCPU_ID 3

/* The local APIC in xAPIC mode (SDM Vol. 3A, table 11-1) and its timer's clock. */
#define APIC_BASE 0xfee00000
#define APIC_ID 0x20
#define APIC_VERSION 0x30
#define APIC_TPR 0x80
#define APIC_PPR 0xa0
#define APIC_EOI 0xb0
#define APIC_LDR 0xd0
#define APIC_DFR 0xe0
#define APIC_SVR 0xf0
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0
#define APIC_SVR_ENABLE 0x100
#define APIC_LVT_MASKED 0x10000
#define APIC_TIMER_PERIODIC 0x20000
#define APIC_ICR_BUSY 0x1000
/* cvisor's APIC timer counts at 100 MHz (CPUID.15H:ECX); RDTSC counts nanoseconds. */
#define APIC_TIMER_HZ 100000000

/* Prints a string literal. */
.macro print str
	lea 9998f(%rip), %rdi
	call guest_puts
	.pushsection .rodata
9998:	.asciz "\str"
	.popsection
.endm

/* If reg != expected: "FAIL: what (got 0x...)" and end. */
.macro check reg, expected, what
	mov $\expected, %r11
	cmp %r11, \reg
	je 9997f
	mov \reg, %rsi
	lea 9996f(%rip), %rdi
	call guest_fail_value
	.pushsection .rodata
9996:	.asciz "\what"
	.popsection
9997:
.endm

/*
 * IDT_GATE VECTOR, HANDLER, ATTR[, IST]: writes VECTOR's 16-byte gate in
 * `idt` (SDM Vol. 3A 6.14.1, figure 6-8): HANDLER's address, the code
 * selector 0x10 of the boot GDT, the IST slot (0: none) and the type and
 * attributes byte (0x8e: present, DPL 0, 64-bit interrupt gate; 0xee: the
 * same with DPL 3, reachable by INT n from CPL 3). Clobbers rax, rdi.
 */
.macro IDT_GATE vector, handler, attr, ist=0
	lea \handler(%rip), %rax
	lea idt + 16 * \vector(%rip), %rdi
	mov %ax, (%rdi)
	movw $0x10, 2(%rdi)
	movb $\ist, 4(%rdi)
	movb $\attr, 5(%rdi)
	shr $16, %rax
	mov %ax, 6(%rdi)
	shr $16, %rax
	mov %eax, 8(%rdi)
	movl $0, 12(%rdi)
.endm

/* apic_write OFF, VAL: a 32-bit store of the immediate VAL to APIC register OFF. Clobbers rax. */
.macro apic_write off, val
	mov $APIC_BASE, %eax
	movl $\val, \off(%rax)
.endm

/* apic_write_reg OFF, REG32: the same with a 32-bit register (not eax). Clobbers rax. */
.macro apic_write_reg off, reg
	mov $APIC_BASE, %eax
	mov \reg, \off(%rax)
.endm

/* apic_read OFF: APIC register OFF into eax (zero-extended into rax). */
.macro apic_read off
	mov $APIC_BASE, %eax
	mov \off(%rax), %eax
.endm

/* tsc: the time-stamp counter (ns of the VM clock under cvisor) into rax. Clobbers rdx. */
.macro tsc
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
.endm

/*
 * Starting the other vCPUs (SDM Vol. 3A, 8.4.4 "MP Initialization
 * Example"): AP_TRAMPOLINE (once, in .text) is real-mode code that
 * guest_start_aps(rdi = a 64-bit entry) copies to TRAMP before sending
 * INIT, then two start-up IPIs with vector TRAMP >> 12 to all excluding
 * self. An AP starts at 0800:0000 in real mode, enables protected mode,
 * then long mode on the BSP's page tables (its CR3), and jumps to the
 * entry with interrupts off and no stack. What it saw in real mode (CS,
 * EDX, CR0) is left at TR(tramp_seen_cs), TR(tramp_seen_edx),
 * TR(tramp_seen_cr0). TR(x): where label x of the trampoline is once copied.
 */
#define TRAMP 0x8000
#define TR(x) ((x) - tramp_start + TRAMP)

.macro AP_TRAMPOLINE
	.text
/* guest_start_aps(rdi = entry): copy, INIT, 10 ms, SIPI, 200 us, SIPI. */
	.global guest_start_aps
guest_start_aps:
	push %rdi
	lea tramp_start(%rip), %rsi
	mov $TRAMP, %edi
	mov $tramp_end - tramp_start, %ecx
	rep movsb
	pop %rdi
	mov %rdi, TR(tramp_entry)
	mov %cr3, %rax
	mov %eax, TR(tramp_cr3)
	apic_write APIC_ICR_HI, 0
	apic_write APIC_ICR_LO, 0xc4500         /* INIT, level assert, all excluding self */
	mov $10000000, %rdi
	call guest_delay
	apic_write APIC_ICR_LO, 0xc4600 | (TRAMP >> 12)  /* start-up */
	mov $200000, %rdi
	call guest_delay
	apic_write APIC_ICR_LO, 0xc4600 | (TRAMP >> 12)
	ret

/* guest_delay(rdi = ns): spins until RDTSC is rdi later. Clobbers rax, rcx, rdx, rsi. */
	.global guest_delay
guest_delay:
	tsc
	mov %rax, %rsi
1:	mov $1000, %ecx
2:	dec %ecx
	jnz 2b
	tsc
	sub %rsi, %rax
	cmp %rdi, %rax
	jb 1b
	ret

/* The trampoline; its addresses are TR(): where it runs once copied. */
	.balign 16
tramp_start:
	.code16
	cli
	mov %cs, %ax
	mov %ax, TR(tramp_seen_cs)
	mov %edx, TR(tramp_seen_edx)
	mov %cr0, %eax
	mov %eax, TR(tramp_seen_cr0)
	lgdtl TR(tramp_gdtr)
	or $1, %eax                     /* CR0.PE */
	mov %eax, %cr0
	ljmpl $0x08, $TR(tramp_prot32)
	.code32
tramp_prot32:
	mov $0x18, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x20, %eax                 /* CR4.PAE */
	mov %eax, %cr4
	mov TR(tramp_cr3), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx           /* IA32_EFER.LME */
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000000, %eax            /* CR0.PG: long mode is active */
	mov %eax, %cr0
	ljmp $0x10, $TR(tramp_long64)
	.code64
tramp_long64:
	mov $0x18, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov TR(tramp_entry), %rax       /* absolute: RIP-relative would be off by the copy's distance */
	jmp *%rax
	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
	.quad 0x00af9a000000ffff        /* 0x10: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x18: flat data */
tramp_gdtr:
	.word 4 * 8 - 1
	.long TR(tramp_gdt)
	.balign 8
tramp_cr3:	.quad 0
tramp_entry:	.quad 0
tramp_seen_cs:	.long 0
tramp_seen_edx:	.long 0
tramp_seen_cr0:	.long 0
tramp_end:
.endm

/* IDT: the 256 gates IDT_GATE fills in (`idt`) and the operand of lidt (`idtr`). */
.macro IDT
	.data
	.balign 16
idt:	.fill 512, 8, 0
idtr:	.word 256 * 16 - 1
	.quad idt
.endm

.macro GUEST_RUNTIME
	.section .text.boot, "ax"
	.global _start
_start:
	lea stack_top(%rip), %rsp
	mov %rsi, %rdi
	call main
	test %rax, %rax
	jnz 1f
	mov $PM1A_CNT, %dx
	mov $0x2000, %ax
	out %ax, %dx
	hlt
1:	lea guest_fail_msg(%rip), %rdi
	call guest_puts
	cli
	hlt

	.text
/* guest_putc(dil = byte): waits for LSR.THRE, then writes THR. */
	.global guest_putc
guest_putc:
	mov $COM1_LSR, %dx
1:	in %dx, %al
	test $LSR_THRE, %al
	jz 1b
	mov $COM1, %dx
	mov %dil, %al
	out %al, %dx
	ret

/* guest_puts(rdi = string). */
	.global guest_puts
guest_puts:
	push %rbx
	mov %rdi, %rbx
1:	movzbl (%rbx), %edi
	test %edi, %edi
	jz 2f
	call guest_putc
	inc %rbx
	jmp 1b
2:	pop %rbx
	ret

/* guest_puthex(rdi): "0x" and 16 hex digits. */
	.global guest_puthex
guest_puthex:
	push %rbx
	push %r12
	mov %rdi, %rbx
	mov $'0', %edi
	call guest_putc
	mov $'x', %edi
	call guest_putc
	mov $60, %r12d
1:	mov %rbx, %rdi
	mov %r12d, %ecx
	shr %cl, %rdi
	and $15, %edi
	cmp $10, %edi
	jb 2f
	add $('a' - '0' - 10), %edi
2:	add $'0', %edi
	call guest_putc
	sub $4, %r12d
	jns 1b
	pop %r12
	pop %rbx
	ret

/* guest_fail_value(rdi = what, rsi = value): "FAIL: what (got 0x...)", then stop. */
	.global guest_fail_value
guest_fail_value:
	mov %rdi, %rbx
	mov %rsi, %r12
	lea guest_fail_prefix(%rip), %rdi
	call guest_puts
	mov %rbx, %rdi
	call guest_puts
	lea guest_fail_got(%rip), %rdi
	call guest_puts
	mov %r12, %rdi
	call guest_puthex
	mov $')', %edi
	call guest_putc
	mov $'\n', %edi
	call guest_putc
	cli
	hlt

	.section .rodata
guest_fail_msg:
	.asciz "FAIL\n"
guest_fail_prefix:
	.asciz "FAIL: "
guest_fail_got:
	.asciz " (got "
	.text
.endm

#endif
