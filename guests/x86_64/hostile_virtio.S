// SPDX-License-Identifier: MIT
// hostile_virtio: a virtio-blk driver that breaks the rules (virtio 1.2,
// 2.7 and 4.2; docs/virtio.md "Hostile drivers"), one case after the
// other, against a read-write disk of 16 sectors: the AArch64 guest's
// cases in the same order (guests/aarch64/hostile_virtio.S lists them),
// the device window of the fourth being the I/O APIC's (COM1 is I/O
// ports, not memory). After each it checks DEVICE_NEEDS_RESET and an
// untouched used ring, or the request's IOERR status with the device
// still live; prints a line, resets the device and sets it up again.
// Last, sector 3 written and read back.
// x86 stores are seen in program order (SDM Vol. 3A 8.2.2), so the rings
// need no fences.
#include "guest.h"
#include "../virtio_console.h"

#define VIRTIO_BASE 0xd0000000
#define RAM_END 0x8000000              // the config's RAM: 128 MiB from 0
#define IOAPIC 0xfec00000
#define LIVE (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	push %r14
	mov $VIRTIO_BASE, %ebx
	mov VIRTIO_DEVICE_ID(%rbx), %eax
	check %rax, 2, "DeviceID"

	// A descriptor loop: the header's next is 1, 1's (readable too) is 0.
	call setup_good
	call header_in
	xor %edi, %edi
	lea req_hdr(%rip), %rsi
	mov $16, %edx
	mov $D_NEXT, %ecx
	mov $1, %r8d
	call desc
	mov $1, %edi
	lea buf(%rip), %rsi
	mov $512, %edx
	mov $D_NEXT, %ecx
	xor %r8d, %r8d
	call desc
	call submit
	lea case_loop(%rip), %rdi
	call expect_needs_reset

	// A chain longer than the queue: 0 -> 1 -> ... -> 7 -> 0.
	call setup_good
	call header_in
	xor %edi, %edi
	lea req_hdr(%rip), %rsi
	mov $16, %edx
	mov $D_NEXT, %ecx
	mov $1, %r8d
	call desc
	mov $1, %r12d
1:	lea buf(%rip), %rsi
	mov %r12, %rax
	shl $6, %rax
	add %rax, %rsi
	mov %r12d, %edi
	mov $64, %edx
	mov $(D_NEXT | D_WRITE), %ecx
	lea 1(%r12), %r8d
	and $(QSIZE - 1), %r8d
	call desc
	inc %r12d
	cmp $QSIZE, %r12d
	jne 1b
	call submit
	lea case_long(%rip), %rdi
	call expect_needs_reset

	// A buffer outside RAM: the header at RAM's end.
	call setup_good
	call header_in
	xor %edi, %edi
	mov $RAM_END, %esi
	mov $16, %edx
	mov $D_NEXT, %ecx
	mov $1, %r8d
	call desc
	mov $1, %edi
	lea req_status(%rip), %rsi
	mov $1, %edx
	mov $D_WRITE, %ecx
	xor %r8d, %r8d
	call desc
	call submit
	lea case_outside(%rip), %rdi
	call expect_needs_reset

	// A buffer in a device window: sector 0 read into the I/O APIC.
	call setup_good
	call header_in
	mov $IOAPIC, %edi
	mov $512, %esi
	mov $D_WRITE, %edx
	mov $1, %ecx
	call request3
	lea case_window(%rip), %rdi
	call expect_needs_reset

	// A wrong length: a header of 8 bytes.
	call setup_good
	call header_in
	xor %edi, %edi
	lea req_hdr(%rip), %rsi
	mov $8, %edx
	mov $D_NEXT, %ecx
	mov $1, %r8d
	call desc
	mov $1, %edi
	lea req_status(%rip), %rsi
	mov $1, %edx
	mov $D_WRITE, %ecx
	xor %r8d, %r8d
	call desc
	call submit
	lea case_short(%rip), %rdi
	call expect_needs_reset

	// A notify for a queue never set up: queue 1.
	call setup_good
	movl $1, VIRTIO_QUEUE_NOTIFY(%rbx)
	lea case_notify(%rip), %rdi
	call expect_needs_reset

	// A queue size that is not a power of 2: QueueReady stays 0.
	call driver_start
	mov $6, %edi
	lea vq_desc(%rip), %rsi
	call queue_setup
	mov VIRTIO_QUEUE_READY(%rbx), %eax
	check %rax, 0, "QueueReady after a size of 6"
	lea case_size(%rip), %rdi
	call expect_needs_reset

	// Rings outside RAM: the descriptor table at RAM's end.
	call driver_start
	mov $QSIZE, %edi
	mov $RAM_END, %esi
	call queue_setup
	mov VIRTIO_QUEUE_READY(%rbx), %eax
	check %rax, 0, "QueueReady with rings outside RAM"
	lea case_rings(%rip), %rdi
	call expect_needs_reset

	// A reset with a write of sector 2 made available, not notified: the
	// device set up again has empty rings, and serves nothing.
	call setup_good
	call fill_bad
	mov $T_OUT, %edi
	mov $2, %esi
	call header
	lea buf(%rip), %rdi
	mov $512, %esi
	xor %edx, %edx
	xor %ecx, %ecx
	call request3
	movl $0, VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, 0, "Status after the reset"
	call setup_good
	movl $0, VIRTIO_QUEUE_NOTIFY(%rbx)
	movzwl vq_used + 2(%rip), %eax
	check %rax, 0, "used idx after a notify of empty rings"
	call expect_live
	print "hostile_virtio: reset with a write made available: not served\n"

	// A write past the end (sector 16 of 16): IOERR, the device still live.
	call fill_bad
	mov $T_OUT, %edi
	mov $16, %esi
	call header
	lea buf(%rip), %rdi
	mov $512, %esi
	xor %edx, %edx
	mov $1, %ecx
	call request3
	mov $ST_IOERR, %edi
	call expect_status
	print "hostile_virtio: write past the end: IOERR\n"

	// A write of 100 bytes, not whole sectors: IOERR.
	mov $T_OUT, %edi
	xor %esi, %esi
	call header
	lea buf(%rip), %rdi
	mov $100, %esi
	xor %edx, %edx
	mov $1, %ecx
	call request3
	mov $ST_IOERR, %edi
	call expect_status
	print "hostile_virtio: write of 100 bytes: IOERR\n"

	// A good request: sector 3 written with the pattern, read back.
	call setup_good
	lea buf(%rip), %rdi
	mov pattern(%rip), %rax
	mov pattern + 8(%rip), %rdx
	mov $32, %ecx
1:	mov %rax, (%rdi)
	mov %rdx, 8(%rdi)
	add $16, %rdi
	dec %ecx
	jnz 1b
	mov $T_OUT, %edi
	mov $3, %esi
	call header
	lea buf(%rip), %rdi
	mov $512, %esi
	xor %edx, %edx
	mov $1, %ecx
	call request3
	mov $ST_OK, %edi
	call expect_status
	lea buf(%rip), %rdi
	xor %eax, %eax
	mov $64, %ecx
	rep stosq
	mov $T_IN, %edi
	mov $3, %esi
	call header
	lea buf(%rip), %rdi
	mov $512, %esi
	mov $D_WRITE, %edx
	mov $1, %ecx
	call request3
	mov $ST_OK, %edi
	call expect_status
	lea buf(%rip), %rcx
	mov $32, %r8d
2:	mov (%rcx), %rax
	cmp pattern(%rip), %rax
	jne 3f
	mov 8(%rcx), %rax
	cmp pattern + 8(%rip), %rax
	jne 3f
	add $16, %rcx
	dec %r8d
	jnz 2b
	print "hostile_virtio: good write and read back: ok\n"
	print "hostile_virtio: all ok\n"
	xor %eax, %eax
	pop %r14
	pop %r12
	pop %rbx
	ret
3:	mov %rax, %rsi
	lea msg_readback(%rip), %rdi
	call guest_fail_value

/*
 * driver_start: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 only,
 * FEATURES_OK read back (3.1.1); the driver's available idx (r14) to 0
 * and its rings cleared.
 */
driver_start:
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
	xor %r14d, %r14d
	movq $0, vq_avail(%rip)                 // flags, idx
	movq $0, vq_used(%rip)
	ret

/* queue_setup(edi = size, rsi = descriptor table): queue 0 with the avail and used rings of VIRTIO_BLK_AREAS. */
queue_setup:
	movl $0, VIRTIO_QUEUE_SEL(%rbx)
	mov %edi, VIRTIO_QUEUE_NUM(%rbx)
	mov %esi, VIRTIO_QUEUE_DESC(%rbx)
	mov %rsi, %rax
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DESC + 4(%rbx)
	lea vq_avail(%rip), %rax
	mov %eax, VIRTIO_QUEUE_DRIVER(%rbx)
	movl $0, VIRTIO_QUEUE_DRIVER + 4(%rbx)
	lea vq_used(%rip), %rax
	mov %eax, VIRTIO_QUEUE_DEVICE(%rbx)
	movl $0, VIRTIO_QUEUE_DEVICE + 4(%rbx)
	movl $1, VIRTIO_QUEUE_READY(%rbx)
	ret

/* setup_good: driver_start, queue 0 of QSIZE at vq_desc, DRIVER_OK, checked. */
setup_good:
	call driver_start
	mov $QSIZE, %edi
	lea vq_desc(%rip), %rsi
	call queue_setup
	mov VIRTIO_QUEUE_READY(%rbx), %eax
	check %rax, 1, "QueueReady after setup"
	movl $LIVE, VIRTIO_STATUS(%rbx)
	jmp expect_live

/* expect_live: Status is exactly the four bits of a live driver. */
expect_live:
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, LIVE, "Status of a live device"
	ret

/*
 * expect_needs_reset(rdi = the case's name): DEVICE_NEEDS_RESET set, the
 * used ring untouched; prints "hostile_virtio: NAME: DEVICE_NEEDS_RESET",
 * then resets the device and checks that Status reads 0.
 */
expect_needs_reset:
	push %r12
	mov %rdi, %r12
	mov VIRTIO_STATUS(%rbx), %eax
	and $S_NEEDS_RESET, %eax
	check %rax, S_NEEDS_RESET, "Status bit 6, DEVICE_NEEDS_RESET"
	movzwl vq_used + 2(%rip), %eax
	check %rax, 0, "used idx of a refused request"
	print "hostile_virtio: "
	mov %r12, %rdi
	call guest_puts
	print ": DEVICE_NEEDS_RESET\n"
	movl $0, VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, 0, "Status after the reset"
	pop %r12
	ret

/* expect_status(edi = status): the request just served got it, the device is live. */
expect_status:
	movzbl req_status(%rip), %eax
	cmp %edi, %eax
	je expect_live
	mov %rax, %rsi
	lea msg_status(%rip), %rdi
	call guest_fail_value

/* desc(edi = index, rsi = addr, edx = len, ecx = flags, r8d = next). */
desc:
	lea vq_desc(%rip), %rax
	shl $4, %edi
	add %rdi, %rax
	mov %rsi, (%rax)
	mov %edx, 8(%rax)
	mov %cx, 12(%rax)
	mov %r8w, 14(%rax)
	ret

/* header(edi = type, rsi = sector): req_hdr filled, req_status 0xff. */
header:
	mov %edi, req_hdr(%rip)
	movl $0, req_hdr + 4(%rip)
	mov %rsi, req_hdr + 8(%rip)
	movb $0xff, req_status(%rip)
	ret

/* header_in: header(T_IN, sector 0). */
header_in:
	mov $T_IN, %edi
	xor %esi, %esi
	jmp header

/*
 * request3(rdi = data, esi = its length, edx = its flags, ecx = 1 notify,
 * 0 not): the chain req_hdr (16) -> data -> req_status (1) at descriptors
 * 0, 1, 2, made available.
 */
request3:
	push %r12
	push %r13
	push %r15
	push %rbp
	push %rax
	mov %rdi, %r12
	mov %esi, %r13d
	mov %edx, %r15d
	mov %ecx, %ebp
	xor %edi, %edi
	lea req_hdr(%rip), %rsi
	mov $16, %edx
	mov $D_NEXT, %ecx
	mov $1, %r8d
	call desc
	mov $1, %edi
	mov %r12, %rsi
	mov %r13d, %edx
	mov %r15d, %ecx
	or $D_NEXT, %ecx
	mov $2, %r8d
	call desc
	mov $2, %edi
	lea req_status(%rip), %rsi
	mov $1, %edx
	mov $D_WRITE, %ecx
	xor %r8d, %r8d
	call desc
	call make_available
	test %ebp, %ebp
	jz 1f
	movl $0, VIRTIO_QUEUE_NOTIFY(%rbx)
1:	pop %rax
	pop %rbp
	pop %r15
	pop %r13
	pop %r12
	ret

/* make_available: chain 0 in the available ring. submit: the same, then the notify. */
make_available:
	lea vq_avail(%rip), %rax
	mov %r14d, %ecx
	and $(QSIZE - 1), %ecx
	movw $0, 4(%rax, %rcx, 2)
	inc %r14w
	mov %r14w, 2(%rax)
	ret
submit:
	call make_available
	movl $0, VIRTIO_QUEUE_NOTIFY(%rbx)
	ret

/* fill_bad: buf's 512 bytes to "BAD!", what no refused write may leave on the disk. */
fill_bad:
	lea buf(%rip), %rdi
	mov $0x2144414221444142, %rax           // "BAD!BAD!"
	mov $64, %ecx
	rep stosq
	ret

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
case_window:
	.asciz "buffer in the I/O APIC"
case_short:
	.asciz "8-byte header"
case_notify:
	.asciz "notify of queue 1, never set up"
case_size:
	.asciz "queue size 6"
case_rings:
	.asciz "rings outside RAM"
msg_status:
	.asciz "status byte"
msg_readback:
	.asciz "sector 3 read back"

	VIRTIO_BLK_AREAS
