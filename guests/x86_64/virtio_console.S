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
// checked and acknowledged. The last line goes to COM1, which has had no
// console input since the device claimed it.
// x86 stores are seen in program order (SDM Vol. 3A 8.2.2), so the rings
// need no fences.
#include "guest.h"
#include "../virtio_console.h"

#define VIRTIO_BASE 0xd0001000

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	push %rax                               // (the stack 16-byte aligned)
	mov $VIRTIO_BASE, %ebx
	xor %r12d, %r12d                        // receive used entries seen
	xor %r13d, %r13d                        // transmit used entries seen
	xor %r14d, %r14d                        // receive available idx
	xor %r15d, %r15d                        // transmit available idx

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 3 (console).
	mov VIRTIO_MAGIC(%rbx), %eax
	check %rax, 0x74726976, "MagicValue"
	mov VIRTIO_VERSION(%rbx), %eax
	check %rax, 2, "Version"
	mov VIRTIO_DEVICE_ID(%rbx), %eax
	check %rax, DEVICE_ID_CONSOLE, "DeviceID"

	// 3.1.1: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 and nothing else, FEATURES_OK.
	movl $0, VIRTIO_STATUS(%rbx)
	movl $S_ACKNOWLEDGE, VIRTIO_STATUS(%rbx)
	movl $(S_ACKNOWLEDGE | S_DRIVER), VIRTIO_STATUS(%rbx)
	movl $1, VIRTIO_DEVICE_FEATURES_SEL(%rbx)
	mov VIRTIO_DEVICE_FEATURES(%rbx), %eax
	and $F_VERSION_1, %eax
	check %rax, F_VERSION_1, "VIRTIO_F_VERSION_1 offered"
	movl $1, VIRTIO_DRIVER_FEATURES_SEL(%rbx)
	movl $F_VERSION_1, VIRTIO_DRIVER_FEATURES(%rbx)
	movl $0, VIRTIO_DRIVER_FEATURES_SEL(%rbx)
	movl $0, VIRTIO_DRIVER_FEATURES(%rbx)
	movl $(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// The two queues (4.2.3.2), then DRIVER_OK.
	mov $RECEIVEQ, %edi
	lea vq_rx(%rip), %rsi
	call queue_setup
	mov $TRANSMITQ, %edi
	lea vq_tx(%rip), %rsi
	call queue_setup
	movl $(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"

	// Receive buffers: descriptor i is rx_buf + 16 * i, device-writable; all given, one notify.
	xor %ebp, %ebp
1:	lea vq_rx(%rip), %rax
	mov %rbp, %rcx
	shl $4, %rcx
	add %rcx, %rax
	lea rx_buf(%rip), %rdx
	add %rcx, %rdx
	mov %rdx, (%rax)
	movl $RX_BUF_SIZE, 8(%rax)
	movw $D_WRITE, 12(%rax)
	movw $0, 14(%rax)
	mov %ebp, %edi
	call rx_give
	inc %ebp
	cmp $RX_BUFS, %ebp
	jne 1b
	movl $RECEIVEQ, VIRTIO_QUEUE_NOTIFY(%rbx)

	lea prompt(%rip), %rdi
	call cons_puts

	// Echo: each used receive buffer written back out, up to a 'q' or a newline.
echo:
	lea vq_rx + VQ_USED(%rip), %rax
1:	movzwl 2(%rax), %ecx
	cmp %r12w, %cx
	je 1b
	mov %r12d, %ecx
	and $(QSIZE - 1), %ecx
	inc %r12w
	mov 4(%rax, %rcx, 8), %ebp              // id: the buffer
	mov 8(%rax, %rcx, 8), %esi              // len: bytes typed
	cmp $RX_BUFS, %ebp
	jb 2f
	mov %rbp, %rsi
	lea msg_id(%rip), %rdi
	call guest_fail_value
2:	cmp $RX_BUF_SIZE, %esi
	jbe 3f
	lea msg_len(%rip), %rdi
	call guest_fail_value
	// Look for the end: rsi the bytes to echo, terminator the last of them if it ends the line.
3:	lea rx_buf(%rip), %rdi
	mov %rbp, %rcx
	shl $4, %rcx
	add %rcx, %rdi
	mov %rsi, %r8
	xor %esi, %esi
	movb $0, terminator(%rip)
4:	cmp %r8, %rsi
	je 5f
	movzbl (%rdi, %rsi), %eax
	inc %rsi
	cmp $'q', %al
	je 6f
	cmp $'\n', %al
	jne 4b
6:	mov %al, terminator(%rip)
5:	call cons_write
	mov %ebp, %edi
	call rx_give
	movl $RECEIVEQ, VIRTIO_QUEUE_NOTIFY(%rbx)
	cmpb $0, terminator(%rip)
	je echo

	cmpb $'\n', terminator(%rip)
	je 7f
	lea newline(%rip), %rdi
	call cons_puts
7:	lea done_line(%rip), %rdi
	call cons_puts

	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status at the end"
	print "virtio_console: all ok\n"
	xor %eax, %eax
	pop %rcx
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

/*
 * queue_setup(edi = queue, rsi = its block of VQ_BLOCK bytes): QueueSel,
 * QueueNum QSIZE (QueueNumMax checked), the three areas' addresses,
 * QueueReady read back.
 */
queue_setup:
	mov %edi, VIRTIO_QUEUE_SEL(%rbx)
	mov VIRTIO_QUEUE_READY(%rbx), %eax
	check %rax, 0, "QueueReady before setup"
	mov VIRTIO_QUEUE_NUM_MAX(%rbx), %eax
	cmp $QSIZE, %eax
	jae 1f
	mov %rax, %rsi
	lea msg_qmax(%rip), %rdi
	call guest_fail_value
1:	movl $QSIZE, VIRTIO_QUEUE_NUM(%rbx)
	lea VQ_DESC(%rsi), %rax
	mov %eax, VIRTIO_QUEUE_DESC(%rbx)
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DESC + 4(%rbx)
	lea VQ_AVAIL(%rsi), %rax
	mov %eax, VIRTIO_QUEUE_DRIVER(%rbx)
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DRIVER + 4(%rbx)
	lea VQ_USED(%rsi), %rax
	mov %eax, VIRTIO_QUEUE_DEVICE(%rbx)
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DEVICE + 4(%rbx)
	movl $1, VIRTIO_QUEUE_READY(%rbx)
	mov VIRTIO_QUEUE_READY(%rbx), %eax
	check %rax, 1, "QueueReady after setup"
	ret

/* rx_give(edi = descriptor): puts it in the receive available ring (no notify). Uses rax, rcx, r14. */
rx_give:
	lea vq_rx + VQ_AVAIL(%rip), %rax
	mov %r14d, %ecx
	and $(QSIZE - 1), %ecx
	mov %di, 4(%rax, %rcx, 2)
	inc %r14w
	mov %r14w, 2(%rax)
	ret

/* cons_puts(rdi = NUL-terminated string): cons_write of its bytes but the NUL. */
cons_puts:
	xor %esi, %esi
1:	cmpb $0, (%rdi, %rsi)
	je cons_write
	inc %rsi
	jmp 1b

/*
 * cons_write(rdi = bytes, rsi = length): one readable descriptor on the
 * transmit queue, notified (4.2.3.3); its return polled in the used ring
 * (2.7.14), InterruptStatus bit 0 checked and acknowledged. Uses rax,
 * rcx, r13, r15.
 */
cons_write:
	lea vq_tx(%rip), %rax
	mov %rdi, (%rax)
	mov %esi, 8(%rax)
	movl $0, 12(%rax)                       // flags, next
	mov %r15d, %ecx
	and $(QSIZE - 1), %ecx
	movw $0, VQ_AVAIL + 4(%rax, %rcx, 2)
	inc %r15w
	mov %r15w, VQ_AVAIL + 2(%rax)
	movl $TRANSMITQ, VIRTIO_QUEUE_NOTIFY(%rbx)
	inc %r13w
1:	cmp VQ_USED + 2(%rax), %r13w
	jne 1b
	mov VIRTIO_INTERRUPT_STATUS(%rbx), %eax
	and $1, %eax
	check %rax, 1, "InterruptStatus bit 0 after a transmit"
	movl $1, VIRTIO_INTERRUPT_ACK(%rbx)
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

	.bss
terminator:
	.skip 1

	VIRTIO_CONSOLE_AREAS
