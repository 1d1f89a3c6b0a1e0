// SPDX-License-Identifier: MIT
// bench_mmu: bench_compute's loop (4 instructions, 200 million times) with
// the guest's own MMU on: an Sv39 root whose entry 2 is a gigapage mapping
// VA 0x8000_0000 to itself (Privileged 4.4), so the code keeps running at
// the same addresses once satp is written. Then shut down.
#include "guest.h"

#define ITERATIONS 200000000
#define PTE_RWX_AD 0xcf            // D A X W R V

	.section .text.boot, "ax"
	.global _start
_start:
	// root[2] = the gigapage at 0x8000_0000.
	lla t0, root
	li t1, (0x80000000 >> 12) << 10 | PTE_RWX_AD
	sd t1, 16(t0)
	srli t0, t0, 12
	li t1, 8 << 60                  // satp.MODE = Sv39
	or t0, t0, t1
	sfence.vma
	csrw satp, t0
	sfence.vma

	li t0, ITERATIONS
	li t1, 0
1:	add t1, t1, t0
	slli t2, t1, 3
	addi t0, t0, -1
	bnez t0, 1b
	li a0, 0
	li a1, 0
	sbi SBI_EXT_SRST, 0
	j .

	.bss
	.balign 4096
root: .skip 4096
