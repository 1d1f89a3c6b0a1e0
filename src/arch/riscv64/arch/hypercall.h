/* SPDX-License-Identifier: MIT */
/**
 * @file hypercall.h
 * @brief The SBI cvisor implements for RISC-V guests (RISC-V Supervisor
 *        Binary Interface Specification v2.0): a7 = extension ID, a6 =
 *        function ID, a0..a5 arguments; a0 = error, a1 = value.
 */
#ifndef ARCH_RISCV64_HYPERCALL_H
#define ARCH_RISCV64_HYPERCALL_H

/** @name Extension IDs (SBI chapters 3-10) @{ */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45 /* "TIME" */
#define SBI_EXT_IPI 0x735049    /* "sPI" */
#define SBI_EXT_HSM 0x48534d    /* "HSM" */
#define SBI_EXT_SRST 0x53525354 /* "SRST" */
/** cvisor's calls: in the firmware-specific extension space 0x0A00_0000-0x0AFF_FFFF. */
#define SBI_EXT_CVISOR 0x0a637673 /* "\x0a" "cvs" */
/** @} */

/** @name Errors (SBI 3.2, table 1) @{ */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)
/** @} */
/** @name HSM hart states (SBI 9, table "HSM Hart States") @{ */
#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_HSM_START_PENDING 2
#define SBI_HSM_STOP_PENDING 3
#define SBI_HSM_SUSPENDED 4
/** hart_suspend types (SBI 9.4): the default retentive suspend, the default non-retentive one. */
#define SBI_HSM_SUSPEND_RETENTIVE 0x00000000u
#define SBI_HSM_SUSPEND_NON_RETENTIVE 0x80000000u
/** @} */

/** SBI specification version cvisor implements: 2.0 (major in [30:24]). */
#define SBI_SPEC_VERSION (2u << 24)
/** cvisor's SBI implementation ID (not in the SBI spec's registry). */
#define SBI_IMPL_ID_CVISOR 0x63767372 /* "cvsr" */

#endif
