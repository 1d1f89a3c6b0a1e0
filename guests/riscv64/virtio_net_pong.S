// SPDX-License-Identifier: MIT
// virtio_net_pong: the RISC-V twin of guests/aarch64/virtio_net_pong.S.
// Answers every frame its virtio-net device receives (guests/riscv64/net.h;
// docs/virtio.md) with the same bytes but the addresses swapped: to the
// frame's source, from this device. One line per frame; after 8 it powers
// off. It waits for frames for ever: alone, its run ends at --max-seconds.
#include "guest.h"
#include "net.h"

#define NET_BASE 0x10004000            // the config's device

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li s0, NET_BASE
	call net_init
	print "virtio_net_pong: mac "
	la a0, net_mac
	call put_mac
	print "\n"
	li s1, 0                                // frames answered

next:
	li a0, 0
	call net_recv
	mv s5, a0                               // the frame
	mv s2, a1                               // its length
	mv s6, a2                               // its buffer
	// The answer in tx_buf + NET_HDR: to its source, from us, the rest as it came.
	la a0, tx_buf
	addi a0, a0, NET_HDR
	addi a1, s5, 6
	li a2, 6
	call net_copy
	la a0, tx_buf
	addi a0, a0, NET_HDR + 6
	la a1, net_mac
	li a2, 6
	call net_copy
	la a0, tx_buf
	addi a0, a0, NET_HDR + 12
	addi a1, s5, 12
	addi a2, s2, -12
	call net_copy
	mv a0, s2
	call net_send

	print "virtio_net_pong: frame "
	mv a0, s1
	call guest_putdec
	print " ("
	mv a0, s2
	call guest_putdec
	print " bytes) from "
	addi a0, s5, 6
	call put_mac
	print " answered\n"
	mv a0, s6
	call net_recycle
	addi s1, s1, 1
	li t0, PING_FRAMES
	bne s1, t0, next
	print "virtio_net_pong: answered 8 frames\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	NET_DRIVER

	VIRTIO_NET_AREAS
