// SPDX-License-Identifier: MIT
// mmu: the guest builds its own Sv39 tables (Privileged 4.4) and turns its
// MMU on (satp MODE 8). Unicorn's MMU walks them; cvisor's walker explains
// the guest's own page fault and the stage-2 fault at the end:
//
//   VA 0x1000_0000 (megapage)          -> the UART            identity, for the runtime's helpers
//   VA 0x4000_0000 (page)              -> data page           read-write alias
//   VA 0x4000_1000 (page)              -> data page           read-write alias
//   VA 0x4000_2000 (page)              -> data page           read-only alias
//   VA 0x4000_3000 (page)              -> the UART            a second VA for the device
//   VA 0x4000_4000 (page)              -> GPA 0x7000_0000     fine for stage 1, not RAM
//   VA 0x8020_0000 (megapage)          -> the image           identity
//   VA 0xffff_ffc0_0000_0000 (gigapage) -> 0x8000_0000        the high half, where it then runs
//
// It writes through one alias and reads through the other, prints through
// the UART's second VA, jumps to the high half, takes a store page fault
// on the read-only alias in its own handler (scause 15, stval = the VA)
// and skips the store, then stores through VA 0x4000_4000: cvisor stops
// the VM with a stage-2 fault naming GPA 0x7000_0000.
#include "guest.h"

#define ALIAS_W 0x40000000
#define ALIAS_R 0x40001000
#define ALIAS_RO 0x40002000
#define UART_VA 0x40003000
#define WILD_VA 0x40004000
#define WILD_PA 0x70000000
#define HIGH_OFFSET 0xffffffbf80000000   // 0xffff_ffc0_0000_0000 - 0x8000_0000

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	print "mmu: building Sv39 tables\n"
	// root[0] -> l2_dev; l2_dev[128]: megapage VA 0x1000_0000 -> the UART.
	la a2, l2_dev
	pte root, 0, a2, PTE_TABLE
	li a2, UART_BASE
	pte l2_dev, 128, a2, PTE_RW
	// root[1] -> l2_alias -> l3_alias: the 4 KiB pages at VA 0x4000_0000.
	la a2, l2_alias
	pte root, 1, a2, PTE_TABLE
	la a2, l3_alias
	pte l2_alias, 0, a2, PTE_TABLE
	la a2, data
	pte l3_alias, 0, a2, PTE_RW
	pte l3_alias, 1, a2, PTE_RW
	pte l3_alias, 2, a2, PTE_RO
	li a2, UART_BASE
	pte l3_alias, 3, a2, PTE_RW
	li a2, WILD_PA
	pte l3_alias, 4, a2, PTE_RW
	// root[2] -> l2_id; l2_id[1]: megapage VA 0x8020_0000 -> the image (identity).
	la a2, l2_id
	pte root, 2, a2, PTE_TABLE
	li a2, 0x80200000
	pte l2_id, 1, a2, PTE_RWX
	// root[256]: gigapage VA 0xffff_ffc0_0000_0000 -> 0x8000_0000.
	li a2, 0x80000000
	pte root, 256, a2, PTE_RWX

	la t0, handler
	csrw stvec, t0
	la t0, root
	srli t0, t0, 12
	li t1, SATP_SV39
	or t0, t0, t1
	sfence.vma
	csrw satp, t0
	sfence.vma
	print "mmu: on, running at its identity map\n"

	// The alias: two VAs, one page.
	li t0, ALIAS_W
	li s2, 0x12345678abcdef00
	sd s2, 0(t0)
	li t0, ALIAS_R
	ld s3, 0(t0)
	check_eq s3, s2, "read through the second alias"
	ld t0, data                     // and through the identity map
	check_eq t0, s2, "read through the identity map"
	print "mmu: alias: wrote "
	mv a0, s2
	call guest_puthex
	print " through VA 0x40000000, read "
	mv a0, s3
	call guest_puthex
	print " through VA 0x40001000\n"

	// The UART through its second VA.
	li s1, UART_VA
	la s4, uart_msg
1:	lbu a0, 0(s4)
	beqz a0, 3f
2:	lbu t1, UART_LSR(s1)
	andi t1, t1, LSR_THRE
	beqz t1, 2b
	sb a0, UART_THR(s1)
	addi s4, s4, 1
	j 1b
3:
	// Jump to the high half: the same code, 0xffff_ffbf_8000_0000 higher.
	la t0, high
	li t1, HIGH_OFFSET
	add t0, t0, t1
	jr t0

	.global high
high:
	auipc s5, 0                     // where it runs now
	srli t0, s5, 38
	li t1, 0x3ffffff                // bits 63:38 all ones: the high half
	check_eq t0, t1, "running in the high half"
	print "mmu: running at "
	mv a0, s5
	call guest_puthex
	print "\n"

	// A store to the read-only alias: the guest's own page fault.
	li t0, ALIAS_RO
	li t1, 0x5555
	.option push
	.option norvc
	.global ro_store
ro_store:
	sd t1, 0(t0)                    // skipped by the handler
	.option pop
	ld t0, seen_cause
	check t0, 15, "scause of the store to the read-only alias"
	ld t0, seen_tval
	check t0, ALIAS_RO, "stval of the store to the read-only alias"
	ld t0, seen_epc
	lla t1, ro_store                // pc-relative: its high-half VA
	check_eq t0, t1, "sepc of the store to the read-only alias"
	ld t0, data
	check_eq t0, s2, "the page after the refused store"
	print "mmu: store to the read-only alias: scause 15 stval 0x40002000, skipped\n"

	// Stage 1 is fine, the GPA is not RAM: cvisor stops the VM here.
	print "mmu: storing through VA 0x40004000 (GPA 0x70000000)\n"
	li t0, WILD_VA
	li t1, 0x77
	.global wild_store
wild_store:
	sw t1, 0(t0)
	print "mmu: still running after the stage-2 fault\n"
	li a0, 1
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

// The guest's trap handler: records scause, sepc, stval and skips the
// 4-byte instruction.
	.balign 4
handler:
	addi sp, sp, -16
	sd t0, 0(sp)
	sd t1, 8(sp)
	la t1, seen_cause
	csrr t0, scause
	sd t0, 0(t1)
	csrr t0, sepc
	sd t0, 8(t1)
	csrr t0, stval
	sd t0, 16(t1)
	csrr t0, sepc
	addi t0, t0, 4
	csrw sepc, t0
	ld t0, 0(sp)
	ld t1, 8(sp)
	addi sp, sp, 16
	sret

	.section .rodata
uart_msg:
	.asciz "mmu: printed through the UART at VA 0x40003000\n"

	.data
	.balign 8
seen_cause: .dword 0
seen_epc: .dword 0
seen_tval: .dword 0

	.bss
	.balign 4096
root: .skip 4096
l2_dev: .skip 4096
l2_alias: .skip 4096
l3_alias: .skip 4096
l2_id: .skip 4096
	.global data
data: .skip 4096
