/* SPDX-License-Identifier: MIT */
/*
 * guest.h: what every RISC-V test guest shares. Include it from a .S file;
 * define `main` (called with a0 = hart id, a1 = the device tree's GPA) and
 * return 0 in a0 for success. The runtime prints through the 16550A at its
 * QEMU virt address and ends the VM through the SBI system reset extension:
 *   main returns 0      -> SBI SRST shutdown (cvisor exits 0)
 *   main returns not 0  -> "FAIL" and SBI SRST cold reboot (cvisor exits 1)
 * Helpers follow the psABI: a0..a2 arguments, a0 result, t0..t6 and a0..a7
 * clobbered, s0..s11 preserved.
 */
#ifndef GUEST_H
#define GUEST_H

#define UART_BASE 0x10000000
#define UART_THR 0
#define UART_IER 1
#define UART_LCR 3
#define UART_LSR 5
#define UART_SCR 7
#define LSR_THRE 0x20

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_SRST 0x53525354
#define HSM_HART_START 0
#define HSM_HART_STOP 1
#define HSM_HART_GET_STATUS 2
#define HSM_HART_SUSPEND 3
#define HSM_STARTED 0
#define HSM_STOPPED 1

/* sstatus, sie/sip bits and the interrupt scause values (privileged spec 4.1) */
#define SSTATUS_SIE 0x2
#define SSTATUS_SPIE 0x20
#define SSTATUS_SPP 0x100
#define SIP_SSIP 0x2
#define SIP_STIP 0x20
#define SIP_SEIP 0x200
#define CAUSE_SSI 0x8000000000000001
#define CAUSE_STI 0x8000000000000005
#define CAUSE_SEI 0x8000000000000009
#define SBI_EXT_CVISOR 0x0a637673
#define CVISOR_VERSION 0
#define CVISOR_PUTCHAR 1
#define CVISOR_ADD 2
#define CVISOR_VCPU_ID 3

/* Prints a string literal. */
.macro print str
	la a0, 9998f
	call guest_puts
	.pushsection .rodata
9998:	.asciz "\str"
	.popsection
.endm

/* If reg != expected: print "FAIL: what (got 0x...)" and end. */
.macro check reg, expected, what
	li t6, \expected
	beq \reg, t6, 9997f
	mv a1, \reg
	la a0, 9996f
	call guest_fail_value
	.pushsection .rodata
9996:	.asciz "\what"
	.popsection
9997:
.endm

/* If reg != other register: print "FAIL: what (got 0x...)" and end. */
.macro check_eq reg, other, what
	beq \reg, \other, 9995f
	mv a1, \reg
	la a0, 9994f
	call guest_fail_value
	.pushsection .rodata
9994:	.asciz "\what"
	.popsection
9995:
.endm

/* An SBI call: a7 = eid, a6 = fid (a0.. set by the caller). */
.macro sbi eid, fid
	li a7, \eid
	li a6, \fid
	ecall
.endm

/*
 * Sv39 (privileged spec 4.4): PTE bits D A G U X W R V, and satp's mode.
 * A PTE with R = W = X = 0 points to the next level's table.
 */
#define PTE_V 0x01
#define PTE_TABLE PTE_V
#define PTE_RWX 0xcf               // D A X W R V
#define PTE_RW 0xc7                // D A W R V
#define PTE_RO 0x43                // A R V
#define SATP_SV39 (8 << 60)

// Stores the PTE for physical address \pa (a register) with \flags at \table[\index].
// Clobbers t0, t1.
.macro pte table, index, pa, flags
	la t0, \table
	li t1, \index * 8
	add t0, t0, t1
	srli t1, \pa, 12
	slli t1, t1, 10
	ori t1, t1, \flags
	sd t1, 0(t0)
.endm

.macro GUEST_RUNTIME
	.section .text.boot, "ax"
	.global _start
_start:
	la sp, stack_top
	call main
	bnez a0, 1f
	li a0, 0            /* shutdown */
	li a1, 0
	sbi SBI_EXT_SRST, 0
	j .
1:	la a0, guest_fail_msg
	call guest_puts
	li a0, 1            /* cold reboot */
	li a1, 0
	sbi SBI_EXT_SRST, 0
	j .

	.text
/* guest_putc(a0 = byte): waits for LSR.THRE, then writes THR. */
	.global guest_putc
guest_putc:
	li t0, UART_BASE
1:	lbu t1, UART_LSR(t0)
	andi t1, t1, LSR_THRE
	beqz t1, 1b
	sb a0, UART_THR(t0)
	ret

/* guest_puts(a0 = string). */
	.global guest_puts
guest_puts:
	mv t2, ra
	mv t3, a0
1:	lbu a0, 0(t3)
	beqz a0, 2f
	call guest_putc
	addi t3, t3, 1
	j 1b
2:	mv ra, t2
	ret

/* guest_putdec(a0): the unsigned number in decimal. Uses t0..t5. */
	.global guest_putdec
guest_putdec:
	mv t4, ra
	addi sp, sp, -32
	mv t5, sp                       // digits, last first
	li t1, 10
1:	remu t0, a0, t1
	addi t0, t0, '0'
	sb t0, 0(t5)
	addi t5, t5, 1
	divu a0, a0, t1
	bnez a0, 1b
2:	addi t5, t5, -1
	lbu a0, 0(t5)
	call guest_putc
	bne t5, sp, 2b
	addi sp, sp, 32
	mv ra, t4
	ret

/* guest_puthex(a0): "0x" and 16 hex digits. */
	.global guest_puthex
guest_puthex:
	mv t4, ra
	mv t5, a0
	li a0, '0'
	call guest_putc
	li a0, 'x'
	call guest_putc
	li t3, 60
1:	srl a0, t5, t3
	andi a0, a0, 15
	li t1, 10
	blt a0, t1, 2f
	addi a0, a0, 'a' - '0' - 10
2:	addi a0, a0, '0'
	call guest_putc
	addi t3, t3, -4
	bgez t3, 1b
	mv ra, t4
	ret

/* guest_fail_value(a0 = what, a1 = value): "FAIL: what (got 0x...)", then reboot. */
	.global guest_fail_value
guest_fail_value:
	mv s10, a0
	mv s11, a1
	la a0, guest_fail_prefix
	call guest_puts
	mv a0, s10
	call guest_puts
	la a0, guest_fail_got
	call guest_puts
	mv a0, s11
	call guest_puthex
	li a0, ')'
	call guest_putc
	li a0, '\n'
	call guest_putc
	li a0, 1
	li a1, 0
	sbi SBI_EXT_SRST, 0
	j .

	.section .rodata
guest_fail_msg:
	.asciz "FAIL\n"
guest_fail_prefix:
	.asciz "FAIL: "
guest_fail_got:
	.asciz " (got "
	.text
.endm

#endif
