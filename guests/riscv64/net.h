// SPDX-License-Identifier: MIT
// A minimal virtio-net driver (virtio 1.2, 4.2 and 5.1; docs/virtio.md)
// for the RISC-V net guests, as guests/aarch64/net.h: NET_DRIVER puts its
// routines in the guest, once. Both queues have 8 entries in the guest's
// RAM (VIRTIO_NET_AREAS); the eight receive buffers stay available, each
// given back after its frame was read; one frame is sent at a time.
// Completions are polled in the used rings (the driver asks for no
// interrupt). s0 holds the device's base throughout; the routines use
// a0..a7 and t0..t6.
#include "../virtio_net.h"

#define TIMEBASE_HZ 10000000           // the device tree's timebase-frequency: time's rate

.macro NET_DRIVER
/*
 * net_init: checks the device's identity, negotiates VERSION_1 and MAC
 * (3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK read back),
 * sets up receiveq1 and transmitq1 (4.2.3.2), sets DRIVER_OK, reads the
 * address into net_mac and makes the eight receive buffers available.
 */
net_init:
	addi sp, sp, -16
	sd ra, 0(sp)
	lw t0, VIRTIO_MAGIC(s0)
	check t0, 0x74726976, "MagicValue"
	lw t0, VIRTIO_VERSION(s0)
	check t0, 2, "Version"
	lw t0, VIRTIO_DEVICE_ID(s0)
	check t0, NET_DEVICE_ID, "DeviceID"
	sw zero, VIRTIO_STATUS(s0)
	li t0, S_ACKNOWLEDGE
	sw t0, VIRTIO_STATUS(s0)
	li t0, S_ACKNOWLEDGE | S_DRIVER
	sw t0, VIRTIO_STATUS(s0)
	sw zero, VIRTIO_DEVICE_FEATURES_SEL(s0)
	lw t0, VIRTIO_DEVICE_FEATURES(s0)
	andi t0, t0, F_NET_MAC
	check t0, F_NET_MAC, "VIRTIO_NET_F_MAC offered"
	li t0, 1
	sw t0, VIRTIO_DEVICE_FEATURES_SEL(s0)
	lw t0, VIRTIO_DEVICE_FEATURES(s0)
	andi t0, t0, F_VERSION_1
	check t0, F_VERSION_1, "VIRTIO_F_VERSION_1 offered"
	li t0, 1
	sw t0, VIRTIO_DRIVER_FEATURES_SEL(s0)
	li t0, F_VERSION_1
	sw t0, VIRTIO_DRIVER_FEATURES(s0)
	sw zero, VIRTIO_DRIVER_FEATURES_SEL(s0)
	li t0, F_NET_MAC
	sw t0, VIRTIO_DRIVER_FEATURES(s0)
	li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK
	sw t0, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK, "Status: FEATURES_OK kept"
	li a0, 0
	la a1, rxq_desc
	la a2, rxq_avail
	la a3, rxq_used
	call net_queue
	li a0, 1
	la a1, txq_desc
	la a2, txq_avail
	la a3, txq_used
	call net_queue
	li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK
	sw t0, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK, "Status: DRIVER_OK"
	// The address, byte by byte from the configuration space (5.1.4).
	la t1, net_mac
	addi t2, s0, NET_CONFIG_MAC
	li t3, 6
1:	lbu t0, 0(t2)
	sb t0, 0(t1)
	addi t1, t1, 1
	addi t2, t2, 1
	addi t3, t3, -1
	bnez t3, 1b
	// Receive buffer i: descriptor i, device-writable, in the ring at i.
	la t1, rxq_desc
	la t2, rx_bufs
	la t4, rxq_avail
	li t3, 0
2:	sd t2, 0(t1)
	li t0, NET_RX_LEN
	sw t0, 8(t1)
	li t0, D_WRITE
	sh t0, 12(t1)
	sh zero, 14(t1)
	slli t5, t3, 1
	add t5, t5, t4
	sh t3, 4(t5)
	addi t1, t1, 16
	li t0, NET_BUF
	add t2, t2, t0
	addi t3, t3, 1
	li t0, NET_QSIZE
	bne t3, t0, 2b
	fence w, w                              // the ring before its index
	li t0, NET_QSIZE
	sh t0, 2(t4)
	fence w, o                              // the index before the notify
	sw zero, VIRTIO_QUEUE_NOTIFY(s0)
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/*
 * net_queue(a0 = queue, a1 = descriptors, a2 = available ring, a3 = used
 * ring): QueueNumMax at least 8, size 8, the areas, no interrupts
 * wanted (the available ring's flags), QueueReady.
 */
net_queue:
	sw a0, VIRTIO_QUEUE_SEL(s0)
	lw t0, VIRTIO_QUEUE_READY(s0)
	check t0, 0, "QueueReady before setup"
	lw t0, VIRTIO_QUEUE_NUM_MAX(s0)
	li t1, NET_QSIZE
	bgeu t0, t1, 1f
	mv a1, t0
	la a0, net_msg_qmax
	call guest_fail_value
1:	sw t1, VIRTIO_QUEUE_NUM(s0)
	sw a1, VIRTIO_QUEUE_DESC(s0)
	srli t0, a1, 32
	sw t0, VIRTIO_QUEUE_DESC + 4(s0)
	sw a2, VIRTIO_QUEUE_DRIVER(s0)
	srli t0, a2, 32
	sw t0, VIRTIO_QUEUE_DRIVER + 4(s0)
	sw a3, VIRTIO_QUEUE_DEVICE(s0)
	srli t0, a3, 32
	sw t0, VIRTIO_QUEUE_DEVICE + 4(s0)
	li t0, AVAIL_NO_INTERRUPT
	sh t0, 0(a2)
	li t0, 1
	sw t0, VIRTIO_QUEUE_READY(s0)
	ret

/*
 * net_send(a0 = frame length): sends the frame at tx_buf + NET_HDR after a
 * header of zeros (no offload), one descriptor, and waits until the
 * device has used it (2.7.14).
 */
net_send:
	la t1, tx_buf
	sd zero, 0(t1)
	sw zero, 8(t1)
	la t2, txq_desc
	sd t1, 0(t2)
	addi t3, a0, NET_HDR
	sw t3, 8(t2)
	sw zero, 12(t2)                         // flags 0 (device-readable), next 0
	la t2, txq_avail
	lhu t3, 2(t2)
	andi t4, t3, NET_QSIZE - 1
	slli t4, t4, 1
	add t4, t4, t2
	sh zero, 4(t4)                          // head: descriptor 0
	fence w, w
	addi t3, t3, 1
	slli t3, t3, 48
	srli t3, t3, 48
	sh t3, 2(t2)
	fence w, o
	li t4, 1
	sw t4, VIRTIO_QUEUE_NOTIFY(s0)
	la t2, txq_used
1:	lhu t4, 2(t2)
	bne t4, t3, 1b
	ret

/*
 * net_recv(a0 = ticks of the time CSR to wait, 0 for ever): the next frame
 * the device put in a receive buffer. Returns a0 = its first byte (0 if
 * none came in time), a1 = its length, a2 = its buffer (for net_recycle).
 * Checks the used element (a buffer of ours, a header and at least an
 * Ethernet header) and the header's num_buffers (1).
 */
net_recv:
	addi sp, sp, -16
	sd ra, 0(sp)
	rdtime t5
	add t5, t5, a0
	mv a7, a0
	la t2, rxq_used
	la t3, net_rx_seen
	lhu t4, 0(t3)
1:	lhu t0, 2(t2)
	bne t0, t4, 2f
	beqz a7, 1b
	rdtime t0
	bltu t0, t5, 1b
	li a0, 0
	j 9f
2:	fence r, r                              // the index before the element
	andi t0, t4, NET_QSIZE - 1
	slli t0, t0, 3
	add t0, t0, t2
	lwu a2, 4(t0)                           // id
	lwu a1, 8(t0)                           // len
	addi t4, t4, 1
	sh t4, 0(t3)
	li t0, NET_QSIZE
	bltu a2, t0, 3f
	mv a1, a2
	la a0, net_msg_id
	call guest_fail_value
3:	li t0, NET_HDR + 14
	bgeu a1, t0, 4f
	la a0, net_msg_len
	call guest_fail_value
4:	la a0, rx_bufs
	li t0, NET_BUF
	mul t0, t0, a2
	add a0, a0, t0
	lhu t1, NET_HDR_NUM_BUFFERS(a0)
	check t1, 1, "num_buffers of a received frame"
	addi a0, a0, NET_HDR
	addi a1, a1, -NET_HDR
9:	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* net_recycle(a0 = buffer): makes receive buffer a0 available again and notifies receiveq1. */
net_recycle:
	la t1, rxq_avail
	lhu t2, 2(t1)
	andi t3, t2, NET_QSIZE - 1
	slli t3, t3, 1
	add t3, t3, t1
	sh a0, 4(t3)
	fence w, w
	addi t2, t2, 1
	sh t2, 2(t1)
	fence w, o
	sw zero, VIRTIO_QUEUE_NOTIFY(s0)
	ret

/* net_copy(a0 = to, a1 = from, a2 = bytes): byte by byte. Uses t0, a0..a2. */
net_copy:
	beqz a2, 2f
1:	lbu t0, 0(a1)
	sb t0, 0(a0)
	addi a0, a0, 1
	addi a1, a1, 1
	addi a2, a2, -1
	bnez a2, 1b
2:	ret

/* net_same(a0, a1, a2 = bytes): a0 = 1 if the two runs of bytes are equal, else 0. Uses t0, t1. */
net_same:
	beqz a2, 2f
1:	lbu t0, 0(a0)
	lbu t1, 0(a1)
	bne t0, t1, 3f
	addi a0, a0, 1
	addi a1, a1, 1
	addi a2, a2, -1
	bnez a2, 1b
2:	li a0, 1
	ret
3:	li a0, 0
	ret

/* put_mac(a0 = 6 bytes): "xx:xx:xx:xx:xx:xx". Uses a0..a4, t0..t3. */
put_mac:
	addi sp, sp, -16
	sd ra, 0(sp)
	mv a3, a0
	li a4, 0
1:	beqz a4, 2f
	li a0, ':'
	call guest_putc
2:	add t0, a3, a4
	lbu a2, 0(t0)
	srli a0, a2, 4
	call net_nibble
	andi a0, a2, 15
	call net_nibble
	addi a4, a4, 1
	li t0, 6
	bne a4, t0, 1b
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* net_nibble(a0 = 0..15): one hex digit. */
net_nibble:
	li t0, 10
	blt a0, t0, 1f
	addi a0, a0, 'a' - '0' - 10
1:	addi a0, a0, '0'
	j guest_putc

	.pushsection .rodata
net_msg_qmax:
	.asciz "QueueNumMax below 8"
net_msg_id:
	.asciz "a used element's id is not a receive buffer"
net_msg_len:
	.asciz "a used element's length is below a header and an Ethernet header"
	.popsection
.endm
