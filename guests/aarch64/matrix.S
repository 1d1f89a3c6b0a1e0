// SPDX-License-Identifier: MIT
// matrix: one odd memory access, chosen by a case number, then the end.
//
// The case number is the 32-bit word at CASE_ADDR (0x4700_0000), which
// the config loads as its "ramdisk" (tests/bare/aarch64_diff.sh writes
// one such file per case); without one it reads 0, a case that makes no
// access. Cases 1..63 run with the guest's MMU off, 64..127 with it on.
// Each case sets its operands and makes one access, then:
//   - the access completes: the guest prints "matrix: done x2=... x3=..."
//     and powers off;
//   - the guest takes the fault itself (alignment, address size,
//     UNDEFINED...): its vector table prints "matrix: guest fault ESR_EL1
//     ... FAR_EL1 ... ELR_EL1 ..." (FAR_EL1 only for aborts, where it is
//     defined) and powers off;
//   - cvisor stops the VM (a stage-2 fault, a device that refuses): the
//     one-line report says what the guest did.
// The same binary and config run in the simulator and on the bare build,
// and the two must tell the same story.
//
// Memory with the MMU on (TTBR0_EL1, 4 KiB granule, T0SZ 25: 39-bit VAs,
// the walk starts at level 1; IPS 40 bits):
//   VA 0x0000_0000 .. 0x3fff_ffff  2 MiB blocks, identity, Normal, except
//   VA 0x0900_0000 (2 MiB)          the PL011: Device-nGnRnE
//   VA 0x4000_0000 (1 GiB block)    RAM, identity, Normal
//   VA 0x8000_0000 (2 MiB block)  -> PA 0x100_0000_0000: beyond IPS
//   VA 0x8020_0000                  a level-2 table entry pointing at
//                                   PA 0x2000_0000, which is not RAM
//   VA 0x8040_0000 (2 MiB block)  -> PA 0x2000_0000: Normal, not RAM
#include "guest.h"

#define CASE_ADDR 0x47000000
#define TABLES 0x46000000
#define HOLE 0x08000000
#define RAM_END 0x48000000

#define D_TABLE 0x3
#define D_BLOCK 0x1
#define D_NORMAL ((0 << 2) | (3 << 8) | (1 << 10))   // AttrIndx 0, inner shareable, AF
#define D_DEVICE ((1 << 2) | (1 << 10))              // AttrIndx 1, AF

	GUEST_RUNTIME

	.global main
main:
	adr x0, vectors
	msr vbar_el1, x0
	mov x0, #(3 << 20)                            // CPACR_EL1.FPEN: SIMD&FP at EL1
	msr cpacr_el1, x0
	isb
	li x0, CASE_ADDR
	ldr w19, [x0]
	and w19, w19, #127
	print "matrix: case "
	mov x0, x19
	bl guest_puthex
	mov w0, #'\n'
	bl guest_putc
	cmp w19, #64
	b.lo 1f
	bl mmu_on
1:	ldr x2, =0x1122334455667788
	ldr x3, =0x99aabbccddeeff00
	mov x4, #0
	dup v0.2d, x2
	adr x9, cases
	add x9, x9, x19, lsl #6
	br x9

// The access completed: print x2 and x3, power off.
done:
	mov x19, x2
	mov x20, x3
	print "matrix: done x2="
	mov x0, x19
	bl guest_puthex
	print " x3="
	mov x0, x20
	bl guest_puthex
	mov w0, #'\n'
	bl guest_putc
	b power_off

power_off:
	li x0, PSCI_SYSTEM_OFF
	hvc #0
	b .

// Stage-1 tables at TABLES: level 1, level 2 for 0..1 GiB, level 2 for 2..3 GiB.
mmu_on:
	mov x15, x30
	li x10, TABLES
	mov x11, #(3 * 512)
1:	str xzr, [x10], #8
	subs x11, x11, #1
	b.ne 1b
	li x10, TABLES
	add x11, x10, #0x1000                         // level 2, VA 0 .. 1 GiB
	orr x12, x11, #D_TABLE
	str x12, [x10, #0]
	li x12, (0x40000000 | D_NORMAL | D_BLOCK)
	str x12, [x10, #8]
	add x13, x10, #0x2000                         // level 2, VA 2 .. 3 GiB
	orr x12, x13, #D_TABLE
	str x12, [x10, #16]
	// 0 .. 1 GiB: Normal 2 MiB blocks, the UART's one Device.
	mov x14, #0
2:	lsl x12, x14, #21
	mov x0, #(D_NORMAL | D_BLOCK)
	cmp x14, #72
	b.ne 3f
	mov x0, #(D_DEVICE | D_BLOCK)
3:	orr x12, x12, x0
	str x12, [x11, x14, lsl #3]
	add x14, x14, #1
	cmp x14, #512
	b.ne 2b
	// 2 .. 3 GiB: beyond IPS, a table that is not RAM, a block that is not RAM.
	ldr x12, =(0x10000000000 | D_NORMAL | D_BLOCK)
	str x12, [x13, #0]
	li x12, (0x20000000 | D_TABLE)
	str x12, [x13, #8]
	li x12, (0x20000000 | D_NORMAL | D_BLOCK)
	str x12, [x13, #16]
	// MAIR_EL1: Attr0 Normal write-back, Attr1 Device-nGnRnE.
	MMU_TTBR0 x10
	MMU_ON
	mov x30, x15
	ret

// Case N is the 64 bytes at cases + N * 64 (.org refuses a case that overflows into the next).
.macro CASE n
	.org cases + (\n) * 64
.endm

	.balign 64
cases:
	CASE 0                                        // no access
	b done
	CASE 1                                        // 8 bytes straddling the start of RAM
	ldr x1, =0x3ffffffc
	ldr x2, [x1]
	b done
	CASE 2                                        // 4 bytes straddling the start of RAM
	ldr x1, =0x3ffffffe
	ldr w2, [x1]
	b done
	CASE 3                                        // 8 bytes straddling the end of RAM
	ldr x1, =(RAM_END - 4)
	ldr x2, [x1]
	b done
	CASE 4                                        // 1 byte just past RAM
	ldr x1, =RAM_END
	ldrb w2, [x1]
	b done
	CASE 5                                        // 2 bytes just past RAM
	ldr x1, =RAM_END
	ldrh w2, [x1]
	b done
	CASE 6                                        // 4 bytes just past RAM
	ldr x1, =RAM_END
	ldr w2, [x1]
	b done
	CASE 7                                        // 8 bytes just past RAM
	ldr x1, =RAM_END
	ldr x2, [x1]
	b done
	CASE 8                                        // a byte store to a hole
	ldr x1, =HOLE
	strb w2, [x1]
	b done
	CASE 9                                        // a 2-byte store to a hole
	ldr x1, =(HOLE + 2)
	strh w2, [x1]
	b done
	CASE 10                                       // a 4-byte store to a hole
	ldr x1, =(HOLE + 4)
	str w2, [x1]
	b done
	CASE 11                                       // an 8-byte store to a hole
	ldr x1, =(HOLE + 8)
	str x2, [x1]
	b done
	CASE 12                                       // 8 bytes at 0x0900_0ffc: across the UART's end
	ldr x1, =(UART_BASE + 0xffc)
	ldr x2, [x1]
	b done
	CASE 13                                       // 4 bytes across the UART's end
	ldr x1, =(UART_BASE + 0xffe)
	ldr w2, [x1]
	b done
	CASE 14                                       // 8 bytes from the UART: wider than its registers
	ldr x1, =UART_BASE + UART_FR
	ldr x2, [x1]
	b done
	CASE 15                                       // an unaligned 4-byte read of the UART
	ldr x1, =(UART_BASE + UART_FR + 1)
	ldr w2, [x1]
	b done
	CASE 16                                       // an unaligned 2-byte read of the UART
	ldr x1, =(UART_BASE + UART_FR + 1)
	ldrh w2, [x1]
	b done
	CASE 17                                       // LDP of 16 bytes from the UART
	ldr x1, =UART_BASE + UART_FR
	ldp x2, x3, [x1]
	b done
	CASE 18                                       // STP of 16 bytes to the UART
	ldr x1, =UART_BASE + UART_IBRD
	stp x2, x3, [x1]
	b done
	CASE 19                                       // LDP of 8 bytes from the UART
	ldr x1, =UART_BASE + UART_FR
	ldp w2, w3, [x1]
	b done
	CASE 20                                       // a pre-indexed load from a hole (writeback)
	ldr x1, =HOLE
	ldr x2, [x1, #8]!
	b done
	CASE 21                                       // LDR q0 from the UART
	ldr x1, =UART_BASE + UART_FR
	ldr q0, [x1]
	b done
	CASE 22                                       // LD1 of 16 bytes from a hole
	ldr x1, =HOLE
	ld1 {v0.16b}, [x1]
	b done
	CASE 23                                       // ST1 of 16 bytes to a hole
	ldr x1, =HOLE
	st1 {v0.2d}, [x1]
	b done
	CASE 24                                       // STR q0 to a hole
	ldr x1, =(HOLE + 0x10)
	str q0, [x1]
	b done
	CASE 25                                       // LDXR from the UART
	ldr x1, =UART_BASE + UART_FR
	ldxr x2, [x1]
	b done
	CASE 26                                       // STXR to a hole
	ldr x1, =HOLE
	stxr w4, x2, [x1]
	b done
	CASE 27                                       // LDADD (FEAT_LSE) on a hole
	ldr x1, =HOLE
	.inst 0xf8220023                              // ldadd x2, x3, [x1]
	b done
	CASE 28                                       // CAS (FEAT_LSE) on a hole
	ldr x1, =HOLE
	.inst 0xc8a27c23                              // cas x2, x3, [x1]
	b done
	CASE 29                                       // DC ZVA of a hole
	ldr x1, =(HOLE + 0x48)
	dc zva, x1
	b done
	CASE 30                                       // DC ZVA of the UART
	ldr x1, =UART_BASE
	dc zva, x1
	b done
	CASE 31                                       // a branch to a hole
	ldr x1, =HOLE
	br x1
	CASE 32                                       // a branch into the UART
	ldr x1, =UART_BASE
	br x1
	CASE 33                                       // an 8-byte store near 2^64
	ldr x1, =0xfffffffffffffff8
	str x2, [x1]
	b done
	CASE 34                                       // a load just beyond the CPU's 44-bit PA range
	ldr x1, =0x100000000000
	ldr w2, [x1]
	b done
	CASE 35                                       // a load inside the PA range, beyond the VM's
	ldr x1, =0xff00000000
	ldr w2, [x1]
	b done
	CASE 36                                       // 4 bytes at 0x0900_0ffc: the UART's PCellID3
	ldr x1, =(UART_BASE + 0xffc)
	ldr w2, [x1]
	b done
	CASE 37                                       // 1 byte of the UART's PeriphID0
	ldr x1, =(UART_BASE + UART_PERIPHID0)
	ldrb w2, [x1]
	b done
	CASE 38                                       // LDP straddling the end of RAM
	ldr x1, =(RAM_END - 8)
	ldp x2, x3, [x1]
	b done
	CASE 39                                       // a 4-byte store across the UART's end
	ldr x1, =(UART_BASE + 0xffe)
	str w2, [x1]
	b done
	CASE 40                                       // the first byte after the UART
	ldr x1, =(UART_BASE + 0x1000)
	ldr w2, [x1]
	b done
	CASE 41                                       // 8 bytes at the last word of RAM's first page
	ldr x1, =(0x40000ffc)
	ldr x2, [x1]
	b done
	CASE 42                                       // a 2-byte store to the UART's DR
	ldr x1, =UART_BASE
	mov w2, #'!'
	strh w2, [x1]
	mov w2, #'\n'
	strb w2, [x1]
	b done

	CASE 64                                       // MMU on: no access
	b done
	CASE 65                                       // an unaligned read of the UART (Device)
	ldr x1, =(UART_BASE + UART_FR + 1)
	ldr w2, [x1]
	b done
	CASE 66                                       // output address beyond TCR_EL1.IPS
	ldr x1, =0x80000010
	ldr w2, [x1]
	b done
	CASE 67                                       // a table walk that reads no RAM
	ldr x1, =0x80200020
	ldr w2, [x1]
	b done
	CASE 68                                       // 8 bytes straddling the start of RAM (Normal)
	ldr x1, =0x3ffffffc
	ldr x2, [x1]
	b done
	CASE 69                                       // 8 bytes straddling the end of RAM
	ldr x1, =(RAM_END - 4)
	ldr x2, [x1]
	b done
	CASE 70                                       // DC ZVA of a hole (Normal)
	ldr x1, =(HOLE + 0x48)
	dc zva, x1
	b done
	CASE 71                                       // DC ZVA of the UART (Device)
	ldr x1, =UART_BASE
	dc zva, x1
	b done
	CASE 72                                       // LDP of 16 bytes from the UART
	ldr x1, =UART_BASE + UART_FR
	ldp x2, x3, [x1]
	b done
	CASE 73                                       // a branch to a hole
	ldr x1, =HOLE
	br x1
	CASE 74                                       // a store through VA 0x8040_0000 (PA: no RAM)
	ldr x1, =0x80400008
	str x2, [x1]
	b done
	CASE 75                                       // an 8-byte store near 2^64 (no TTBR1 walks)
	ldr x1, =0xfffffffffffffff8
	str x2, [x1]
	b done
	CASE 76                                       // LDR q0 from a hole (Normal)
	ldr x1, =HOLE
	ldr q0, [x1]
	b done
	CASE 77                                       // a fetch through the table that is not RAM
	ldr x1, =0x80200000
	br x1
	CASE 78                                       // DC ZVA of RAM (Normal): zeroes 64 bytes
	li x1, TABLES + 0x3000
	str x2, [x1, #56]
	dc zva, x1
	ldr x2, [x1, #56]
	b done
	CASE 79                                       // STP straddling the end of RAM
	ldr x1, =(RAM_END - 8)
	stp x2, x3, [x1]
	b done
	.balign 64
	.ltorg

	VECTORS vectors, sync_handler

// The guest's own exception: print ESR_EL1, FAR_EL1 (for an abort), ELR_EL1; power off.
sync_handler:
	mrs x19, esr_el1
	mrs x20, far_el1
	mrs x21, elr_el1
	print "matrix: guest fault ESR_EL1 "
	mov x0, x19
	bl guest_puthex
	lsr x0, x19, #26
	mov x1, #0x3a                                 // EC 0x20, 0x21, 0x24, 0x25: aborts
	and x0, x0, x1
	cmp x0, #0x20
	b.ne 1f
	print " FAR_EL1 "
	mov x0, x20
	bl guest_puthex
1:	print " ELR_EL1 "
	mov x0, x21
	bl guest_puthex
	mov w0, #'\n'
	bl guest_putc
	b power_off
