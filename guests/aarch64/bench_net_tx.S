// SPDX-License-Identifier: MIT
// bench_net_tx: sends BENCH_FRAMES frames of BENCH_LEN bytes through its
// virtio-net device (guests/aarch64/net.h; docs/virtio.md) to
// bench_net_rx, another VM on the run's virtual switch, as fast as the
// two drivers go: BENCH_WINDOW frames, then a wait for bench_net_rx's
// credit (one frame), so no mailbox of the switch overflows. Frame k
// carries k (le32 at byte 14). The first window goes to the broadcast
// address, the others to the credit's source. Prints the frames and the
// counter ticks from the first to the last credit, and CNTFRQ_EL0:
// bench/run.sh turns them into frames per second.
#include "guest.h"
#include "net.h"

#define NET_BASE 0x0a000600

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, NET_BASE
	bl net_init
	// The frame's header: to the broadcast address, from us, EtherType.
	ldr x0, =tx_buf + NET_HDR
	mov w1, #0xff
	mov x2, #0
1:	strb w1, [x0, x2]
	add x2, x2, #1
	cmp x2, #6
	b.ne 1b
	ldr x0, =tx_buf + NET_HDR + 6
	ldr x1, =net_mac
	mov x2, #6
	bl net_copy
	ldr x0, =tx_buf + NET_HDR
	mov w1, #NET_TYPE0
	strb w1, [x0, #12]
	mov w1, #NET_TYPE1
	strb w1, [x0, #13]
	mrs x0, cntfrq_el0
	mov x1, #REPLY_SECONDS
	mul x24, x0, x1                         // the wait for a credit, in ticks
	li x26, BENCH_FRAMES
	mov w20, #0                             // frames sent
	mrs x25, cntvct_el0                     // the start

window:
	mov w21, #BENCH_WINDOW
1:	ldr x0, =tx_buf + NET_HDR + 14          // k, byte by byte
	strb w20, [x0]
	lsr w1, w20, #8
	strb w1, [x0, #1]
	lsr w1, w20, #16
	strb w1, [x0, #2]
	lsr w1, w20, #24
	strb w1, [x0, #3]
	mov w0, #BENCH_LEN
	bl net_send
	add w20, w20, #1
	subs w21, w21, #1
	b.ne 1b
	mov x0, x24
	bl net_recv
	cbz x0, no_credit
	mov x22, x0
	mov x23, x2
	ldr x0, =tx_buf + NET_HDR               // the next frames go to the credit's source
	add x1, x22, #6
	mov x2, #6
	bl net_copy
	mov w0, w23
	bl net_recycle
	cmp w20, w26
	b.ne window
	mrs x27, cntvct_el0

	print "bench_net: frames "
	mov x0, x20
	bl guest_puthex
	print "\nbench_net: ticks "
	sub x0, x27, x25
	bl guest_puthex
	print "\nbench_net: frequency "
	mrs x0, cntfrq_el0
	bl guest_puthex
	print "\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

no_credit:
	print "bench_net: no credit from bench_net_rx in 5 s after "
	mov x0, x20
	bl put_dec
	print " frames; giving up\n"
	mov x0, #1
	ldp x29, x30, [sp], #16
	ret

	NET_DRIVER

	VIRTIO_NET_AREAS
