/* SPDX-License-Identifier: MIT */
/**
 * @file stage1.h
 * @brief The guest's own (stage-1) translation on AArch64, walked in
 *        project code: VMSAv8-64 with the 4 KiB granule, TTBR0_EL1 for the
 *        low range and TTBR1_EL1 for the high one (ARM ARM D8.2 "Translation
 *        process", D17.2.131 "TCR_EL1", D8.3 descriptor formats).
 *
 * Used to explain a guest's own translation faults (ESR_EL1 and FAR_EL1,
 * which Unicorn hides), to translate guest virtual addresses for a
 * debugger and for traces. Tables are read from guest memory through the
 * address space, that is through stage 2: the walk is GVA -> GPA.
 */
#ifndef ARCH_AARCH64_STAGE1_H
#define ARCH_AARCH64_STAGE1_H

#include <cvisor/addrspace.h>
#include <cvisor/stage2.h>
#include <cvisor/walk.h>

/** The EL1 registers that define stage 1. */
struct a64_s1_regs {
	uint64_t sctlr;  /**< SCTLR_EL1: M (bit 0) turns stage 1 on */
	uint64_t tcr;    /**< TCR_EL1: T0SZ [5:0], EPD0 [7], TG0 [15:14], T1SZ [21:16], EPD1 [23], TG1 [31:30] */
	uint64_t ttbr0, ttbr1;
	bool el0;        /**< the access is made at EL0 (PSTATE.EL), not EL1: AP[1], UXN apply */
};

/**
 * Translates va for an EL1 access. Returns 0 with res->gpa; -CV_EFAULT
 * for a translation, access-flag or address-size fault; -CV_EPERM for a
 * permission fault (res->fault and res->level set as the DFSC would say).
 * cb, if not NULL, sees every level: table = GPA of the table read.
 */
int a64_s1_translate(const struct addrspace *as, const struct a64_s1_regs *r, gva_t va,
		     enum access_kind access, struct s1_result *res, walk_cb cb, void *ctx);

#endif
