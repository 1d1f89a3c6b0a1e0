/* SPDX-License-Identifier: MIT */
/*
 * One simulator per architecture: the architecture code is linked in, as
 * in the bare build, so configs for another architecture are handed to
 * the simulator built for it, and a run of several architectures is one
 * simulator process per architecture under this one.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cvisor/arch.h>
#include <cvisor/config.h>
#include <cvisor/lib.h>
#include <cvisor/loader.h>

#include "hal_sim.h"

/* The architecture a config asks for ([base] arch, else its kernel's ELF header), or ARCH_UNKNOWN. */
static enum cv_arch config_arch(const char *path)
{
	static struct vm_config cfg;
	static struct diag_list dl;
	size_t len;
	char *text = hal_sim_read_file(path, &len);
	enum cv_arch arch = ARCH_UNKNOWN;

	if (!text)
		return ARCH_UNKNOWN;
	memset(&dl, 0, sizeof(dl));
	if (config_parse(text, len, path, &cfg, &dl) == 0) {
		arch = cfg.arch;
		if (arch == ARCH_UNKNOWN && cfg.kernel_path.set) {
			void *k = hal_sim_read_file(cfg.kernel_path.path, &len);
			if (k)
				arch = loader_elf_arch(k, len);
			free(k);
		}
	}
	free(text);
	return arch;
}

/*
 * Waits for the child pid, the simulator of arch. Returns its exit status
 * and sets *pid to 0; if a signal interrupted the wait, returns with *pid
 * unchanged. A child killed by a signal counts as a stopped VM (1).
 */
static int wait_child(pid_t pid, enum cv_arch arch, pid_t *slot)
{
	int ws;

	if (waitpid(pid, &ws, 0) < 0)
		return errno == EINTR ? CLI_OK : (*slot = 0, CLI_USAGE);
	*slot = 0;
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	fprintf(stderr, "cvisor: the %s simulator ended by signal %d\n", cv_arch_name(arch),
		WTERMSIG(ws));
	return CLI_VM_FAILED;
}

/*
 * The simulator built for arch: BUILD/<arch>/cvisor next to this one (the
 * primary build), or BUILD/<arch>/cvisor from a build/<other>/cvisor.
 * Returns false if there is none.
 */
static bool simulator_of(enum cv_arch arch, char *path, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	if (arch == vm_arch_platform.arch) {
		snprintf(path, size, "%s", self);
		return true;
	}
	char *slash = strrchr(self, '/');
	if (!slash)
		return false;
	*slash = '\0';
	static const char *const layouts[] = { "%s/%s/cvisor", "%s/../%s/cvisor" };
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
		snprintf(path, size, layouts[i], self, cv_arch_name(arch));
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

/* Architectures a simulator can be built for (enum cv_arch, ARCH_UNKNOWN aside). */
#define SIM_ARCHS 3

/* The architectures of a run, each with its configs' positions in argv. */
struct arch_group {
	enum cv_arch arch;
	int configs[MAX_VMS];
	int n;
};

/* True if arg is option name ("--gdb"), alone, with "=VALUE", or one that begins with it and a dash ("--gdb-wait"). */
static bool is_option(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=' || arg[n] == '-');
}

static volatile sig_atomic_t forwarded_signal;

static void remember_signal(int sig)
{
	forwarded_signal = sig;
}

/*
 * Runs one simulator per architecture side by side (run) or one after
 * another (check), each with the options and its own configs, and returns
 * the worst exit status. The children's consoles and reports go to the
 * same stdout and stderr, every console line with its VM's name in front
 * (CVISOR_CONSOLE_PREFIX); only the first child reads stdin. SIGINT from
 * a terminal reaches every child (one process group); SIGTERM to this
 * process is passed on to each.
 */
static int run_groups(int argc, char **argv, const struct arch_group *g, unsigned ng)
{
	pid_t pids[SIM_ARCHS];
	char *args[SIM_ARCHS][MAX_VMS + 16];
	char paths[SIM_ARCHS][PATH_MAX + 32];
	bool check = strcmp(argv[1], "check") == 0;
	int status = CLI_OK;

	/* Without SA_RESTART: a SIGTERM interrupts waitpid(), to be passed on. */
	struct sigaction sa = { .sa_handler = remember_signal };
	sigemptyset(&sa.sa_mask);
	signal(SIGINT, SIG_IGN); /* the children take it and end with their reports */
	sigaction(SIGTERM, &sa, NULL);
	setenv("CVISOR_HANDED_OVER", "1", 1);
	setenv("CVISOR_CONSOLE_PREFIX", "1", 1);
	fflush(NULL);
	for (unsigned k = 0; k < ng; k++) {
		int na = 0;
		if (!simulator_of(g[k].arch, paths[k], sizeof(paths[k]))) {
			fprintf(stderr, "cvisor: no simulator for %s next to this one (make builds it)\n",
				cv_arch_name(g[k].arch));
			return CLI_USAGE;
		}
		args[k][na++] = paths[k];
		args[k][na++] = argv[1];
		for (int i = 2; i < argc && na < MAX_VMS + 12; i++)
			if (argv[i][0] == '-') {
				/* The gdb stub is for the first VM of the run: its simulator's. */
				bool keep = k == 0 || !is_option(argv[i], "--gdb");
				if (keep)
					args[k][na++] = argv[i];
				if (hal_sim_option_takes_value(argv[i]) && i + 1 < argc) {
					i++;
					if (keep)
						args[k][na++] = argv[i];
				}
			}
		for (int c = 0; c < g[k].n; c++)
			args[k][na++] = argv[g[k].configs[c]];
		args[k][na] = NULL;
	}
	for (unsigned k = 0; k < ng; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			if (k > 0 && !check)
				(void)freopen("/dev/null", "r", stdin);
			execv(paths[k], args[k]);
			fprintf(stderr, "cvisor: cannot run %s: %s\n", paths[k], strerror(errno));
			_exit(CLI_USAGE);
		}
		if (pids[k] < 0) {
			fprintf(stderr, "cvisor: cannot start the %s simulator: %s\n",
				cv_arch_name(g[k].arch), strerror(errno));
			status = CLI_USAGE;
		}
		if (check && pids[k] > 0) {
			int rc = wait_child(pids[k], g[k].arch, &pids[k]);
			status = MAX(status, rc);
		}
	}
	int rcs[SIM_ARCHS] = { 0 };
	for (unsigned k = 0; k < ng && !check; k++) {
		while (pids[k] > 0) {
			int rc = wait_child(pids[k], g[k].arch, &pids[k]);
			if (pids[k] > 0 && forwarded_signal) {
				for (unsigned j = 0; j < ng; j++)
					if (pids[j] > 0)
						kill(pids[j], forwarded_signal);
				forwarded_signal = 0;
				continue;
			}
			rcs[k] = rc;
			status = MAX(status, rc);
		}
	}
	if (!check && ng > 1) {
		/* One closing line for the whole run: which architectures' VMs did not all power off. */
		char line[200] = "";
		size_t len = 0;
		for (unsigned k = 0; k < ng; k++)
			if (rcs[k] != CLI_OK && len < sizeof(line))
				len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
							len ? ", " : "", cv_arch_name(g[k].arch));
		if (len)
			fprintf(stderr, "cvisor: %u simulators; a VM did not power off in: %s\n", ng, line);
		else
			fprintf(stderr, "cvisor: %u simulators; every VM powered off\n", ng);
	}
	return status;
}

/*
 * Each build of the simulator runs the guests of one architecture (the
 * architecture code is linked in, as in the bare build). When every
 * config of a run or check is for another architecture, this runs the
 * simulator built for it, BUILD/<arch>/cvisor next to this one, with the
 * same arguments. When the configs are of several architectures, it runs
 * one simulator per architecture and exits with the worst status. Returns
 * only if everything is for this build.
 */
void hal_sim_hand_over(int argc, char **argv)
{
	struct arch_group g[SIM_ARCHS];
	unsigned ng = 0;
	char path[PATH_MAX + 32];

	if (getenv("CVISOR_HANDED_OVER"))
		return;
	for (int i = 2; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (hal_sim_option_takes_value(argv[i]))
				i++;
			continue;
		}
		enum cv_arch a = config_arch(argv[i]);
		if (a == ARCH_UNKNOWN)
			a = vm_arch_platform.arch; /* unreadable: this build reports it */
		unsigned k = 0;
		while (k < ng && g[k].arch != a)
			k++;
		if (k == ng)
			g[ng++] = (struct arch_group){ .arch = a };
		if (g[k].n < MAX_VMS)
			g[k].configs[g[k].n++] = i;
	}
	if (ng > 1) {
		for (int i = 2; i < argc; i++) {
			const char *file = NULL;
			if (strncmp(argv[i], "--trace-file=", 13) == 0)
				file = argv[i] + 13;
			else if (strcmp(argv[i], "--trace-file") == 0 && i + 1 < argc)
				file = argv[i + 1];
			if (file) {
				/* Emptied once here; each simulator appends its lines (trace.c). */
				FILE *f = fopen(file, "w");
				if (!f) {
					fprintf(stderr, "cvisor: --trace-file=%s: %s\n", file, strerror(errno));
					exit(CLI_USAGE);
				}
				fclose(f);
				setenv("CVISOR_TRACE_APPEND", "1", 1);
			}
			if (is_option(argv[i], "--timeline")) {
				fprintf(stderr, "cvisor %s: --timeline records one simulator: give configs of "
						"one architecture\n", argv[1]);
				exit(CLI_USAGE);
			}
		}
		exit(run_groups(argc, argv, g, ng));
	}
	if (ng == 0 || g[0].arch == vm_arch_platform.arch)
		return;
	if (simulator_of(g[0].arch, path, sizeof(path))) {
		setenv("CVISOR_HANDED_OVER", "1", 1);
		execv(path, argv);
		fprintf(stderr, "cvisor: cannot run %s: %s\n", path, strerror(errno));
		exit(CLI_USAGE);
	}
}
