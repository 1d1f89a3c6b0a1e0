/* SPDX-License-Identifier: MIT */
/*
 * The frame of callee-saved registers (ra, s0..s11: the RISC-V calling
 * convention) that switch.S's bare_switch and vectors.S's
 * bare_enter_guest push on cvisor's stack and pop again; cpu_sched.c lays
 * a new thread's out the same way (FRAME_* there).
 */
#ifndef HAL_BARE_RISCV64_FRAME_H
#define HAL_BARE_RISCV64_FRAME_H

#define FRAME_BYTES 112

/* Pushes ra and s0..s11: sp goes down by FRAME_BYTES. */
.macro PUSH_CALLEE_SAVED
	addi sp, sp, -FRAME_BYTES
	sd ra, 0(sp)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd s\n, (8 + 8 * \n)(sp)
	.endr
.endm

/* Pops what PUSH_CALLEE_SAVED pushed. */
.macro POP_CALLEE_SAVED
	ld ra, 0(sp)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld s\n, (8 + 8 * \n)(sp)
	.endr
	addi sp, sp, FRAME_BYTES
.endm

#endif
