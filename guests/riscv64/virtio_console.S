// SPDX-License-Identifier: MIT
// virtio_console: a minimal virtio-console driver over virtio-mmio (virtio
// 1.2, 4.2 and 5.3; docs/virtio.md), two split virtqueues of 8 entries in
// the guest's own RAM. It checks the device's identity, accepts
// VIRTIO_F_VERSION_1 only (3.1.1), sets up receiveq0 and transmitq0,
// gives the device four receive buffers of 16 bytes, prints a prompt
// through the transmit queue, then echoes what is typed, buffer by
// buffer, until a 'q' or a newline (echoed too, nothing after it). Both
// queues are polled in their used rings (the AArch64 guest waits for the
// interrupt instead); after each transmit, InterruptStatus bit 0 is
// checked and acknowledged. The last line goes to the UART, which has
// had no console input since the device claimed it.
#include "guest.h"
#include "../virtio_console.h"

#define VIRTIO_BASE 0x10002000

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li s0, VIRTIO_BASE
	li s3, 0                                // receive used entries seen
	li s4, 0                                // transmit used entries seen
	li s5, 0                                // receive available idx
	li s6, 0                                // transmit available idx

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 3 (console).
	lw t0, VIRTIO_MAGIC(s0)
	check t0, 0x74726976, "MagicValue"
	lw t0, VIRTIO_VERSION(s0)
	check t0, 2, "Version"
	lw t0, VIRTIO_DEVICE_ID(s0)
	check t0, DEVICE_ID_CONSOLE, "DeviceID"

	// 3.1.1: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 and nothing else, FEATURES_OK.
	sw zero, VIRTIO_STATUS(s0)
	li t0, S_ACKNOWLEDGE
	sw t0, VIRTIO_STATUS(s0)
	li t0, S_ACKNOWLEDGE | S_DRIVER
	sw t0, VIRTIO_STATUS(s0)
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
	sw zero, VIRTIO_DRIVER_FEATURES(s0)
	li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK
	sw t0, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// The two queues (4.2.3.2), then DRIVER_OK.
	li a0, RECEIVEQ
	la a1, vq_rx
	call queue_setup
	li a0, TRANSMITQ
	la a1, vq_tx
	call queue_setup
	li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK
	sw t0, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"

	// Receive buffers: descriptor i is rx_buf + 16 * i, device-writable; all given, one notify.
	la s7, vq_rx
	la s8, rx_buf
	li s9, 0
1:	slli t0, s9, 4
	add t0, t0, s7
	sd s8, 0(t0)
	li t1, RX_BUF_SIZE
	sw t1, 8(t0)
	li t1, D_WRITE
	sh t1, 12(t0)
	sh zero, 14(t0)
	mv a0, s9
	call rx_give
	addi s8, s8, RX_BUF_SIZE
	addi s9, s9, 1
	li t0, RX_BUFS
	bne s9, t0, 1b
	fence w, o                              // the ring before the notify
	li t0, RECEIVEQ
	sw t0, VIRTIO_QUEUE_NOTIFY(s0)

	la a0, prompt
	call cons_puts

	// Echo: each used receive buffer written back out, up to a 'q' or a newline.
echo:
	lla t2, vq_rx + VQ_USED
1:	lhu t3, 2(t2)
	beq t3, s3, 1b
	fence r, r                              // the index before the element
	andi t4, s3, QSIZE - 1
	addi s3, s3, 1
	slli s3, s3, 48
	srli s3, s3, 48
	slli t4, t4, 3
	add t4, t4, t2
	lwu s7, 4(t4)                           // id: the buffer
	lwu s8, 8(t4)                           // len: bytes typed
	li t0, RX_BUFS
	bltu s7, t0, 2f
	mv a1, s7
	la a0, msg_id
	call guest_fail_value
2:	li t0, RX_BUF_SIZE
	bleu s8, t0, 3f
	mv a1, s8
	la a0, msg_len
	call guest_fail_value
	// Look for the end: a1 the bytes to echo, s9 the last of them if it ends the line.
3:	la a0, rx_buf
	slli t0, s7, 4
	add a0, a0, t0
	li a1, 0
	li s9, 0
4:	beq a1, s8, 5f
	add t0, a0, a1
	lbu t1, 0(t0)
	addi a1, a1, 1
	li t2, 'q'
	beq t1, t2, 6f
	li t2, '\n'
	bne t1, t2, 4b
6:	mv s9, t1
5:	call cons_write
	mv a0, s7
	call rx_give
	fence w, o
	li t0, RECEIVEQ
	sw t0, VIRTIO_QUEUE_NOTIFY(s0)
	beqz s9, echo

	li t0, '\n'
	beq s9, t0, 7f
	la a0, newline
	call cons_puts
7:	la a0, done_line
	call cons_puts

	lw t0, VIRTIO_STATUS(s0)
	check t0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status at the end"
	print "virtio_console: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/*
 * queue_setup(a0 = queue, a1 = its block of VQ_BLOCK bytes): QueueSel,
 * QueueNum QSIZE (QueueNumMax checked), the three areas' addresses,
 * QueueReady read back.
 */
queue_setup:
	addi sp, sp, -16
	sd ra, 0(sp)
	sw a0, VIRTIO_QUEUE_SEL(s0)
	lw t0, VIRTIO_QUEUE_READY(s0)
	check t0, 0, "QueueReady before setup"
	lwu t0, VIRTIO_QUEUE_NUM_MAX(s0)
	li t1, QSIZE
	bgeu t0, t1, 1f
	mv a1, t0
	la a0, msg_qmax
	call guest_fail_value
1:	sw t1, VIRTIO_QUEUE_NUM(s0)
	addi t0, a1, VQ_DESC
	sw t0, VIRTIO_QUEUE_DESC(s0)
	srli t0, t0, 32
	sw t0, VIRTIO_QUEUE_DESC + 4(s0)
	addi t0, a1, VQ_AVAIL
	sw t0, VIRTIO_QUEUE_DRIVER(s0)
	srli t0, t0, 32
	sw t0, VIRTIO_QUEUE_DRIVER + 4(s0)
	addi t0, a1, VQ_USED
	sw t0, VIRTIO_QUEUE_DEVICE(s0)
	srli t0, t0, 32
	sw t0, VIRTIO_QUEUE_DEVICE + 4(s0)
	li t0, 1
	sw t0, VIRTIO_QUEUE_READY(s0)
	lw t0, VIRTIO_QUEUE_READY(s0)
	check t0, 1, "QueueReady after setup"
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* rx_give(a0 = descriptor): puts it in the receive available ring (no notify). Uses t0, t1, s5. */
rx_give:
	lla t0, vq_rx + VQ_AVAIL
	andi t1, s5, QSIZE - 1
	slli t1, t1, 1
	add t1, t1, t0
	sh a0, 4(t1)
	fence w, w                              // the ring entry before the index
	addi s5, s5, 1
	slli s5, s5, 48
	srli s5, s5, 48
	sh s5, 2(t0)
	ret

/* cons_puts(a0 = NUL-terminated string): cons_write of its bytes but the NUL. */
cons_puts:
	mv a1, zero
1:	add t0, a0, a1
	lbu t0, 0(t0)
	beqz t0, cons_write
	addi a1, a1, 1
	j 1b

/*
 * cons_write(a0 = bytes, a1 = length): one readable descriptor on the
 * transmit queue, notified (4.2.3.3); its return polled in the used ring
 * (2.7.14), InterruptStatus bit 0 checked and acknowledged. Uses t0..t3,
 * s4, s6.
 */
cons_write:
	addi sp, sp, -16
	sd ra, 0(sp)
	la t0, vq_tx
	sd a0, 0(t0)
	sw a1, 8(t0)
	sh zero, 12(t0)
	sh zero, 14(t0)
	addi t1, t0, VQ_AVAIL
	andi t2, s6, QSIZE - 1
	slli t2, t2, 1
	add t2, t2, t1
	sh zero, 4(t2)
	fence w, w
	addi s6, s6, 1
	slli s6, s6, 48
	srli s6, s6, 48
	sh s6, 2(t1)
	fence w, o                              // the index before the notify
	li t2, TRANSMITQ
	sw t2, VIRTIO_QUEUE_NOTIFY(s0)
	addi t1, t0, VQ_USED
	addi s4, s4, 1
	slli s4, s4, 48
	srli s4, s4, 48
1:	lhu t2, 2(t1)
	bne t2, s4, 1b
	lw t0, VIRTIO_INTERRUPT_STATUS(s0)
	andi t0, t0, 1
	check t0, 1, "InterruptStatus bit 0 after a transmit"
	li t0, 1
	sw t0, VIRTIO_INTERRUPT_ACK(s0)
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

	.section .rodata
prompt:
	.asciz "virtio_console: type a line (q ends it)\n"
done_line:
	.asciz "virtio_console: echo done\n"
newline:
	.asciz "\n"
msg_qmax:
	.asciz "QueueNumMax below 8"
msg_id:
	.asciz "a receive buffer id that was never given"
msg_len:
	.asciz "a receive length longer than the buffer"

	VIRTIO_CONSOLE_AREAS
