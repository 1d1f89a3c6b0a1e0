// SPDX-License-Identifier: MIT
// Switching between cvisor's threads on one hart (xv6's swtch.S), and the
// FP registers of a vCPU (vcpu.c switches them when another vCPU runs).
//
//   bare_switch(save_sp, new_sp): pushes ra and the callee-saved s0..s11
//   (the RISC-V calling convention: the rest is the caller's to save),
//   stores sp in *save_sp, takes new_sp and pops what was pushed there.
//   A new thread's first frame (cpu_sched.c) pops into bare_thread_start
//   with s0 = its function and s1 = its argument.

#include "frame.h"

	.text
	.global bare_switch
bare_switch:
	PUSH_CALLEE_SAVED
	sd sp, 0(a0)
	mv sp, a1
	POP_CALLEE_SAVED
	ret

	.global bare_thread_start
bare_thread_start:
	mv a0, s1
	jalr s0
	call sched_exit
1:	j 1b

// The 32 FP registers and fcsr (struct fp_regs in vcpu.c: f0..f31, then fcsr).
	.global bare_fp_save
bare_fp_save:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd f\n, (\n * 8)(a0)
	.endr
	frcsr t0
	sd t0, 256(a0)
	ret

	.global bare_fp_load
bare_fp_load:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld f\n, (\n * 8)(a0)
	.endr
	ld t0, 256(a0)
	fscsr t0
	ret
