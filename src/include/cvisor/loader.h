/* SPDX-License-Identifier: MIT */
/**
 * @file loader.h
 * @brief Loading guest images (raw binaries and ELF) into guest RAM.
 *
 * Images arrive as host buffers (read by the HAL or embedded in the bare
 * image) and are copied into the guest only through the address-space API.
 */
#ifndef CVISOR_LOADER_H
#define CVISOR_LOADER_H

#include "addrspace.h"
#include "config.h"
#include "types.h"

/** True if data starts with the ELF magic. */
bool loader_is_elf(const void *data, size_t len);
/**
 * The architecture an ELF image was built for (from e_machine), or
 * ARCH_UNKNOWN if data is not a 64-bit little-endian ELF of a supported one.
 */
enum cv_arch loader_elf_arch(const void *data, size_t len);

/** What a load placed where (for messages and the device tree). */
struct load_info {
	gpa_t start;        /**< lowest GPA written */
	gpa_t end;          /**< one past the highest GPA written */
	gpa_t entry;        /**< ELF e_entry, or the load address of a raw image */
};

/**
 * Copies a raw image to gpa. The whole of [gpa, gpa+len) must be RAM.
 * Returns 0, or -CV_ERANGE with a message in err (if not NULL).
 */
int loader_load_raw(struct addrspace *as, gpa_t gpa, const void *data, size_t len,
		    struct load_info *info, char *err, size_t errsize);
/**
 * Loads the PT_LOAD segments of a 64-bit little-endian ELF at their
 * physical addresses (p_paddr), zero-filling p_memsz beyond p_filesz.
 * Refuses (without writing anything) a malformed file, a segment outside
 * RAM, or two segments that overlap. Returns 0 or a negative cv_err with
 * a one-line reason in err.
 */
int loader_load_elf(struct addrspace *as, const void *data, size_t len, struct load_info *info,
		    char *err, size_t errsize);

#endif
