/* SPDX-License-Identifier: MIT */
/*
 * The SBI a RISC-V guest calls with ecall (RISC-V SBI specification
 * v2.0): the base extension, the legacy console, TIME, SRST, HSM for one
 * hart, and cvisor's own calls (docs/hypercalls.md).
 */
#include <arch/hypercall.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#define RET(v) ((uint64_t)(int64_t)(v))

static bool extension_present(uint64_t eid)
{
	switch (eid) {
	case SBI_EXT_BASE:
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_GETCHAR:
	case SBI_EXT_TIME:
	case SBI_EXT_SRST:
	case SBI_EXT_HSM:
	case SBI_EXT_CVISOR:
		return true;
	default:
		return false;
	}
}

/* Base extension (SBI chapter 4). */
static void sbi_base(uint64_t fid, const uint64_t *a, uint64_t *ret)
{
	switch (fid) {
	case 0: /* sbi_get_spec_version */
		ret[1] = SBI_SPEC_VERSION;
		return;
	case 1: /* sbi_get_impl_id */
		ret[1] = SBI_IMPL_ID_CVISOR;
		return;
	case 2: /* sbi_get_impl_version */
		ret[1] = (uint64_t)CVISOR_VERSION_MAJOR << 16 | CVISOR_VERSION_MINOR;
		return;
	case 3: /* sbi_probe_extension */
		ret[1] = extension_present(a[0]) ? 1 : 0;
		return;
	case 4: /* sbi_get_mvendorid */
	case 5: /* sbi_get_marchid */
	case 6: /* sbi_get_mimpid */
		ret[1] = 0;
		return;
	default:
		ret[0] = RET(SBI_ERR_NOT_SUPPORTED);
		return;
	}
}

/* System reset extension (SBI chapter 10): type 0 shutdown, 1 cold reboot, 2 warm reboot. */
static void sbi_srst(struct vcpu *vcpu, uint64_t fid, const uint64_t *a, uint64_t *ret)
{
	uint32_t type = (uint32_t)a[0], reason = (uint32_t)a[1];

	if (fid != 0) {
		ret[0] = RET(SBI_ERR_NOT_SUPPORTED);
		return;
	}
	if (type == 0)
		vm_stop(vcpu->vm, VM_OFF, "guest powered off (SBI system reset: shutdown, reason %u)",
			reason);
	else if (type == 1 || type == 2)
		vm_stop(vcpu->vm, VM_RESET, "guest asked for a reset (SBI system reset: %s reboot)",
			type == 1 ? "cold" : "warm");
	else
		ret[0] = RET(SBI_ERR_INVALID_PARAM);
}

/* Hart state management (SBI chapter 9), for one hart until SMP exists. */
static void sbi_hsm(struct vcpu *vcpu, uint64_t fid, const uint64_t *a, uint64_t *ret)
{
	switch (fid) {
	case 2: /* sbi_hart_get_status */
		if (a[0] == vcpu->arch.hartid)
			ret[1] = 0; /* STARTED */
		else
			ret[0] = RET(SBI_ERR_INVALID_PARAM);
		return;
	case 1: /* sbi_hart_stop */
		vcpu_power_off(vcpu, "every hart stopped (SBI HSM hart_stop)");
		return;
	default: /* hart_start, hart_suspend: with SMP */
		ret[0] = RET(SBI_ERR_NOT_SUPPORTED);
		return;
	}
}

void vcpu_arch_hypercall(struct vcpu *vcpu, struct vcpu_exit *e)
{
	const uint64_t *a = e->hypercall.args; /* a0..a7 */
	uint64_t eid = a[7], fid = a[6], *ret = e->hypercall.ret;

	ret[0] = SBI_SUCCESS;
	ret[1] = a[1]; /* a1 keeps its value unless the call returns one */
	switch (eid) {
	case SBI_EXT_BASE:
		sbi_base(fid, a, ret);
		return;
	case SBI_EXT_LEGACY_PUTCHAR: {
		char c = (char)a[0];
		hal_console_write(vcpu->vm, &c, 1);
		ret[0] = 0;
		return;
	}
	case SBI_EXT_LEGACY_GETCHAR:
		ret[0] = RET(hal_console_getc(vcpu->vm));
		return;
	case SBI_EXT_TIME:
		/* sbi_set_timer: no timer interrupts yet; the value is kept for reports. */
		if (fid == 0)
			vcpu->arch.timer_cmp = a[0];
		else
			ret[0] = RET(SBI_ERR_NOT_SUPPORTED);
		return;
	case SBI_EXT_SRST:
		sbi_srst(vcpu, fid, a, ret);
		return;
	case SBI_EXT_HSM:
		sbi_hsm(vcpu, fid, a, ret);
		return;
	case SBI_EXT_CVISOR:
		/* The same calls as on every architecture (docs/hypercalls.md); a6 is the number. */
		if (fid > CVISOR_HC_LAST)
			ret[0] = RET(SBI_ERR_NOT_SUPPORTED);
		else
			hypercall_handle(vcpu, fid, &a[0], &ret[1]);
		return;
	default:
		log_debug("%s: hart %u: unknown SBI extension 0x%llx function %llu", vcpu->vm->name,
			  vcpu->id, (unsigned long long)eid, (unsigned long long)fid);
		ret[0] = RET(SBI_ERR_NOT_SUPPORTED);
		return;
	}
}
