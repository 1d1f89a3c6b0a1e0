// SPDX-License-Identifier: MIT
// unmapped: accesses to GPAs that are neither RAM nor a device, with the
// guest's own vector table installed. Its handler prints ESR_EL1 and
// FAR_EL1 of each abort it takes, checks ELR_EL1 (the instruction), and
// resumes after the access. In order:
//   1. a branch to GPA 0x1000_0000 (MMU off): an instruction abort;
//   2. with its MMU on, a load from VA 0x8000_0000, whose level-1 entry is
//      a table descriptor at GPA 0x2000_0000: its own stage-1 walk reads
//      no memory, a data abort;
//   3. a branch to VA 0x8000_1000, the same walk for a fetch: an
//      instruction abort;
//   (then MMU off again)
//   4. at EL0, a branch to GPA 0x1000_2000: an instruction abort from a
//      lower level (EC 0x20);
//   (1 to 4 are aborts whatever the VM's config says)
//   5. a load (ldr w2) from GPA 0x7000_0000, w2 = 0x55 before: the guest
//      prints what w2 holds after it;
//   6. a store (str w2) to GPA 0x7000_0008;
//   7. a load pair (ldp x2, x3) from GPA 0x7000_0000, whose syndrome names
//      no register (ISV = 0).
// 5 to 7 follow [devices] unmapped_access (configs unmapped_*.toml): with
// "stop" the VM stops at 5; with "abort" each is an abort; with "raz_wi"
// 5 reads 0, 6 is ignored, and the VM stops at 7.
#include "guest.h"

#define FETCH_GPA 0x10000000
#define NOTABLE_GPA 0x20000000
#define DATA_GPA 0x70000000
#define WALK_VA 0x80000000

// Descriptor bits (ARM ARM D8.3): valid + table, valid + block; AttrIndx
// 0 Normal / 1 Device, inner shareable, AF.
#define D_TABLE 0x3
#define D_BLOCK 0x1
#define D_NORMAL ((0 << 2) | (3 << 8) | (1 << 10))
#define D_DEVICE ((1 << 2) | (1 << 10))

// EXPECT elr_label: the handler checks ELR_EL1 against elr_label (x0 =
// its address, or the value itself with EXPECT_VAL) and resumes at 9f.
.macro EXPECT elr_label
	adr x0, \elr_label
	EXPECT_REG x0
.endm
.macro EXPECT_REG reg
	adr x9, expected_elr
	str \reg, [x9]
	adr x9, resume
	adr x10, 9f
	str x10, [x9]
.endm

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb

	// 1. A fetch from no memory.
	print "unmapped: fetch from 0x1000_0000\n"
	li x1, FETCH_GPA
	EXPECT_REG x1
	blr x1
9:
	// 2. and 3. The guest's own walk reads no memory. Level 1 (TTBR0, 1 GiB
	// entries): [0] the devices' gigabyte, [1] RAM, [2] a table at no memory.
	adr x1, l1
	mov x2, #512                    // .bss is not part of the image: clear the table
1:	subs x2, x2, #1
	str xzr, [x1, x2, lsl #3]
	b.ne 1b
	li x2, (0x00000000 | D_DEVICE | D_BLOCK)
	str x2, [x1, #0]
	li x2, (0x40000000 | D_NORMAL | D_BLOCK)
	str x2, [x1, #8]
	li x2, (NOTABLE_GPA | D_TABLE)
	str x2, [x1, #16]
	MMU_TTBR0 x1
	MMU_ON
	print "unmapped: load through a table at 0x2000_0000\n"
	li x1, WALK_VA
	EXPECT walk_load
	.global walk_load
walk_load:
	ldr x2, [x1]
9:
	print "unmapped: fetch through a table at 0x2000_0000\n"
	li x1, (WALK_VA + 0x1000)
	EXPECT_REG x1
	blr x1
9:
	mrs x0, sctlr_el1
	bic x0, x0, #1                  // M: the MMU off again
	msr sctlr_el1, x0
	isb

	// 4. At EL0 (MMU off: EL0 reaches all memory), a fetch from no memory;
	// the handler returns to EL1h.
	print "unmapped: fetch from 0x1000_2000 at EL0\n"
	li x1, (FETCH_GPA + 0x2000)
	EXPECT_REG x1
	adr x0, el0_branch
	msr elr_el1, x0
	msr spsr_el1, xzr               // EL0t, interrupts unmasked
	eret
el0_branch:
	br x1
9:
	// 5. A load: w2 keeps 0x55 after an abort, reads 0 with raz_wi.
	print "unmapped: load from 0x7000_0000\n"
	li x1, DATA_GPA
	mov x2, #0x55
	EXPECT data_load
	.global data_load
data_load:
	ldr w2, [x1]
9:
	mov x19, x2
	print "unmapped: w2 = "
	mov x0, x19
	bl guest_puthex
	print "\n"

	// 6. A store.
	print "unmapped: store to 0x7000_0008\n"
	li x1, DATA_GPA
	EXPECT data_store
	.global data_store
data_store:
	str w2, [x1, #8]
9:
	// 7. A load pair: no register in the syndrome.
	print "unmapped: load pair from 0x7000_0000\n"
	li x1, DATA_GPA
	mov x2, #0x66
	mov x3, #0x77
	EXPECT data_pair
	.global data_pair
data_pair:
	ldp x2, x3, [x1]
9:
	mov x19, x2
	mov x20, x3
	print "unmapped: x2 = "
	mov x0, x19
	bl guest_puthex
	print " x3 = "
	mov x0, x20
	bl guest_puthex
	print "\n"
	print "unmapped: all done\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

// The vector table (ARM ARM D1.10.2): synchronous exceptions from EL1h
// (0x200) and from EL0 (0x400) go to sync_handler, the rest to FAIL.
	.text
	.balign 2048
vectors:
	.rept 4
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	b sync_handler
	.rept 3
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	b sync_handler
	.rept 7
	.balign 0x80
	b guest_unexpected_vector
	.endr

// Prints "unmapped: abort ESR_EL1=0x... FAR_EL1=0x...", checks ELR_EL1,
// returns to resume, at EL1h, with x2 and x3 as they were (an aborted
// load leaves its registers unchanged). Clobbers x0, x1, x4..x10 (the main
// program keeps nothing there across an access).
sync_handler:
	stp x2, x3, [sp, #-16]!
	print "unmapped: abort ESR_EL1="
	mrs x0, esr_el1
	bl guest_puthex
	print " FAR_EL1="
	mrs x0, far_el1
	bl guest_puthex
	print "\n"
	mrs x0, elr_el1
	ldr x1, expected_elr
	check_reg x0, x1, "ELR_EL1 of the abort"
	ldr x0, resume
	msr elr_el1, x0
	mov x0, #0x3c5                  // EL1h, D, A, I, F masked: back to the main program
	msr spsr_el1, x0
	ldp x2, x3, [sp], #16
	eret

	.data
	.balign 8
expected_elr:	.quad 0
resume:		.quad 0

	.bss
	.balign 4096
l1:	.space 4096
