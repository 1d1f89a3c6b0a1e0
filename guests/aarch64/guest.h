/* SPDX-License-Identifier: MIT */
/*
 * guest.h: what every AArch64 test guest shares. Include it from a .S file;
 * define the symbol `main` (called with x0 = the device tree's GPA) and
 * return 0 from it for success. The runtime prints through the PL011 at
 * its QEMU virt address and ends the VM through PSCI:
 *   main returns 0      -> PSCI SYSTEM_OFF (cvisor exits 0)
 *   main returns not 0  -> "FAIL" and PSCI SYSTEM_RESET (cvisor exits 1)
 *
 * Calling convention of the helpers (AAPCS64): arguments in x0..x2,
 * result in x0, x0..x15 may be clobbered, x19..x28 are preserved.
 */
#ifndef GUEST_H
#define GUEST_H

#define UART_BASE 0x09000000
#define UART_DR 0x000
#define UART_FR 0x018
#define UART_IBRD 0x024
#define UART_FBRD 0x028
#define UART_LCR_H 0x02c
#define UART_CR 0x030
#define UART_IMSC 0x038
#define UART_RIS 0x03c
#define UART_PERIPHID0 0xfe0
#define UART_PCELLID0 0xff0

/* The GICv3 of QEMU virt (cvisor/gicv3.h): distributor, redistributors (128 KiB each). */
#define GICD_BASE 0x08000000
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8
#define GICR_BASE 0x080a0000
#define GICR_STRIDE 0x20000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000           /* SGI_base: its registers at GICD's offsets */
#define GIC_PPI_CNTV 27            /* the virtual timer's INTID */
#define GIC_PPI_CNTP 30            /* the EL1 physical timer's INTID */

#define PSCI_VERSION 0x84000000
#define PSCI_CPU_ON 0xc4000003
#define PSCI_AFFINITY_INFO 0xc4000004
#define PSCI_SYSTEM_OFF 0x84000008
#define PSCI_SYSTEM_RESET 0x84000009
#define PSCI_FEATURES 0x8400000a
#define SMCCC_VERSION 0x80000000
#define CVISOR_CALL(nr) (0xc6000000 + (nr))
#define CVISOR_VERSION 0
#define CVISOR_PUTCHAR 1
#define CVISOR_ADD 2
#define CVISOR_VCPU_ID 3

/* Loads a 32-bit constant into a register. */
.macro li reg, val
	movz \reg, #((\val) & 0xffff)
	movk \reg, #(((\val) >> 16) & 0xffff), lsl #16
.endm

/* Prints a string literal. Clobbers x0..x3, x30. */
.macro print str
	adr x0, 9998f
	bl guest_puts
	.pushsection .rodata
9998:	.asciz "\str"
	.popsection
.endm

/* If reg != expected (a 32-bit constant): print "FAIL: what" and end. */
.macro check reg, expected, what
	li x16, \expected
	cmp \reg, x16
	b.eq 9997f
	mov x17, \reg
	adr x0, 9996f
	bl guest_fail_value
	.pushsection .rodata
9996:	.asciz "\what"
	.popsection
9997:
.endm

/* Same with a 64-bit comparison against another register. */
.macro check_reg reg, expected_reg, what
	cmp \reg, \expected_reg
	b.eq 9995f
	mov x17, \reg
	adr x0, 9994f
	bl guest_fail_value
	.pushsection .rodata
9994:	.asciz "\what"
	.popsection
9995:
.endm

/*
 * MMU_TTBR0 reg: the stage-1 registers of a guest that maps only through
 * TTBR0 (ARM ARM D17.2): MAIR_EL1 Attr0 Normal write-back, Attr1
 * Device-nGnRnE; TCR_EL1 T0SZ 25 (39-bit VAs, walks from level 1), 4 KiB
 * granule, write-back inner shareable walks, EPD1 (no TTBR1 walks), IPS 40
 * bits; TTBR0_EL1 = reg, the level-1 table. Then MMU_ON. Clobbers x0.
 */
.macro MMU_TTBR0 reg
	mov x0, #0xff
	msr mair_el1, x0
	li x0, (25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))
	movk x0, #2, lsl #32
	msr tcr_el1, x0
	msr ttbr0_el1, \reg
.endm

/*
 * MMU_ON: turns stage 1 on once its registers are written: no stale TLB
 * entry (TLBI VMALLE1), then SCTLR_EL1.M with the data and instruction
 * caches (C, I). Clobbers x0, x1.
 */
.macro MMU_ON
	isb
	tlbi vmalle1
	dsb nsh
	isb
	mrs x0, sctlr_el1
	mov x1, #(1 | (1 << 2) | (1 << 12))           // M, C, I
	orr x0, x0, x1
	msr sctlr_el1, x0
	isb
.endm

/*
 * A vector table (ARM ARM D1.10.2 "Exception vectors"): 16 entries of 0x80
 * bytes, 2 KiB aligned. Only "synchronous, current EL with SP_ELx" (offset
 * 0x200) goes to \sync; any other entry prints FAIL with ESR_EL1 and ends.
 */
.macro VECTORS name, sync
	.text
	.balign 2048
\name:
	.rept 4
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	b \sync
	.rept 11
	.balign 0x80
	b guest_unexpected_vector
	.endr
.endm

/*
 * The same with an IRQ vector too: "IRQ, current EL with SP_ELx" (offset
 * 0x280) goes to \irq.
 */
.macro VECTORS_IRQ name, sync, irq
	.text
	.balign 2048
\name:
	.rept 4
	.balign 0x80
	b guest_unexpected_vector
	.endr
	.balign 0x80
	b \sync
	.balign 0x80
	b \irq
	.rept 10
	.balign 0x80
	b guest_unexpected_vector
	.endr
.endm

/*
 * GIC_CPU_UP cpu_reg: brings up the GICv3 for the calling vCPU whose index
 * is in cpu_reg (IHI 0069 12.11.42 GICR_WAKER, 12.2 ICC_*): its
 * redistributor awake (ProcessorSleep cleared, then ChildrenAsleep polled
 * until 0), group 1 on in the distributor (EnableGrp1), its CPU
 * interface's system registers on (ICC_SRE_EL1.SRE checked by the caller),
 * priority mask 0xf0 (lets 0x00..0xe8 through), binary point 0 (reads as
 * the minimum), group 1 enabled. Clobbers x0, x1.
 */
.macro GIC_CPU_UP cpu_reg
	li x0, GICR_BASE
	mov x1, #GICR_STRIDE
	madd x0, \cpu_reg, x1, x0
	ldr w1, [x0, #GICR_WAKER]
	bic w1, w1, #2
	str w1, [x0, #GICR_WAKER]
9993:	ldr w1, [x0, #GICR_WAKER]
	tbnz w1, #2, 9993b
	li x0, GICD_BASE
	ldr w1, [x0, #GICD_CTLR]
	orr w1, w1, #2
	str w1, [x0, #GICD_CTLR]
	mov x0, #0xf0
	msr icc_pmr_el1, x0
	msr icc_bpr1_el1, xzr
	mov x0, #1
	msr icc_igrpen1_el1, x0
	isb
.endm

/*
 * GIC_PPI_ON cpu_reg, intid, prio: PPI or SGI intid of vCPU cpu_reg in group
 * 1 with priority prio, enabled (its redistributor's SGI_base frame).
 * Clobbers x0, x1, x2.
 */
.macro GIC_PPI_ON cpu_reg, intid, prio
	li x0, (GICR_BASE + GICR_SGI)
	mov x1, #GICR_STRIDE
	madd x0, \cpu_reg, x1, x0
	ldr w1, [x0, #GICD_IGROUPR]
	mov w2, #(1 << (\intid))
	orr w1, w1, w2
	str w1, [x0, #GICD_IGROUPR]
	mov w1, #(\prio)
	strb w1, [x0, #(GICD_IPRIORITYR + (\intid))]
	str w2, [x0, #GICD_ISENABLER]
.endm

/* The entry point, stack and helpers. Put GUEST_RUNTIME once in each guest. */
.macro GUEST_RUNTIME
	.section .text.boot, "ax"
	.global _start
_start:
	ldr x1, =stack_top
	mov sp, x1
	bl main
	cbnz x0, 1f
	li x0, PSCI_SYSTEM_OFF
	hvc #0
	b .
1:	adr x0, guest_fail_msg
	bl guest_puts
	li x0, PSCI_SYSTEM_RESET
	hvc #0
	b .

	.text
/* guest_putc(w0 = byte): polls FR.TXFF, then writes DR. */
	.global guest_putc
guest_putc:
	li x1, UART_BASE
1:	ldr w2, [x1, #UART_FR]
	tbnz w2, #5, 1b
	strb w0, [x1, #UART_DR]
	ret

/* guest_puts(x0 = NUL-terminated string). */
	.global guest_puts
guest_puts:
	mov x3, x30
	mov x2, x0
1:	ldrb w0, [x2], #1
	cbz w0, 2f
	mov x4, x2
	bl guest_putc
	mov x2, x4
	b 1b
2:	mov x30, x3
	ret

/* guest_puthex(x0): prints "0x" and 16 hex digits. */
	.global guest_puthex
guest_puthex:
	mov x5, x30
	mov x6, x0
	mov w0, #'0'
	bl guest_putc
	mov w0, #'x'
	bl guest_putc
	mov x7, #60
1:	lsr x0, x6, x7
	and x0, x0, #0xf
	cmp x0, #10
	add x8, x0, #'0'
	add x9, x0, #('a' - 10)
	csel x0, x8, x9, lo
	bl guest_putc
	subs x7, x7, #4
	b.pl 1b
	mov x30, x5
	ret

/* guest_fail_value(x0 = what, x17 = value): prints "FAIL: what (got 0x...)" and resets. */
	.global guest_fail_value
guest_fail_value:
	mov x19, x0
	mov x20, x17
	adr x0, guest_fail_prefix
	bl guest_puts
	mov x0, x19
	bl guest_puts
	adr x0, guest_fail_got
	bl guest_puts
	mov x0, x20
	bl guest_puthex
	mov w0, #')'
	bl guest_putc
	mov w0, #'\n'
	bl guest_putc
	li x0, PSCI_SYSTEM_RESET
	hvc #0
	b .

/* An exception at a vector the guest does not expect. */
guest_unexpected_vector:
	mrs x17, esr_el1
	adr x0, guest_unexpected_msg
	bl guest_fail_value

	.section .rodata
guest_unexpected_msg:
	.asciz "exception at an unexpected vector, ESR_EL1"
guest_fail_msg:
	.asciz "FAIL\n"
guest_fail_prefix:
	.asciz "FAIL: "
guest_fail_got:
	.asciz " (got "
	.text
.endm

#endif
