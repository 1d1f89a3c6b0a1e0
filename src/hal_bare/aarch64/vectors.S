// SPDX-License-Identifier: MIT
// EL2's exception vectors, and the world switch through them: entering the
// guest by ERET and leaving it by the vectors of a lower EL (ARM ARM D1.10).
//
// General registers only; the EL1 system registers are switched in C
// (vcpu.c), which also sets ELR_EL2 and SPSR_EL2 before the ERET.
//   bare_enter_guest(ctx): saves the hypervisor's callee-saved registers
//   on its stack and its SP in ctx->host_sp, keeps ctx in the physical
//   CPU's struct pcpu (TPIDR_EL2 points at it; ctx is its first field),
//   loads x0..x30 from ctx and ERETs to the guest.
//   A trap from the guest stores x0..x30 into ctx, restores the
//   hypervisor's registers and returns from bare_enter_guest with the
//   kind of exception (0 synchronous, 1 IRQ, 2 FIQ, 3 SError).
//   A trap while cvisor itself runs is a bug: bare_hyp_fault() panics.
//
// The vector table (VBAR_EL2, 2 KiB aligned) has four groups of four
// 128-byte entries, one per kind: from the current EL with SP_EL0, from
// the current EL with SP_EL2, from a lower EL in AArch64, in AArch32.

// The guest's x2..x29 in struct guest_ctx (x0, x1 and x30 are moved on
// their own): op is ldp to enter the guest, stp to leave it.
.macro GUEST_X2_X29 op
	\op x2, x3, [x0, #16]
	\op x4, x5, [x0, #32]
	\op x6, x7, [x0, #48]
	\op x8, x9, [x0, #64]
	\op x10, x11, [x0, #80]
	\op x12, x13, [x0, #96]
	\op x14, x15, [x0, #112]
	\op x16, x17, [x0, #128]
	\op x18, x19, [x0, #144]
	\op x20, x21, [x0, #160]
	\op x22, x23, [x0, #176]
	\op x24, x25, [x0, #192]
	\op x26, x27, [x0, #208]
	\op x28, x29, [x0, #224]
.endm

// The hypervisor's callee-saved x19..x28 in its frame, above x29 and x30
// at [sp]: op is stp to save them, ldp to restore them.
.macro HOST_X19_X28 op
	\op x27, x28, [sp, #16]
	\op x25, x26, [sp, #32]
	\op x23, x24, [sp, #48]
	\op x21, x22, [sp, #64]
	\op x19, x20, [sp, #80]
.endm

	.text
	.global bare_enter_guest
bare_enter_guest:
	// Hypervisor state: x19..x30 and SP, on the hypervisor stack.
	stp x29, x30, [sp, #-96]!
	HOST_X19_X28 stp
	mrs x1, tpidr_el2
	str x0, [x1]                     // this CPU's pcpu->guest = ctx
	mov x1, sp
	str x1, [x0, #(31 * 8)]          // ctx->host_sp
	// Guest general registers.
	GUEST_X2_X29 ldp
	ldr x30, [x0, #240]
	ldp x0, x1, [x0, #0]
	eret

// A trap from the guest: save its registers into this CPU's pcpu->guest.
.macro GUEST_EXIT kind
	stp x0, x1, [sp, #-16]!          // on the hypervisor stack below the frame
	mrs x0, tpidr_el2
	ldr x0, [x0]
	GUEST_X2_X29 stp
	str x30, [x0, #240]
	ldp x2, x3, [sp], #16
	stp x2, x3, [x0, #0]
	mov x0, #\kind
	b guest_exit
.endm

// A trap while cvisor itself runs at EL2: a bug in cvisor.
.macro HYP_FAULT kind
	mov x0, #\kind
	mrs x1, esr_el2
	mrs x2, elr_el2
	mrs x3, far_el2
	b bare_hyp_fault
.endm

guest_exit:
	mrs x1, tpidr_el2
	ldr x1, [x1]
	ldr x2, [x1, #(31 * 8)]
	mov sp, x2
	HOST_X19_X28 ldp
	ldp x29, x30, [sp], #96
	ret

// Four vector entries, one for each kind (0 synchronous .. 3 SError), by handler.
.macro VECTOR_GROUP handler
	.irp kind, 0, 1, 2, 3
	.balign 0x80
	\handler \kind
	.endr
.endm

	.balign 2048
	.global el2_vectors
el2_vectors:
	VECTOR_GROUP HYP_FAULT           // current EL with SP_EL0: never used
	VECTOR_GROUP HYP_FAULT           // current EL with SP_EL2: a fault inside cvisor
	VECTOR_GROUP GUEST_EXIT          // lower EL, AArch64: the guest
	.rept 4                          // lower EL, AArch32: not supported (HCR_EL2.RW = 1)
	.balign 0x80
	HYP_FAULT 4
	.endr
