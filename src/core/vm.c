/* SPDX-License-Identifier: MIT */
/*
 * VM lifecycle (axvm): build a VM from its config, load its images,
 * boot it, stop it, destroy it.
 */
#include <cvisor/arch.h>
#include <cvisor/fdt.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/loader.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

/* Largest device tree cvisor generates. */
#define FDT_MAX_SIZE (64 * 1024)

const char *vcpu_state_name(enum vcpu_state s)
{
	static const char *const names[] = { "off", "starting", "runnable", "stopping" };
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *vm_state_name(enum vm_state s)
{
	static const char *const names[] = { "created", "running", "off", "reset", "failed" };
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

/* Stage-2 permissions for AxVisor's memory_regions flags (R=1, W=2, X=4). */
static unsigned region_perm(uint32_t flags)
{
	unsigned perm = 0;
	if (flags & CFG_MEM_READ)
		perm |= PERM_READ;
	if (flags & CFG_MEM_WRITE)
		perm |= PERM_WRITE;
	if (flags & CFG_MEM_EXECUTE)
		perm |= PERM_EXEC;
	return perm;
}

/* Adds the config's memory regions as guest RAM. */
static int add_ram(struct vm *vm, char *err, size_t errsize)
{
	for (unsigned i = 0; i < vm->cfg.nregions; i++) {
		const struct cfg_mem_region *r = &vm->cfg.regions[i];
		char name[32];

		if (r->map_type != CFG_MAP_ALLOC)
			log_info("%s: memory region %u: map_type %u is backed by allocated memory in this build",
				 vm->name, i, r->map_type);
		cv_snprintf(name, sizeof(name), "ram%u", i);
		int rc = addrspace_add_ram(&vm->as, r->base, r->size, region_perm(r->flags), name);
		if (rc < 0) {
			cv_snprintf(err, errsize, "memory region %u [0x%llx, size 0x%llx]: %s", i,
				    (unsigned long long)r->base, (unsigned long long)r->size,
				    cv_strerror(rc));
			return rc;
		}
	}
	return 0;
}

/*
 * Creates the device of the platform's model named name for the window
 * [base, base+size). Returns it, or NULL with a reason in err.
 */
static struct device *create_device(struct vm *vm, const char *name, gpa_t base, uint64_t size,
				    char *err, size_t errsize)
{
	const struct platform_desc *p = &vm_arch_platform;
	char known[120] = "";

	for (unsigned i = 0; i < p->nmodels; i++) {
		const struct device_model *m = &p->models[i];
		if (strcmp(name, m->name) != 0) {
			size_t len = strlen(known);
			cv_snprintf(known + len, sizeof(known) - len, "%s%s", len ? ", " : "", m->name);
			continue;
		}
		if (size < m->min_size) {
			cv_snprintf(err, errsize, "%s at 0x%llx needs 0x%llx bytes, got 0x%llx", name,
				    (unsigned long long)base, (unsigned long long)m->min_size,
				    (unsigned long long)size);
			return NULL;
		}
		struct device *dev = m->create(vm, base, size);
		if (!dev) {
			/* A model that can fail otherwise (virtio-blk's disk image) logs why. */
			cv_snprintf(err, errsize, "%s at 0x%llx could not be created (out of memory, "
				    "or as logged above)", name, (unsigned long long)base);
			return NULL;
		}
		dev->port_io = m->port_io;
		return dev;
	}
	cv_snprintf(err, errsize, "emulated device '%s' is not known to cvisor on %s (known: %s)",
		    name, cv_arch_name(p->arch), known);
	return NULL;
}

/* Creates a device and puts it on the bus and in the address space. */
static int add_device(struct vm *vm, const char *name, gpa_t base, uint64_t size, char *err,
		      size_t errsize)
{
	struct device *dev = create_device(vm, name, base, size, err, errsize);
	if (!dev)
		return -CV_EINVAL;
	dev->vm = vm;
	int rc;
	if (dev->port_io) {
		rc = devbus_add(&vm->ports, dev);
	} else {
		rc = addrspace_add_mmio(&vm->as, base, size, name);
		if (rc == 0)
			rc = devbus_add(&vm->bus, dev);
	}
	if (rc < 0) {
		if (dev->ops->destroy)
			dev->ops->destroy(dev);
		hal_free(dev);
		cv_snprintf(err, errsize, "device %s at 0x%llx: %s", name, (unsigned long long)base,
			    cv_strerror(rc));
	}
	return rc;
}

/* True if the platform's model named name is an I/O port device. */
static bool port_io_model(const char *name)
{
	for (unsigned i = 0; i < vm_arch_platform.nmodels; i++)
		if (strcmp(vm_arch_platform.models[i].name, name) == 0)
			return vm_arch_platform.models[i].port_io;
	return false;
}

/*
 * True if the config replaces the standard device pd: an emu_devices entry
 * of its name or overlapping it, or a memory region overlapping its MMIO
 * window.
 */
static bool overridden(const struct vm_config *cfg, const struct platform_device *pd)
{
	for (unsigned i = 0; i < cfg->nregions && !port_io_model(pd->name); i++) {
		const struct cfg_mem_region *r = &cfg->regions[i];
		if (r->base < pd->base + pd->size && pd->base < r->base + r->size)
			return true;
	}
	for (unsigned i = 0; i < cfg->nemu_devices; i++) {
		const struct cfg_emu_device *d = &cfg->emu_devices[i];
		if (strcmp(d->name, pd->name) == 0)
			return true;
		if (d->base < pd->base + pd->size && pd->base < d->base + d->size)
			return true;
	}
	return false;
}

/* The config's emu_devices, then the standard devices they do not replace. */
static int add_devices(struct vm *vm, char *err, size_t errsize)
{
	for (unsigned i = 0; i < vm->cfg.nemu_devices; i++) {
		const struct cfg_emu_device *d = &vm->cfg.emu_devices[i];
		int rc = add_device(vm, d->name, d->base, d->size, err, errsize);
		if (rc < 0)
			return rc;
	}
	const struct platform_device *pd = vm_arch_platform.devices;
	for (unsigned i = 0; i < vm_arch_platform.ndevices; i++) {
		if (overridden(&vm->cfg, &pd[i]))
			continue;
		int rc = add_device(vm, pd[i].name, pd[i].base, pd[i].size, err, errsize);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int add_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->cfg.cpu_num; i++) {
		struct vcpu *v = hal_zalloc(sizeof(*v));
		if (!v)
			return -CV_ENOMEM;
		v->vm = vm;
		v->id = i;
		v->state = VCPU_OFF;
		vm->vcpus[i] = v;
		vm->nvcpus++;
	}
	return 0;
}

int vm_create(const struct vm_config *cfg, struct vm **out, char *err, size_t errsize)
{
	struct vm *vm = hal_zalloc(sizeof(*vm));
	int rc;

	*out = NULL;
	if (!vm) {
		cv_snprintf(err, errsize, "out of memory");
		return -CV_ENOMEM;
	}
	vm->cfg = *cfg;
	vm->id = (unsigned)cfg->id;
	cv_strlcpy(vm->name, cfg->name, sizeof(vm->name));
	vm->state = VM_CREATED;
	vm->dtb_gpa = GPA_INVALID;
	if (cfg->arch != ARCH_UNKNOWN && cfg->arch != vm_arch_platform.arch) {
		cv_snprintf(err, errsize, "VM is for %s, this cvisor runs %s guests",
			    cv_arch_name(cfg->arch), cv_arch_name(vm_arch_platform.arch));
		rc = -CV_ENOTSUP;
		goto fail;
	}
	if (cfg->cpu_num == 0 || cfg->cpu_num > VM_MAX_VCPUS) {
		cv_snprintf(err, errsize, "cpu_num %u out of range 1..%u", cfg->cpu_num, VM_MAX_VCPUS);
		rc = -CV_ERANGE;
		goto fail;
	}
	rc = addrspace_init(&vm->as);
	if (rc < 0) {
		cv_snprintf(err, errsize, "stage-2 tables: %s", cv_strerror(rc));
		goto fail;
	}
	if ((rc = add_ram(vm, err, errsize)) < 0)
		goto fail;
	if ((rc = add_devices(vm, err, errsize)) < 0)
		goto fail;
	if ((rc = add_vcpus(vm)) < 0) {
		cv_snprintf(err, errsize, "out of memory for vCPUs");
		goto fail;
	}
	*out = vm;
	return 0;
fail:
	vm_destroy(vm);
	return rc;
}

/* Loads a raw image that needs a load address. what names it in errors. */
static int load_raw_at(struct vm *vm, const char *what, const struct cfg_addr *addr,
		       const void *data, size_t len, struct load_info *li, char *err,
		       size_t errsize)
{
	char why[160];
	if (!addr->set) {
		cv_snprintf(err, errsize, "%s is a raw image: set %s_load_addr", what, what);
		return -CV_EINVAL;
	}
	int rc = loader_load_raw(&vm->as, addr->value, data, len, li, why, sizeof(why));
	if (rc < 0)
		cv_snprintf(err, errsize, "%s: %s", what, why);
	return rc;
}

/* Loads the kernel (ELF at its physical addresses, or raw) and sets vm->entry. */
static int load_kernel(struct vm *vm, const struct vm_images *img, char *err, size_t errsize)
{
	struct load_info li;
	char why[160];
	int rc;

	if (!img->kernel) {
		cv_snprintf(err, errsize, "no kernel image");
		return -CV_EINVAL;
	}
	if (loader_is_elf(img->kernel, img->kernel_len)) {
		rc = loader_load_elf(&vm->as, img->kernel, img->kernel_len, &li, why, sizeof(why));
		if (rc < 0) {
			cv_snprintf(err, errsize, "kernel: %s", why);
			return rc;
		}
	} else {
		rc = load_raw_at(vm, "kernel", &vm->cfg.kernel_load_addr, img->kernel,
				 img->kernel_len, &li, err, errsize);
		if (rc < 0)
			return rc;
	}
	vm->entry = vm->cfg.entry_point.set ? vm->cfg.entry_point.value : li.entry;
	return 0;
}

/* Loads the given device tree, or generates one, at dtb_load_addr or the arch default. */
static int load_dtb(struct vm *vm, const struct vm_images *img, char *err, size_t errsize)
{
	gpa_t at = vm->cfg.dtb_load_addr.set ? vm->cfg.dtb_load_addr.value
					     : vm_dtb_addr_below_ram_end(vm);
	struct cfg_addr addr = { .set = true, .value = at };
	struct load_info li;

	if (img->dtb)
		return load_raw_at(vm, "dtb", &addr, img->dtb, img->dtb_len, &li, err, errsize);

	void *buf = hal_zalloc(FDT_MAX_SIZE);
	if (!buf) {
		cv_snprintf(err, errsize, "out of memory for the device tree");
		return -CV_ENOMEM;
	}
	vm->dtb_gpa = at;
	int n = fdt_build(vm, buf, FDT_MAX_SIZE);
	int rc = n;
	if (n < 0)
		cv_snprintf(err, errsize, "device tree generation failed: %s", cv_strerror(n));
	else
		rc = load_raw_at(vm, "dtb", &addr, buf, (size_t)n, &li, err, errsize);
	hal_free(buf);
	return rc;
}

int vm_load_images(struct vm *vm, const struct vm_images *img, char *err, size_t errsize)
{
	struct load_info li;
	int rc;

	if ((rc = load_kernel(vm, img, err, errsize)) < 0)
		return rc;
	if (img->ramdisk) {
		rc = load_raw_at(vm, "ramdisk", &vm->cfg.ramdisk_load_addr, img->ramdisk,
				 img->ramdisk_len, &li, err, errsize);
		if (rc < 0)
			return rc;
		vm->initrd_start = li.start;
		vm->initrd_end = li.end;
	}
	if (img->bios) {
		rc = load_raw_at(vm, "bios", &vm->cfg.bios_load_addr, img->bios, img->bios_len, &li,
				 err, errsize);
		if (rc < 0)
			return rc;
	}
	if ((rc = load_dtb(vm, img, err, errsize)) < 0)
		return rc;
	vm->dtb_gpa = vm->cfg.dtb_load_addr.set ? vm->cfg.dtb_load_addr.value
						: vm_dtb_addr_below_ram_end(vm);
	if (!addrspace_gpa_to_hva(&vm->as, vm->entry, 4, ACCESS_FETCH)) {
		cv_snprintf(err, errsize, "entry point 0x%llx is not in executable guest RAM",
			    (unsigned long long)vm->entry);
		return -CV_ERANGE;
	}
	return 0;
}

int vm_stage2_protect(struct vm *vm, gpa_t gpa, uint64_t size, unsigned perm)
{
	const struct as_region *r = addrspace_find(&vm->as, gpa);

	if (size == 0 || (gpa | size) & (PAGE_SIZE - 1) || gpa + size < gpa || !(perm & PERM_READ) ||
	    (perm & ~PERM_RWX) || !r || r->kind != REGION_RAM || gpa + size > r->base + r->size)
		return -CV_EINVAL;
	if (perm & ~r->perm)
		return -CV_EPERM;
	int rc = stage2_protect(&vm->as.s2, gpa, size, perm);
	if (rc == 0)
		hal_vm_stage2_changed(vm, gpa, size);
	return rc;
}

gpa_t vm_dtb_addr_below_ram_end(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->as.nregions; i++) {
		const struct as_region *r = &vm->as.regions[i];
		if (r->kind == REGION_RAM && r->size >= 4 * 1024 * 1024)
			return r->base + r->size - 2 * 1024 * 1024;
	}
	return vm->as.nregions ? vm->as.regions[0].base : 0;
}

int vm_boot(struct vm *vm, char *err, size_t errsize)
{
	struct vcpu *boot = vm->vcpus[0];

	/* Every vCPU in its reset state; only the boot vCPU runs, the others stay off until a start call. */
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_arch_reset(vm->vcpus[i], vm->entry, vm->dtb_gpa);
	boot->state = VCPU_RUNNABLE;
	vm->state = VM_RUNNING;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		int rc = hal_vcpu_init(vm->vcpus[i]);
		if (rc < 0) {
			vm->state = VM_FAILED;
			cv_snprintf(err, errsize, "vCPU %u could not be prepared: %s", i, cv_strerror(rc));
			return rc;
		}
	}
	return 0;
}

void vm_stop(struct vm *vm, enum vm_state state, const char *fmt, ...)
{
	enum vm_state expected = VM_RUNNING;
	va_list ap;

	/* The first stop wins: vCPUs of one VM may stop it at the same time. */
	if (!__atomic_compare_exchange_n(&vm->state, &expected, VM_CREATED, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	va_start(ap, fmt);
	cv_vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	__atomic_store_n(&vm->state, state, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		hal_vcpu_kick(vm->vcpus[i]);
}

void vm_irq_set(struct vm *vm, unsigned irq, bool level)
{
	if (vm)
		vm_arch_irq_set(vm, irq, level);
}

void vm_console_input(struct vm *vm)
{
	const struct devbus *buses[] = { &vm->bus, &vm->ports };

	if (!vm_running(vm))
		return;
	for (unsigned b = 0; b < ARRAY_SIZE(buses); b++)
		for (unsigned i = 0; i < buses[b]->ndevs; i++) {
			struct device *d = buses[b]->devs[i];
			if (d->ops->input)
				d->ops->input(d);
		}
}

int vm_console_getc(struct vm *vm, const struct device *dev)
{
	const struct device *owner = NULL;

	if (vm)
		owner = __atomic_load_n(&vm->console_owner, __ATOMIC_ACQUIRE);
	if (owner && owner != dev)
		return -1;
	return hal_console_getc(vm);
}

void vm_console_claim(struct vm *vm, const struct device *dev, bool claim)
{
	const struct device *expected = claim ? NULL : dev;

	/* The first claim wins; only its holder releases it. */
	__atomic_compare_exchange_n(&vm->console_owner, &expected, claim ? dev : NULL, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		hal_vcpu_destroy(vm->vcpus[i]);
		hal_free(vm->vcpus[i]);
	}
	devbus_destroy(&vm->bus);
	devbus_destroy(&vm->ports);
	addrspace_destroy(&vm->as);
	hal_free(vm);
}
