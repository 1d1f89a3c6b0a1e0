// SPDX-License-Identifier: MIT
// The body of the two isolation guests (isolation_a.S, isolation_b.S),
// which run side by side as two VMs with the same RAM at the same GPAs.
// Each fills a page at GPA ISO_SHARED with its own tag and checks, 2000
// times over, that the page still holds it: the other VM writes its tag
// at the same GPA meanwhile, in its own memory. Then each reaches for
// GPA ISO_OTHER, RAM in VM b only: VM a must be stopped there (a stage-2
// fault, nothing read), VM b reads its own zeroed RAM and powers off.
#include "guest.h"

#define ISO_SHARED 0x01000000
#define ISO_OTHER 0x10000000
#define ISO_WORDS 512
#define ISO_ROUNDS 2000

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	push %r13
	movabs $ISO_TAG, %rbx
	mov $ISO_SHARED, %rdi
	mov $ISO_WORDS, %ecx
1:	mov %rbx, (%rdi)
	add $8, %rdi
	dec %ecx
	jnz 1b
	mov $ISO_ROUNDS, %r12d
2:	mov $ISO_SHARED, %rdi
	mov $ISO_WORDS, %r13d
3:	mov (%rdi), %rax
	cmp %rbx, %rax
	jne 9f
	add $8, %rdi
	dec %r13d
	jnz 3b
	dec %r12d
	jnz 2b
	print ISO_NAME
	print ": the page at GPA 0x1000000 kept this VM's tag "
	mov %rbx, %rdi
	call guest_puthex
	print " through 2000 checks\n"
	print ISO_NAME
	print ": reading GPA 0x10000000\n"
	mov $ISO_OTHER, %rdi
	.global iso_other_read
iso_other_read:
	mov (%rdi), %rax
	check %rax, 0, "GPA 0x10000000 holds data"
	print ISO_NAME
	print ": GPA 0x10000000 is this VM's own RAM, zeroed\n"
	xor %eax, %eax
	pop %r13
	pop %r12
	pop %rbx
	ret
9:	check %rax, ISO_TAG, "a word of the page at GPA 0x1000000 changed"
	mov $1, %eax
	pop %r13
	pop %r12
	pop %rbx
	ret
