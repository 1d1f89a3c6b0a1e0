// SPDX-License-Identifier: MIT
// virtio_net_ping: the RISC-V twin of guests/aarch64/virtio_net_ping.S.
// Sends 8 frames through its virtio-net device (guests/riscv64/net.h;
// docs/virtio.md) and waits for each one's answer from virtio_net_pong,
// another VM on the run's virtual switch. Frame k has NET_LEN(k) bytes
// (65 to 1514) and EtherType 0x88b5; the first goes to the broadcast
// address, the others to the address the first answer came from. Each
// answer must come to this device's address with the same length,
// EtherType and payload; one line per exchange, then a summary. With no
// answer in REPLY_SECONDS (no peer on the switch) it says so and powers
// off: a run of this VM alone ends by itself.
#include "guest.h"
#include "net.h"

#define NET_BASE 0x10004000            // the config's device (PLIC source 4: unused)

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li s0, NET_BASE
	call net_init
	print "virtio_net_ping: mac "
	la a0, net_mac
	call put_mac
	print "\n"
	li s4, TIMEBASE_HZ * REPLY_SECONDS     // the wait for a reply, in ticks
	li s1, 0                                // k: the frame

next:
	// Frame k in tx_buf + NET_HDR: to peer, from net_mac, EtherType, payload.
	la a0, tx_buf
	addi a0, a0, NET_HDR
	la a1, peer
	li a2, 6
	call net_copy
	la a0, tx_buf
	addi a0, a0, NET_HDR + 6
	la a1, net_mac
	li a2, 6
	call net_copy
	la t1, tx_buf
	addi t1, t1, NET_HDR
	li t0, NET_TYPE0
	sb t0, 12(t1)
	li t0, NET_TYPE1
	sb t0, 13(t1)
	li t0, 207                              // length NET_LEN(k) = 65 + 207 k
	mul s2, s1, t0
	addi s2, s2, 65
	li t0, 7
	mul t3, s1, t0                          // payload byte i: k * 7 + i
	li t2, 14
1:	add t0, t3, t2
	add t4, t1, t2
	sb t0, 0(t4)
	addi t2, t2, 1
	bne t2, s2, 1b
	mv a0, s2
	call net_send

	mv a0, s4
	call net_recv
	beqz a0, no_reply
	mv s5, a0                               // the answer
	mv s6, a2                               // its buffer
	check_eq a1, s2, "length of an answer"
	// To us, the same bytes from the EtherType on.
	mv a0, s5
	la a1, net_mac
	li a2, 6
	call net_same
	check a0, 1, "an answer's destination is this device's address"
	addi a0, s5, 12
	la a1, tx_buf
	addi a1, a1, NET_HDR + 12
	addi a2, s2, -12
	call net_same
	check a0, 1, "an answer's EtherType and payload are the frame's"

	print "virtio_net_ping: frame "
	mv a0, s1
	call guest_putdec
	print " ("
	mv a0, s2
	call guest_putdec
	print " bytes) to "
	la a0, peer
	call put_mac
	print ": answer from "
	addi a0, s5, 6
	call put_mac
	print " ok\n"
	// The peer: the answer's source, for the next frames.
	la a0, peer
	addi a1, s5, 6
	li a2, 6
	call net_copy
	mv a0, s6
	call net_recycle
	addi s1, s1, 1
	li t0, PING_FRAMES
	bne s1, t0, next
	print "virtio_net_ping: 8 of 8 answers ok\n"
	j 9f

no_reply:
	print "virtio_net_ping: no answer to frame "
	mv a0, s1
	call guest_putdec
	print " in 5 s (no peer on the switch?); giving up after "
	mv a0, s1
	call guest_putdec
	print " answers\n"
9:	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	NET_DRIVER

	.data
	.balign 8
peer:                                   // where the next frame goes
	.byte 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0

	VIRTIO_NET_AREAS
