// SPDX-License-Identifier: MIT
// cvisor's entries in HS-mode (RISC-V Privileged Architecture 1.12, 4.1.2
// for stvec; SBI spec v2.0, 9.1 for HSM hart_start).
//
// OpenSBI's fw_dynamic runs in M-mode and starts its next stage, cvisor,
// at 0x8020_0000 on the boot hart in S-mode (HS-mode, since the hart has
// the H extension) with satp = 0 (no translation), a0 = the hart's ID and
// a1 = the host device tree (the convention of Linux's RISC-V boot
// protocol, which OpenSBI follows for its next stage). The other harts
// wait in OpenSBI until HSM hart_start.
// _start keeps a0 and a1 in bare_boot_hartid and bare_host_dtb, takes the
// boot stack, clears the BSS, sets the trap vector (vectors.S) and calls
// bare_main().
//
// secondary_entry is where SBI HSM hart_start (smp.c) starts another hart:
// S-mode, satp = 0, sstatus.SIE = 0, a0 = its hart ID, a1 = the opaque
// value given to hart_start, here the hart's struct pcpu (hal_arch.h).
// The hart takes its stack (pcpu->boot_sp, offset 8) and the boot hart's
// Sv39 map (pcpu->boot_satp, offset 16) from it, then calls
// bare_secondary_main(pcpu). RISC-V's memory is coherent whether or not
// the hart translates, so the struct needs no cache maintenance.
//
// While cvisor runs, tp holds this hart's struct pcpu and sscratch holds 0
// (hal_arch.h); on the boot hart tp stays 0 until smp_init() sets it.
// cvisor never sets gp: the image is linked with --no-relax and defines no
// __global_pointer$, so no access is relaxed into a gp-relative one.

#define SSTATUS_SIE (1 << 1)

	.section .text.boot, "ax"
	.global _start
_start:
	csrci sstatus, SSTATUS_SIE       // no interrupt in cvisor's own code
	lla sp, __stack_top
	lla t0, __bss_start
	lla t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	lla t0, bare_boot_hartid         // in .data: after the BSS is cleared anyway
	sd a0, 0(t0)
	lla t0, bare_host_dtb
	sd a1, 0(t0)
	csrw sscratch, zero              // a trap comes from cvisor, not from a guest
	mv tp, zero                      // no struct pcpu yet (smp_init sets it)
	lla t0, hs_trap_vector
	csrw stvec, t0                   // MODE 0 (direct): every trap at hs_trap_vector
	call bare_main
3:	wfi
	j 3b

	.global secondary_entry
	.balign 4
secondary_entry:
	ld sp, 8(a1)                     // pcpu->boot_sp
	mv tp, a1
	csrw sscratch, zero
	lla t0, hs_trap_vector
	csrw stvec, t0
	ld t0, 16(a1)                    // pcpu->boot_satp: the boot hart's identity map
	csrw satp, t0
	sfence.vma                       // nothing this hart cached before counts
	mv a0, a1
	call bare_secondary_main         // never returns
4:	wfi
	j 4b

	.section .data
	.balign 8
	.global bare_boot_hartid, bare_host_dtb
bare_boot_hartid:
	.quad 0
bare_host_dtb:
	.quad 0
