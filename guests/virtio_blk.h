// SPDX-License-Identifier: MIT
// What the virtio_blk guests of every architecture share: the virtio-mmio
// registers (virtio 1.2, 4.2.2, version 2), the device status bits (2.1),
// virtio-blk's features and requests (5.2), the split queue's sizes
// (2.7) and the memory the driver keeps its queue and request in. Each
// guest sets VIRTIO_BASE (and its interrupt) where its config puts the
// device, and includes this after guest.h.

#define VIRTIO_MAGIC 0x000
#define VIRTIO_VERSION 0x004
#define VIRTIO_DEVICE_ID 0x008
#define VIRTIO_DEVICE_FEATURES 0x010
#define VIRTIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_DRIVER_FEATURES 0x020
#define VIRTIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_QUEUE_SEL 0x030
#define VIRTIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_QUEUE_NUM 0x038
#define VIRTIO_QUEUE_READY 0x044
#define VIRTIO_QUEUE_NOTIFY 0x050
#define VIRTIO_INTERRUPT_STATUS 0x060
#define VIRTIO_INTERRUPT_ACK 0x064
#define VIRTIO_STATUS 0x070
#define VIRTIO_QUEUE_DESC 0x080        // low, high at +4
#define VIRTIO_QUEUE_DRIVER 0x090
#define VIRTIO_QUEUE_DEVICE 0x0a0
#define VIRTIO_CONFIG 0x100            // virtio-blk: le64 capacity

// Device status bits (2.1).
#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8

#define F_BLK_RO (1 << 5)              // 5.2.3, in DeviceFeatures word 0
#define F_BLK_FLUSH (1 << 9)
#define F_VERSION_1 1                  // bit 32: bit 0 of word 1

#define T_IN 0                         // 5.2.6 request types
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define ST_OK 0                        // status byte
#define ST_IOERR 1

#define QSIZE 8
#define D_NEXT 1                       // 2.7.5 descriptor flags
#define D_WRITE 2

// The queue's areas (2.7: descriptors 16-byte aligned, available ring 2,
// used ring 4), the request's header, data and status, and what the
// interrupt handler counts: in .bss.
.macro VIRTIO_BLK_AREAS
	.bss
	.balign 4
irq_count:
	.skip 4
irq_status:
	.skip 4
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
	.balign 512
buf:
	.skip 512
.endm
