// SPDX-License-Identifier: MIT
// cvisor's entry at EL2 and its exception vectors (ARM ARM D1.10).
//
// QEMU starts a bare ELF image at its entry point on the boot CPU at EL2
// (virt with virtualization=on, no EL3), MMU off. The other CPUs wait in
// PSCI firmware until CPU_ON.
//
// Guest entry and exit (the world switch, general registers only; the
// EL1 system registers are switched in C, see hal_bare.c):
//   bare_enter_guest(ctx): saves the hypervisor's callee-saved registers
//   and SP on its stack, keeps ctx in TPIDR_EL2, loads x0..x30 from ctx
//   and ERETs to the guest (ELR_EL2/SPSR_EL2 set by the caller).
//   A trap from the guest (a lower EL) stores x0..x30 into ctx, restores
//   the hypervisor's registers and returns from bare_enter_guest with the
//   kind of exception (0 synchronous, 1 IRQ, 2 FIQ, 3 SError).

	.section .text.boot, "ax"
	.global _start
_start:
	ldr x1, =__stack_top
	mov sp, x1
	ldr x1, =__bss_start
	ldr x2, =__bss_end
1:	cmp x1, x2
	b.hs 2f
	str xzr, [x1], #8
	b 1b
2:	adr x1, el2_vectors
	msr vbar_el2, x1
	isb
	bl bare_main
3:	wfi
	b 3b

	.text
	.global bare_enter_guest
bare_enter_guest:
	// Hypervisor state: x19..x30 and SP, on the hypervisor stack.
	stp x29, x30, [sp, #-96]!
	stp x27, x28, [sp, #16]
	stp x25, x26, [sp, #32]
	stp x23, x24, [sp, #48]
	stp x21, x22, [sp, #64]
	stp x19, x20, [sp, #80]
	msr tpidr_el2, x0
	mov x1, sp
	str x1, [x0, #(31 * 8)]          // ctx->host_sp
	// Guest general registers.
	ldp x2, x3, [x0, #16]
	ldp x4, x5, [x0, #32]
	ldp x6, x7, [x0, #48]
	ldp x8, x9, [x0, #64]
	ldp x10, x11, [x0, #80]
	ldp x12, x13, [x0, #96]
	ldp x14, x15, [x0, #112]
	ldp x16, x17, [x0, #128]
	ldp x18, x19, [x0, #144]
	ldp x20, x21, [x0, #160]
	ldp x22, x23, [x0, #176]
	ldp x24, x25, [x0, #192]
	ldp x26, x27, [x0, #208]
	ldp x28, x29, [x0, #224]
	ldr x30, [x0, #240]
	ldp x0, x1, [x0, #0]
	eret

// A trap from the guest: save its registers into the context in TPIDR_EL2.
.macro GUEST_EXIT kind
	stp x0, x1, [sp, #-16]!          // on the hypervisor stack below the frame
	mrs x0, tpidr_el2
	stp x2, x3, [x0, #16]
	stp x4, x5, [x0, #32]
	stp x6, x7, [x0, #48]
	stp x8, x9, [x0, #64]
	stp x10, x11, [x0, #80]
	stp x12, x13, [x0, #96]
	stp x14, x15, [x0, #112]
	stp x16, x17, [x0, #128]
	stp x18, x19, [x0, #144]
	stp x20, x21, [x0, #160]
	stp x22, x23, [x0, #176]
	stp x24, x25, [x0, #192]
	stp x26, x27, [x0, #208]
	stp x28, x29, [x0, #224]
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
	ldr x2, [x1, #(31 * 8)]
	mov sp, x2
	ldp x19, x20, [sp, #80]
	ldp x21, x22, [sp, #64]
	ldp x23, x24, [sp, #48]
	ldp x25, x26, [sp, #32]
	ldp x27, x28, [sp, #16]
	ldp x29, x30, [sp], #96
	ret

	.balign 2048
el2_vectors:
	// Current EL with SP_EL0: never used.
	.balign 0x80
	HYP_FAULT 0
	.balign 0x80
	HYP_FAULT 1
	.balign 0x80
	HYP_FAULT 2
	.balign 0x80
	HYP_FAULT 3
	// Current EL with SP_EL2: a fault inside cvisor.
	.balign 0x80
	HYP_FAULT 0
	.balign 0x80
	HYP_FAULT 1
	.balign 0x80
	HYP_FAULT 2
	.balign 0x80
	HYP_FAULT 3
	// Lower EL, AArch64: the guest.
	.balign 0x80
	GUEST_EXIT 0
	.balign 0x80
	GUEST_EXIT 1
	.balign 0x80
	GUEST_EXIT 2
	.balign 0x80
	GUEST_EXIT 3
	// Lower EL, AArch32: not supported (HCR_EL2.RW = 1).
	.balign 0x80
	HYP_FAULT 4
	.balign 0x80
	HYP_FAULT 4
	.balign 0x80
	HYP_FAULT 4
	.balign 0x80
	HYP_FAULT 4
