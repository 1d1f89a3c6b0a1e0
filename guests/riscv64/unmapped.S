// SPDX-License-Identifier: MIT
// unmapped: accesses to GPAs that are neither RAM nor a device, with the
// guest's own trap handler installed. The handler prints scause and stval
// of each exception it takes, checks sepc (the instruction), and resumes
// after the access. In order:
//   1. a jump to GPA 0x6000_0000 (satp Bare): an instruction access fault;
//   2. with Sv39 on, a load from VA 0x4000_0000, whose root entry points to
//      a table at GPA 0x5000_0000: its own walk reads no memory, a load
//      access fault;
//   3. a jump to VA 0x4000_1000, the same walk for a fetch: an
//      instruction access fault;
//   (1 to 3 are access faults whatever the VM's config says; then, satp
//   Bare again)
//   4. a load (lw a2) from GPA 0x7000_0000, a2 = 0x55 before: the guest
//      prints what a2 holds after it;
//   5. a store (sw a2) to GPA 0x7000_0008.
// 4 and 5 follow [devices] unmapped_access (configs unmapped_*.toml): with
// "stop" the VM stops at 4; with "abort" each is an access fault (5 load,
// 7 store); with "raz_wi" 4 reads 0 and 5 is ignored.
#include "guest.h"

#define FETCH_GPA 0x60000000
#define NOTABLE_GPA 0x50000000
#define DATA_GPA 0x70000000
#define WALK_VA 0x40000000

// EXPECT reg: the handler checks sepc against reg and resumes at 9f.
.macro EXPECT reg
	la t0, expected_epc
	sd \reg, 0(t0)
	la t0, resume
	la t1, 9f
	sd t1, 0(t0)
.endm

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	la t0, handler
	csrw stvec, t0

	// 1. A fetch from no memory.
	print "unmapped: fetch from 0x6000_0000\n"
	li a1, FETCH_GPA
	EXPECT a1
	jalr a1
9:
	// 2. and 3. The guest's own walk reads no memory. root[0] -> l2_dev
	// (the UART's megapage), root[1] -> a table at no memory, root[2] ->
	// l2_id (the image's megapage, identity).
	la a2, l2_dev
	pte root, 0, a2, PTE_TABLE
	li a2, UART_BASE
	pte l2_dev, 128, a2, PTE_RW
	li a2, NOTABLE_GPA
	pte root, 1, a2, PTE_TABLE
	la a2, l2_id
	pte root, 2, a2, PTE_TABLE
	li a2, 0x80200000
	pte l2_id, 1, a2, PTE_RWX
	la t0, root
	srli t0, t0, 12
	li t1, SATP_SV39
	or t0, t0, t1
	sfence.vma
	csrw satp, t0
	sfence.vma
	print "unmapped: load through a table at 0x5000_0000\n"
	li a1, WALK_VA
	la a3, walk_load
	EXPECT a3
	.global walk_load
walk_load:
	ld a2, 0(a1)
9:
	print "unmapped: fetch through a table at 0x5000_0000\n"
	li a1, WALK_VA + 0x1000
	EXPECT a1
	jalr a1
9:
	csrw satp, zero
	sfence.vma

	// 4. A load: a2 keeps 0x55 after an access fault, reads 0 with raz_wi.
	print "unmapped: load from 0x7000_0000\n"
	li a1, DATA_GPA
	li a2, 0x55
	la a3, data_load
	EXPECT a3
	.global data_load
data_load:
	lw a2, 0(a1)
9:
	mv s1, a2
	print "unmapped: a2 = "
	mv a0, s1
	call guest_puthex
	print "\n"

	// 5. A store.
	print "unmapped: store to 0x7000_0008\n"
	li a1, DATA_GPA
	la a3, data_store
	EXPECT a3
	.global data_store
data_store:
	sw a2, 8(a1)
9:
	print "unmapped: all done\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

// Prints "unmapped: trap scause=N stval=0x...", checks sepc, returns to
// resume with a2 as it was (a faulting load leaves its register
// unchanged). Clobbers a0, a1, a3, t0..t6, s2 (the main program keeps
// nothing there across an access).
	.balign 4
handler:
	addi sp, sp, -16
	sd a2, 0(sp)
	sd ra, 8(sp)
	print "unmapped: trap scause="
	csrr a0, scause
	call guest_putdec
	print " stval="
	csrr a0, stval
	call guest_puthex
	print "\n"
	csrr s2, sepc
	ld t0, expected_epc
	check_eq s2, t0, "sepc of the access fault"
	ld t0, resume
	csrw sepc, t0
	ld a2, 0(sp)
	ld ra, 8(sp)
	addi sp, sp, 16
	sret

	.data
	.balign 8
expected_epc: .dword 0
resume: .dword 0

	.bss
	.balign 4096
root: .skip 4096
l2_dev: .skip 4096
l2_id: .skip 4096
