/* SPDX-License-Identifier: MIT */
/*
 * A VM from its files: the config read and checked (problems printed in
 * the compilers' format), the images it names read from the host's files,
 * and the VM built from both with the core's loader.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cvisor/arch.h>
#include <cvisor/config.h>
#include <cvisor/lib.h>
#include <cvisor/loader.h>
#include <cvisor/vm.h>

#include "hal_sim.h"

/* Largest image file cvisor reads (a Linux kernel with a big initramfs fits). */
#define MAX_IMAGE_SIZE (1ULL << 30)

/* Reads a whole file into a malloc'd buffer. Returns NULL with errno set. */
void *hal_sim_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	void *buf = NULL;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto out;
	}
	if ((unsigned long long)st.st_size > MAX_IMAGE_SIZE) {
		errno = EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
		errno = EIO;
		goto out;
	}
	((char *)buf)[st.st_size] = '\0';
	*len = (size_t)st.st_size;
out:
	fclose(f);
	return buf;
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

static void print_diags(const struct diag_list *dl)
{
	char line[600];
	for (unsigned i = 0; i < dl->count; i++) {
		diag_format(dl, i, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	if (dl->dropped)
		fprintf(stderr, "%s: %u more messages not shown\n", dl->file, dl->dropped);
}

/* Parses one config file. Returns 0, or CLI_USAGE (messages printed). */
static int load_config(const char *path, struct vm_config *cfg, struct diag_list *dl)
{
	size_t len;
	char *text = hal_sim_read_file(path, &len);

	memset(dl, 0, sizeof(*dl));
	cv_strlcpy(dl->file, path, sizeof(dl->file));
	if (!text) {
		fprintf(stderr, "cvisor: %s: %s\n", path, strerror(errno));
		return CLI_USAGE;
	}
	int rc = config_parse(text, len, path, cfg, dl);
	free(text);
	return rc < 0 ? CLI_USAGE : 0;
}

/*
 * The architecture of a config: [base] arch, else the kernel's ELF header.
 * Adds a problem to dl when neither tells, or when this build cannot run it.
 */
static void resolve_arch(struct vm_config *cfg, struct diag_list *dl)
{
	if (cfg->arch == ARCH_UNKNOWN && cfg->kernel_path.set) {
		size_t len;
		void *k = hal_sim_read_file(cfg->kernel_path.path, &len);
		if (k) {
			cfg->arch = loader_elf_arch(k, len);
			free(k);
		}
		if (cfg->arch == ARCH_UNKNOWN) {
			diag_add(dl, DIAG_ERROR, 0, 0,
				 "cannot tell the guest's architecture: [base] arch is not set and "
				 "kernel_path is not an ELF image; add arch = \"aarch64\", \"riscv64\" "
				 "or \"x86_64\" to [base]");
			return;
		}
	}
	if (cfg->arch != ARCH_UNKNOWN && cfg->arch != vm_arch_platform.arch)
		diag_add(dl, DIAG_ERROR, cfg->arch_line, 0,
			 "%s guests are not supported by this cvisor (it runs %s guests)",
			 cv_arch_name(cfg->arch), cv_arch_name(vm_arch_platform.arch));
}

/* The images a config names, read from files. */
struct images {
	struct vm_images img;
	void *bufs[4];
};

static void free_images(struct images *im)
{
	for (int i = 0; i < 4; i++)
		free(im->bufs[i]);
	memset(im, 0, sizeof(*im));
}

static int read_one(const struct cfg_path *p, const char *what, const void **data, size_t *len,
		    void **buf, char *err, size_t errsize)
{
	if (!p->set)
		return 0;
	*buf = hal_sim_read_file(p->path, len);
	if (!*buf) {
		cv_snprintf(err, errsize, "%s %s: %s", what, p->path, strerror(errno));
		return -1;
	}
	*data = *buf;
	return 0;
}

static int read_images(const struct vm_config *cfg, struct images *im, char *err, size_t errsize)
{
	memset(im, 0, sizeof(*im));
	if (read_one(&cfg->kernel_path, "kernel_path", &im->img.kernel, &im->img.kernel_len,
		     &im->bufs[0], err, errsize) < 0 ||
	    read_one(&cfg->dtb_path, "dtb_path", &im->img.dtb, &im->img.dtb_len, &im->bufs[1], err,
		     errsize) < 0 ||
	    read_one(&cfg->ramdisk_path, "ramdisk_path", &im->img.ramdisk, &im->img.ramdisk_len,
		     &im->bufs[2], err, errsize) < 0 ||
	    read_one(&cfg->bios_path, "bios_path", &im->img.bios, &im->img.bios_len, &im->bufs[3],
		     err, errsize) < 0) {
		free_images(im);
		return -1;
	}
	return 0;
}

/* Builds a VM ready to run from a checked config. Returns NULL with a reason in err. */
static struct vm *build_vm(const struct vm_config *cfg, char *err, size_t errsize)
{
	struct images im;
	struct vm *vm = NULL;

	if (read_images(cfg, &im, err, errsize) < 0)
		return NULL;
	if (vm_create(cfg, &vm, err, errsize) < 0)
		goto out;
	struct hal_sim_vm *hv = calloc(1, sizeof(*hv));
	vm->hal = hv;
	if (hv)
		hv->cpus = sim_group_create();
	if (!hv || !hv->cpus || vm_load_images(vm, &im.img, err, errsize) < 0) {
		if (!hv || !hv->cpus)
			cv_snprintf(err, errsize, "out of memory");
		hal_sim_free_vm(vm);
		vm = NULL;
	}
out:
	free_images(&im);
	return vm;
}

int hal_sim_prepare_vm(const char *path, struct vm_config *cfg, struct vm **vm_out)
{
	static struct diag_list dl;
	char err[300];

	int rc = load_config(path, cfg, &dl);
	if (rc) {
		print_diags(&dl);
		return rc;
	}
	resolve_arch(cfg, &dl);
	config_validate(cfg, file_exists, &dl);
	print_diags(&dl);
	if (diag_count(&dl, DIAG_ERROR) > 0) {
		fprintf(stderr, "cvisor: %s: %u problem%s\n", path, diag_count(&dl, DIAG_ERROR),
			diag_count(&dl, DIAG_ERROR) == 1 ? "" : "s");
		return CLI_VM_FAILED;
	}
	struct vm *vm = build_vm(cfg, err, sizeof(err));
	if (!vm) {
		fprintf(stderr, "cvisor: %s: %s\n", path, err);
		return CLI_VM_FAILED;
	}
	if (vm_out)
		*vm_out = vm;
	else
		hal_sim_free_vm(vm);
	return CLI_OK;
}

void hal_sim_free_vm(struct vm *vm)
{
	struct hal_sim_vm *hv = vm->hal;

	vm_destroy(vm); /* its CPUs first, then their group */
	if (hv)
		sim_group_destroy(hv->cpus);
	free(hv);
}

