// SPDX-License-Identifier: MIT
// net_responder: a host on cvisor's virtual network at 10.0.2.2, with its
// own minimal virtio-net driver (virtio 1.2, 4.2 and 5.1; docs/virtio.md),
// for another VM of the run to talk to (tests/sim/linux.sh: Debian's
// Linux pings it). It answers two things and ignores every other frame:
//   - an ARP request (RFC 826) for 10.0.2.2: the reply gives its address;
//   - an ICMP echo request (RFC 792) to 10.0.2.2: the echo reply, the
//     request itself with the addresses swapped, type 0, the IPv4 header's
//     and the ICMP message's checksums (RFC 1071) computed anew.
// A frame whose checksums are wrong is ignored. After answering ECHOES
// echo requests it prints how many frames it ignored and powers off
// (PSCI SYSTEM_OFF): the run goes on with the other VMs.
//
// The device: its address (VIRTIO_NET_F_MAC) read from the configuration
// space; receiveq1 (queue 0) holds 8 buffers of 2 KiB, each a header
// (struct virtio_net_hdr, 12 bytes with VIRTIO_F_VERSION_1) and a whole
// frame (5.1.6.3.1: 1526 bytes at least); a reply is sent from the buffer
// it came in, through transmitq1 (queue 1), before the buffer goes back to
// receiveq1. The guest sleeps in WFI until the device's interrupt (SPI 19,
// INTID 51) says frames came in.
//
// The guest runs with its MMU off: every access is to Device memory,
// which must be aligned. Ethernet puts the IPv4 and ARP fields at even
// offsets only, so they are read and written in halfwords and bytes.
#include "guest.h"
#include "../virtio_net.h"

#define VIRTIO_BASE 0x0a000600
#define VIRTIO_INTID 51                // the config's irq: SPI 19

#define RECEIVEQ 0                     // 5.1.2
#define TRANSMITQ 1
#define BUF_SHIFT 11                   // receive buffers of 2 KiB
#define S_NEEDS_RESET 0x40             // 2.1: DEVICE_NEEDS_RESET

#define ECHOES 3                       // echo requests answered before powering off

// The guest's IPv4 address, 10.0.2.2, as its bytes 0a 00 02 02 read in
// two little-endian halfwords (ld_ip): a wire-order value, like those
// below (the type 0x0806 is the halfword 0x0608).
#define MY_IP 0x0202000a

// Ethernet II (offsets in the frame).
#define ETH_DST 0
#define ETH_SRC 6
#define ETH_TYPE 12
#define ETH_HLEN 14
#define ETH_MIN 60                     // the shortest frame, without its FCS
#define TYPE_ARP 0x0608
#define TYPE_IPV4 0x0008
// ARP for IPv4 over Ethernet (offsets after the Ethernet header).
#define ARP_HTYPE 0                    // 1, Ethernet: halfword 0x0100
#define ARP_PTYPE 2                    // 0x0800, IPv4: halfword 0x0008
#define ARP_LENS 4                     // hlen 6, plen 4: halfword 0x0406
#define ARP_OP 6                       // 1 request (0x0100), 2 reply (0x0200)
#define ARP_SHA 8
#define ARP_SPA 14
#define ARP_THA 18
#define ARP_TPA 24
#define ARP_LEN 28
// IPv4 (RFC 791) and ICMP (RFC 792).
#define IP_VHL 0                       // version 4, header length in words
#define IP_LEN 2                       // total length, big-endian
#define IP_FRAG 6                      // flags and fragment offset
#define IP_PROTO 9                     // 1: ICMP
#define IP_SUM 10
#define IP_SRC 12
#define IP_DST 16
#define ICMP_TYPE 0                    // 8 echo request, 0 echo reply
#define ICMP_CODE 1
#define ICMP_SUM 2
#define ICMP_SEQ 6
#define ICMP_HLEN 8

// ld_ip reg, tmp, base, off: the 4 bytes at base + off (2-aligned) in reg.
.macro ld_ip reg, tmp, base, off
	ldrh \reg, [\base, #(\off)]
	ldrh \tmp, [\base, #((\off) + 2)]
	orr \reg, \reg, \tmp, lsl #16
.endm

// copy_halves dst, src, n, tmp: n halfwords from src to dst (2-aligned).
.macro copy_halves dst, src, n, tmp
	.set i, 0
	.rept \n
	ldrh \tmp, [\src, #(2 * i)]
	strh \tmp, [\dst, #(2 * i)]
	.set i, i + 1
	.endr
.endm

	GUEST_RUNTIME
	VECTORS_IRQ vectors, guest_unexpected_vector, irq_entry

/*
 * Registers kept across the whole run: x19 the device, w21 receiveq1's
 * used entries seen, w22 transmitq1's available index, w23 the echo
 * requests answered, w24 receiveq1's available index, w25 the frames
 * ignored.
 */
	.global main
main:
	stp x29, x30, [sp, #-16]!
	li x19, VIRTIO_BASE
	mov w21, #0
	mov w22, #0
	mov w23, #0
	mov w25, #0

	// 4.2.3.1.1: the magic, version 2 (no legacy), device ID 1 (network).
	ldr w0, [x19, #VIRTIO_MAGIC]
	check x0, 0x74726976, "MagicValue"
	ldr w0, [x19, #VIRTIO_VERSION]
	check x0, 2, "Version"
	ldr w0, [x19, #VIRTIO_DEVICE_ID]
	check x0, NET_DEVICE_ID, "DeviceID"

	// 3.1.1: reset, ACKNOWLEDGE, DRIVER; the features: VERSION_1 and MAC, offered and accepted.
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
	str wzr, [x19, #VIRTIO_DEVICE_FEATURES_SEL]
	ldr w0, [x19, #VIRTIO_DEVICE_FEATURES]
	and w0, w0, #F_NET_MAC
	check x0, F_NET_MAC, "VIRTIO_NET_F_MAC offered"
	mov w0, #1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	mov w0, #F_VERSION_1
	str w0, [x19, #VIRTIO_DRIVER_FEATURES]
	str wzr, [x19, #VIRTIO_DRIVER_FEATURES_SEL]
	mov w0, #F_NET_MAC
	str w0, [x19, #VIRTIO_DRIVER_FEATURES]
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK), "Status: FEATURES_OK kept"

	// 5.1.4: the address, mac[6] at the start of the configuration space.
	ldr x1, =mac
	mov x2, #0
1:	add x3, x19, x2
	ldrb w0, [x3, #VIRTIO_CONFIG]
	strb w0, [x1, x2]
	add x2, x2, #1
	cmp x2, #6
	b.ne 1b

	// The two queues (4.2.3.2); no interrupt for transmitted frames.
	mov w0, #RECEIVEQ
	ldr x1, =rx_desc
	ldr x2, =rx_avail
	ldr x3, =rx_used
	bl queue_setup
	mov w0, #TRANSMITQ
	ldr x1, =tx_desc
	ldr x2, =tx_avail
	ldr x3, =tx_used
	bl queue_setup
	ldr x0, =tx_avail
	mov w1, #AVAIL_NO_INTERRUPT
	strh w1, [x0]

	// receiveq1: descriptor i is buffer i, writable, all of them available.
	ldr x0, =rx_desc
	ldr x1, =rx_bufs
	ldr x2, =rx_avail
	mov x3, #0
2:	add x4, x1, x3, lsl #BUF_SHIFT
	str x4, [x0]
	mov w4, #(1 << BUF_SHIFT)
	str w4, [x0, #8]
	mov w4, #D_WRITE
	strh w4, [x0, #12]
	strh wzr, [x0, #14]
	add x0, x0, #16
	add x4, x2, x3, lsl #1
	strh w3, [x4, #4]
	add x3, x3, #1
	cmp x3, #NET_QSIZE
	b.ne 2b
	mov w24, #NET_QSIZE
	dmb ishst                               // the ring entries before the index
	strh w24, [x2, #2]

	// The interrupt, as in virtio_blk.S: INTID 51 in group 1, priority
	// 0x80, routed to vCPU 0, enabled; IRQs masked but while waiting.
	msr daifset, #2
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

	// DRIVER_OK, then receiveq1's buffers told of (not before: 3.1.1).
	mov w0, #(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
	str w0, [x19, #VIRTIO_STATUS]
	ldr w0, [x19, #VIRTIO_STATUS]
	check x0, (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "Status: DRIVER_OK"
	dsb st
	mov w0, #RECEIVEQ
	str w0, [x19, #VIRTIO_QUEUE_NOTIFY]
	print "net_responder: mac "
	ldr x0, =mac
	bl print_mac
	print ", ip 10.0.2.2, answering ARP and ping\n"

	// Serve until ECHOES echo requests are answered. A frame that comes
	// in after rx_drain's last look raises the line: the WFI ends at
	// once (a pending IRQ ends it whatever PSTATE.I says, ARM ARM
	// D1.6.2), the IRQ is taken while IRQs are unmasked for one
	// instruction, and rx_drain looks again.
serve:
	bl rx_drain
	cmp w23, #ECHOES
	b.hs done
	ldr w0, [x19, #VIRTIO_STATUS]
	and w0, w0, #S_NEEDS_RESET
	check x0, 0, "Status: DEVICE_NEEDS_RESET"
	wfi
	msr daifclr, #2
	isb
	msr daifset, #2
	b serve

done:
	print "net_responder: "
	mov w0, w23
	bl put_dec
	print " echo requests answered, "
	mov w0, w25
	bl put_dec
	print " other frames ignored; powering off\n"
	mov x0, #0
	ldp x29, x30, [sp], #16
	ret

/*
 * queue_setup(w0 = queue, x1 = descriptors, x2 = available ring,
 * x3 = used ring): selects the queue, checks it is not ready and holds
 * NET_QSIZE entries, gives it its size and areas, and makes it ready (4.2.3.2).
 * Uses x0..x4, x16, x17.
 */
queue_setup:
	mov x4, x30
	str w0, [x19, #VIRTIO_QUEUE_SEL]
	ldr w0, [x19, #VIRTIO_QUEUE_READY]
	check x0, 0, "QueueReady before setup"
	ldr w0, [x19, #VIRTIO_QUEUE_NUM_MAX]
	cmp w0, #NET_QSIZE
	b.hs 1f
	mov x17, x0
	adr x0, msg_qmax
	bl guest_fail_value
1:	mov w0, #NET_QSIZE
	str w0, [x19, #VIRTIO_QUEUE_NUM]
	str w1, [x19, #VIRTIO_QUEUE_DESC]
	lsr x1, x1, #32
	str w1, [x19, #(VIRTIO_QUEUE_DESC + 4)]
	str w2, [x19, #VIRTIO_QUEUE_DRIVER]
	lsr x2, x2, #32
	str w2, [x19, #(VIRTIO_QUEUE_DRIVER + 4)]
	str w3, [x19, #VIRTIO_QUEUE_DEVICE]
	lsr x3, x3, #32
	str w3, [x19, #(VIRTIO_QUEUE_DEVICE + 4)]
	mov w0, #1
	str w0, [x19, #VIRTIO_QUEUE_READY]
	ldr w0, [x19, #VIRTIO_QUEUE_READY]
	check x0, 1, "QueueReady after setup"
	mov x30, x4
	ret

/*
 * rx_drain: every frame receiveq1's used ring returned since the last
 * look (2.7.14) is handled (handle_frame) and its buffer made available
 * again; the device is notified once if any was (it may hold frames
 * that waited for a buffer). Uses x0..x17, x26..x28.
 */
rx_drain:
	stp x29, x30, [sp, #-16]!
	mov w28, #0                             // buffers given back
1:	ldr x5, =rx_used
	ldrh w6, [x5, #2]
	cmp w6, w21
	b.eq 3f
	dmb ishld                               // the index before the element
	and w7, w21, #(NET_QSIZE - 1)
	add x7, x5, x7, lsl #3
	ldr w27, [x7, #4]                       // id: the buffer
	ldr w1, [x7, #8]                        // len: the bytes written
	add w21, w21, #1
	and w21, w21, #0xffff
	cmp w27, #NET_QSIZE
	b.lo 2f
	mov x17, x27
	adr x0, msg_id
	bl guest_fail_value
2:	ldr x0, =rx_bufs
	add x0, x0, x27, lsl #BUF_SHIFT
	bl handle_frame
	ldr x5, =rx_avail
	and w7, w24, #(NET_QSIZE - 1)
	add x7, x5, x7, lsl #1
	strh w27, [x7, #4]
	dmb ishst                               // the ring entry before the index
	add w24, w24, #1
	and w24, w24, #0xffff
	strh w24, [x5, #2]
	mov w28, #1
	b 1b
3:	cbz w28, 4f
	dsb st                                  // the index before the notify
	mov w0, #RECEIVEQ
	str w0, [x19, #VIRTIO_QUEUE_NOTIFY]
4:	ldp x29, x30, [sp], #16
	ret

/*
 * handle_frame(x0 = a receive buffer, w1 = the bytes the device wrote in
 * it: the header, then the frame): answers an ARP request or an echo
 * request for 10.0.2.2 from the buffer itself; counts anything else in
 * w25. Uses x0..x17, x20, x26 (the frame, its length), x27, x28 (saved).
 */
handle_frame:
	stp x29, x30, [sp, #-32]!
	stp x27, x28, [sp, #16]
	add x20, x0, #NET_HDR
	subs w26, w1, #NET_HDR
	b.lo ignore
	cmp w26, #ETH_HLEN
	b.lo ignore
	ldrh w0, [x20, #ETH_TYPE]
	cmp w0, #TYPE_ARP
	b.eq arp
	cmp w0, #TYPE_IPV4
	b.eq ipv4
ignore:
	add w25, w25, #1
handled:
	ldp x27, x28, [sp, #16]
	ldp x29, x30, [sp], #32
	ret

	// An ARP request for 10.0.2.2 (x27: the ARP packet) becomes the reply:
	// the target is the requester, the sender this guest (RFC 826).
arp:
	cmp w26, #(ETH_HLEN + ARP_LEN)
	b.lo ignore
	add x27, x20, #ETH_HLEN
	ldrh w0, [x27, #ARP_HTYPE]
	cmp w0, #0x0100
	b.ne ignore
	ldrh w0, [x27, #ARP_PTYPE]
	cmp w0, #0x0008
	b.ne ignore
	ldrh w0, [x27, #ARP_LENS]
	cmp w0, #0x0406
	b.ne ignore
	ldrh w0, [x27, #ARP_OP]
	cmp w0, #0x0100
	b.ne ignore
	ld_ip w0, w1, x27, ARP_TPA
	li w1, MY_IP
	cmp w0, w1
	b.ne ignore
	mov w0, #0x0200
	strh w0, [x27, #ARP_OP]
	add x1, x27, #ARP_THA
	add x2, x27, #ARP_SHA
	copy_halves x1, x2, 3, w0
	add x1, x27, #ARP_TPA
	add x2, x27, #ARP_SPA
	copy_halves x1, x2, 2, w0
	add x1, x27, #ARP_SHA
	ldr x2, =mac
	copy_halves x1, x2, 3, w0
	li w0, MY_IP
	strh w0, [x27, #ARP_SPA]
	lsr w0, w0, #16
	strh w0, [x27, #(ARP_SPA + 2)]
	// The reply is padded with zeros to Ethernet's shortest frame.
	add x0, x20, #(ETH_HLEN + ARP_LEN)
	mov x1, #(ETH_MIN - ETH_HLEN - ARP_LEN)
1:	strb wzr, [x0], #1
	subs x1, x1, #1
	b.ne 1b
	mov w0, #ETH_MIN
	bl send_reply
	print "net_responder: ARP reply to "
	add x0, x27, #ARP_TPA
	bl print_ip
	print "\n"
	b handled

	// An IPv4 packet (x27): a whole, unfragmented ICMP message (x28, w26
	// its length) to 10.0.2.2 whose checksums hold.
ipv4:
	cmp w26, #(ETH_HLEN + 20)
	b.lo ignore
	add x27, x20, #ETH_HLEN
	ldrb w0, [x27, #IP_VHL]
	lsr w1, w0, #4
	cmp w1, #4
	b.ne ignore
	and w9, w0, #0xf
	lsl w9, w9, #2                          // the header's length
	cmp w9, #20
	b.lo ignore
	ldrh w10, [x27, #IP_LEN]
	rev16 w10, w10                          // the packet's length
	add w0, w9, #ICMP_HLEN
	cmp w10, w0
	b.lo ignore
	sub w0, w26, #ETH_HLEN
	cmp w10, w0
	b.hi ignore
	ldrh w0, [x27, #IP_FRAG]
	mov w1, #0xff3f                         // MF and the offset (big-endian 0x3fff)
	and w0, w0, w1
	cbnz w0, ignore
	ldrb w0, [x27, #IP_PROTO]
	cmp w0, #1
	b.ne ignore
	ld_ip w0, w1, x27, IP_DST
	li w1, MY_IP
	cmp w0, w1
	b.ne ignore
	mov x0, x27
	mov w1, w9
	bl checksum
	cbnz w0, ignore
	add x28, x27, x9
	sub w26, w10, w9                        // from here: the ICMP message's length
	ldrh w0, [x28, #ICMP_TYPE]              // type 8, code 0
	cmp w0, #8
	b.ne ignore
	mov x0, x28
	mov w1, w26
	bl checksum
	cbnz w0, ignore

	// The echo reply: type 0, its checksum anew; the IPv4 addresses
	// swapped, the header's checksum anew (the same sum, but computed).
	strb wzr, [x28, #ICMP_TYPE]
	strh wzr, [x28, #ICMP_SUM]
	mov x0, x28
	mov w1, w26
	bl checksum
	strh w0, [x28, #ICMP_SUM]
	ld_ip w0, w1, x27, IP_SRC
	ld_ip w2, w1, x27, IP_DST
	strh w2, [x27, #IP_SRC]
	lsr w2, w2, #16
	strh w2, [x27, #(IP_SRC + 2)]
	strh w0, [x27, #IP_DST]
	lsr w0, w0, #16
	strh w0, [x27, #(IP_DST + 2)]
	strh wzr, [x27, #IP_SUM]
	ldrb w0, [x27, #IP_VHL]
	and w1, w0, #0xf
	lsl w1, w1, #2
	mov x0, x27
	bl checksum
	strh w0, [x27, #IP_SUM]
	ldrh w0, [x27, #IP_LEN]
	rev16 w0, w0
	add w0, w0, #ETH_HLEN
	bl send_reply
	add w23, w23, #1
	print "net_responder: echo reply "
	mov w0, w23
	bl put_dec
	print " to "
	add x0, x27, #IP_DST
	bl print_ip
	print ", seq "
	ldrh w0, [x28, #ICMP_SEQ]
	rev16 w0, w0
	bl put_dec
	print "\n"
	b handled

/*
 * send_reply(w0 = the frame's length): the frame at x20 goes back where
 * it came from (its destination the sender, its source this guest's
 * address), after a header of zeros (5.1.6.2: no offload), through
 * transmitq1 as one readable descriptor. The device sends it while it
 * serves the notify; its used ring is still watched for the buffer's
 * return. Uses x0..x7.
 */
send_reply:
	add x1, x20, #ETH_DST
	add x2, x20, #ETH_SRC
	copy_halves x1, x2, 3, w3
	add x1, x20, #ETH_SRC
	ldr x2, =mac
	copy_halves x1, x2, 3, w3
	sub x1, x20, #NET_HDR
	str xzr, [x1]
	str wzr, [x1, #8]
	ldr x5, =tx_desc
	str x1, [x5]
	add w0, w0, #NET_HDR
	str w0, [x5, #8]
	strh wzr, [x5, #12]
	strh wzr, [x5, #14]
	ldr x5, =tx_avail
	and w7, w22, #(NET_QSIZE - 1)
	add x7, x5, x7, lsl #1
	strh wzr, [x7, #4]                      // head: descriptor 0
	dmb ishst
	add w22, w22, #1
	and w22, w22, #0xffff
	strh w22, [x5, #2]
	dsb st
	mov w0, #TRANSMITQ
	str w0, [x19, #VIRTIO_QUEUE_NOTIFY]
	ldr x5, =tx_used
1:	ldrh w6, [x5, #2]
	cmp w6, w22
	b.eq 2f
	ldr w6, [x19, #VIRTIO_STATUS]
	tbz w6, #6, 1b
	mov x17, x6
	adr x0, msg_tx
	bl guest_fail_value
2:	ret

/*
 * checksum(x0 = bytes at an even address, w1 = their length): the
 * Internet checksum (RFC 1071), the ones' complement of the ones'
 * complement sum of the 16-bit words, summed here as the little-endian
 * halfwords the CPU reads (the sum is the same in either byte order,
 * RFC 1071 2.(B)), stored back as such. 0 over data that holds its own
 * checksum means it holds. Uses x0..x3.
 */
checksum:
	mov w2, #0
1:	cmp w1, #2
	b.lo 2f
	ldrh w3, [x0], #2
	add w2, w2, w3
	sub w1, w1, #2
	b 1b
2:	cbz w1, 3f
	ldrb w3, [x0]                           // an odd last byte: its word's first half
	add w2, w2, w3
3:	and w3, w2, #0xffff                     // the carries added back in, twice
	add w2, w3, w2, lsr #16
	and w3, w2, #0xffff
	add w2, w3, w2, lsr #16
	mvn w0, w2
	and w0, w0, #0xffff
	ret

/* print_mac(x0 = 6 bytes): "52:54:00:c5:64:00". Uses x0..x3, x7, x10..x12. */
print_mac:
	mov x10, x30
	mov x11, x0
	mov x12, #0
1:	ldrb w0, [x11, x12]
	bl put_hex8
	add x12, x12, #1
	cmp x12, #6
	b.eq 2f
	mov w0, #':'
	bl guest_putc
	b 1b
2:	mov x30, x10
	ret

/* print_ip(x0 = 4 bytes): "10.0.2.15". Uses x0..x6, x10..x12. */
print_ip:
	mov x10, x30
	mov x11, x0
	mov x12, #0
1:	ldrb w0, [x11, x12]
	bl put_dec
	add x12, x12, #1
	cmp x12, #4
	b.eq 2f
	mov w0, #'.'
	bl guest_putc
	b 1b
2:	mov x30, x10
	ret

/* put_dec(w0): w0 in decimal. Uses x0..x6 and 16 bytes of stack. */
put_dec:
	mov x6, x30
	mov w3, w0
	sub sp, sp, #16
	mov x5, #0
1:	mov w1, #10
	udiv w2, w3, w1
	msub w1, w2, w1, w3
	add w1, w1, #'0'
	strb w1, [sp, x5]
	add x5, x5, #1
	mov w3, w2
	cbnz w3, 1b
2:	sub x5, x5, #1
	ldrb w0, [sp, x5]
	bl guest_putc
	cbnz x5, 2b
	add sp, sp, #16
	mov x30, x6
	ret

/* put_hex8(w0 = a byte): two hex digits. Uses x0..x3, x7. */
put_hex8:
	mov x7, x30
	mov w3, w0
	lsr w0, w3, #4
	bl put_nibble
	and w0, w3, #0xf
	bl put_nibble
	mov x30, x7
	ret

/* put_nibble(w0 = 0..15): one hex digit. */
put_nibble:
	cmp w0, #10
	add w1, w0, #'0'
	add w2, w0, #('a' - 10)
	csel w0, w1, w2, lo
	b guest_putc

/*
 * irq_entry: the device's interrupt (ICC_IAR1_EL1 names INTID 51): its
 * InterruptStatus acknowledged, so the level line drops before the end
 * of interrupt (ICC_EOIR1_EL1). The frames are rx_drain's.
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
	ldp x2, x30, [sp, #16]
	ldp x0, x1, [sp], #32
	eret
irq_other:
	mov x17, x2
	adr x0, msg_intid
	bl guest_fail_value

	.ltorg

	.section .rodata
msg_qmax:
	.asciz "QueueNumMax below 8"
msg_id:
	.asciz "receiveq1: a used element's id, not a buffer of ours"
msg_tx:
	.asciz "transmitq1: the device needs a reset, Status"
msg_intid:
	.asciz "an interrupt that is not the device's, ICC_IAR1_EL1"

	.bss
	.balign 8
mac:
	.skip 8
	.balign 4096
rx_desc:
	.skip 16 * NET_QSIZE
rx_avail:
	.skip 4 + 2 * NET_QSIZE + 2
	.balign 4
rx_used:
	.skip 4 + 8 * NET_QSIZE + 2
	.balign 16
tx_desc:
	.skip 16 * NET_QSIZE
tx_avail:
	.skip 4 + 2 * NET_QSIZE + 2
	.balign 4
tx_used:
	.skip 4 + 8 * NET_QSIZE + 2
	.balign 4096
rx_bufs:
	.skip NET_QSIZE << BUF_SHIFT
