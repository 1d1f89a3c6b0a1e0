// SPDX-License-Identifier: MIT
// virtio_net_ping: the x86_64 twin of guests/aarch64/virtio_net_ping.S.
// Sends 8 frames through its virtio-net device (guests/x86_64/net.h;
// docs/virtio.md) and waits for each one's answer from virtio_net_pong,
// another VM on the run's virtual switch. Frame k has NET_LEN(k) bytes
// (65 to 1514) and EtherType 0x88b5; the first goes to the broadcast
// address, the others to the address the first answer came from. Each
// answer must come to this device's address with the same length,
// EtherType and payload; one line per exchange, then a summary. With no
// answer in REPLY_SECONDS (no peer on the switch) it says so and powers
// off: a run of this VM alone ends by itself.
#include "guest.h"
#include "net.h"

#define NET_BASE 0xd0003000            // the config's device (I/O APIC pin 7: unused)

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov $NET_BASE, %ebx
	call net_init
	print "virtio_net_ping: mac "
	lea net_mac(%rip), %rdi
	call put_mac
	print "\n"
	xor %r12d, %r12d                        // k: the frame

next:
	// Frame k in tx_buf + NET_HDR: to peer, from net_mac, EtherType, payload.
	lea tx_buf + NET_HDR(%rip), %rdi
	lea peer(%rip), %rsi
	mov $6, %edx
	call net_copy
	lea tx_buf + NET_HDR + 6(%rip), %rdi
	lea net_mac(%rip), %rsi
	mov $6, %edx
	call net_copy
	lea tx_buf + NET_HDR(%rip), %rdi
	movb $NET_TYPE0, 12(%rdi)
	movb $NET_TYPE1, 13(%rdi)
	imul $207, %r12d, %r13d                 // length NET_LEN(k) = 65 + 207 k
	add $65, %r13d
	imul $7, %r12d, %edx                    // payload byte i: k * 7 + i
	mov $14, %ecx
1:	lea (%rdx, %rcx), %eax
	mov %al, (%rdi, %rcx)
	inc %ecx
	cmp %r13d, %ecx
	jne 1b
	mov %r13d, %edi
	call net_send

	movabs $(TSC_HZ * REPLY_SECONDS), %rdi
	call net_recv
	test %rax, %rax
	jz no_reply
	mov %rax, %r14                          // the answer
	mov %rcx, %r15                          // its buffer
	mov %r13, %rax
	cmp %rdx, %rax
	je 2f
	mov %rdx, %rsi
	lea msg_len(%rip), %rdi
	call guest_fail_value
	// To us, the same bytes from the EtherType on.
2:	mov %r14, %rdi
	lea net_mac(%rip), %rsi
	mov $6, %edx
	call net_same
	check %rax, 1, "an answer's destination is this device's address"
	lea 12(%r14), %rdi
	lea tx_buf + NET_HDR + 12(%rip), %rsi
	lea -12(%r13), %rdx
	call net_same
	check %rax, 1, "an answer's EtherType and payload are the frame's"

	print "virtio_net_ping: frame "
	mov %r12, %rdi
	call put_dec
	print " ("
	mov %r13, %rdi
	call put_dec
	print " bytes) to "
	lea peer(%rip), %rdi
	call put_mac
	print ": answer from "
	lea 6(%r14), %rdi
	call put_mac
	print " ok\n"
	// The peer: the answer's source, for the next frames.
	lea peer(%rip), %rdi
	lea 6(%r14), %rsi
	mov $6, %edx
	call net_copy
	mov %r15d, %edi
	call net_recycle
	inc %r12d
	cmp $PING_FRAMES, %r12d
	jne next
	print "virtio_net_ping: 8 of 8 answers ok\n"
	jmp 9f

no_reply:
	print "virtio_net_ping: no answer to frame "
	mov %r12, %rdi
	call put_dec
	print " in 5 s (no peer on the switch?); giving up after "
	mov %r12, %rdi
	call put_dec
	print " answers\n"
9:	xor %eax, %eax
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	ret

	NET_DRIVER

	.section .rodata
msg_len:
	.asciz "length of an answer"

	.data
	.balign 8
peer:                                   // where the next frame goes
	.byte 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0

	VIRTIO_NET_AREAS
