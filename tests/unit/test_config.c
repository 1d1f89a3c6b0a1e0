/* SPDX-License-Identifier: MIT */
/*
 * VM configs: every field, AxVisor's own files, wrong types with their
 * places, unknown fields, relative paths, and the checks of a runnable
 * config.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/config.h>

#define COMPAT_DIR "../shared/compat/axvisor"

/*
 * Skips the running test, printing why on a line "skip: REASON" (tests/run.sh
 * shows that reason next to the test's name, and CI fails on a skip it does
 * not expect).
 */
#define skip_because(reason)                                                                       \
	do {                                                                                       \
		print_message("skip: %s\n", reason);                                               \
		skip();                                                                            \
	} while (0)

static struct diag_list dl;
static struct vm_config cfg;

static int parse(const char *file, const char *text)
{
	memset(&dl, 0, sizeof(dl));
	return config_parse(text, strlen(text), file, &cfg, &dl);
}

/* Validates cfg into a fresh list named vm.toml. */
static unsigned validate(config_file_exists_fn exists)
{
	memset(&dl, 0, sizeof(dl));
	strcpy(dl.file, "vm.toml");
	return config_validate(&cfg, exists, &dl);
}

static void print_messages(void)
{
	char buf[300];
	for (unsigned i = 0; i < dl.count; i++) {
		diag_format(&dl, i, buf, sizeof(buf));
		print_message("  have: %s\n", buf);
	}
}

/* True if some message, formatted, is exactly s. */
static bool has_message(const char *s)
{
	char buf[300];
	for (unsigned i = 0; i < dl.count; i++) {
		diag_format(&dl, i, buf, sizeof(buf));
		if (strcmp(buf, s) == 0)
			return true;
	}
	return false;
}

#define assert_message(s)                                                                          \
	do {                                                                                       \
		if (!has_message(s)) {                                                             \
			print_messages();                                                          \
			fail_msg("no message: %s", (s));                                           \
		}                                                                                  \
	} while (0)

/* text must fail to parse with exactly one message, expected. */
#define assert_parse_error(text, expected)                                                         \
	do {                                                                                       \
		assert_int_equal(parse("vm.toml", (text)), -CV_EPARSE);                            \
		if (dl.count != 1)                                                                 \
			print_messages();                                                          \
		assert_int_equal(dl.count, 1);                                                     \
		assert_message(expected);                                                          \
	} while (0)

static const char full[] =
    "[base]\n"
    "id = 7\n"
    "name = \"full\"\n"
    "vm_type = 1\n"
    "cpu_num = 2\n"
    "phys_cpu_ids = [0, 1]\n"
    "phys_cpu_sets = [1, 2]\n"
    "arch = \"aarch64\"\n"
    "[kernel]\n"
    "entry_point = 0x4008_0000\n"
    "image_location = \"memory\"\n"
    "kernel_path = \"images/kernel.bin\"\n"
    "kernel_load_addr = 0x4008_0000\n"
    "dtb_path = \"/abs/guest.dtb\"\n"
    "dtb_load_addr = 0x4000_0000\n"
    "ramdisk_path = \"initrd.img\"\n"
    "ramdisk_load_addr = 0x4400_0000\n"
    "bios_path = \"../bios.bin\"\n"
    "bios_load_addr = 0x4001_0000\n"
    "disk_path = \"disk.img\"\n"
    "cmdline = \"console=ttyAMA0 root=/dev/ram\"\n"
    "memory_regions = [\n"
    "  [0x4000_0000, 0x800_0000, 0x7, 0],\n"
    "  [0x9000_0000, 0x1000, 0xb, 1],\n"
    "]\n"
    "[devices]\n"
    "emu_devices = [[\"pl011\", 0x0900_0000, 0x1000, 33, 1, [1, 2]], [\"gicd\", 0x800_0000, "
    "0x1_0000, 0, 0x21]]\n"
    "passthrough_devices = [[\"/\"], [\"IO APIC\", 0xfec0_0000, 0xfec0_1000, 0x1000, 0x1]]\n"
    "passthrough_addresses = [[0x2804_1000, 0x100_0000]]\n"
    "excluded_devices = [[\"/gic-v3\"], \"/timer\"]\n"
    "interrupt_mode = \"passthrough\"\n";

static void test_full_config(void **state)
{
	(void)state;
	assert_int_equal(parse("dir/sub/vm.toml", full), 0);
	assert_int_equal(dl.count, 0);
	assert_string_equal(cfg.file, "dir/sub/vm.toml");
	/* [base] */
	assert_int_equal(cfg.id, 7);
	assert_string_equal(cfg.name, "full");
	assert_int_equal(cfg.vm_type, 1);
	assert_int_equal(cfg.cpu_num, 2);
	assert_int_equal(cfg.nphys_cpu_ids, 2);
	assert_int_equal(cfg.phys_cpu_ids[0], 0);
	assert_int_equal(cfg.phys_cpu_ids[1], 1);
	assert_int_equal(cfg.nphys_cpu_sets, 2);
	assert_int_equal(cfg.phys_cpu_sets[1], 2);
	assert_int_equal(cfg.arch, ARCH_AARCH64);
	assert_int_equal(cfg.arch_line, 8);
	/* [kernel] */
	assert_true(cfg.entry_point.set);
	assert_int_equal(cfg.entry_point.value, 0x40080000);
	assert_int_equal(cfg.entry_point.line, 10);
	assert_int_equal(cfg.image_location, IMAGE_MEMORY);
	/* Relative paths resolve against the config's directory; absolute ones stay. */
	assert_true(cfg.kernel_path.set);
	assert_string_equal(cfg.kernel_path.path, "dir/sub/images/kernel.bin");
	assert_int_equal(cfg.kernel_path.line, 12);
	assert_true(cfg.dtb_path.set);
	assert_string_equal(cfg.dtb_path.path, "/abs/guest.dtb");
	assert_int_equal(cfg.dtb_path.line, 14);
	assert_string_equal(cfg.ramdisk_path.path, "dir/sub/initrd.img");
	assert_int_equal(cfg.ramdisk_path.line, 16);
	assert_string_equal(cfg.bios_path.path, "dir/sub/../bios.bin");
	assert_int_equal(cfg.bios_path.line, 18);
	assert_string_equal(cfg.disk_path.path, "dir/sub/disk.img");
	assert_int_equal(cfg.disk_path.line, 20);
	assert_true(cfg.kernel_load_addr.set);
	assert_int_equal(cfg.kernel_load_addr.value, 0x40080000);
	assert_int_equal(cfg.kernel_load_addr.line, 13);
	assert_int_equal(cfg.dtb_load_addr.value, 0x40000000);
	assert_int_equal(cfg.dtb_load_addr.line, 15);
	assert_int_equal(cfg.ramdisk_load_addr.value, 0x44000000);
	assert_int_equal(cfg.ramdisk_load_addr.line, 17);
	assert_int_equal(cfg.bios_load_addr.value, 0x40010000);
	assert_int_equal(cfg.bios_load_addr.line, 19);
	assert_string_equal(cfg.cmdline, "console=ttyAMA0 root=/dev/ram");
	assert_int_equal(cfg.nregions, 2);
	assert_int_equal(cfg.regions[0].base, 0x40000000);
	assert_int_equal(cfg.regions[0].size, 0x8000000);
	assert_int_equal(cfg.regions[0].flags, CFG_MEM_READ | CFG_MEM_WRITE | CFG_MEM_EXECUTE);
	assert_int_equal(cfg.regions[0].map_type, CFG_MAP_ALLOC);
	assert_int_equal(cfg.regions[0].line, 23);
	assert_int_equal(cfg.regions[1].base, 0x90000000);
	assert_int_equal(cfg.regions[1].flags, CFG_MEM_READ | CFG_MEM_WRITE | CFG_MEM_DEVICE);
	assert_int_equal(cfg.regions[1].map_type, CFG_MAP_IDENTICAL);
	assert_int_equal(cfg.regions[1].line, 24);
	/* [devices] */
	assert_int_equal(cfg.nemu_devices, 2);
	assert_string_equal(cfg.emu_devices[0].name, "pl011");
	assert_int_equal(cfg.emu_devices[0].base, 0x9000000);
	assert_int_equal(cfg.emu_devices[0].size, 0x1000);
	assert_int_equal(cfg.emu_devices[0].irq, 33);
	assert_int_equal(cfg.emu_devices[0].type, 1);
	assert_int_equal(cfg.emu_devices[0].ncfg, 2);
	assert_int_equal(cfg.emu_devices[0].cfg[0], 1);
	assert_int_equal(cfg.emu_devices[0].cfg[1], 2);
	assert_int_equal(cfg.emu_devices[0].line, 27);
	/* The config list may be left out. */
	assert_string_equal(cfg.emu_devices[1].name, "gicd");
	assert_int_equal(cfg.emu_devices[1].type, 0x21);
	assert_int_equal(cfg.emu_devices[1].ncfg, 0);
	assert_int_equal(cfg.npt_devices, 2);
	assert_string_equal(cfg.pt_devices[0].name, "/");
	assert_false(cfg.pt_devices[0].has_range);
	assert_string_equal(cfg.pt_devices[1].name, "IO APIC");
	assert_true(cfg.pt_devices[1].has_range);
	assert_int_equal(cfg.pt_devices[1].base_gpa, 0xfec00000);
	assert_int_equal(cfg.pt_devices[1].base_hpa, 0xfec01000);
	assert_int_equal(cfg.pt_devices[1].size, 0x1000);
	assert_int_equal(cfg.pt_devices[1].irq, 1);
	assert_int_equal(cfg.npt_addrs, 1);
	assert_int_equal(cfg.pt_addrs[0].base, 0x28041000);
	assert_int_equal(cfg.pt_addrs[0].size, 0x1000000);
	assert_int_equal(cfg.pt_addrs[0].line, 29);
	assert_int_equal(cfg.nexcluded, 2);
	assert_string_equal(cfg.excluded_devices[0], "/gic-v3");
	assert_string_equal(cfg.excluded_devices[1], "/timer");
	assert_string_equal(cfg.interrupt_mode, "passthrough");
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("vm.toml", "[base]\nid = 3\n[kernel]\nkernel_path = \"k.elf\"\n"),
			 0);
	assert_int_equal(dl.count, 0);
	assert_int_equal(cfg.cpu_num, 1);
	assert_string_equal(cfg.name, "vm3");
	assert_int_equal(cfg.arch, ARCH_UNKNOWN);
	assert_int_equal(cfg.image_location, IMAGE_FS);
	/* No directory in the file name: the path stays as written. */
	assert_string_equal(cfg.kernel_path.path, "k.elf");
	assert_false(cfg.entry_point.set);
	assert_false(cfg.dtb_path.set);
	assert_false(cfg.ramdisk_path.set);
	assert_int_equal(cfg.nregions, 0);
	assert_int_equal(cfg.nemu_devices, 0);
	assert_string_equal(cfg.interrupt_mode, "");
	assert_int_equal(cfg.unmapped_access, UNMAPPED_STOP);
	/* An empty file is a config with every default. */
	assert_int_equal(parse("empty.toml", ""), 0);
	assert_string_equal(cfg.name, "vm0");
	assert_int_equal(cfg.cpu_num, 1);
}

static void test_relative_paths(void **state)
{
	(void)state;
	assert_int_equal(parse("/etc/cvisor/vm.toml", "[kernel]\nkernel_path = \"./k.elf\"\n"
						      "dtb_path = \"/boot/x.dtb\"\n"),
			 0);
	assert_string_equal(cfg.kernel_path.path, "/etc/cvisor/./k.elf");
	assert_string_equal(cfg.dtb_path.path, "/boot/x.dtb");
	assert_int_equal(parse("./vm.toml", "[kernel]\nkernel_path = \"k.elf\"\n"), 0);
	assert_string_equal(cfg.kernel_path.path, "./k.elf");
	assert_int_equal(parse("/vm.toml", "[kernel]\nkernel_path = \"k.elf\"\n"), 0);
	assert_string_equal(cfg.kernel_path.path, "/k.elf");
	/* A path that cannot be resolved within CFG_PATH_MAX is an error, not a cut path. */
	char text[700] = "[kernel]\nkernel_path = \"";
	memset(text + strlen(text), 'k', 520);
	strcat(text, "\"\n");
	assert_parse_error(text,
			   "vm.toml:2:15: error: [kernel] kernel_path: longer than 511 characters");
	text[strlen(text) - 120] = '\0'; /* 402 characters left */
	strcat(text, "\"\n");
	assert_int_equal(parse("some/dir/vm.toml", text), 0);
	assert_int_equal(strlen(cfg.kernel_path.path), strlen("some/dir/") + 402);
	char file[200] = "";
	memset(file, 'd', 150);
	strcat(file, "/vm.toml");
	assert_int_equal(parse(file, text), -CV_EPARSE);
	assert_int_equal(dl.count, 1);
	char expected[400];
	snprintf(expected, sizeof(expected), "%s:2:15: error: [kernel] kernel_path: path too long",
		 file);
	assert_message(expected);
	assert_parse_error("[kernel]\nkernel_path = \"\"\n",
			   "vm.toml:2:15: error: [kernel] kernel_path: empty path");
}

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	*len = 0;
	if (!f)
		return NULL;
	static char buf[65536];
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static bool never_exists(const char *path)
{
	(void)path;
	return false;
}

static bool always_exists(const char *path)
{
	(void)path;
	return true;
}

/*
 * Every AxVisor config in the compatibility directory parses without an
 * error; their images are not on this machine, which validation reports.
 */
static void test_axvisor_configs(void **state)
{
	(void)state;
	DIR *d = opendir(COMPAT_DIR);
	if (!d) {
		skip_because(COMPAT_DIR " not found (AxVisor's configs)");
	}
	unsigned nfiles = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".toml") != 0)
			continue;
		char path[512];
		size_t len = 0;
		snprintf(path, sizeof(path), "%s/%s", COMPAT_DIR, de->d_name);
		char *text = read_text(path, &len);
		assert_non_null(text);
		memset(&dl, 0, sizeof(dl));
		if (config_parse(text, len, path, &cfg, &dl) != 0 ||
		    diag_count(&dl, DIAG_ERROR) != 0) {
			print_messages();
			fail_msg("%s does not parse", path);
		}
		assert_int_equal(diag_count(&dl, DIAG_WARNING), 0);
		assert_int_equal(cfg.id, 1);
		assert_int_equal(cfg.cpu_num, 1);
		assert_true(cfg.nregions >= 1);
		assert_true(cfg.kernel_path.set);
		assert_int_equal(cfg.arch, ARCH_UNKNOWN);
		assert_string_equal(cfg.interrupt_mode, "passthrough");
		/* With every file present the config is runnable; without, kernel_path is missing.
		 */
		assert_int_equal(validate(always_exists), 0);
		assert_true(validate(never_exists) >= 1);
		char expected[700];
		snprintf(expected, sizeof(expected),
			 "vm.toml:%d: error: kernel_path: no such file: %s", cfg.kernel_path.line,
			 cfg.kernel_path.path);
		assert_message(expected);
		nfiles++;
	}
	closedir(d);
	assert_true(nfiles >= 4);

	/* Spot checks of what they say. */
	size_t len = 0;
	char *text = read_text(COMPAT_DIR "/nimbos-x86_64-qemu-smp1.toml", &len);
	if (text) {
		memset(&dl, 0, sizeof(dl));
		assert_int_equal(config_parse(text, len, "x/nimbos.toml", &cfg, &dl), 0);
		assert_string_equal(cfg.name, "nimbos");
		assert_int_equal(cfg.entry_point.value, 0x8000);
		assert_int_equal(cfg.kernel_load_addr.value, 0x200000);
		assert_string_equal(cfg.kernel_path.path,
				    "/tmp/axvisor/qemu_x86_64_nimbos/qemu-x86_64");
		assert_string_equal(cfg.bios_path.path, "x/axvm-bios.bin");
		assert_int_equal(cfg.bios_load_addr.value, 0x8000);
		assert_int_equal(cfg.npt_devices, 3);
		assert_string_equal(cfg.pt_devices[2].name, "HPET");
		assert_true(cfg.pt_devices[2].has_range);
		assert_int_equal(cfg.pt_devices[2].base_gpa, 0xfed00000);
		assert_int_equal(cfg.nemu_devices, 0);
		assert_int_equal(cfg.nphys_cpu_sets, 1);
		assert_int_equal(cfg.phys_cpu_sets[0], 1);
		assert_int_equal(cfg.regions[0].base, 0);
		assert_int_equal(cfg.regions[0].size, 0x1000000);
	}
	text = read_text(COMPAT_DIR "/linux-aarch64-qemu-smp1.toml", &len);
	if (text) {
		memset(&dl, 0, sizeof(dl));
		assert_int_equal(config_parse(text, len, "linux.toml", &cfg, &dl), 0);
		assert_int_equal(cfg.image_location, IMAGE_MEMORY);
		assert_string_equal(cfg.kernel_path.path, "tmp/Image");
		assert_int_equal(cfg.regions[0].map_type, CFG_MAP_IDENTICAL);
		assert_int_equal(cfg.npt_devices, 1);
		assert_string_equal(cfg.pt_devices[0].name, "/");
		assert_int_equal(cfg.nexcluded, 0);
	}
	text = read_text(COMPAT_DIR "/linux-riscv64-qemu-smp1.toml", &len);
	if (text) {
		memset(&dl, 0, sizeof(dl));
		assert_int_equal(config_parse(text, len, "linux.toml", &cfg, &dl), 0);
		assert_int_equal(cfg.nemu_devices, 1);
		assert_string_equal(cfg.emu_devices[0].name, "plic");
		assert_int_equal(cfg.emu_devices[0].type, 0x30);
		assert_int_equal(cfg.emu_devices[0].ncfg, 1);
		assert_int_equal(cfg.emu_devices[0].cfg[0], 2);
		assert_int_equal(cfg.npt_addrs, 2);
		assert_int_equal(cfg.pt_addrs[1].base, 0x10001000);
		assert_int_equal(cfg.regions[0].map_type, CFG_MAP_RESERVED);
	}
}

/* Truncations of AxVisor's files: a result or an error, never a crash or a silent failure. */
static void test_truncated_configs_never_crash(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = read_text(COMPAT_DIR "/nimbos-x86_64-qemu-smp1.toml", &len);
	if (!text) {
		skip_because(COMPAT_DIR "/nimbos-x86_64-qemu-smp1.toml not found");
	}
	for (size_t n = 0; n <= len; n++) {
		memset(&dl, 0, sizeof(dl));
		if (config_parse(text, n, "t.toml", &cfg, &dl) != 0)
			assert_true(diag_count(&dl, DIAG_ERROR) >= 1);
		else
			config_validate(&cfg, never_exists, &dl);
	}
}

static void test_wrong_types(void **state)
{
	(void)state;
	assert_parse_error(
	    "[base]\nid = 1\ncpu_num = \"two\"\n",
	    "vm.toml:3:11: error: [base] cpu_num: expected an integer, found a string");
	assert_parse_error("[base]\ncpu_num = 0\n",
			   "vm.toml:2:11: error: [base] cpu_num: 0 is out of range 1..16");
	assert_parse_error("[base]\ncpu_num = 17\n",
			   "vm.toml:2:11: error: [base] cpu_num: 17 is out of range 1..16");
	assert_parse_error("[base]\ncpu_num = -1\n",
			   "vm.toml:2:11: error: [base] cpu_num: -1 is out of range 1..16");
	assert_parse_error("[base]\nid = [1]\n",
			   "vm.toml:2:6: error: [base] id: expected an integer, found an array");
	assert_parse_error("[base]\nid = true\n",
			   "vm.toml:2:6: error: [base] id: expected an integer, found a boolean");
	assert_parse_error("[base]\nname = 5\n",
			   "vm.toml:2:8: error: [base] name: expected a string, found an integer");
	/* A VM's name is in one-line reports: no line break (or other control character) in it. */
	assert_parse_error("[base]\nname = \"a\\nb\"\n",
			   "vm.toml:2:8: error: [base] name: a control character in a name");
	assert_parse_error(
	    "[base]\nphys_cpu_ids = [0, \"1\"]\n",
	    "vm.toml:2:20: error: [base] phys_cpu_ids: expected an integer, found a string");
	assert_parse_error(
	    "[base]\nphys_cpu_sets = 1\n",
	    "vm.toml:2:17: error: [base] phys_cpu_sets: expected an array, found an integer");
	assert_parse_error(
	    "[kernel]\nkernel_path = 5\n",
	    "vm.toml:2:15: error: [kernel] kernel_path: expected a string, found an integer");
	assert_parse_error(
	    "[kernel]\nentry_point = \"0x1000\"\n",
	    "vm.toml:2:15: error: [kernel] entry_point: expected an integer, found a string");
	assert_parse_error(
	    "[kernel]\nmemory_regions = 5\n",
	    "vm.toml:2:18: error: [kernel] memory_regions: expected an array, found an integer");
	assert_parse_error("[kernel]\nmemory_regions = [[1, 2, 3]]\n",
			   "vm.toml:2:19: error: [kernel] memory_regions: each entry must be "
			   "[base, size, flags, map_type]");
	assert_parse_error("[kernel]\nmemory_regions = [0x1000, 0x1000, 7, 0]\n",
			   "vm.toml:2:19: error: [kernel] memory_regions: each entry must be "
			   "[base, size, flags, map_type]");
	assert_parse_error(
	    "[kernel]\nmemory_regions = [\n  [1, 2, 3, \"x\"]]\n",
	    "vm.toml:3:13: error: [kernel] memory_regions: expected an integer, found a string");
	assert_parse_error("[kernel]\nmemory_regions = [[0x1000, 0x1000, 0x100, 0]]\n",
			   "vm.toml:2:36: error: [kernel] memory_regions: flags 0x100 out of range "
			   "(1 read, 2 write, 4 execute, 8 device)");
	assert_parse_error("[kernel]\nmemory_regions = [[0x1000, 0x1000, 7, 3]]\n",
			   "vm.toml:2:39: error: [kernel] memory_regions: map_type 3 out of range "
			   "(0 alloc, 1 identical, 2 reserved)");
	assert_parse_error("[kernel]\nimage_location = \"cloud\"\n",
			   "vm.toml:2:18: error: [kernel] image_location: \"cloud\" is neither "
			   "\"fs\" nor \"memory\"");
	assert_parse_error("[base]\narch = \"mips\"\n",
			   "vm.toml:2:8: error: [base] arch: unknown architecture \"mips\" (known: "
			   "\"aarch64\", \"riscv64\", \"x86_64\")");
	assert_parse_error("base = 1\n", "vm.toml:1:8: error: 'base' must be a table ([base])");
	assert_parse_error(
	    "[devices]\nemu_devices = [[1, 2, 3, 4, 5]]\n",
	    "vm.toml:2:17: error: [devices] emu_devices name: expected a string, found an integer");
	assert_parse_error("[devices]\nemu_devices = [[\"x\", 1, 2, 3]]\n",
			   "vm.toml:2:16: error: [devices] emu_devices: each entry must be [name, "
			   "base_gpa, length, irq, emu_type, [config...]]");
	assert_parse_error("[devices]\nemu_devices = [[\"x\", 1, 2, 3, 4, 5]]\n",
			   "vm.toml:2:34: error: [devices] emu_devices config: expected an array, "
			   "found an integer");
	assert_parse_error("[devices]\nemu_devices = [[\"x\", 1, 2, 3, 4, [1, \"a\"]]]\n",
			   "vm.toml:2:38: error: [devices] emu_devices config: expected an "
			   "integer, found a string");
	assert_parse_error(
	    "[devices]\nemu_devices = [[\"x\", 1, 2, 3, 4, [1, 2, 3, 4, 5, 6, 7, 8, 9]]]\n",
	    "vm.toml:2:34: error: [devices] emu_devices config: more than 8 entries");
	assert_parse_error("[devices]\npassthrough_devices = [[\"x\", 1]]\n",
			   "vm.toml:2:24: error: [devices] passthrough_devices: each entry must be "
			   "[name] or [name, base_gpa, base_hpa, length, irq]");
	assert_parse_error("[devices]\npassthrough_devices = [\"x\"]\n",
			   "vm.toml:2:24: error: [devices] passthrough_devices: each entry must be "
			   "[name] or [name, base_gpa, base_hpa, length, irq]");
	assert_parse_error("[devices]\npassthrough_addresses = [[1]]\n",
			   "vm.toml:2:26: error: [devices] passthrough_addresses: each entry must "
			   "be [base_gpa, length]");
	assert_parse_error("[devices]\nexcluded_devices = [1]\n",
			   "vm.toml:2:21: error: [devices] excluded_devices: expected a string or "
			   "[string], found an integer");
	assert_parse_error(
	    "[devices]\ninterrupt_mode = 1\n",
	    "vm.toml:2:18: error: [devices] interrupt_mode: expected a string, found an integer");

	/* Too long and too many. */
	char text[2048] = "[base]\nname = \"";
	memset(text + strlen(text), 'n', 70);
	strcat(text, "\"\n");
	assert_parse_error(text, "vm.toml:2:8: error: [base] name: longer than 63 characters");
	strcpy(text, "[kernel]\nmemory_regions = [");
	for (int i = 0; i <= CFG_MAX_REGIONS; i++)
		sprintf(text + strlen(text), "[0x%x000, 0x1000, 7, 0],", i);
	strcat(text, "]\n");
	assert_parse_error(text,
			   "vm.toml:2:18: error: [kernel] memory_regions: more than 16 entries");
	strcpy(text, "[base]\nphys_cpu_ids = [");
	for (int i = 0; i <= CFG_MAX_CPUS; i++)
		sprintf(text + strlen(text), "%d, ", i);
	strcat(text, "]\n");
	assert_parse_error(text, "vm.toml:2:16: error: [base] phys_cpu_ids: more than 16 entries");

	/* Every wrong field is reported, not only the first. */
	assert_int_equal(parse("vm.toml", "[base]\nid = \"a\"\nname = 1\n[kernel]\ncmdline = 2\n"),
			 -CV_EPARSE);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 3);
	assert_message(
	    "vm.toml:5:11: error: [kernel] cmdline: expected a string, found an integer");

	/* A syntax error is reported by the TOML reader, with its place. */
	assert_parse_error("[base]\nid = \n",
			   "vm.toml:2:6: error: expected a value, found end of line");
	assert_parse_error("[base]\nid = 1\nname = \"x\n",
			   "vm.toml:3:8: error: unterminated string (it starts here; strings end "
			   "on the same line)");
}

static void test_unknown_fields_warn(void **state)
{
	(void)state;
	assert_int_equal(parse("vm.toml",
			       "colour = 1\n[base]\nid = 1\nfavourite_colour = \"blue\"\n"
			       "[base.more]\n[kernel]\nx.y = 1\n[extra]\nx = 1\n"),
			 0);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 0);
	assert_int_equal(diag_count(&dl, DIAG_WARNING), 5);
	assert_message(
	    "vm.toml:4:1: warning: unknown field 'favourite_colour' in [base] (ignored)");
	assert_message("vm.toml:5:7: warning: unknown table [base.more] (ignored)");
	assert_message("vm.toml:7:1: warning: unknown table [kernel.x] (ignored)");
	assert_message("vm.toml:1:1: warning: unknown field 'colour' (ignored)");
	assert_message("vm.toml:8:2: warning: unknown table [extra] (ignored)");
	/* The known fields were still read. */
	assert_int_equal(cfg.id, 1);
	/* A file name already in the list is kept. */
	memset(&dl, 0, sizeof(dl));
	strcpy(dl.file, "shown.toml");
	assert_int_equal(config_parse("x = 1\n", 6, "real/path.toml", &cfg, &dl), 0);
	assert_message("shown.toml:1:1: warning: unknown field 'x' (ignored)");
}

static bool exists_except_missing(const char *path)
{
	return strstr(path, "missing") == NULL;
}

static void test_validate(void **state)
{
	(void)state;
	assert_int_equal(parse("vm.toml", full), 0);
	assert_int_equal(validate(exists_except_missing), 0);
	assert_int_equal(dl.count, 0);
	/* Without an exists function, files are not checked. */
	assert_int_equal(validate(NULL), 0);

	assert_int_equal(parse("vm.toml",
			       "[kernel]\n"
			       "kernel_path = \"missing.elf\"\n"
			       "entry_point = 0x1234_0000\n"
			       "memory_regions = [[0x4000_0000, 0x100_0000, 7, 0],\n"
			       "  [0x4080_0000, 0x100_0000, 7, 0], [0x5000_0800, 0x1000, 7, 0],\n"
			       "  [0x6000_0000, 0, 7, 0], [0x7000_0000, 0x1000, 8, 0]]\n"),
			 0);
	assert_int_equal(validate(exists_except_missing), 6);
	assert_int_equal(dl.count, 6);
	assert_message("vm.toml:2: error: kernel_path: no such file: missing.elf");
	assert_message("vm.toml:3: error: entry_point 0x12340000 is outside every memory region");
	assert_message("vm.toml:5: error: memory region 0 [0x40000000-0x40ffffff] and region 1 "
		       "[0x40800000-0x417fffff] overlap");
	assert_message("vm.toml:5: error: memory region 2 [0x50000800, size 0x1000] is not aligned "
		       "to 4 KiB pages");
	assert_message("vm.toml:6: error: memory region 3 has size 0");
	assert_message("vm.toml:6: error: memory region 4: flags 0x8 do not let the guest read it "
		       "(1 read, 2 write, 4 execute, 8 device): RAM needs 1");

	/* Every image path and load address is checked, each at its own line. */
	assert_int_equal(
	    parse("vm.toml",
		  "[kernel]\n"
		  "kernel_path = \"k.elf\"\n"
		  "dtb_path = \"missing.dtb\"\n"
		  "ramdisk_path = \"/missing/initrd\"\n"
		  "bios_path = \"missing-bios.bin\"\n"
		  "disk_path = \"missing.img\"\n"
		  "memory_regions = [[0x1000, 0x1000, 7, 0], [0x1_0000_0000, 0x1000, 7, 2]]\n"
		  "kernel_load_addr = 0x1fff\n"
		  "dtb_load_addr = 0x2000\n"
		  "ramdisk_load_addr = 0xfff\n"
		  "bios_load_addr = 0x1_0000_0fff\n"
		  "entry_point = 0x1_0000_1000\n"),
	    0);
	assert_int_equal(validate(exists_except_missing), 7);
	assert_message("vm.toml:3: error: dtb_path: no such file: missing.dtb");
	assert_message("vm.toml:4: error: ramdisk_path: no such file: /missing/initrd");
	assert_message("vm.toml:5: error: bios_path: no such file: missing-bios.bin");
	assert_message("vm.toml:6: error: disk_path: no such file: missing.img");
	assert_message("vm.toml:9: error: dtb_load_addr 0x2000 is outside every memory region");
	assert_message("vm.toml:10: error: ramdisk_load_addr 0xfff is outside every memory region");
	assert_message("vm.toml:12: error: entry_point 0x100001000 is outside every memory region");

	/* No regions, no kernel. */
	assert_int_equal(parse("vm.toml", "[base]\nid = 1\n"), 0);
	assert_int_equal(validate(NULL), 2);
	assert_message("vm.toml: error: no memory_regions in [kernel]: a VM needs RAM");
	assert_message("vm.toml: error: no kernel_path in [kernel]: nothing to run");

	/* A region at the very top of the address space is fine; one past it is not. */
	assert_int_equal(parse("vm.toml",
			       "[kernel]\nkernel_path = \"k\"\n"
			       "memory_regions = [[0xffff_ffff_ffff_f000, 0x1000, 7, 0],\n"
			       "  [0xffff_ffff_ffff_e000, 0x3000, 7, 0]]\n"),
			 0);
	assert_int_equal(validate(NULL), 1);
	assert_message(
	    "vm.toml:4: error: memory region 1 runs past the end of the 64-bit address space");

	/* Regions that touch do not overlap; one inside another does. */
	assert_int_equal(parse("vm.toml",
			       "[kernel]\nkernel_path = \"k\"\n"
			       "memory_regions = [[0x1000, 0x1000, 7, 0], [0x2000, 0x1000, 7, 0],\n"
			       "  [0x0, 0x1000, 7, 0], [0x2000, 0x1000, 7, 0]]\n"),
			 0);
	assert_int_equal(validate(NULL), 1);
	assert_message("vm.toml:4: error: memory region 1 [0x2000-0x2fff] and region 3 "
		       "[0x2000-0x2fff] overlap");

	/* cpu_num is checked even when the struct was filled by other means. */
	assert_int_equal(parse("vm.toml", full), 0);
	cfg.cpu_num = 0;
	assert_int_equal(validate(NULL), 1);
	assert_message("vm.toml: error: cpu_num 0 is out of range 1..16");
	cfg.cpu_num = CFG_MAX_CPUS + 1;
	assert_int_equal(validate(NULL), 1);
	/* A missing arch is the caller's to resolve, not a problem here. */
	cfg.cpu_num = 1;
	cfg.arch = ARCH_UNKNOWN;
	assert_int_equal(validate(NULL), 0);
}

static void test_arch_names(void **state)
{
	(void)state;
	assert_int_equal(cv_arch_from_name("aarch64"), ARCH_AARCH64);
	assert_int_equal(cv_arch_from_name("riscv64"), ARCH_RISCV64);
	assert_int_equal(cv_arch_from_name("x86_64"), ARCH_X86_64);
	assert_int_equal(cv_arch_from_name("arm64"), ARCH_UNKNOWN);
	assert_int_equal(cv_arch_from_name(""), ARCH_UNKNOWN);
	assert_int_equal(cv_arch_from_name("AARCH64"), ARCH_UNKNOWN);
	assert_string_equal(cv_arch_name(ARCH_AARCH64), "aarch64");
	assert_string_equal(cv_arch_name(ARCH_RISCV64), "riscv64");
	assert_string_equal(cv_arch_name(ARCH_X86_64), "x86_64");
	assert_string_equal(cv_arch_name(ARCH_UNKNOWN), "unknown");
	for (enum cv_arch a = ARCH_AARCH64; a <= ARCH_X86_64; a++)
		assert_int_equal(cv_arch_from_name(cv_arch_name(a)), a);
	assert_int_equal(parse("vm.toml", "[base]\narch = \"riscv64\"\n\n"), 0);
	assert_int_equal(cfg.arch, ARCH_RISCV64);
	assert_int_equal(cfg.arch_line, 2);
}

/* [devices] unmapped_access: each name, its default, and what is refused, exactly. */
static void test_unmapped_access(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum unmapped_access value;
	} ok[] = {{"stop", UNMAPPED_STOP}, {"abort", UNMAPPED_ABORT}, {"raz_wi", UNMAPPED_RAZ_WI}};
	char text[100];

	for (unsigned i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(text, sizeof(text), "[devices]\nunmapped_access = \"%s\"\n", ok[i].name);
		assert_int_equal(parse("vm.toml", text), 0);
		assert_int_equal(dl.count, 0);
		assert_int_equal(cfg.unmapped_access, ok[i].value);
		assert_string_equal(unmapped_access_name(ok[i].value), ok[i].name);
	}
	assert_int_equal(parse("vm.toml", "[devices]\n"), 0);
	assert_int_equal(cfg.unmapped_access, UNMAPPED_STOP);
	assert_parse_error(
	    "[devices]\nunmapped_access = \"ignore\"\n",
	    "vm.toml:2:19: error: [devices] unmapped_access: unknown value \"ignore\" "
	    "(known: \"stop\", \"abort\", \"raz_wi\")");
	assert_parse_error(
	    "[devices]\nunmapped_access = \"RAZ_WI\"\n",
	    "vm.toml:2:19: error: [devices] unmapped_access: unknown value \"RAZ_WI\" "
	    "(known: \"stop\", \"abort\", \"raz_wi\")");
	assert_parse_error(
	    "[devices]\nunmapped_access = 1\n",
	    "vm.toml:2:19: error: [devices] unmapped_access: expected a string, found "
	    "an integer");
	/* In another table it is not this field: a warning, and the default. */
	assert_int_equal(parse("vm.toml", "[base]\nunmapped_access = \"abort\"\n"), 0);
	assert_true(has_message("vm.toml:2:1: warning: unknown field 'unmapped_access' in [base] "
				"(ignored)"));
	assert_int_equal(cfg.unmapped_access, UNMAPPED_STOP);
	assert_string_equal(unmapped_access_name((enum unmapped_access)7), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_config),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_relative_paths),
	    cmocka_unit_test(test_axvisor_configs),
	    cmocka_unit_test(test_truncated_configs_never_crash),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_unknown_fields_warn),
	    cmocka_unit_test(test_validate),
	    cmocka_unit_test(test_arch_names),
	    cmocka_unit_test(test_unmapped_access),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
