/* SPDX-License-Identifier: MIT */
/*
 * cvisor as a Linux program: the command line, reading configs and
 * images from files, one host thread per running vCPU.
 *
 *   cvisor run [options] CONFIG...    boot the VMs, guest console on stdout
 *   cvisor check CONFIG...            check configs without running them
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cvisor/arch.h>
#include <cvisor/config.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/loader.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#include "hal_sim.h"

/* Exit statuses (documented in --help and docs/usage.md). */
enum {
	EXIT_OK = 0,          /* every VM powered off / every config valid */
	EXIT_VM_FAILED = 1,   /* a VM was stopped by cvisor, or a config has problems */
	EXIT_USAGE = 2,       /* bad command line, or a config that cannot be parsed */
};

#define MAX_VMS 16
/* Largest image file cvisor reads (a Linux kernel with a big initramfs fits). */
#define MAX_IMAGE_SIZE (1ULL << 30)

struct run_opts {
	unsigned trace;
	double max_seconds;
	bool stats;
	bool verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cvisor run [OPTIONS] CONFIG...\n"
		"       cvisor check CONFIG...\n"
		"       cvisor --help | --version\n"
		"\n"
		"cvisor is an educational hypervisor. This build runs %s guests in a\n"
		"simulator: each vCPU is a Unicorn CPU whose traps become the exits\n"
		"the virtualization hardware would give. Configs for another\n"
		"architecture ([base] arch, or the kernel's ELF header) are handed to\n"
		"the simulator built for it, <arch>/cvisor next to this program; one\n"
		"run is for one architecture.\n"
		"\n"
		"Commands:\n"
		"  run CONFIG...      boot one VM per config; guest consoles go to stdout\n"
		"  check CONFIG...    parse and check configs (and their images) without running\n"
		"  embed CONFIG...    check configs, then print an assembly file embedding them\n"
		"                     and their images (used by the bare build: make qemu)\n"
		"\n"
		"Options of run:\n"
		"  --trace=LIST       comma-separated, on stderr: exits (one line per exit),\n"
		"                     walks (one line per level of each page-table walk cvisor\n"
		"                     makes: the guest's stage 1, then stage 2)\n"
		"  --max-seconds=N    stop VMs still running after N seconds (fractions allowed)\n"
		"  --stats            print exit counts per vCPU when the VMs have stopped\n"
		"  --storm-limit=N    exceptions in a row inside a guest's vector table that\n"
		"                     count as an exception storm (default 64)\n"
		"  -v, --verbose      more messages from cvisor itself\n"
		"\n"
		"Exit status:\n"
		"  0  every VM powered off (run) / every config is valid and runnable (check)\n"
		"  1  a VM was stopped by cvisor or asked for a reset (run) / a config has problems (check)\n"
		"  2  bad command line, or a config or image that cannot be read or parsed\n",
		cv_arch_name(vm_arch_platform.arch));
}

/* Reads a whole file into a malloc'd buffer. Returns NULL with errno set. */
static void *read_file(const char *path, size_t *len)
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

/* Parses one config file. Returns 0, or EXIT_USAGE (messages printed). */
static int load_config(const char *path, struct vm_config *cfg, struct diag_list *dl)
{
	size_t len;
	char *text = read_file(path, &len);

	memset(dl, 0, sizeof(*dl));
	cv_strlcpy(dl->file, path, sizeof(dl->file));
	if (!text) {
		fprintf(stderr, "cvisor: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	int rc = config_parse(text, len, path, cfg, dl);
	free(text);
	return rc < 0 ? EXIT_USAGE : 0;
}

/*
 * The architecture of a config: [base] arch, else the kernel's ELF header.
 * Adds a problem to dl when neither tells, or when this build cannot run it.
 */
static void resolve_arch(struct vm_config *cfg, struct diag_list *dl)
{
	if (cfg->arch == ARCH_UNKNOWN && cfg->kernel_path.set) {
		size_t len;
		void *k = read_file(cfg->kernel_path.path, &len);
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
	*buf = read_file(p->path, len);
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
	vm->hal = calloc(1, sizeof(struct hal_sim_vm));
	if (vm_load_images(vm, &im.img, err, errsize) < 0) {
		free(vm->hal);
		vm_destroy(vm);
		vm = NULL;
	}
out:
	free_images(&im);
	return vm;
}

/* Parses, checks and (for run) builds one VM. Returns an exit status. */
static int prepare(const char *path, struct vm_config *cfg, struct vm **vm_out)
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
		return EXIT_VM_FAILED;
	}
	struct vm *vm = build_vm(cfg, err, sizeof(err));
	if (!vm) {
		fprintf(stderr, "cvisor: %s: %s\n", path, err);
		return EXIT_VM_FAILED;
	}
	if (vm_out)
		*vm_out = vm;
	else {
		free(vm->hal);
		vm_destroy(vm);
	}
	return EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
	static struct vm_config cfg;
	int status = EXIT_OK;

	if (argc < 1) {
		fprintf(stderr, "cvisor check: no config given (try cvisor --help)\n");
		return EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		int rc = prepare(argv[i], &cfg, NULL);
		if (rc == EXIT_OK)
			printf("%s: ok (%s, %u vCPU%s)\n", argv[i], cv_arch_name(cfg.arch ? cfg.arch : vm_arch_platform.arch),
			       cfg.cpu_num, cfg.cpu_num == 1 ? "" : "s");
		status = MAX(status, rc);
	}
	return status;
}

/* ---- embed (for the bare build) ------------------------------------------ */

/* Writes one image of a VM for embed: its symbol, or an empty one. */
static int embed_path(const char *sym, const char *path)
{
	if (strpbrk(path, "\"\\\n")) {
		fprintf(stderr, "cvisor embed: %s: a path with quotes, backslashes or newlines "
				"cannot be embedded\n", path);
		return -1;
	}
	printf("\t.balign 16\n%s:\n\t.incbin \"%s\"\n%s_end:\n", sym, path, sym);
	return 0;
}

/*
 * cvisor embed CONFIG...: checks each config as `check` does, then prints
 * an assembly file that puts the configs and their images into the bare
 * hypervisor image (AxVisor's image_location = "memory" model). The bare
 * build parses the same TOML text at boot with the same core code.
 */
static int cmd_embed(int argc, char **argv)
{
	static struct vm_config cfg;
	static const char *const kinds[] = { "kernel", "dtb", "ramdisk", "bios" };

	if (argc < 1 || argc > MAX_VMS) {
		fprintf(stderr, "cvisor embed: give 1 to %d configs (try cvisor --help)\n", MAX_VMS);
		return EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		int rc = prepare(argv[i], &cfg, NULL);
		if (rc)
			return rc;
	}
	printf("// Generated by cvisor embed: VM configs and images for the bare build.\n"
	       "\t.section .rodata\n\t.balign 8\n\t.global bare_nvms\nbare_nvms:\n\t.quad %d\n"
	       "\t.global bare_vms\nbare_vms:\n", argc);
	for (int i = 0; i < argc; i++) {
		printf("\t.quad vm%d_path, vm%d_config, vm%d_config_end - vm%d_config\n", i, i, i, i);
		for (int k = 0; k < 4; k++)
			printf("\t.quad vm%d_%s, vm%d_%s_end - vm%d_%s\n", i, kinds[k], i, kinds[k], i,
			       kinds[k]);
	}
	for (int i = 0; i < argc; i++) {
		char sym[64];
		if (prepare(argv[i], &cfg, NULL))
			return EXIT_USAGE;
		snprintf(sym, sizeof(sym), "vm%d_config", i);
		const struct cfg_path *paths[4] = { &cfg.kernel_path, &cfg.dtb_path, &cfg.ramdisk_path,
						    &cfg.bios_path };
		if (embed_path(sym, argv[i]) < 0)
			return EXIT_USAGE;
		printf("vm%d_path:\n\t.asciz \"%s\"\n", i, argv[i]);
		for (int k = 0; k < 4; k++) {
			snprintf(sym, sizeof(sym), "vm%d_%s", i, kinds[k]);
			if (paths[k]->set && embed_path(sym, paths[k]->path) < 0)
				return EXIT_USAGE;
			if (!paths[k]->set)
				printf("%s:\n%s_end:\n", sym, sym);
		}
	}
	return EXIT_OK;
}

/* ---- run ---------------------------------------------------------------- */

static void *vcpu_thread(void *arg)
{
	vcpu_run_loop(arg);
	return NULL;
}

struct watchdog {
	struct vm **vms;
	unsigned nvms;
	double seconds;
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	bool done;
};

/* Stops every VM still running when the time limit runs out. */
static void *watchdog_thread(void *arg)
{
	struct watchdog *w = arg;
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)w->seconds;
	until.tv_nsec += (long)((w->seconds - (double)(time_t)w->seconds) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->done)
		if (pthread_cond_timedwait(&w->done_cv, &w->lock, &until) == ETIMEDOUT)
			break;
	bool done = w->done;
	pthread_mutex_unlock(&w->lock);
	if (done)
		return NULL;
	/* vm_stop() formats with cv_snprintf, which has no floating point. */
	char limit[32];
	snprintf(limit, sizeof(limit), "%g", w->seconds);
	for (unsigned i = 0; i < w->nvms; i++)
		vm_stop(w->vms[i], VM_FAILED, "still running after the time limit of %s s (--max-seconds)",
			limit);
	return NULL;
}

static void print_stats(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		fprintf(stderr, "stats: vm=%u vcpu=%u", vm->id, v->id);
		for (int r = EXIT_MMIO; r < EXIT_REASON_COUNT; r++)
			fprintf(stderr, " %s=%llu", exit_reason_name(r), (unsigned long long)v->exits[r]);
		fprintf(stderr, " guest-exceptions=%llu\n", (unsigned long long)v->guest_exceptions);
	}
}

/* The end of one VM: returns its exit status and reports why it stopped. */
static int report_vm(const struct vm *vm, const struct run_opts *o)
{
	if (o->stats)
		print_stats(vm);
	if (vm->state == VM_OFF) {
		if (o->verbose)
			fprintf(stderr, "cvisor: vm %u (%s): %s\n", vm->id, vm->name, vm->stop_reason);
		return EXIT_OK;
	}
	/* Reasons from exits name their PC; a time limit names where the guest was. */
	if (strstr(vm->stop_reason, "PC 0x"))
		fprintf(stderr, "cvisor: vm %u (%s) %s: %s\n", vm->id, vm->name,
			vm->state == VM_RESET ? "reset" : "stopped", vm->stop_reason);
	else
		fprintf(stderr, "cvisor: vm %u (%s) %s: %s; vCPU 0 was at PC 0x%llx\n", vm->id,
			vm->name, vm->state == VM_RESET ? "reset" : "stopped", vm->stop_reason,
			(unsigned long long)vcpu_arch_pc(vm->vcpus[0]));
	return EXIT_VM_FAILED;
}

static int run_vms(struct vm **vms, unsigned n, const struct run_opts *o)
{
	pthread_t threads[MAX_VMS], wd;
	struct watchdog w = { vms, n, o->max_seconds, PTHREAD_MUTEX_INITIALIZER,
			      PTHREAD_COND_INITIALIZER, false };
	char err[300];
	int status = EXIT_OK;
	bool started[MAX_VMS] = { false };

	for (unsigned i = 0; i < n; i++) {
		vms[i]->trace = o->trace;
		if (vm_boot(vms[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "cvisor: vm %u (%s): %s\n", vms[i]->id, vms[i]->name, err);
			status = EXIT_VM_FAILED;
			continue;
		}
		started[i] = pthread_create(&threads[i], NULL, vcpu_thread, vms[i]->vcpus[0]) == 0;
	}
	if (o->max_seconds > 0)
		pthread_create(&wd, NULL, watchdog_thread, &w);
	for (unsigned i = 0; i < n; i++)
		if (started[i])
			pthread_join(threads[i], NULL);
	if (o->max_seconds > 0) {
		pthread_mutex_lock(&w.lock);
		w.done = true;
		pthread_cond_signal(&w.done_cv);
		pthread_mutex_unlock(&w.lock);
		pthread_join(wd, NULL);
	}
	for (unsigned i = 0; i < n; i++)
		if (started[i])
			hal_sim_console_end(vms[i]);
	hal_sim_flush_console();
	for (unsigned i = 0; i < n; i++)
		if (started[i]) {
			int rc = report_vm(vms[i], o);
			status = MAX(status, rc);
		}
	return status;
}

static int parse_trace(const char *s, unsigned *trace)
{
	char buf[128];
	cv_strlcpy(buf, s, sizeof(buf));
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		if (strcmp(tok, "exits") == 0)
			*trace |= TRACE_EXITS;
		else if (strcmp(tok, "walks") == 0)
			*trace |= TRACE_WALKS;
		else {
			fprintf(stderr, "cvisor: --trace: unknown item '%s' (known: exits, walks)\n",
				tok);
			return -1;
		}
	}
	return 0;
}

static int parse_number(const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v <= 0) {
		fprintf(stderr, "cvisor: %s: '%s' is not a positive number\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "trace", required_argument, NULL, 't' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, 's' },
		{ "storm-limit", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct vm_config cfgs[MAX_VMS];
	struct run_opts o = { 0 };
	struct vm *vms[MAX_VMS];
	unsigned n = 0;
	int c, status = EXIT_OK;
	double d;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_trace(optarg, &o.trace) < 0)
				return EXIT_USAGE;
			break;
		case 'm':
			if (parse_number("--max-seconds", optarg, &o.max_seconds) < 0)
				return EXIT_USAGE;
			break;
		case 'S':
			if (parse_number("--storm-limit", optarg, &d) < 0)
				return EXIT_USAGE;
			hal_sim_config.storm_limit = (unsigned)d;
			break;
		case 's':
			o.stats = true;
			break;
		case 'v':
			o.verbose = true;
			log_threshold = LOG_INFO;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "cvisor run: try cvisor --help\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "cvisor run: no config given (try cvisor --help)\n");
		return EXIT_USAGE;
	}
	if (argc - optind > MAX_VMS) {
		fprintf(stderr, "cvisor run: at most %d VMs at once\n", MAX_VMS);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		int rc = prepare(argv[i], &cfgs[n], &vms[n]);
		if (rc) {
			status = rc;
			break;
		}
		n++;
	}
	if (status == EXIT_OK) {
		hal_sim_prefix_console = n > 1;
		status = run_vms(vms, n, &o);
	}
	for (unsigned i = 0; i < n; i++) {
		free(vms[i]->hal);
		vms[i]->hal = NULL;
		vm_destroy(vms[i]);
	}
	return status;
}

/* ---- One simulator per architecture ---------------------------------------- */

/* The architecture a config asks for ([base] arch, else its kernel's ELF header), or ARCH_UNKNOWN. */
static enum cv_arch config_arch(const char *path)
{
	static struct vm_config cfg;
	static struct diag_list dl;
	size_t len;
	char *text = read_file(path, &len);
	enum cv_arch arch = ARCH_UNKNOWN;

	if (!text)
		return ARCH_UNKNOWN;
	memset(&dl, 0, sizeof(dl));
	if (config_parse(text, len, path, &cfg, &dl) == 0) {
		arch = cfg.arch;
		if (arch == ARCH_UNKNOWN && cfg.kernel_path.set) {
			void *k = read_file(cfg.kernel_path.path, &len);
			if (k)
				arch = loader_elf_arch(k, len);
			free(k);
		}
	}
	free(text);
	return arch;
}

/*
 * Each build of the simulator runs the guests of one architecture (the
 * architecture code is linked in, as in the bare build). When every
 * config of a run or check is for another architecture, this runs the
 * simulator built for it, BUILD/<arch>/cvisor next to this one, with the
 * same arguments. Returns only if there is nothing to hand over; exits
 * with a usage error for a mix of architectures.
 */
static void run_other_arch(int argc, char **argv)
{
	enum cv_arch want = ARCH_UNKNOWN;
	const char *first = NULL;
	char self[PATH_MAX], path[PATH_MAX + 32];

	if (getenv("CVISOR_HANDED_OVER"))
		return;
	for (int i = 2; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		enum cv_arch a = config_arch(argv[i]);
		if (a == ARCH_UNKNOWN)
			continue;
		if (want != ARCH_UNKNOWN && a != want) {
			fprintf(stderr, "cvisor: one run is for one architecture: %s is %s, %s is %s\n",
				first, cv_arch_name(want), argv[i], cv_arch_name(a));
			exit(EXIT_USAGE);
		}
		want = a;
		first = argv[i];
	}
	if (want == ARCH_UNKNOWN || want == vm_arch_platform.arch)
		return;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	static const char *const layouts[] = { "%s/%s/cvisor", "%s/../%s/cvisor" };
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
		snprintf(path, sizeof(path), layouts[i], self, cv_arch_name(want));
		if (access(path, X_OK) == 0) {
			setenv("CVISOR_HANDED_OVER", "1", 1);
			execv(path, argv);
			fprintf(stderr, "cvisor: cannot run %s: %s\n", path, strerror(errno));
			exit(EXIT_USAGE);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("cvisor %s (simulator, %s guests)\n", CVISOR_VERSION_STRING,
		       cv_arch_name(vm_arch_platform.arch));
		return EXIT_OK;
	}
	if (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "check") == 0)
		run_other_arch(argc, argv);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(argv[1], "embed") == 0)
		return cmd_embed(argc - 2, argv + 2);
	fprintf(stderr, "cvisor: unknown command '%s' (try cvisor --help)\n", argv[1]);
	return EXIT_USAGE;
}
