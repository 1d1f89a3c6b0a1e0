// SPDX-License-Identifier: MIT
// hostile_protect: changes stage 2 one page at a time, as a hostile or buggy
// guest would (cvisor call MEM_PROTECT through the SBI, docs/hypercalls.md):
//   1. every other page of an 8 MiB area read-only, one call per page (1024);
//   2. the writable pages take stores, every page reads back what it holds;
//   3. every page writable again, one call per page (1024), and each takes
//      a store (a page made writable again must accept stores at once);
//   4. every other page read-only again (1024 calls), then a store to page
//      N, a read-only one, which must be a stage-2 permission fault: cvisor
//      stops the VM and names the page's GPA. N comes from the command line
//      ("s2page=N" in /chosen/bootargs), so a test can pick the page.
// In the simulator each call makes Unicorn's memory map follow stage 2.
#include "guest.h"

#define CVISOR_MEM_PROTECT 4
#define PAGES 2048

	GUEST_RUNTIME

// protect(a0 = page number, a2 = permissions): MEM_PROTECT of that page; a1 = 0 expected.
protect:
	mv t5, ra
	la t0, pages
	slli a0, a0, 12
	add a0, a0, t0
	li a1, 0x1000
	sbi SBI_EXT_CVISOR, CVISOR_MEM_PROTECT
	mv ra, t5
	ret

// param(a0 = device tree): the decimal number after "s2page=" in it, or 1.
param:
	lbu t0, 4(a0)                   // totalsize, big-endian
	lbu t1, 5(a0)
	slli t0, t0, 8
	or t0, t0, t1
	lbu t1, 6(a0)
	slli t0, t0, 8
	or t0, t0, t1
	lbu t1, 7(a0)
	slli t0, t0, 8
	or t0, t0, t1
	add t0, t0, a0                  // end of the tree
	la t2, key
1:	addi t3, a0, 7
	bgeu t3, t0, 4f
	li t3, 0                        // compare 7 bytes with "s2page="
2:	add t4, a0, t3
	lbu t4, 0(t4)
	add t5, t2, t3
	lbu t5, 0(t5)
	bne t4, t5, 3f
	addi t3, t3, 1
	li t4, 7
	bne t3, t4, 2b
	addi a0, a0, 7                  // found: the digits
	li t1, 0
5:	lbu t4, 0(a0)
	addi t4, t4, -'0'
	li t5, 10
	bgeu t4, t5, 6f
	mul t1, t1, t5
	add t1, t1, t4
	addi a0, a0, 1
	j 5b
6:	mv a0, t1
	ret
3:	addi a0, a0, 1
	j 1b
4:	li a0, 1
	ret

	.global main
main:
	addi sp, sp, -48
	sd ra, 0(sp)
	sd s1, 8(sp)
	sd s2, 16(sp)
	sd s3, 24(sp)
	sd s4, 32(sp)
	mv a0, a1
	call param
	mv s4, a0                       // the page of the last store
	la s1, pages
	li s3, PAGES

	// 1. Every page holds its number; then the odd ones read-only.
	li s2, 0
1:	slli t0, s2, 12
	add t0, t0, s1
	sd s2, 0(t0)
	addi s2, s2, 1
	bne s2, s3, 1b
	li s2, 1
2:	mv a0, s2
	li a2, 1                        // read
	call protect
	check a1, 0, "MEM_PROTECT read-only"
	addi s2, s2, 2
	blt s2, s3, 2b
	print "hostile_protect: every other page read-only (1024 calls)\n"

	// 2. Even pages take a store; every page reads back what it holds.
	li s2, 0
3:	slli t0, s2, 12
	add t0, t0, s1
	li t1, 0x10000
	add t1, t1, s2
	sd t1, 0(t0)
	addi s2, s2, 2
	blt s2, s3, 3b
	li s2, 0
4:	slli t0, s2, 12
	add t0, t0, s1
	ld t1, 0(t0)
	andi t2, s2, 1
	mv t3, s2
	bnez t2, 5f
	li t3, 0x10000
	add t3, t3, s2
5:	check_eq t1, t3, "a page after the first round"
	addi s2, s2, 1
	bne s2, s3, 4b
	print "hostile_protect: even pages written, odd pages read\n"

	// 3. All writable again; each page takes a store at once.
	li s2, 1
6:	mv a0, s2
	li a2, 3                        // read, write
	call protect
	check a1, 0, "MEM_PROTECT read-write"
	addi s2, s2, 2
	blt s2, s3, 6b
	li s2, 0
7:	slli t0, s2, 12
	add t0, t0, s1
	li t1, 0x20000
	add t1, t1, s2
	sd t1, 0(t0)
	ld t2, 0(t0)
	check_eq t2, t1, "a store to a page made writable again"
	addi s2, s2, 1
	bne s2, s3, 7b
	print "hostile_protect: all writable again, every page written (1024 calls)\n"

	// 4. Odd pages read-only again, then a store to page s4.
	li s2, 1
8:	mv a0, s2
	li a2, 1
	call protect
	check a1, 0, "MEM_PROTECT read-only again"
	addi s2, s2, 2
	blt s2, s3, 8b
	print "hostile_protect: every other page read-only again, storing to page "
	mv a0, s4
	call guest_puthex
	li a0, '\n'
	call guest_putc
	slli t0, s4, 12
	add t0, t0, s1
	li t1, 0x30000
	.global hostile_store
hostile_store:
	sd t1, 0(t0)
	print "hostile_protect: the store completed\n"
	andi t2, s4, 1
	li a0, 0
	beqz t2, 9f                     // an even page: writable, a clean end
	print "FAIL: the store to a read-only page completed\n"
	li a0, 1
9:	ld ra, 0(sp)
	ld s1, 8(sp)
	ld s2, 16(sp)
	ld s3, 24(sp)
	ld s4, 32(sp)
	addi sp, sp, 48
	ret

	.section .rodata
key:	.ascii "s2page="

	.bss
	.balign 4096
	.global pages
pages:	.skip PAGES * 4096
