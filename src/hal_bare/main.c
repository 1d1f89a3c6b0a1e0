/* SPDX-License-Identifier: MIT */
/**
 * @file main.c
 * @brief cvisor on bare metal: every VM built into the image at once,
 *        each vCPU a thread of the physical CPUs' schedulers, then power
 *        off with a status that says how they ended.
 *
 * Boot steps:
 *  1. the platform: cvisor's own MMU, memory, EL2 traps, the GIC, the
 *     other physical CPUs (bare_platform_init, in <arch>/virt.c);
 *  2. for each embedded VM, in order: parse its TOML with the core's
 *     parser, check it, create it, load its images, boot it and start a
 *     thread for each of its vCPUs (the core's run loop); a VM that does
 *     not fit in the free memory waits until a VM started before it ends
 *     and gives its memory back;
 *  3. meanwhile and then, the boot CPU schedules vCPUs like the other
 *     CPUs; the last vCPU of a VM to leave its run loop reports how the
 *     VM ended; once its threads are gone the VM is destroyed;
 *  4. after the last VM: how many powered off, and the run's status.
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

/* One embedded VM from its config to its end. Only the boot CPU's main code changes them. */
enum slot_state { SLOT_WAITING, SLOT_RUNNING, SLOT_DONE };
struct slot {
	const struct bare_vm_entry *e;
	struct vm_config *cfg; /* parsed and checked, kept while it waits for memory */
	struct vm *vm;
	enum slot_state state;
	bool failed;
};
static struct slot *slots;

/* Prints the diagnostics of one config. */
static void print_diags(const struct diag_list *dl)
{
	char line[300];
	for (unsigned i = 0; i < dl->count; i++) {
		diag_format(dl, i, line, sizeof(line));
		hal_log_write(line);
	}
}

/* Parses and checks s's config, once; returns 0 or -1 (reported). */
static int parse_config(struct slot *s)
{
	static struct diag_list dl;
	const struct bare_vm_entry *e = s->e;

	if (s->cfg)
		return 0;
	s->cfg = hal_zalloc(sizeof(*s->cfg));
	if (!s->cfg)
		hal_panic("no memory for the config of %s", e->config_path);
	memset(&dl, 0, sizeof(dl));
	cv_strlcpy(dl.file, e->config_path, sizeof(dl.file));
	if (config_parse(e->config_text, e->config_len, e->config_path, s->cfg, &dl) < 0) {
		print_diags(&dl);
		return -1;
	}
	config_validate(s->cfg, NULL, &dl);
	print_diags(&dl);
	return diag_count(&dl, DIAG_ERROR) > 0 ? -1 : 0;
}

/* The end of one vCPU's thread: its run loop returned because its VM stopped. */
static void vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	struct bare_vm *bv = vm->hal;
	char line[400];

	/*
	 * The time limit counts from the VM's first instruction, not from its
	 * creation: on one CPU every VM of the image is created (its RAM
	 * zeroed, its images loaded) before the first one runs.
	 */
	if (vcpu->id == 0 && bare_max_seconds)
		__atomic_store_n(&bv->deadline_ns, hal_time_ns() + bare_max_seconds * 1000000000ULL,
				 __ATOMIC_RELEASE);
	vcpu_run_loop(vcpu);
	bare_vcpu_unload(vcpu);
	if (__atomic_sub_fetch(&bv->live, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* The VM's last vCPU: report how it ended. */
	bare_console_vm_end(vm);
	if (vm->state != VM_OFF) {
		cv_snprintf(line, sizeof(line), "cvisor: vm %u (%s) %s: %s", vm->id, vm->name,
			    vm->state == VM_RESET ? "reset" : "stopped", vm->stop_reason);
		hal_log_write(line);
	}
}

/*
 * Builds slot s's VM and starts its vCPUs' threads. Returns 0; -CV_ENOMEM,
 * quietly, if it does not fit now and may later (not last_chance: another
 * VM still runs); another negative cv_err once it has been reported.
 */
static int start_vm(struct slot *s, unsigned index, bool last_chance)
{
	const struct bare_vm_entry *e = s->e;
	char err[300], line[400];
	struct vm *vm = NULL;
	int rc;

	if (parse_config(s) < 0)
		return -CV_EINVAL;
	struct vm_images img = {
	    .kernel = e->kernel.data,
	    .kernel_len = e->kernel.len,
	    .dtb = e->dtb.len ? e->dtb.data : NULL,
	    .dtb_len = e->dtb.len,
	    .ramdisk = e->ramdisk.len ? e->ramdisk.data : NULL,
	    .ramdisk_len = e->ramdisk.len,
	    .bios = e->bios.len ? e->bios.data : NULL,
	    .bios_len = e->bios.len,
	};
	struct bare_vm *bv = hal_zalloc(sizeof(*bv));
	if (!bv) {
		if (last_chance)
			hal_log_write("cvisor: no memory for a VM");
		return -CV_ENOMEM;
	}
	bv->vmid = (uint16_t)(index % 255 + 1); /* unique among the VMs of one image that run */
	if ((rc = vm_create(s->cfg, &vm, err, sizeof(err))) == 0) {
		vm->hal = bv;
		if ((rc = vm_load_images(vm, &img, err, sizeof(err))) == 0)
			rc = vm_boot(vm, err, sizeof(err));
	}
	if (rc < 0) {
		if (vm)
			vm->hal = NULL;
		vm_destroy(vm);
		hal_free(bv);
		if (rc == -CV_ENOMEM && !last_chance)
			return rc;
		cv_snprintf(line, sizeof(line), "cvisor: %s: %s", e->config_path, err);
		hal_log_write(line);
		return rc;
	}
	hal_free(s->cfg);
	s->cfg = NULL;
	s->vm = vm;
	bv->live = vm->nvcpus;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		bare_vcpu_start(vm->vcpus[i], vcpu_thread);
	s->state = SLOT_RUNNING;
	return 0;
}

/* True if running slot s's VM has ended and all its threads are gone. */
static bool slot_ended(const struct slot *s)
{
	const struct bare_vm *bv = s->vm->hal;

	if (s->state != SLOT_RUNNING || __atomic_load_n(&bv->live, __ATOMIC_ACQUIRE) != 0)
		return false;
	for (unsigned i = 0; i < s->vm->nvcpus; i++)
		if (!bare_vcpu_gone(s->vm->vcpus[i]))
			return false;
	return true;
}

/* bare_schedule()'s stop: a VM to destroy. */
static bool any_ended(void)
{
	for (unsigned i = 0; i < bare_state.nvms; i++)
		if (slot_ended(&slots[i]))
			return true;
	return false;
}

/* Destroys the VMs that have ended, giving their memory back; returns how many still run. */
static unsigned reap(void)
{
	unsigned running = 0;

	for (unsigned i = 0; i < bare_state.nvms; i++) {
		struct slot *s = &slots[i];
		if (slot_ended(s)) {
			s->failed = s->vm->state != VM_OFF;
			hal_free(s->vm->hal);
			s->vm->hal = NULL;
			vm_destroy(s->vm);
			s->vm = NULL;
			s->state = SLOT_DONE;
		}
		running += s->state == SLOT_RUNNING;
	}
	return running;
}

void bare_time_limits(void)
{
	uint64_t now = hal_time_ns();
	bool first = true;

	for (unsigned i = 0; slots && i < bare_state.nvms; i++) {
		struct slot *s = &slots[i];
		const struct bare_vm *bv = s->state == SLOT_RUNNING ? s->vm->hal : NULL;
		uint64_t deadline = bv ? __atomic_load_n(&bv->deadline_ns, __ATOMIC_ACQUIRE) : 0;
		if (deadline && now > deadline && vm_running(s->vm))
			vm_stop(s->vm, VM_FAILED,
				"still running after the time limit of %llu s (MAX_SECONDS)",
				(unsigned long long)bare_max_seconds);
		/* The host UART's input, for a guest that waits for its UART's interrupt. */
		if (bv) {
			bare_console_tick(s->vm, first);
			first = false;
			vm_console_input(s->vm);
		}
	}
}

/* The first line of the run: what runs, where, with how much. */
static void print_banner(void)
{
	char line[160];

	cv_snprintf(line, sizeof(line),
		    "cvisor %d.%d (bare metal, %s %s): %u VM%s, %u CPU%s, %llu MiB of RAM",
		    CVISOR_VERSION_MAJOR, CVISOR_VERSION_MINOR, cv_arch_name(vm_arch_platform.arch),
		    bare_privilege,
		    bare_state.nvms, bare_state.nvms == 1 ? "" : "s", bare_state.ncpus,
		    bare_state.ncpus == 1 ? "" : "s",
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
	unsigned failed = 0, running = 0;

	bare_platform_init();                      /* MMU, memory, heap, traps, GIC, CPUs */
	bare_state.nvms = (unsigned)bare_nvms;     /* the VMs `cvisor embed` put in the image */
	bare_state.semihosting = BARE_SEMIHOSTING; /* end with a status QEMU exits with */
	print_banner();                            /* version, architecture, VMs, CPUs, RAM */
	slots = hal_zalloc(bare_state.nvms * sizeof(*slots) + 1);
	if (!slots)
		hal_panic("no memory for %u VMs", bare_state.nvms);

	/* Every VM, in order, as soon as there is memory for it. */
	for (unsigned i = 0; i < bare_state.nvms; i++) {
		slots[i].e = &bare_vms[i];
		int rc;
		while ((rc = start_vm(&slots[i], i, running == 0)) == -CV_ENOMEM && running > 0) {
			bare_schedule(any_ended); /* until a VM ends and gives its memory back */
			running = reap();
		}
		if (rc < 0) {
			slots[i].failed = true;
			slots[i].state = SLOT_DONE;
		}
		running = reap();
	}
	/* Run them to their ends. */
	while (running > 0) {
		bare_schedule(any_ended);
		running = reap();
	}

	for (unsigned i = 0; i < bare_state.nvms; i++)
		failed += slots[i].failed;
	print_summary(failed);                                       /* how many powered off */
	bare_power_off(failed ? BARE_EXIT_VM_FAILED : BARE_EXIT_OK); /* QEMU's exit status */
}
