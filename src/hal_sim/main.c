/* SPDX-License-Identifier: MIT */
/*
 * cvisor as a Linux program: the command line and its commands.
 *
 *   cvisor run [options] CONFIG...    boot the VMs, guest console on stdout (run.c)
 *   cvisor check CONFIG...            check configs without running them
 *   cvisor embed CONFIG...            configs and images for the bare build
 *
 * Reading a VM from its files is vmfile.c; handing configs of another
 * architecture to its own simulator is handover.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvisor/arch.h>
#include <cvisor/config.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#include "hal_sim.h"
#include "trace.h"

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
		"  run CONFIG...      boot one VM per config; guest consoles go to stdout,\n"
		"                     stdin goes to one VM (the first)\n"
		"  check CONFIG...    parse and check configs (and their images) without running\n"
		"  embed CONFIG...    check configs, then print an assembly file embedding them\n"
		"                     and their images (used by the bare build: make qemu)\n"
		"\n"
		"Options of run:\n"
		"  --trace=LIST       comma-separated, on stderr (or --trace-file): exits (one\n"
		"                     line per exit, with the instruction that made it), walks\n"
		"                     (one line per level of each page-table walk cvisor makes:\n"
		"                     the guest's stage 1, then stage 2); exits:R1+R2... traces\n"
		"                     only the lines about those reasons: mmio, pio, hypercall,\n"
		"                     sysreg, halt, stage2-fault, shutdown, debug, fatal,\n"
		"                     guest-exception, irq\n"
		"  --trace-file=FILE  trace lines go to FILE instead of stderr, apart from the\n"
		"                     guests' consoles (stdout) and cvisor's own messages (stderr)\n"
		"  --max-seconds=N    stop VMs still running after N seconds (fractions allowed);\n"
		"                     without it a VM runs until it powers off: SIGINT or SIGTERM\n"
		"                     stops every VM, each with its report\n"
		"  --clock=host|virtual  the guests' clock (counters, timers): host time (the\n"
		"                     default), or a clock each vCPU advances with the\n"
		"                     instructions it executes (1 ns per instruction on AArch64),\n"
		"                     which jumps ahead while the vCPU waits: a run with one\n"
		"                     vCPU per VM then repeats exactly, exit trace included\n"
		"  --stats            print exit counts per vCPU, and the host CPU time the run\n"
		"                     used, when the VMs have stopped\n"
		"  --storm-limit=N    exceptions in a row inside a guest's vector table that\n"
		"                     count as an exception storm (default 64)\n"
		"  --gdb=[HOST:]PORT  a gdb stub for the first VM, like QEMU's -gdb: attach with\n"
		"                     gdb-multiarch -ex 'target remote :PORT'; HOST defaults to\n"
		"                     127.0.0.1 (only this machine); port 0 picks a free one.\n"
		"                     vCPUs are gdb's threads; other VMs run on while it is paused\n"
		"  --gdb-wait         with --gdb: the VM waits, paused before its first\n"
		"                     instruction, until gdb continues it (QEMU's -S)\n"
		"  --timeline=FILE    write each vCPU's runs and exits to FILE as Chrome\n"
		"                     trace-event JSON (open it in ui.perfetto.dev or\n"
		"                     chrome://tracing)\n"
		"  --s2-dot=FILE      when the first VM stops, write its stage-2 tables to FILE\n"
		"                     as a Graphviz graph (dot -Tsvg FILE -o tables.svg)\n"
		"  -v, --verbose      more messages from cvisor itself\n"
		"\n"
		"The console of run: on a terminal, while the guests run, keys go to the\n"
		"guest as they are typed (Ctrl-C too, as byte 0x03) and the terminal is\n"
		"restored afterwards. Ctrl-A, then:\n"
		"  x                  quit: stop every VM (exit status 1)\n"
		"  n                  send input to the next running VM (named on stderr)\n"
		"  h                  list these escapes\n"
		"  Ctrl-A             send one Ctrl-A to the guest\n"
		"Input that is not a terminal (a pipe, a file) reaches the guest unchanged.\n"
		"\n"
		"Exit status:\n"
		"  0  every VM powered off (run) / every config is valid and runnable (check)\n"
		"  1  a VM was stopped by cvisor or asked for a reset (run) / a config has problems (check)\n"
		"  2  bad command line, or a config or image that cannot be read or parsed\n",
		cv_arch_name(vm_arch_platform.arch));
}

static int cmd_check(int argc, char **argv)
{
	static struct vm_config cfg;
	int status = CLI_OK;

	if (argc < 1) {
		fprintf(stderr, "cvisor check: no config given (try cvisor --help)\n");
		return CLI_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		int rc = hal_sim_prepare_vm(argv[i], &cfg, NULL);
		if (rc == CLI_OK)
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
	static const char *const kinds[] = { "kernel", "dtb", "ramdisk", "bios", "disk" };

	if (argc < 1 || argc > MAX_VMS) {
		fprintf(stderr, "cvisor embed: give 1 to %d configs (try cvisor --help)\n", MAX_VMS);
		return CLI_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		int rc = hal_sim_prepare_vm(argv[i], &cfg, NULL);
		if (rc)
			return rc;
	}
	printf("// Generated by cvisor embed: VM configs and images for the bare build.\n"
	       "\t.section .rodata\n\t.balign 8\n\t.global bare_nvms\nbare_nvms:\n\t.quad %d\n"
	       "\t.global bare_vms\nbare_vms:\n", argc);
	for (int i = 0; i < argc; i++) {
		printf("\t.quad vm%d_path, vm%d_config, vm%d_config_end - vm%d_config\n", i, i, i, i);
		for (int k = 0; k < 5; k++)
			printf("\t.quad vm%d_%s, vm%d_%s_end - vm%d_%s\n", i, kinds[k], i, kinds[k], i,
			       kinds[k]);
		printf("\t.quad vm%d_disk_path\n", i);
	}
	for (int i = 0; i < argc; i++) {
		char sym[64];
		if (hal_sim_prepare_vm(argv[i], &cfg, NULL))
			return CLI_USAGE;
		snprintf(sym, sizeof(sym), "vm%d_config", i);
		const struct cfg_path *paths[5] = { &cfg.kernel_path, &cfg.dtb_path, &cfg.ramdisk_path,
						    &cfg.bios_path, &cfg.disk_path };
		if (embed_path(sym, argv[i]) < 0)
			return CLI_USAGE;
		printf("vm%d_path:\n\t.asciz \"%s\"\n", i, argv[i]);
		for (int k = 0; k < 5; k++) {
			snprintf(sym, sizeof(sym), "vm%d_%s", i, kinds[k]);
			if (paths[k]->set && embed_path(sym, paths[k]->path) < 0)
				return CLI_USAGE;
			if (!paths[k]->set)
				printf("%s:\n%s_end:\n", sym, sym);
		}
		/* The disk's path as the config resolves it: how the bare HAL finds the image (disk.c). */
		printf("vm%d_disk_path:\n\t.asciz \"%s\"\n", i,
		       cfg.disk_path.set ? cfg.disk_path.path : "");
	}
	return CLI_OK;
}

static int parse_trace(const char *s, unsigned *trace)
{
	char buf[128];
	cv_strlcpy(buf, s, sizeof(buf));
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		if (strcmp(tok, "exits") == 0)
			*trace |= TRACE_EXITS;
		else if (strncmp(tok, "exits:", 6) == 0) {
			if (hal_sim_trace_filter(tok + 6) < 0)
				return -1;
			*trace |= TRACE_EXITS;
		} else if (strcmp(tok, "walks") == 0)
			*trace |= TRACE_WALKS;
		else {
			fprintf(stderr,
				"cvisor: --trace: unknown item '%s' (known: exits, exits:R1+R2..., walks)\n",
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

/* The options of run (and check, which ignores them). */
static const struct option longopts[] = {
	{ "trace", required_argument, NULL, 't' },
	{ "max-seconds", required_argument, NULL, 'm' },
	{ "stats", no_argument, NULL, 's' },
	{ "storm-limit", required_argument, NULL, 'S' },
	{ "clock", required_argument, NULL, 'c' },
	{ "gdb", required_argument, NULL, 'g' },
	{ "gdb-wait", no_argument, NULL, 'W' },
	{ "timeline", required_argument, NULL, 'T' },
	{ "s2-dot", required_argument, NULL, 'D' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "trace-file", required_argument, NULL, 'F' },
	{ NULL, 0, NULL, 0 },
};

bool hal_sim_option_takes_value(const char *arg)
{
	if (arg[0] != '-' || arg[1] != '-')
		return false;
	for (const struct option *o = longopts; o->name; o++)
		if (o->has_arg == required_argument && strcmp(arg + 2, o->name) == 0)
			return true;
	return false;
}

static int cmd_run(int argc, char **argv)
{
	static struct vm_config cfgs[MAX_VMS];
	struct run_opts o = { 0 };
	struct vm *vms[MAX_VMS];
	unsigned n = 0;
	int c, status = CLI_OK;
	double d;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_trace(optarg, &o.trace) < 0)
				return CLI_USAGE;
			break;
		case 'm':
			if (parse_number("--max-seconds", optarg, &o.max_seconds) < 0)
				return CLI_USAGE;
			break;
		case 'S':
			if (parse_number("--storm-limit", optarg, &d) < 0)
				return CLI_USAGE;
			hal_sim_config.storm_limit = (unsigned)d;
			break;
		case 'c':
			if (strcmp(optarg, "host") == 0 || strcmp(optarg, "virtual") == 0) {
				hal_sim_config.virtual_clock = optarg[0] == 'v';
				break;
			}
			fprintf(stderr, "cvisor run: --clock takes host or virtual, not '%s'\n", optarg);
			return CLI_USAGE;
		case 's':
			o.stats = true;
			break;
		case 'g':
			o.gdb = optarg;
			break;
		case 'W':
			o.gdb_wait = true;
			break;
		case 'T':
			o.timeline = optarg;
			break;
		case 'D':
			o.s2_dot = optarg;
			break;
		case 'v':
			o.verbose = true;
			log_threshold = LOG_INFO;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		case 'F':
			if (hal_sim_trace_file(optarg) < 0)
				return CLI_USAGE;
			break;
		default:
			fprintf(stderr, "cvisor run: try cvisor --help\n");
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "cvisor run: no config given (try cvisor --help)\n");
		return CLI_USAGE;
	}
	if (o.gdb_wait && !o.gdb) {
		fprintf(stderr, "cvisor run: --gdb-wait needs --gdb=[HOST:]PORT\n");
		return CLI_USAGE;
	}
	if (argc - optind > MAX_VMS) {
		fprintf(stderr, "cvisor run: at most %d VMs at once\n", MAX_VMS);
		return CLI_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		int rc = hal_sim_prepare_vm(argv[i], &cfgs[n], &vms[n]);
		if (rc) {
			status = rc;
			break;
		}
		n++;
	}
	if (status == CLI_OK) {
		/* Several VMs, here or in the other architectures' simulators of one run (handover.c). */
		hal_sim_prefix_console = n > 1 || getenv("CVISOR_CONSOLE_PREFIX");
		status = hal_sim_run_vms(vms, n, &o);
	}
	for (unsigned i = 0; i < n; i++)
		hal_sim_free_vm(vms[i]);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("cvisor %s (simulator, %s guests)\n", CVISOR_VERSION_STRING,
		       cv_arch_name(vm_arch_platform.arch));
		return CLI_OK;
	}
	if (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "check") == 0)
		hal_sim_hand_over(argc, argv);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(argv[1], "embed") == 0)
		return cmd_embed(argc - 2, argv + 2);
	fprintf(stderr, "cvisor: unknown command '%s' (try cvisor --help)\n", argv[1]);
	return CLI_USAGE;
}
