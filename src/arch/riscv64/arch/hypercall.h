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
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45 /* "TIME" */
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
/** @} */

/** SBI specification version cvisor implements: 2.0 (major in [30:24]). */
#define SBI_SPEC_VERSION (2u << 24)
/** cvisor's SBI implementation ID (not in the SBI spec's registry). */
#define SBI_IMPL_ID_CVISOR 0x63767372 /* "cvsr" */

#endif
