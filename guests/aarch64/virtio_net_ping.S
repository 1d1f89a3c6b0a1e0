// SPDX-License-Identifier: MIT
// virtio_net_ping: sends 8 frames through its virtio-net device
// (guests/aarch64/net.h; docs/virtio.md) and waits for each one's answer
// from virtio_net_pong, another VM on the run's virtual switch. Frame k
// has NET_LEN(k) bytes (65 to 1514) and EtherType 0x88b5; the first goes
// to the broadcast address, the others to the address the first answer
// came from (the switch has learned both by then). Each answer must come
// to this device's address, from the peer, with the same length,
// EtherType and payload; one line per exchange, then a summary. With no
// answer in REPLY_SECONDS (no peer on the switch) it says so and powers
// off: a run of this VM alone ends by itself.
#include "guest.h"
#include "net.h"

#define NET_BASE 0x0a000600            // the config's device (SPI 19, INTID 51: unused)

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, NET_BASE
	bl net_init
	print "virtio_net_ping: mac "
	ldr x0, =net_mac
	bl put_mac
	print "\n"
	mrs x0, cntfrq_el0
	mov x1, #REPLY_SECONDS
	mul x24, x0, x1                         // the wait for a reply, in ticks
	mov w20, #0                             // k: the frame

next:
	// Frame k in tx_buf + NET_HDR: to peer, from net_mac, EtherType, payload.
	ldr x0, =tx_buf + NET_HDR
	ldr x1, =peer
	mov x2, #6
	bl net_copy
	ldr x0, =tx_buf + NET_HDR + 6
	ldr x1, =net_mac
	mov x2, #6
	bl net_copy
	ldr x0, =tx_buf + NET_HDR
	mov w2, #NET_TYPE0
	strb w2, [x0, #12]
	mov w2, #NET_TYPE1
	strb w2, [x0, #13]
	mov w1, #207                            // length NET_LEN(k) = 65 + 207 k
	mov w2, #65
	madd w21, w20, w1, w2
	mov w3, #7
	mul w3, w20, w3                         // payload byte i: k * 7 + i
	mov x1, #14
1:	add w2, w3, w1
	strb w2, [x0, x1]
	add x1, x1, #1
	cmp x1, x21
	b.ne 1b
	mov w0, w21
	bl net_send

	mov x0, x24
	bl net_recv
	cbz x0, no_reply
	mov x22, x0                             // the answer
	mov x23, x2                             // its buffer
	check_reg x1, x21, "length of an answer"
	// To us, from someone else, the same bytes from the EtherType on.
	mov x0, x22
	ldr x1, =net_mac
	mov x2, #6
	bl net_same
	check x0, 1, "an answer's destination is this device's address"
	add x0, x22, #12
	ldr x1, =tx_buf + NET_HDR + 12
	sub x2, x21, #12
	bl net_same
	check x0, 1, "an answer's EtherType and payload are the frame's"

	print "virtio_net_ping: frame "
	mov w0, w20
	bl put_dec
	print " ("
	mov w0, w21
	bl put_dec
	print " bytes) to "
	ldr x0, =peer
	bl put_mac
	print ": answer from "
	add x0, x22, #6
	bl put_mac
	print " ok\n"
	// The peer: the answer's source, for the next frames.
	ldr x0, =peer
	add x1, x22, #6
	mov x2, #6
	bl net_copy
	mov w0, w23
	bl net_recycle
	add w20, w20, #1
	cmp w20, #PING_FRAMES
	b.ne next
	print "virtio_net_ping: 8 of 8 answers ok\n"
	b 9f

no_reply:
	print "virtio_net_ping: no answer to frame "
	mov w0, w20
	bl put_dec
	print " in 5 s (no peer on the switch?); giving up after "
	mov w0, w20
	bl put_dec
	print " answers\n"
9:	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

	NET_DRIVER

	.data
	.balign 8
peer:                                   // where the next frame goes
	.byte 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0

	VIRTIO_NET_AREAS
