/* SPDX-License-Identifier: MIT */
/**
 * @file hal_bare.h
 * @brief What the bare-metal HAL's files share: the embedded VMs, the
 *        platform set-up of each architecture, the console, the heap, and
 *        how a run ends. The AArch64 files' own interface is
 *        aarch64/hal_aarch64.h.
 */
#ifndef HAL_BARE_H
#define HAL_BARE_H

#include <cvisor/types.h>

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
};

extern const struct bare_vm_entry bare_vms[];
extern const uint64_t bare_nvms;
/** Seconds a VM may run before cvisor stops it (0: no limit); make qemu MAX_SECONDS=N. */
extern const uint64_t bare_max_seconds;

/** Statuses a run ends with (QEMU's exit status under make qemu). */
enum { BARE_EXIT_OK = 0, BARE_EXIT_VM_FAILED = 1, BARE_EXIT_PANIC = 3 };

/** State of the bare platform. */
struct bare_state {
	unsigned nvms;    /**< VMs in this image (console lines get a [name] prefix if > 1) */
	bool semihosting; /**< end the run with a status through semihosting */
	uint64_t ram_base, ram_size;
};
extern struct bare_state bare_state;

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

/** Gives the heap its pages; after the page allocator has memory (heap.c). */
void bare_heap_init(void);

#endif
