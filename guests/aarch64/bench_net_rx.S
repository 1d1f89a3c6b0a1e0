// SPDX-License-Identifier: MIT
// bench_net_rx: receives bench_net_tx's BENCH_FRAMES frames through its
// virtio-net device (guests/aarch64/net.h; docs/virtio.md), checks each
// one's length and number (they come in order, none lost), and answers
// every BENCH_WINDOW with a credit frame to their source. Then it says how
// many came and powers off.
#include "guest.h"
#include "net.h"

#define NET_BASE 0x0a000600

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, NET_BASE
	bl net_init
	li x26, BENCH_FRAMES
	mov w20, #0                             // frames received

next:
	mov x0, #0
	bl net_recv
	mov x22, x0
	mov x23, x2
	check x1, BENCH_LEN, "length of a bench frame"
	ldrb w3, [x22, #14]                     // its number, le32
	ldrb w4, [x22, #15]
	orr w3, w3, w4, lsl #8
	ldrb w4, [x22, #16]
	orr w3, w3, w4, lsl #16
	ldrb w4, [x22, #17]
	orr w3, w3, w4, lsl #24
	check_reg x3, x20, "number of a bench frame (lost or out of order)"
	add w20, w20, #1
	tst w20, #(BENCH_WINDOW - 1)
	b.ne 1f
	// A credit: to the frame's source, from us, its bytes as they are.
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
	mov x2, #(BENCH_LEN - 12)
	bl net_copy
	mov w0, #BENCH_LEN
	bl net_send
1:	mov w0, w23
	bl net_recycle
	cmp w20, w26
	b.ne next
	print "bench_net_rx: "
	mov x0, x20
	bl put_dec
	print " frames received in order\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

	NET_DRIVER

	VIRTIO_NET_AREAS
