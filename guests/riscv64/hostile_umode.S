// SPDX-License-Identifier: MIT
// hostile_umode: S-mode -> U-mode -> S-mode thousands of times, taking
// every kind of synchronous exception the guest owns from both modes, and
// checking each trap entry as the Privileged Architecture (v1.12) says it
// is made (3.1.6.1, 4.1.1 sstatus, 4.1.2 stvec, 4.1.7 sepc, 4.1.8 scause,
// 4.1.9 stval):
//   the handler runs in S-mode      its first instructions are S-mode CSR accesses
//   sstatus.SPP                     the mode the trap came from (0 U, 1 S)
//   sstatus.SPIE, SIE               SPIE = SIE at the trap, SIE = 0
//   sepc, scause, stval             the instruction, the cause, the address or bits
//   PC                              stvec.BASE, in direct and in vectored mode
// and each sret returns to the mode SPP names: the U-mode sequence goes on
// with a `csrr sstatus` that must trap, and every trap is counted.
//
// From U-mode: ecall (scause 8), csrr of an S-mode CSR (2), c.unimp (2),
// ebreak and c.ebreak (3), sret (2); with the guest's Sv39 tables on
// (satp MODE 8) also a load from a page without U (13), a store to a
// read-only U page (15) and a jump to a U page without X (12). From
// S-mode: csrr of an M-mode CSR (2), ebreak (3), with the MMU on a load
// from a U page with sstatus.SUM clear (13); and an ecall, which from the
// guest's S-mode (VS-mode) is an SBI call the hypervisor answers, never a
// trap to its own stvec (hedeleg cannot delegate it, 8.4.2).
//
// Part 1 runs with satp Bare, part 2 with Sv39:
//   VA 0x1000_0000 (megapage)  -> the UART             S only, for the runtime
//   VA 0x4000_0000 (page)      -> u_page (the U code)   U R X
//   VA 0x4000_1000 (page)      -> s_data                R W, no U
//   VA 0x4000_2000 (page)      -> u_ro                  U R
//   VA 0x4000_3000 (page)      -> u_stack               U R W, no X: the U stack
//   VA 0x8020_0000 (megapage)  -> the image (identity)  R W X, no U
// In part 2 U-mode runs its code at VA 0x4000_0000: the handler adds that
// alias's offset to the U-mode addresses it expects.
#include "guest.h"

#define ROUNDS 1000
#define PTE_URX 0x5b               // A U X R V
#define PTE_UR 0x53                // A U R V
#define PTE_URW 0xd7               // D A U W R V
#define U_CODE_VA 0x40000000
#define S_DATA_VA 0x40001000
#define U_RO_VA 0x40002000
#define U_STACK_VA 0x40003000
#define SSTATUS_SIE 0x2
#define SSTATUS_SPIE 0x20
#define SSTATUS_SPP 0x100

// flags of an expected trap
#define F_FROM_S 1                 // taken in S-mode: SPP = 1, addresses are identity
#define F_RESUME_S 2               // the handler returns to S-mode (SPP <- 1)
#define F_TVAL_INSN 4              // stval = the instruction's bits
#define F_TVAL_EPC 8               // stval = sepc
#define F_ABS 16                   // sepc is the VA given, not moved to the U alias

// One expected trap: 8 dwords (cause, sepc, stval, flags, resume, 3 unused).
.macro expect cause, epc, tval, flags, resume
	.dword \cause, \epc, \tval, \flags, \resume, 0, 0, 0
.endm

	GUEST_RUNTIME

	.global main
main:
	addi sp, sp, -16
	sd ra, 0(sp)
	print "hostile_umode: S -> U -> S, satp Bare\n"
	la a0, table_bare
	li a1, 9
	li a2, 0
	call rounds
	print "hostile_umode: S -> U -> S, satp Bare: ok\n"

	call build_tables
	la t0, root
	srli t0, t0, 12
	li t1, SATP_SV39
	or t0, t0, t1
	sfence.vma
	csrw satp, t0
	sfence.vma
	print "hostile_umode: S -> U -> S, Sv39\n"
	la a0, table_mmu
	li a1, 13
	li t0, U_CODE_VA
	la t1, u_page
	sub a2, t0, t1
	call rounds
	print "hostile_umode: S -> U -> S, Sv39: ok\n"

	ld t0, traps
	check t0, ROUNDS * 22, "traps taken in all"
	print "hostile_umode: all ok\n"
	li a0, 0
	ld ra, 0(sp)
	addi sp, sp, 16
	ret

// rounds(a0 = table, a1 = traps per round, a2 = U alias offset): ROUNDS
// times, enter U-mode at u_seq, take the table's traps, and check the
// state sret leaves in S-mode. Part 2 (a2 != 0) runs the U page faults and
// the S-mode load from a U page too.
rounds:
	addi sp, sp, -64
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	sd s7, 24(sp)
	sd s8, 32(sp)
	sd s9, 40(sp)
	mv s7, a0
	mv s8, a1
	mv s9, a2
	la t0, cur_table
	sd s7, 0(t0)
	la t0, delta
	sd s9, 0(t0)
	li s0, 0                        // round
1:	// Round parity: SIE in U-mode (SPIE before the sret) and stvec's mode.
	andi s1, s0, 1
	slli s1, s1, 5                  // 0 or SSTATUS_SPIE
	la t0, exp_spie
	sd s1, 0(t0)
	la t0, step
	sd zero, 0(t0)
	la t0, handler
	andi t1, s0, 2
	srli t1, t1, 1                  // MODE: 0 direct, 1 vectored
	or t0, t0, t1
	csrw stvec, t0
	// To U-mode: SPP = 0, SPIE = the parity, sepc = u_seq (through the alias in part 2).
	li t0, SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE
	csrc sstatus, t0
	csrs sstatus, s1
	la t0, u_seq
	add t0, t0, s9
	csrw sepc, t0
	la t0, s_sp
	sd sp, 0(t0)
	// U-mode's registers: its stack; s2 (S-only data), s3 (read-only U page),
	// s4 (U page without X), s6 = part 2.
	lla sp, u_stack + 4096
	li s2, S_DATA_VA
	li s3, U_RO_VA
	li s4, U_STACK_VA
	snez s6, s9
	beqz s9, 2f
	li sp, U_STACK_VA + 4096
2:	sret

	.global s_back
s_back:	// The last U-mode trap's handler returned here, in S-mode.
	ld sp, s_sp
	csrr t0, sstatus                // sret: SIE <- SPIE (the parity), SPIE <- 1, SPP <- U
	andi t1, t0, SSTATUS_SPP
	check t1, 0, "sstatus.SPP after sret to S-mode"
	andi t1, t0, SSTATUS_SPIE
	check t1, SSTATUS_SPIE, "sstatus.SPIE after sret to S-mode"
	andi t1, t0, SSTATUS_SIE
	slli t1, t1, 4
	check_eq t1, s1, "sstatus.SIE after sret to S-mode"

	// Traps taken in S-mode (SPP = 1), and an SBI call that must not be one.
	.global s_ill
s_ill:	csrr t1, mstatus                // M-mode CSR: illegal in S-mode
	.global s_ebreak
s_ebreak:
	.option push
	.option norvc
	ebreak
	.option pop
	beqz s9, 3f
	li t0, U_RO_VA                  // a U page, sstatus.SUM clear
	.global s_load
s_load:	ld t1, 0(t0)
3:	li a0, 20
	li a1, 21
	li a2, 1
	sbi SBI_EXT_CVISOR, CVISOR_ADD  // answered by the hypervisor
	check a0, 0, "SBI ADD error"
	check a1, 42, "SBI ADD from S-mode"
	ld t0, step
	check_eq t0, s8, "traps taken in one round"

	addi s0, s0, 1
	li t0, ROUNDS
	blt s0, t0, 1b
	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	ld s7, 24(sp)
	ld s8, 32(sp)
	ld s9, 40(sp)
	addi sp, sp, 64
	ret

// build_tables: the Sv39 tables of part 2 (see the top).
build_tables:
	la a2, l2_dev
	pte root, 0, a2, PTE_TABLE
	li a2, UART_BASE
	pte l2_dev, 128, a2, PTE_RW
	la a2, l2_alias
	pte root, 1, a2, PTE_TABLE
	la a2, l3_alias
	pte l2_alias, 0, a2, PTE_TABLE
	la a2, u_page
	pte l3_alias, 0, a2, PTE_URX
	la a2, s_data
	pte l3_alias, 1, a2, PTE_RW
	la a2, u_ro
	pte l3_alias, 2, a2, PTE_UR
	la a2, u_stack
	pte l3_alias, 3, a2, PTE_URW
	la a2, l2_id
	pte root, 2, a2, PTE_TABLE
	li a2, 0x80200000
	pte l2_id, 1, a2, PTE_RWX
	ret

// The trap handler, at stvec.BASE in both modes of stvec. It checks the
// entry against cur_table[step], then returns where that entry says. It
// keeps every register but t0..t6 of the trapping code's (saved), so
// U-mode's s2..s6 and sp survive.
	.balign 256
	.global handler
handler:
	csrw sscratch, t0               // an S-mode CSR: traps again if this runs in U-mode
	la t0, save
	sd t1, 8(t0)
	sd t2, 16(t0)
	sd t3, 24(t0)
	sd t4, 32(t0)
	sd t5, 40(t0)
	sd t6, 48(t0)
	sd a0, 56(t0)
	sd a1, 64(t0)
	sd ra, 72(t0)
	csrr t1, sscratch
	sd t1, 0(t0)

	csrr t1, sstatus
	andi t2, t1, SSTATUS_SIE
	check t2, 0, "sstatus.SIE on trap entry"
	ld t3, step
	slli t4, t3, 6
	ld t5, cur_table
	add t5, t5, t4                  // t5 = the expected trap
	ld t4, 24(t5)                   // flags
	andi t2, t1, SSTATUS_SPP
	andi t6, t4, F_FROM_S
	slli t6, t6, 8
	check_eq t2, t6, "sstatus.SPP on trap entry"
	andi t2, t1, SSTATUS_SPIE
	ld t6, exp_spie
	check_eq t2, t6, "sstatus.SPIE on trap entry"
	csrr t2, scause
	ld t6, 0(t5)
	check_eq t2, t6, "scause"
	// sepc: the table's address, moved to the U alias unless taken in S-mode or F_ABS.
	ld a0, 8(t5)                    // identity address (for the bits of the instruction)
	mv a1, a0
	andi t6, t4, F_FROM_S | F_ABS
	bnez t6, 1f
	ld t6, delta
	add a1, a1, t6
1:	csrr t2, sepc
	check_eq t2, a1, "sepc"
	// stval: the instruction's bits, sepc, or the table's value.
	ld t6, 16(t5)
	andi t2, t4, F_TVAL_EPC
	beqz t2, 2f
	mv t6, a1
2:	andi t2, t4, F_TVAL_INSN
	beqz t2, 3f
	lhu t6, 0(a0)
	andi t2, t6, 3
	li t3, 3
	bne t2, t3, 3f
	lwu t6, 0(a0)
3:	csrr t2, stval
	check_eq t2, t6, "stval"

	// Counted; return where the table says, in S-mode or in the mode of the trap.
	ld t3, step
	addi t3, t3, 1
	la t2, step
	sd t3, 0(t2)
	ld t3, traps
	addi t3, t3, 1
	la t2, traps
	sd t3, 0(t2)
	ld t6, 32(t5)
	andi t2, t4, F_RESUME_S | F_FROM_S
	bnez t2, 4f
	ld t2, delta
	add t6, t6, t2
4:	csrw sepc, t6
	andi t2, t4, F_RESUME_S
	beqz t2, 5f
	li t2, SSTATUS_SPP
	csrs sstatus, t2
5:	la t0, save
	ld t1, 8(t0)
	ld t2, 16(t0)
	ld t3, 24(t0)
	ld t4, 32(t0)
	ld t5, 40(t0)
	ld t6, 48(t0)
	ld a0, 56(t0)
	ld a1, 64(t0)
	ld ra, 72(t0)
	ld t0, 0(t0)
	sret

// The U-mode code: one page, run at its identity address (part 1) or at
// U_CODE_VA (part 2). It uses only the registers S-mode gave it.
	.balign 4096
	.global u_page
u_page:
	.global u_seq
u_seq:
	addi sp, sp, -16                // its own stack works
	sd s2, 0(sp)
	ld t0, 0(sp)
	addi sp, sp, 16
	.global u_ecall
u_ecall:
	ecall
	.global u_ill
u_ill:	csrr t1, sstatus                // S-mode CSR: illegal in U-mode (and proves sret went to U)
	.global u_ill_c
u_ill_c:
	.half 0x0000                    // c.unimp
	.global u_ebreak
u_ebreak:
	.option push
	.option norvc
	ebreak
	.option pop
	.global u_cebreak
u_cebreak:
	c.ebreak
	.global u_sret
u_sret:	sret                            // illegal in U-mode
	bnez s6, u_part2
	.global u_done
u_done:	ecall                           // back to S-mode
	j .
u_part2:
	.global u_load
u_load:	ld t1, 0(s2)                    // a page without U
	.global u_store
u_store:
	sd t1, 0(s3)                    // a read-only U page
	.global u_fetch
u_fetch:
	jr s4                           // a U page without X
	.global u_after_fetch
u_after_fetch:
	.global u_done2
u_done2:
	ecall                           // back to S-mode
	j .
	.balign 4096

	.section .rodata
	.balign 8
table_bare:
	expect 8, u_ecall, 0, 0, u_ecall + 4
	expect 2, u_ill, 0, F_TVAL_INSN, u_ill + 4
	expect 2, u_ill_c, 0, F_TVAL_INSN, u_ill_c + 2
	expect 3, u_ebreak, 0, F_TVAL_EPC, u_ebreak + 4
	expect 3, u_cebreak, 0, F_TVAL_EPC, u_cebreak + 2
	expect 2, u_sret, 0, F_TVAL_INSN, u_sret + 4
	expect 8, u_done, 0, F_RESUME_S, s_back
	expect 2, s_ill, 0, F_FROM_S | F_TVAL_INSN, s_ill + 4
	expect 3, s_ebreak, 0, F_FROM_S | F_TVAL_EPC, s_ebreak + 4
table_mmu:
	expect 8, u_ecall, 0, 0, u_ecall + 4
	expect 2, u_ill, 0, F_TVAL_INSN, u_ill + 4
	expect 2, u_ill_c, 0, F_TVAL_INSN, u_ill_c + 2
	expect 3, u_ebreak, 0, F_TVAL_EPC, u_ebreak + 4
	expect 3, u_cebreak, 0, F_TVAL_EPC, u_cebreak + 2
	expect 2, u_sret, 0, F_TVAL_INSN, u_sret + 4
	expect 13, u_load, S_DATA_VA, 0, u_load + 4
	expect 15, u_store, U_RO_VA, 0, u_store + 4
	expect 12, U_STACK_VA, U_STACK_VA, F_ABS, u_after_fetch
	expect 8, u_done2, 0, F_RESUME_S, s_back
	expect 2, s_ill, 0, F_FROM_S | F_TVAL_INSN, s_ill + 4
	expect 3, s_ebreak, 0, F_FROM_S | F_TVAL_EPC, s_ebreak + 4
	expect 13, s_load, U_RO_VA, F_FROM_S, s_load + 4

	.data
	.balign 8
step:	.dword 0
traps:	.dword 0
cur_table:	.dword 0
delta:	.dword 0
exp_spie:	.dword 0
s_sp:	.dword 0
save:	.space 80

	.bss
	.balign 4096
root:	.space 4096
l2_dev:	.space 4096
l2_alias:	.space 4096
l3_alias:	.space 4096
l2_id:	.space 4096
s_data:	.space 4096
u_ro:	.space 4096
u_stack:	.space 4096
