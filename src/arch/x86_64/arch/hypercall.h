/* SPDX-License-Identifier: MIT */
/**
 * @file hypercall.h
 * @brief cvisor's VMCALL ABI on x86_64 (docs/hypercalls.md): VMCALL
 *        (SDM Vol. 2B, "VMCALL") exits to the hypervisor unconditionally;
 *        the call number and arguments are in general registers.
 */
#ifndef ARCH_X86_64_HYPERCALL_H
#define ARCH_X86_64_HYPERCALL_H

#include <arch/vcpu_arch.h>

/** The registers of exit->hypercall.args[0..5]: RAX = the call number, RBX..RDI arguments. */
#define X86_HYPERCALL_ARG_REGS { X86_RAX, X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI }
/** The register of the result; every other register is preserved. */
#define X86_HYPERCALL_RET_REG X86_RAX

#endif
