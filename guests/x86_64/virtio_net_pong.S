// SPDX-License-Identifier: MIT
// virtio_net_pong: the x86_64 twin of guests/aarch64/virtio_net_pong.S.
// Answers every frame its virtio-net device receives (guests/x86_64/net.h;
// docs/virtio.md) with the same bytes but the addresses swapped: to the
// frame's source, from this device. One line per frame; after 8 it powers
// off. It waits for frames for ever: alone, its run ends at --max-seconds.
#include "guest.h"
#include "net.h"

#define NET_BASE 0xd0003000            // the config's device

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
	print "virtio_net_pong: mac "
	lea net_mac(%rip), %rdi
	call put_mac
	print "\n"
	xor %r12d, %r12d                        // frames answered

next:
	xor %edi, %edi
	call net_recv
	mov %rax, %r14                          // the frame
	mov %rdx, %r13                          // its length
	mov %rcx, %r15                          // its buffer
	// The answer in tx_buf + NET_HDR: to its source, from us, the rest as it came.
	lea tx_buf + NET_HDR(%rip), %rdi
	lea 6(%r14), %rsi
	mov $6, %edx
	call net_copy
	lea tx_buf + NET_HDR + 6(%rip), %rdi
	lea net_mac(%rip), %rsi
	mov $6, %edx
	call net_copy
	lea tx_buf + NET_HDR + 12(%rip), %rdi
	lea 12(%r14), %rsi
	lea -12(%r13), %rdx
	call net_copy
	mov %r13d, %edi
	call net_send

	print "virtio_net_pong: frame "
	mov %r12, %rdi
	call put_dec
	print " ("
	mov %r13, %rdi
	call put_dec
	print " bytes) from "
	lea 6(%r14), %rdi
	call put_mac
	print " answered\n"
	mov %r15d, %edi
	call net_recycle
	inc %r12d
	cmp $PING_FRAMES, %r12d
	jne next
	print "virtio_net_pong: answered 8 frames\n"
	xor %eax, %eax
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	ret

	NET_DRIVER

	VIRTIO_NET_AREAS
