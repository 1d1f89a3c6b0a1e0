/* SPDX-License-Identifier: MIT */
/**
 * @file hal_bare.h
 * @brief What the bare-metal HAL's files share: the embedded VMs, the
 *        platform set-up of each architecture, the console, the heap, and
 *        how a run ends. The scheduler's interface is sched.h; each
 *        architecture's own files share <arch>/hal_arch.h.
 */
#ifndef HAL_BARE_H
#define HAL_BARE_H

#include <cvisor/types.h>

#include "sched.h"

struct vm;

/** An image embedded in the hypervisor (empty: data NULL or len 0). */
struct bare_image {
	const void *data;
	uint64_t len;
};

/** One VM as `cvisor embed` put it into the image. */
struct bare_vm_entry {
	const char *config_path; /**< the config's name at build time, for messages */
	const char *config_text; /**< the TOML text, parsed at boot */
	uint64_t config_len;
	struct bare_image kernel, dtb, ramdisk, bios;
	struct bare_image disk;  /**< the disk image ([kernel] disk_path), served from RAM (disk.c) */
	const char *disk_path;   /**< disk_path as the config gives it, resolved as at build time ("" if none) */
};

extern const struct bare_vm_entry bare_vms[];
extern const uint64_t bare_nvms;
/** Seconds a VM may run before cvisor stops it (0: no limit); make qemu MAX_SECONDS=N. */
extern const uint64_t bare_max_seconds;

/** Statuses a run ends with (QEMU's exit status under make qemu). */
enum { BARE_EXIT_OK = 0, BARE_EXIT_VM_FAILED = 1, BARE_EXIT_PANIC = 3 };

/**
 * What the bare HAL keeps for each VM (vm->hal), made by main.c before the
 * VM boots and freed after its vCPUs have ended.
 */
struct bare_vm {
	uint16_t vmid;        /**< its stage-2 VMID (VTTBR_EL2.VMID), unique among running VMs */
	uint64_t deadline_ns; /**< stop it when hal_time_ns() passes this (0: no limit, or not started) */
	unsigned live;        /**< its vCPU threads still in their run loop */
	size_t line_len;      /**< console: bytes of its unfinished line in line[] */
	size_t line_at_tick;  /**< console: line_len at the last bare_console_tick() */
	unsigned line_idle;   /**< console: ticks in a row the unfinished line has not grown */
	char line[160];
};

/** State of the bare platform. */
struct bare_state {
	unsigned nvms;    /**< VMs in this image (console lines get a [name] prefix if > 1) */
	unsigned ncpus;   /**< physical CPUs the vCPUs run on */
	bool semihosting; /**< end the run with a status through semihosting */
	uint64_t ram_base, ram_size;
};
extern struct bare_state bare_state;

/** Where cvisor runs, for the banner: "at EL2", "in HS-mode" (<arch>/virt.c). */
extern const char bare_privilege[];
/** The hypervisor's entry from boot code (main.c). */
void bare_main(void);
/** Sets up the CPU, memory and interrupts of the platform (<arch>/virt.c). */
void bare_platform_init(void);
/** Ends the run with status; never returns (<arch>/power.c). */
void bare_power_off(int status) __attribute__((noreturn));

/** @name The host console's UART (<arch>/uart.c) @{ */
/** Sends one byte. */
void bare_putc(char c);
/** Returns the next byte received, or -1 if none is waiting. */
int bare_getc(void);
/** @} */
/** Writes a string to the host console, "\n" as "\r\n" (console.c). */
void bare_puts(const char *s);
/** Ends vm's unfinished console line, if any, when it stops (console.c). */
void bare_console_vm_end(const struct vm *vm);
/**
 * On the boot CPU's tick, for each running VM in the image's order, first
 * set for the first: console input goes to that VM only, as the
 * simulator's goes to its first (a VM that never reads its UART would
 * otherwise take bytes meant for another); and vm's unfinished line, if
 * it has not grown for 50 ms (as in the simulator), is sent as it is (a
 * shell's prompt, which waits for input without a newline), its next
 * output continuing it.
 */
void bare_console_tick(const struct vm *vm, bool first);

/**
 * Stops each running VM that is past its time limit, and lets each take
 * a byte waiting at the host UART (vm_console_input()), so that input
 * reaches a guest within a tick even while it does not poll its UART
 * (main.c; the boot CPU's tick).
 */
void bare_time_limits(void);

/**
 * Gives the page allocator the RAM the host device tree describes, after
 * cvisor's image, less the device tree and its /reserved-memory; without
 * a /memory node, dflt_size bytes at dflt_base (page_alloc.c).
 */
void page_alloc_init(const void *host_dtb, uint64_t dflt_base, uint64_t dflt_size);
/**
 * Without a device tree (x86_64): gives the page allocator the whole pages
 * of a RAM range, and takes a range back out of it (page_alloc.c).
 */
void page_alloc_add_ram(uint64_t base, uint64_t size);
void page_alloc_reserve(uint64_t base, uint64_t size);
/** Gives the heap its pages; after the page allocator has memory (heap.c). */
void bare_heap_init(void);

/** @name Running vCPUs (vcpu_thread.c, <arch>/vcpu.c) @{ */
struct vcpu;
/** What every architecture's per-vCPU state (vcpu->hal) begins with. */
struct bare_vcpu_base {
	struct thread thread; /**< the vCPU's run loop on its physical CPU (sched.c) */
	uint64_t deadline;    /**< hal_vcpu_set_deadline(): leave the guest then */
};
/** Allocates b's thread stack; no deadline yet. Returns 0 or -CV_ENOMEM. */
int bare_vcpu_base_init(struct bare_vcpu_base *b);
/** Frees b's stack; panics if its thread still runs. */
void bare_vcpu_base_free(struct bare_vcpu_base *b, const struct vcpu *vcpu);
/** Starts vcpu's thread, on a physical CPU of its own if one is free: body(vcpu). */
void bare_vcpu_start(struct vcpu *vcpu, void (*body)(void *));
/** On the vCPU's own thread at its end: its CPU forgets its registers. */
void bare_vcpu_unload(struct vcpu *vcpu);
/** True once vcpu's thread has ended for good (or never started): it may be destroyed. */
bool bare_vcpu_gone(const struct vcpu *vcpu);
/**
 * The boot CPU's scheduler: runs the vCPUs given to this CPU, and waits
 * for interrupts, until stop() returns true (checked after each thread
 * switch and each interrupt).
 */
void bare_schedule(bool (*stop)(void));
/** @} */

#endif
