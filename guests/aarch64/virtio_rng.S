// SPDX-License-Identifier: MIT
// virtio_rng: a minimal virtio-rng driver over virtio-mmio (virtio 1.2,
// 4.2 and 5.4; docs/virtio.md), one split virtqueue of 8 entries in the
// guest's own RAM. It checks the device's identity, accepts
// VIRTIO_F_VERSION_1 only (3.1.1), sets up the request queue, and reads
// 32 random bytes twice, each time one device-writable buffer whose
// return it polls in the used ring (the used length must be 32), the
// interrupt's status bit checked and acknowledged. Then its verdict on
// the PL011: neither read is all zero bytes, and the two differ (a chance
// of 2^-256 each for a good source).
#include "guest.h"
#include "../virtio_console.h"

#define VIRTIO_BASE 0x0a000400

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, VIRTIO_BASE
	mov w22, #0                             // used entries seen
	mov w24, #0                             // available idx

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 4 (entropy).
	ldr w0, [x19, #VIRTIO_MAGIC]
	check x0, 0x74726976, "MagicValue"
	ldr w0, [x19, #VIRTIO_VERSION]
	check x0, 2, "Version"
	ldr w0, [x19, #VIRTIO_DEVICE_ID]
	check x0, DEVICE_ID_RNG, "DeviceID"

	// 3.1.1: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 and nothing else, FEATURES_OK.
	str wzr, [x19, #VIRTIO_STATUS]
	mov w0, #S_ACKNOWLEDGE
	str w0, [x19, #VIRTIO_STATUS]
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
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// Queue 0 (4.2.3.2), then DRIVER_OK.
	str wzr, [x19, #VIRTIO_QUEUE_SEL]
	ldr w0, [x19, #VIRTIO_QUEUE_NUM_MAX]
	cmp w0, #QSIZE
	b.hs 1f
	mov x17, x0
	adr x0, msg_qmax
	bl guest_fail_value
1:	mov w0, #QSIZE
	str w0, [x19, #VIRTIO_QUEUE_NUM]
	ldr x1, =vq_rx
	add x0, x1, #VQ_DESC
	str w0, [x19, #VIRTIO_QUEUE_DESC]
	str wzr, [x19, #(VIRTIO_QUEUE_DESC + 4)]
	add x0, x1, #VQ_AVAIL
	str w0, [x19, #VIRTIO_QUEUE_DRIVER]
	str wzr, [x19, #(VIRTIO_QUEUE_DRIVER + 4)]
	add x0, x1, #VQ_USED
	str w0, [x19, #VIRTIO_QUEUE_DEVICE]
	str wzr, [x19, #(VIRTIO_QUEUE_DEVICE + 4)]
	mov w0, #1
	str w0, [x19, #VIRTIO_QUEUE_READY]
	ldr w0, [x19, #VIRTIO_QUEUE_READY]
	check x0, 1, "QueueReady after setup"
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"

	ldr x0, =rng_a
	bl rng_read
	ldr x0, =rng_b
	bl rng_read

	// Neither all zero: the OR of each read's four doublewords.
	ldr x0, =rng_a
	bl or_bytes
	cbnz x0, 2f
	print "virtio_rng: first read all zero\n"
	b fail
2:	ldr x0, =rng_b
	bl or_bytes
	cbnz x0, 3f
	print "virtio_rng: second read all zero\n"
	b fail
	// The two differ: the OR of their four XORed doublewords.
3:	ldr x0, =rng_a
	ldr x1, =rng_b
	mov x2, #0
	mov x3, #(RNG_BYTES / 8)
4:	ldr x4, [x0], #8
	ldr x5, [x1], #8
	eor x4, x4, x5
	orr x2, x2, x4
	subs x3, x3, #1
	b.ne 4b
	cbnz x2, 5f
	print "virtio_rng: the two reads are the same\n"
	b fail
5:	print "virtio_rng: 2 reads of 32 bytes, not all zero, different: ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret
fail:
	mov x0, #1
	ldp x29, x30, [sp], #16
	ret

/*
 * rng_read(x0 = 32 bytes): one device-writable descriptor made available
 * and notified (4.2.3.3); its return polled in the used ring (2.7.14),
 * its used length checked, InterruptStatus checked and acknowledged.
 * Uses x0..x9, w22, w24.
 */
rng_read:
	mov x9, x30
	ldr x2, =vq_rx
	str x0, [x2]
	mov w3, #RNG_BYTES
	str w3, [x2, #8]
	mov w3, #D_WRITE
	strh w3, [x2, #12]
	strh wzr, [x2, #14]
	add x3, x2, #VQ_AVAIL
	and w4, w24, #(QSIZE - 1)
	add x4, x3, x4, lsl #1
	strh wzr, [x4, #4]
	dmb ishst                               // the ring entry before the index
	add w24, w24, #1
	and w24, w24, #0xffff
	strh w24, [x3, #2]
	dsb st                                  // the index before the notify
	str wzr, [x19, #VIRTIO_QUEUE_NOTIFY]
	add x3, x2, #VQ_USED
1:	ldrh w4, [x3, #2]
	cmp w4, w22
	b.eq 1b
	dmb ishld                               // the index before the element
	and w5, w22, #(QSIZE - 1)
	add w22, w22, #1
	and w22, w22, #0xffff
	add x5, x3, x5, lsl #3
	ldr w6, [x5, #4]
	check x6, 0, "used element's id"
	ldr w6, [x5, #8]
	check x6, RNG_BYTES, "used element's length"
	ldr w0, [x19, #VIRTIO_INTERRUPT_STATUS]
	check x0, 1, "InterruptStatus after a request"
	mov w0, #1
	str w0, [x19, #VIRTIO_INTERRUPT_ACK]
	mov x30, x9
	ret

/* or_bytes(x0 = 32 bytes): x0 = the OR of their four doublewords. Uses x0..x3. */
or_bytes:
	mov x1, #0
	mov x2, #(RNG_BYTES / 8)
1:	ldr x3, [x0], #8
	orr x1, x1, x3
	subs x2, x2, #1
	b.ne 1b
	mov x0, x1
	ret

	.ltorg

	.section .rodata
msg_qmax:
	.asciz "QueueNumMax below 8"

	VIRTIO_CONSOLE_AREAS
