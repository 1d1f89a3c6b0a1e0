/* SPDX-License-Identifier: MIT */
/**
 * @file sysreg.h
 * @brief AArch64 system registers: their encodings, which EL1 accesses
 *        trap to cvisor, and their names for reports.
 *
 * An MRS/MSR names a register by five fields (op0, op1, CRn, CRm, op2:
 * ARM ARM C5.3 "A64 System instructions for ... register access"); the
 * trap's ISS carries the same fields (EC 0x18, arch/trap.h).
 */
#ifndef ARCH_AARCH64_SYSREG_H
#define ARCH_AARCH64_SYSREG_H

#include <cvisor/types.h>

/**
 * Packs a system register encoding into one id: op0<<14 | op1<<11 |
 * CRn<<7 | CRm<<3 | op2 (as in MRS/MSR bits [20:5]).
 */
#define A64_SYSREG(op0, op1, crn, crm, op2) \
	((uint32_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))
/** @name Fields of an id packed by A64_SYSREG() @{ */
#define A64_SYSREG_OP0(id) (((id) >> 14) & 3)
#define A64_SYSREG_OP1(id) (((id) >> 11) & 7)
#define A64_SYSREG_CRN(id) (((id) >> 7) & 15)
#define A64_SYSREG_CRM(id) (((id) >> 3) & 15)
#define A64_SYSREG_OP2(id) ((id) & 7)
/** @} */

/** @name Encodings (ARM ARM D17.2, D17.3, D17.8 register descriptions) @{ */
#define SYSREG_OSLAR_EL1 A64_SYSREG(2, 0, 1, 0, 4)
#define SYSREG_OSLSR_EL1 A64_SYSREG(2, 0, 1, 1, 4)
#define SYSREG_OSDLR_EL1 A64_SYSREG(2, 0, 1, 3, 4)
#define SYSREG_CNTP_TVAL_EL0 A64_SYSREG(3, 3, 14, 2, 0)
#define SYSREG_CNTP_CTL_EL0 A64_SYSREG(3, 3, 14, 2, 1)
#define SYSREG_CNTP_CVAL_EL0 A64_SYSREG(3, 3, 14, 2, 2)
#define SYSREG_CNTPCT_EL0 A64_SYSREG(3, 3, 14, 0, 1)
/** @} */

/**
 * True if an EL1 access to system register id (A64_SYSREG encoding) traps
 * to the hypervisor with cvisor's EL2 configuration. cvisor sets
 * MDCR_EL2.TDOSA, so the OS lock registers (OSLAR_EL1, OSLSR_EL1,
 * OSDLR_EL1) trap and are emulated (ARM ARM D17.3.15 "MDCR_EL2").
 * On hardware this is the effect of the trap bits; the simulator asks
 * this function which accesses to turn into exits.
 */
bool a64_sysreg_trapped(uint32_t id);
/** Name of a system register id ("OSLAR_EL1", or "S<op0>_<op1>_C<n>_C<m>_<op2>" into buf). */
const char *a64_sysreg_name(uint32_t id, char *buf, size_t size);

#endif
