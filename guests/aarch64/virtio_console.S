// SPDX-License-Identifier: MIT
// virtio_console: a minimal virtio-console driver over virtio-mmio (virtio
// 1.2, 4.2 and 5.3; docs/virtio.md), two split virtqueues of 8 entries in
// the guest's own RAM. It checks the device's identity, accepts
// VIRTIO_F_VERSION_1 only (3.1.1), sets up receiveq0 and transmitq0,
// gives the device four receive buffers of 16 bytes, prints a prompt
// through the transmit queue, then echoes what is typed, buffer by
// buffer, until a 'q' or a newline (echoed too, nothing after it). It
// waits for input in WFI until the device's interrupt (SPI 17, INTID 49,
// through the GICv3): the handler acknowledges it at the device and the
// GIC. Transmit completions are polled in the used ring. The last line
// goes to the PL011, which has had no console input since the device
// claimed it.
#include "guest.h"
#include "../virtio_console.h"

#define VIRTIO_BASE 0x0a000200

#define VIRTIO_INTID 49                // the config's irq: SPI 17

	GUEST_RUNTIME
	VECTORS_IRQ vectors, guest_unexpected_vector, irq_entry

	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, VIRTIO_BASE
	mov w22, #0                             // receive used entries seen
	mov w23, #0                             // transmit used entries seen
	mov w24, #0                             // receive available idx
	mov w25, #0                             // transmit available idx

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 3 (console).
	ldr w0, [x19, #VIRTIO_MAGIC]
	check x0, 0x74726976, "MagicValue"
	ldr w0, [x19, #VIRTIO_VERSION]
	check x0, 2, "Version"
	ldr w0, [x19, #VIRTIO_DEVICE_ID]
	check x0, DEVICE_ID_CONSOLE, "DeviceID"

	// 3.1.1: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 and nothing else, FEATURES_OK.
	str wzr, [x19, #VIRTIO_STATUS]
	mov w0, #S_ACKNOWLEDGE
	str w0, [x19, #VIRTIO_STATUS]
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER)
	str w0, [x19, #VIRTIO_STATUS]
	mov w0, #1
	str w0, [x19, #VIRTIO_DEVICE_FEATURES_SEL]
	ldr w0, [x19, #VIRTIO_DEVICE_FEATURES]
	and w0, w0, #F_VERSION_1
	check x0, F_VERSION_1, "VIRTIO_F_VERSION_1 offered"
	mov w0, #1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	mov w0, #F_VERSION_1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES]
	str wzr, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	str wzr, [x19, #VIRTIO_DRIVER_FEATURES]
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// The two queues (4.2.3.2), then DRIVER_OK.
	mov w0, #RECEIVEQ
	ldr x1, =vq_rx
	bl queue_setup
	mov w0, #TRANSMITQ
	ldr x1, =vq_tx
	bl queue_setup
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"

	// The interrupt: the GIC's CPU interface up, INTID 49 in group 1,
	// priority 0x80, routed to vCPU 0, enabled (IHI 0069 12.9). IRQs stay
	// masked but for one instruction after each WFI (wait_rx).
	msr daifset, #2
	adr x0, vectors
	msr vbar_el1, x0
	isb
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

	// Receive buffers: descriptor i is rx_buf + 16 * i, device-writable; all given, one notify.
	ldr x5, =vq_rx
	ldr x6, =rx_buf
	mov w7, #0
1:	add x8, x5, x7, lsl #4
	str x6, [x8]
	mov w9, #RX_BUF_SIZE
	str w9, [x8, #8]
	mov w9, #D_WRITE
	strh w9, [x8, #12]
	strh wzr, [x8, #14]
	mov w0, w7
	bl rx_give
	add x6, x6, #RX_BUF_SIZE
	add w7, w7, #1
	cmp w7, #RX_BUFS
	b.ne 1b
	dsb st                                  // the ring before the notify
	mov w0, #RECEIVEQ
	str w0, [x19, #VIRTIO_QUEUE_NOTIFY]

	adr x0, prompt
	mov x1, #(prompt_end - prompt)
	bl cons_write

	// Echo: each used receive buffer written back out, up to a 'q' or a newline.
echo:
	bl wait_rx
	dmb ishld                               // the index before the element
	ldr x5, =vq_rx
	add x5, x5, #(VQ_USED + 4)
	and w6, w22, #(QSIZE - 1)
	add x5, x5, x6, lsl #3
	ldr w26, [x5]                           // id: the buffer
	ldr w27, [x5, #4]                       // len: bytes typed
	add w22, w22, #1
	and w22, w22, #0xffff
	cmp w26, #RX_BUFS
	b.lo 2f
	mov x17, x26
	adr x0, msg_id
	bl guest_fail_value
2:	cmp w27, #RX_BUF_SIZE
	b.ls 3f
	mov x17, x27
	adr x0, msg_len
	bl guest_fail_value
	// Look for the end: x1 the bytes to echo, w28 the last of them if it ends the line.
3:	ldr x0, =rx_buf
	add x0, x0, x26, lsl #4
	mov x1, #0
	mov w28, #0
4:	cmp x1, x27
	b.eq 5f
	ldrb w2, [x0, x1]
	add x1, x1, #1
	cmp w2, #'q'
	b.eq 6f
	cmp w2, #'\n'
	b.ne 4b
6:	mov w28, w2
5:	bl cons_write
	mov w0, w26
	bl rx_give
	dsb st
	mov w0, #RECEIVEQ
	str w0, [x19, #VIRTIO_QUEUE_NOTIFY]
	cbz w28, echo

	cmp w28, #'\n'
	b.eq 7f
	adr x0, newline
	mov x1, #1
	bl cons_write
7:	adr x0, done_line
	mov x1, #(done_line_end - done_line)
	bl cons_write

	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status at the end"
	ldr x0, =irq_count
	ldr w0, [x0]
	cbnz w0, 8f
	mov x17, x0
	adr x0, msg_irqs
	bl guest_fail_value
8:	print "virtio_console: all ok\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

/*
 * queue_setup(w0 = queue, x1 = its block of VQ_BLOCK bytes): QueueSel,
 * QueueNum QSIZE (QueueNumMax checked), the three areas' addresses,
 * QueueReady read back. Uses x0..x2.
 */
queue_setup:
	mov x2, x30
	str w0, [x19, #VIRTIO_QUEUE_SEL]
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
	add x0, x1, #VQ_DESC
	str w0, [x19, #VIRTIO_QUEUE_DESC]
	lsr x0, x0, #32
	str w0, [x19, #(VIRTIO_QUEUE_DESC + 4)]
	add x0, x1, #VQ_AVAIL
	str w0, [x19, #VIRTIO_QUEUE_DRIVER]
	lsr x0, x0, #32
	str w0, [x19, #(VIRTIO_QUEUE_DRIVER + 4)]
	add x0, x1, #VQ_USED
	str w0, [x19, #VIRTIO_QUEUE_DEVICE]
	lsr x0, x0, #32
	str w0, [x19, #(VIRTIO_QUEUE_DEVICE + 4)]
	mov w0, #1
	str w0, [x19, #VIRTIO_QUEUE_READY]
	ldr w0, [x19, #VIRTIO_QUEUE_READY]
	check x0, 1, "QueueReady after setup"
	mov x30, x2
	ret

/* rx_give(w0 = descriptor): puts it in the receive available ring (no notify). Uses x0..x3, w24. */
rx_give:
	ldr x1, =vq_rx
	add x1, x1, #VQ_AVAIL
	and w2, w24, #(QSIZE - 1)
	add x3, x1, x2, lsl #1
	strh w0, [x3, #4]
	dmb ishst                               // the ring entry before the index
	add w24, w24, #1
	and w24, w24, #0xffff
	strh w24, [x1, #2]
	ret

/*
 * cons_write(x0 = bytes, x1 = length): one readable descriptor on the
 * transmit queue, notified (4.2.3.3); its return polled in the used ring
 * (2.7.14). Uses x0..x8, w23, w25.
 */
cons_write:
	ldr x2, =vq_tx
	str x0, [x2]
	str w1, [x2, #8]
	strh wzr, [x2, #12]
	strh wzr, [x2, #14]
	add x3, x2, #VQ_AVAIL
	and w4, w25, #(QSIZE - 1)
	add x4, x3, x4, lsl #1
	strh wzr, [x4, #4]
	dmb ishst
	add w25, w25, #1
	and w25, w25, #0xffff
	strh w25, [x3, #2]
	dsb st                                  // the index before the notify
	mov w4, #TRANSMITQ
	str w4, [x19, #VIRTIO_QUEUE_NOTIFY]
	add x3, x2, #VQ_USED
	add w23, w23, #1
	and w23, w23, #0xffff
1:	ldrh w4, [x3, #2]
	cmp w4, w23
	b.ne 1b
	ret

/*
 * wait_rx: returns once the receive used ring holds an entry not seen
 * yet (w22), sleeping in WFI with IRQs masked in between: a pending IRQ
 * ends a WFI whatever PSTATE.I says (ARM ARM D1.6.2); it is taken in the
 * one instruction with IRQs unmasked before each look at the ring, so
 * none is lost between the look and the WFI. Uses x0, x1.
 */
wait_rx:
	ldr x0, =vq_rx
	add x0, x0, #VQ_USED
	b 2f
1:	wfi
2:	msr daifclr, #2
	isb
	msr daifset, #2
	ldrh w1, [x0, #2]
	cmp w1, w22
	b.eq 1b
	ret

/*
 * irq_entry: the device's interrupt (ICC_IAR1_EL1 names INTID 49): its
 * InterruptStatus acknowledged, so the level line drops before the end
 * of interrupt (ICC_EOIR1_EL1), then counted.
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

	.ltorg

	.section .rodata
prompt:
	.ascii "virtio_console: type a line (q ends it)\n"
prompt_end:
done_line:
	.ascii "virtio_console: echo done\n"
done_line_end:
newline:
	.ascii "\n"
msg_qmax:
	.asciz "QueueNumMax below 8"
msg_id:
	.asciz "a receive buffer id that was never given"
msg_len:
	.asciz "a receive length longer than the buffer"
msg_irqs:
	.asciz "no interrupt taken"
msg_intid:
	.asciz "an interrupt that is not the device's, ICC_IAR1_EL1"

	VIRTIO_CONSOLE_AREAS
