/* SPDX-License-Identifier: MIT */
/**
 * @file exit.h
 * @brief The architecture-neutral exit record.
 *
 * When a guest does something the hypervisor must handle, the CPU leaves
 * the guest (a "VM exit"). Each architecture reports why in its own format:
 * ESR_EL2/FAR_EL2/HPFAR_EL2 on AArch64, scause/stval/htval/htinst on RISC-V,
 * the VMX exit reason and qualification on x86_64. The arch layer decodes
 * that syndrome into this record (like struct kvm_run in Linux KVM), so the
 * core's handlers are written once. The simulator produces the same
 * syndromes as the hardware, so the same decoders run in both HALs.
 */
#ifndef CVISOR_EXIT_H
#define CVISOR_EXIT_H

#include "types.h"

/** Why the vCPU left the guest. */
enum exit_reason {
	EXIT_NONE = 0,      /**< nothing to do (e.g. the run was interrupted) */
	EXIT_MMIO,          /**< load/store to an emulated device */
	EXIT_PIO,           /**< x86 IN/OUT */
	EXIT_HYPERCALL,     /**< HVC/SMC/ECALL/VMCALL */
	EXIT_SYSREG,        /**< trapped system register / CSR / MSR access */
	EXIT_HALT,          /**< WFI / WFE / HLT: wait for an interrupt */
	EXIT_STAGE2_FAULT,  /**< access to a GPA that stage 2 does not map */
	EXIT_SHUTDOWN,      /**< the guest powered itself off or reset */
	EXIT_DEBUG,         /**< breakpoint or single step for the debugger */
	EXIT_FATAL,         /**< the guest cannot continue (reason in fatal.msg) */
	EXIT_REASON_COUNT
};

/** How a trapped system register write combines with the old value (RISC-V CSRRS/CSRRC set or clear bits). */
enum sysreg_op { SYSREG_OP_WRITE, SYSREG_OP_SET, SYSREG_OP_CLEAR };
/** sysreg.src when the written operand is an immediate (RISC-V CSRRWI/CSRRSI/CSRRCI), not a register. */
#define SYSREG_SRC_IMM 0xff

/** Kind of memory access that caused an exit. */
enum access_kind { ACCESS_READ, ACCESS_WRITE, ACCESS_FETCH };

/** How the guest reached the hypervisor for a hypercall. */
enum hypercall_conduit { CONDUIT_HVC, CONDUIT_SMC, CONDUIT_ECALL, CONDUIT_VMCALL };

/** Kind of shutdown the guest asked for. */
enum shutdown_kind { SHUTDOWN_POWEROFF, SHUTDOWN_RESET };

/** Why a translation failed, at either stage, as the architectures report it. */
enum walk_fault {
	FAULT_TRANSLATION,   /**< nothing mapped at that address */
	FAULT_PERMISSION,    /**< mapped, but not for this kind of access */
	FAULT_ACCESS_FLAG,   /**< descriptor has AF clear */
	FAULT_ADDR_SIZE,     /**< address beyond the translation's input range */
	FAULT_OTHER,         /**< anything else (synchronous external abort, alignment, ...) */
	FAULT_TABLE_NOT_RAM, /**< stage 1: a table of the walk is at a GPA that is not RAM */
};

/** One VM exit: a reason and its operands. */
struct vcpu_exit {
	enum exit_reason reason; /**< which member of the union below holds the operands */
	uint64_t pc;       /**< guest PC of the instruction that exited */
	uint64_t syndrome; /**< raw architectural syndrome (ESR_EL2, scause, VMX reason) */
	uint8_t insn_len;  /**< bytes of the trapping instruction, where the architecture's
			     *   instructions vary in length (RISC-V C extension, x86); 0 if unknown */
	union {
		/** EXIT_MMIO. For writes data holds the value; for reads the
		 *  handler fills data and the HAL puts it into register reg. */
		struct {
			gpa_t gpa;
			gva_t gva;           /**< the virtual address the guest used (FAR, stval), 0 if unknown */
			uint8_t size;        /**< bytes: 1, 2, 4 or 8 */
			bool write;
			bool sign_extend;    /**< a read sign-extends into reg */
			bool reg_is_64;      /**< a read fills 64 bits of reg (else 32; on x86 an 8- or
					      *   16-bit destination keeps its other bits: arch/insn.h) */
			uint8_t reg;         /**< guest register number (SRT; x86: 16..19 are AH..BH) */
			uint64_t data;
		} mmio;
		/** EXIT_PIO (x86 port I/O). */
		struct {
			uint16_t port;
			uint8_t size;
			bool write;
			uint32_t data;
		} pio;
		/** EXIT_HYPERCALL. The HAL copies the argument registers in;
		 *  the handler fills ret[] for the HAL to copy back. */
		struct {
			enum hypercall_conduit conduit;
			uint16_t imm;        /**< immediate of HVC #imm / SMC #imm */
			uint64_t args[8];    /**< argument registers in the convention's order
					      *   (AArch64 x0..x5; RISC-V a0..a7: a6 = FID, a7 = EID) */
			uint64_t ret[4];
		} hypercall;
		/** EXIT_SYSREG. id is the architecture's register encoding. */
		struct {
			uint32_t id;
			bool write;
			uint8_t reg;         /**< guest general-purpose register (the result of a read) */
			uint8_t op;          /**< how a write combines (enum sysreg_op) */
			uint8_t src;         /**< register holding a written operand (RISC-V rs1),
					      *   SYSREG_SRC_IMM when value is an immediate */
			uint64_t value;      /**< written operand, or value to return */
				} sysreg;
		/** EXIT_STAGE2_FAULT. */
		struct {
			gpa_t gpa;
			gva_t gva;           /**< faulting virtual address, when valid */
			bool gva_valid;
			enum access_kind access;
			uint8_t size;        /**< access size if known, else 0 */
			bool s1ptw;          /**< the guest's stage-1 table walk read a descriptor at gpa */
			enum walk_fault kind;
			int level;           /**< table level of the fault, -1 if unknown */
		} s2fault;
		/** EXIT_SHUTDOWN. */
		struct {
			enum shutdown_kind kind;
		} shutdown;
		/** EXIT_FATAL. */
		struct {
			char msg[200];
		} fatal;
	};
};

/** Returns a short lower-case name of an exit reason ("mmio", "hypercall", ...). */
const char *exit_reason_name(enum exit_reason r);

/** Returns "read", "write" or "fetch" (an instruction fetch). */
const char *access_kind_name(enum access_kind a);

/**
 * Formats the operands of an exit as "key=value" pairs for the exit trace.
 * Returns the number of characters written (like cv_snprintf).
 */
int exit_format_operands(const struct vcpu_exit *e, char *buf, size_t size);

#endif
