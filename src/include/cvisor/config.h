/* SPDX-License-Identifier: MIT */
/**
 * @file config.h
 * @brief VM configuration (axvmconfig): AxVisor's TOML fields plus cvisor's.
 *
 * A VM config has three tables, with AxVisor's field names:
 *  - [base]    id, name, vm_type, cpu_num, phys_cpu_ids, phys_cpu_sets,
 *              and cvisor's arch ("aarch64" | "riscv64" | "x86_64");
 *  - [kernel]  entry_point, image_location, kernel_path, kernel_load_addr,
 *              dtb_path, dtb_load_addr, ramdisk_path, ramdisk_load_addr,
 *              bios_path, bios_load_addr, disk_path, memory_regions,
 *              and cvisor's cmdline;
 *  - [devices] emu_devices, passthrough_devices, passthrough_addresses,
 *              excluded_devices, interrupt_mode.
 * Relative paths are resolved against the config file's directory.
 */
#ifndef CVISOR_CONFIG_H
#define CVISOR_CONFIG_H

#include "diag.h"
#include "types.h"

#define CFG_PATH_MAX 512
#define CFG_NAME_MAX 64
#define CFG_MAX_CPUS 16
#define CFG_MAX_REGIONS 16
#define CFG_MAX_DEVICES 32
#define CFG_MAX_DEV_CFG 8

enum cv_arch { ARCH_UNKNOWN = 0, ARCH_AARCH64, ARCH_RISCV64, ARCH_X86_64 };

/** "aarch64", "riscv64", "x86_64" or "unknown". */
const char *cv_arch_name(enum cv_arch a);
/** Parses an architecture name; ARCH_UNKNOWN if it is none of them. */
enum cv_arch cv_arch_from_name(const char *s);

/** Where the images come from: AxVisor's image_location. */
enum image_location { IMAGE_FS, IMAGE_MEMORY };

/** memory_regions flags, as in AxVisor (MappingFlags). */
enum { CFG_MEM_READ = 1, CFG_MEM_WRITE = 2, CFG_MEM_EXECUTE = 4, CFG_MEM_DEVICE = 8 };
/** memory_regions map_type, as in AxVisor. */
enum { CFG_MAP_ALLOC = 0, CFG_MAP_IDENTICAL = 1, CFG_MAP_RESERVED = 2 };

struct cfg_mem_region {
	uint64_t base, size;
	uint32_t flags;     /**< CFG_MEM_* */
	uint32_t map_type;  /**< CFG_MAP_* */
	int line;           /**< where it was written, for diagnostics */
};

/** An entry of emu_devices: [name, base_gpa, length, irq, emu_type, [config...]]. */
struct cfg_emu_device {
	char name[CFG_NAME_MAX];
	uint64_t base, size;
	uint64_t irq;
	uint64_t type;
	uint64_t cfg[CFG_MAX_DEV_CFG];
	unsigned ncfg;
	int line;
};

/** An entry of passthrough_devices: [name] or [name, base_gpa, base_hpa, length, irq]. */
struct cfg_pt_device {
	char name[CFG_NAME_MAX * 2];
	uint64_t base_gpa, base_hpa, size, irq;
	bool has_range;
	int line;
};

/** An entry of passthrough_addresses: [base_gpa, length]. */
struct cfg_pt_addr {
	uint64_t base, size;
	int line;
};

/** A file the config refers to, resolved against the config's directory. */
struct cfg_path {
	bool set;
	char path[CFG_PATH_MAX];
	int line;
};

/** An optional address field. */
struct cfg_addr {
	bool set;
	uint64_t value;
	int line;
};

struct vm_config {
	char file[CFG_PATH_MAX];  /**< the config file itself */

	/* [base] */
	uint64_t id;
	char name[CFG_NAME_MAX];
	uint64_t vm_type;
	unsigned cpu_num;
	uint64_t phys_cpu_ids[CFG_MAX_CPUS];
	unsigned nphys_cpu_ids;
	uint64_t phys_cpu_sets[CFG_MAX_CPUS];
	unsigned nphys_cpu_sets;
	enum cv_arch arch;        /**< ARCH_UNKNOWN when [base] arch is absent */
	int arch_line;

	/* [kernel] */
	struct cfg_addr entry_point;
	enum image_location image_location;
	struct cfg_path kernel_path;
	struct cfg_addr kernel_load_addr;
	struct cfg_path dtb_path;
	struct cfg_addr dtb_load_addr;
	struct cfg_path ramdisk_path;
	struct cfg_addr ramdisk_load_addr;
	struct cfg_path bios_path;
	struct cfg_addr bios_load_addr;
	struct cfg_path disk_path;
	char cmdline[CFG_PATH_MAX];
	struct cfg_mem_region regions[CFG_MAX_REGIONS];
	unsigned nregions;

	/* [devices] */
	struct cfg_emu_device emu_devices[CFG_MAX_DEVICES];
	unsigned nemu_devices;
	struct cfg_pt_device pt_devices[CFG_MAX_DEVICES];
	unsigned npt_devices;
	struct cfg_pt_addr pt_addrs[CFG_MAX_DEVICES];
	unsigned npt_addrs;
	char excluded_devices[CFG_MAX_DEVICES][CFG_NAME_MAX * 2];
	unsigned nexcluded;
	char interrupt_mode[CFG_NAME_MAX];
};

/**
 * Parses a VM config from text. file is the config's path: it names the
 * file in messages and its directory resolves relative paths.
 * Returns 0 if the file was read (warnings may be in dl), -CV_EPARSE on a
 * syntax error or a field of the wrong type/range (errors in dl).
 */
int config_parse(const char *text, size_t len, const char *file, struct vm_config *cfg,
		 struct diag_list *dl);

/** Tells whether a file exists and is readable (the HAL's or the tool's job). */
typedef bool (*config_file_exists_fn)(const char *path);

/**
 * Checks that a parsed config can run: at least one RAM region, regions
 * aligned and not overlapping, images present (through exists, if not
 * NULL) and inside RAM where their size is known, an architecture known.
 * Each problem is added to dl as an error. Returns the number of problems.
 */
unsigned config_validate(const struct vm_config *cfg, config_file_exists_fn exists,
			 struct diag_list *dl);

#endif
