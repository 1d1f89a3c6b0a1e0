// SPDX-License-Identifier: MIT
// s2prot: asks cvisor to change the stage-2 permissions of one of its pages
// (cvisor call MEM_PROTECT through VMCALL, docs/hypercalls.md): read-only,
// then read-write again. The last store, to the page made read-only again,
// is a stage-2 permission fault: cvisor stops the VM and names the GPA. In
// the simulator this checks that the shadow follows stage 2.
#include "guest.h"

#define CVISOR_MEM_PROTECT 4

	GUEST_RUNTIME

// rax = MEM_PROTECT(rbx = GPA, rcx = size, rdx = permissions)
protect:
	mov $CVISOR_MEM_PROTECT, %eax
	vmcall
	ret

	.global main
main:
	push %rbx
	push %r12
	lea page(%rip), %r12
	movq $0x11, (%r12)

	mov %r12, %rbx
	mov $0x1000, %ecx
	mov $1, %edx                    // read
	call protect
	check %rax, 0, "MEM_PROTECT read-only"
	mov (%r12), %rax
	check %rax, 0x11, "read of the read-only page"
	print "s2prot: read-only page read\n"

	lea 8(%r12), %rbx
	mov $0x1000, %ecx
	mov $1, %edx
	call protect
	check %rax, -2, "MEM_PROTECT of an unaligned address"

	mov %r12, %rbx
	mov $0x1000, %ecx
	mov $3, %edx                    // read, write
	call protect
	check %rax, 0, "MEM_PROTECT read-write"
	movq $0x22, (%r12)
	mov (%r12), %rax
	check %rax, 0x22, "store to the page made writable again"
	print "s2prot: writable again\n"

	mov %r12, %rbx
	mov $0x1000, %ecx
	mov $1, %edx
	call protect
	check %rax, 0, "MEM_PROTECT read-only again"
	print "s2prot: storing to the read-only page\n"
	.global s2prot_store
s2prot_store:
	movq $0x33, (%r12)
	print "FAIL: the store to a read-only page completed\n"
	mov $1, %eax
	pop %r12
	pop %rbx
	ret

	.bss
	.balign 4096
	.global page
page:	.skip 4096
