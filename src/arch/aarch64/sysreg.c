/* SPDX-License-Identifier: MIT */
/*
 * AArch64 system registers cvisor traps and emulates (ARM ARM D17
 * "AArch64 System Register Descriptions"): which accesses the architecture
 * makes UNDEFINED, which EL1 accesses trap with cvisor's EL2
 * configuration, what an emulated register reads and keeps, what the ID
 * registers tell a guest, and the names reports give to any encoding.
 */
#include <arch/irq.h>
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

/* How a register may be accessed, from its description: read, write, and
 * at EL0 read only (TPIDRRO_EL0, CNTFRQ_EL0: read/write at EL1). */
enum { RD = 1, WR = 2, RW = RD | WR, EL0_RD = 4 };

/* Encodings and directions from the ARM ARM's register descriptions (D17.2, D17.3, D17.8, D17.7 for ICC_*). */
static const struct {
	uint32_t id;
	const char *name;
	uint8_t access;
} sysreg_info[] = {
	{ SYSREG_OSLAR_EL1, "OSLAR_EL1", WR },
	{ SYSREG_OSLSR_EL1, "OSLSR_EL1", RD },
	{ SYSREG_OSDLR_EL1, "OSDLR_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 2, 2), "MDSCR_EL1", RW },
	{ A64_SYSREG(3, 0, 0, 0, 0), "MIDR_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 0, 5), "MPIDR_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 0, 6), "REVIDR_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 4, 0), "ID_AA64PFR0_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 4, 1), "ID_AA64PFR1_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 5, 0), "ID_AA64DFR0_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 6, 0), "ID_AA64ISAR0_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 6, 1), "ID_AA64ISAR1_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 7, 0), "ID_AA64MMFR0_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 7, 1), "ID_AA64MMFR1_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 7, 2), "ID_AA64MMFR2_EL1", RD },
	{ A64_SYSREG(3, 0, 1, 0, 0), "SCTLR_EL1", RW },
	{ A64_SYSREG(3, 0, 1, 0, 1), "ACTLR_EL1", RW },
	{ A64_SYSREG(3, 0, 1, 0, 2), "CPACR_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 0, 0), "TTBR0_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 0, 1), "TTBR1_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 0, 2), "TCR_EL1", RW },
	{ A64_SYSREG(3, 0, 4, 0, 0), "SPSR_EL1", RW },
	{ A64_SYSREG(3, 0, 4, 0, 1), "ELR_EL1", RW },
	{ A64_SYSREG(3, 0, 4, 1, 0), "SP_EL0", RW },
	{ A64_SYSREG(3, 0, 5, 1, 0), "AFSR0_EL1", RW },
	{ A64_SYSREG(3, 0, 5, 1, 1), "AFSR1_EL1", RW },
	{ A64_SYSREG(3, 0, 5, 2, 0), "ESR_EL1", RW },
	{ A64_SYSREG(3, 0, 6, 0, 0), "FAR_EL1", RW },
	{ A64_SYSREG(3, 0, 7, 4, 0), "PAR_EL1", RW },
	{ A64_SYSREG(3, 0, 10, 2, 0), "MAIR_EL1", RW },
	{ A64_SYSREG(3, 0, 10, 3, 0), "AMAIR_EL1", RW },
	{ A64_SYSREG(3, 0, 12, 0, 0), "VBAR_EL1", RW },
	{ A64_SYSREG(3, 0, 13, 0, 1), "CONTEXTIDR_EL1", RW },
	{ A64_SYSREG(3, 0, 13, 0, 4), "TPIDR_EL1", RW },
	{ A64_SYSREG(3, 0, 14, 1, 0), "CNTKCTL_EL1", RW },
	{ A64_SYSREG(3, 1, 0, 0, 0), "CCSIDR_EL1", RD },
	{ A64_SYSREG(3, 1, 0, 0, 1), "CLIDR_EL1", RD },
	{ A64_SYSREG(3, 2, 0, 0, 0), "CSSELR_EL1", RW },
	{ A64_SYSREG(3, 3, 0, 0, 1), "CTR_EL0", RD },
	{ A64_SYSREG(3, 3, 0, 0, 7), "DCZID_EL0", RD },
	{ A64_SYSREG(3, 3, 13, 0, 2), "TPIDR_EL0", RW },
	{ A64_SYSREG(3, 3, 13, 0, 3), "TPIDRRO_EL0", RW | EL0_RD },
	{ A64_SYSREG(3, 3, 14, 0, 0), "CNTFRQ_EL0", RW | EL0_RD },
	{ SYSREG_CNTPCT_EL0, "CNTPCT_EL0", RD },
	{ A64_SYSREG(3, 3, 14, 0, 2), "CNTVCT_EL0", RD },
	{ SYSREG_CNTP_TVAL_EL0, "CNTP_TVAL_EL0", RW },
	{ SYSREG_CNTP_CTL_EL0, "CNTP_CTL_EL0", RW },
	{ SYSREG_CNTP_CVAL_EL0, "CNTP_CVAL_EL0", RW },
	{ A64_SYSREG(3, 3, 14, 3, 0), "CNTV_TVAL_EL0", RW },
	{ A64_SYSREG(3, 3, 14, 3, 1), "CNTV_CTL_EL0", RW },
	{ A64_SYSREG(3, 3, 14, 3, 2), "CNTV_CVAL_EL0", RW },
	{ A64_SYSREG(3, 0, 12, 12, 0), "ICC_IAR1_EL1", RD },
	{ A64_SYSREG(3, 0, 12, 12, 1), "ICC_EOIR1_EL1", WR },
	{ A64_SYSREG(3, 0, 12, 12, 5), "ICC_SRE_EL1", RW },
	{ A64_SYSREG(3, 0, 12, 12, 7), "ICC_IGRPEN1_EL1", RW },
	{ A64_SYSREG(3, 0, 4, 6, 0), "ICC_PMR_EL1", RW },
	{ A64_SYSREG(3, 0, 12, 11, 5), "ICC_SGI1R_EL1", WR },
	{ SYSREG_DBGPRCR_EL1, "DBGPRCR_EL1", RW },
	{ A64_SYSREG(3, 0, 0, 4, 4), "ID_AA64ZFR0_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 4, 5), "ID_AA64SMFR0_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 6, 2), "ID_AA64ISAR2_EL1", RD },
	{ A64_SYSREG(3, 0, 4, 2, 2), "CurrentEL", RD },
	{ A64_SYSREG(3, 0, 12, 0, 1), "RVBAR_EL1", RD },
	{ A64_SYSREG(3, 0, 12, 1, 0), "ISR_EL1", RD },
	{ A64_SYSREG(3, 1, 0, 0, 7), "AIDR_EL1", RD },
	{ A64_SYSREG(3, 0, 2, 1, 0), "APIAKeyLo_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 1, 1), "APIAKeyHi_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 1, 2), "APIBKeyLo_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 1, 3), "APIBKeyHi_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 2, 0), "APDAKeyLo_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 2, 1), "APDAKeyHi_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 2, 2), "APDBKeyLo_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 2, 3), "APDBKeyHi_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 3, 0), "APGAKeyLo_EL1", RW },
	{ A64_SYSREG(3, 0, 2, 3, 1), "APGAKeyHi_EL1", RW },
	{ A64_SYSREG(3, 0, 12, 8, 0), "ICC_IAR0_EL1", RD },
	{ A64_SYSREG(3, 0, 12, 8, 1), "ICC_EOIR0_EL1", WR },
	{ A64_SYSREG(3, 0, 12, 8, 2), "ICC_HPPIR0_EL1", RD },
	{ A64_SYSREG(3, 0, 12, 11, 1), "ICC_DIR_EL1", WR },
	{ A64_SYSREG(3, 0, 12, 11, 3), "ICC_RPR_EL1", RD },
	{ A64_SYSREG(3, 0, 12, 11, 6), "ICC_ASGI1R_EL1", WR },
	{ A64_SYSREG(3, 0, 12, 11, 7), "ICC_SGI0R_EL1", WR },
	{ A64_SYSREG(3, 0, 12, 12, 2), "ICC_HPPIR1_EL1", RD },
	{ A64_SYSREG(3, 0, 12, 12, 3), "ICC_BPR1_EL1", RW },
	{ A64_SYSREG(3, 0, 12, 12, 4), "ICC_CTLR_EL1", RW },
	{ A64_SYSREG(3, 0, 12, 9, 0), "ICC_AP1R0_EL1", RW },
	{ A64_SYSREG(3, 0, 12, 8, 4), "ICC_AP0R0_EL1", RW },
	{ A64_SYSREG(3, 0, 12, 8, 3), "ICC_BPR0_EL1", RW },
	{ A64_SYSREG(3, 0, 12, 12, 6), "ICC_IGRPEN0_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 0, 2), "OSDTRRX_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 2, 0), "MDCCINT_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 3, 2), "OSDTRTX_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 6, 2), "OSECCR_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 0, 4), "DBGBVR0_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 0, 5), "DBGBCR0_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 0, 6), "DBGWVR0_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 0, 7), "DBGWCR0_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 1, 4), "DBGBVR1_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 1, 5), "DBGBCR1_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 1, 6), "DBGWVR1_EL1", RW },
	{ A64_SYSREG(2, 0, 0, 1, 7), "DBGWCR1_EL1", RW },
	{ A64_SYSREG(2, 0, 1, 0, 0), "MDRAR_EL1", RD },
	{ A64_SYSREG(2, 0, 7, 8, 6), "DBGCLAIMSET_EL1", RW },
	{ A64_SYSREG(2, 0, 7, 9, 6), "DBGCLAIMCLR_EL1", RW },
	{ A64_SYSREG(2, 0, 7, 14, 6), "DBGAUTHSTATUS_EL1", RD },
	{ A64_SYSREG(2, 3, 0, 1, 0), "MDCCSR_EL0", RD },
	{ A64_SYSREG(2, 3, 0, 4, 0), "DBGDTR_EL0", RW },
	{ A64_SYSREG(2, 3, 0, 5, 0), "DBGDTRRX_EL0", RW }, /* DBGDTRTX_EL0 when written */
	{ A64_SYSREG(3, 3, 9, 12, 0), "PMCR_EL0", RW },
	{ A64_SYSREG(3, 3, 9, 12, 1), "PMCNTENSET_EL0", RW },
	{ A64_SYSREG(3, 3, 9, 12, 2), "PMCNTENCLR_EL0", RW },
	{ A64_SYSREG(3, 3, 9, 12, 3), "PMOVSCLR_EL0", RW },
	{ A64_SYSREG(3, 3, 9, 12, 4), "PMSWINC_EL0", WR },
	{ A64_SYSREG(3, 3, 9, 12, 5), "PMSELR_EL0", RW },
	{ A64_SYSREG(3, 3, 9, 12, 6), "PMCEID0_EL0", RD },
	{ A64_SYSREG(3, 3, 9, 12, 7), "PMCEID1_EL0", RD },
	{ A64_SYSREG(3, 3, 9, 13, 0), "PMCCNTR_EL0", RW },
	{ A64_SYSREG(3, 3, 9, 14, 0), "PMUSERENR_EL0", RW | EL0_RD },
	{ A64_SYSREG(3, 0, 9, 14, 1), "PMINTENSET_EL1", RW },
	{ A64_SYSREG(3, 0, 9, 14, 2), "PMINTENCLR_EL1", RW },
	{ A64_SYSREG(3, 3, 14, 15, 7), "PMCCFILTR_EL0", RW },
	{ A64_SYSREG(3, 0, 5, 3, 0), "ERRIDR_EL1", RD },
	{ A64_SYSREG(3, 0, 5, 3, 1), "ERRSELR_EL1", RW },
	{ A64_SYSREG(3, 0, 10, 4, 7), "LORID_EL1", RD },
	{ A64_SYSREG(3, 0, 1, 0, 5), "RGSR_EL1", RW },
	{ A64_SYSREG(3, 0, 1, 0, 6), "GCR_EL1", RW },
	{ A64_SYSREG(3, 0, 5, 6, 0), "TFSR_EL1", RW },
	{ A64_SYSREG(3, 0, 0, 5, 1), "ID_AA64DFR1_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 1, 0), "ID_PFR0_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 1, 1), "ID_PFR1_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 1, 2), "ID_DFR0_EL1", RD },
	{ A64_SYSREG(3, 0, 0, 3, 5), "ID_DFR1_EL1", RD },
};

/* The table's entry for id, or NULL. */
static int sysreg_find(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(sysreg_info); i++)
		if (sysreg_info[i].id == id)
			return (int)i;
	return -1;
}

const char *a64_sysreg_name(uint32_t id, char *buf, size_t size)
{
	int i = sysreg_find(id);
	if (i >= 0)
		return sysreg_info[i].name;
	/* The generic name the assembler accepts for any encoding. */
	cv_snprintf(buf, size, "S%u_%u_C%u_C%u_%u", A64_SYSREG_OP0(id), A64_SYSREG_OP1(id),
		    A64_SYSREG_CRN(id), A64_SYSREG_CRM(id), A64_SYSREG_OP2(id));
	return buf;
}

/*
 * The lowest exception level that may access a register, from op1 (ARM ARM
 * C5.3, "System instruction class encoding overview"): 0b011 EL0, 0b100
 * and 0b101 EL2 (0b101: the _EL12/_EL02 aliases), 0b110 EL3, else EL1.
 */
static unsigned lowest_el(uint32_t id)
{
	static const unsigned el[8] = { 1, 1, 1, 0, 2, 2, 3, 1 };
	return el[A64_SYSREG_OP1(id)];
}

/* The ID register space: op0 = 3, op1 = 0, CRn = 0 (ARM ARM D17.2, all read-only). */
static bool in_id_space(uint32_t id)
{
	return A64_SYSREG_OP0(id) == 3 && A64_SYSREG_OP1(id) == 0 && A64_SYSREG_CRN(id) == 0;
}

bool a64_sysreg_undefined(uint32_t id, bool write, unsigned el)
{
	unsigned need = write ? WR : RD;

	if (A64_SYSREG_OP0(id) < 2)
		return false; /* SYS, SYSL and PSTATE instructions: not registers */
	if (el < lowest_el(id))
		return true;
	if (in_id_space(id))
		return write;
	int i = sysreg_find(id);
	if (i < 0)
		return false; /* not described here: the CPU decides */
	if (el == 0 && (sysreg_info[i].access & EL0_RD))
		need = write ? 0 : RD; /* read-only at EL0 */
	return !(sysreg_info[i].access & need);
}

bool a64_sysreg_is_id(uint32_t id)
{
	return in_id_space(id) && A64_SYSREG_CRM(id) >= 1;
}

/*
 * The debug registers (ARM ARM D17.3): op0 = 2 with op1 = 0 (EL1) or 3
 * (EL0's debug communication channel); op1 = 1 is the trace unit, 4 EL2's
 * DBGVCR32_EL2. MDCR_EL2.TDOSA, TDA and TDRA together trap all of them.
 */
static bool is_debug(uint32_t id)
{
	return A64_SYSREG_OP0(id) == 2 && (A64_SYSREG_OP1(id) == 0 || A64_SYSREG_OP1(id) == 3);
}

/*
 * The PMU's registers (ARM ARM D17.5), which MDCR_EL2.TPM traps: op0 = 3,
 * CRn = 9, CRm = 12..14 (PMCR_EL0 ... PMOVSSET_EL0, PMINTENSET/CLR_EL1,
 * PMMIR_EL1) and CRn = 14, CRm = 8..15 at op1 = 3 (PMEVCNTR<n>_EL0,
 * PMEVTYPER<n>_EL0, PMCCFILTR_EL0; CRm 0..3 are the timers).
 */
static bool is_pmu(uint32_t id)
{
	unsigned op1 = A64_SYSREG_OP1(id), crn = A64_SYSREG_CRN(id), crm = A64_SYSREG_CRM(id);

	if (A64_SYSREG_OP0(id) != 3)
		return false;
	if (crn == 9 && crm >= 12 && crm <= 14)
		return op1 == 3 || (op1 == 0 && crm == 14);
	return crn == 14 && crm >= 8 && op1 == 3;
}

/* RAS error records (ARM ARM D17.9): ERRIDR_EL1, ERRSELR_EL1, ERX*_EL1 (CRn 5, CRm 3..5). */
static bool is_ras(uint32_t id)
{
	unsigned crm = A64_SYSREG_CRM(id);
	return A64_SYSREG_OP0(id) == 3 && A64_SYSREG_OP1(id) == 0 && A64_SYSREG_CRN(id) == 5 &&
	       ((crm == 3 && A64_SYSREG_OP2(id) <= 1) || crm == 4 || crm == 5);
}

/*
 * EL1 registers EL2 keeps from guests with HCR_EL2 (D17.2.48): ACTLR_EL1
 * (TACR: its bits are the implementation's), the LORegion registers
 * LORSA/LOREA/LORN/LORC/LORID_EL1 (TLOR: op0 3, op1 0, CRn 10, CRm 4), and
 * MTE's tag controls RGSR_EL1, GCR_EL1, TFSR_EL1, TFSRE0_EL1 (ATA clear).
 * Not here: the IMPLEMENTATION DEFINED space (op0 3, CRn 11 or 15), which
 * the bare build traps with TIDCP, but which neither QEMU 7.2 nor Unicorn
 * traps: there the Cortex-A57/A72's own (CPUACTLR_EL1 ...) are the CPU's.
 */
static bool is_hcr_trapped(uint32_t id)
{
	unsigned crn = A64_SYSREG_CRN(id);

	if (A64_SYSREG_OP0(id) != 3)
		return false;
	return id == SYSREG_ACTLR_EL1 ||
	       (A64_SYSREG_OP1(id) == 0 && crn == 10 && A64_SYSREG_CRM(id) == 4) ||
	       id == A64_SYSREG(3, 0, 1, 0, 5) || id == A64_SYSREG(3, 0, 1, 0, 6) ||
	       id == A64_SYSREG(3, 0, 5, 6, 0) || id == A64_SYSREG(3, 0, 5, 6, 1);
}

bool a64_sysreg_trapped(uint32_t id, bool write)
{
	if (a64_sysreg_is_id(id))
		return !write; /* HCR_EL2.TID3 */
	if (a64_timer_sysreg(id) || a64_icc_of(id) >= 0)
		return true; /* CNTHCTL_EL2 (with FEAT_ECV), ICH_HCR_EL2.TALL1/TC: arch/irq.h */
	return is_debug(id) || is_pmu(id) || is_hcr_trapped(id);
}

/*
 * The breakpoint and watchpoint registers the guest has: DBGBVR<n>_EL1,
 * DBGBCR<n>_EL1, DBGWVR<n>_EL1, DBGWCR<n>_EL1 are op0 2, op1 0, CRn 0,
 * CRm n, op2 4, 5, 6, 7 (D17.3.3-6), for n below A64_GUEST_BRPS or
 * A64_GUEST_WRPS; the CPU's others are absent for the guest.
 */
static bool is_debug_slot(uint32_t id)
{
	unsigned n = A64_SYSREG_CRM(id), op2 = A64_SYSREG_OP2(id);

	if (A64_SYSREG_OP0(id) != 2 || A64_SYSREG_OP1(id) != 0 || A64_SYSREG_CRN(id) != 0 || op2 < 4)
		return false;
	return n < (op2 <= 5 ? A64_GUEST_BRPS : A64_GUEST_WRPS);
}

/* Where the vCPU keeps the breakpoint or watchpoint register id (is_debug_slot()). */
static uint64_t *debug_slot(struct vcpu_arch *a, uint32_t id)
{
	unsigned n = A64_SYSREG_CRM(id);
	uint64_t *kind[4] = { a->dbgbvr, a->dbgbcr, a->dbgwvr, a->dbgwcr };

	return &kind[A64_SYSREG_OP2(id) - 4][n];
}

/* The debug registers of the minimal debug unit, which read as zero and ignore writes. */
static bool debug_raz_wi(uint32_t id)
{
	return id == A64_SYSREG(2, 0, 0, 0, 2) || id == A64_SYSREG(2, 0, 0, 3, 2) || /* OSDTRRX/TX */
	       id == A64_SYSREG(2, 0, 0, 6, 2) ||                                    /* OSECCR_EL1 */
	       id == A64_SYSREG(2, 0, 1, 0, 0) ||                                    /* MDRAR_EL1 */
	       id == A64_SYSREG(2, 0, 7, 8, 6) || id == A64_SYSREG(2, 0, 7, 9, 6) || /* DBGCLAIM* */
	       id == A64_SYSREG(2, 3, 0, 1, 0) || id == A64_SYSREG(2, 3, 0, 4, 0) || /* MDCCSR, DBGDTR */
	       id == A64_SYSREG(2, 3, 0, 5, 0);                                      /* DBGDTRRX/TX */
}

bool a64_sysreg_emulated(uint32_t id, bool write)
{
	if (a64_sysreg_is_id(id))
		return !write;
	if (a64_timer_sysreg(id) || a64_icc_of(id) >= 0)
		return true; /* the direction the architecture allows: a64_sysreg_undefined() */
	if (is_ras(id) || id == SYSREG_ACTLR_EL1 || debug_raz_wi(id) || is_debug_slot(id))
		return true;
	return (id == SYSREG_OSLAR_EL1 && write) || (id == SYSREG_OSLSR_EL1 && !write) ||
	       id == SYSREG_OSDLR_EL1 || id == SYSREG_MDSCR_EL1 || id == A64_SYSREG(2, 0, 0, 2, 0) ||
	       id == A64_SYSREG(2, 0, 7, 14, 6); /* MDCCINT_EL1, DBGAUTHSTATUS_EL1 */
}

/* A 4-bit field of an ID register at bit lo (ARM ARM D17.2: every field is 4 bits). */
#define F(lo) (0xfULL << (lo))

/*
 * The fields of each ID register a guest sees as the CPU has them (keep),
 * and fields cvisor sets whatever the CPU (set); all others read as zero
 * ("not implemented"). A feature is kept when it needs nothing from EL2:
 * instructions and EL1 state that each vCPU's world switch already keeps,
 * or that EL2 lets through (pointer authentication: HCR_EL2.API and APK,
 * keys switched per vCPU). Hidden:
 * - SVE and SME (CPTR_EL2.TZ and TSM trap them: their state is not
 *   switched), MTE (HCR_EL2.ATA clear: no tags), LORegions (HCR_EL2.TLOR);
 * - EL2 and EL3 (a guest's SMC is cvisor's: HCR_EL2.TSC), and features
 *   that describe or need EL2 (VHE, NV, FGT, HCX, TWED, MPAM, AMU, RME,
 *   SEL2, and stage 2's VMIDBits, XNX, FWB);
 * - the PMU, statistical profiling and trace (not switched between VMs);
 * - anything newer than this table (LS64, MOPS, WFxT: they need enables in
 *   HCRX_EL2 or EL2 traps cvisor does not set).
 * Set: the interrupt controller is cvisor's GICv3 model, with its system
 * registers (ID_AA64PFR0_EL1.GIC, ID_PFR1_EL1.GIC = 1), whatever the CPU's
 * GIC, in the simulator too; the debug unit is the smallest the
 * architecture allows, the same on every CPU, and emulated (MDCR_EL2.TDA):
 * ID_AA64DFR0_EL1.DebugVer = 6 (Armv8.0), BRPs = WRPs = 1 (two of each),
 * CTX_CMPs = 0 (one context-aware breakpoint), PMUVer = 0 (no PMU).
 */
static const struct {
	uint32_t id;
	uint64_t keep, set;
} id_fields[] = {
	/* ID_PFR0_EL1 (D17.2): all but AMU (23:20). */
	{ A64_SYSREG(3, 0, 0, 1, 0), ~F(20), 0 },
	/* ID_PFR1_EL1 (D17.2): all but Security (7:4), Virtualization (15:12), Virt_frac (27:24);
	 * GIC (31:28) 1. */
	{ A64_SYSREG(3, 0, 0, 1, 1), ~(F(4) | F(12) | F(24) | F(28)), 1ULL << 28 },
	/* ID_DFR0_EL1 (D17.2): CopDbg, MMapDbg, MProfDbg; not CopSDbg (7:4), trace (15:12, 19:16,
	 * 31:28) nor PerfMon (27:24). */
	{ A64_SYSREG(3, 0, 0, 1, 2), F(0) | F(8) | F(20), 0 },
	/* ID_DFR1_EL1 (D17.2): MTPMU, HPMN0: the PMU's. */
	{ A64_SYSREG(3, 0, 0, 3, 5), 0, 0 },
	/* ID_AA64PFR0_EL1 (D17.2): EL0, EL1, FP, AdvSIMD, RAS, DIT, CSV2, CSV3; GIC (27:24) 1. */
	{ A64_SYSREG(3, 0, 0, 4, 0), F(0) | F(4) | F(16) | F(20) | F(28) | F(48) | F(56) | F(60),
	  1ULL << 24 },
	/* ID_AA64PFR1_EL1 (D17.2): BT, SSBS, RAS_frac, CSV2_frac (not MTE 11:8, SME 27:24). */
	{ A64_SYSREG(3, 0, 0, 4, 1), F(0) | F(4) | F(12) | F(32), 0 },
	/* ID_AA64ZFR0_EL1, ID_AA64SMFR0_EL1: SVE and SME are hidden. */
	{ A64_SYSREG(3, 0, 0, 4, 4), 0, 0 },
	{ A64_SYSREG(3, 0, 0, 4, 5), 0, 0 },
	/* ID_AA64DFR0_EL1 (D17.2): DebugVer 6, BRPs 1, WRPs 1, the rest 0 (DoubleLock implemented). */
	{ SYSREG_ID_AA64DFR0_EL1, 0,
	  6 | (uint64_t)(A64_GUEST_BRPS - 1) << 12 | (uint64_t)(A64_GUEST_WRPS - 1) << 20 },
	/* ID_AA64ISAR0_EL1 (D17.2): instructions only (AES ... RNDR): all. */
	{ A64_SYSREG(3, 0, 0, 6, 0), ~0ULL, 0 },
	/* ID_AA64ISAR1_EL1 (D17.2): all but LS64 (63:60); APA, API, GPA, GPI kept. */
	{ A64_SYSREG(3, 0, 0, 6, 1), ~F(60), 0 },
	/* ID_AA64ISAR2_EL1 (D17.2): RPRES, GPA3, APA3, BC, PAC_frac, CLRBHB, CSSC. */
	{ A64_SYSREG(3, 0, 0, 6, 2), F(4) | F(8) | F(12) | F(20) | F(24) | F(28) | F(52), 0 },
	/* ID_AA64MMFR0_EL1 (D17.2): all but FGT (59:56), an EL2 feature. */
	{ A64_SYSREG(3, 0, 0, 7, 0), ~F(56), 0 },
	/* ID_AA64MMFR1_EL1 (D17.2): all but VMIDBits (7:4), VH (11:8), LO (19:16), XNX (31:28),
	 * TWED (35:32), HCX (43:40). */
	{ A64_SYSREG(3, 0, 0, 7, 1), ~(F(4) | F(8) | F(16) | F(28) | F(32) | F(40)), 0 },
	/* ID_AA64MMFR2_EL1 (D17.2): all but NV (27:24) and FWB (43:40). */
	{ A64_SYSREG(3, 0, 0, 7, 2), ~(F(24) | F(40)), 0 },
};

uint64_t a64_id_sanitise(uint32_t id, uint64_t hw)
{
	for (size_t i = 0; i < ARRAY_SIZE(id_fields); i++)
		if (id_fields[i].id == id)
			return (hw & id_fields[i].keep) | id_fields[i].set;
	if (A64_SYSREG_CRM(id) <= 3)
		return hw; /* the other AArch32 ID registers (ID_MMFR0_EL1 ... MVFR2_EL1): as the CPU has them */
	return 0; /* reserved or newer than this table: "not implemented" */
}

/*
 * A trapped access cvisor does not emulate: the HAL makes it an UNDEF for
 * the guest (a64_sysreg_emulated()); the exit trace says so.
 */
static void not_emulated(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	char name[40], line[200];

	if (!hal_trace_wants(vcpu->vm, EXIT_SYSREG))
		return;
	cv_snprintf(line, sizeof(line),
		    "sysreg: vm=%u vcpu=%u %s of %s at pc=0x%llx: trapped, not emulated: "
		    "an UNDEF for the guest",
		    vcpu->vm->id, vcpu->id, e->sysreg.write ? "write" : "read",
		    a64_sysreg_name(e->sysreg.id, name, sizeof(name)), (unsigned long long)e->pc);
	hal_trace_write(line);
}

/* A register the vCPU keeps: a write stores the value, a read returns it. */
static void access_kept(uint64_t *reg, struct vcpu_exit *e)
{
	if (e->sysreg.write)
		*reg = e->sysreg.value;
	else
		e->sysreg.value = *reg;
}

/* MDSCR_EL1 (D17.3.18): SS (0), TDCC (12), KDE (13), HDE (14), MDE (15): what a guest may set. */
#define MDSCR_KEPT (1ULL << 0 | 0xfULL << 12)
/* DBGAUTHSTATUS_EL1 (D17.3.8): NSID, NSNID, SID, SNID each 0b10, "implemented, disabled". */
#define DBGAUTHSTATUS_DISABLED 0xaaULL

/*
 * The OS lock (ARM ARM D2.5 "The OS Lock" and D17.3.22-24): writing 1 to
 * OSLAR_EL1.OSLK locks, 0 unlocks; OSLSR_EL1 reports OSLK in bit 1 and
 * OSLM = 0b10 (bits 3 and 0) "OS lock implemented"; OSDLR_EL1.DLK is bit 0.
 * The ID registers: the CPU's value (put in sysreg.value by the HAL) with
 * only the features cvisor gives guests. The debug unit those describe
 * (a64_sysreg_emulated()): what the guest writes to MDSCR_EL1 and to its
 * breakpoints and watchpoints is kept and read back, but never reaches
 * the CPU, so none of them fires (nor does single step); the guest's
 * debugger finds registers that work, and no VM's breakpoint can stop
 * another's. ACTLR_EL1 and the RAS error records read as zero.
 */
void vcpu_arch_sysreg(struct vcpu *vcpu, struct vcpu_exit *e)
{
	struct vcpu_arch *a = &vcpu->arch;

	if (!a64_sysreg_emulated(e->sysreg.id, e->sysreg.write)) {
		not_emulated(vcpu, e);
		return;
	}
	if (a64_sysreg_is_id(e->sysreg.id)) {
		e->sysreg.value = a64_id_sanitise(e->sysreg.id, e->sysreg.value);
		return;
	}
	if (a64_timer_sysreg(e->sysreg.id)) {
		a64_timer_access(vcpu, e);
		return;
	}
	if (a64_icc_of(e->sysreg.id) >= 0) {
		a64_icc_access(vcpu, e);
		return;
	}
	if (is_debug_slot(e->sysreg.id)) {
		access_kept(debug_slot(a, e->sysreg.id), e);
		return;
	}
	if (is_ras(e->sysreg.id) || e->sysreg.id == SYSREG_ACTLR_EL1 || debug_raz_wi(e->sysreg.id)) {
		if (!e->sysreg.write)
			e->sysreg.value = 0;
		return;
	}
	switch (e->sysreg.id) {
	case SYSREG_MDSCR_EL1:
		access_kept(&a->mdscr_el1, e);
		if (e->sysreg.write)
			a->mdscr_el1 &= MDSCR_KEPT;
		return;
	case A64_SYSREG(2, 0, 0, 2, 0): /* MDCCINT_EL1: RX (30), TX (29) */
		access_kept(&a->mdccint_el1, e);
		a->mdccint_el1 &= 3ULL << 29;
		return;
	case A64_SYSREG(2, 0, 7, 14, 6): /* DBGAUTHSTATUS_EL1 */
		e->sysreg.value = DBGAUTHSTATUS_DISABLED;
		return;
	case SYSREG_OSLAR_EL1:
		a->oslsr_el1 = (a->oslsr_el1 & ~2ULL) | ((e->sysreg.value & 1) << 1);
		return;
	case SYSREG_OSLSR_EL1:
		e->sysreg.value = a->oslsr_el1;
		return;
	case SYSREG_OSDLR_EL1:
		if (e->sysreg.write)
			a->osdlr_el1 = e->sysreg.value & 1;
		else
			e->sysreg.value = a->osdlr_el1;
		return;
	}
}
