/* SPDX-License-Identifier: MIT */
/**
 * @file trap.h
 * @brief RISC-V traps from a guest to the hypervisor (HS-mode) and their
 *        decoding into the architecture-neutral exit record.
 *
 * References: RISC-V Privileged Architecture v1.12, 4.1.8 "scause",
 * 8.6.3 "Trap values" (htval: the guest physical address >> 2 of a
 * guest-page fault), 8.6.3/8.6.4 "htinst" (the transformed instruction),
 * 8.5 "Two-stage address translation", 8.6.1 virtual-instruction
 * exceptions. Pure functions, used by both HALs.
 */
#ifndef ARCH_RISCV64_TRAP_H
#define ARCH_RISCV64_TRAP_H

#include <arch/sysreg.h>
#include <cvisor/exit.h>
#include <cvisor/types.h>

/** @name scause exception codes (interrupt bit clear) @{ */
#define RV_CAUSE_MISALIGNED_FETCH 0
#define RV_CAUSE_FETCH_ACCESS 1
#define RV_CAUSE_ILLEGAL_INSN 2
#define RV_CAUSE_BREAKPOINT 3
#define RV_CAUSE_MISALIGNED_LOAD 4
#define RV_CAUSE_LOAD_ACCESS 5
#define RV_CAUSE_MISALIGNED_STORE 6
#define RV_CAUSE_STORE_ACCESS 7
#define RV_CAUSE_USER_ECALL 8
#define RV_CAUSE_SUPERVISOR_ECALL 9
#define RV_CAUSE_VS_ECALL 10
#define RV_CAUSE_MACHINE_ECALL 11
#define RV_CAUSE_FETCH_PAGE_FAULT 12
#define RV_CAUSE_LOAD_PAGE_FAULT 13
#define RV_CAUSE_STORE_PAGE_FAULT 15
#define RV_CAUSE_FETCH_GUEST_PAGE_FAULT 20
#define RV_CAUSE_LOAD_GUEST_PAGE_FAULT 21
#define RV_CAUSE_VIRTUAL_INSN 22
#define RV_CAUSE_STORE_GUEST_PAGE_FAULT 23
#define RV_CAUSE_INTERRUPT (1ULL << 63)
/** @} */

/**
 * htinst for a guest-page fault on an implicit access of the guest's own
 * (VS-stage) walk: the pseudoinstruction of a 64-bit read (Privileged
 * 8.6.3, table 8.12).
 */
#define RV_HTINST_IMPLICIT_READ64 0x00003000ULL

/** The trap state HS-mode sees after a trap from VS-mode. */
struct rv_trap {
	uint64_t scause;
	uint64_t stval;   /**< faulting guest virtual address, or the instruction */
	uint64_t htval;   /**< guest physical address >> 2 (guest-page faults) */
	uint64_t htinst;  /**< transformed instruction, or 0 */
	uint64_t sepc;    /**< the trapping instruction */
};

/**
 * Decodes a trap into exit: guest-page faults with a transformed load or
 * store in htinst become EXIT_MMIO (size, sign, register, instruction
 * length), other guest-page faults EXIT_STAGE2_FAULT; ecall from VS-mode
 * EXIT_HYPERCALL; a virtual-instruction exception for WFI EXIT_HALT, for a
 * CSR instruction EXIT_SYSREG; anything else EXIT_FATAL naming the cause.
 */
void rv_decode_trap(const struct rv_trap *t, struct vcpu_exit *exit);
/** Fills the operands held in guest registers: MMIO write data, SBI a0..a7, CSR write value. */
void rv_exit_fill_operands(struct vcpu_exit *exit, const uint64_t x[32]);
/** Guest physical address of a guest-page fault. */
gpa_t rv_fault_gpa(const struct rv_trap *t);
/** Name of a scause value ("load guest-page fault", ...). */
const char *rv_cause_name(uint64_t scause);

#endif
