/* SPDX-License-Identifier: MIT */
/*
 * cvisor's own hypercalls. Each architecture maps its calling convention
 * (SMCCC function IDs on AArch64, SBI extension IDs on RISC-V, VMCALL
 * registers on x86_64) onto these numbers; see docs/hypercalls.md.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

void hypercall_handle(struct vcpu *vcpu, uint64_t nr, const uint64_t args[3], uint64_t *ret0)
{
	switch (nr) {
	// LAB 1 BEGIN: answer VERSION, PUTCHAR, ADD and VCPU_ID in hypercall_handle()
	case CVISOR_HC_VERSION:
		*ret0 = (CVISOR_VERSION_MAJOR << 16) | CVISOR_VERSION_MINOR;
		break;
	case CVISOR_HC_PUTCHAR: {
		char c = (char)args[0];
		hal_console_write(vcpu->vm, &c, 1);
		*ret0 = 0;
		break;
	}
	case CVISOR_HC_ADD:
		*ret0 = args[0] + args[1] + args[2];
		break;
	case CVISOR_HC_VCPU_ID:
		*ret0 = vcpu->id;
		break;
	// LAB 1 STUB
	// case CVISOR_HC_VERSION:
	// case CVISOR_HC_PUTCHAR:
	// case CVISOR_HC_ADD:
	// case CVISOR_HC_VCPU_ID:
	// 	LAB_TODO(1, "answer VERSION, PUTCHAR, ADD and VCPU_ID in hypercall_handle() "
	// 	         "(labs/1-hypercall/README.md)");
	// 	*ret0 = CVISOR_HC_UNKNOWN;
	// 	break;
	// LAB 1 END
	case CVISOR_HC_MEM_PROTECT: {
		int rc = args[2] > PERM_RWX ? -CV_EINVAL
					  : vm_stage2_protect(vcpu->vm, args[0], args[1], (unsigned)args[2]);
		*ret0 = rc == 0 ? 0 : rc == -CV_EPERM ? CVISOR_HC_DENIED : CVISOR_HC_INVALID;
		break;
	}
	default:
		*ret0 = CVISOR_HC_UNKNOWN;
		break;
	}
}
