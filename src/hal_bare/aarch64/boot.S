// SPDX-License-Identifier: MIT
// cvisor's entries at EL2 (ARM ARM D1.10 for VBAR_EL2).
//
// QEMU starts a bare ELF image at its entry point on the boot CPU at EL2
// (virt with virtualization=on, no EL3), MMU off. The other CPUs wait in
// PSCI firmware until CPU_ON. _start sets the stack, clears the BSS,
// installs EL2's exception vectors (vectors.S) and calls bare_main().
//
// secondary_entry is where PSCI CPU_ON (smp.c) starts another CPU: at
// EL2, MMU off, PSTATE.DAIF all set, x0 = the context_id given to CPU_ON,
// here the CPU's struct pcpu (PSCI DEN0022 5.6). With its MMU off the CPU
// reads memory as Device memory, past any cache: the boot CPU cleaned the
// struct to the point of coherency before CPU_ON. The CPU takes its stack
// and the boot CPU's MMU settings from pcpu->boot (struct pcpu_boot:
// sp, mair, tcr, ttbr0, sctlr at offsets 8..40), turns its MMU on with
// the same tables, and only then writes memory and calls C.

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

	.global secondary_entry
secondary_entry:
	mov x19, x0
	ldp x1, x2, [x19, #8]            // sp, mair
	mov sp, x1
	msr mair_el2, x2
	ldp x1, x2, [x19, #24]           // tcr, ttbr0
	msr tcr_el2, x1
	msr ttbr0_el2, x2
	isb
	tlbi alle2                       // nothing this CPU cached before counts
	ic iallu
	dsb nsh
	isb
	ldr x1, [x19, #40]               // sctlr
	msr sctlr_el2, x1
	isb
	adr x1, el2_vectors
	msr vbar_el2, x1
	msr tpidr_el2, x19
	isb
	mov x0, x19
	bl bare_secondary_main           // never returns
4:	wfi
	b 4b
