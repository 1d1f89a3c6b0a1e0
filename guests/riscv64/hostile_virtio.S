// SPDX-License-Identifier: MIT
// hostile_virtio: a virtio-blk driver that breaks the rules (virtio 1.2,
// 2.7 and 4.2; docs/virtio.md "Hostile drivers"), one case after the
// other, against a read-write disk of 16 sectors: the AArch64 guest's
// cases in the same order (guests/aarch64/hostile_virtio.S lists them),
// the device window of the fourth being the NS16550A. After each it
// checks DEVICE_NEEDS_RESET and an untouched used ring, or the request's
// IOERR status with the device still live; prints a line, resets the
// device and sets it up again. Last, sector 3 written and read back.
#include "guest.h"
#include "../virtio_console.h"

#define VIRTIO_BASE 0x10001000
#define RAM_END 0x88000000             // the config's RAM: 128 MiB from 0x8000_0000
#define LIVE (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li s0, VIRTIO_BASE
	lw t0, VIRTIO_DEVICE_ID(s0)
	check t0, 2, "DeviceID"

	// A descriptor loop: the header's next is 1, 1's (readable too) is 0.
	call setup_good
	call header_in
	li a0, 0
	la a1, req_hdr
	li a2, 16
	li a3, D_NEXT
	li a4, 1
	call desc
	li a0, 1
	la a1, buf
	li a2, 512
	li a3, D_NEXT
	li a4, 0
	call desc
	call submit
	la a0, case_loop
	call expect_needs_reset

	// A chain longer than the queue: 0 -> 1 -> ... -> 7 -> 0.
	call setup_good
	call header_in
	li a0, 0
	la a1, req_hdr
	li a2, 16
	li a3, D_NEXT
	li a4, 1
	call desc
	li s1, 1
1:	la a1, buf
	slli t0, s1, 6
	add a1, a1, t0
	mv a0, s1
	li a2, 64
	li a3, D_NEXT | D_WRITE
	addi a4, s1, 1
	andi a4, a4, QSIZE - 1
	call desc
	addi s1, s1, 1
	li t0, QSIZE
	bne s1, t0, 1b
	call submit
	la a0, case_long
	call expect_needs_reset

	// A buffer outside RAM: the header at RAM's end.
	call setup_good
	call header_in
	li a0, 0
	li a1, RAM_END
	li a2, 16
	li a3, D_NEXT
	li a4, 1
	call desc
	li a0, 1
	la a1, req_status
	li a2, 1
	li a3, D_WRITE
	li a4, 0
	call desc
	call submit
	la a0, case_outside
	call expect_needs_reset

	// A buffer in a device window: sector 0 read into the UART.
	call setup_good
	call header_in
	li a0, UART_BASE
	li a1, 512
	li a2, D_WRITE
	li a3, 1
	call request3
	la a0, case_uart
	call expect_needs_reset

	// A wrong length: a header of 8 bytes.
	call setup_good
	call header_in
	li a0, 0
	la a1, req_hdr
	li a2, 8
	li a3, D_NEXT
	li a4, 1
	call desc
	li a0, 1
	la a1, req_status
	li a2, 1
	li a3, D_WRITE
	li a4, 0
	call desc
	call submit
	la a0, case_short
	call expect_needs_reset

	// A notify for a queue never set up: queue 1.
	call setup_good
	li t0, 1
	sw t0, VIRTIO_QUEUE_NOTIFY(s0)
	la a0, case_notify
	call expect_needs_reset

	// A queue size that is not a power of 2: QueueReady stays 0.
	call driver_start
	li a0, 6
	la a1, vq_desc
	call queue_setup
	lw t0, VIRTIO_QUEUE_READY(s0)
	check t0, 0, "QueueReady after a size of 6"
	la a0, case_size
	call expect_needs_reset

	// Rings outside RAM: the descriptor table at RAM's end.
	call driver_start
	li a0, QSIZE
	li a1, RAM_END
	call queue_setup
	lw t0, VIRTIO_QUEUE_READY(s0)
	check t0, 0, "QueueReady with rings outside RAM"
	la a0, case_rings
	call expect_needs_reset

	// A reset with a write of sector 2 made available, not notified: the
	// device set up again has empty rings, and serves nothing.
	call setup_good
	call fill_bad
	li a0, T_OUT
	li a1, 2
	call header
	la a0, buf
	li a1, 512
	li a2, 0
	li a3, 0
	call request3
	sw zero, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, 0, "Status after the reset"
	call setup_good
	sw zero, VIRTIO_QUEUE_NOTIFY(s0)
	la t0, vq_used
	lhu t0, 2(t0)
	check t0, 0, "used idx after a notify of empty rings"
	call expect_live
	print "hostile_virtio: reset with a write made available: not served\n"

	// A write past the end (sector 16 of 16): IOERR, the device still live.
	call fill_bad
	li a0, T_OUT
	li a1, 16
	call header
	la a0, buf
	li a1, 512
	li a2, 0
	li a3, 1
	call request3
	li a0, ST_IOERR
	call expect_status
	print "hostile_virtio: write past the end: IOERR\n"

	// A write of 100 bytes, not whole sectors: IOERR.
	li a0, T_OUT
	li a1, 0
	call header
	la a0, buf
	li a1, 100
	li a2, 0
	li a3, 1
	call request3
	li a0, ST_IOERR
	call expect_status
	print "hostile_virtio: write of 100 bytes: IOERR\n"

	// A good request: sector 3 written with the pattern, read back.
	call setup_good
	la t0, buf
	la t1, pattern
	ld t2, 0(t1)
	ld t3, 8(t1)
	li t4, 32
1:	sd t2, 0(t0)
	sd t3, 8(t0)
	addi t0, t0, 16
	addi t4, t4, -1
	bnez t4, 1b
	li a0, T_OUT
	li a1, 3
	call header
	la a0, buf
	li a1, 512
	li a2, 0
	li a3, 1
	call request3
	li a0, ST_OK
	call expect_status
	la t0, buf
	li t1, 64
2:	sd zero, 0(t0)
	addi t0, t0, 8
	addi t1, t1, -1
	bnez t1, 2b
	li a0, T_IN
	li a1, 3
	call header
	la a0, buf
	li a1, 512
	li a2, D_WRITE
	li a3, 1
	call request3
	li a0, ST_OK
	call expect_status
	la s1, buf
	la t1, pattern
	ld s2, 0(t1)
	ld s4, 8(t1)
	li s6, 32
3:	ld t0, 0(s1)
	check_eq t0, s2, "sector 3 read back: bytes 0..7 of a line"
	ld t0, 8(s1)
	check_eq t0, s4, "sector 3 read back: bytes 8..15 of a line"
	addi s1, s1, 16
	addi s6, s6, -1
	bnez s6, 3b
	print "hostile_virtio: good write and read back: ok\n"
	print "hostile_virtio: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/*
 * driver_start: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 only,
 * FEATURES_OK read back (3.1.1); the driver's available idx (s5) to 0
 * and its rings cleared.
 */
driver_start:
	addi sp, sp, -16
	sd ra, 0(sp)
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
	li s5, 0
	la t0, vq_avail
	sd zero, 0(t0)                          // flags, idx
	la t0, vq_used
	sd zero, 0(t0)
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* queue_setup(a0 = size, a1 = descriptor table): queue 0 with the avail and used rings of VIRTIO_BLK_AREAS. */
queue_setup:
	sw zero, VIRTIO_QUEUE_SEL(s0)
	sw a0, VIRTIO_QUEUE_NUM(s0)
	sw a1, VIRTIO_QUEUE_DESC(s0)
	srli t0, a1, 32
	sw t0, VIRTIO_QUEUE_DESC + 4(s0)
	la t0, vq_avail
	sw t0, VIRTIO_QUEUE_DRIVER(s0)
	sw zero, VIRTIO_QUEUE_DRIVER + 4(s0)
	la t0, vq_used
	sw t0, VIRTIO_QUEUE_DEVICE(s0)
	sw zero, VIRTIO_QUEUE_DEVICE + 4(s0)
	li t0, 1
	sw t0, VIRTIO_QUEUE_READY(s0)
	ret

/* setup_good: driver_start, queue 0 of QSIZE at vq_desc, DRIVER_OK, checked. */
setup_good:
	addi sp, sp, -16
	sd ra, 0(sp)
	call driver_start
	li a0, QSIZE
	la a1, vq_desc
	call queue_setup
	lw t0, VIRTIO_QUEUE_READY(s0)
	check t0, 1, "QueueReady after setup"
	li t0, LIVE
	sw t0, VIRTIO_STATUS(s0)
	call expect_live
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* expect_live: Status is exactly the four bits of a live driver. */
expect_live:
	addi sp, sp, -16
	sd ra, 0(sp)
	lw t0, VIRTIO_STATUS(s0)
	check t0, LIVE, "Status of a live device"
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/*
 * expect_needs_reset(a0 = the case's name): DEVICE_NEEDS_RESET set, the
 * used ring untouched; prints "hostile_virtio: NAME: DEVICE_NEEDS_RESET",
 * then resets the device and checks that Status reads 0.
 */
expect_needs_reset:
	addi sp, sp, -16
	sd ra, 0(sp)
	sd s1, 8(sp)
	mv s1, a0
	lw t0, VIRTIO_STATUS(s0)
	andi t0, t0, S_NEEDS_RESET
	check t0, S_NEEDS_RESET, "Status bit 6, DEVICE_NEEDS_RESET"
	la t0, vq_used
	lhu t0, 2(t0)
	check t0, 0, "used idx of a refused request"
	print "hostile_virtio: "
	mv a0, s1
	call guest_puts
	print ": DEVICE_NEEDS_RESET\n"
	sw zero, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, 0, "Status after the reset"
	ld s1, 8(sp)
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* expect_status(a0 = status): the request just served got it, the device is live. */
expect_status:
	addi sp, sp, -16
	sd ra, 0(sp)
	la t0, req_status
	lbu t0, 0(t0)
	check_eq t0, a0, "status byte"
	call expect_live
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* desc(a0 = index, a1 = addr, a2 = len, a3 = flags, a4 = next). */
desc:
	la t0, vq_desc
	slli t1, a0, 4
	add t0, t0, t1
	sd a1, 0(t0)
	sw a2, 8(t0)
	sh a3, 12(t0)
	sh a4, 14(t0)
	ret

/* header(a0 = type, a1 = sector): req_hdr filled, req_status 0xff. */
header:
	la t0, req_hdr
	sw a0, 0(t0)
	sw zero, 4(t0)
	sd a1, 8(t0)
	la t0, req_status
	li t1, 0xff
	sb t1, 0(t0)
	ret

/* header_in: header(T_IN, sector 0). */
header_in:
	li a0, T_IN
	li a1, 0
	j header

/*
 * request3(a0 = data, a1 = its length, a2 = its flags, a3 = 1 notify, 0
 * not): the chain req_hdr (16) -> data -> req_status (1) at descriptors
 * 0, 1, 2, made available.
 */
request3:
	addi sp, sp, -48
	sd ra, 0(sp)
	sd a0, 8(sp)
	sd a1, 16(sp)
	sd a2, 24(sp)
	sd a3, 32(sp)
	li a0, 0
	la a1, req_hdr
	li a2, 16
	li a3, D_NEXT
	li a4, 1
	call desc
	li a0, 1
	ld a1, 8(sp)
	ld a2, 16(sp)
	ld a3, 24(sp)
	ori a3, a3, D_NEXT
	li a4, 2
	call desc
	li a0, 2
	la a1, req_status
	li a2, 1
	li a3, D_WRITE
	li a4, 0
	call desc
	call make_available
	ld a3, 32(sp)
	beqz a3, 1f
	fence w, o                              // the index before the notify
	sw zero, VIRTIO_QUEUE_NOTIFY(s0)
1:	ld ra, 0(sp)
	addi sp, sp, 48
	ret

/* make_available: chain 0 in the available ring. submit: the same, then the notify. */
make_available:
	la t0, vq_avail
	andi t1, s5, QSIZE - 1
	slli t1, t1, 1
	add t1, t1, t0
	sh zero, 4(t1)
	fence w, w                              // the ring entry before the index
	addi s5, s5, 1
	sh s5, 2(t0)
	ret
submit:
	addi sp, sp, -16
	sd ra, 0(sp)
	call make_available
	fence w, o
	sw zero, VIRTIO_QUEUE_NOTIFY(s0)
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* fill_bad: buf's 512 bytes to "BAD!", what no refused write may leave on the disk. */
fill_bad:
	la t0, buf
	li t1, 0x2144414221444142               // "BAD!BAD!"
	li t2, 64
1:	sd t1, 0(t0)
	addi t0, t0, 8
	addi t2, t2, -1
	bnez t2, 1b
	ret

	.section .rodata
	.balign 8
pattern:
	.ascii "hostile sector 3"           // 16 bytes, written 32 times
case_loop:
	.asciz "descriptor loop"
case_long:
	.asciz "chain longer than the queue"
case_outside:
	.asciz "buffer outside RAM"
case_uart:
	.asciz "buffer in the UART"
case_short:
	.asciz "8-byte header"
case_notify:
	.asciz "notify of queue 1, never set up"
case_size:
	.asciz "queue size 6"
case_rings:
	.asciz "rings outside RAM"

	VIRTIO_BLK_AREAS
