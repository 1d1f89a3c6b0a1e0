/* SPDX-License-Identifier: MIT */
/**
 * @file main.c
 * @brief cvisor on bare metal: the VMs built into the image, one after
 *        another, then power off with a status that says how they ended.
 *
 * Boot steps:
 *  1. the platform: cvisor's own MMU, memory, EL2 traps, its tick
 *     (bare_platform_init, in <arch>/virt.c);
 *  2. for each embedded VM: parse its TOML with the core's parser, check it,
 *     create it, load its images, boot vCPU 0 and run it until it stops;
 *  3. report each VM that did not power off, and end the run.
 */
#include <cvisor/arch.h>
#include <cvisor/config.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#include "hal_bare.h"

#ifndef BARE_SEMIHOSTING
#define BARE_SEMIHOSTING 0 /* set by make qemu, which runs QEMU with semihosting on */
#endif

struct bare_state bare_state;

/* Prints the diagnostics of one config. */
static void print_diags(const struct diag_list *dl)
{
	char line[300];
	for (unsigned i = 0; i < dl->count; i++) {
		diag_format(dl, i, line, sizeof(line));
		hal_log_write(line);
	}
}

/* Builds, runs and reports one embedded VM. Returns 0 if it powered off. */
static int run_one(const struct bare_vm_entry *e)
{
	static struct vm_config cfg;
	static struct diag_list dl;
	char err[300], line[400];
	struct vm *vm = NULL;

	memset(&dl, 0, sizeof(dl));
	cv_strlcpy(dl.file, e->config_path, sizeof(dl.file));
	if (config_parse(e->config_text, e->config_len, e->config_path, &cfg, &dl) < 0) {
		print_diags(&dl);
		return -1;
	}
	config_validate(&cfg, NULL, &dl);
	print_diags(&dl);
	if (diag_count(&dl, DIAG_ERROR) > 0)
		return -1;

	struct vm_images img = {
		.kernel = e->kernel.data, .kernel_len = e->kernel.len,
		.dtb = e->dtb.len ? e->dtb.data : NULL, .dtb_len = e->dtb.len,
		.ramdisk = e->ramdisk.len ? e->ramdisk.data : NULL, .ramdisk_len = e->ramdisk.len,
		.bios = e->bios.len ? e->bios.data : NULL, .bios_len = e->bios.len,
	};
	if (vm_create(&cfg, &vm, err, sizeof(err)) < 0 ||
	    vm_load_images(vm, &img, err, sizeof(err)) < 0 || vm_boot(vm, err, sizeof(err)) < 0) {
		cv_snprintf(line, sizeof(line), "cvisor: %s: %s", e->config_path, err);
		hal_log_write(line);
		vm_destroy(vm);
		return -1;
	}
	vcpu_run_loop(vm->vcpus[0]);
	int rc = vm->state == VM_OFF ? 0 : -1;
	if (rc < 0) {
		cv_snprintf(line, sizeof(line), "cvisor: vm %u (%s) %s: %s", vm->id, vm->name,
			    vm->state == VM_RESET ? "reset" : "stopped", vm->stop_reason);
		hal_log_write(line);
	}
	vm_destroy(vm);
	return rc;
}

/* The first line of the run: what runs, where, with how much. */
static void print_banner(void)
{
	char line[120];

	cv_snprintf(line, sizeof(line),
		    "cvisor %d.%d (bare metal, %s at EL2): %u VM%s, %llu MiB of RAM",
		    CVISOR_VERSION_MAJOR, CVISOR_VERSION_MINOR, cv_arch_name(vm_arch_platform.arch),
		    bare_state.nvms, bare_state.nvms == 1 ? "" : "s",
		    (unsigned long long)(bare_state.ram_size >> 20));
	hal_log_write(line);
}

/* The last line of the run: how many VMs ended well. */
static void print_summary(unsigned failed)
{
	char line[120];

	cv_snprintf(line, sizeof(line), "cvisor: %u of %u VMs powered off",
		    bare_state.nvms - failed, bare_state.nvms);
	hal_log_write(line);
}

void bare_main(void)
{
	unsigned failed = 0;

	bare_platform_init();                      /* MMU, memory, heap, traps, GIC, tick */
	bare_state.nvms = (unsigned)bare_nvms;     /* the VMs `cvisor embed` put in the image */
	bare_state.semihosting = BARE_SEMIHOSTING; /* end with a status QEMU exits with */
	print_banner();                            /* version, architecture, VMs, RAM */

	/* Each VM to its end, one after another. */
	for (unsigned i = 0; i < bare_state.nvms; i++)
		if (run_one(&bare_vms[i]) < 0)
			failed++;

	print_summary(failed);                                       /* how many powered off */
	bare_power_off(failed ? BARE_EXIT_VM_FAILED : BARE_EXIT_OK); /* QEMU's exit status */
}
