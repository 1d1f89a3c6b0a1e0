/* SPDX-License-Identifier: MIT */
/*
 * One simulator per architecture: the architecture code is linked in, as
 * in the bare build, so configs for another architecture are handed to
 * the simulator built for it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
 * Each build of the simulator runs the guests of one architecture (the
 * architecture code is linked in, as in the bare build). When every
 * config of a run or check is for another architecture, this runs the
 * simulator built for it, BUILD/<arch>/cvisor next to this one, with the
 * same arguments. Returns only if there is nothing to hand over; exits
 * with a usage error for a mix of architectures.
 */
void hal_sim_hand_over(int argc, char **argv)
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
			exit(CLI_USAGE);
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
			exit(CLI_USAGE);
		}
	}
}

