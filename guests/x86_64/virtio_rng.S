// SPDX-License-Identifier: MIT
// virtio_rng: a minimal virtio-rng driver over virtio-mmio (virtio 1.2,
// 4.2 and 5.4; docs/virtio.md), one split virtqueue of 8 entries in the
// guest's own RAM. It checks the device's identity, accepts
// VIRTIO_F_VERSION_1 only (3.1.1), sets up the request queue, and reads
// 32 random bytes twice, each time one device-writable buffer whose
// return it polls in the used ring (the used length must be 32), the
// interrupt's status bit checked and acknowledged. Then its verdict on
// COM1: neither read is all zero bytes, and the two differ.
#include "guest.h"
#include "../virtio_console.h"

#define VIRTIO_BASE 0xd0002000

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	push %r14
	mov $VIRTIO_BASE, %ebx
	xor %r12d, %r12d                        // used entries seen
	xor %r14d, %r14d                        // available idx

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 4 (entropy).
	mov VIRTIO_MAGIC(%rbx), %eax
	check %rax, 0x74726976, "MagicValue"
	mov VIRTIO_VERSION(%rbx), %eax
	check %rax, 2, "Version"
	mov VIRTIO_DEVICE_ID(%rbx), %eax
	check %rax, DEVICE_ID_RNG, "DeviceID"

	// 3.1.1: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 and nothing else, FEATURES_OK.
	movl $0, VIRTIO_STATUS(%rbx)
	movl $S_ACKNOWLEDGE, VIRTIO_STATUS(%rbx)
	movl $(S_ACKNOWLEDGE | S_DRIVER), VIRTIO_STATUS(%rbx)
	movl $1, VIRTIO_DRIVER_FEATURES_SEL(%rbx)
	movl $F_VERSION_1, VIRTIO_DRIVER_FEATURES(%rbx)
	movl $0, VIRTIO_DRIVER_FEATURES_SEL(%rbx)
	movl $0, VIRTIO_DRIVER_FEATURES(%rbx)
	movl $(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// Queue 0 (4.2.3.2), then DRIVER_OK.
	movl $0, VIRTIO_QUEUE_SEL(%rbx)
	mov VIRTIO_QUEUE_NUM_MAX(%rbx), %eax
	cmp $QSIZE, %eax
	jae 1f
	mov %rax, %rsi
	lea msg_qmax(%rip), %rdi
	call guest_fail_value
1:	movl $QSIZE, VIRTIO_QUEUE_NUM(%rbx)
	lea vq_rx + VQ_DESC(%rip), %rax
	mov %eax, VIRTIO_QUEUE_DESC(%rbx)
	movl $0, VIRTIO_QUEUE_DESC + 4(%rbx)
	lea vq_rx + VQ_AVAIL(%rip), %rax
	mov %eax, VIRTIO_QUEUE_DRIVER(%rbx)
	movl $0, VIRTIO_QUEUE_DRIVER + 4(%rbx)
	lea vq_rx + VQ_USED(%rip), %rax
	mov %eax, VIRTIO_QUEUE_DEVICE(%rbx)
	movl $0, VIRTIO_QUEUE_DEVICE + 4(%rbx)
	movl $1, VIRTIO_QUEUE_READY(%rbx)
	mov VIRTIO_QUEUE_READY(%rbx), %eax
	check %rax, 1, "QueueReady after setup"
	movl $(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"

	lea rng_a(%rip), %rdi
	call rng_read
	lea rng_b(%rip), %rdi
	call rng_read

	// Neither all zero, and the two differ: ORs of their quadwords and of their XORs.
	xor %r8, %r8                            // OR of a
	xor %r9, %r9                            // OR of b
	xor %r10, %r10                          // OR of a ^ b
	xor %ecx, %ecx
2:	lea rng_a(%rip), %rax
	mov (%rax, %rcx, 8), %rax
	lea rng_b(%rip), %rdx
	mov (%rdx, %rcx, 8), %rdx
	or %rax, %r8
	or %rdx, %r9
	xor %rdx, %rax
	or %rax, %r10
	inc %ecx
	cmp $(RNG_BYTES / 8), %ecx
	jne 2b
	test %r8, %r8
	jnz 3f
	print "virtio_rng: first read all zero\n"
	jmp fail
3:	test %r9, %r9
	jnz 4f
	print "virtio_rng: second read all zero\n"
	jmp fail
4:	test %r10, %r10
	jnz 5f
	print "virtio_rng: the two reads are the same\n"
	jmp fail
5:	print "virtio_rng: 2 reads of 32 bytes, not all zero, different: ok\n"
	xor %eax, %eax
	jmp 6f
fail:
	mov $1, %eax
6:	pop %r14
	pop %r12
	pop %rbx
	ret

/*
 * rng_read(rdi = 32 bytes): one device-writable descriptor made available
 * and notified (4.2.3.3); its return polled in the used ring (2.7.14),
 * its used length checked, InterruptStatus checked and acknowledged.
 */
rng_read:
	lea vq_rx(%rip), %rdx
	mov %rdi, (%rdx)
	movl $RNG_BYTES, 8(%rdx)
	movw $D_WRITE, 12(%rdx)
	movw $0, 14(%rdx)
	mov %r14d, %ecx
	and $(QSIZE - 1), %ecx
	movw $0, VQ_AVAIL + 4(%rdx, %rcx, 2)
	inc %r14w
	mov %r14w, VQ_AVAIL + 2(%rdx)
	movl $0, VIRTIO_QUEUE_NOTIFY(%rbx)
1:	cmp VQ_USED + 2(%rdx), %r12w
	je 1b
	mov %r12d, %ecx
	and $(QSIZE - 1), %ecx
	inc %r12w
	mov VQ_USED + 4(%rdx, %rcx, 8), %eax
	check %rax, 0, "used element's id"
	mov VQ_USED + 8(%rdx, %rcx, 8), %eax
	check %rax, RNG_BYTES, "used element's length"
	mov VIRTIO_INTERRUPT_STATUS(%rbx), %eax
	check %rax, 1, "InterruptStatus after a request"
	movl $1, VIRTIO_INTERRUPT_ACK(%rbx)
	ret

	.section .rodata
msg_qmax:
	.asciz "QueueNumMax below 8"

	VIRTIO_CONSOLE_AREAS
