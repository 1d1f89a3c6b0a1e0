// SPDX-License-Identifier: MIT
// Switching between cvisor's own threads on one physical CPU (xv6's
// swtch.S), and a vCPU's FP/SIMD registers.
//
// bare_switch(save_sp, new_sp): the AAPCS64 makes x19..x29, x30 (the
// return address) and SP the registers a called function must keep
// (Procedure Call Standard for the Arm 64-bit Architecture, 6.1.1), so
// they are all a thread needs saved when it calls bare_switch(): they go
// into a 96-byte frame on its own stack, its SP into *save_sp; then SP
// becomes new_sp, the frame there is loaded, and `ret` continues the
// other thread where it called bare_switch() (or, the first time, at
// bare_thread_start). cvisor is built with -mgeneral-regs-only: no FP
// register is live in cvisor's own code. The system registers of EL2
// (TPIDR_EL2, VBAR_EL2, ...) belong to the physical CPU, which a thread
// never leaves; those of the guests are switched in vcpu.c.
//
// A new thread's frame (sched_spawn) holds x19 = its function, x20 = its
// argument, x30 = bare_thread_start.

	.text
	.global bare_switch
bare_switch:
	sub sp, sp, #96
	stp x19, x20, [sp, #0]
	stp x21, x22, [sp, #16]
	stp x23, x24, [sp, #32]
	stp x25, x26, [sp, #48]
	stp x27, x28, [sp, #64]
	stp x29, x30, [sp, #80]
	mov x2, sp
	str x2, [x0]
	mov sp, x1
	ldp x19, x20, [sp, #0]
	ldp x21, x22, [sp, #16]
	ldp x23, x24, [sp, #32]
	ldp x25, x26, [sp, #48]
	ldp x27, x28, [sp, #64]
	ldp x29, x30, [sp, #80]
	add sp, sp, #96
	ret

	.global bare_thread_start
bare_thread_start:
	mov x0, x20
	blr x19
	bl sched_exit                    // never returns

// The FP/SIMD registers of a vCPU (ARM ARM A1.4, V0..V31, FPCR, FPSR) in
// struct fp_regs: q0..q31 at 0..511, FPCR at 512, FPSR at 520. Guests
// use them without a trap (CPTR_EL2.TFP clear), so each vCPU has its own
// and a physical CPU switches them with the vCPU's EL1 state.
.macro FP_Q op
	\op q0, q1, [x0, #0]
	\op q2, q3, [x0, #32]
	\op q4, q5, [x0, #64]
	\op q6, q7, [x0, #96]
	\op q8, q9, [x0, #128]
	\op q10, q11, [x0, #160]
	\op q12, q13, [x0, #192]
	\op q14, q15, [x0, #224]
	\op q16, q17, [x0, #256]
	\op q18, q19, [x0, #288]
	\op q20, q21, [x0, #320]
	\op q22, q23, [x0, #352]
	\op q24, q25, [x0, #384]
	\op q26, q27, [x0, #416]
	\op q28, q29, [x0, #448]
	\op q30, q31, [x0, #480]
.endm

	.global bare_fp_save
bare_fp_save:
	FP_Q stp
	mrs x1, fpcr
	mrs x2, fpsr
	str x1, [x0, #512]
	str x2, [x0, #520]
	ret

	.global bare_fp_load
bare_fp_load:
	FP_Q ldp
	ldr x1, [x0, #512]
	ldr x2, [x0, #520]
	msr fpcr, x1
	msr fpsr, x2
	ret
