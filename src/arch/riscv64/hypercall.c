/* SPDX-License-Identifier: MIT */
/*
 * The SBI a RISC-V guest calls with ecall (RISC-V SBI specification
 * v2.0): the base extension, the legacy console and set_timer, TIME, IPI,
 * HSM, SRST, and cvisor's own calls (docs/hypercalls.md). Harts are the
 * VM's vCPUs: hart id = vCPU index.
 */
#include <arch/hypercall.h>
#include <arch/irq.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#define RET(v) ((uint64_t)(int64_t)(v))

static bool extension_present(uint64_t eid)
{
	switch (eid) {
	case SBI_EXT_BASE:
	case SBI_EXT_LEGACY_SET_TIMER:
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_GETCHAR:
	case SBI_EXT_TIME:
	case SBI_EXT_IPI:
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

/* The vCPU that is hart hartid, or NULL. */
static struct vcpu *hart(const struct vm *vm, uint64_t hartid)
{
	return hartid < vm->nvcpus ? vm->vcpus[hartid] : NULL;
}

/*
 * sbi_send_ipi (SBI 7.1): the harts hart_mask_base + i for each bit i of
 * hart_mask, or every hart when hart_mask_base is -1. One hart that does
 * not exist makes the call fail before any IPI is sent.
 */
static void sbi_ipi(struct vcpu *vcpu, uint64_t fid, const uint64_t *a, uint64_t *ret)
{
	struct vm *vm = vcpu->vm;
	uint64_t mask = a[0], base = a[1];

	if (fid != 0) {
		ret[0] = RET(SBI_ERR_NOT_SUPPORTED);
		return;
	}
	if (base == ~0ULL) {
		for (unsigned i = 0; i < vm->nvcpus; i++)
			rv_irq_send_ipi(vm->vcpus[i]);
		return;
	}
	for (unsigned i = 0; i < 64; i++)
		if (((mask >> i) & 1) && !hart(vm, base + i)) {
			ret[0] = RET(SBI_ERR_INVALID_PARAM);
			return;
		}
	for (unsigned i = 0; i < 64; i++)
		if ((mask >> i) & 1)
			rv_irq_send_ipi(hart(vm, base + i));
}

/* sbi_hart_get_status (SBI 9.3) of a hart: its vCPU's state. */
static uint64_t hart_status(const struct vcpu *v)
{
	switch (__atomic_load_n(&v->state, __ATOMIC_ACQUIRE)) {
	case VCPU_OFF: return SBI_HSM_STOPPED;
	case VCPU_STARTING: return SBI_HSM_START_PENDING;
	case VCPU_STOPPING: return SBI_HSM_STOP_PENDING;
	default:
		return __atomic_load_n(&v->arch.suspended, __ATOMIC_ACQUIRE) ? SBI_HSM_SUSPENDED
									 : SBI_HSM_STARTED;
	}
}

/*
 * sbi_hart_start (SBI 9.1): start_addr must be RAM the guest may execute
 * (else SBI_ERR_INVALID_ADDRESS); a hart that is on or being started gives
 * SBI_ERR_ALREADY_AVAILABLE.
 */
static int64_t hart_start(struct vcpu *vcpu, uint64_t hartid, uint64_t start, uint64_t opaque)
{
	struct vcpu *t = hart(vcpu->vm, hartid);
	const struct as_region *r = addrspace_find(&vcpu->vm->as, start);

	if (!t)
		return SBI_ERR_INVALID_PARAM;
	if (!r || r->kind != REGION_RAM || !(r->perm & PERM_EXEC))
		return SBI_ERR_INVALID_ADDRESS;
	return vcpu_power_on(t, start, opaque) == 0 ? SBI_SUCCESS : SBI_ERR_ALREADY_AVAILABLE;
}

/*
 * sbi_hart_suspend (SBI 9.4) of the default retentive kind: the hart
 * waits as WFI does, until an interrupt is pending and enabled in sie,
 * then the call returns and the guest takes the interrupt if it is
 * unmasked. A non-retentive suspend is not implemented (the SBI allows
 * that: SBI_ERR_NOT_SUPPORTED).
 */
static int64_t hart_suspend(struct vcpu *vcpu, uint64_t type, uint64_t pc)
{
	struct vm *vm = vcpu->vm;

	if (type == SBI_HSM_SUSPEND_NON_RETENTIVE)
		return SBI_ERR_NOT_SUPPORTED;
	if (type != SBI_HSM_SUSPEND_RETENTIVE)
		return SBI_ERR_INVALID_PARAM;
	__atomic_store_n(&vcpu->arch.suspended, true, __ATOMIC_RELEASE);
	while (vm_running(vm)) {
		uint64_t next = vcpu_arch_timers(vcpu, hal_vcpu_clock_ns(vcpu));
		if (vcpu_arch_irq_wakes(vcpu))
			break;
		if (next == CLOCK_NEVER && !vcpu_arch_irq_possible(vcpu) && vm_vcpus_on(vm) == 1) {
			vm_stop(vm, VM_FAILED,
				"hart %u suspends (SBI HSM hart_suspend) at PC 0x%llx, but no interrupt "
				"source could wake it",
				vcpu->id, (unsigned long long)pc);
			break;
		}
		hal_vcpu_wait(vcpu, next);
	}
	__atomic_store_n(&vcpu->arch.suspended, false, __ATOMIC_RELEASE);
	/* The wait may have taken a kick meant for the run loop: leave the guest and look again. */
	hal_vcpu_notify(vcpu);
	return SBI_SUCCESS;
}

/* Hart state management (SBI chapter 9). */
static void sbi_hsm(struct vcpu *vcpu, uint64_t fid, const uint64_t *a, uint64_t *ret,
		    uint64_t pc)
{
	struct vcpu *t;

	switch (fid) {
	case 0: /* sbi_hart_start(hartid, start_addr, opaque) */
		ret[0] = RET(hart_start(vcpu, a[0], a[1], a[2]));
		return;
	case 1: /* sbi_hart_stop: the hart is off; its thread waits for a start */
		vcpu_power_off(vcpu, "every hart stopped (SBI HSM hart_stop)");
		hal_vcpu_notify(vcpu);
		return;
	case 2: /* sbi_hart_get_status(hartid) */
		if ((t = hart(vcpu->vm, a[0])))
			ret[1] = hart_status(t);
		else
			ret[0] = RET(SBI_ERR_INVALID_PARAM);
		return;
	case 3: /* sbi_hart_suspend(suspend_type, resume_addr, opaque) */
		ret[0] = RET(hart_suspend(vcpu, a[0] & 0xffffffffu, pc));
		return;
	default:
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
		ret[0] = RET(vm_console_getc(vcpu->vm, NULL));
		return;
	case SBI_EXT_LEGACY_SET_TIMER: /* SBI 5.1: the same as TIME's, a0 = 0 */
		rv_irq_set_timer(vcpu, a[0]);
		return;
	case SBI_EXT_TIME: /* sbi_set_timer(stime_value) (SBI 6.1) */
		if (fid == 0)
			rv_irq_set_timer(vcpu, a[0]);
		else
			ret[0] = RET(SBI_ERR_NOT_SUPPORTED);
		return;
	case SBI_EXT_IPI:
		sbi_ipi(vcpu, fid, a, ret);
		return;
	case SBI_EXT_SRST:
		sbi_srst(vcpu, fid, a, ret);
		return;
	case SBI_EXT_HSM:
		sbi_hsm(vcpu, fid, a, ret, e->pc); /* the ecall's own address, on either HAL */
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
