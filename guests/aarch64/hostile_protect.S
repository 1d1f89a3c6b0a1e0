// SPDX-License-Identifier: MIT
// hostile_protect: changes stage 2 one page at a time, as a hostile or buggy
// guest would (cvisor call MEM_PROTECT, docs/hypercalls.md):
//   1. every other page of an 8 MiB area read-only, one call per page (1024);
//   2. the writable pages take stores, every page reads back what it holds;
//   3. every page writable again, one call per page (1024), and each takes
//      a store (a page made writable again must accept stores at once);
//   4. every other page read-only again (1024 calls), then a store to page
//      N, a read-only one, which must be a stage-2 permission fault: cvisor
//      stops the VM and names the page's GPA. N comes from the command line
//      ("s2page=N" in /chosen/bootargs), so a test can pick the page.
// In the simulator each call makes Unicorn's memory map follow stage 2; on
// hardware each is a TLB invalidation.
#include "guest.h"

#define HC_MEM_PROTECT CVISOR_CALL(4)
#define PAGES 2048

	GUEST_RUNTIME

// x0 = MEM_PROTECT(page x1, permissions x3).
protect:
	adr x0, pages
	add x1, x0, x1, lsl #12
	mov x2, #0x1000
	li x0, HC_MEM_PROTECT
	hvc #0
	ret

// param(x0 = device tree): the decimal number after "s2page=" in it, or 1.
param:
	ldr w1, [x0, #4]                // totalsize, big-endian
	rev w1, w1
	add x1, x1, x0                  // end of the tree
	adr x2, key
1:	add x3, x0, #7
	cmp x3, x1
	b.hs 4f
	mov x3, #0                      // compare 7 bytes with "s2page="
2:	ldrb w4, [x0, x3]
	ldrb w5, [x2, x3]
	cmp w4, w5
	b.ne 3f
	add x3, x3, #1
	cmp x3, #7
	b.ne 2b
	add x0, x0, #7                  // found: the digits
	mov x6, #0
	mov x7, #10
5:	ldrb w4, [x0], #1
	sub w4, w4, #'0'
	cmp w4, #10
	b.hs 6f
	madd x6, x6, x7, x4
	b 5b
6:	mov x0, x6
	ret
3:	add x0, x0, #1
	b 1b
4:	mov x0, #1
	ret

	.global main
main:
	stp x29, x30, [sp, #-16]!
	stp x21, x22, [sp, #-16]!
	stp x23, x24, [sp, #-16]!
	bl param
	mov x24, x0                     // the page of the last store
	adr x21, pages
	mov x23, #PAGES

	// 1. Every page holds its number; then the odd ones read-only.
	mov x22, #0
1:	add x9, x21, x22, lsl #12
	str x22, [x9]
	add x22, x22, #1
	cmp x22, x23
	b.ne 1b
	mov x22, #1
2:	mov x1, x22
	mov x3, #1                      // read
	bl protect
	check x0, 0, "MEM_PROTECT read-only"
	add x22, x22, #2
	cmp x22, x23
	b.lo 2b
	print "hostile_protect: every other page read-only (1024 calls)\n"

	// 2. Even pages take a store; every page reads back what it holds.
	mov x22, #0
3:	add x1, x22, #0x10000
	add x9, x21, x22, lsl #12
	str x1, [x9]
	add x22, x22, #2
	cmp x22, x23
	b.lo 3b
	mov x22, #0
4:	add x9, x21, x22, lsl #12
	ldr x1, [x9]
	add x2, x22, #0x10000
	tst x22, #1
	csel x2, x22, x2, ne
	check_reg x1, x2, "a page after the first round"
	add x22, x22, #1
	cmp x22, x23
	b.ne 4b
	print "hostile_protect: even pages written, odd pages read\n"

	// 3. All writable again; each page takes a store at once.
	mov x22, #1
5:	mov x1, x22
	mov x3, #3                      // read, write
	bl protect
	check x0, 0, "MEM_PROTECT read-write"
	add x22, x22, #2
	cmp x22, x23
	b.lo 5b
	mov x22, #0
6:	add x1, x22, #0x20000
	add x9, x21, x22, lsl #12
	str x1, [x9]
	ldr x2, [x9]
	check_reg x2, x1, "a store to a page made writable again"
	add x22, x22, #1
	cmp x22, x23
	b.ne 6b
	print "hostile_protect: all writable again, every page written (1024 calls)\n"

	// 4. Odd pages read-only again, then a store to page x24.
	mov x22, #1
7:	mov x1, x22
	mov x3, #1
	bl protect
	check x0, 0, "MEM_PROTECT read-only again"
	add x22, x22, #2
	cmp x22, x23
	b.lo 7b
	print "hostile_protect: every other page read-only again, storing to page "
	mov x0, x24
	bl guest_puthex
	mov w0, #'\n'
	bl guest_putc
	mov x1, #0x30000
	add x9, x21, x24, lsl #12
	.global hostile_store
hostile_store:
	str x1, [x9]
	print "hostile_protect: the store completed\n"
	mov x0, #0
	tbz x24, #0, 9f                 // an even page: writable, a clean end
	print "FAIL: the store to a read-only page completed\n"
	mov x0, #1
9:	ldp x23, x24, [sp], #16
	ldp x21, x22, [sp], #16
	ldp x29, x30, [sp], #16
	ret

	.section .rodata
key:	.ascii "s2page="

	.bss
	.balign 4096
	.global pages
pages:	.skip PAGES * 4096
