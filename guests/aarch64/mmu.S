// SPDX-License-Identifier: MIT
// mmu: builds its own stage-1 tables (4 KiB granule) and turns its MMU on.
//
//   TTBR0_EL1, 39-bit range (T0SZ 25), walk starts at level 1:
//     VA 0x0900_0000 (2 MiB block)  -> PA 0x0900_0000  the PL011, Device-nGnRnE
//     VA 0x4000_0000 (1 GiB block)  -> PA 0x4000_0000  RAM, identity
//     VA 0x8000_0000 (page)         -> data page       read-only alias
//     VA 0x8000_1000 (page)         -> PA 0x2000_0000  not RAM: a stage-2 fault
//     VA 0x8000_2000                   invalid         a level-3 translation fault
//     VA 0x8000_3000 (page)         -> data page       writable alias
//   TTBR1_EL1, 48-bit range (T1SZ 16), walk starts at level 0:
//     VA 0xffff_8000_4000_0000 (1 GiB block) -> PA 0x4000_0000: a high-half
//     alias of all of RAM, where the guest then runs.
//
// It checks each alias, takes a permission fault and a translation fault
// in its own vector table (checking ESR_EL1, FAR_EL1, ELR_EL1), runs from
// the high half, and ends with a store whose stage-1 translation is fine
// but whose GPA is not RAM: cvisor stops the VM with a stage-2 fault.
#include "guest.h"

#define HIGH 0xffff800000000000
#define ALIAS_RO 0x80000000
#define ALIAS_NORAM 0x80001000
#define ALIAS_NONE 0x80002000
#define ALIAS_RW 0x80003000
#define NORAM_PA 0x20000000

// Descriptor bits (ARM ARM D8.3): valid, table/page, AttrIndx[4:2], AP[2],
// SH[9:8], AF, PXN, UXN.
#define D_TABLE 0x3
#define D_BLOCK 0x1
#define D_PAGE 0x3
#define D_NORMAL ((0 << 2) | (3 << 8) | (1 << 10))   // AttrIndx 0, inner shareable, AF
#define D_DEVICE ((1 << 2) | (1 << 10))              // AttrIndx 1, AF
#define D_RO (1 << 7)
#define D_XN_HI 0x0060                               // PXN | UXN (bits 53, 54) >> 48

	GUEST_RUNTIME

// Sets table[index] = value (x0 = table, x1 = index, x2 = value).
set_desc:
	str x2, [x0, x1, lsl #3]
	ret

// Zeroes the 4 KiB page at x0.
zero_page:
	mov x1, #512
1:	str xzr, [x0], #8
	subs x1, x1, #1
	b.ne 1b
	ret

	.global main
main:
	stp x29, x30, [sp, #-16]!
	adr x0, vectors
	msr vbar_el1, x0
	isb

	// Clear the tables: .bss is not part of the image.
	adr x19, tables
	mov x20, #6
1:	mov x0, x19
	bl zero_page
	add x19, x19, #0x1000
	subs x20, x20, #1
	b.ne 1b

	// TTBR0 level 1: [0] -> l2_low, [1] = RAM block, [2] -> l2_alias.
	adr x0, l1_lo
	mov x1, #0
	adr x2, l2_low
	orr x2, x2, #D_TABLE
	bl set_desc
	mov x1, #1
	li x2, (0x40000000 | D_NORMAL | D_BLOCK)
	bl set_desc
	mov x1, #2
	adr x2, l2_alias
	orr x2, x2, #D_TABLE
	bl set_desc
	// l2_low[72]: VA 0x0900_0000 -> the UART, Device, never executable.
	adr x0, l2_low
	mov x1, #72
	li x2, (0x09000000 | D_DEVICE | D_BLOCK)
	movk x2, #D_XN_HI, lsl #48
	bl set_desc
	// l2_alias[0] -> l3_alias.
	adr x0, l2_alias
	mov x1, #0
	adr x2, l3_alias
	orr x2, x2, #D_TABLE
	bl set_desc
	// l3_alias: [0] data read-only, [1] not-RAM PA, [2] invalid, [3] data read-write.
	adr x0, l3_alias
	adr x21, data_page
	mov x1, #0
	mov x2, #(D_NORMAL | D_RO | D_PAGE)
	orr x2, x2, x21
	movk x2, #D_XN_HI, lsl #48
	bl set_desc
	mov x1, #1
	li x2, (NORAM_PA | D_NORMAL | D_PAGE)
	movk x2, #D_XN_HI, lsl #48
	bl set_desc
	mov x1, #3
	mov x2, #(D_NORMAL | D_PAGE)
	orr x2, x2, x21
	movk x2, #D_XN_HI, lsl #48
	bl set_desc
	// TTBR1 level 0: [256] -> l1_hi; l1_hi[1] = RAM block: VA HIGH + 0x4000_0000.
	adr x0, l0_hi
	mov x1, #256
	adr x2, l1_hi
	orr x2, x2, #D_TABLE
	bl set_desc
	adr x0, l1_hi
	mov x1, #1
	li x2, (0x40000000 | D_NORMAL | D_BLOCK)
	bl set_desc

	// MAIR_EL1: Attr0 Normal write-back, Attr1 Device-nGnRnE.
	mov x0, #0xff
	msr mair_el1, x0
	// TCR_EL1: T0SZ 25, T1SZ 16, 4 KiB granules (TG0 0b00, TG1 0b10),
	// write-back inner shareable walks, IPS 40 bits.
	li x0, (25 | (1 << 8) | (1 << 10) | (3 << 12) | (16 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30))
	movk x0, #2, lsl #32
	msr tcr_el1, x0
	adr x0, l1_lo
	msr ttbr0_el1, x0
	adr x0, l0_hi
	msr ttbr1_el1, x0
	MMU_ON
	print "mmu: on\n"

	// The aliases: write through the identity map, read through both aliases.
	ldr x1, =0x0123456789abcdef
	str x1, [x21]
	li x2, ALIAS_RO
	ldr x3, [x2]
	check_reg x3, x1, "read through the read-only alias"
	li x2, ALIAS_RW
	ldr x3, [x2]
	check_reg x3, x1, "read through the writable alias"
	ldr x1, =0xfedcba9876543210
	str x1, [x2]
	ldr x3, [x21]
	check_reg x3, x1, "write through the writable alias, read through the identity map"
	print "mmu: alias ok\n"

	// A store through the read-only alias: a permission fault at level 3.
	li x1, ALIAS_RO
	mov w2, #7
	.global perm_store
perm_store:
	str w2, [x1]
	// Data abort, current EL: EC 0x25, IL, WnR, DFSC 0b001111 (permission, level 3).
	ldr x3, seen_esr
	check x3, 0x9600004f, "ESR_EL1 of the permission fault"
	ldr x3, seen_far
	check_reg x3, x1, "FAR_EL1 of the permission fault"
	ldr x3, seen_elr
	adr x4, perm_store
	check_reg x3, x4, "ELR_EL1 of the permission fault"
	ldr x3, [x21]
	ldr x1, =0xfedcba9876543210
	check_reg x3, x1, "data after the refused store"
	print "mmu: permission fault ok\n"

	// A load through an invalid entry: a translation fault at level 3.
	li x1, ALIAS_NONE
	.global trans_load
trans_load:
	ldr x2, [x1]
	ldr x3, seen_esr
	check x3, 0x96000007, "ESR_EL1 of the translation fault"
	ldr x3, seen_far
	check_reg x3, x1, "FAR_EL1 of the translation fault"
	print "mmu: translation fault ok\n"

	// Run from the high half: the same code, 0xffff_8000_0000_0000 higher.
	adr x0, high_entry
	ldr x1, =HIGH
	add x0, x0, x1
	br x0
high_entry:
	adr x0, high_entry
	lsr x0, x0, #48
	check x0, 0xffff, "PC in the high half (top 16 bits)"
	// Store through the high alias of the data page, read through the identity map.
	ldr x1, =HIGH
	add x2, x21, x1
	mov x3, #0x55
	str x3, [x2]
	ldr x4, [x21]
	check x4, 0x55, "store through the high half, read through the identity map"
	print "mmu: high half ok\n"

	// Back to the identity map and the last test.
	adr x0, low_entry
	ldr x1, =HIGH
	sub x0, x0, x1
	br x0
low_entry:
	print "mmu: store to a GPA that is not RAM\n"
	li x1, ALIAS_NORAM
	mov w2, #1
	.global noram_store
noram_store:
	str w2, [x1]
	print "FAIL: the store to a GPA that is not RAM completed\n"
	mov x0, #1
	ldp x29, x30, [sp], #16
	ret

	.data
	.balign 8
seen_esr:	.quad 0
seen_far:	.quad 0
seen_elr:	.quad 0

	VECTORS vectors, sync_handler

// Records ESR/FAR/ELR and skips the faulting instruction.
sync_handler:
	stp x0, x1, [sp, #-16]!
	mrs x0, esr_el1
	adr x1, seen_esr
	str x0, [x1]
	mrs x0, far_el1
	adr x1, seen_far
	str x0, [x1]
	mrs x0, elr_el1
	adr x1, seen_elr
	str x0, [x1]
	add x0, x0, #4
	msr elr_el1, x0
	ldp x0, x1, [sp], #16
	eret

	.bss
	.balign 4096
tables:
l1_lo:	.skip 4096
l2_low:	.skip 4096
l2_alias: .skip 4096
l3_alias: .skip 4096
l0_hi:	.skip 4096
l1_hi:	.skip 4096
data_page: .skip 4096
