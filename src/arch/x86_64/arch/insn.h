/* SPDX-License-Identifier: MIT */
/**
 * @file insn.h
 * @brief Decoding of the x86 instructions that load or store a device's
 *        register: MOV, MOVZX, MOVSX, MOVSXD (Intel SDM Vol. 2, chapter 2
 *        "Instruction Format" and the "MOV", "MOVZX", "MOVSX/MOVSXD"
 *        pages). Pure functions but x86_fetch_insn(), for both HALs.
 *
 * An EPT violation (exit reason 48) says which guest-physical and
 * guest-linear address was touched and whether it was a read, a write or
 * a fetch, but not how many bytes, from or into which register: unlike
 * ESR_EL2.ISV on AArch64 or htinst on RISC-V, VMX gives no syndrome for
 * the instruction (and VM_EXIT_INSTRUCTION_LEN is undefined for this
 * exit, SDM Vol. 3C, 28.2.5). The hypervisor reads the bytes at the
 * guest's RIP and decodes them here. Everything else (string moves,
 * read-modify-write instructions, XCHG, SSE moves, LOCK or REP prefixes)
 * is refused, so that the VM stops with a report instead of being
 * emulated wrongly.
 *
 * Worked example: 67 44 89 44 8f 10 in 64-bit mode is
 *   67  address-size prefix: 32-bit addressing
 *   44  REX, R = 1: the ModRM reg field names R8..R15
 *   89  MOV r/m32, r32 (a store; operand size 4, REX.W clear)
 *   44  ModRM mod 01 (disp8), reg 000 (+ REX.R: R8D), rm 100 (a SIB follows)
 *   8f  SIB scale 10 (x4), index 001 (RCX), base 111 (RDI)
 *   10  disp8 +16
 * = mov %r8d, 0x10(%edi,%ecx,4): 6 bytes, a 4-byte store of R8D to
 *   (uint32_t)(EDI + ECX * 4 + 16).
 *
 * A HAL, on an EPT violation that vmx_decode_exit() made an
 * EXIT_STAGE2_FAULT at a GPA the simulator would take as an access (a
 * device, or neither RAM nor a device under unmapped_access = "raz_wi";
 * the local APIC's page goes to vmx_decode_apic()): copies up to
 * X86_INSN_MAX bytes at the guest's CS:RIP through its page tables
 * (x86_fetch_insn()), calls vmx_decode_mmio() with the mode of CS
 * (x86_code_mode()) and the registers (when that returns false the
 * EXIT_STAGE2_FAULT stays, and the VM stops with its report), then
 * vcpu_handle_exit() and, before the next entry,
 * vcpu_arch_complete_exit(), which loads a read's data and steps RIP
 * over the instruction.
 */
#ifndef ARCH_X86_64_INSN_H
#define ARCH_X86_64_INSN_H

#include <cvisor/exit.h>
#include <cvisor/types.h>

/** Longest x86 instruction (SDM Vol. 2, 2.3.11): a longer one is a #GP. */
#define X86_INSN_MAX 15

/**
 * The code the guest runs, by its default operand and address size in
 * bytes: CS.L = 1 in IA-32e mode is 64-bit mode; otherwise CS.D = 1 is
 * 32-bit, CS.D = 0 (and real mode) 16-bit (SDM Vol. 3A, 3.4.5).
 */
enum x86_mode { X86_MODE_16 = 2, X86_MODE_32 = 4, X86_MODE_64 = 8 };

struct addrspace;
struct x86_s1_regs;

/**
 * Copies the bytes of the guest's instruction at linear address rip (CS
 * base + RIP) into buf, up to X86_INSN_MAX, through the guest's paging
 * (r, as stage1.h's x86_s1_translate() takes it) and then guest RAM, a
 * page at a time: an instruction may cross into a page that is not
 * mapped, not executable or not RAM, and the copy stops there. Returns
 * the number of bytes copied, the n the decoders take (which refuse an
 * instruction longer than that).
 */
unsigned x86_fetch_insn(const struct addrspace *as, const struct x86_s1_regs *r, uint64_t rip,
			uint8_t buf[X86_INSN_MAX]);

/**
 * The mode of the guest's code from its CS access rights as the VMCS
 * holds them (GUEST_CS_AR_BYTES, SDM Vol. 3C, 25.4.1, table 25-2: L in
 * bit 13, D/B in bit 14) and IA32_EFER (LMA, bit 10).
 */
enum x86_mode x86_code_mode(uint64_t efer, uint32_t cs_access_rights);

/**
 * @name Register numbers beyond enum x86_gpr
 * A byte operand without a REX prefix names AH, CH, DH, BH for encodings
 * 4..7 (SDM Vol. 2, table 3-1 and 2.2.1.2): bits 15:8 of RAX, RCX, RDX,
 * RBX. Such a register is X86_AH + (0..3), here and in an EXIT_MMIO's
 * mmio.reg. @{
 */
#define X86_AH 16u
#define X86_CH 17u
#define X86_DH 18u
#define X86_BH 19u
/** The base of a RIP-relative operand: the address of the next instruction. */
#define X86_RIP 20u
/** No register: no base, no index, or a store of an immediate. */
#define X86_NOREG 0xffu
/** @} */

/** Segment registers in the order of their encodings (SDM Vol. 2, table 3-1); NONE: no override. */
enum x86_seg { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS,
	       X86_SEG_NONE = 0xff };

/**
 * A decoded load or store. The memory operand is
 * seg:[base + index * scale + disp], computed in addr_size bytes.
 */
struct x86_access {
	uint8_t len;         /**< bytes of the instruction, prefixes included */
	bool write;          /**< a store (the memory operand is the destination) */
	uint8_t size;        /**< bytes of memory accessed: 1, 2, 4 or 8 */
	uint8_t reg;         /**< the register loaded or stored (enum x86_gpr, X86_AH..BH),
			      *   X86_NOREG for a store of an immediate */
	uint8_t reg_size;    /**< bytes of reg: size, or more for MOVZX/MOVSX/MOVSXD */
	bool sign_extend;    /**< MOVSX/MOVSXD: the loaded value is sign-extended to reg_size */
	uint64_t imm;        /**< the immediate a store writes, size bytes (REX.W C7: its imm32
			      *   sign-extended to 64 bits) */
	uint8_t seg;         /**< segment override prefix (enum x86_seg) */
	uint8_t base;        /**< enum x86_gpr, X86_RIP or X86_NOREG */
	uint8_t index;       /**< enum x86_gpr or X86_NOREG */
	uint8_t scale;       /**< 1, 2, 4 or 8 */
	uint8_t addr_size;   /**< bytes of the address computation: 2, 4 or 8 */
	int64_t disp;        /**< displacement (the whole address of a moffs form) */
};

/**
 * Decodes the n bytes at insn (fewer than the instruction is refused;
 * nothing beyond n, nor beyond X86_INSN_MAX, is read) as code of the
 * given mode. Supported: MOV r/m,r and r,r/m (88, 89, 8A, 8B), MOV r/m,imm
 * (C6 /0, C7 /0), MOV with moffs (A0-A3), MOVZX and MOVSX (0F B6, B7,
 * BE, BF), MOVSXD r64,r/m32 (REX.W 63, 64-bit mode), with the operand-
 * and address-size prefixes (66, 67), segment overrides and REX, in
 * 16-, 32- and 64-bit code. A register operand in place of memory
 * (ModRM mod = 11), LOCK, REP/REPNE and every other opcode are refused.
 * Returns true and fills *acc, else false (and *acc is zeroed).
 */
bool x86_decode_access(const uint8_t *insn, unsigned n, enum x86_mode mode,
		       struct x86_access *acc);

/**
 * The effective address (the offset in its segment) of a decoded access,
 * given the general registers before it executes and the address of the
 * instruction: in 64-bit mode with no FS or GS override, the linear
 * address itself.
 */
uint64_t x86_access_address(const struct x86_access *acc, const uint64_t gpr[16], uint64_t rip);

/**
 * Turns the EXIT_STAGE2_FAULT that vmx_decode_exit() made of an EPT
 * violation into the EXIT_MMIO of the load or store at exit->pc, whose
 * first n bytes are insn, in code of the given mode; gpr holds the
 * guest's registers. Fills mmio.gpa, gva, size, write, data (a store's
 * value, from its register or immediate), reg, sign_extend, reg_is_64
 * (what vcpu_arch_complete_exit() needs to load a read's data the way
 * the instruction would: see vcpu.c) and insn_len.
 * Returns false, leaving exit as it was, if the exit is not a data access
 * of the guest (a fetch, the guest's own page walk), the bytes are not a
 * supported instruction, its direction is not the exit's, or, in 64-bit
 * code without an FS/GS override, its address is not the exit's guest-
 * linear address (the code changed under the exit, or the access spans
 * two pages); also for MOVZX/MOVSX into a 16-bit register from a byte,
 * whose partial write the exit record cannot express.
 */
bool vmx_decode_mmio(const uint8_t *insn, unsigned n, enum x86_mode mode, const uint64_t gpr[16],
		     struct vcpu_exit *exit);

/**
 * The same for an access of the local APIC's page, as the EXIT_SYSREG of
 * its register X86_SYSREG_APIC(offset) that irq.c's x86_apic_access()
 * answers: from the EXIT_STAGE2_FAULT of an EPT violation in that page
 * (offset = the GPA's bits 11:0) or from the EXIT_SYSREG of an APIC-
 * access exit (reason 44), which gives no value either. Takes only the
 * aligned 32-bit MOVs the APIC is defined for (SDM Vol. 3A, 11.4.1): a
 * store's value into sysreg.value; a read's register into sysreg.reg,
 * which vcpu_arch_complete_exit() loads (zero-extended) with the value
 * the APIC gave; insn_len the instruction's. Returns false, leaving exit
 * as it was, for anything else.
 */
bool vmx_decode_apic(const uint8_t *insn, unsigned n, enum x86_mode mode, const uint64_t gpr[16],
		     struct vcpu_exit *exit);

#endif
