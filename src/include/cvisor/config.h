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
 *              excluded_devices, interrupt_mode, and cvisor's unmapped_access.
 * Relative paths are resolved against the config file's directory.
 */
#ifndef CVISOR_CONFIG_H
#define CVISOR_CONFIG_H

#include "diag.h"
#include "types.h"

#define CFG_PATH_MAX 512    /**< bytes of a path, with its NUL (longer ones are refused) */
#define CFG_NAME_MAX 64     /**< bytes of a name, with its NUL */
#define CFG_MAX_CPUS 16     /**< entries of phys_cpu_ids / phys_cpu_sets */
#define CFG_MAX_REGIONS 16  /**< entries of memory_regions */
#define CFG_MAX_DEVICES 32  /**< entries of each [devices] array */
#define CFG_MAX_DEV_CFG 8   /**< integers in an emu_devices entry's config list */

/** The architecture of a VM ([base] arch), and of a build. */
enum cv_arch {
	ARCH_UNKNOWN = 0, /**< not given, or a name cvisor does not know */
	ARCH_AARCH64,     /**< "aarch64": Armv8-A, guests at EL1 under cvisor at EL2 */
	ARCH_RISCV64,     /**< "riscv64": RV64 with the H extension, guests in VS-mode */
	ARCH_X86_64,      /**< "x86_64": 64-bit x86 guests under two-dimensional paging */
};

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

/**
 * What a guest's load or store gets at a GPA that is neither RAM nor a
 * device ([devices] unmapped_access, docs/config.md). Instruction fetches
 * and the guest's own table walks there are an abort whatever this says.
 */
enum unmapped_access {
	UNMAPPED_STOP = 0, /**< "stop": the VM stops with a report (the default) */
	UNMAPPED_ABORT,    /**< "abort": the guest takes an external abort */
	UNMAPPED_RAZ_WI,   /**< "raz_wi": a load reads 0, a store is ignored */
};

/** "stop", "abort" or "raz_wi". */
const char *unmapped_access_name(enum unmapped_access u);

/** An entry of memory_regions: [base_gpa, size, flags, map_type]. */
struct cfg_mem_region {
	uint64_t base;      /**< first guest physical address */
	uint64_t size;      /**< bytes */
	uint32_t flags;     /**< CFG_MEM_* */
	uint32_t map_type;  /**< CFG_MAP_* */
	int line;           /**< where it was written, for diagnostics */
};

/** An entry of emu_devices: [name, base_gpa, length, irq, emu_type, [config...]]. */
struct cfg_emu_device {
	char name[CFG_NAME_MAX];       /**< the device's name, as written */
	uint64_t base;                 /**< first guest physical address of its registers */
	uint64_t size;                 /**< bytes of its register window */
	uint64_t irq;                  /**< interrupt line (INTID, PLIC source or GSI) */
	uint64_t type;                 /**< AxVisor's emu_type number of the model */
	uint64_t cfg[CFG_MAX_DEV_CFG]; /**< the model's own integers, in order */
	unsigned ncfg;                 /**< entries of cfg used */
	int line;                      /**< where it was written, for diagnostics */
};

/** An entry of passthrough_devices: [name] or [name, base_gpa, base_hpa, length, irq]. */
struct cfg_pt_device {
	char name[CFG_NAME_MAX * 2]; /**< the device's name or Devicetree path */
	uint64_t base_gpa;           /**< where the guest sees it (if has_range) */
	uint64_t base_hpa;           /**< where it is on the host (if has_range) */
	uint64_t size;               /**< bytes (if has_range) */
	uint64_t irq;                /**< its interrupt line (if has_range) */
	bool has_range;              /**< the five-field form was written */
	int line;                    /**< where it was written, for diagnostics */
};

/** An entry of passthrough_addresses: [base_gpa, length]. */
struct cfg_pt_addr {
	uint64_t base; /**< first guest physical address */
	uint64_t size; /**< bytes */
	int line;      /**< where it was written, for diagnostics */
};

/** A file the config refers to, resolved against the config's directory. */
struct cfg_path {
	bool set;                /**< the field was written */
	char path[CFG_PATH_MAX]; /**< the resolved path (empty if not set) */
	int line;                /**< where it was written, for diagnostics */
};

/** An optional address field. */
struct cfg_addr {
	bool set;       /**< the field was written */
	uint64_t value; /**< the address (0 if not set) */
	int line;       /**< where it was written, for diagnostics */
};

/** A parsed VM config: every field of the three tables (docs/config.md). */
struct vm_config {
	char file[CFG_PATH_MAX];  /**< the config file itself */

	/* [base] */
	uint64_t id;                          /**< the VM's number */
	char name[CFG_NAME_MAX];              /**< the VM's name (logs, traces) */
	uint64_t vm_type;                     /**< AxVisor's VM type: read and kept, not used */
	unsigned cpu_num;                     /**< vCPUs */
	uint64_t phys_cpu_ids[CFG_MAX_CPUS];  /**< host CPU ids of the vCPUs: read and kept */
	unsigned nphys_cpu_ids;               /**< entries of phys_cpu_ids */
	uint64_t phys_cpu_sets[CFG_MAX_CPUS]; /**< host CPU masks of the vCPUs: read and kept */
	unsigned nphys_cpu_sets;              /**< entries of phys_cpu_sets */
	enum cv_arch arch;        /**< ARCH_UNKNOWN when [base] arch is absent */
	int arch_line;            /**< where arch was written, for diagnostics */

	/* [kernel] */
	struct cfg_addr entry_point;        /**< the guest's first instruction (guest physical) */
	enum image_location image_location; /**< "fs" or "memory" */
	struct cfg_path kernel_path;        /**< the guest image (raw binary or ELF) */
	struct cfg_addr kernel_load_addr;   /**< where the image is loaded */
	struct cfg_path dtb_path;           /**< a Devicetree blob to load instead of the generated one */
	struct cfg_addr dtb_load_addr;      /**< where the Devicetree blob is placed */
	struct cfg_path ramdisk_path;       /**< an initramfs */
	struct cfg_addr ramdisk_load_addr;  /**< where the initramfs is loaded */
	struct cfg_path bios_path;          /**< a firmware image, loaded like the kernel */
	struct cfg_addr bios_load_addr;     /**< where the firmware is loaded */
	struct cfg_path disk_path;          /**< a disk image: checked to exist, not attached */
	char cmdline[CFG_PATH_MAX];         /**< the kernel command line (/chosen bootargs) */
	struct cfg_mem_region regions[CFG_MAX_REGIONS]; /**< memory_regions, in the order written */
	unsigned nregions;                  /**< entries of regions */

	/* [devices] */
	struct cfg_emu_device emu_devices[CFG_MAX_DEVICES]; /**< emulated devices */
	unsigned nemu_devices;                              /**< entries of emu_devices */
	struct cfg_pt_device pt_devices[CFG_MAX_DEVICES];   /**< passthrough_devices: read and kept */
	unsigned npt_devices;                               /**< entries of pt_devices */
	struct cfg_pt_addr pt_addrs[CFG_MAX_DEVICES];       /**< passthrough_addresses: read and kept */
	unsigned npt_addrs;                                 /**< entries of pt_addrs */
	char excluded_devices[CFG_MAX_DEVICES][CFG_NAME_MAX * 2]; /**< excluded_devices: read and kept */
	unsigned nexcluded;                                 /**< entries of excluded_devices */
	char interrupt_mode[CFG_NAME_MAX];                  /**< interrupt_mode: read and kept */
	enum unmapped_access unmapped_access;               /**< loads and stores outside RAM and devices */
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
