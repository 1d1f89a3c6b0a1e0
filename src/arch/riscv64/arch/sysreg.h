/* SPDX-License-Identifier: MIT */
/**
 * @file sysreg.h
 * @brief RISC-V CSR instructions (Zicsr, Unprivileged ISA chapter 9 "Zicsr
 *        Control and Status Register Instructions") as a virtual-instruction
 *        trap reports them in stval/htinst: which CSR, which operation.
 */
#ifndef ARCH_RISCV64_SYSREG_H
#define ARCH_RISCV64_SYSREG_H

/** @name Fields of a CSR instruction (exit->sysreg) @{ */
/** funct3 of the CSR instruction (1 CSRRW, 2 CSRRS, 3 CSRRC, 5..7 the immediate forms). */
#define RV_CSR_FUNCT3(insn) (((insn) >> 12) & 7)
#define RV_CSR_NUM(insn) ((uint32_t)((insn) >> 20) & 0xfff)
/** @} */

/** The `time` CSR (Unprivileged spec, Zicntr): the platform's real-time counter, read-only. */
#define RV_CSR_TIME 0xc01
/** Its rate: the timebase of QEMU virt's CLINT/ACLINT timer (hw/riscv/virt.c), in the device tree. */
#define RV_TIMEBASE_HZ 10000000

#endif
