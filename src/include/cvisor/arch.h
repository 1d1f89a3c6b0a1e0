/* SPDX-License-Identifier: MIT */
/**
 * @file arch.h
 * @brief Hooks every architecture implements for the core (src/arch/<arch>/).
 *
 * Bound at link time: a build contains one architecture.
 */
#ifndef CVISOR_ARCH_H
#define CVISOR_ARCH_H

#include "exit.h"
#include "types.h"

struct vm;
struct vcpu;

/** The architecture this build of the core is for. */
enum cv_arch vm_arch_id(void);
/**
 * Adds the platform's standard devices (QEMU virt layout) that a config
 * need not list. Called by vm_create() before the config's emu_devices.
 */
int vm_arch_add_default_devices(struct vm *vm);
/**
 * Creates the device named name (an emu_devices entry) at [base, base+size).
 * Returns the device, or NULL with a reason in err when the name is unknown.
 */
struct device *vm_arch_create_device(struct vm *vm, const char *name, gpa_t base,
				     uint64_t size, char *err, size_t errsize);
/** Where to put a generated device tree when dtb_load_addr is not set. */
gpa_t vm_arch_default_dtb_addr(const struct vm *vm);

/** Puts a vCPU in its architectural reset state for the boot protocol. */
void vcpu_arch_reset(struct vcpu *vcpu, gpa_t entry, gpa_t dtb);
/**
 * Applies the results of a handled exit to the register file: MMIO read
 * data into the target register, hypercall results, PC past a trapped
 * instruction. Called by the HAL before re-entering the guest.
 */
void vcpu_arch_complete_exit(struct vcpu *vcpu, const struct vcpu_exit *exit);
/** Handles a hypercall exit (PSCI, SBI, cvisor's own calls). */
void vcpu_arch_hypercall(struct vcpu *vcpu, struct vcpu_exit *exit);
/** Handles a trapped system register access; unknown ones fault the guest. */
void vcpu_arch_sysreg(struct vcpu *vcpu, struct vcpu_exit *exit);
/** Guest PC of the vCPU's register file. */
uint64_t vcpu_arch_pc(const struct vcpu *vcpu);
/** Formats the main registers for a fault report ("pc=... sp=... x0=..."). */
int vcpu_arch_format_regs(const struct vcpu *vcpu, char *buf, size_t size);

#endif
