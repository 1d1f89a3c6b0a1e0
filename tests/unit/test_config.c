/* SPDX-License-Identifier: MIT */
/*
 * VM configs: every field, AxVisor's own files, wrong types with their
 * places, unknown fields, relative paths, and the checks of a runnable
 * config.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/config.h>

static struct diag_list dl;
static struct vm_config cfg;

static int parse(const char *file, const char *text)
{
	memset(&dl, 0, sizeof(dl));
	return config_parse(text, strlen(text), file, &cfg, &dl);
}

/* True if some message, formatted, contains s. */
static bool has_message(const char *s)
{
	char buf[300];
	for (unsigned i = 0; i < dl.count; i++) {
		diag_format(&dl, i, buf, sizeof(buf));
		if (strstr(buf, s))
			return true;
	}
	return false;
}

#define assert_message(s)                                                           \
	do {                                                                        \
		if (!has_message(s)) {                                              \
			char b_[300];                                               \
			for (unsigned i_ = 0; i_ < dl.count; i_++) {                \
				diag_format(&dl, i_, b_, sizeof(b_));               \
				print_message("  have: %s\n", b_);                  \
			}                                                           \
			fail_msg("no message containing: %s", (s));                 \
		}                                                                   \
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
	"bios_path = \"bios.bin\"\n"
	"bios_load_addr = 0x4001_0000\n"
	"disk_path = \"disk.img\"\n"
	"cmdline = \"console=ttyAMA0\"\n"
	"memory_regions = [\n"
	"  [0x4000_0000, 0x800_0000, 0x7, 0],\n"
	"  [0x9000_0000, 0x1000, 0xb, 1],\n"
	"]\n"
	"[devices]\n"
	"emu_devices = [[\"pl011\", 0x0900_0000, 0x1000, 33, 1, [1, 2]]]\n"
	"passthrough_devices = [[\"/\"], [\"IO APIC\", 0xfec0_0000, 0xfec0_0000, 0x1000, 0x1]]\n"
	"passthrough_addresses = [[0x2804_1000, 0x100_0000]]\n"
	"excluded_devices = [[\"/gic-v3\"], \"/timer\"]\n"
	"interrupt_mode = \"passthrough\"\n";

static void test_full_config(void **state)
{
	(void)state;
	assert_int_equal(parse("dir/sub/vm.toml", full), 0);
	assert_int_equal(dl.count, 0);
	assert_string_equal(cfg.file, "dir/sub/vm.toml");
	assert_int_equal(cfg.id, 7);
	assert_string_equal(cfg.name, "full");
	assert_int_equal(cfg.vm_type, 1);
	assert_int_equal(cfg.cpu_num, 2);
	assert_int_equal(cfg.nphys_cpu_ids, 2);
	assert_int_equal(cfg.phys_cpu_ids[1], 1);
	assert_int_equal(cfg.nphys_cpu_sets, 2);
	assert_int_equal(cfg.arch, ARCH_AARCH64);
	assert_int_equal(cfg.arch_line, 8);
	assert_true(cfg.entry_point.set);
	assert_int_equal(cfg.entry_point.value, 0x40080000);
	assert_int_equal(cfg.entry_point.line, 10);
	assert_int_equal(cfg.image_location, IMAGE_MEMORY);
	/* Relative paths resolve against the config's directory; absolute ones stay. */
	assert_true(cfg.kernel_path.set);
	assert_string_equal(cfg.kernel_path.path, "dir/sub/images/kernel.bin");
	assert_int_equal(cfg.kernel_path.line, 12);
	assert_string_equal(cfg.dtb_path.path, "/abs/guest.dtb");
	assert_string_equal(cfg.ramdisk_path.path, "dir/sub/initrd.img");
	assert_string_equal(cfg.bios_path.path, "dir/sub/bios.bin");
	assert_string_equal(cfg.disk_path.path, "dir/sub/disk.img");
	assert_int_equal(cfg.kernel_load_addr.value, 0x40080000);
	assert_int_equal(cfg.dtb_load_addr.value, 0x40000000);
	assert_int_equal(cfg.ramdisk_load_addr.value, 0x44000000);
	assert_int_equal(cfg.bios_load_addr.value, 0x40010000);
	assert_string_equal(cfg.cmdline, "console=ttyAMA0");
	assert_int_equal(cfg.nregions, 2);
	assert_int_equal(cfg.regions[0].base, 0x40000000);
	assert_int_equal(cfg.regions[0].size, 0x8000000);
	assert_int_equal(cfg.regions[0].flags, CFG_MEM_READ | CFG_MEM_WRITE | CFG_MEM_EXECUTE);
	assert_int_equal(cfg.regions[0].line, 23);
	assert_int_equal(cfg.regions[1].flags, 0xb);
	assert_int_equal(cfg.regions[1].map_type, CFG_MAP_IDENTICAL);
	assert_int_equal(cfg.nemu_devices, 1);
	assert_string_equal(cfg.emu_devices[0].name, "pl011");
	assert_int_equal(cfg.emu_devices[0].base, 0x9000000);
	assert_int_equal(cfg.emu_devices[0].size, 0x1000);
	assert_int_equal(cfg.emu_devices[0].irq, 33);
	assert_int_equal(cfg.emu_devices[0].type, 1);
	assert_int_equal(cfg.emu_devices[0].ncfg, 2);
	assert_int_equal(cfg.emu_devices[0].cfg[1], 2);
	assert_int_equal(cfg.npt_devices, 2);
	assert_string_equal(cfg.pt_devices[0].name, "/");
	assert_false(cfg.pt_devices[0].has_range);
	assert_true(cfg.pt_devices[1].has_range);
	assert_int_equal(cfg.pt_devices[1].base_hpa, 0xfec00000);
	assert_int_equal(cfg.npt_addrs, 1);
	assert_int_equal(cfg.pt_addrs[0].size, 0x1000000);
	assert_int_equal(cfg.nexcluded, 2);
	assert_string_equal(cfg.excluded_devices[0], "/gic-v3");
	assert_string_equal(cfg.excluded_devices[1], "/timer");
	assert_string_equal(cfg.interrupt_mode, "passthrough");
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("vm.toml", "[base]\nid = 3\n[kernel]\nkernel_path = \"k.elf\"\n"), 0);
	assert_int_equal(cfg.cpu_num, 1);
	assert_string_equal(cfg.name, "vm3");
	assert_int_equal(cfg.arch, ARCH_UNKNOWN);
	assert_int_equal(cfg.image_location, IMAGE_FS);
	/* No directory in the file name: the path stays as written. */
	assert_string_equal(cfg.kernel_path.path, "k.elf");
	assert_false(cfg.entry_point.set);
	assert_false(cfg.dtb_path.set);
}

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
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

/* AxVisor's own configs parse; their images are not here, which is a problem, not an error of syntax. */
static void test_axvisor_configs(void **state)
{
	(void)state;
	static const char *const files[] = {
		"linux-aarch64-qemu-smp1.toml",
		"arceos-riscv64-qemu-smp1.toml",
		"nimbos-x86_64-qemu-smp1.toml",
		"linux-riscv64-qemu-smp1.toml",
	};
	char path[256];
	size_t len;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "../shared/compat/axvisor/%s", files[i]);
		char *text = read_text(path, &len);
		if (!text) {
			print_message("note: %s not found; skipped\n", path);
			continue;
		}
		memset(&dl, 0, sizeof(dl));
		assert_int_equal(config_parse(text, len, path, &cfg, &dl), 0);
		assert_int_equal(diag_count(&dl, DIAG_ERROR), 0);
		assert_int_equal(cfg.id, 1);
		assert_true(cfg.nregions >= 1);
		assert_true(cfg.kernel_path.set);
		assert_true(config_validate(&cfg, never_exists, &dl) >= 1);
		assert_message("kernel_path: no such file");
	}
	/* Spot checks of what they say. */
	char *text = read_text("../shared/compat/axvisor/nimbos-x86_64-qemu-smp1.toml", &len);
	if (text) {
		memset(&dl, 0, sizeof(dl));
		assert_int_equal(config_parse(text, len, "x/nimbos.toml", &cfg, &dl), 0);
		assert_string_equal(cfg.name, "nimbos");
		assert_int_equal(cfg.entry_point.value, 0x8000);
		assert_string_equal(cfg.bios_path.path, "x/axvm-bios.bin");
		assert_int_equal(cfg.npt_devices, 3);
		assert_string_equal(cfg.pt_devices[2].name, "HPET");
		assert_int_equal(cfg.pt_devices[2].base_gpa, 0xfed00000);
		assert_int_equal(cfg.nphys_cpu_sets, 1);
	}
	text = read_text("../shared/compat/axvisor/linux-aarch64-qemu-smp1.toml", &len);
	if (text) {
		memset(&dl, 0, sizeof(dl));
		assert_int_equal(config_parse(text, len, "linux.toml", &cfg, &dl), 0);
		assert_int_equal(cfg.image_location, IMAGE_MEMORY);
		assert_int_equal(cfg.regions[0].map_type, CFG_MAP_IDENTICAL);
		assert_string_equal(cfg.pt_devices[0].name, "/");
		assert_string_equal(cfg.interrupt_mode, "passthrough");
	}
}

static void test_wrong_types(void **state)
{
	(void)state;
	assert_int_equal(parse("vm.toml", "[base]\nid = 1\ncpu_num = \"two\"\n"), -CV_EPARSE);
	assert_message("vm.toml:3:11: error: [base] cpu_num: expected an integer, found a string");
	assert_int_equal(parse("vm.toml", "[base]\ncpu_num = 0\n"), -CV_EPARSE);
	assert_message("vm.toml:2:11: error: [base] cpu_num: 0 is out of range 1..16");
	assert_int_equal(parse("vm.toml", "[kernel]\nkernel_path = 5\n"), -CV_EPARSE);
	assert_message("vm.toml:2:15: error: [kernel] kernel_path: expected a string, found an integer");
	assert_int_equal(parse("vm.toml", "[kernel]\nmemory_regions = [[1, 2, 3]]\n"), -CV_EPARSE);
	assert_message("2:19: error: [kernel] memory_regions: each entry must be [base, size, flags, map_type]");
	assert_int_equal(parse("vm.toml", "[kernel]\nmemory_regions = [[1, 2, 3, \"x\"]]\n"), -CV_EPARSE);
	assert_message("2:29: error: [kernel] memory_regions: expected an integer, found a string");
	assert_int_equal(parse("vm.toml", "[kernel]\nmemory_regions = 5\n"), -CV_EPARSE);
	assert_message("[kernel] memory_regions: expected an array");
	assert_int_equal(parse("vm.toml", "[kernel]\nimage_location = \"cloud\"\n"), -CV_EPARSE);
	assert_message("2:18: error: [kernel] image_location: \"cloud\" is neither \"fs\" nor \"memory\"");
	assert_int_equal(parse("vm.toml", "[base]\narch = \"mips\"\n"), -CV_EPARSE);
	assert_message("2:8: error: [base] arch: unknown architecture \"mips\"");
	assert_int_equal(parse("vm.toml", "base = 1\n"), -CV_EPARSE);
	assert_message("vm.toml:1:8: error: 'base' must be a table ([base])");
	assert_int_equal(parse("vm.toml", "[devices]\nemu_devices = [[1, 2, 3, 4, 5]]\n"), -CV_EPARSE);
	assert_message("[devices] emu_devices name: expected a string");
	assert_int_equal(parse("vm.toml", "[devices]\npassthrough_devices = [[\"x\", 1]]\n"), -CV_EPARSE);
	assert_message("passthrough_devices: each entry must be [name] or [name, base_gpa, base_hpa, length, irq]");
	/* A syntax error is reported by the TOML reader. */
	assert_int_equal(parse("vm.toml", "[base]\nid = \n"), -CV_EPARSE);
	assert_message("vm.toml:2:6: error: expected a value");
}

static void test_unknown_fields_warn(void **state)
{
	(void)state;
	assert_int_equal(parse("vm.toml", "colour = 1\n[base]\nid = 1\nfavourite_colour = \"blue\"\n"
					  "[extra]\nx = 1\n"),
			 0);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 0);
	assert_int_equal(diag_count(&dl, DIAG_WARNING), 3);
	assert_message("vm.toml:4:1: warning: unknown field 'favourite_colour' in [base]");
	assert_message("vm.toml:1:1: warning: unknown field 'colour'");
	assert_message("vm.toml:5:2: warning: unknown table 'extra'");
}

static bool exists_except_missing(const char *path)
{
	return strstr(path, "missing") == NULL;
}

static void test_validate(void **state)
{
	(void)state;
	assert_int_equal(parse("vm.toml", full), 0);
	memset(&dl, 0, sizeof(dl));
	assert_int_equal(config_validate(&cfg, exists_except_missing, &dl), 0);

	assert_int_equal(parse("vm.toml",
			       "[kernel]\n"
			       "kernel_path = \"missing.elf\"\n"
			       "entry_point = 0x1234_0000\n"
			       "memory_regions = [[0x4000_0000, 0x100_0000, 7, 0],\n"
			       "  [0x4080_0000, 0x100_0000, 7, 0], [0x5000_0800, 0x1000, 7, 0],\n"
			       "  [0x6000_0000, 0, 7, 0]]\n"),
			 0);
	memset(&dl, 0, sizeof(dl));
	strcpy(dl.file, "vm.toml");
	assert_int_equal(config_validate(&cfg, exists_except_missing, &dl), 5);
	assert_message("vm.toml:2: error: kernel_path: no such file: missing.elf");
	assert_message("vm.toml:3: error: entry_point 0x12340000 is outside every memory region");
	assert_message("vm.toml:5: error: memory region 0 [0x40000000, 0x41000000) and region 1 [0x40800000, 0x41800000) overlap");
	assert_message("memory region 2 [0x50000800, size 0x1000] is not aligned to 4 KiB pages");
	assert_message("memory region 3 has size 0");

	assert_int_equal(parse("vm.toml", "[base]\nid = 1\n"), 0);
	memset(&dl, 0, sizeof(dl));
	assert_int_equal(config_validate(&cfg, NULL, &dl), 2);
	assert_message("no memory_regions in [kernel]: a VM needs RAM");
	assert_message("no kernel_path in [kernel]");
}

static void test_arch_names(void **state)
{
	(void)state;
	assert_int_equal(cv_arch_from_name("aarch64"), ARCH_AARCH64);
	assert_int_equal(cv_arch_from_name("riscv64"), ARCH_RISCV64);
	assert_int_equal(cv_arch_from_name("x86_64"), ARCH_X86_64);
	assert_int_equal(cv_arch_from_name("arm64"), ARCH_UNKNOWN);
	assert_string_equal(cv_arch_name(ARCH_X86_64), "x86_64");
	assert_string_equal(cv_arch_name(ARCH_UNKNOWN), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_axvisor_configs),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_unknown_fields_warn),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_arch_names),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
