/* SPDX-License-Identifier: MIT */
/*
 * AArch64 system registers cvisor traps and emulates (ARM ARM D17
 * "AArch64 System Register Descriptions"): which EL1 accesses trap with
 * cvisor's EL2 configuration, what an emulated register reads and keeps,
 * and the names reports give to any encoding.
 */
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

/* Encodings from the ARM ARM's register descriptions (D17.2, D17.3, D17.8). */
static const struct {
	uint32_t id;
	const char *name;
} sysreg_names[] = {
	{ SYSREG_OSLAR_EL1, "OSLAR_EL1" },
	{ SYSREG_OSLSR_EL1, "OSLSR_EL1" },
	{ SYSREG_OSDLR_EL1, "OSDLR_EL1" },
	{ A64_SYSREG(2, 0, 0, 2, 2), "MDSCR_EL1" },
	{ A64_SYSREG(3, 0, 0, 0, 0), "MIDR_EL1" },
	{ A64_SYSREG(3, 0, 0, 0, 5), "MPIDR_EL1" },
	{ A64_SYSREG(3, 0, 0, 0, 6), "REVIDR_EL1" },
	{ A64_SYSREG(3, 0, 0, 4, 0), "ID_AA64PFR0_EL1" },
	{ A64_SYSREG(3, 0, 0, 4, 1), "ID_AA64PFR1_EL1" },
	{ A64_SYSREG(3, 0, 0, 5, 0), "ID_AA64DFR0_EL1" },
	{ A64_SYSREG(3, 0, 0, 6, 0), "ID_AA64ISAR0_EL1" },
	{ A64_SYSREG(3, 0, 0, 6, 1), "ID_AA64ISAR1_EL1" },
	{ A64_SYSREG(3, 0, 0, 7, 0), "ID_AA64MMFR0_EL1" },
	{ A64_SYSREG(3, 0, 0, 7, 1), "ID_AA64MMFR1_EL1" },
	{ A64_SYSREG(3, 0, 0, 7, 2), "ID_AA64MMFR2_EL1" },
	{ A64_SYSREG(3, 0, 1, 0, 0), "SCTLR_EL1" },
	{ A64_SYSREG(3, 0, 1, 0, 1), "ACTLR_EL1" },
	{ A64_SYSREG(3, 0, 1, 0, 2), "CPACR_EL1" },
	{ A64_SYSREG(3, 0, 2, 0, 0), "TTBR0_EL1" },
	{ A64_SYSREG(3, 0, 2, 0, 1), "TTBR1_EL1" },
	{ A64_SYSREG(3, 0, 2, 0, 2), "TCR_EL1" },
	{ A64_SYSREG(3, 0, 4, 0, 0), "SPSR_EL1" },
	{ A64_SYSREG(3, 0, 4, 0, 1), "ELR_EL1" },
	{ A64_SYSREG(3, 0, 4, 1, 0), "SP_EL0" },
	{ A64_SYSREG(3, 0, 5, 1, 0), "AFSR0_EL1" },
	{ A64_SYSREG(3, 0, 5, 1, 1), "AFSR1_EL1" },
	{ A64_SYSREG(3, 0, 5, 2, 0), "ESR_EL1" },
	{ A64_SYSREG(3, 0, 6, 0, 0), "FAR_EL1" },
	{ A64_SYSREG(3, 0, 7, 4, 0), "PAR_EL1" },
	{ A64_SYSREG(3, 0, 10, 2, 0), "MAIR_EL1" },
	{ A64_SYSREG(3, 0, 10, 3, 0), "AMAIR_EL1" },
	{ A64_SYSREG(3, 0, 12, 0, 0), "VBAR_EL1" },
	{ A64_SYSREG(3, 0, 13, 0, 1), "CONTEXTIDR_EL1" },
	{ A64_SYSREG(3, 0, 13, 0, 4), "TPIDR_EL1" },
	{ A64_SYSREG(3, 0, 14, 1, 0), "CNTKCTL_EL1" },
	{ A64_SYSREG(3, 1, 0, 0, 0), "CCSIDR_EL1" },
	{ A64_SYSREG(3, 1, 0, 0, 1), "CLIDR_EL1" },
	{ A64_SYSREG(3, 2, 0, 0, 0), "CSSELR_EL1" },
	{ A64_SYSREG(3, 3, 0, 0, 1), "CTR_EL0" },
	{ A64_SYSREG(3, 3, 0, 0, 7), "DCZID_EL0" },
	{ A64_SYSREG(3, 3, 13, 0, 2), "TPIDR_EL0" },
	{ A64_SYSREG(3, 3, 13, 0, 3), "TPIDRRO_EL0" },
	{ A64_SYSREG(3, 3, 14, 0, 0), "CNTFRQ_EL0" },
	{ SYSREG_CNTPCT_EL0, "CNTPCT_EL0" },
	{ A64_SYSREG(3, 3, 14, 0, 2), "CNTVCT_EL0" },
	{ SYSREG_CNTP_TVAL_EL0, "CNTP_TVAL_EL0" },
	{ SYSREG_CNTP_CTL_EL0, "CNTP_CTL_EL0" },
	{ SYSREG_CNTP_CVAL_EL0, "CNTP_CVAL_EL0" },
	{ A64_SYSREG(3, 3, 14, 3, 0), "CNTV_TVAL_EL0" },
	{ A64_SYSREG(3, 3, 14, 3, 1), "CNTV_CTL_EL0" },
	{ A64_SYSREG(3, 3, 14, 3, 2), "CNTV_CVAL_EL0" },
	{ A64_SYSREG(3, 0, 12, 12, 0), "ICC_IAR1_EL1" },
	{ A64_SYSREG(3, 0, 12, 12, 1), "ICC_EOIR1_EL1" },
	{ A64_SYSREG(3, 0, 12, 12, 5), "ICC_SRE_EL1" },
	{ A64_SYSREG(3, 0, 12, 12, 7), "ICC_IGRPEN1_EL1" },
	{ A64_SYSREG(3, 0, 4, 6, 0), "ICC_PMR_EL1" },
	{ A64_SYSREG(3, 0, 12, 11, 5), "ICC_SGI1R_EL1" },
};

const char *a64_sysreg_name(uint32_t id, char *buf, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(sysreg_names); i++)
		if (sysreg_names[i].id == id)
			return sysreg_names[i].name;
	/* The generic name the assembler accepts for any encoding. */
	cv_snprintf(buf, size, "S%u_%u_C%u_C%u_%u", A64_SYSREG_OP0(id), A64_SYSREG_OP1(id),
		    A64_SYSREG_CRN(id), A64_SYSREG_CRM(id), A64_SYSREG_OP2(id));
	return buf;
}

bool a64_sysreg_trapped(uint32_t id)
{
	return id == SYSREG_OSLAR_EL1 || id == SYSREG_OSLSR_EL1 || id == SYSREG_OSDLR_EL1;
}

/*
 * The OS lock (ARM ARM D2.5 "The OS Lock" and D17.3.22-24): writing 1 to
 * OSLAR_EL1.OSLK locks, 0 unlocks; OSLSR_EL1 reports OSLK in bit 1 and
 * OSLM = 0b10 (bits 3 and 0) "OS lock implemented"; OSDLR_EL1.DLK is bit 0.
 */
void vcpu_arch_sysreg(struct vcpu *vcpu, struct vcpu_exit *e)
{
	struct vcpu_arch *a = &vcpu->arch;
	char name[40];

	switch (e->sysreg.id) {
	case SYSREG_OSLAR_EL1:
		if (e->sysreg.write)
			a->oslsr_el1 = (a->oslsr_el1 & ~2ULL) | ((e->sysreg.value & 1) << 1);
		else
			e->sysreg.value = 0; /* write-only: reads are UNDEFINED; return 0 */
		return;
	case SYSREG_OSLSR_EL1:
		if (!e->sysreg.write)
			e->sysreg.value = a->oslsr_el1;
		return;
	case SYSREG_OSDLR_EL1:
		if (e->sysreg.write)
			a->osdlr_el1 = e->sysreg.value & 1;
		else
			e->sysreg.value = a->osdlr_el1;
		return;
	default:
		vm_stop(vcpu->vm, VM_FAILED, "vCPU %u: trapped access to %s that cvisor does not emulate",
			vcpu->id, a64_sysreg_name(e->sysreg.id, name, sizeof(name)));
		return;
	}
}
