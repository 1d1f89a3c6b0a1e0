// SPDX-License-Identifier: MIT
// s2prot: asks cvisor to change the stage-2 permissions of one of its pages
// (cvisor call MEM_PROTECT through the SBI, docs/hypercalls.md): read-only,
// then read-write again. The last store, to the page made read-only again,
// is a stage-2 permission fault: cvisor stops the VM and names the GPA.
#include "guest.h"

#define CVISOR_MEM_PROTECT 4

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	la s1, page
	li t0, 0x11
	sd t0, 0(s1)

	mv a0, s1
	li a1, 0x1000
	li a2, 1                        // read
	sbi SBI_EXT_CVISOR, CVISOR_MEM_PROTECT
	check a1, 0, "MEM_PROTECT read-only"
	ld t0, 0(s1)
	check t0, 0x11, "read of the read-only page"
	print "s2prot: read-only page read\n"

	addi a0, s1, 8
	li a1, 0x1000
	li a2, 1
	sbi SBI_EXT_CVISOR, CVISOR_MEM_PROTECT
	check a1, -2, "MEM_PROTECT of an unaligned address"

	mv a0, s1
	li a1, 0x1000
	li a2, 3                        // read, write
	sbi SBI_EXT_CVISOR, CVISOR_MEM_PROTECT
	check a1, 0, "MEM_PROTECT read-write"
	li t0, 0x22
	sd t0, 0(s1)
	ld t1, 0(s1)
	check t1, 0x22, "store to the page made writable again"
	print "s2prot: writable again\n"

	mv a0, s1
	li a1, 0x1000
	li a2, 1
	sbi SBI_EXT_CVISOR, CVISOR_MEM_PROTECT
	check a1, 0, "MEM_PROTECT read-only again"
	print "s2prot: storing to the read-only page\n"
	li t0, 0x33
	.global s2prot_store
s2prot_store:
	sd t0, 0(s1)
	print "FAIL: the store to a read-only page completed\n"
	li a0, 1
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	.bss
	.balign 4096
	.global page
page:	.skip 4096
