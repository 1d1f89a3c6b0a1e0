// SPDX-License-Identifier: MIT
// What the virtio_console, virtio_rng and hostile_virtio guests of every
// architecture share beyond guests/virtio_blk.h (which they include for
// the virtio-mmio registers, the status bits and the descriptor flags):
// the status bits a driver checks after a fault, the console's and the
// entropy device's queues (virtio 1.2, 5.3 and 5.4) and the memory the
// drivers keep their queues and buffers in. Each guest sets VIRTIO_BASE
// where its config puts the device, and includes this after guest.h.

#include "virtio_blk.h"

#define S_NEEDS_RESET 64               // DEVICE_NEEDS_RESET (2.1)
#define S_FAILED 128

#define DEVICE_ID_CONSOLE 3            // 5 "Device Types"
#define DEVICE_ID_RNG 4
#define RECEIVEQ 0                     // 5.3.2: receiveq0, transmitq0
#define TRANSMITQ 1
#define RX_BUFS 4                      // receive buffers the console driver keeps given
#define RX_BUF_SIZE 16
#define TX_BUF_SIZE 64
#define RNG_BYTES 32                   // one read of the entropy device

// The offsets of a queue's areas from its vq_* block (2.7: descriptors
// 16-byte aligned, available ring 2, used ring 4), QSIZE entries each.
#define VQ_DESC 0
#define VQ_AVAIL (16 * QSIZE)
#define VQ_USED 512
#define VQ_BLOCK 1024

// Two queues' blocks (rx then tx for the console; rng uses the first),
// the console's buffers, the entropy device's two reads, what the
// interrupt handler counts: in .bss.
.macro VIRTIO_CONSOLE_AREAS
	.bss
	.balign 4
irq_count:
	.skip 4
irq_status:
	.skip 4
	.balign 4096
vq_rx:
	.skip VQ_BLOCK
vq_tx:
	.skip VQ_BLOCK
	.balign 16
rx_buf:
	.skip RX_BUFS * RX_BUF_SIZE
tx_buf:
	.skip TX_BUF_SIZE
rng_a:
	.skip RNG_BYTES
rng_b:
	.skip RNG_BYTES
.endm
