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
// again waiting for the device's interrupt (PLIC source 1, a supervisor
// external interrupt of hart 0's S-mode context 1) instead: its handler
// acknowledges it at the device and completes it at the PLIC.
#include "guest.h"
#include "../virtio_blk.h"

#define VIRTIO_BASE 0x10001000         // QEMU virt's first virtio-mmio place

// The PLIC of QEMU virt (RISC-V PLIC Specification 1.0.0), hart 0's
// S-mode context 1, and the device's source (the config's irq).
#define PLIC 0x0c000000
#define PLIC_PRIORITY(id) (PLIC + 4 * (id))
#define PLIC_ENABLE1 (PLIC + 0x2000 + 0x80)
#define PLIC_THRESHOLD1 (PLIC + 0x201000)
#define PLIC_CLAIM1 (PLIC + 0x201004)
#define VIRTIO_SOURCE 1

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	li s0, VIRTIO_BASE
	li s3, 0                                // used ring entries seen

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 2 (block).
	lw t0, VIRTIO_MAGIC(s0)
	check t0, 0x74726976, "MagicValue"
	lw t0, VIRTIO_VERSION(s0)
	check t0, 2, "Version"
	lw t0, VIRTIO_DEVICE_ID(s0)
	check t0, 2, "DeviceID"

	// 3.1.1: reset, then ACKNOWLEDGE and DRIVER.
	sw zero, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, 0, "Status after the reset"
	li t0, S_ACKNOWLEDGE
	sw t0, VIRTIO_STATUS(s0)
	li t0, S_ACKNOWLEDGE | S_DRIVER
	sw t0, VIRTIO_STATUS(s0)

	// The device's features, 64 bits in two words (s1 high, s2 low).
	li t0, 1
	sw t0, VIRTIO_DEVICE_FEATURES_SEL(s0)
	lwu s1, VIRTIO_DEVICE_FEATURES(s0)
	sw zero, VIRTIO_DEVICE_FEATURES_SEL(s0)
	lwu s2, VIRTIO_DEVICE_FEATURES(s0)
	print "virtio_blk: device features "
	slli a0, s1, 32
	or a0, a0, s2
	call guest_puthex
	print "\n"
	andi t0, s1, F_VERSION_1
	check t0, F_VERSION_1, "VIRTIO_F_VERSION_1 offered"

	// Accept VERSION_1, FLUSH and RO where offered; nothing else.
	li t0, 1
	sw t0, VIRTIO_DRIVER_FEATURES_SEL(s0)
	li t0, F_VERSION_1
	sw t0, VIRTIO_DRIVER_FEATURES(s0)
	sw zero, VIRTIO_DRIVER_FEATURES_SEL(s0)
	li s5, F_BLK_RO | F_BLK_FLUSH
	and s5, s5, s2
	sw s5, VIRTIO_DRIVER_FEATURES(s0)
	print "virtio_blk: accepted features "
	li a0, F_VERSION_1
	slli a0, a0, 32
	or a0, a0, s5
	call guest_puthex
	print "\n"
	li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK
	sw t0, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// Queue 0 (4.2.3.2): not ready yet, big enough, its size, its areas.
	sw zero, VIRTIO_QUEUE_SEL(s0)
	lw t0, VIRTIO_QUEUE_READY(s0)
	check t0, 0, "QueueReady before setup"
	lwu t0, VIRTIO_QUEUE_NUM_MAX(s0)
	li t1, QSIZE
	bgeu t0, t1, 1f
	mv a1, t0
	la a0, msg_qmax
	call guest_fail_value
1:	sw t1, VIRTIO_QUEUE_NUM(s0)
	la t0, vq_desc
	sw t0, VIRTIO_QUEUE_DESC(s0)
	srli t0, t0, 32
	sw t0, VIRTIO_QUEUE_DESC + 4(s0)
	la t0, vq_avail
	sw t0, VIRTIO_QUEUE_DRIVER(s0)
	srli t0, t0, 32
	sw t0, VIRTIO_QUEUE_DRIVER + 4(s0)
	la t0, vq_used
	sw t0, VIRTIO_QUEUE_DEVICE(s0)
	srli t0, t0, 32
	sw t0, VIRTIO_QUEUE_DEVICE + 4(s0)
	li t0, 1
	sw t0, VIRTIO_QUEUE_READY(s0)
	lw t0, VIRTIO_QUEUE_READY(s0)
	check t0, 1, "QueueReady after setup"
	li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK
	sw t0, VIRTIO_STATUS(s0)
	lw t0, VIRTIO_STATUS(s0)
	check t0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"

	// The capacity (5.2.4), in 512-byte sectors, in s4.
	lwu t0, VIRTIO_CONFIG(s0)
	lwu t1, VIRTIO_CONFIG + 4(s0)
	slli t1, t1, 32
	or s4, t0, t1
	print "virtio_blk: capacity "
	mv a0, s4
	call guest_puthex
	print " sectors\n"

	// Sector 0: 512 bytes and the status byte written.
	li a0, T_IN
	li a1, 0
	li a2, D_WRITE
	li a3, 0
	call blk_request
	check a0, ST_OK, "read of sector 0: status"
	check a1, 513, "read of sector 0: used length"
	print "virtio_blk: sector 0:"
	call print_buf16

	// Sector 1: the pattern, 32 copies of a 16-byte line.
	la t0, buf
	la t1, pattern
	ld t2, 0(t1)
	ld t3, 8(t1)
	li t4, 32
1:	sd t2, 0(t0)
	sd t3, 8(t0)
	addi t0, t0, 16
	addi t4, t4, -1
	bnez t4, 1b
	li a0, T_OUT
	li a1, 1
	li a2, 0
	li a3, 0
	call blk_request
	andi t0, s2, F_BLK_RO
	bnez t0, 2f                             // a read-only disk
	check a0, ST_OK, "write of sector 1: status"
	check a1, 1, "write of sector 1: used length"
	print "virtio_blk: sector 1 written\n"
	j 3f
2:	check a0, ST_IOERR, "write of sector 1 to a read-only disk: status"
	check a1, 1, "refused write: used length"
	print "virtio_blk: read-only disk: write of sector 1 refused (IOERR)\n"

	// Sector 1 read back over a cleared buffer.
3:	call clear_buf
	li a0, T_IN
	li a1, 1
	li a2, D_WRITE
	li a3, 0
	call blk_request
	check a0, ST_OK, "read of sector 1: status"
	check a1, 513, "read of sector 1: used length"
	andi t0, s2, F_BLK_RO
	bnez t0, 5f
	la s5, buf
	la t1, pattern
	ld s6, 0(t1)
	ld s7, 8(t1)
	li s8, 32
4:	ld t0, 0(s5)
	check_eq t0, s6, "sector 1 read back: bytes 0..7 of a line"
	ld t0, 8(s5)
	check_eq t0, s7, "sector 1 read back: bytes 8..15 of a line"
	addi s5, s5, 16
	addi s8, s8, -1
	bnez s8, 4b
	print "virtio_blk: sector 1 read back ok\n"
	j 6f
5:	print "virtio_blk: sector 1:"
	call print_buf16

	// FLUSH: a header and the status byte, no data.
6:	li a0, T_FLUSH
	li a1, 0
	li a2, -1
	li a3, 0
	call blk_request
	check a0, ST_OK, "flush: status"
	check a1, 1, "flush: used length"
	print "virtio_blk: flush ok\n"

	// GET_ID: "cvisor-<VM name>", at most 20 bytes, into the cleared buffer.
	call clear_buf
	li a0, T_GET_ID
	li a1, 0
	li a2, D_WRITE
	li a3, 0
	call blk_request
	check a0, ST_OK, "get id: status"
	print "virtio_blk: id "
	la a0, buf
	call guest_puts
	print "\n"

	// A read of the sector after the last: IOERR, nothing read.
	li a0, T_IN
	mv a1, s4
	li a2, D_WRITE
	li a3, 0
	call blk_request
	check a0, ST_IOERR, "read past the end: status"
	check a1, 1, "read past the end: used length"
	print "virtio_blk: read past the end refused (IOERR)\n"

	// The interrupt: source 1 at priority 1, enabled for context 1,
	// threshold 0; sie.SEIE (privileged spec 4.1.3), sstatus.SIE still clear.
	csrci sstatus, SSTATUS_SIE             // masked but in blk_request's wait
	la t0, trap_entry
	csrw stvec, t0
	li t0, PLIC_PRIORITY(VIRTIO_SOURCE)
	li t1, 1
	sw t1, 0(t0)
	li t0, PLIC_ENABLE1
	li t1, 1 << VIRTIO_SOURCE
	sw t1, 0(t0)
	li t0, PLIC_THRESHOLD1
	sw zero, 0(t0)
	li t0, SIP_SEIP
	csrs sie, t0

	// Sector 0 again, its completion heard of by the interrupt.
	call clear_buf
	li a0, T_IN
	li a1, 0
	li a2, D_WRITE
	li a3, 1
	call blk_request
	check a0, ST_OK, "read of sector 0 on the interrupt: status"
	check a1, 513, "read of sector 0 on the interrupt: used length"
	lwu t0, irq_count
	check t0, 1, "interrupts taken"
	lwu t0, irq_status
	check t0, 1, "InterruptStatus in the handler"
	lw t0, VIRTIO_INTERRUPT_STATUS(s0)
	check t0, 0, "InterruptStatus after the handler"
	print "virtio_blk: interrupt 1 taken, sector 0:"
	call print_buf16

	print "virtio_blk: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/*
 * blk_request(a0 = type, a1 = sector, a2 = the data descriptor's flags:
 * 0 the device reads buf, D_WRITE it writes buf, -1 no data; a3 = 0 poll,
 * 1 wait for the interrupt): one request of three descriptors (header,
 * 512 bytes of buf, status) or two (header, status) put in the available
 * ring and notified (4.2.3.3). Polling, it then watches the used ring for
 * the request's return (2.7.14), checks InterruptStatus (bit 0: used
 * buffers) and acknowledges it. Waiting, it sleeps in WFI with
 * sstatus.SIE clear until trap_entry has counted an interrupt (WFI ends
 * on an interrupt pending and enabled in sie whatever sstatus.SIE says,
 * privileged spec 3.3.3; the interrupt is then taken with SIE set for one
 * instruction, so none is lost between the check and the WFI). Returns
 * the status byte in a0 and the used element's length in a1. s0 the
 * device, s3 the used entries seen.
 */
blk_request:
	addi sp, sp, -16
	sd ra, 0(sp)
	la t0, req_hdr                          // le32 type, le32 reserved, le64 sector
	sw a0, 0(t0)
	sw zero, 4(t0)
	sd a1, 8(t0)
	la t1, req_status
	li t2, 0xff                             // no status yet
	sb t2, 0(t1)
	la t2, vq_desc
	// desc[0]: the header, then desc[1] (data) or desc[2] (status).
	sd t0, 0(t2)
	li t3, 16
	sw t3, 8(t2)
	li t3, D_NEXT
	sh t3, 12(t2)
	li t3, 1
	li t4, -1
	bne a2, t4, 1f
	li t3, 2
1:	sh t3, 14(t2)
	// desc[1]: buf, 512 bytes, read or written by the device.
	la t3, buf
	sd t3, 16(t2)
	li t3, 512
	sw t3, 24(t2)
	ori t3, a2, D_NEXT
	sh t3, 28(t2)
	li t3, 2
	sh t3, 30(t2)
	// desc[2]: the status byte, written by the device.
	sd t1, 32(t2)
	li t3, 1
	sw t3, 40(t2)
	li t3, D_WRITE
	sh t3, 44(t2)
	sh zero, 46(t2)
	// avail: ring[idx % QSIZE] = head 0, then idx + 1, then the notify.
	la t2, vq_avail
	lhu t3, 2(t2)
	andi t4, t3, QSIZE - 1
	slli t4, t4, 1
	add t4, t4, t2
	sh zero, 4(t4)
	fence w, w                              // the ring entry before the index
	addi t3, t3, 1
	sh t3, 2(t2)
	fence w, o                              // the index before the notify
	sw zero, VIRTIO_QUEUE_NOTIFY(s0)
	beqz a3, 2f
3:	lwu t0, irq_count
	bnez t0, 2f
	wfi
	csrsi sstatus, SSTATUS_SIE
	csrci sstatus, SSTATUS_SIE
	j 3b
	// Poll used.idx until it moves.
2:	la t2, vq_used
1:	lhu t3, 2(t2)
	beq t3, s3, 1b
	fence r, r                              // the index before the element
	andi t4, s3, QSIZE - 1
	addi s3, s3, 1
	slli s3, s3, 48
	srli s3, s3, 48
	slli t4, t4, 3
	add t4, t4, t2
	lwu t5, 4(t4)                           // id
	check t5, 0, "used element's id"
	lwu a1, 8(t4)                           // len
	bnez a3, 4f                             // trap_entry acknowledged it
	lw t0, VIRTIO_INTERRUPT_STATUS(s0)
	check t0, 1, "InterruptStatus after a request"
	li t0, 1
	sw t0, VIRTIO_INTERRUPT_ACK(s0)
	lw t0, VIRTIO_INTERRUPT_STATUS(s0)
	check t0, 0, "InterruptStatus after the ACK"
4:	la t0, req_status
	lbu a0, 0(t0)
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/*
 * trap_entry: the device's interrupt, a supervisor external interrupt
 * (scause CAUSE_SEI) whose claim names source 1: its InterruptStatus kept
 * in irq_status and acknowledged, so the level line drops before the
 * completion (PLIC 1.0.0 section 9), then counted. Anything else fails.
 */
	.balign 4
trap_entry:
	addi sp, sp, -32
	sd t0, 0(sp)
	sd t1, 8(sp)
	sd t2, 16(sp)
	csrr t0, scause
	li t1, CAUSE_SEI
	bne t0, t1, trap_other
	li t2, PLIC_CLAIM1
	lw t0, 0(t2)
	li t1, VIRTIO_SOURCE
	bne t0, t1, trap_source
	li t1, VIRTIO_BASE
	lw t0, VIRTIO_INTERRUPT_STATUS(t1)
	sw t0, VIRTIO_INTERRUPT_ACK(t1)
	la t1, irq_status
	sw t0, 0(t1)
	li t0, VIRTIO_SOURCE
	sw t0, 0(t2)                            // complete
	la t1, irq_count
	lw t0, 0(t1)
	addi t0, t0, 1
	sw t0, 0(t1)
	ld t0, 0(sp)
	ld t1, 8(sp)
	ld t2, 16(sp)
	addi sp, sp, 32
	sret
trap_other:
	mv a1, t0
	la a0, msg_scause
	call guest_fail_value
trap_source:
	mv a1, t0
	la a0, msg_claim
	call guest_fail_value

/* print_buf16: " xx" for each of buf's first 16 bytes, then a newline. Uses s5, s6. */
print_buf16:
	addi sp, sp, -16
	sd ra, 0(sp)
	la s5, buf
	addi s6, s5, 16
1:	li a0, ' '
	call guest_putc
	lbu a0, 0(s5)
	srli a0, a0, 4
	call put_nibble
	lbu a0, 0(s5)
	andi a0, a0, 15
	call put_nibble
	addi s5, s5, 1
	bne s5, s6, 1b
	li a0, '\n'
	call guest_putc
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

/* put_nibble(a0 = 0..15): one hex digit. */
put_nibble:
	li t2, 10
	blt a0, t2, 1f
	addi a0, a0, 'a' - '0' - 10
1:	addi a0, a0, '0'
	j guest_putc

/* clear_buf: buf's 512 bytes to 0. */
clear_buf:
	la t0, buf
	li t1, 64
1:	sd zero, 0(t0)
	addi t0, t0, 8
	addi t1, t1, -1
	bnez t1, 1b
	ret

	.section .rodata
	.balign 8
pattern:
	.ascii "riscv64 sector 1"           // 16 bytes, written 32 times
msg_qmax:
	.asciz "QueueNumMax below 8"
msg_scause:
	.asciz "a trap that is not the device's interrupt, scause"
msg_claim:
	.asciz "a claim that is not the device's source"

	VIRTIO_BLK_AREAS
