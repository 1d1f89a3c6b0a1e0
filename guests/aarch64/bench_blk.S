// SPDX-License-Identifier: MIT
// bench_blk: virtio-blk throughput (make bench). The driver of virtio_blk.S
// reduced to what a transfer needs: the device set up with one queue of 8
// entries, then REQS reads of CHUNK bytes each, one request at a time
// (header, one data descriptor, status), then as many writes, each request
// notified and its completion polled in the used ring. The disk must hold
// at least CHUNK bytes; the requests walk over it and wrap around. Each
// pass is timed with the virtual counter (CNTVCT_EL0) and printed in ticks
// with the counter's frequency; bench/run.sh turns them into MiB/s.
#include "guest.h"
#include "../virtio_blk.h"

#define VIRTIO_BASE 0x0a000000
#define CHUNK 65536                    // bytes of a request's data
#define SECTORS (CHUNK / 512)
#define REQS 2048                      // 128 MiB a pass

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, VIRTIO_BASE
	mov w22, #0                             // used ring entries seen
	ldr w0, [x19, #VIRTIO_DEVICE_ID]
	check x0, 2, "DeviceID"
	str wzr, [x19, #VIRTIO_STATUS]
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER)
	str w0, [x19, #VIRTIO_STATUS]
	mov w0, #1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	mov w0, #F_VERSION_1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES]
	str wzr, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	str wzr, [x19, #VIRTIO_DRIVER_FEATURES]
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK)
	str w0, [x19, #VIRTIO_STATUS]
	str wzr, [x19, #VIRTIO_QUEUE_SEL]
	mov w0, #QSIZE
	str w0, [x19, #VIRTIO_QUEUE_NUM]
	ldr x0, =vq_desc
	str w0, [x19, #VIRTIO_QUEUE_DESC]
	lsr x0, x0, #32
	str w0, [x19, #(VIRTIO_QUEUE_DESC + 4)]
	ldr x0, =vq_avail
	str w0, [x19, #VIRTIO_QUEUE_DRIVER]
	lsr x0, x0, #32
	str w0, [x19, #(VIRTIO_QUEUE_DRIVER + 4)]
	ldr x0, =vq_used
	str w0, [x19, #VIRTIO_QUEUE_DEVICE]
	lsr x0, x0, #32
	str w0, [x19, #(VIRTIO_QUEUE_DEVICE + 4)]
	mov w0, #1
	str w0, [x19, #VIRTIO_QUEUE_READY]
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"
	// The capacity in whole chunks, in x23 (sectors, rounded down to a chunk).
	ldr w0, [x19, #VIRTIO_CONFIG]
	ldr w1, [x19, #(VIRTIO_CONFIG + 4)]
	orr x23, x0, x1, lsl #32
	and x23, x23, #~(SECTORS - 1)
	cbnz x23, 1f
	mov x17, x23
	adr x0, msg_small
	bl guest_fail_value

1:	print "bench_blk: frequency "
	mrs x0, cntfrq_el0
	bl guest_puthex
	print "\nbench_blk: bytes a pass "
	li x0, CHUNK * REQS
	bl guest_puthex
	print "\n"
	mov w0, #T_IN
	mov w1, #D_WRITE
	bl pass
	mov x20, x0
	print "bench_blk: read ticks "
	mov x0, x20
	bl guest_puthex
	print "\n"
	mov w0, #T_OUT
	mov w1, #0
	bl pass
	mov x20, x0
	print "bench_blk: write ticks "
	mov x0, x20
	bl guest_puthex
	print "\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

/*
 * pass(w0 = type, w1 = the data descriptor's flags): REQS requests of
 * CHUNK bytes at sectors 0, SECTORS, ... modulo the capacity. Returns the
 * counter ticks they took in x0. Uses x0..x15, x21 (sector), x24 (count).
 */
pass:
	mov x15, x30
	mov w13, w0
	mov w14, w1
	mov x21, #0
	li x24, REQS
	isb
	mrs x12, cntvct_el0
2:	ldr x3, =req_hdr
	str w13, [x3]
	str wzr, [x3, #4]
	str x21, [x3, #8]
	ldr x4, =req_status
	mov w5, #0xff
	strb w5, [x4]
	ldr x5, =vq_desc
	str x3, [x5]                            // desc[0]: the header
	mov w6, #16
	str w6, [x5, #8]
	mov w6, #D_NEXT
	strh w6, [x5, #12]
	mov w6, #1
	strh w6, [x5, #14]
	ldr x6, =data                           // desc[1]: the data
	str x6, [x5, #16]
	li x6, CHUNK
	str w6, [x5, #24]
	orr w6, w14, #D_NEXT
	strh w6, [x5, #28]
	mov w6, #2
	strh w6, [x5, #30]
	str x4, [x5, #32]                       // desc[2]: the status
	mov w6, #1
	str w6, [x5, #40]
	mov w6, #D_WRITE
	strh w6, [x5, #44]
	strh wzr, [x5, #46]
	ldr x5, =vq_avail
	ldrh w6, [x5, #2]
	and w7, w6, #(QSIZE - 1)
	add x7, x5, x7, lsl #1
	strh wzr, [x7, #4]
	dmb ishst
	add w6, w6, #1
	strh w6, [x5, #2]
	dsb st
	str wzr, [x19, #VIRTIO_QUEUE_NOTIFY]
	ldr x5, =vq_used
1:	ldrh w6, [x5, #2]
	cmp w6, w22
	b.eq 1b
	add w22, w22, #1
	and w22, w22, #0xffff
	dmb ishld
	ldr x4, =req_status
	ldrb w0, [x4]
	check x0, ST_OK, "a request's status"
	mov w0, #1
	str w0, [x19, #VIRTIO_INTERRUPT_ACK]
	add x21, x21, #SECTORS
	cmp x21, x23
	csel x21, xzr, x21, hs
	subs x24, x24, #1
	b.ne 2b
	isb
	mrs x0, cntvct_el0
	sub x0, x0, x12
	mov x30, x15
	ret

	.ltorg

	.section .rodata
msg_small:
	.asciz "the disk is smaller than one request, sectors"

	.bss
	.balign 4096
vq_desc:
	.skip 16 * QSIZE
vq_avail:
	.skip 4 + 2 * QSIZE + 2
	.balign 8
vq_used:
	.skip 4 + 8 * QSIZE + 2
	.balign 16
req_hdr:
	.skip 16
req_status:
	.skip 1
	.balign 4096
data:
	.skip CHUNK
