// SPDX-License-Identifier: MIT
// HS-mode's trap vector, and the world switch through it: entering the
// guest by SRET with hstatus.SPV set, leaving it by a trap (RISC-V
// Privileged Architecture 1.12, 8.6.2 "Trap entry", 8.6.4 "Trap return").
//
// General registers only; the VS-level CSRs, sepc, sstatus.SPP and
// hstatus.SPV are set in C (vcpu.c) before the SRET.
//   bare_enter_guest(ctx): pushes cvisor's ra and s0..s11 on its stack,
//   keeps its sp in ctx->host_sp and ctx in the hart's pcpu->guest, puts
//   the pcpu in sscratch, loads x1..x31 from ctx and SRETs to the guest.
//   A trap from the guest stores x1..x31 into ctx, restores cvisor's
//   registers and returns from bare_enter_guest; vcpu.c reads scause.
//   A trap while cvisor itself runs is a bug: bare_hyp_fault() panics.
//
// Telling the two apart (the scheme of xv6's and Linux's entry code):
// while a guest runs sscratch holds this hart's struct pcpu, while cvisor
// runs it holds 0 and tp holds the pcpu. The first instruction swaps tp
// and sscratch: a non-zero tp means the trap came from the guest.
//
// struct guest_ctx (vcpu.c): x0..x31 at 0..248 (x0's slot unused), host_sp at 256.
// struct pcpu (hal_arch.h): guest at 0, scratch at 24.

#include "frame.h"

	.text
	.global bare_enter_guest
bare_enter_guest:
	PUSH_CALLEE_SAVED
	sd sp, 256(a0)                   // ctx->host_sp
	sd a0, 0(tp)                     // this hart's pcpu->guest = ctx
	csrw sscratch, tp                // the pcpu, for the trap
	.irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld x\n, (\n * 8)(a0)
	.endr
	ld a0, 80(a0)                    // x10 last: it held ctx
	sret

	.balign 4
	.global hs_trap_vector
hs_trap_vector:
	csrrw tp, sscratch, tp           // from the guest: tp = pcpu, sscratch = the guest's tp
	beqz tp, hyp_fault
	sd t0, 24(tp)                    // pcpu->scratch = the guest's t0
	ld t0, 0(tp)                     // ctx
	.irp n, 1,2,3,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd x\n, (\n * 8)(t0)
	.endr
	ld t1, 24(tp)
	sd t1, 40(t0)                    // x5 (t0)
	csrr t1, sscratch
	sd t1, 32(t0)                    // x4 (tp)
	csrw sscratch, zero              // cvisor runs: sscratch 0, tp the pcpu
	ld sp, 256(t0)
	POP_CALLEE_SAVED
	ret                              // from bare_enter_guest

// A trap while cvisor itself runs in HS-mode: a bug in cvisor.
hyp_fault:
	csrrw tp, sscratch, tp           // tp = the pcpu again, sscratch = 0
	csrr a0, scause
	csrr a1, sepc
	csrr a2, stval
	j bare_hyp_fault
