// SPDX-License-Identifier: MIT
// plic: the PLIC's registers through MMIO (RISC-V PLIC Specification
// 1.0.0, QEMU virt's layout at 0x0c00_0000), from hart 0's S-mode context
// (context 1 = 2 * hart + 1, as on virt): priorities (3 bits), enables,
// the threshold, a claim with nothing pending (0), a complete that is
// ignored, read-only pending bits; and sip.SEIP stays clear.
#include "guest.h"

#define PLIC 0x0c000000
#define PRIORITY(id) (PLIC + 4 * (id))
#define PENDING0 (PLIC + 0x1000)
#define ENABLE(ctx) (PLIC + 0x2000 + 0x80 * (ctx))
#define THRESHOLD(ctx) (PLIC + 0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx) (PLIC + 0x200004 + 0x1000 * (ctx))

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li t0, PRIORITY(10)             // the UART's source on virt
	li t1, 5
	sw t1, 0(t0)
	lw t2, 0(t0)
	check t2, 5, "priority of source 10"
	li t1, -1
	sw t1, 0(t0)
	lw t2, 0(t0)
	check t2, 7, "priority 0xffffffff (3 bits: 7)"
	li t0, PRIORITY(0)
	li t1, 3
	sw t1, 0(t0)
	lw t2, 0(t0)
	check t2, 0, "priority of source 0, which does not exist"
	print "plic: priorities ok\n"

	li t0, ENABLE(1)
	li t1, -1
	sw t1, 0(t0)
	lwu t2, 0(t0)
	li t1, 0xfffffffe
	check_eq t2, t1, "enables of context 1 (no bit for source 0)"
	li t0, ENABLE(0)
	lw t2, 0(t0)
	check t2, 0, "enables of context 0 (hart 0's M-mode)"
	li t0, THRESHOLD(1)
	li t1, 2
	sw t1, 0(t0)
	lw t2, 0(t0)
	check t2, 2, "threshold of context 1"
	print "plic: enables and threshold ok\n"

	li t0, CLAIM(1)
	lw t2, 0(t0)
	check t2, 0, "claim with nothing pending"
	li t1, 10
	sw t1, 0(t0)                    // a complete for a source never claimed: ignored
	li t0, PENDING0
	li t1, -1
	sw t1, 0(t0)                    // pending bits are read-only
	lw t2, 0(t0)
	check t2, 0, "pending bits"
	csrr t2, sip
	andi t2, t2, SIP_SEIP
	check t2, 0, "sip.SEIP"
	print "plic: claim 0, pending read-only, sip.SEIP clear\n"
	print "plic: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret
