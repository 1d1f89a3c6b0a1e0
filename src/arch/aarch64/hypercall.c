/* SPDX-License-Identifier: MIT */
/*
 * Calls an AArch64 guest makes to the hypervisor with HVC (or SMC),
 * following the SMC Calling Convention (Arm DEN0028): x0 holds the
 * function ID, x1..x6 the arguments, x0..x3 the results.
 *  - PSCI (Arm DEN0022): the guest's firmware interface to power off,
 *    reset, and (with SMP) start and stop CPUs.
 *  - cvisor's own hypercalls (owner 6 of the function ID space,
 *    docs/hypercalls.md).
 */
#include <arch/hypercall.h>

#include <cvisor/arch.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#define RET(v) ((uint64_t)(int64_t)(v))

/* True if PSCI function fid is implemented (for PSCI_FEATURES). */
static bool psci_implemented(uint64_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
		return true;
	default:
		return false;
	}
}

/* The MPIDR affinity fields Aff3 [39:32], Aff2..Aff0 [23:0] (ARM ARM D17.2.101). */
#define MPIDR_AFF_MASK 0xff00ffffffULL

/*
 * The vCPU whose MPIDR affinity is target, or NULL: vCPU n has Aff0 = n
 * and Aff1..Aff3 = 0 (vcpu_arch_reset()). Worked out from the index, not
 * read from the register file, which a start call on another thread may
 * be rewriting.
 */
static struct vcpu *vcpu_by_affinity(const struct vm *vm, uint64_t target)
{
	uint64_t aff = target & MPIDR_AFF_MASK;

	return aff < vm->nvcpus ? vm->vcpus[aff] : NULL;
}

/*
 * AFFINITY_INFO (PSCI, Arm DEN0022): the state of the vCPU whose MPIDR
 * affinity is target: 0 ON, 1 OFF, 2 ON_PENDING. From PSCI 1.0 only level 0 (one core)
 * may be asked; an affinity no vCPU has is INVALID_PARAMETERS.
 */
static int64_t affinity_info(const struct vcpu *vcpu, uint64_t target, uint64_t level)
{
	const struct vcpu *v = vcpu_by_affinity(vcpu->vm, target);

	if (level != 0 || !v)
		return PSCI_RET_INVALID_PARAMS;
	enum vcpu_state st = __atomic_load_n(&v->state, __ATOMIC_ACQUIRE);
	/* A vCPU that called CPU_OFF is ON until it has stopped. */
	return st == VCPU_RUNNABLE || st == VCPU_STOPPING ? 0 : st == VCPU_STARTING ? 2 : 1;
}

/*
 * CPU_ON (PSCI, Arm DEN0022 5.6): starts the vCPU whose MPIDR affinity is
 * target at entry (a physical address: the MMU is off) in EL1h, x0 =
 * context. An affinity no vCPU has is INVALID_PARAMETERS; an entry that
 * is not executable guest RAM is INVALID_ADDRESS; a vCPU that is on is
 * ALREADY_ON, one whose start is under way ON_PENDING (vcpu_power_on()).
 */
static int64_t cpu_on(struct vcpu *vcpu, uint64_t target, uint64_t entry, uint64_t context)
{
	struct vcpu *v = vcpu_by_affinity(vcpu->vm, target);

	// LAB 6 BEGIN: PSCI CPU_ON in cpu_on()
	if (!v)
		return PSCI_RET_INVALID_PARAMS;
	if ((entry & 3) || !addrspace_gpa_to_hva(&vcpu->vm->as, entry, 4, ACCESS_FETCH))
		return PSCI_RET_INVALID_ADDRESS;
	int rc = vcpu_power_on(v, entry, context);
	if (rc == -CV_EEXIST)
		return PSCI_RET_ALREADY_ON;
	if (rc == -CV_EBUSY)
		return PSCI_RET_ON_PENDING;
	return rc < 0 ? PSCI_RET_INTERNAL_FAILURE : PSCI_RET_SUCCESS;
	// LAB 6 STUB
	// (void)v;
	// (void)entry;
	// (void)context;
	// LAB_TODO(6, "PSCI CPU_ON in cpu_on() (labs/6-smp/README.md)");
	// return PSCI_RET_NOT_SUPPORTED;
	// LAB 6 END
}

/* Handles PSCI function fid. Returns false if fid is not a PSCI function. */
static bool psci_call(struct vcpu *vcpu, struct vcpu_exit *e, uint32_t fid)
{
	uint64_t *ret = e->hypercall.ret;

	switch (fid) {
	case PSCI_VERSION:
		ret[0] = 0x00010001; /* PSCI 1.1: major in [31:16], minor in [15:0] */
		return true;
	case PSCI_FEATURES:
		ret[0] = psci_implemented(e->hypercall.args[1] & 0xffffffffu)
				 ? RET(PSCI_RET_SUCCESS) : RET(PSCI_RET_NOT_SUPPORTED);
		return true;
	case PSCI_MIGRATE_INFO_TYPE:
		ret[0] = 2; /* no Trusted OS: migration not required */
		return true;
	case PSCI_CPU_OFF:
		ret[0] = RET(PSCI_RET_SUCCESS);
		vcpu_power_off(vcpu, "every vCPU called PSCI CPU_OFF");
		return true;
	case PSCI_SYSTEM_OFF:
		vm_stop(vcpu->vm, VM_OFF, "guest powered off (PSCI SYSTEM_OFF)");
		return true;
	case PSCI_SYSTEM_RESET:
		vm_stop(vcpu->vm, VM_RESET, "guest asked for a reset (PSCI SYSTEM_RESET)");
		return true;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		/* The SMC32 form takes 32-bit arguments: Aff3 cannot be named. */
		ret[0] = RET(affinity_info(vcpu,
					   fid == PSCI_AFFINITY_INFO_32 ? e->hypercall.args[1] & 0xffffffffu
									: e->hypercall.args[1],
					   e->hypercall.args[2]));
		return true;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64: {
		/* The SMC32 form takes 32-bit arguments (SMCCC: the upper halves are ignored). */
		uint64_t mask = fid == PSCI_CPU_ON_32 ? 0xffffffffu : ~0ULL;
		ret[0] = RET(cpu_on(vcpu, e->hypercall.args[1] & mask, e->hypercall.args[2] & mask,
				    e->hypercall.args[3] & mask));
		return true;
	}
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		ret[0] = RET(PSCI_RET_NOT_SUPPORTED);
		return true;
	default:
		return false;
	}
}

void vcpu_arch_hypercall(struct vcpu *vcpu, struct vcpu_exit *e)
{
	uint64_t fid64 = e->hypercall.args[0];
	uint32_t fid = (uint32_t)fid64;

	/* Registers the call does not return keep their values (SMCCC 1.1+). */
	for (unsigned i = 0; i < 4; i++)
		e->hypercall.ret[i] = e->hypercall.args[i];
	/* SMCCC: function IDs are 32 bits; bits [63:32] of x0 must be ignored... */
	if (psci_call(vcpu, e, fid))
		return;
	if (fid == SMCCC_VERSION) {
		e->hypercall.ret[0] = 0x10001; /* SMCCC 1.1 */
		return;
	}
	// LAB 1 BEGIN: send cvisor's calls to hypercall_handle() in vcpu_arch_hypercall()
	if ((fid & 0xffff0000u) == CVISOR_SMCCC_BASE || (fid & 0xffff0000u) == CVISOR_SMCCC_BASE32) {
		hypercall_handle(vcpu, fid & 0xffffu, &e->hypercall.args[1], &e->hypercall.ret[0]);
		return;
	}
	// LAB 1 STUB
	// LAB_TODO(1, "send cvisor's calls to hypercall_handle() in vcpu_arch_hypercall() "
	//          "(labs/1-hypercall/README.md)");
	// LAB 1 END
	log_debug("%s: vCPU %u: unknown SMCCC function 0x%x", vcpu->vm->name, vcpu->id, fid);
	e->hypercall.ret[0] = RET(-1); /* SMCCC "Unknown Function Identifier" */
}
