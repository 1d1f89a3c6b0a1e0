// SPDX-License-Identifier: MIT
// s2prot: asks cvisor to change the stage-2 permissions of one of its pages
// (cvisor call MEM_PROTECT, docs/hypercalls.md): read-only, then read-write
// again, checking the answers to bad requests on the way. The last store,
// to the page made read-only, is a stage-2 permission fault: cvisor stops
// the VM and names the GPA. In the simulator this checks that Unicorn's
// memory map follows stage 2; on hardware, that the TLB is invalidated. The
// last store goes through the guest's own MMU, from another virtual address.
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

// Stage 1 with TTBR0, 39 bits: L1[0] -> L2 with the UART's 2 MiB block,
// L1[1] = RAM (identity), L1[2] = RAM again at VA 0x8000_0000.
mmu_on:
	adr x0, l1
	adr x1, l2
	orr x2, x1, #3
	str x2, [x0]
	li x2, (0x40000000 | (3 << 8) | (1 << 10) | 1)
	str x2, [x0, #8]
	str x2, [x0, #16]
	li x2, (0x09000000 | (1 << 2) | (1 << 10) | 1)
	str x2, [x1, #(72 * 8)]
	mov x2, #0xff
	msr mair_el1, x2
	li x2, (25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))   // T0SZ 25, EPD1
	movk x2, #2, lsl #32
	msr tcr_el1, x2
	msr ttbr0_el1, x0
	isb
	tlbi vmalle1
	dsb nsh
	isb
	mrs x2, sctlr_el1
	orr x2, x2, #1
	msr sctlr_el1, x2
	isb
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

	// Turn the MMU on, RAM also seen 1 GiB higher (a 1 GiB block at VA
	// 0x8000_0000), and store through that alias: the GPA refused must be
	// the page's, not the virtual address.
	bl mmu_on
	print "s2prot: storing to the read-only page through VA + 0x4000_0000\n"
	mov x20, #0x33
	li x21, 0x40000000
	add x21, x19, x21
	.global s2prot_store
s2prot_store:
	str x20, [x21]
	print "FAIL: the store to a read-only page completed\n"
	mov x0, #1
	ldp x29, x30, [sp], #16
	ret

	.bss
	.balign 4096
	.global page
page:	.skip 4096
l1:	.skip 4096
l2:	.skip 4096
