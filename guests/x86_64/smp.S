// SPDX-License-Identifier: MIT
// smp: four vCPUs. The BSP (vCPU 0) copies a real-mode trampoline to
// 0x8000 and starts the APs as the SDM's "MP Initialization Example"
// (Vol. 3A, 8.4.4) does: INIT to all excluding self, 10 ms, then two
// start-up IPIs with vector 0x08. Each AP starts in real mode at
// 0800:0000, goes to protected mode, then long mode on the BSP's page
// tables, checks in with its APIC ID (atomic increment, atomic bit set),
// sends the BSP an IPI and halts. The BSP waits for all three in HLT.
#include "guest.h"

#define TRAMP 0x8000
#define SIPI_VECTOR (TRAMP >> 12)
#define CHECKIN_VEC 0x40
#define NAPS 3
#define TR(x) ((x) - tramp_start + TRAMP)

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	IDT_GATE CHECKIN_VEC, checkin_handler, 0x8e
	lidt idtr(%rip)
	mov $0x1b, %ecx                 // IA32_APIC_BASE: base, EN, BSP
	rdmsr
	check %rax, 0xfee00900, "BSP's IA32_APIC_BASE"
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff

	// The trampoline at 0x8000, with the BSP's CR3 and where to go in long mode.
	lea tramp_start(%rip), %rsi
	mov $TRAMP, %edi
	mov $tramp_end - tramp_start, %ecx
	rep movsb
	mov %cr3, %rax
	mov %eax, TR(tramp_cr3)
	lea ap_entry(%rip), %rax
	mov %rax, TR(tramp_entry)
	print "smp: trampoline at 0x8000, sending INIT, SIPI, SIPI\n"

	apic_write APIC_ICR_HI, 0
	apic_write APIC_ICR_LO, 0xc4500 // INIT, level assert, all excluding self
	mov $10000000, %rdi             // 10 ms
	call delay
	apic_write APIC_ICR_LO, 0xc4600 | SIPI_VECTOR
	mov $200000, %rdi               // 200 us
	call delay
	apic_write APIC_ICR_LO, 0xc4600 | SIPI_VECTOR
	apic_read APIC_ICR_LO
	and $APIC_ICR_BUSY, %eax
	check %rax, 0, "ICR delivery status after the SIPIs"

	// Wait in HLT; the test with interrupts off, then STI; HLT in its shadow.
1:	cli
	cmpl $NAPS, count(%rip)
	jae 2f
	sti
	hlt
	jmp 1b
2:	mov count(%rip), %eax
	check %rax, NAPS, "APs checked in"
	mov mask(%rip), %eax
	check %rax, 0xe, "APIC IDs that checked in (bit mask)"
	mov seen_cs(%rip), %eax
	check %rax, TRAMP >> 4, "CS an AP started with"
	mov seen_edx(%rip), %eax
	check %rax, 0x606a6, "EDX an AP started with"
	mov seen_cr0(%rip), %eax
	check %rax, 0x60000010, "CR0 an AP started with"
	mov $1, %ebx
3:	lea ap_base(%rip), %rax
	mov (%rax, %rbx, 4), %eax
	check %rax, 0xfee00800, "an AP's IA32_APIC_BASE"
	inc %ebx
	cmp $NAPS, %ebx
	jbe 3b
	print "smp: APs started in real mode at 0800:0000 with EDX 0x606a6, CR0 0x60000010\n"
	print "smp: 3 APs checked in, APIC IDs 1 2 3, IA32_APIC_BASE 0xfee00800 (not BSP)\n"
	print "smp: the BSP waited in HLT for their IPIs\n"
	print "smp: all ok\n"
	xor %eax, %eax
	pop %rbx
	ret

// delay(rdi = ns): spins until RDTSC is rdi later.
delay:
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

checkin_handler:
	push %rax
	apic_write APIC_EOI, 0
	pop %rax
	iretq

// An AP in long mode: its stack from its APIC ID, check in, tell the BSP, halt.
ap_entry:
	apic_read APIC_ID
	shr $24, %eax
	mov %eax, %ebx
	lea ap_stacks(%rip), %rsp
	lea 1(%rbx), %rax
	shl $12, %rax
	add %rax, %rsp
	mov $0x1b, %ecx
	rdmsr
	lea ap_base(%rip), %rcx
	mov %eax, (%rcx, %rbx, 4)
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff
	lock btsl %ebx, mask(%rip)
	lock incl count(%rip)
	apic_write APIC_ICR_HI, 0       // APIC ID 0: the BSP
	apic_write APIC_ICR_LO, CHECKIN_VEC
1:	cli
	hlt
	jmp 1b

// ---- The trampoline, copied to TRAMP; its addresses are TRAMP-relative ----
	.balign 16
tramp_start:
	.code16
	cli
	mov %cs, %ax
	mov %ax, TR(seen_cs_16)
	mov %edx, TR(seen_edx_16)
	mov %cr0, %eax
	mov %eax, TR(seen_cr0_16)
	lgdtl TR(tramp_gdtr)
	or $1, %eax                     // CR0.PE
	mov %eax, %cr0
	ljmpl $0x08, $TR(prot32)
	.code32
prot32:
	mov $0x18, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x20, %eax                 // CR4.PAE
	mov %eax, %cr4
	mov TR(tramp_cr3), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx           // IA32_EFER.LME
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000000, %eax            // CR0.PG: long mode is active
	mov %eax, %cr0
	ljmp $0x10, $TR(long64)
	.code64
long64:
	mov $0x18, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	// What real mode saw, to the BSP's variables.
	// (absolute addresses: RIP-relative ones would be off by the copy's distance)
	movzwl TR(seen_cs_16), %eax
	mov %eax, seen_cs
	mov TR(seen_edx_16), %eax
	mov %eax, seen_edx
	mov TR(seen_cr0_16), %eax
	mov %eax, seen_cr0
	mov TR(tramp_entry), %rax
	jmp *%rax
	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        // 0x08: 32-bit code
	.quad 0x00af9a000000ffff        // 0x10: 64-bit code
	.quad 0x00cf92000000ffff        // 0x18: data
tramp_gdtr:
	.word 4 * 8 - 1
	.long TR(tramp_gdt)
	.balign 8
tramp_cr3:	.quad 0
tramp_entry:	.quad 0
seen_cs_16:	.long 0
seen_edx_16:	.long 0
seen_cr0_16:	.long 0
tramp_end:

	IDT
	.balign 8
count:	.long 0
mask:	.long 0
seen_cs: .long 0
seen_edx: .long 0
seen_cr0: .long 0
ap_base: .fill 4, 4, 0
	.balign 4096
ap_stacks: .fill 4 * 4096, 1, 0
