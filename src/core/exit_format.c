/* SPDX-License-Identifier: MIT */
/*
 * Names of the architecture-neutral exit record's fields, and its operands
 * formatted for the exit trace (--trace=exits) and reports.
 */
#include <cvisor/exit.h>
#include <cvisor/lib.h>
#include <cvisor/walk.h>

const char *exit_reason_name(enum exit_reason r)
{
	static const char *const names[EXIT_REASON_COUNT] = {
		[EXIT_NONE] = "none",
		[EXIT_MMIO] = "mmio",
		[EXIT_PIO] = "pio",
		[EXIT_HYPERCALL] = "hypercall",
		[EXIT_SYSREG] = "sysreg",
		[EXIT_HALT] = "halt",
		[EXIT_STAGE2_FAULT] = "stage2-fault",
		[EXIT_SHUTDOWN] = "shutdown",
		[EXIT_DEBUG] = "debug",
		[EXIT_FATAL] = "fatal",
	};
	if ((unsigned)r >= EXIT_REASON_COUNT)
		return "?";
	return names[r];
}

const char *access_kind_name(enum access_kind a)
{
	switch (a) {
	case ACCESS_READ:
		return "read";
	case ACCESS_WRITE:
		return "write";
	case ACCESS_FETCH:
		return "fetch";
	}
	return "?";
}

static const char *conduit_name(enum hypercall_conduit c)
{
	static const char *const names[] = { "hvc", "smc", "ecall", "vmcall" };
	return (unsigned)c < ARRAY_SIZE(names) ? names[c] : "?";
}

const char *walk_fault_name(enum walk_fault k)
{
	static const char *const names[] = { "translation", "permission", "access-flag",
					     "address-size", "other", "table-not-in-ram" };
	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}

int exit_format_operands(const struct vcpu_exit *e, char *buf, size_t size)
{
	switch (e->reason) {
	case EXIT_MMIO:
		return cv_snprintf(buf, size, "gpa=0x%llx size=%u %s data=0x%llx reg=%u",
				   (unsigned long long)e->mmio.gpa, e->mmio.size,
				   e->mmio.write ? "write" : "read",
				   (unsigned long long)e->mmio.data, e->mmio.reg);
	case EXIT_PIO:
		return cv_snprintf(buf, size, "port=0x%x size=%u %s data=0x%x", e->pio.port,
				   e->pio.size, e->pio.write ? "out" : "in", e->pio.data);
	case EXIT_HYPERCALL:
		return cv_snprintf(buf, size, "%s #%u a0=0x%llx a1=0x%llx a2=0x%llx a3=0x%llx ret=0x%llx",
				   conduit_name(e->hypercall.conduit), e->hypercall.imm,
				   (unsigned long long)e->hypercall.args[0],
				   (unsigned long long)e->hypercall.args[1],
				   (unsigned long long)e->hypercall.args[2],
				   (unsigned long long)e->hypercall.args[3],
				   (unsigned long long)e->hypercall.ret[0]);
	case EXIT_SYSREG:
		return cv_snprintf(buf, size, "id=0x%x %s reg=%u value=0x%llx", e->sysreg.id,
				   e->sysreg.write ? "write" : "read", e->sysreg.reg,
				   (unsigned long long)e->sysreg.value);
	case EXIT_STAGE2_FAULT:
		return cv_snprintf(buf, size, "gpa=0x%llx %s size=%u fault=%s level=%d",
				   (unsigned long long)e->s2fault.gpa,
				   access_kind_name(e->s2fault.access), e->s2fault.size,
				   walk_fault_name(e->s2fault.kind), e->s2fault.level);
	case EXIT_SHUTDOWN:
		return cv_snprintf(buf, size, "%s",
				   e->shutdown.kind == SHUTDOWN_RESET ? "reset" : "poweroff");
	case EXIT_FATAL:
		return cv_snprintf(buf, size, "%s", e->fatal.msg);
	default:
		return cv_snprintf(buf, size, "%s", "");
	}
}
