// SPDX-License-Identifier: MIT
// What the virtio-net guests of every architecture share (docs/virtio.md):
// the transport's registers and status bits (virtio_blk.h), virtio-net's
// device ID, features and header (virtio 1.2, 5.1), the driver's queues
// and buffers, and the frames the ping, pong and bench guests exchange.
// Each guest sets NET_BASE where its config puts the device, and
// includes this after guest.h.
#include "virtio_blk.h"

#define NET_DEVICE_ID 1
#define F_NET_MAC (1 << 5)             // 5.1.3, DeviceFeatures word 0
#define NET_CONFIG_MAC VIRTIO_CONFIG   // 5.1.4: u8 mac[6]
#define AVAIL_NO_INTERRUPT 1           // 2.7.7: the driver polls the used rings

#define NET_HDR 12                     // struct virtio_net_hdr (5.1.6)
#define NET_HDR_NUM_BUFFERS 10         // its le16 num_buffers
#define NET_QSIZE 8                    // both queues
#define NET_FRAME_MAX 1514
#define NET_RX_LEN (NET_HDR + NET_FRAME_MAX) // 1526: 5.1.6.3.1's receive buffer
#define NET_BUF 1536                   // a buffer's stride in the guest's RAM

// The frames: EtherType 0x88b5 (IEEE 802 local experimental), written
// as its two bytes; ping's frame k has NET_LEN(k) bytes, its payload byte
// i (from 14) is k * 7 + i, modulo 256.
#define NET_TYPE0 0x88
#define NET_TYPE1 0xb5
#define PING_FRAMES 8
#define NET_LEN(k) (65 + 207 * (k))    // 65 .. 1514 bytes
#define REPLY_SECONDS 5                // ping waits this long for each reply

// The frames a bench guest sends: BENCH_FRAMES of BENCH_LEN bytes, a
// window of BENCH_WINDOW at a time; the receiver answers each window
// with one frame (a credit), so no mailbox of the switch overflows.
#define BENCH_FRAMES 100000
#define BENCH_LEN 64
#define BENCH_WINDOW 32

// The queues (2.7: descriptors 16-byte aligned, available ring 2, used
// ring 4), the receive buffers and the transmit buffer: in .bss.
.macro VIRTIO_NET_AREAS
	.bss
	.balign 4096
rxq_desc:
	.skip 16 * NET_QSIZE
rxq_avail:
	.skip 4 + 2 * NET_QSIZE + 2
	.balign 8
rxq_used:
	.skip 4 + 8 * NET_QSIZE + 2
	.balign 16
txq_desc:
	.skip 16 * NET_QSIZE
txq_avail:
	.skip 4 + 2 * NET_QSIZE + 2
	.balign 8
txq_used:
	.skip 4 + 8 * NET_QSIZE + 2
	.balign 8
net_mac:
	.skip 8
net_rx_seen:                           // receive used entries taken
	.skip 8
	.balign 64
tx_buf:
	.skip NET_BUF
	.balign 64
rx_bufs:
	.skip NET_BUF * NET_QSIZE
.endm
