/* SPDX-License-Identifier: MIT */
/**
 * @file trap.h
 * @brief AArch64 exception syndromes (ESR_ELx) and their decoding into the
 *        architecture-neutral exit record.
 *
 * References: ARM ARM (DDI 0487) D17.2.37 "ESR_EL2, Exception Syndrome
 * Register (EL2)", D17.2.70 "HPFAR_EL2", D1.10 "Exception entry".
 * These are pure functions: unit tested on the host, used by both HALs.
 */
#ifndef ARCH_AARCH64_TRAP_H
#define ARCH_AARCH64_TRAP_H

#include <arch/sysreg.h>
#include <cvisor/exit.h>
#include <cvisor/types.h>

/** @name ESR_ELx fields @{ */
#define ESR_EC_SHIFT 26
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_IL (1ULL << 25)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)
/** @} */

/** @name Exception classes (ESR_ELx.EC) @{ */
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYS64 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_BRK64 0x3c
/** @} */

/** @name Data abort ISS (EC 0x24/0x25) @{ */
#define ISS_DA_ISV (1u << 24)
#define ISS_DA_SAS_SHIFT 22 /* 0 byte, 1 halfword, 2 word, 3 doubleword */
#define ISS_DA_SSE (1u << 21)
#define ISS_DA_SRT_SHIFT 16
#define ISS_DA_SF (1u << 15)
#define ISS_DA_AR (1u << 14)
#define ISS_DA_FNV (1u << 10)
#define ISS_DA_S1PTW (1u << 7)
#define ISS_DA_WNR (1u << 6)
/** @} */

/** @name Fault status codes (DFSC/IFSC, ISS[5:0]) @{ */
#define FSC_ADDR_SIZE(l) (0x00 + (l))
#define FSC_TRANS(l) (0x04 + (l))
#define FSC_ACCESS(l) (0x08 + (l))
#define FSC_PERM(l) (0x0c + (l))
#define FSC_SEA 0x10
/** @} */

/**
 * The state a trap to EL2 leaves in system registers.
 * pc is ELR_EL2: the instruction after an HVC, the trapping instruction
 * for everything else, a trapped SMC included (ARM ARM D1.10.1). x[] is the guest's GPRs, used for operands.
 */
struct a64_trap {
	uint64_t esr;    /**< ESR_EL2 */
	uint64_t far;    /**< FAR_EL2 */
	uint64_t hpfar;  /**< HPFAR_EL2 (FIPA[47:12] in bits [43:4]) */
	uint64_t pc;     /**< ELR_EL2 */
};

/**
 * Decodes a trap to EL2 into exit (reason, pc, syndrome and the operands
 * that live in the syndrome registers). Operands held in guest registers
 * (MMIO write data, hypercall arguments) are filled by
 * a64_exit_fill_operands(). Unknown classes become EXIT_FATAL with a
 * message naming the EC.
 */
void a64_decode_trap(const struct a64_trap *t, struct vcpu_exit *exit);
/**
 * Copies the operands held in guest registers into exit: MMIO write data
 * from x[SRT] (xzr when SRT is 31), hypercall arguments from x0..x5.
 */
void a64_exit_fill_operands(struct vcpu_exit *exit, const uint64_t x[31]);
/**
 * Completes a stage-2 data abort exit without a valid syndrome (size 0)
 * from the instruction insn that made it: size becomes the whole access
 * (a pair's two registers, SIMD&FP, DC ZVA's zva_block bytes, the GPA then
 * rounded down to the block). Other exits are left as they are.
 */
void a64_exit_describe_access(struct vcpu_exit *exit, uint32_t insn, unsigned zva_block);
/** Guest physical address of a stage-2 abort: HPFAR_EL2.FIPA with FAR's page offset. */
gpa_t a64_fault_gpa(uint64_t hpfar, uint64_t far);
/** HPFAR_EL2 value a stage-2 abort on gpa leaves (for the simulator). */
uint64_t a64_hpfar_from_gpa(gpa_t gpa);

/** Name of an exception class, e.g. "DABT_LOW" ("?" if unknown). */
const char *a64_ec_name(unsigned ec);

/**
 * ISS of a trapped MSR/MRS (EC 0x18, ARM ARM D17.2.37 "ISS encoding for an
 * exception from MSR, MRS, or System instruction"): Op0[21:20] Op2[19:17]
 * Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Direction[0] (1 = read, MRS).
 * sysreg_id is an A64_SYSREG() encoding (arch/sysreg.h).
 */
uint32_t a64_sysreg_iss(uint32_t sysreg_id, unsigned rt, bool is_read);

#endif
