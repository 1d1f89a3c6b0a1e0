// SPDX-License-Identifier: MIT
// A minimal virtio-net driver (virtio 1.2, 4.2 and 5.1; docs/virtio.md)
// for the x86_64 net guests, as guests/aarch64/net.h: NET_DRIVER puts its
// routines in the guest, once. Both queues have 8 entries in the guest's
// RAM (VIRTIO_NET_AREAS); the eight receive buffers stay available, each
// given back after its frame was read; one frame is sent at a time.
// Completions are polled in the used rings (the driver asks for no
// interrupt). rbx holds the device's base throughout; the routines use
// rax, rcx, rdx, rsi, rdi, r8..r11. x86 stores are seen in program order
// (SDM Vol. 3A 8.2.2): the rings need no fences.
#include "../virtio_net.h"

#define TSC_HZ 1000000000              // RDTSC under cvisor: the VM clock's nanoseconds

.macro NET_DRIVER
/*
 * net_init: checks the device's identity, negotiates VERSION_1 and MAC
 * (3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK read back),
 * sets up receiveq1 and transmitq1 (4.2.3.2), sets DRIVER_OK, reads the
 * address into net_mac and makes the eight receive buffers available.
 */
net_init:
	mov VIRTIO_MAGIC(%rbx), %eax
	check %rax, 0x74726976, "MagicValue"
	mov VIRTIO_VERSION(%rbx), %eax
	check %rax, 2, "Version"
	mov VIRTIO_DEVICE_ID(%rbx), %eax
	check %rax, NET_DEVICE_ID, "DeviceID"
	movl $0, VIRTIO_STATUS(%rbx)
	movl $S_ACKNOWLEDGE, VIRTIO_STATUS(%rbx)
	movl $(S_ACKNOWLEDGE | S_DRIVER), VIRTIO_STATUS(%rbx)
	movl $0, VIRTIO_DEVICE_FEATURES_SEL(%rbx)
	mov VIRTIO_DEVICE_FEATURES(%rbx), %eax
	and $F_NET_MAC, %eax
	check %rax, F_NET_MAC, "VIRTIO_NET_F_MAC offered"
	movl $1, VIRTIO_DEVICE_FEATURES_SEL(%rbx)
	mov VIRTIO_DEVICE_FEATURES(%rbx), %eax
	and $F_VERSION_1, %eax
	check %rax, F_VERSION_1, "VIRTIO_F_VERSION_1 offered"
	movl $1, VIRTIO_DRIVER_FEATURES_SEL(%rbx)
	movl $F_VERSION_1, VIRTIO_DRIVER_FEATURES(%rbx)
	movl $0, VIRTIO_DRIVER_FEATURES_SEL(%rbx)
	movl $F_NET_MAC, VIRTIO_DRIVER_FEATURES(%rbx)
	movl $(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"
	xor %edi, %edi
	lea rxq_desc(%rip), %rsi
	lea rxq_avail(%rip), %rdx
	lea rxq_used(%rip), %rcx
	call net_queue
	mov $1, %edi
	lea txq_desc(%rip), %rsi
	lea txq_avail(%rip), %rdx
	lea txq_used(%rip), %rcx
	call net_queue
	movl $(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"
	// The address, byte by byte from the configuration space (5.1.4).
	lea net_mac(%rip), %rdi
	xor %ecx, %ecx
1:	movzbl NET_CONFIG_MAC(%rbx, %rcx), %eax
	mov %al, (%rdi, %rcx)
	inc %ecx
	cmp $6, %ecx
	jne 1b
	// Receive buffer i: descriptor i, device-writable, in the ring at i.
	lea rxq_desc(%rip), %rdi
	lea rx_bufs(%rip), %rsi
	lea rxq_avail(%rip), %rdx
	xor %ecx, %ecx
2:	mov %rsi, (%rdi)
	movl $NET_RX_LEN, 8(%rdi)
	movw $D_WRITE, 12(%rdi)
	movw $0, 14(%rdi)
	mov %cx, 4(%rdx, %rcx, 2)
	add $16, %rdi
	add $NET_BUF, %rsi
	inc %ecx
	cmp $NET_QSIZE, %ecx
	jne 2b
	movw $NET_QSIZE, 2(%rdx)
	movl $0, VIRTIO_QUEUE_NOTIFY(%rbx)
	ret

/*
 * net_queue(edi = queue, rsi = descriptors, rdx = available ring, rcx =
 * used ring): QueueNumMax at least 8, size 8, the areas, no interrupts
 * wanted (the available ring's flags), QueueReady.
 */
net_queue:
	mov %edi, VIRTIO_QUEUE_SEL(%rbx)
	mov VIRTIO_QUEUE_READY(%rbx), %eax
	check %rax, 0, "QueueReady before setup"
	mov VIRTIO_QUEUE_NUM_MAX(%rbx), %eax
	cmp $NET_QSIZE, %eax
	jae 1f
	mov %rax, %rsi
	lea net_msg_qmax(%rip), %rdi
	call guest_fail_value
1:	movl $NET_QSIZE, VIRTIO_QUEUE_NUM(%rbx)
	mov %rsi, %rax
	mov %eax, VIRTIO_QUEUE_DESC(%rbx)
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DESC + 4(%rbx)
	mov %rdx, %rax
	mov %eax, VIRTIO_QUEUE_DRIVER(%rbx)
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DRIVER + 4(%rbx)
	mov %rcx, %rax
	mov %eax, VIRTIO_QUEUE_DEVICE(%rbx)
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DEVICE + 4(%rbx)
	movw $AVAIL_NO_INTERRUPT, (%rdx)
	movl $1, VIRTIO_QUEUE_READY(%rbx)
	ret

/*
 * net_send(edi = frame length): sends the frame at tx_buf + NET_HDR after
 * a header of zeros (no offload), one descriptor, and waits until the
 * device has used it (2.7.14).
 */
net_send:
	lea tx_buf(%rip), %rsi
	movq $0, (%rsi)
	movl $0, 8(%rsi)
	lea txq_desc(%rip), %rdx
	mov %rsi, (%rdx)
	lea NET_HDR(%rdi), %eax
	mov %eax, 8(%rdx)
	movl $0, 12(%rdx)                       // flags 0 (device-readable), next 0
	lea txq_avail(%rip), %rdx
	movzwl 2(%rdx), %ecx
	mov %ecx, %eax
	and $(NET_QSIZE - 1), %eax
	movw $0, 4(%rdx, %rax, 2)               // head: descriptor 0
	inc %ecx
	movzwl %cx, %ecx
	mov %cx, 2(%rdx)
	movl $1, VIRTIO_QUEUE_NOTIFY(%rbx)
	lea txq_used(%rip), %rdx
1:	movzwl 2(%rdx), %eax
	cmp %ecx, %eax
	jne 1b
	ret

/*
 * net_recv(rdi = TSC ticks to wait, 0 for ever): the next frame the
 * device put in a receive buffer. Returns rax = its first byte (0 if none
 * came in time), rdx = its length, rcx = its buffer (for net_recycle).
 * Checks the used element (a buffer of ours, a header and at least an
 * Ethernet header) and the header's num_buffers (1).
 */
net_recv:
	push %r12
	push %r13
	mov %rdi, %r13
	tsc
	lea (%rax, %r13), %r12                  // the deadline
	lea rxq_used(%rip), %rsi
	movzwl net_rx_seen(%rip), %ecx
1:	movzwl 2(%rsi), %eax
	cmp %ecx, %eax
	jne 2f
	test %r13, %r13
	jz 1b
	tsc
	cmp %r12, %rax
	jb 1b
	xor %eax, %eax
	jmp 9f
2:	mov %ecx, %eax
	and $(NET_QSIZE - 1), %eax
	mov 4(%rsi, %rax, 8), %r8d              // id
	mov 8(%rsi, %rax, 8), %r9d              // len
	inc %ecx
	mov %cx, net_rx_seen(%rip)
	cmp $NET_QSIZE, %r8d
	jb 3f
	mov %r8, %rsi
	lea net_msg_id(%rip), %rdi
	call guest_fail_value
3:	cmp $(NET_HDR + 14), %r9d
	jae 4f
	mov %r9, %rsi
	lea net_msg_len(%rip), %rdi
	call guest_fail_value
4:	imul $NET_BUF, %r8d, %eax
	lea rx_bufs(%rip), %rdx
	add %rdx, %rax
	movzwl NET_HDR_NUM_BUFFERS(%rax), %edx
	check %rdx, 1, "num_buffers of a received frame"
	add $NET_HDR, %rax
	lea -NET_HDR(%r9), %rdx
	mov %r8, %rcx
9:	pop %r13
	pop %r12
	ret

/* net_recycle(edi = buffer): makes receive buffer edi available again and notifies receiveq1. */
net_recycle:
	lea rxq_avail(%rip), %rdx
	movzwl 2(%rdx), %ecx
	mov %ecx, %eax
	and $(NET_QSIZE - 1), %eax
	mov %di, 4(%rdx, %rax, 2)
	inc %ecx
	mov %cx, 2(%rdx)
	movl $0, VIRTIO_QUEUE_NOTIFY(%rbx)
	ret

/* net_copy(rdi = to, rsi = from, rdx = bytes). Uses rax, rcx. */
net_copy:
	xor %ecx, %ecx
	test %rdx, %rdx
	jz 2f
1:	movzbl (%rsi, %rcx), %eax
	mov %al, (%rdi, %rcx)
	inc %rcx
	cmp %rdx, %rcx
	jne 1b
2:	ret

/* net_same(rdi, rsi, rdx = bytes): rax = 1 if the two runs of bytes are equal, else 0. Uses rcx, r8. */
net_same:
	xor %ecx, %ecx
	test %rdx, %rdx
	jz 2f
1:	movzbl (%rsi, %rcx), %eax
	movzbl (%rdi, %rcx), %r8d
	cmp %eax, %r8d
	jne 3f
	inc %rcx
	cmp %rdx, %rcx
	jne 1b
2:	mov $1, %eax
	ret
3:	xor %eax, %eax
	ret

/* put_mac(rdi = 6 bytes): "xx:xx:xx:xx:xx:xx". */
put_mac:
	push %r12
	push %r13
	push %r14
	mov %rdi, %r12
	xor %r13d, %r13d
1:	test %r13d, %r13d
	jz 2f
	mov $':', %edi
	call guest_putc
2:	movzbl (%r12, %r13), %r14d
	mov %r14d, %edi
	shr $4, %edi
	call net_nibble
	mov %r14d, %edi
	and $15, %edi
	call net_nibble
	inc %r13d
	cmp $6, %r13d
	jne 1b
	pop %r14
	pop %r13
	pop %r12
	ret

/* net_nibble(edi = 0..15): one hex digit. */
net_nibble:
	cmp $10, %edi
	jb 1f
	add $('a' - '0' - 10), %edi
1:	add $'0', %edi
	jmp guest_putc

/* put_dec(rdi): rdi in decimal. */
put_dec:
	push %r12
	push %r13
	sub $32, %rsp
	mov %rdi, %rax
	xor %r12d, %r12d
	mov $10, %r13d
1:	xor %edx, %edx
	div %r13
	add $'0', %edx
	mov %dl, (%rsp, %r12)
	inc %r12
	test %rax, %rax
	jnz 1b
2:	dec %r12
	movzbl (%rsp, %r12), %edi
	call guest_putc
	test %r12, %r12
	jnz 2b
	add $32, %rsp
	pop %r13
	pop %r12
	ret

	.pushsection .rodata
net_msg_qmax:
	.asciz "QueueNumMax below 8"
net_msg_id:
	.asciz "a used element's id is not a receive buffer"
net_msg_len:
	.asciz "a used element's length is below a header and an Ethernet header"
	.popsection
.endm
