/* SPDX-License-Identifier: MIT */
/**
 * @file hypercall.h
 * @brief The calls an AArch64 guest makes with HVC or SMC: PSCI (Arm
 *        DEN0022, PSCI 1.1), SMCCC_VERSION (Arm DEN0028, SMC Calling
 *        Convention) and cvisor's own calls (docs/hypercalls.md).
 *
 * SMCCC: x0 = function ID, x1..x6 = arguments, x0..x3 = results.
 */
#ifndef ARCH_AARCH64_HYPERCALL_H
#define ARCH_AARCH64_HYPERCALL_H

/** @name PSCI function IDs (Arm DEN0022, PSCI 1.1, table 5.1) @{ */
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND_32 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define PSCI_CPU_SUSPEND_64 0xc4000001u
#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_AFFINITY_INFO_64 0xc4000004u
/** @} */
/** @name PSCI return codes @{ */
#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_ON_PENDING (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_INVALID_ADDRESS (-9)
/** @} */
/** SMCCC_VERSION (Arm DEN0028, SMC Calling Convention 1.1+). */
#define SMCCC_VERSION 0x80000000u
/** cvisor's calls: fast calls of owner 6, vendor-specific hypervisor service (DEN0028 6.2). */
#define CVISOR_SMCCC_BASE 0xc6000000u
#define CVISOR_SMCCC_BASE32 0x86000000u

#endif
