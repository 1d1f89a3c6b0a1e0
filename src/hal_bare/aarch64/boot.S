// SPDX-License-Identifier: MIT
// cvisor's entry at EL2 (ARM ARM D1.10 for VBAR_EL2).
//
// QEMU starts a bare ELF image at its entry point on the boot CPU at EL2
// (virt with virtualization=on, no EL3), MMU off. The other CPUs wait in
// PSCI firmware until CPU_ON. _start sets the stack, clears the BSS,
// installs EL2's exception vectors (vectors.S) and calls bare_main().

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
