// SPDX-License-Identifier: MIT
// hostile_virtio: a virtio-blk driver that breaks the rules (virtio 1.2,
// 2.7 and 4.2; docs/virtio.md "Hostile drivers"), one case after the
// other, against a read-write disk of 16 sectors. After each it checks
// what the device answered: DEVICE_NEEDS_RESET (Status bit 6) and nothing
// used, or the request's IOERR status with the device still live; prints
// a line, resets the device (Status 0) and sets it up again:
//   a descriptor loop (0 -> 1 -> 0, both device-readable)
//   a chain longer than the queue (all 8 descriptors, the last back to 0)
//   a buffer outside RAM (the header just past its end)
//   a buffer in a device window (sector 0 read into the PL011)
//   a wrong length (an 8-byte header)
//   a notify for a queue never set up (queue 1: virtio-blk has one)
//   a queue size that is not a power of 2 (6)
//   rings outside RAM (the descriptor table past RAM's end)
//   a reset with a write made available but not notified: the device
//     forgets it (the rings set up again are empty), nothing written
//   a write past the end of the disk, a write of 100 bytes: IOERR
// Last, a good request: sector 3 written with a pattern and read back.
// The disk must be the same as before but for sector 3.
#include "guest.h"
#include "../virtio_console.h"

#define VIRTIO_BASE 0x0a000000
#define RAM_END 0x48000000             // the config's RAM: 128 MiB from 0x4000_0000

	GUEST_RUNTIME

	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, VIRTIO_BASE
	ldr w0, [x19, #VIRTIO_DEVICE_ID]
	check x0, 2, "DeviceID"

	// A descriptor loop: the header's next is 1, 1's (readable too) is 0.
	bl setup_good
	ldr x1, =req_hdr
	mov w0, #0
	mov w2, #16
	mov w3, #D_NEXT
	mov w4, #1
	bl desc
	mov w0, #1
	ldr x1, =buf
	mov w2, #512
	mov w3, #D_NEXT
	mov w4, #0
	bl desc
	bl header_in
	bl submit
	adr x0, case_loop
	bl expect_needs_reset

	// A chain longer than the queue: 0 -> 1 -> ... -> 7 -> 0.
	bl setup_good
	bl header_in
	ldr x1, =req_hdr
	mov w0, #0
	mov w2, #16
	mov w3, #D_NEXT
	mov w4, #1
	bl desc
	mov w20, #1
1:	ldr x1, =buf
	add x1, x1, x20, lsl #6
	mov w0, w20
	mov w2, #64
	mov w3, #(D_NEXT | D_WRITE)
	add w4, w20, #1
	and w4, w4, #(QSIZE - 1)
	bl desc
	add w20, w20, #1
	cmp w20, #QSIZE
	b.ne 1b
	bl submit
	adr x0, case_long
	bl expect_needs_reset

	// A buffer outside RAM: the header at RAM's end.
	bl setup_good
	li x1, RAM_END
	mov w0, #T_IN
	mov x2, #0
	bl request_hdr_at
	adr x0, case_outside
	bl expect_needs_reset

	// A buffer in a device window: sector 0 read into the PL011.
	bl setup_good
	bl header_in
	li x2, UART_BASE
	mov w3, #512
	mov w4, #D_WRITE
	bl request3
	adr x0, case_uart
	bl expect_needs_reset

	// A wrong length: a header of 8 bytes.
	bl setup_good
	bl header_in
	ldr x1, =req_hdr
	mov w0, #0
	mov w2, #8
	mov w3, #D_NEXT
	mov w4, #1
	bl desc
	mov w0, #1
	ldr x1, =req_status
	mov w2, #1
	mov w3, #D_WRITE
	mov w4, #0
	bl desc
	bl submit
	adr x0, case_short
	bl expect_needs_reset

	// A notify for a queue never set up: queue 1.
	bl setup_good
	mov w0, #1
	str w0, [x19, #VIRTIO_QUEUE_NOTIFY]
	adr x0, case_notify
	bl expect_needs_reset

	// A queue size that is not a power of 2: QueueReady stays 0.
	bl driver_start
	mov w0, #6
	ldr x1, =vq_desc
	bl queue_setup
	ldr w0, [x19, #VIRTIO_QUEUE_READY]
	check x0, 0, "QueueReady after a size of 6"
	adr x0, case_size
	bl expect_needs_reset

	// Rings outside RAM: the descriptor table at RAM's end.
	bl driver_start
	mov w0, #QSIZE
	li x1, RAM_END
	bl queue_setup
	ldr w0, [x19, #VIRTIO_QUEUE_READY]
	check x0, 0, "QueueReady with rings outside RAM"
	adr x0, case_rings
	bl expect_needs_reset

	// A reset with a write of sector 2 made available, not notified: the
	// device set up again has empty rings, and serves nothing.
	bl setup_good
	bl fill_bad
	mov w0, #T_OUT
	mov x1, #2
	bl header
	ldr x2, =buf
	mov w3, #512
	mov w4, #0
	bl request3_no_notify
	str wzr, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, 0, "Status after the reset"
	bl setup_good
	str wzr, [x19, #VIRTIO_QUEUE_NOTIFY]
	ldr x0, =vq_used
	ldrh w0, [x0, #2]
	check x0, 0, "used idx after a notify of empty rings"
	bl expect_live
	print "hostile_virtio: reset with a write made available: not served\n"

	// A write past the end (sector 16 of 16): IOERR, the device still live.
	bl fill_bad
	mov w0, #T_OUT
	mov x1, #16
	bl header
	ldr x2, =buf
	mov w3, #512
	mov w4, #0
	bl request3
	bl expect_ioerr
	print "hostile_virtio: write past the end: IOERR\n"

	// A write of 100 bytes, not whole sectors: IOERR.
	mov w0, #T_OUT
	mov x1, #0
	bl header
	ldr x2, =buf
	mov w3, #100
	mov w4, #0
	bl request3
	bl expect_ioerr
	print "hostile_virtio: write of 100 bytes: IOERR\n"

	// A good request: sector 3 written with the pattern, read back.
	bl setup_good
	ldr x0, =buf
	adr x1, pattern
	ldp x2, x3, [x1]
	mov x4, #32
1:	stp x2, x3, [x0], #16
	subs x4, x4, #1
	b.ne 1b
	mov w0, #T_OUT
	mov x1, #3
	bl header
	ldr x2, =buf
	mov w3, #512
	mov w4, #0
	bl request3
	bl expect_ok
	ldr x0, =buf
	mov x1, #64
2:	stp xzr, xzr, [x0], #16
	subs x1, x1, #2
	b.ne 2b
	mov w0, #T_IN
	mov x1, #3
	bl header
	ldr x2, =buf
	mov w3, #512
	mov w4, #D_WRITE
	bl request3
	bl expect_ok
	ldr x0, =buf
	adr x1, pattern
	ldp x2, x3, [x1]
	mov x4, #32
3:	ldp x5, x6, [x0], #16
	check_reg x5, x2, "sector 3 read back: bytes 0..7 of a line"
	check_reg x6, x3, "sector 3 read back: bytes 8..15 of a line"
	subs x4, x4, #1
	b.ne 3b
	print "hostile_virtio: good write and read back: ok\n"
	print "hostile_virtio: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

/*
 * driver_start: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 only,
 * FEATURES_OK read back (3.1.1); the driver's ring positions to 0 and
 * its rings cleared. Uses x0..x2, w22, w24.
 */
driver_start:
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
	mov x2, x30
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"
	mov x30, x2
	mov w22, #0
	mov w24, #0
	ldr x0, =vq_avail
	str xzr, [x0]                           // flags, idx
	ldr x0, =vq_used
	str xzr, [x0]
	ret

/* queue_setup(w0 = size, x1 = descriptor table): queue 0 with the avail and used rings of VIRTIO_BLK_AREAS. */
queue_setup:
	str wzr, [x19, #VIRTIO_QUEUE_SEL]
	str w0, [x19, #VIRTIO_QUEUE_NUM]
	str w1, [x19, #VIRTIO_QUEUE_DESC]
	lsr x0, x1, #32
	str w0, [x19, #(VIRTIO_QUEUE_DESC + 4)]
	ldr x0, =vq_avail
	str w0, [x19, #VIRTIO_QUEUE_DRIVER]
	str wzr, [x19, #(VIRTIO_QUEUE_DRIVER + 4)]
	ldr x0, =vq_used
	str w0, [x19, #VIRTIO_QUEUE_DEVICE]
	str wzr, [x19, #(VIRTIO_QUEUE_DEVICE + 4)]
	mov w0, #1
	str w0, [x19, #VIRTIO_QUEUE_READY]
	ret

/* setup_good: driver_start, queue 0 of QSIZE at vq_desc, DRIVER_OK, checked. */
setup_good:
	mov x9, x30
	bl driver_start
	mov w0, #QSIZE
	ldr x1, =vq_desc
	bl queue_setup
	ldr w0, [x19, #VIRTIO_QUEUE_READY]
	check x0, 1, "QueueReady after setup"
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
	str w0, [x19, #VIRTIO_STATUS]
	bl expect_live
	mov x30, x9
	ret

/* expect_live: Status is exactly the four bits of a live driver. Uses x0, x16, x17. */
expect_live:
	mov x8, x30
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status of a live device"
	mov x30, x8
	ret

/*
 * expect_needs_reset(x0 = the case's name): DEVICE_NEEDS_RESET set, the
 * used ring untouched; prints "hostile_virtio: NAME: DEVICE_NEEDS_RESET",
 * then resets the device and checks that Status reads 0.
 */
expect_needs_reset:
	mov x10, x30
	mov x11, x0
	ldr w0, [x19, #VIRTIO_STATUS]
	and w0, w0, #S_NEEDS_RESET
	check x0, S_NEEDS_RESET, "Status bit 6, DEVICE_NEEDS_RESET"
	ldr x0, =vq_used
	ldrh w0, [x0, #2]
	check x0, 0, "used idx of a refused request"
	print "hostile_virtio: "
	mov x0, x11
	bl guest_puts
	print ": DEVICE_NEEDS_RESET\n"
	str wzr, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, 0, "Status after the reset"
	mov x30, x10
	ret

/* expect_ioerr: the request just served got IOERR, the device is live. */
expect_ioerr:
	mov x10, x30
	ldr x0, =req_status
	ldrb w0, [x0]
	check x0, ST_IOERR, "status byte"
	bl expect_live
	mov x30, x10
	ret

/* expect_ok: the request just served got OK, the device is live. */
expect_ok:
	mov x10, x30
	ldr x0, =req_status
	ldrb w0, [x0]
	check x0, ST_OK, "status byte"
	bl expect_live
	mov x30, x10
	ret

/* desc(w0 = index, x1 = addr, w2 = len, w3 = flags, w4 = next). Uses x5. */
desc:
	ldr x5, =vq_desc
	add x5, x5, x0, lsl #4
	str x1, [x5]
	str w2, [x5, #8]
	strh w3, [x5, #12]
	strh w4, [x5, #14]
	ret

/* header(w0 = type, x1 = sector): req_hdr filled, req_status 0xff. Uses x5. */
header:
	ldr x5, =req_hdr
	str w0, [x5]
	str wzr, [x5, #4]
	str x1, [x5, #8]
	ldr x5, =req_status
	mov w0, #0xff
	strb w0, [x5]
	ret

/* header_in: header(T_IN, sector 0). */
header_in:
	mov w0, #T_IN
	mov x1, #0
	b header

/*
 * request3(x2 = data, w3 = its length, w4 = its flags): the chain
 * req_hdr (16) -> data -> req_status (1) at descriptors 0, 1, 2, made
 * available and notified. request3_no_notify: the same but the notify.
 */
request3:
	mov x12, #1
	b 1f
request3_no_notify:
	mov x12, #0
1:	mov x13, x30
	mov x6, x2
	mov w14, w3
	mov w15, w4
	mov w0, #0
	ldr x1, =req_hdr
	mov w2, #16
	mov w3, #D_NEXT
	mov w4, #1
	bl desc
	mov w0, #1
	mov x1, x6
	mov w2, w14
	orr w3, w15, #D_NEXT
	mov w4, #2
	bl desc
	mov w0, #2
	ldr x1, =req_status
	mov w2, #1
	mov w3, #D_WRITE
	mov w4, #0
	bl desc
	mov x30, x13
	cbnz x12, submit
	b make_available

/* request_hdr_at(x1 = where the header is said to be): header -> req_status, notified. */
request_hdr_at:
	mov x13, x30
	mov w0, #0
	mov w2, #16
	mov w3, #D_NEXT
	mov w4, #1
	bl desc
	mov w0, #1
	ldr x1, =req_status
	mov w2, #1
	mov w3, #D_WRITE
	mov w4, #0
	bl desc
	mov x30, x13
	b submit

/* make_available: chain 0 in the available ring. submit: the same, then the notify. Uses x0..x2, w24. */
make_available:
	ldr x0, =vq_avail
	and w1, w24, #(QSIZE - 1)
	add x1, x0, x1, lsl #1
	strh wzr, [x1, #4]
	dmb ishst                               // the ring entry before the index
	add w24, w24, #1
	strh w24, [x0, #2]
	ret
submit:
	mov x7, x30
	bl make_available
	dsb st                                  // the index before the notify
	str wzr, [x19, #VIRTIO_QUEUE_NOTIFY]
	mov x30, x7
	ret

/* fill_bad: buf's 512 bytes to "BAD!", what no refused write may leave on the disk. */
fill_bad:
	ldr x0, =buf
	li x1, 0x21444142                       // "BAD!"
	orr x1, x1, x1, lsl #32
	mov x2, #64
1:	str x1, [x0], #8
	subs x2, x2, #1
	b.ne 1b
	ret

	.ltorg

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
