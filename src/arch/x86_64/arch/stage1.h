/* SPDX-License-Identifier: MIT */
/**
 * @file stage1.h
 * @brief The guest's own (stage-1) translation on x86_64, walked in
 *        project code: 4-level paging (Intel SDM Vol. 3A, 4.5 "4-Level
 *        Paging and 5-Level Paging"), access rights (4.6), the page-fault
 *        error code (4.7) and the accessed and dirty flags (4.8).
 *
 * Unicorn 2.0.1 walks the guest's tables but then reads and writes data
 * at the *virtual* address, so the x86 simulator shadows the guest's
 * translation (src/sim/x86_64/mmu.c) and fills each shadow entry with
 * this walker. Tables are read from guest memory through the address
 * space, that is through stage 2 (EPT): the walk is GVA -> GPA.
 *
 * Levels are numbered as in the project's EPT (src/arch/x86_64/stage2.c):
 * from the root down, PML4 = 0, PDPT = 1 (1 GiB pages), PD = 2 (2 MiB
 * pages), PT = 3 (4 KiB pages).
 */
#ifndef ARCH_X86_64_STAGE1_H
#define ARCH_X86_64_STAGE1_H

#include <cvisor/addrspace.h>
#include <cvisor/stage2.h>
#include <cvisor/walk.h>

/** @name Control-register and EFER bits that shape stage 1 (SDM 2.5, 2.2.1) @{ */
#define X86_CR0_WP (1ULL << 16)   /**< supervisor writes honour R/W */
#define X86_CR0_PG (1ULL << 31)   /**< paging on */
#define X86_CR4_PSE (1ULL << 4)   /**< (32-bit paging only; 4-level always allows PS) */
#define X86_CR4_PAE (1ULL << 5)   /**< required by 4-level paging */
#define X86_CR4_LA57 (1ULL << 12) /**< 5-level paging (not implemented here) */
#define X86_CR4_SMEP (1ULL << 20) /**< no supervisor fetch from user pages */
#define X86_CR4_SMAP (1ULL << 21) /**< no supervisor data access to user pages unless RFLAGS.AC */
#define X86_EFER_LMA (1ULL << 10) /**< IA-32e mode active */
#define X86_EFER_NXE (1ULL << 11) /**< XD (bit 63) honoured; reserved when clear */
#define X86_RFLAGS_AC (1ULL << 18)
/** @} */

/** @name Paging-structure entry bits (SDM tables 4-15 to 4-20) @{ */
#define X86_PTE_P (1ULL << 0)
#define X86_PTE_RW (1ULL << 1)
#define X86_PTE_US (1ULL << 2)
#define X86_PTE_A (1ULL << 5)
#define X86_PTE_D (1ULL << 6)
#define X86_PTE_PS (1ULL << 7)    /**< PDPTE: 1 GiB page; PDE: 2 MiB page */
#define X86_PTE_XD (1ULL << 63)
/** @} */

/** @name The #PF error code (SDM 4.7, figure 4-12) @{ */
#define X86_PF_P (1u << 0)    /**< 0: not present; 1: protection (or reserved bit) */
#define X86_PF_W (1u << 1)    /**< the access was a write */
#define X86_PF_U (1u << 2)    /**< the access was a user-mode one (CPL 3) */
#define X86_PF_RSVD (1u << 3) /**< a reserved bit was set in an entry */
#define X86_PF_I (1u << 4)    /**< an instruction fetch (with NXE or SMEP) */
/** @} */

/** @name s1_result.code on success: the state of the leaf after the access @{ */
#define X86_S1_DIRTY (1u << 0)   /**< the leaf's D flag is (or, with A/D updates, was made) set */
/** @} */

/** The registers that define an x86_64 stage-1 translation. */
struct x86_s1_regs {
	uint64_t cr0;        /**< PG (bit 31), WP (bit 16) */
	uint64_t cr3;        /**< bits 51:12: the PML4's GPA */
	uint64_t cr4;        /**< PAE, SMEP, SMAP (LA57 is refused) */
	uint64_t efer;       /**< LMA, NXE */
	uint64_t rflags;     /**< AC (bit 18) lifts SMAP for explicit accesses */
	unsigned cpl;        /**< current privilege level: 3 is user mode */
	unsigned maxphyaddr; /**< physical-address width (CPUID.80000008H:EAX[7:0]); 0 means 52 */
};

/**
 * Translates va for an access of kind access at r->cpl, without writing
 * anything. Returns 0 with res->gpa, res->perm (what the combined entries
 * allow at this CPL), res->leaf_size and res->code (X86_S1_DIRTY).
 * A page fault returns -CV_EFAULT (not present, or a reserved bit: RSVD)
 * or -CV_EPERM (protection), with res->code = the #PF error code,
 * res->fault (translation or permission) and res->level where it
 * stopped. A table that is not in RAM returns -CV_EFAULT with
 * res->fault = FAULT_TABLE_NOT_RAM and res->gpa = the entry's GPA (an EPT violation
 * on the walk). A non-canonical va returns -CV_ERANGE (a #GP, not a #PF).
 * Paging off: res->gpa = va. Paging modes other than 4-level (32-bit,
 * PAE, 5-level) return -CV_ENOTSUP. cb, if not NULL, sees every level:
 * table = GPA of the table read.
 */
int x86_s1_translate(const struct addrspace *as, const struct x86_s1_regs *r, gva_t va,
		     enum access_kind access, struct s1_result *res, walk_cb cb, void *ctx);

/**
 * The same walk, and on success sets the accessed flag of every entry
 * used and, for a write, the dirty flag of the leaf, as the processor
 * does (SDM 4.8). A faulting walk writes nothing.
 */
int x86_s1_translate_ad(struct addrspace *as, const struct x86_s1_regs *r, gva_t va,
			enum access_kind access, struct s1_result *res, walk_cb cb, void *ctx);

#endif
