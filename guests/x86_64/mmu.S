// SPDX-License-Identifier: MIT
// mmu: the guest builds its own 4-level tables (Intel SDM Vol. 3A, 4.5)
// and loads CR3: an identity map of its first 2 MiB in 4 KiB pages (the
// rest of its 128 MiB in 2 MiB pages, where cvisor's GDT is), an
// alias (two VAs for one page), a read-only page whose write its own #PF
// handler catches (CR2 and the error code checked, 4.7), an INVLPG after
// changing an entry (4.10.4.1), a high-half mapping at
// 0xffff_8000_0000_0000 it runs from, and last a store whose stage-1
// translation is fine but whose GPA (0x7000_0000) is not RAM: cvisor
// stops the VM with its stage-2 fault report.
#include "guest.h"

#define P 0x1
#define RW 0x2
#define PS 0x80
#define ALIAS 0x40000000           // PML4[0] PDPT[1] PD[0] PT[0]
#define RO_VA 0x40001000           // PT[1]: read-only
#define WILD_VA 0x40002000         // PT[2]: GPA 0x7000_0000, not RAM
#define WILD_GPA 0x70000000
#define HIGH 0xffff800000000000    // PML4[256] PDPT[0] PD[0]: 2 MiB page at GPA 0

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	// #PF (vector 14): an interrupt gate to pf_handler.
	lea idt(%rip), %rdi
	lea pf_handler(%rip), %rsi
	mov $14, %ecx
	call set_gate
	lidt idtr(%rip)

	// Identity: PML4[0] -> pdpt, PDPT[0] -> pd, PD[0] -> pt: 512 4 KiB pages.
	lea pdpt(%rip), %rax
	or $(P | RW), %rax
	mov %rax, pml4(%rip)
	lea pd(%rip), %rax
	or $(P | RW), %rax
	mov %rax, pdpt(%rip)
	lea pt(%rip), %rax
	or $(P | RW), %rax
	mov %rax, pd(%rip)
	lea pt(%rip), %rdi
	xor %ecx, %ecx
1:	mov %rcx, %rax
	shl $12, %rax
	or $(P | RW), %rax
	mov %rax, (%rdi, %rcx, 8)
	inc %ecx
	cmp $512, %ecx
	jne 1b
	// PD[1..63]: 2 MiB pages for the rest of RAM (cvisor's GDT is near its top).
	lea pd(%rip), %rdi
	mov $1, %ecx
3:	mov %rcx, %rax
	shl $21, %rax
	or $(P | RW | PS), %rax
	mov %rax, (%rdi, %rcx, 8)
	inc %ecx
	cmp $64, %ecx
	jne 3b
	// The alias, read-only and wild pages: PDPT[1] -> pd2, PD2[0] -> pt2.
	lea pd2(%rip), %rax
	or $(P | RW), %rax
	mov %rax, pdpt + 8(%rip)
	lea pt2(%rip), %rax
	or $(P | RW), %rax
	mov %rax, pd2(%rip)
	lea data_a(%rip), %rax
	or $(P | RW), %rax
	mov %rax, pt2(%rip)
	lea ro_page(%rip), %rax
	or $P, %rax
	mov %rax, pt2 + 8(%rip)
	mov $(WILD_GPA | P | RW), %rax
	mov %rax, pt2 + 16(%rip)
	// The high half: PML4[256] -> pdpt_hi -> pd_hi, PD_HI[0]: a 2 MiB page at GPA 0.
	lea pdpt_hi(%rip), %rax
	or $(P | RW), %rax
	mov %rax, pml4 + 256 * 8(%rip)
	lea pd_hi(%rip), %rax
	or $(P | RW), %rax
	mov %rax, pdpt_hi(%rip)
	movq $(P | RW | PS), pd_hi(%rip)

	lea pml4(%rip), %rax
	mov %rax, %cr3
	print "mmu: own tables loaded\n"

	// Alias: write through VA 0x4000_0000, read through data_a's identity VA.
	mov $ALIAS, %rax
	movq $0x5a5a1234, (%rax)
	mov data_a(%rip), %rbx
	check %rbx, 0x5a5a1234, "read through the identity VA after a write through the alias"
	print "mmu: alias ok\n"

	// A write to the read-only page: the guest's own #PF, P | W = 3, CR2 = the VA.
	lea after_ro(%rip), %rax
	mov %rax, pf_resume(%rip)
	mov $RO_VA, %rax
	.global ro_store
ro_store:
	movq $1, (%rax)
after_ro:
	mov pf_count(%rip), %rbx
	check %rbx, 1, "#PF taken once"
	mov pf_cr2(%rip), %rbx
	check %rbx, RO_VA, "CR2 of the #PF"
	mov pf_code(%rip), %rbx
	check %rbx, 3, "#PF error code (P | W)"
	mov pf_rip(%rip), %rbx
	lea ro_store(%rip), %rcx
	cmp %rcx, %rbx
	je 2f
	mov %rbx, %rsi
	lea bad_rip(%rip), %rdi
	call guest_fail_value
2:	print "mmu: #PF on the read-only page: cr2 and error code ok\n"

	// INVLPG: point the alias at data_b; the next read must see it.
	movq $0xb0b0, data_b(%rip)
	lea data_b(%rip), %rax
	or $(P | RW), %rax
	mov %rax, pt2(%rip)
	mov $ALIAS, %rax
	invlpg (%rax)
	mov (%rax), %rbx
	check %rbx, 0xb0b0, "read through the alias after INVLPG"
	print "mmu: invlpg ok\n"

	// The high half: jump to this code's alias at 0xffff_8000_0000_0000 + its GPA.
	lea high(%rip), %rax
	mov $HIGH, %rcx
	add %rcx, %rax
	jmp *%rax
high:
	lea 0(%rip), %rax
	shr $47, %rax
	check %rax, 0x1ffff, "RIP in the high half"
	print "mmu: running in the high half\n"
	lea low(%rip), %rax
	mov $HIGH, %rcx
	sub %rcx, %rax
	jmp *%rax
low:
	print "mmu: back in the identity map\n"

	// Stage 1 fine, GPA not RAM: cvisor stops the VM here.
	print "mmu: storing through 0x4000_2000 (GPA 0x7000_0000)\n"
	mov $WILD_VA, %rax
	.global wild_store
wild_store:
	movq $1, (%rax)
	print "mmu: the store to a GPA that is not RAM returned\n"
	mov $1, %eax
	pop %rbx
	ret

// #PF handler: records CR2, the error code and the faulting RIP, resumes at pf_resume.
pf_handler:
	push %rax
	mov %cr2, %rax
	mov %rax, pf_cr2(%rip)
	mov 8(%rsp), %rax               // error code
	mov %rax, pf_code(%rip)
	mov 16(%rsp), %rax              // RIP of the faulting instruction
	mov %rax, pf_rip(%rip)
	incq pf_count(%rip)
	mov pf_resume(%rip), %rax
	mov %rax, 16(%rsp)
	pop %rax
	add $8, %rsp                    // the error code
	iretq

// set_gate(rdi = idt, rsi = handler, ecx = vector): a 64-bit interrupt gate.
set_gate:
	shl $4, %rcx
	add %rcx, %rdi
	mov %si, (%rdi)
	mov %cs, %ax
	mov %ax, 2(%rdi)
	movb $0, 4(%rdi)
	movb $0x8e, 5(%rdi)
	mov %rsi, %rax
	shr $16, %rax
	mov %ax, 6(%rdi)
	shr $16, %rax
	mov %eax, 8(%rdi)
	movl $0, 12(%rdi)
	ret

	.section .rodata
bad_rip:	.asciz "#PF RIP is the faulting store"
	.data
	.balign 16
idtr:	.word 256 * 16 - 1
	.quad idt
pf_resume:	.quad 0
pf_count:	.quad 0
pf_cr2:	.quad 0
pf_code:	.quad 0
pf_rip:	.quad 0
	.bss
	.balign 4096
idt:	.space 4096
pml4:	.space 4096
pdpt:	.space 4096
pd:	.space 4096
pt:	.space 4096
pd2:	.space 4096
pt2:	.space 4096
pdpt_hi:	.space 4096
pd_hi:	.space 4096
data_a:	.space 4096
data_b:	.space 4096
ro_page:	.space 4096
