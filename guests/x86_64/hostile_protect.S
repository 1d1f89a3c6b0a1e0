// SPDX-License-Identifier: MIT
// hostile_protect: MEM_PROTECT page by page, one VMCALL per page: every
// other page of 4 MiB at GPA 0x400_0000 made read-only (1024 calls), then
// read; stage 2 ends up in 1024 pieces. Each call must cost in proportion
// to the range it changes, not to the number of pieces (issue 15).
#include "guest.h"

#define CVISOR_MEM_PROTECT 4
#define BASE 0x4000000
#define PAGES 2048

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	mov $BASE, %r12
1:	mov %r12, %rbx
	mov $0x1000, %ecx
	mov $1, %edx                    // PERM_READ
	mov $CVISOR_MEM_PROTECT, %eax
	vmcall
	check %rax, 0, "MEM_PROTECT"
	mov (%r12), %rax                // the page is still readable
	add $0x2000, %r12
	cmp $(BASE + PAGES * 0x1000), %r12
	jb 1b
	print "hostile_protect: 1024 pages made read-only one by one\n"
	xor %eax, %eax
	pop %r12
	pop %rbx
	ret
