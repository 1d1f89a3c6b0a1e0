/* SPDX-License-Identifier: MIT */
/*
 * Sv39/Sv48 page-table entry bits as the RISC-V Privileged Architecture
 * v1.12 (4.4.1, figure 4.21) gives them, for the tests that build guest
 * tables by hand. Written here from the specification, not taken from the
 * code under test, so a wrong constant there cannot make both agree.
 */
#ifndef TEST_RISCV64_PTE_H
#define TEST_RISCV64_PTE_H

#define V 0x01ULL
#define R 0x02ULL
#define W 0x04ULL
#define X 0x08ULL
#define U 0x10ULL
#define A 0x40ULL
#define D 0x80ULL
/* PPN field of a PTE for physical address pa: pa >> 12, shifted to bit 10. */
#define PPN(pa) (((pa) >> 12) << 10)

#endif
