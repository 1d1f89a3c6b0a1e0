// SPDX-License-Identifier: MIT
// virtio_rng: a minimal virtio-rng driver over virtio-mmio (virtio 1.2,
// 4.2 and 5.4; docs/virtio.md), one split virtqueue of 8 entries in the
// guest's own RAM. It checks the device's identity, accepts
// VIRTIO_F_VERSION_1 only (3.1.1), sets up the request queue, and reads
// 32 random bytes twice, each time one device-writable buffer whose
// return it polls in the used ring (the used length must be 32), the
// interrupt's status bit checked and acknowledged. Then its verdict on
// the UART: neither read is all zero bytes, and the two differ.
#include "guest.h"
#include "../virtio_console.h"

#define VIRTIO_BASE 0x10003000

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li s0, VIRTIO_BASE
	li s3, 0                                // used entries seen
	li s5, 0                                // available idx

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 4 (entropy).
	lw t0, VIRTIO_MAGIC(s0)
	check t0, 0x74726976, "MagicValue"
	lw t0, VIRTIO_VERSION(s0)
	check t0, 2, "Version"
	lw t0, VIRTIO_DEVICE_ID(s0)
	check t0, DEVICE_ID_RNG, "DeviceID"

	// 3.1.1: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 and nothing else, FEATURES_OK.
	sw zero, VIRTIO_STATUS(s0)
	li t0, S_ACKNOWLEDGE
	sw t0, VIRTIO_STATUS(s0)
	li t0, S_ACKNOWLEDGE | S_DRIVER
	sw t0, VIRTIO_STATUS(s0)
	li t0, 1
	sw t0, VIRTIO_DRIVER_FEATURES_SEL(s0)
	li t0, F_VERSION_1
	sw t0, VIRTIO_DRIVER_FEATURES(s0)
	sw zero, VIRTIO_DRIVER_FEATURES_SEL(s0)
	sw zero, VIRTIO_DRIVER_FEATURES(s0)
	li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK
	sw t0, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// Queue 0 (4.2.3.2), then DRIVER_OK.
	sw zero, VIRTIO_QUEUE_SEL(s0)
	lwu t0, VIRTIO_QUEUE_NUM_MAX(s0)
	li t1, QSIZE
	bgeu t0, t1, 1f
	mv a1, t0
	la a0, msg_qmax
	call guest_fail_value
1:	sw t1, VIRTIO_QUEUE_NUM(s0)
	lla t0, vq_rx + VQ_DESC
	sw t0, VIRTIO_QUEUE_DESC(s0)
	sw zero, VIRTIO_QUEUE_DESC + 4(s0)
	lla t0, vq_rx + VQ_AVAIL
	sw t0, VIRTIO_QUEUE_DRIVER(s0)
	sw zero, VIRTIO_QUEUE_DRIVER + 4(s0)
	lla t0, vq_rx + VQ_USED
	sw t0, VIRTIO_QUEUE_DEVICE(s0)
	sw zero, VIRTIO_QUEUE_DEVICE + 4(s0)
	li t0, 1
	sw t0, VIRTIO_QUEUE_READY(s0)
	lw t0, VIRTIO_QUEUE_READY(s0)
	check t0, 1, "QueueReady after setup"
	li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK
	sw t0, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"

	la a0, rng_a
	call rng_read
	la a0, rng_b
	call rng_read

	// Neither all zero, and the two differ: ORs of their doublewords and of their XORs.
	la t0, rng_a
	la t1, rng_b
	li t2, 0                                // OR of a
	li t3, 0                                // OR of b
	li t4, 0                                // OR of a ^ b
	li t5, RNG_BYTES / 8
2:	ld a0, 0(t0)
	ld a1, 0(t1)
	or t2, t2, a0
	or t3, t3, a1
	xor a0, a0, a1
	or t4, t4, a0
	addi t0, t0, 8
	addi t1, t1, 8
	addi t5, t5, -1
	bnez t5, 2b
	bnez t2, 3f
	print "virtio_rng: first read all zero\n"
	j fail
3:	bnez t3, 4f
	print "virtio_rng: second read all zero\n"
	j fail
4:	bnez t4, 5f
	print "virtio_rng: the two reads are the same\n"
	j fail
5:	print "virtio_rng: 2 reads of 32 bytes, not all zero, different: ok\n"
	li a0, 0
	j 6f
fail:
	li a0, 1
6:	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/*
 * rng_read(a0 = 32 bytes): one device-writable descriptor made available
 * and notified (4.2.3.3); its return polled in the used ring (2.7.14),
 * its used length checked, InterruptStatus checked and acknowledged.
 */
rng_read:
	addi sp, sp, -16
	sd ra, 0(sp)
	la t0, vq_rx
	sd a0, 0(t0)
	li t1, RNG_BYTES
	sw t1, 8(t0)
	li t1, D_WRITE
	sh t1, 12(t0)
	sh zero, 14(t0)
	addi t1, t0, VQ_AVAIL
	andi t2, s5, QSIZE - 1
	slli t2, t2, 1
	add t2, t2, t1
	sh zero, 4(t2)
	fence w, w                              // the ring entry before the index
	addi s5, s5, 1
	slli s5, s5, 48
	srli s5, s5, 48
	sh s5, 2(t1)
	fence w, o                              // the index before the notify
	sw zero, VIRTIO_QUEUE_NOTIFY(s0)
	addi t1, t0, VQ_USED
1:	lhu t2, 2(t1)
	beq t2, s3, 1b
	fence r, r                              // the index before the element
	andi t3, s3, QSIZE - 1
	addi s3, s3, 1
	slli s3, s3, 48
	srli s3, s3, 48
	slli t3, t3, 3
	add t3, t3, t1
	lwu t4, 4(t3)
	check t4, 0, "used element's id"
	lwu t4, 8(t3)
	check t4, RNG_BYTES, "used element's length"
	lw t0, VIRTIO_INTERRUPT_STATUS(s0)
	check t0, 1, "InterruptStatus after a request"
	li t0, 1
	sw t0, VIRTIO_INTERRUPT_ACK(s0)
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	.section .rodata
msg_qmax:
	.asciz "QueueNumMax below 8"

	VIRTIO_CONSOLE_AREAS
