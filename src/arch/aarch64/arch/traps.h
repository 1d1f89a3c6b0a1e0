/* SPDX-License-Identifier: MIT */
/**
 * @file traps.h
 * @brief What cvisor traps from an AArch64 guest, and the calls it answers.
 */
#ifndef ARCH_AARCH64_TRAPS_H
#define ARCH_AARCH64_TRAPS_H

#include <cvisor/types.h>

/**
 * True if an EL1 access to system register id (A64_SYSREG encoding) traps
 * to the hypervisor with cvisor's EL2 configuration. cvisor sets
 * MDCR_EL2.TDOSA, so the OS lock registers (OSLAR_EL1, OSLSR_EL1,
 * OSDLR_EL1) trap and are emulated (ARM ARM D17.3.15 "MDCR_EL2").
 * On hardware this is the effect of the trap bits; the simulator asks
 * this function which accesses to turn into exits.
 */
bool a64_sysreg_trapped(uint32_t id);

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
/** @} */
/** SMCCC_VERSION (Arm DEN0028, SMC Calling Convention 1.1+). */
#define SMCCC_VERSION 0x80000000u
/** cvisor's calls: SMC64 fast calls of owner 6, vendor-specific hypervisor service (DEN0028 6.2). */
#define CVISOR_SMCCC_BASE 0xc6000000u
#define CVISOR_SMCCC_BASE32 0x86000000u

#endif
