// SPDX-License-Identifier: MIT
// A minimal virtio-net driver (virtio 1.2, 4.2 and 5.1; docs/virtio.md)
// for the AArch64 net guests: NET_DRIVER puts its routines in the guest,
// once. Both queues have 8 entries in the guest's RAM (VIRTIO_NET_AREAS);
// the eight receive buffers stay available, each given back after its
// frame was read; one frame is sent at a time. Completions are polled in
// the used rings (the driver asks for no interrupt). x19 holds the
// device's base throughout; the routines use x0..x15, x16 and x17 (check). With the MMU off
// every access is to Device memory, so frames are copied byte by byte.
#include "../virtio_net.h"

.macro NET_DRIVER
/*
 * net_init: checks the device's identity, negotiates VERSION_1 and MAC
 * (3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK read back),
 * sets up receiveq1 and transmitq1 (4.2.3.2), sets DRIVER_OK, reads the
 * address into net_mac and makes the eight receive buffers available.
 */
net_init:
	mov x15, x30
	ldr w0, [x19, #VIRTIO_MAGIC]
	check x0, 0x74726976, "MagicValue"
	ldr w0, [x19, #VIRTIO_VERSION]
	check x0, 2, "Version"
	ldr w0, [x19, #VIRTIO_DEVICE_ID]
	check x0, NET_DEVICE_ID, "DeviceID"
	str wzr, [x19, #VIRTIO_STATUS]
	mov w0, #S_ACKNOWLEDGE
	str w0, [x19, #VIRTIO_STATUS]
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER)
	str w0, [x19, #VIRTIO_STATUS]
	str wzr, [x19, #VIRTIO_DEVICE_FEATURES_SEL]
	ldr w0, [x19, #VIRTIO_DEVICE_FEATURES]
	and w0, w0, #F_NET_MAC
	check x0, F_NET_MAC, "VIRTIO_NET_F_MAC offered"
	mov w0, #1
	str w0, [x19, #VIRTIO_DEVICE_FEATURES_SEL]
	ldr w0, [x19, #VIRTIO_DEVICE_FEATURES]
	and w0, w0, #F_VERSION_1
	check x0, F_VERSION_1, "VIRTIO_F_VERSION_1 offered"
	mov w0, #1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	mov w0, #F_VERSION_1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES]
	str wzr, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	mov w0, #F_NET_MAC
	str w0, [x19, #VIRTIO_DRIVER_FEATURES]
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"
	mov w0, #0
	ldr x1, =rxq_desc
	ldr x2, =rxq_avail
	ldr x3, =rxq_used
	bl net_queue
	mov w0, #1
	ldr x1, =txq_desc
	ldr x2, =txq_avail
	ldr x3, =txq_used
	bl net_queue
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"
	// The address, byte by byte from the configuration space (5.1.4).
	ldr x1, =net_mac
	add x2, x19, #NET_CONFIG_MAC
	mov x3, #0
1:	ldrb w0, [x2, x3]
	strb w0, [x1, x3]
	add x3, x3, #1
	cmp x3, #6
	b.ne 1b
	// Receive buffer i: descriptor i, device-writable, in the ring at i.
	ldr x1, =rxq_desc
	ldr x2, =rx_bufs
	ldr x4, =rxq_avail
	mov x3, #0
2:	str x2, [x1]
	mov w0, #NET_RX_LEN
	str w0, [x1, #8]
	mov w0, #D_WRITE
	strh w0, [x1, #12]
	strh wzr, [x1, #14]
	add x5, x4, x3, lsl #1
	strh w3, [x5, #4]
	add x1, x1, #16
	add x2, x2, #NET_BUF
	add x3, x3, #1
	cmp x3, #NET_QSIZE
	b.ne 2b
	dmb ishst                               // the ring before its index
	mov w0, #NET_QSIZE
	strh w0, [x4, #2]
	dsb st                                  // the index before the notify
	str wzr, [x19, #VIRTIO_QUEUE_NOTIFY]
	mov x30, x15
	ret

/*
 * net_queue(w0 = queue, x1 = descriptors, x2 = available ring, x3 = used
 * ring): QueueNumMax at least 8, size 8, the areas, no interrupts
 * wanted (the available ring's flags), QueueReady.
 */
net_queue:
	str w0, [x19, #VIRTIO_QUEUE_SEL]
	ldr w4, [x19, #VIRTIO_QUEUE_READY]
	check x4, 0, "QueueReady before setup"
	ldr w4, [x19, #VIRTIO_QUEUE_NUM_MAX]
	cmp w4, #NET_QSIZE
	b.hs 1f
	mov x17, x4
	adr x0, net_msg_qmax
	bl guest_fail_value
1:	mov w4, #NET_QSIZE
	str w4, [x19, #VIRTIO_QUEUE_NUM]
	str w1, [x19, #VIRTIO_QUEUE_DESC]
	lsr x4, x1, #32
	str w4, [x19, #(VIRTIO_QUEUE_DESC + 4)]
	str w2, [x19, #VIRTIO_QUEUE_DRIVER]
	lsr x4, x2, #32
	str w4, [x19, #(VIRTIO_QUEUE_DRIVER + 4)]
	str w3, [x19, #VIRTIO_QUEUE_DEVICE]
	lsr x4, x3, #32
	str w4, [x19, #(VIRTIO_QUEUE_DEVICE + 4)]
	mov w4, #AVAIL_NO_INTERRUPT
	strh w4, [x2]
	mov w4, #1
	str w4, [x19, #VIRTIO_QUEUE_READY]
	ret

/*
 * net_send(w0 = frame length): sends the frame at tx_buf + NET_HDR after a
 * header of zeros (no offload), one descriptor, and waits until the
 * device has used it (it reads the frame before the notify returns, but
 * the driver goes by the used ring, 2.7.14).
 */
net_send:
	ldr x1, =tx_buf
	str xzr, [x1]
	str wzr, [x1, #8]
	ldr x2, =txq_desc
	str x1, [x2]
	add w3, w0, #NET_HDR
	str w3, [x2, #8]
	str wzr, [x2, #12]                      // flags 0 (device-readable), next 0
	ldr x2, =txq_avail
	ldrh w3, [x2, #2]
	and w4, w3, #(NET_QSIZE - 1)
	add x4, x2, x4, lsl #1
	strh wzr, [x4, #4]                      // head: descriptor 0
	dmb ishst
	add w3, w3, #1
	and w3, w3, #0xffff
	strh w3, [x2, #2]
	dsb st
	mov w4, #1
	str w4, [x19, #VIRTIO_QUEUE_NOTIFY]
	ldr x2, =txq_used
1:	ldrh w4, [x2, #2]
	cmp w4, w3
	b.ne 1b
	ret

/*
 * net_recv(x0 = ticks of CNTVCT_EL0 to wait, 0 for ever): the next frame
 * the device put in a receive buffer. Returns x0 = its first byte (0 if
 * none came in time), x1 = its length, x2 = its buffer (for net_recycle).
 * Checks the used element (a buffer of ours, a header and at least an
 * Ethernet header) and the header's num_buffers (1).
 */
net_recv:
	mrs x5, cntvct_el0
	add x5, x5, x0
	mov x6, x0
	ldr x2, =rxq_used
	ldr x3, =net_rx_seen
	ldrh w4, [x3]
1:	ldrh w7, [x2, #2]
	cmp w7, w4
	b.ne 2f
	cbz x6, 1b
	mrs x7, cntvct_el0
	cmp x7, x5
	b.lo 1b
	mov x0, #0
	ret
2:	dmb ishld                               // the index before the element
	and w7, w4, #(NET_QSIZE - 1)
	add x7, x2, x7, lsl #3
	ldr w8, [x7, #4]                        // id
	ldr w9, [x7, #8]                        // len
	add w4, w4, #1
	strh w4, [x3]
	cmp w8, #NET_QSIZE
	b.lo 3f
	mov x17, x8
	adr x0, net_msg_id
	bl guest_fail_value
3:	cmp w9, #(NET_HDR + 14)
	b.hs 4f
	mov x17, x9
	adr x0, net_msg_len
	bl guest_fail_value
4:	ldr x0, =rx_bufs
	mov x10, #NET_BUF
	madd x0, x8, x10, x0
	ldrh w10, [x0, #NET_HDR_NUM_BUFFERS]
	check x10, 1, "num_buffers of a received frame"
	add x0, x0, #NET_HDR
	sub x1, x9, #NET_HDR
	mov x2, x8
	ret

/* net_recycle(w0 = buffer): makes receive buffer w0 available again and notifies receiveq1. */
net_recycle:
	ldr x1, =rxq_avail
	ldrh w2, [x1, #2]
	and w3, w2, #(NET_QSIZE - 1)
	add x3, x1, x3, lsl #1
	strh w0, [x3, #4]
	dmb ishst
	add w2, w2, #1
	strh w2, [x1, #2]
	dsb st
	str wzr, [x19, #VIRTIO_QUEUE_NOTIFY]
	ret

/*
 * net_copy(x0 = to, x1 = from, x2 = bytes): byte by byte (with the MMU
 * off, RAM is Device memory: no unaligned accesses). Uses x0..x4.
 */
net_copy:
	mov x3, #0
	cbz x2, 2f
1:	ldrb w4, [x1, x3]
	strb w4, [x0, x3]
	add x3, x3, #1
	cmp x3, x2
	b.ne 1b
2:	ret

/* net_same(x0, x1, x2 = bytes): x0 = 1 if the two runs of bytes are equal, else 0. Uses x0..x5. */
net_same:
	mov x3, #0
	cbz x2, 2f
1:	ldrb w4, [x0, x3]
	ldrb w5, [x1, x3]
	cmp w4, w5
	b.ne 3f
	add x3, x3, #1
	cmp x3, x2
	b.ne 1b
2:	mov x0, #1
	ret
3:	mov x0, #0
	ret

/* put_mac(x0 = 6 bytes): "xx:xx:xx:xx:xx:xx". Uses x0..x13. */
put_mac:
	mov x13, x30
	mov x10, x0
	mov x11, #0
1:	cbz x11, 2f
	mov w0, #':'
	bl guest_putc
2:	ldrb w12, [x10, x11]
	lsr w0, w12, #4
	bl net_nibble
	and w0, w12, #0xf
	bl net_nibble
	add x11, x11, #1
	cmp x11, #6
	b.ne 1b
	mov x30, x13
	ret

/* net_nibble(w0 = 0..15): one hex digit. */
net_nibble:
	cmp w0, #10
	add w1, w0, #'0'
	add w2, w0, #('a' - 10)
	csel w0, w1, w2, lo
	b guest_putc

/* put_dec(x0): x0 in decimal. Uses x0..x13. */
put_dec:
	mov x13, x30
	sub sp, sp, #32
	mov x10, sp
	mov x11, #0
	mov x12, #10
1:	udiv x1, x0, x12
	msub x2, x1, x12, x0
	add w2, w2, #'0'
	strb w2, [x10, x11]
	add x11, x11, #1
	mov x0, x1
	cbnz x0, 1b
2:	sub x11, x11, #1
	ldrb w0, [x10, x11]
	bl guest_putc
	cbnz x11, 2b
	add sp, sp, #32
	mov x30, x13
	ret

	.ltorg
	.pushsection .rodata
net_msg_qmax:
	.asciz "QueueNumMax below 8"
net_msg_id:
	.asciz "a used element's id is not a receive buffer"
net_msg_len:
	.asciz "a used element's length is below a header and an Ethernet header"
	.popsection
.endm
