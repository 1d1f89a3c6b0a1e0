// SPDX-License-Identifier: MIT
// ioapic: the I/O APIC's registers through IOREGSEL (0xfec00000) and IOWIN
// (0xfec00010), 82093AA datasheet 3.0: its version (24 entries), its ID,
// redirection entry 4 written and read back in both halves (delivery
// status and remote IRR read 0), masked at reset and masked again.
#include "guest.h"

#define IOAPIC 0xfec00000

	GUEST_RUNTIME

// ioapic_read REG: register REG into eax. Clobbers rdx.
.macro ioapic_read reg
	mov $IOAPIC, %edx
	movl $\reg, (%rdx)
	mov 0x10(%rdx), %eax
.endm

// ioapic_write REG, VAL: VAL into register REG. Clobbers rdx.
.macro ioapic_write reg, val
	mov $IOAPIC, %edx
	movl $\reg, (%rdx)
	movl $\val, 0x10(%rdx)
.endm

	.global main
main:
	ioapic_read 0x01
	check %rax, 0x170011, "IOAPICVER"
	ioapic_read 0x10+2*4
	check %rax, 0x10000, "redirection entry 4 at reset (masked)"
	print "ioapic: version 0x11, 24 entries, entry 4 masked at reset\n"
	ioapic_write 0x00, 0x05000000
	ioapic_read 0x00
	check %rax, 0x5000000, "IOAPICID after writing 5"
	ioapic_write 0x10+2*4+1, 0x01000000
	ioapic_write 0x10+2*4, 0xffff8034       // read-only bits 12 and 14 set: ignored
	ioapic_read 0x10+2*4
	check %rax, 0x18034, "entry 4, low half (vector 0x34, level, masked)"
	ioapic_read 0x10+2*4+1
	check %rax, 0x1000000, "entry 4, high half (destination 1)"
	mov $IOAPIC, %edx
	mov (%rdx), %eax
	check %rax, 0x19, "IOREGSEL read back"
	print "ioapic: entry 4 written and read back: vector 0x34, level, masked, destination 1\n"
	print "ioapic: all ok\n"
	xor %eax, %eax
	ret
