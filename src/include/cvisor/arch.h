/* SPDX-License-Identifier: MIT */
/**
 * @file arch.h
 * @brief Hooks every architecture implements for the core (`src/arch/<arch>/`).
 *
 * Bound at link time: a build contains one architecture.
 */
#ifndef CVISOR_ARCH_H
#define CVISOR_ARCH_H

#include "config.h"
#include "exit.h"
#include "types.h"

struct vm;
struct vcpu;
struct device;

/** A standard device of the architecture's platform (QEMU virt layout). */
struct platform_device {
	const char *name; /**< its name, as emu_devices would write it ("pl011") */
	gpa_t base;       /**< first guest physical address of its window */
	uint64_t size;    /**< bytes of its window */
};

/**
 * A device model the platform offers: what an emu_devices entry of that
 * name creates. The core checks the window's size against min_size and
 * puts the device on the MMIO bus, or on the I/O port bus for port_io.
 */
struct device_model {
	const char *name;  /**< the emu_devices name ("pl011", "ns16550a") */
	uint64_t min_size; /**< bytes the smallest window must have */
	bool port_io;      /**< an x86 I/O port device, not MMIO */
	/** Creates the device for the window [base, base+size); NULL when out of memory. */
	struct device *(*create)(struct vm *vm, gpa_t base, uint64_t size);
};

/** What the core and the HALs know of the architecture's guest platform: constants, as data. */
struct platform_desc {
	enum cv_arch arch; /**< the architecture this build of the core is for */
	/**
	 * The platform's standard devices, which a config need not list. An
	 * emu_devices entry with the same name, or overlapping one, replaces it;
	 * a memory region overlapping one leaves it out.
	 */
	const struct platform_device *devices;
	unsigned ndevices; /**< entries of devices */
	/** The device models a config may name in emu_devices. */
	const struct device_model *models;
	unsigned nmodels; /**< entries of models */
	/** Name of the standard device that is the guest's console ("pl011"). */
	const char *console;
	/** The instruction that waits for an interrupt, for reports ("WFI", "HLT"). */
	const char *halt_insn;
};

/** The platform of this build's architecture (`src/arch/<arch>/platform.c`). */
extern const struct platform_desc vm_arch_platform;

/** Puts a vCPU in its architectural reset state for the boot protocol. */
void vcpu_arch_reset(struct vcpu *vcpu, gpa_t entry, gpa_t dtb);
/**
 * Applies the results of a handled exit to the register file: MMIO read
 * data into the target register, hypercall results, PC past a trapped
 * instruction. Called by the HAL before re-entering the guest.
 */
void vcpu_arch_complete_exit(struct vcpu *vcpu, const struct vcpu_exit *exit);
/**
 * Turns the access of exit (EXIT_MMIO or EXIT_STAGE2_FAULT at a GPA that
 * is neither RAM nor a device) into the abort the guest takes for it, as
 * a bus with nothing at that address answers: AArch64 a synchronous
 * external abort to EL1, RISC-V an access fault, x86_64 a general-
 * protection fault (vector 13, error code 0) for a data access. The HAL
 * delivers it at the next entry, in place of completing the exit.
 * Returns false if the architecture has no abort to give for this access
 * (the core then stops the VM).
 */
bool vcpu_arch_inject_abort(struct vcpu *vcpu, const struct vcpu_exit *exit);
/** Handles a hypercall exit (PSCI, SBI, cvisor's own calls). */
void vcpu_arch_hypercall(struct vcpu *vcpu, struct vcpu_exit *exit);
/** Handles a trapped system register access; unknown ones fault the guest. */
void vcpu_arch_sysreg(struct vcpu *vcpu, struct vcpu_exit *exit);
/** Guest PC of the vCPU's register file. */
uint64_t vcpu_arch_pc(const struct vcpu *vcpu);
/**
 * Adds the properties of an emulated device's node (compatible, reg,
 * clocks...): the core has begun the node "<name>@<base>" and ends it.
 * fdt is in libfdt's sequential-write state.
 */
int fdt_arch_device_node(const struct vm *vm, const struct device *dev, void *fdt);
/** @name Interrupts, timers and secondary vCPUs (`src/arch/<arch>/irq.c`) */
/** @{ */
/**
 * Puts a secondary vCPU, off until now, in the state the architecture's
 * start call gives it: PSCI CPU_ON (PC = entry, x0 = context, EL1 with
 * the MMU off), SBI hart_start (PC = entry, a0 = hart id, a1 = context,
 * S-mode, satp 0), INIT-SIPI (entry = the start-up vector's page).
 */
void vcpu_arch_start(struct vcpu *vcpu, gpa_t entry, uint64_t context);
/**
 * Brings the vCPU's timers to clock value now: a timer whose condition
 * is met raises its interrupt. Returns the next clock value after now at
 * which one of them changes (CLOCK_NEVER if none is armed). Called on the
 * vCPU's own thread before each run and while it waits.
 */
uint64_t vcpu_arch_timers(struct vcpu *vcpu, uint64_t now);
/**
 * True if the vCPU has an interrupt pending that ends a wait for
 * interrupt (WFI / HLT) as the architecture says: pending and enabled at
 * the interrupt controller, whether or not the CPU masks it.
 */
bool vcpu_arch_irq_wakes(const struct vcpu *vcpu);
/**
 * True if anything could ever wake the vCPU from a wait: an interrupt
 * enabled for it at its controller, or a timer armed. A vCPU that waits
 * with nothing possible, alone in its VM, would wait forever.
 */
bool vcpu_arch_irq_possible(const struct vcpu *vcpu);
/**
 * Sets the level of interrupt line irq of the VM's interrupt controller
 * (vm_irq_set()): the GICv3's SPIs, the PLIC's sources, the I/O APIC's
 * pins. Lines the controller lacks, or a VM without it, are ignored.
 */
void vm_arch_irq_set(struct vm *vm, unsigned irq, bool level);
/** @} */

/** Formats the main registers for a fault report ("pc=... sp=... x0=..."). */
int vcpu_arch_format_regs(const struct vcpu *vcpu, char *buf, size_t size);

#endif
