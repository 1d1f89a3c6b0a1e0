/* SPDX-License-Identifier: MIT */
/**
 * @file vm.h
 * @brief VMs and vCPUs (axvm / axvcpu): lifecycle and the exit dispatcher.
 *
 * Life of a VM:
 *   vm_create()        address space, RAM, devices from the config
 *   vm_load_images()   kernel, device tree, ramdisk into guest RAM
 *   vm_boot()          boot vCPU reset to the entry point, HAL prepared
 *   vcpu_run_loop()    per vCPU: run guest, handle exit, repeat
 *   vm_destroy()
 * A VM stops when the guest powers off, or when the hypervisor stops it
 * because of what the guest did (vm_stop()); that never stops cvisor.
 */
#ifndef CVISOR_VM_H
#define CVISOR_VM_H

#include <arch/vcpu_arch.h>

#include "addrspace.h"
#include "config.h"
#include "devbus.h"
#include "exit.h"
#include "types.h"

#define VM_MAX_VCPUS CFG_MAX_CPUS /**< vCPUs of one VM */

/**
 * A vCPU is off (a secondary before its start call, or after CPU_OFF /
 * hart_stop: its thread waits), being started (a start call claimed it
 * and writes its registers), runnable, or stopping (it called CPU_OFF /
 * hart_stop and has not yet left the guest and finished that exit: still
 * on for start calls, which could otherwise write registers it is about
 * to save).
 */
enum vcpu_state { VCPU_OFF, VCPU_STARTING, VCPU_RUNNABLE, VCPU_STOPPING };

/** A virtual CPU. */
struct vcpu {
	struct vm *vm;                        /**< the VM it belongs to */
	unsigned id;                          /**< its index in vm->vcpus (MPIDR Aff0, hart id, APIC id) */
	volatile enum vcpu_state state;       /**< off, starting, runnable or stopping */
	struct vcpu_arch arch;                /**< register file and arch state (the core never reads it) */
	void *hal;                            /**< the HAL's per-vCPU state */
	uint64_t exits[EXIT_REASON_COUNT];    /**< exits handled, by reason */
	uint64_t guest_exceptions;            /**< exceptions delivered to the guest itself */
	/** Accesses outside RAM and devices ([devices] unmapped_access): loads read as zero, */
	uint64_t unmapped_raz;
	uint64_t unmapped_wi;                 /**< stores ignored, */
	uint64_t unmapped_aborts;             /**< and aborts injected (fetches and walks too) */
};

/** Why a VM is no longer running. */
enum vm_state {
	VM_CREATED,   /**< built, not booted */
	VM_RUNNING,
	VM_OFF,       /**< the guest powered off: a clean end */
	VM_RESET,     /**< the guest asked for a reset (not supported yet: the run ends) */
	VM_FAILED,    /**< stopped by the hypervisor because of the guest (see stop_reason) */
};

/** Trace switches (--trace=...). */
enum { TRACE_EXITS = 1, TRACE_WALKS = 2 };

/** Images for a VM, read by the HAL or embedded in the bare image. */
struct vm_images {
	const void *kernel;  /**< the guest image (raw or ELF) */
	size_t kernel_len;   /**< bytes of kernel */
	const void *dtb;     /**< a Devicetree blob; NULL: cvisor generates one */
	size_t dtb_len;      /**< bytes of dtb */
	const void *ramdisk; /**< an initramfs, or NULL */
	size_t ramdisk_len;  /**< bytes of ramdisk */
	const void *bios;    /**< a firmware image, or NULL */
	size_t bios_len;     /**< bytes of bios */
};

/** A virtual machine. */
struct vm {
	unsigned id;                          /**< the config's [base] id */
	char name[CFG_NAME_MAX];              /**< the config's [base] name */
	struct vm_config cfg;                 /**< the config it was created from */
	struct addrspace as;                  /**< guest physical memory and its stage-2 tables */
	struct devbus bus;                    /**< MMIO devices */
	struct devbus ports;                  /**< I/O port devices (x86) */
	struct vcpu *vcpus[VM_MAX_VCPUS];     /**< vcpus[0] boots; the others wait for a start call */
	unsigned nvcpus;                      /**< entries of vcpus */
	volatile enum vm_state state;         /**< running, or why it stopped */
	char stop_reason[256];                /**< what stopped a VM_FAILED VM, for the user */
	gpa_t entry;                          /**< where the boot vCPU starts */
	gpa_t dtb_gpa;                        /**< device tree address (GPA_INVALID if none) */
	gpa_t initrd_start;                   /**< first byte of the ramdisk (0 if none) */
	gpa_t initrd_end;                     /**< byte past the ramdisk (0 if none) */
	unsigned trace;                       /**< TRACE_* bits */
	int unmapped_logged;                  /**< an access outside RAM and devices was logged */
	/** The device that took the console input for itself (vm_console_claim()), or NULL. */
	const struct device *console_owner;
	void *hal;                            /**< the HAL's per-VM state */
};

/**
 * Creates a VM from a parsed config: RAM regions, the architecture's
 * default devices and the config's emu_devices. On failure returns a
 * negative cv_err and a one-line reason in err.
 */
int vm_create(const struct vm_config *cfg, struct vm **out, char *err, size_t errsize);
/** Loads the images and the device tree into guest RAM and picks the entry point. */
int vm_load_images(struct vm *vm, const struct vm_images *img, char *err, size_t errsize);
/** Resets the boot vCPU to the entry point (others stay off) and prepares the HAL. */
int vm_boot(struct vm *vm, char *err, size_t errsize);
/**
 * Where a device tree goes when dtb_load_addr is not set, on every
 * architecture: 2 MiB below the end of the first RAM region of 4 MiB or
 * more (the base of the first region otherwise). The arm64 and RISC-V
 * Linux boot protocols (Documentation/arm64/booting.rst, riscv/boot.rst)
 * want it 8-byte aligned and clear of a kernel loaded low.
 */
gpa_t vm_dtb_addr_below_ram_end(const struct vm *vm);
/** Destroys a VM and everything it owns. NULL is allowed. */
void vm_destroy(struct vm *vm);

/**
 * Stops the VM with a final state and a one-line reason. The first stop
 * wins; every vCPU of the VM is kicked out of the guest.
 */
void vm_stop(struct vm *vm, enum vm_state state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** True while the VM runs. */
static inline bool vm_running(const struct vm *vm) { return vm->state == VM_RUNNING; }
/** "off", "starting", "runnable", "stopping" */
const char *vcpu_state_name(enum vcpu_state s);
/** "running", "off", "reset", "failed", ... */
const char *vm_state_name(enum vm_state s);

/**
 * Sets the level of a device's interrupt line irq at vm's interrupt
 * controller: a GICv3 INTID (an SPI, 32 and up) on AArch64, a PLIC
 * source on RISC-V, an I/O APIC pin on x86_64 (vm_arch_irq_set()). A VM
 * whose config replaced its controller ignores it. Any thread.
 */
void vm_irq_set(struct vm *vm, unsigned irq, bool level);
/**
 * Console input for vm has arrived (the HAL's console, any thread): each
 * device with an input hook (its UART) takes what it can and raises its
 * interrupt, so a guest that waits for that interrupt sees the input.
 */
void vm_console_input(struct vm *vm);
/**
 * The next byte of vm's console input for device dev, or -1: none is
 * waiting, or another device has claimed the input. Devices read the
 * console input through it, not hal_console_getc(). Any thread; a device
 * of no VM (vm NULL, in unit tests) reads the HAL's input as it is.
 */
int vm_console_getc(struct vm *vm, const struct device *dev);
/**
 * Gives vm's console input to dev alone (claim) or back to every device
 * (release, if dev holds it). A virtio-console claims it once its driver
 * gave it receive buffers, so the UART, whose flag register a guest polls
 * as it prints, takes no byte meant for the virtio console
 * (docs/virtio.md). Any thread.
 */
void vm_console_claim(struct vm *vm, const struct device *dev, bool claim);

/** Runs one vCPU until its VM stops. Returns 0, or a negative cv_err if the HAL failed. */
int vcpu_run_loop(struct vcpu *vcpu);
/**
 * Starts a vCPU that is off (PSCI CPU_ON, SBI hart_start, SIPI): its
 * registers as vcpu_arch_start() sets them, then it runs. Any thread.
 * Returns 0, -CV_EEXIST if it is already on, -CV_EBUSY if another start
 * of it is under way.
 */
int vcpu_power_on(struct vcpu *vcpu, gpa_t entry, uint64_t context);
/**
 * The calling vCPU turns itself off (PSCI CPU_OFF, SBI hart_stop). When
 * none is left on, the VM powers off with the reason why.
 */
void vcpu_power_off(struct vcpu *vcpu, const char *why);
/** Number of the VM's vCPUs that are on (runnable or being started). */
unsigned vm_vcpus_on(const struct vm *vm);
/**
 * Handles one exit: counts it, traces it, dispatches it to the device
 * bus, hypercall or system register code. The HAL calls this directly
 * for exits it resolves without leaving the guest (e.g. the simulator's
 * synchronous MMIO callbacks); otherwise vcpu_run_loop() does.
 */
void vcpu_handle_exit(struct vcpu *vcpu, struct vcpu_exit *exit);

/**
 * cvisor's own hypercalls, the same numbers on every architecture
 * (the architecture maps its calling convention to them; see docs/hypercalls.md).
 */
enum cvisor_hypercall {
	CVISOR_HC_VERSION = 0,   /**< ret0 = cvisor version (major << 16 | minor) */
	CVISOR_HC_PUTCHAR = 1,   /**< writes byte arg0 to the VM's console; ret0 = 0 */
	CVISOR_HC_ADD = 2,       /**< ret0 = arg0 + arg1 + arg2 (a round-trip check) */
	CVISOR_HC_VCPU_ID = 3,   /**< ret0 = the calling vCPU's index */
	CVISOR_HC_MEM_PROTECT = 4, /**< stage-2 permissions arg2 (PERM_* bits) for [arg0, arg0+arg1); ret0 = 0 or an error below */
	CVISOR_HC_LAST = CVISOR_HC_MEM_PROTECT,
};
/** Status returned for an unknown hypercall (SMCCC NOT_SUPPORTED, as int64 -1). */
#define CVISOR_HC_UNKNOWN ((uint64_t)-1)
/** Status for arguments a call refuses (SMCCC INVALID_PARAMETER, -2). */
#define CVISOR_HC_INVALID ((uint64_t)-2)
/** Status for a request the VM's config does not allow (-3). */
#define CVISOR_HC_DENIED ((uint64_t)-3)

/**
 * Changes the stage-2 permissions of [gpa, gpa+size) of the VM's RAM to
 * perm (PERM_* bits, at least PERM_READ, within what the region was given by
 * the config) and tells the HAL (hal_vm_stage2_changed). Returns 0,
 * -CV_EINVAL (not page aligned, not inside one RAM region, no read) or
 * -CV_EPERM (more than the config grants).
 */
int vm_stage2_protect(struct vm *vm, gpa_t gpa, uint64_t size, unsigned perm);
/** Handles cvisor hypercall nr. Fills ret[0]. */
void hypercall_handle(struct vcpu *vcpu, uint64_t nr, const uint64_t args[3], uint64_t *ret0);

#define CVISOR_VERSION_MAJOR 0       /**< cvisor's version: major */
#define CVISOR_VERSION_MINOR 1       /**< cvisor's version: minor */
#define CVISOR_VERSION_STRING "0.1.0" /**< major.minor.patch, as `cvisor --version` prints it */

#endif
