// SPDX-License-Identifier: MIT
// s2prot: asks cvisor to change the stage-2 permissions of one of its pages
// (cvisor call MEM_PROTECT, docs/hypercalls.md): read-only, then read-write
// again, checking the answers to bad requests on the way. The last store,
// to the page made read-only, is a stage-2 permission fault: cvisor stops
// the VM and names the GPA. In the simulator this checks that Unicorn's
// memory map follows stage 2; on hardware, that the TLB is invalidated.
#include "guest.h"

#define HC_MEM_PROTECT CVISOR_CALL(4)
#define R 1
#define RW 3

	GUEST_RUNTIME

// x0 = MEM_PROTECT(x1 = GPA, x2 = size, x3 = permissions).
protect:
	mov x4, x0
	li x0, HC_MEM_PROTECT
	hvc #0
	ret

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x19, page
	mov x20, #0x11
	str x20, [x19]

	mov x1, x19
	mov x2, #0x1000
	mov x3, #R
	bl protect
	check x0, 0, "MEM_PROTECT read-only"
	ldr x0, [x19]
	check x0, 0x11, "read of the read-only page"
	print "s2prot: read-only page read\n"

	// Bad requests: unaligned, no read permission, beyond RAM.
	add x1, x19, #8
	mov x2, #0x1000
	mov x3, #R
	bl protect
	mov x5, #-2			// INVALID_PARAMETER
	check_reg x0, x5, "MEM_PROTECT of an unaligned address"
	mov x1, x19
	mov x2, #0x1000
	mov x3, #2
	bl protect
	mov x5, #-2			// INVALID_PARAMETER
	check_reg x0, x5, "MEM_PROTECT without read"
	li x1, 0x70000000
	mov x2, #0x1000
	mov x3, #R
	bl protect
	mov x5, #-2			// INVALID_PARAMETER
	check_reg x0, x5, "MEM_PROTECT outside RAM"
	print "s2prot: bad requests refused\n"

	mov x1, x19
	mov x2, #0x1000
	mov x3, #RW
	bl protect
	check x0, 0, "MEM_PROTECT read-write"
	mov x20, #0x22
	str x20, [x19]
	ldr x0, [x19]
	check x0, 0x22, "store to the page made writable again"
	print "s2prot: writable again\n"

	mov x1, x19
	mov x2, #0x1000
	mov x3, #R
	bl protect
	check x0, 0, "MEM_PROTECT read-only again"
	print "s2prot: storing to the read-only page\n"
	mov x20, #0x33
	.global s2prot_store
s2prot_store:
	str x20, [x19]
	print "FAIL: the store to a read-only page completed\n"
	mov x0, #1
	ldp x29, x30, [sp], #16
	ret

	.bss
	.balign 4096
	.global page
page:	.skip 4096
