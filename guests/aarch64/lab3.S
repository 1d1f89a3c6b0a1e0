// SPDX-License-Identifier: MIT
// lab3: the guest of lab 3 (labs/3-stage2/README.md). It asks cvisor to
// change the stage-2 permissions of one of its pages (cvisor call
// MEM_PROTECT, docs/hypercalls.md) with its own MMU off, so each access's
// virtual address is its GPA: read-only, read; read-write, store and read
// back; read-only again, then a store, which must be a stage-2 permission
// fault (ARM ARM D8.4 "Memory access control", stage 2 S2AP): cvisor stops
// the VM and names the page's GPA and the store's PC (lab3_store).
#include "guest.h"

#define HC_MEM_PROTECT CVISOR_CALL(4)
#define R 1
#define RW 3

	GUEST_RUNTIME

// x0 = MEM_PROTECT(x1 = GPA, x2 = size, x3 = permissions).
protect:
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
	print "lab3: read-only page read\n"

	mov x1, x19
	mov x2, #0x1000
	mov x3, #RW
	bl protect
	check x0, 0, "MEM_PROTECT read-write"
	mov x20, #0x22
	str x20, [x19]
	ldr x0, [x19]
	check x0, 0x22, "store to the page made writable again"
	print "lab3: writable again\n"

	mov x1, x19
	mov x2, #0x1000
	mov x3, #R
	bl protect
	check x0, 0, "MEM_PROTECT read-only again"
	print "lab3: storing to the read-only page\n"
	mov x20, #0x33
	.global lab3_store
lab3_store:
	str x20, [x19]
	print "FAIL: the store to a read-only page completed\n"
	mov x0, #1
	ldp x29, x30, [sp], #16
	ret

	.bss
	.balign 4096
	.global page
page:	.skip 4096
