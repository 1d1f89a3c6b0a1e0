// SPDX-License-Identifier: MIT
// shadow: two address spaces of the guest's own at the same VAs (Intel SDM
// Vol. 3A, 4.5), switched by MOV to CR3 again and again: a 4 KiB data page,
// a 4 KiB code page and a 2 MiB page that each space maps to memory of its
// own; every read, call and write must reach its space's memory. Then the
// accessed and dirty flags (4.8) after the guest clears them: a CR3 reload
// and a read set A again, a read leaves D clear, a write sets it, and so
// does a write after INVLPG (4.10.4.1). A simulator that keeps translations
// across CR3 writes, or a TLB that is not flushed, fails here.
#include "guest.h"

#define P 0x1
#define RW 0x2
#define A 0x20
#define D 0x40
#define PS 0x80
#define DATA_VA 0x40000000         // PML4[0] PDPT[1] PD[0] PT[0]
#define CODE_VA 0x40001000         // PT[1]
#define BIG_VA 0x40200000          // PD[1]: a 2 MiB page
#define BIG_A 0x06000000           // its GPA in space A
#define BIG_B 0x06400000           // and in space B
#define BIG_OFF 0x1ff008           // a word in its last 4 KiB
#define ROUNDS 200

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	// The identity map both spaces share: PD[0..63], 2 MiB pages over the
	// 128 MiB of RAM (cvisor's GDT is near its top).
	lea pd_id(%rip), %rdi
	xor %ecx, %ecx
1:	mov %rcx, %rax
	shl $21, %rax
	or $(P | RW | PS), %rax
	mov %rax, (%rdi, %rcx, 8)
	inc %ecx
	cmp $64, %ecx
	jne 1b
	// Space A: pml4_a -> pdpt_a; PDPT[0] -> pd_id, PDPT[1] -> pd_a -> pt_a.
	lea pml4_a(%rip), %rdi
	lea pdpt_a(%rip), %rsi
	lea pd_a(%rip), %rdx
	lea pt_a(%rip), %rcx
	lea data_a(%rip), %r8
	lea code_a(%rip), %r9
	mov $BIG_A, %r10
	call build
	lea pml4_b(%rip), %rdi
	lea pdpt_b(%rip), %rsi
	lea pd_b(%rip), %rdx
	lea pt_b(%rip), %rcx
	lea data_b(%rip), %r8
	lea code_b(%rip), %r9
	mov $BIG_B, %r10
	call build
	movq $0xaaaa, data_a(%rip)
	movq $0xbbbb, data_b(%rip)
	movq $0xa2, BIG_A + BIG_OFF
	movq $0xb2, BIG_B + BIG_OFF

	// Switch back and forth; each space sees its own memory.
	mov $ROUNDS, %r12d
2:	lea pml4_a(%rip), %rax
	mov %rax, %cr3
	mov DATA_VA, %rbx
	check %rbx, 0xaaaa, "space A: the data page"
	mov $CODE_VA, %rax
	call *%rax
	check %rax, 1, "space A: the code page"
	mov BIG_VA + BIG_OFF, %rbx
	check %rbx, 0xa2, "space A: the 2 MiB page"
	lea pml4_b(%rip), %rax
	mov %rax, %cr3
	mov DATA_VA, %rbx
	check %rbx, 0xbbbb, "space B: the data page"
	mov $CODE_VA, %rax
	call *%rax
	check %rax, 2, "space B: the code page"
	mov BIG_VA + BIG_OFF, %rbx
	check %rbx, 0xb2, "space B: the 2 MiB page"
	dec %r12d
	jnz 2b
	print "shadow: two spaces at the same VAs, each its own memory\n"

	// A write in B reaches B's page only.
	movq $0xb00b, DATA_VA
	movq $0xb22b, BIG_VA + BIG_OFF
	lea pml4_a(%rip), %rax
	mov %rax, %cr3
	mov DATA_VA, %rbx
	check %rbx, 0xaaaa, "space A after a write in B"
	mov BIG_VA + BIG_OFF, %rbx
	check %rbx, 0xa2, "space A's 2 MiB page after a write in B"
	mov data_b(%rip), %rbx
	check %rbx, 0xb00b, "B's data page through the identity map"
	mov BIG_B + BIG_OFF, %rbx
	check %rbx, 0xb22b, "B's 2 MiB page through the identity map"
	print "shadow: writes land in their space\n"

	// Accessed: cleared by the guest, set again by the walk after a CR3 reload.
	andq $~A, pt_a(%rip)
	andq $~A, pd_a + 8(%rip)
	mov %cr3, %rax
	mov %rax, %cr3
	mov DATA_VA, %rbx
	mov BIG_VA + BIG_OFF, %rbx
	mov pt_a(%rip), %rbx
	and $A, %rbx
	check %rbx, A, "A set again in the 4 KiB PTE after a read"
	mov pd_a + 8(%rip), %rbx
	and $A, %rbx
	check %rbx, A, "A set again in the 2 MiB PDE after a read"
	// Dirty: a read leaves it clear, a write sets it.
	andq $~D, pt_a(%rip)
	mov %cr3, %rax
	mov %rax, %cr3
	mov DATA_VA, %rbx
	mov pt_a(%rip), %rbx
	and $D, %rbx
	check %rbx, 0, "D clear after a read"
	movq $0xa11a, DATA_VA
	mov pt_a(%rip), %rbx
	and $D, %rbx
	check %rbx, D, "D set by a write after a CR3 reload"
	// And after INVLPG of that page only.
	andq $~D, pt_a(%rip)
	mov $DATA_VA, %rax
	invlpg (%rax)
	movq $0xa22a, DATA_VA
	mov pt_a(%rip), %rbx
	and $D, %rbx
	check %rbx, D, "D set by a write after INVLPG"
	mov data_a(%rip), %rbx
	check %rbx, 0xa22a, "A's data page through the identity map"
	print "shadow: accessed and dirty flags set by the walks\n"
	xor %eax, %eax
	pop %r12
	pop %rbx
	ret

// build(rdi = pml4, rsi = pdpt, rdx = pd, rcx = pt, r8 = data page,
// r9 = code page, r10 = the 2 MiB page's GPA): one space's tables.
build:
	lea pd_id(%rip), %rax
	or $(P | RW), %rax
	mov %rax, (%rsi)                // PDPT[0]: the identity map
	mov %rdx, %rax
	or $(P | RW), %rax
	mov %rax, 8(%rsi)               // PDPT[1]
	mov %rsi, %rax
	or $(P | RW), %rax
	mov %rax, (%rdi)                // PML4[0]
	mov %rcx, %rax
	or $(P | RW), %rax
	mov %rax, (%rdx)                // PD[0] -> pt
	mov %r10, %rax
	or $(P | RW | PS), %rax
	mov %rax, 8(%rdx)               // PD[1]: the 2 MiB page
	mov %r8, %rax
	or $(P | RW), %rax
	mov %rax, (%rcx)                // PT[0]: data
	mov %r9, %rax
	or $(P | RW), %rax
	mov %rax, 8(%rcx)               // PT[1]: code
	ret

	.data
	.balign 4096
code_a:	mov $1, %eax
	ret
	.balign 4096
code_b:	mov $2, %eax
	ret
	.balign 4096
	.bss
	.balign 4096
pd_id:	.space 4096
pml4_a:	.space 4096
pdpt_a:	.space 4096
pd_a:	.space 4096
pt_a:	.space 4096
data_a:	.space 4096
pml4_b:	.space 4096
pdpt_b:	.space 4096
pd_b:	.space 4096
pt_b:	.space 4096
data_b:	.space 4096
