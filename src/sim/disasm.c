/* SPDX-License-Identifier: MIT */
/*
 * The instruction behind an exit (disasm.h): reading it from guest memory
 * as the vCPU sees it, and Capstone, shared by the architectures.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

#include <cvisor/addrspace.h>
#include <cvisor/lib.h>
#include <cvisor/walk.h>

#include "cpu.h"
#include "disasm.h"

int sim_cpu_insn_text(struct sim_cpu *c, const struct vcpu_exit *exit, char *buf, size_t size)
{
	if (!size)
		return 0;
	buf[0] = '\0';
	if (!c)
		return 0;
	return sim_arch_insn_text(c, exit, buf, size);
}

size_t sim_code_read(struct sim_cpu *c, uint64_t va, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct s1_result res;
		size_t n = MIN(len - done, PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1)));

		if (sim_cpu_s1_walk(c, va + done, ACCESS_FETCH, &res, NULL, NULL) < 0 ||
		    addrspace_read(&c->vcpu->vm->as, res.gpa, buf + done, n) < 0)
			break;
		done += n;
	}
	return done;
}

/*
 * One handle for the process: a build simulates one architecture, and
 * traces are rare enough that vCPU threads can take turns. The mode is
 * changed when the caller's differs (x86: 16-, 32- and 64-bit code).
 */
static pthread_mutex_t cs_lock = PTHREAD_MUTEX_INITIALIZER;
static csh cs_handle;
static bool cs_opened, cs_failed;
static cs_mode cs_current;

int sim_capstone_text(int arch, int mode, uint64_t addr, const uint8_t *code, size_t len, char *buf,
		      size_t size)
{
	cs_insn *insn = NULL;
	int n = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	pthread_mutex_lock(&cs_lock);
	if (!cs_opened && !cs_failed) {
		cs_failed = cs_open((cs_arch)arch, (cs_mode)mode, &cs_handle) != CS_ERR_OK;
		cs_opened = !cs_failed;
		cs_current = (cs_mode)mode;
		if (cs_opened && arch == CS_ARCH_X86)
			cs_option(cs_handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	}
	if (cs_opened && cs_current != (cs_mode)mode &&
	    cs_option(cs_handle, CS_OPT_MODE, (size_t)mode) == CS_ERR_OK)
		cs_current = (cs_mode)mode;
	if (cs_opened && cs_current == (cs_mode)mode &&
	    cs_disasm(cs_handle, code, len, addr, 1, &insn) == 1) {
		n = snprintf(buf, size, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "",
			     insn->op_str);
		cs_free(insn, 1);
	}
	pthread_mutex_unlock(&cs_lock);
	if (n < 0)
		n = 0;
	return (size_t)n < size ? n : (int)strlen(buf);
}
