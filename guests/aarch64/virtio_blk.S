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
// again waiting for the device's interrupt (SPI 16, INTID 48, through the
// GICv3) instead: its handler acknowledges it at the device and the GIC.
#include "guest.h"
#include "../virtio_blk.h"

#define VIRTIO_BASE 0x0a000000

#define VIRTIO_INTID 48                // the config's irq: SPI 16

	GUEST_RUNTIME
	VECTORS_IRQ vectors, guest_unexpected_vector, irq_entry

	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, VIRTIO_BASE
	mov w22, #0                             // used ring entries seen

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 2 (block).
	ldr w0, [x19, #VIRTIO_MAGIC]
	check x0, 0x74726976, "MagicValue"
	ldr w0, [x19, #VIRTIO_VERSION]
	check x0, 2, "Version"
	ldr w0, [x19, #VIRTIO_DEVICE_ID]
	check x0, 2, "DeviceID"

	// 3.1.1: reset, then ACKNOWLEDGE and DRIVER.
	str wzr, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, 0, "Status after the reset"
	mov w0, #S_ACKNOWLEDGE
	str w0, [x19, #VIRTIO_STATUS]
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER)
	str w0, [x19, #VIRTIO_STATUS]

	// The device's features, 64 bits in two words (w20 high, w21 low).
	mov w0, #1
	str w0, [x19, #VIRTIO_DEVICE_FEATURES_SEL]
	ldr w20, [x19, #VIRTIO_DEVICE_FEATURES]
	str wzr, [x19, #VIRTIO_DEVICE_FEATURES_SEL]
	ldr w21, [x19, #VIRTIO_DEVICE_FEATURES]
	print "virtio_blk: device features "
	orr x0, x21, x20, lsl #32
	bl guest_puthex
	print "\n"
	and w0, w20, #F_VERSION_1
	check x0, F_VERSION_1, "VIRTIO_F_VERSION_1 offered"

	// Accept VERSION_1, FLUSH and RO where offered; nothing else.
	mov w0, #1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	mov w0, #F_VERSION_1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES]
	str wzr, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	mov w24, #(F_BLK_RO | F_BLK_FLUSH)
	and w24, w24, w21
	str w24, [x19, #VIRTIO_DRIVER_FEATURES]
	print "virtio_blk: accepted features "
	mov x0, #F_VERSION_1
	orr x0, x24, x0, lsl #32
	bl guest_puthex
	print "\n"
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// Queue 0 (4.2.3.2): not ready yet, big enough, its size, its areas.
	str wzr, [x19, #VIRTIO_QUEUE_SEL]
	ldr w0, [x19, #VIRTIO_QUEUE_READY]
	check x0, 0, "QueueReady before setup"
	ldr w0, [x19, #VIRTIO_QUEUE_NUM_MAX]
	cmp w0, #QSIZE
	b.hs 1f
	mov x17, x0
	adr x0, msg_qmax
	bl guest_fail_value
1:	mov w0, #QSIZE
	str w0, [x19, #VIRTIO_QUEUE_NUM]
	ldr x0, =vq_desc
	str w0, [x19, #VIRTIO_QUEUE_DESC]
	lsr x0, x0, #32
	str w0, [x19, #(VIRTIO_QUEUE_DESC + 4)]
	ldr x0, =vq_avail
	str w0, [x19, #VIRTIO_QUEUE_DRIVER]
	lsr x0, x0, #32
	str w0, [x19, #(VIRTIO_QUEUE_DRIVER + 4)]
	ldr x0, =vq_used
	str w0, [x19, #VIRTIO_QUEUE_DEVICE]
	lsr x0, x0, #32
	str w0, [x19, #(VIRTIO_QUEUE_DEVICE + 4)]
	mov w0, #1
	str w0, [x19, #VIRTIO_QUEUE_READY]
	ldr w0, [x19, #VIRTIO_QUEUE_READY]
	check x0, 1, "QueueReady after setup"
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"

	// The capacity (5.2.4), in 512-byte sectors, in x23.
	ldr w0, [x19, #VIRTIO_CONFIG]
	ldr w1, [x19, #(VIRTIO_CONFIG + 4)]
	orr x23, x0, x1, lsl #32
	print "virtio_blk: capacity "
	mov x0, x23
	bl guest_puthex
	print " sectors\n"

	// Sector 0: 512 bytes and the status byte written.
	mov w0, #T_IN
	mov x1, #0
	mov w2, #D_WRITE
	mov x3, #0
	bl blk_request
	check x0, ST_OK, "read of sector 0: status"
	check x1, 513, "read of sector 0: used length"
	print "virtio_blk: sector 0:"
	bl print_buf16

	// Sector 1: the pattern, 32 copies of a 16-byte line.
	ldr x0, =buf
	adr x1, pattern
	ldp x2, x3, [x1]
	mov x4, #32
1:	stp x2, x3, [x0], #16
	subs x4, x4, #1
	b.ne 1b
	mov w0, #T_OUT
	mov x1, #1
	mov w2, #0
	mov x3, #0
	bl blk_request
	tbnz w21, #5, 2f                        // VIRTIO_BLK_F_RO: a read-only disk
	check x0, ST_OK, "write of sector 1: status"
	check x1, 1, "write of sector 1: used length"
	print "virtio_blk: sector 1 written\n"
	b 3f
2:	check x0, ST_IOERR, "write of sector 1 to a read-only disk: status"
	check x1, 1, "refused write: used length"
	print "virtio_blk: read-only disk: write of sector 1 refused (IOERR)\n"

	// Sector 1 read back over a cleared buffer.
3:	bl clear_buf
	mov w0, #T_IN
	mov x1, #1
	mov w2, #D_WRITE
	mov x3, #0
	bl blk_request
	check x0, ST_OK, "read of sector 1: status"
	check x1, 513, "read of sector 1: used length"
	tbnz w21, #5, 5f
	ldr x0, =buf
	adr x1, pattern
	ldp x2, x3, [x1]
	mov x4, #32
4:	ldp x5, x6, [x0], #16
	check_reg x5, x2, "sector 1 read back: bytes 0..7 of a line"
	check_reg x6, x3, "sector 1 read back: bytes 8..15 of a line"
	subs x4, x4, #1
	b.ne 4b
	print "virtio_blk: sector 1 read back ok\n"
	b 6f
5:	print "virtio_blk: sector 1:"
	bl print_buf16

	// FLUSH: a header and the status byte, no data.
6:	mov w0, #T_FLUSH
	mov x1, #0
	mov w2, #-1
	mov x3, #0
	bl blk_request
	check x0, ST_OK, "flush: status"
	check x1, 1, "flush: used length"
	print "virtio_blk: flush ok\n"

	// GET_ID: "cvisor-<VM name>", at most 20 bytes, into the cleared buffer.
	bl clear_buf
	mov w0, #T_GET_ID
	mov x1, #0
	mov w2, #D_WRITE
	mov x3, #0
	bl blk_request
	check x0, ST_OK, "get id: status"
	print "virtio_blk: id "
	ldr x0, =buf
	bl guest_puts
	print "\n"

	// A read of the sector after the last: IOERR, nothing read.
	mov w0, #T_IN
	mov x1, x23
	mov w2, #D_WRITE
	mov x3, #0
	bl blk_request
	check x0, ST_IOERR, "read past the end: status"
	check x1, 1, "read past the end: used length"
	print "virtio_blk: read past the end refused (IOERR)\n"

	// The interrupt: the GIC's CPU interface up, INTID 48 in group 1,
	// priority 0x80, routed to vCPU 0 (affinity 0), enabled (IHI 0069
	// 12.9: GICD_IGROUPR, GICD_IPRIORITYR, GICD_IROUTER, GICD_ISENABLER).
	msr daifset, #2                         // IRQs masked but in blk_request's wait
	adr x0, vectors
	msr vbar_el1, x0
	isb
	mrs x0, icc_sre_el1
	and x0, x0, #1
	check x0, 1, "ICC_SRE_EL1.SRE (the system register interface)"
	GIC_CPU_UP xzr
	li x0, GICD_BASE
	ldr w1, [x0, #(GICD_IGROUPR + 4 * (VIRTIO_INTID / 32))]
	orr w1, w1, #(1 << (VIRTIO_INTID % 32))
	str w1, [x0, #(GICD_IGROUPR + 4 * (VIRTIO_INTID / 32))]
	mov w1, #0x80
	strb w1, [x0, #(GICD_IPRIORITYR + VIRTIO_INTID)]
	add x1, x0, #GICD_IROUTER
	str xzr, [x1, #(8 * VIRTIO_INTID)]
	mov w1, #(1 << (VIRTIO_INTID % 32))
	str w1, [x0, #(GICD_ISENABLER + 4 * (VIRTIO_INTID / 32))]

	// Sector 0 again, its completion heard of by the interrupt.
	bl clear_buf
	mov w0, #T_IN
	mov x1, #0
	mov w2, #D_WRITE
	mov x3, #1
	bl blk_request
	check x0, ST_OK, "read of sector 0 on the interrupt: status"
	check x1, 513, "read of sector 0 on the interrupt: used length"
	ldr x0, =irq_count
	ldr w0, [x0]
	check x0, 1, "interrupts taken"
	ldr x0, =irq_status
	ldr w0, [x0]
	check x0, 1, "InterruptStatus in the handler"
	ldr w0, [x19, #VIRTIO_INTERRUPT_STATUS]
	check x0, 0, "InterruptStatus after the handler"
	print "virtio_blk: interrupt 48 taken, sector 0:"
	bl print_buf16

	print "virtio_blk: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

/*
 * blk_request(w0 = type, x1 = sector, w2 = the data descriptor's flags:
 * 0 the device reads buf, D_WRITE it writes buf, -1 no data; x3 = 0 poll,
 * 1 wait for the interrupt): one request of three descriptors (header,
 * 512 bytes of buf, status) or two (header, status) put in the available
 * ring and notified (4.2.3.3). Polling, it then watches the used ring for
 * the request's return (2.7.14), checks InterruptStatus (bit 0: used
 * buffers) and acknowledges it. Waiting, it sleeps in WFI with IRQs
 * masked until irq_entry has counted an interrupt (a pending IRQ ends a
 * WFI whatever PSTATE.I says, ARM ARM D1.6.2; the IRQ is then taken with
 * IRQs unmasked for one instruction, so none is lost between the check
 * and the WFI). Returns the status byte in x0 and the used element's
 * length in x1. Uses x0..x10; x19 the device, w22 the used entries seen.
 */
blk_request:
	mov x9, x30
	mov x10, x3
	ldr x3, =req_hdr                        // le32 type, le32 reserved, le64 sector
	str w0, [x3]
	str wzr, [x3, #4]
	str x1, [x3, #8]
	ldr x4, =req_status
	mov w5, #0xff                           // no status yet
	strb w5, [x4]
	ldr x5, =vq_desc
	// desc[0]: the header, then desc[1] (data) or desc[2] (status).
	str x3, [x5]
	mov w6, #16
	str w6, [x5, #8]
	mov w6, #D_NEXT
	strh w6, [x5, #12]
	cmn w2, #1
	mov w6, #1
	mov w7, #2
	csel w6, w7, w6, eq
	strh w6, [x5, #14]
	// desc[1]: buf, 512 bytes, read or written by the device.
	ldr x6, =buf
	str x6, [x5, #16]
	mov w6, #512
	str w6, [x5, #24]
	orr w6, w2, #D_NEXT
	strh w6, [x5, #28]
	mov w6, #2
	strh w6, [x5, #30]
	// desc[2]: the status byte, written by the device.
	str x4, [x5, #32]
	mov w6, #1
	str w6, [x5, #40]
	mov w6, #D_WRITE
	strh w6, [x5, #44]
	strh wzr, [x5, #46]
	// avail: ring[idx % QSIZE] = head 0, then idx + 1, then the notify.
	ldr x5, =vq_avail
	ldrh w6, [x5, #2]
	and w7, w6, #(QSIZE - 1)
	add x7, x5, x7, lsl #1
	strh wzr, [x7, #4]
	dmb ishst                               // the ring entry before the index
	add w6, w6, #1
	strh w6, [x5, #2]
	dsb st                                  // the index before the notify
	str wzr, [x19, #VIRTIO_QUEUE_NOTIFY]
	cbz x10, 2f
	ldr x5, =irq_count
3:	ldr w6, [x5]
	cbnz w6, 2f
	wfi
	msr daifclr, #2
	isb
	msr daifset, #2
	b 3b
	// Poll used.idx until it moves.
2:	ldr x5, =vq_used
1:	ldrh w6, [x5, #2]
	cmp w6, w22
	b.eq 1b
	dmb ishld                               // the index before the element
	and w7, w22, #(QSIZE - 1)
	add w22, w22, #1
	and w22, w22, #0xffff
	add x7, x5, x7, lsl #3
	ldr w8, [x7, #4]                        // id
	check x8, 0, "used element's id"
	ldr w8, [x7, #8]                        // len
	cbnz x10, 4f                            // irq_entry acknowledged it
	ldr w0, [x19, #VIRTIO_INTERRUPT_STATUS]
	check x0, 1, "InterruptStatus after a request"
	mov w0, #1
	str w0, [x19, #VIRTIO_INTERRUPT_ACK]
	ldr w0, [x19, #VIRTIO_INTERRUPT_STATUS]
	check x0, 0, "InterruptStatus after the ACK"
4:	ldr x0, =req_status
	ldrb w0, [x0]
	mov w1, w8
	mov x30, x9
	ret

/*
 * irq_entry: the device's interrupt (ICC_IAR1_EL1 names INTID 48): its
 * InterruptStatus kept in irq_status and acknowledged, so the level line
 * drops before the end of interrupt (ICC_EOIR1_EL1), then counted.
 */
irq_entry:
	stp x0, x1, [sp, #-32]!
	stp x2, x30, [sp, #16]
	mrs x2, icc_iar1_el1
	cmp x2, #VIRTIO_INTID
	b.ne irq_other
	li x0, VIRTIO_BASE
	ldr w1, [x0, #VIRTIO_INTERRUPT_STATUS]
	str w1, [x0, #VIRTIO_INTERRUPT_ACK]
	ldr x0, =irq_status
	str w1, [x0]
	msr icc_eoir1_el1, x2
	ldr x0, =irq_count
	ldr w1, [x0]
	add w1, w1, #1
	str w1, [x0]
	ldp x2, x30, [sp, #16]
	ldp x0, x1, [sp], #32
	eret
irq_other:
	mov x17, x2
	adr x0, msg_intid
	bl guest_fail_value

/* print_buf16: " xx" for each of buf's first 16 bytes, then a newline. Uses x0..x13. */
print_buf16:
	mov x13, x30
	ldr x10, =buf
	mov x11, #0
1:	mov w0, #' '
	bl guest_putc
	ldrb w12, [x10, x11]
	lsr w0, w12, #4
	bl put_nibble
	and w0, w12, #0xf
	bl put_nibble
	add x11, x11, #1
	cmp x11, #16
	b.ne 1b
	mov w0, #'\n'
	bl guest_putc
	mov x30, x13
	ret

/* put_nibble(w0 = 0..15): one hex digit. */
put_nibble:
	cmp w0, #10
	add w1, w0, #'0'
	add w2, w0, #('a' - 10)
	csel w0, w1, w2, lo
	b guest_putc

/* clear_buf: buf's 512 bytes to 0. Uses x0, x1. */
clear_buf:
	ldr x0, =buf
	mov x1, #32
1:	stp xzr, xzr, [x0], #16
	subs x1, x1, #1
	b.ne 1b
	ret

	.ltorg

	.section .rodata
	.balign 8
pattern:
	.ascii "aarch64 sector 1"           // 16 bytes, written 32 times
msg_qmax:
	.asciz "QueueNumMax below 8"
msg_intid:
	.asciz "an interrupt that is not the device's, ICC_IAR1_EL1"

	VIRTIO_BLK_AREAS
