/* SPDX-License-Identifier: MIT */
/*
 * The traces of the bare HAL: trace lines go to the console with the log
 * (hal_log_write()); there is no filter, no disassembler and no timeline
 * on the machine. The unit tests and the fuzz targets link it too.
 */
#include <cvisor/hal.h>
#include <cvisor/vm.h>

bool hal_trace_wants(const struct vm *vm, unsigned ev)
{
	(void)ev;
	return vm->trace & TRACE_EXITS;
}

void hal_trace_write(const char *line)
{
	hal_log_write(line);
}

int hal_exit_insn_text(const struct vcpu *vcpu, const struct vcpu_exit *exit, char *buf,
		       size_t size)
{
	(void)vcpu;
	(void)exit;
	if (size)
		buf[0] = '\0';
	return 0;
}

void hal_exit_handled(const struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	(void)vcpu;
	(void)exit;
}
