/* SPDX-License-Identifier: MIT */
/**
 * @file stage1.h
 * @brief The guest's own (stage-1, "VS-stage") translation on RISC-V,
 *        walked in project code: Sv39 and Sv48 (RISC-V Privileged
 *        Architecture v1.12, 4.1.11 "satp", 4.3.2 "Virtual address
 *        translation process", 4.4 "Sv39", 4.5 "Sv48").
 *
 * Used to explain the guest's own page faults (stval, which Unicorn
 * hides), to fetch the instructions behind an access the simulator must
 * decode, and for traces. Tables are read from guest memory through the
 * address space, that is through stage 2: the walk is GVA -> GPA.
 *
 * Levels are numbered as in the project's Sv39x4 (src/arch/riscv64/stage2.c):
 * from the root down, 3 being the 4 KiB level. Sv39's root is level 1
 * (1 GiB gigapages), Sv48's level 0 (512 GiB terapages). RISC-V's own
 * manual numbers them the other way (i = LEVELS-1 .. 0): level 3 here is
 * its i = 0.
 */
#ifndef ARCH_RISCV64_STAGE1_H
#define ARCH_RISCV64_STAGE1_H

#include <cvisor/addrspace.h>
#include <cvisor/stage2.h>
#include <cvisor/walk.h>

/** @name satp.MODE (4.1.11) @{ */
#define RV_SATP_MODE_BARE 0ULL
#define RV_SATP_MODE_SV39 8ULL
#define RV_SATP_MODE_SV48 9ULL
/** @} */

/** @name sstatus bits that change stage-1 permissions (4.1.1.2) @{ */
#define RV_SSTATUS_SUM (1ULL << 18) /**< S-mode may load/store U pages */
#define RV_SSTATUS_MXR (1ULL << 19) /**< executable pages are readable */
/** @} */

/** Privilege level of an access. */
enum rv_priv { RV_PRIV_U = 0, RV_PRIV_S = 1 };

/** @name s1_result.code bits: what the hardware does to the leaf PTE (4.3.2 step 7) @{ */
#define RV_S1_SETS_A 1u /**< the leaf's A bit is clear: the access sets it */
#define RV_S1_SETS_D 2u /**< a store to a leaf with D clear: the access sets it */
/** @} */

/** The registers and state that define a stage-1 translation. */
struct rv_s1_regs {
	uint64_t satp;    /**< MODE [63:60], ASID [59:44], PPN of the root [43:0] */
	uint64_t sstatus; /**< SUM (bit 18), MXR (bit 19) */
	enum rv_priv priv; /**< privilege of the access: U or S (never M) */
};

/**
 * Translates va for an access at r->priv. Returns 0 with res->gpa (and
 * res->code saying which of A and D the access sets, as Unicorn 2.0.1's
 * walker does: it never faults on them); -CV_EFAULT for a page fault of
 * the translation kind (non-canonical va, V = 0, reserved encodings or
 * bits, no leaf at level 3, misaligned superpage), res->fault =
 * FAULT_TRANSLATION and res->level where it stopped; -CV_EPERM for a page
 * fault on permissions (R/W/X, U, SUM, MXR), FAULT_PERMISSION; -CV_EFAULT
 * with FAULT_TABLE_NOT_RAM when a table entry is not in RAM (an access fault, or on
 * hardware with the H extension a guest-page fault on the implicit
 * access), res->gpa = the entry's GPA; -CV_EINVAL if satp's MODE is not
 * Bare, Sv39 or Sv48. cb, if not NULL, sees every level: table = GPA of
 * the table read. Never writes guest memory.
 */
int rv_s1_translate(const struct addrspace *as, const struct rv_s1_regs *r, gva_t va,
		    enum access_kind access, struct s1_result *res, walk_cb cb, void *ctx);

#endif
