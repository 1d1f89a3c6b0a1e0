// SPDX-License-Identifier: MIT
// virtio_net_pong: answers every frame its virtio-net device receives
// (guests/aarch64/net.h; docs/virtio.md) with the same bytes but the
// addresses swapped: to the frame's source, from this device. One line
// per frame; after 8 it powers off. It waits for frames for ever: alone,
// its run ends at --max-seconds.
#include "guest.h"
#include "net.h"

#define NET_BASE 0x0a000600            // the config's device

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, NET_BASE
	bl net_init
	print "virtio_net_pong: mac "
	ldr x0, =net_mac
	bl put_mac
	print "\n"
	mov w20, #0                             // frames answered

next:
	mov x0, #0
	bl net_recv
	mov x22, x0                             // the frame
	mov x21, x1                             // its length
	mov x23, x2                             // its buffer
	// The answer in tx_buf + NET_HDR: to its source, from us, the rest as it came.
	ldr x0, =tx_buf + NET_HDR
	add x1, x22, #6
	mov x2, #6
	bl net_copy
	ldr x0, =tx_buf + NET_HDR + 6
	ldr x1, =net_mac
	mov x2, #6
	bl net_copy
	ldr x0, =tx_buf + NET_HDR + 12
	add x1, x22, #12
	sub x2, x21, #12
	bl net_copy
	mov w0, w21
	bl net_send

	print "virtio_net_pong: frame "
	mov w0, w20
	bl put_dec
	print " ("
	mov w0, w21
	bl put_dec
	print " bytes) from "
	add x0, x22, #6
	bl put_mac
	print " answered\n"
	mov w0, w23
	bl net_recycle
	add w20, w20, #1
	cmp w20, #PING_FRAMES
	b.ne next
	print "virtio_net_pong: answered 8 frames\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

	NET_DRIVER

	VIRTIO_NET_AREAS
