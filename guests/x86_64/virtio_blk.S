// SPDX-License-Identifier: MIT
// virtio_blk: a minimal virtio-blk driver over virtio-mmio (virtio 1.2,
// 4.2 and 5.2; docs/virtio.md), one split virtqueue of 8 entries in the
// guest's own RAM. It checks the device's identity, negotiates the
// features (3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK read
// back, queue 0, DRIVER_OK), prints the capacity, reads sector 0 and
// prints its first 16 bytes, writes sector 1 with a pattern and reads it
// back (on a read-only disk: the write gets IOERR, sector 1 is printed
// as it is), flushes, asks for the device's ID and reads past the end.
// Those completions are polled in the used ring, the interrupt's status
// bit checked and acknowledged after each request. Last, sector 0 is read
// again waiting for the device's interrupt (I/O APIC pin 5, level, vector
// 0x35 to the local APIC of vCPU 0) instead: its handler acknowledges it
// at the device, then at the local APIC (EOI).
// x86 stores are seen in program order (SDM Vol. 3A 8.2.2), so the rings
// need no fences.
#include "guest.h"
#include "../virtio_blk.h"

#define VIRTIO_BASE 0xd0000000         // where a Linux command line would name it

#define IOAPIC 0xfec00000              // IOREGSEL; IOWIN at +0x10
#define VIRTIO_PIN 5                   // the config's irq
#define VIRTIO_VEC 0x35

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov $VIRTIO_BASE, %ebx
	xor %r14d, %r14d                        // used ring entries seen

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 2 (block).
	mov VIRTIO_MAGIC(%rbx), %eax
	check %rax, 0x74726976, "MagicValue"
	mov VIRTIO_VERSION(%rbx), %eax
	check %rax, 2, "Version"
	mov VIRTIO_DEVICE_ID(%rbx), %eax
	check %rax, 2, "DeviceID"

	// 3.1.1: reset, then ACKNOWLEDGE and DRIVER.
	movl $0, VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, 0, "Status after the reset"
	movl $S_ACKNOWLEDGE, VIRTIO_STATUS(%rbx)
	movl $(S_ACKNOWLEDGE | S_DRIVER), VIRTIO_STATUS(%rbx)

	// The device's features, 64 bits in two words (r12 high, r13 low).
	movl $1, VIRTIO_DEVICE_FEATURES_SEL(%rbx)
	mov VIRTIO_DEVICE_FEATURES(%rbx), %r12d
	movl $0, VIRTIO_DEVICE_FEATURES_SEL(%rbx)
	mov VIRTIO_DEVICE_FEATURES(%rbx), %r13d
	print "virtio_blk: device features "
	mov %r12, %rdi
	shl $32, %rdi
	or %r13, %rdi
	call guest_puthex
	print "\n"
	mov %r12, %rax
	and $F_VERSION_1, %eax
	check %rax, F_VERSION_1, "VIRTIO_F_VERSION_1 offered"

	// Accept VERSION_1, FLUSH and RO where offered; nothing else.
	movl $1, VIRTIO_DRIVER_FEATURES_SEL(%rbx)
	movl $F_VERSION_1, VIRTIO_DRIVER_FEATURES(%rbx)
	movl $0, VIRTIO_DRIVER_FEATURES_SEL(%rbx)
	mov %r13d, %eax
	and $(F_BLK_RO | F_BLK_FLUSH), %eax
	mov %eax, VIRTIO_DRIVER_FEATURES(%rbx)
	print "virtio_blk: accepted features "
	mov %r13d, %edi
	and $(F_BLK_RO | F_BLK_FLUSH), %edi
	bts $32, %rdi                           // VIRTIO_F_VERSION_1
	call guest_puthex
	print "\n"
	movl $(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// Queue 0 (4.2.3.2): not ready yet, big enough, its size, its areas.
	movl $0, VIRTIO_QUEUE_SEL(%rbx)
	mov VIRTIO_QUEUE_READY(%rbx), %eax
	check %rax, 0, "QueueReady before setup"
	mov VIRTIO_QUEUE_NUM_MAX(%rbx), %eax
	cmp $QSIZE, %eax
	jae 1f
	mov %rax, %rsi
	lea msg_qmax(%rip), %rdi
	call guest_fail_value
1:	movl $QSIZE, VIRTIO_QUEUE_NUM(%rbx)
	lea vq_desc(%rip), %rax
	mov %eax, VIRTIO_QUEUE_DESC(%rbx)
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DESC + 4(%rbx)
	lea vq_avail(%rip), %rax
	mov %eax, VIRTIO_QUEUE_DRIVER(%rbx)
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DRIVER + 4(%rbx)
	lea vq_used(%rip), %rax
	mov %eax, VIRTIO_QUEUE_DEVICE(%rbx)
	shr $32, %rax
	mov %eax, VIRTIO_QUEUE_DEVICE + 4(%rbx)
	movl $1, VIRTIO_QUEUE_READY(%rbx)
	mov VIRTIO_QUEUE_READY(%rbx), %eax
	check %rax, 1, "QueueReady after setup"
	movl $(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), VIRTIO_STATUS(%rbx)
	mov VIRTIO_STATUS(%rbx), %eax
	check %rax, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"

	// The capacity (5.2.4), in 512-byte sectors, in r15.
	mov VIRTIO_CONFIG(%rbx), %r15d
	mov VIRTIO_CONFIG + 4(%rbx), %eax
	shl $32, %rax
	or %rax, %r15
	print "virtio_blk: capacity "
	mov %r15, %rdi
	call guest_puthex
	print " sectors\n"

	// Sector 0: 512 bytes and the status byte written.
	mov $T_IN, %edi
	xor %esi, %esi
	mov $D_WRITE, %edx
	xor %ecx, %ecx
	call blk_request
	check %rax, ST_OK, "read of sector 0: status"
	check %rdx, 513, "read of sector 0: used length"
	print "virtio_blk: sector 0:"
	call print_buf16

	// Sector 1: the pattern, 32 copies of a 16-byte line.
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
	mov $1, %esi
	xor %edx, %edx
	xor %ecx, %ecx
	call blk_request
	test $F_BLK_RO, %r13d
	jnz 2f                                  // a read-only disk
	check %rax, ST_OK, "write of sector 1: status"
	check %rdx, 1, "write of sector 1: used length"
	print "virtio_blk: sector 1 written\n"
	jmp 3f
2:	check %rax, ST_IOERR, "write of sector 1 to a read-only disk: status"
	check %rdx, 1, "refused write: used length"
	print "virtio_blk: read-only disk: write of sector 1 refused (IOERR)\n"

	// Sector 1 read back over a cleared buffer.
3:	call clear_buf
	mov $T_IN, %edi
	mov $1, %esi
	mov $D_WRITE, %edx
	xor %ecx, %ecx
	call blk_request
	check %rax, ST_OK, "read of sector 1: status"
	check %rdx, 513, "read of sector 1: used length"
	test $F_BLK_RO, %r13d
	jnz 5f
	lea buf(%rip), %rcx
	mov $32, %r8d
4:	mov (%rcx), %rax
	cmp pattern(%rip), %rax
	jne 7f
	mov 8(%rcx), %rax
	cmp pattern + 8(%rip), %rax
	jne 7f
	add $16, %rcx
	dec %r8d
	jnz 4b
	print "virtio_blk: sector 1 read back ok\n"
	jmp 6f
7:	mov %rax, %rsi
	lea msg_readback(%rip), %rdi
	call guest_fail_value
5:	print "virtio_blk: sector 1:"
	call print_buf16

	// FLUSH: a header and the status byte, no data.
6:	mov $T_FLUSH, %edi
	xor %esi, %esi
	mov $-1, %edx
	xor %ecx, %ecx
	call blk_request
	check %rax, ST_OK, "flush: status"
	check %rdx, 1, "flush: used length"
	print "virtio_blk: flush ok\n"

	// GET_ID: "cvisor-<VM name>", at most 20 bytes, into the cleared buffer.
	call clear_buf
	mov $T_GET_ID, %edi
	xor %esi, %esi
	mov $D_WRITE, %edx
	xor %ecx, %ecx
	call blk_request
	check %rax, ST_OK, "get id: status"
	print "virtio_blk: id "
	lea buf(%rip), %rdi
	call guest_puts
	print "\n"

	// A read of the sector after the last: IOERR, nothing read.
	mov $T_IN, %edi
	mov %r15, %rsi
	mov $D_WRITE, %edx
	xor %ecx, %ecx
	call blk_request
	check %rax, ST_IOERR, "read past the end: status"
	check %rdx, 1, "read past the end: used length"
	print "virtio_blk: read past the end refused (IOERR)\n"

	// The interrupt: a gate for VIRTIO_VEC, the local APIC software-enabled
	// (spurious vector 0xff), redirection entry 5 of the I/O APIC (82093AA
	// 3.2.4): vector 0x35, fixed, physical destination APIC ID 0, active
	// high, level-triggered, not masked.
	IDT_GATE VIRTIO_VEC, irq_entry, 0x8e
	lidt idtr(%rip)
	apic_write APIC_SVR, APIC_SVR_ENABLE | 0xff
	mov $IOAPIC, %edx
	movl $(0x10 + 2 * VIRTIO_PIN + 1), (%rdx)
	movl $0, 0x10(%rdx)
	movl $(0x10 + 2 * VIRTIO_PIN), (%rdx)
	movl $(0x8000 | VIRTIO_VEC), 0x10(%rdx)

	// Sector 0 again, its completion heard of by the interrupt.
	call clear_buf
	mov $T_IN, %edi
	xor %esi, %esi
	mov $D_WRITE, %edx
	mov $1, %ecx
	call blk_request
	check %rax, ST_OK, "read of sector 0 on the interrupt: status"
	check %rdx, 513, "read of sector 0 on the interrupt: used length"
	mov irq_count(%rip), %eax
	check %rax, 1, "interrupts taken"
	mov irq_status(%rip), %eax
	check %rax, 1, "InterruptStatus in the handler"
	mov VIRTIO_INTERRUPT_STATUS(%rbx), %eax
	check %rax, 0, "InterruptStatus after the handler"
	print "virtio_blk: interrupt 5 taken, sector 0:"
	call print_buf16

	print "virtio_blk: all ok\n"
	xor %eax, %eax
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	ret

/*
 * blk_request(edi = type, rsi = sector, edx = the data descriptor's flags:
 * 0 the device reads buf, D_WRITE it writes buf, -1 no data; ecx = 0 poll,
 * 1 wait for the interrupt): one request of three descriptors (header,
 * 512 bytes of buf, status) or two (header, status) put in the available
 * ring and notified (4.2.3.3). Polling, it then watches the used ring for
 * the request's return (2.7.14), checks InterruptStatus (bit 0: used
 * buffers) and acknowledges it. Waiting, it halts until irq_entry has
 * counted an interrupt, checking the count with interrupts off and
 * halting right after STI (whose one-instruction shadow, SDM Vol. 3A 6.8.3,
 * keeps an interrupt from coming between the check and the HLT). Returns
 * the status byte in rax and the used element's length in rdx. rbx the
 * device, r14 the used entries seen.
 */
blk_request:
	mov %ecx, %r10d
	// The header: le32 type, le32 reserved, le64 sector.
	mov %edi, req_hdr(%rip)
	movl $0, req_hdr + 4(%rip)
	mov %rsi, req_hdr + 8(%rip)
	movb $0xff, req_status(%rip)            // no status yet
	// desc[0]: the header, then desc[1] (data) or desc[2] (status).
	lea vq_desc(%rip), %r8
	lea req_hdr(%rip), %rax
	mov %rax, (%r8)
	movl $16, 8(%r8)
	movw $D_NEXT, 12(%r8)
	movw $1, 14(%r8)
	cmp $-1, %edx
	jne 1f
	movw $2, 14(%r8)
	// desc[1]: buf, 512 bytes, read or written by the device.
1:	lea buf(%rip), %rax
	mov %rax, 16(%r8)
	movl $512, 24(%r8)
	or $D_NEXT, %edx
	mov %dx, 28(%r8)
	movw $2, 30(%r8)
	// desc[2]: the status byte, written by the device.
	lea req_status(%rip), %rax
	mov %rax, 32(%r8)
	movl $1, 40(%r8)
	movw $D_WRITE, 44(%r8)
	movw $0, 46(%r8)
	// avail: ring[idx % QSIZE] = head 0, then idx + 1, then the notify.
	lea vq_avail(%rip), %r8
	movzwl 2(%r8), %eax
	mov %eax, %ecx
	and $(QSIZE - 1), %ecx
	movw $0, 4(%r8, %rcx, 2)
	inc %eax
	mov %ax, 2(%r8)
	movl $0, VIRTIO_QUEUE_NOTIFY(%rbx)
	test %r10d, %r10d
	jz 2f
3:	cli
	cmpl $0, irq_count(%rip)
	jne 2f
	sti
	hlt
	jmp 3b
	// Poll used.idx until it moves.
2:	lea vq_used(%rip), %r8
1:	movzwl 2(%r8), %eax
	cmp %r14d, %eax
	je 1b
	mov %r14d, %ecx
	and $(QSIZE - 1), %ecx
	inc %r14d
	and $0xffff, %r14d
	mov 4(%r8, %rcx, 8), %eax               // id
	check %rax, 0, "used element's id"
	mov 8(%r8, %rcx, 8), %r9d               // len
	test %r10d, %r10d
	jnz 4f                                  // irq_entry acknowledged it
	mov VIRTIO_INTERRUPT_STATUS(%rbx), %eax
	check %rax, 1, "InterruptStatus after a request"
	movl $1, VIRTIO_INTERRUPT_ACK(%rbx)
	mov VIRTIO_INTERRUPT_STATUS(%rbx), %eax
	check %rax, 0, "InterruptStatus after the ACK"
4:	movzbl req_status(%rip), %eax
	mov %r9, %rdx
	ret

/*
 * irq_entry: the device's interrupt (VIRTIO_VEC): its InterruptStatus kept
 * in irq_status and acknowledged, so the level line drops before the EOI
 * (which for a level-triggered entry also clears the I/O APIC's remote
 * IRR, SDM Vol. 3A 10.8.5), then counted.
 */
irq_entry:
	push %rax
	push %rdx
	mov $VIRTIO_BASE, %edx
	mov VIRTIO_INTERRUPT_STATUS(%rdx), %eax
	mov %eax, VIRTIO_INTERRUPT_ACK(%rdx)
	mov %eax, irq_status(%rip)
	apic_write APIC_EOI, 0
	incl irq_count(%rip)
	pop %rdx
	pop %rax
	iretq

/* print_buf16: " xx" for each of buf's first 16 bytes, then a newline. */
print_buf16:
	push %rbx
	push %r12
	lea buf(%rip), %rbx
	lea 16(%rbx), %r12
1:	mov $' ', %edi
	call guest_putc
	movzbl (%rbx), %edi
	shr $4, %edi
	call put_nibble
	movzbl (%rbx), %edi
	and $15, %edi
	call put_nibble
	inc %rbx
	cmp %r12, %rbx
	jne 1b
	mov $'\n', %edi
	call guest_putc
	pop %r12
	pop %rbx
	ret

/* put_nibble(edi = 0..15): one hex digit. */
put_nibble:
	cmp $10, %edi
	jb 1f
	add $('a' - '0' - 10), %edi
1:	add $'0', %edi
	jmp guest_putc

/* clear_buf: buf's 512 bytes to 0. */
clear_buf:
	lea buf(%rip), %rdi
	mov $64, %ecx
1:	movq $0, (%rdi)
	add $8, %rdi
	dec %ecx
	jnz 1b
	ret

	.section .rodata
	.balign 8
pattern:
	.ascii "x86_64  sector 1"           // 16 bytes, written 32 times
msg_qmax:
	.asciz "QueueNumMax below 8"
msg_readback:
	.asciz "sector 1 read back: 8 bytes of a line"

	VIRTIO_BLK_AREAS

	IDT
