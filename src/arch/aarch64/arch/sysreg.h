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
#define SYSREG_DBGPRCR_EL1 A64_SYSREG(2, 0, 1, 4, 4)
#define SYSREG_CNTP_TVAL_EL0 A64_SYSREG(3, 3, 14, 2, 0)
#define SYSREG_CNTP_CTL_EL0 A64_SYSREG(3, 3, 14, 2, 1)
#define SYSREG_CNTP_CVAL_EL0 A64_SYSREG(3, 3, 14, 2, 2)
#define SYSREG_CNTPCT_EL0 A64_SYSREG(3, 3, 14, 0, 1)
#define SYSREG_MDSCR_EL1 A64_SYSREG(2, 0, 0, 2, 2)
#define SYSREG_ACTLR_EL1 A64_SYSREG(3, 0, 1, 0, 1)
#define SYSREG_ID_AA64DFR0_EL1 A64_SYSREG(3, 0, 0, 5, 0)
/** @} */

/** Breakpoints and watchpoints a guest has (ID_AA64DFR0_EL1.BRPs and WRPs + 1). */
#define A64_GUEST_BRPS 2
#define A64_GUEST_WRPS 2

/**
 * True if the architecture makes this MRS (write false) or MSR (write
 * true) of register id UNDEFINED at exception level el, whatever the
 * hypervisor traps: el is below the lowest level op1 names (ARM ARM C5.3,
 * "op1 ... the lowest Exception level at which the register is
 * accessible"), or the register is read-only or write-only and the access
 * goes the other way (its description in D17). An UNDEFINED access takes
 * an exception with EC 0x00 at EL1 and takes priority over any trap to
 * EL2 (D1.12.2), so no exit is ever made for it. False means the CPU
 * decides (EL1 controls such as SCTLR_EL1.UCT or CNTKCTL_EL1 may still
 * make an EL0 access UNDEFINED).
 */
bool a64_sysreg_undefined(uint32_t id, bool write, unsigned el);

/**
 * True if an EL1 access to system register id (A64_SYSREG encoding) in
 * that direction traps to the hypervisor with cvisor's EL2 configuration
 * (and is not UNDEFINED, see a64_sysreg_undefined()):
 * - MDCR_EL2.TDOSA, TDA and TDRA: every debug register (op0 = 2, op1 = 0
 *   or 3: the OS lock registers, DBGPRCR_EL1, MDSCR_EL1, the breakpoint
 *   and watchpoint registers, the debug communication channel, claim
 *   tags, MDRAR_EL1; ARM ARM D17.3.15 "MDCR_EL2");
 * - MDCR_EL2.TPM and TPMCR: the PMU's registers (PMCR_EL0 ... PMCCFILTR_EL0,
 *   PMINTENSET/CLR_EL1, PMMIR_EL1; D17.5);
 * - HCR_EL2.TACR, TLOR: ACTLR_EL1 and the LORegion registers;
 *   HCR_EL2.ATA clear: MTE's GCR_EL1, RGSR_EL1, TFSR_EL1, TFSRE0_EL1;
 * - HCR_EL2.TID3: reads of the ID registers of group 3, the whole space
 *   op0 = 3, op1 = 0, CRn = 0, CRm = 1..7 (D17.2.48 "HCR_EL2");
 * - CNTHCTL_EL2 with EL1PCTEN, EL1PCEN clear and FEAT_ECV's EL1TVT,
 *   EL1TVCT set (D17.10.2): the EL1 physical and virtual timers and both
 *   counters, so that they count the VM clock (arch/irq.h);
 * - ICH_HCR_EL2.TALL1 and TC, ICC_SRE_EL2.Enable clear (GICv3, IHI 0069
 *   12.4.7): the group 1 and common ICC_*_EL1 registers cvisor emulates.
 * On hardware this is the effect of the trap bits; the simulator asks
 * this function which accesses to turn into exits. Not here: the RAS
 * error record registers (ERRIDR_EL1, ERRSELR_EL1, ERX*_EL1), which
 * HCR_EL2.TERR traps only on a CPU with FEAT_RAS (the bare build sets it
 * there and emulates them); the simulator's Cortex-A72 has no RAS, and
 * they are UNDEFINED there as on a Cortex-A57. Nor the IMPLEMENTATION
 * DEFINED registers (HCR_EL2.TIDCP), which neither QEMU 7.2 nor Unicorn
 * traps.
 */
bool a64_sysreg_trapped(uint32_t id, bool write);

/**
 * True if cvisor emulates this trapped access (vcpu_arch_sysreg() gives
 * it a value or keeps what it writes): the ID registers, timers, ICC_*
 * registers and OS lock as above; the debug registers of the minimal
 * debug unit the ID registers describe (a64_id_sanitise(): MDSCR_EL1,
 * MDCCINT_EL1, A64_GUEST_BRPS breakpoints and A64_GUEST_WRPS watchpoints,
 * kept per vCPU and never armed in the CPU; the debug communication
 * channel, OSECCR_EL1, claim tags and MDRAR_EL1 read as zero, writes
 * ignored; DBGAUTHSTATUS_EL1 "implemented, disabled"); ACTLR_EL1 (read
 * as zero, writes ignored); the RAS error records (none: ERRIDR_EL1 reads
 * 0, the others read as zero, writes ignored). A trapped access cvisor does not
 * emulate is an UNDEF for the guest, as KVM does: the HAL, after the
 * exit, enters the guest's vector table with ESR_EL1.EC = 0x00 instead of
 * completing the instruction.
 */
bool a64_sysreg_emulated(uint32_t id, bool write);

/**
 * True for an ID register whose emulation starts from the CPU's own
 * value: for a read exit of one, the HAL puts what the CPU itself returns
 * in exit->sysreg.value before the exit is handled, and
 * vcpu_arch_sysreg() keeps only the features cvisor gives guests
 * (a64_id_sanitise()).
 */
bool a64_sysreg_is_id(uint32_t id);

/**
 * What a guest reads from ID register id when the CPU's own value is hw:
 * the fields of features cvisor gives guests as they are, the others
 * (SVE, SME, MTE, LORegions, EL2 and features that need EL2's help) zero,
 * field by field (ARM ARM D17.2 ID_AA64PFR0_EL1 ... ID_AA64MMFR2_EL1, and
 * the AArch32 ID_PFR0_EL1 ... ID_DFR1_EL1); ID_AA64DFR0_EL1 is the same
 * on every CPU: Armv8.0 debug with 2 breakpoints, 2 watchpoints and no
 * PMU. Registers of the ID space cvisor does not know read as zero.
 */
uint64_t a64_id_sanitise(uint32_t id, uint64_t hw);

/** Name of a system register id ("OSLAR_EL1", or "S<op0>_<op1>_C<n>_C<m>_<op2>" into buf). */
const char *a64_sysreg_name(uint32_t id, char *buf, size_t size);

#endif
