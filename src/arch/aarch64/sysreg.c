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

bool a64_sysreg_trapped(uint32_t id, bool write)
{
	if (a64_sysreg_is_id(id))
		return !write; /* HCR_EL2.TID3 */
	if (a64_timer_sysreg(id) || a64_icc_of(id) >= 0)
		return true; /* CNTHCTL_EL2 (with FEAT_ECV), ICH_HCR_EL2.TALL1/TC: arch/irq.h */
	return id == SYSREG_OSLAR_EL1 || id == SYSREG_OSLSR_EL1 || id == SYSREG_OSDLR_EL1 ||
	       id == SYSREG_DBGPRCR_EL1; /* MDCR_EL2.TDOSA */
}

bool a64_sysreg_emulated(uint32_t id, bool write)
{
	if (a64_sysreg_is_id(id))
		return !write;
	if (a64_timer_sysreg(id) || a64_icc_of(id) >= 0)
		return true; /* the direction the architecture allows: a64_sysreg_undefined() */
	return (id == SYSREG_OSLAR_EL1 && write) || (id == SYSREG_OSLSR_EL1 && !write) ||
	       id == SYSREG_OSDLR_EL1;
}

/* A 4-bit field of an ID register at bit lo (ARM ARM D17.2: every field is 4 bits). */
#define F(lo) (0xfULL << (lo))

/*
 * The fields of each ID register a guest sees as the CPU has them; all
 * others read as zero ("not implemented"). A feature is kept when it
 * needs nothing from EL2: instructions and EL1 state that each vCPU's
 * world switch already keeps, or that EL2 lets through (pointer
 * authentication: HCR_EL2.API and APK, keys switched per vCPU). Hidden:
 * SVE and SME (CPTR_EL2.TZ and TSM trap them: their state is not
 * switched), MTE (HCR_EL2.ATA clear: no tags), EL2 itself and features
 * that describe or need EL2 (VHE, NV, FGT, HCX, TWED, MPAM, AMU, RME,
 * SEL2), the PMU, statistical profiling and trace (not switched between
 * VMs), and anything newer than this table (LS64, MOPS, WFxT: they need
 * enables in HCRX_EL2 or EL2 traps cvisor does not set).
 */
static const struct {
	uint32_t id;
	uint64_t keep;
} id_fields[] = {
	/* ID_AA64PFR0_EL1 (D17.2): EL0, EL1, EL3, FP, AdvSIMD, GIC, RAS, DIT, CSV2, CSV3. */
	{ A64_SYSREG(3, 0, 0, 4, 0),
	  F(0) | F(4) | F(12) | F(16) | F(20) | F(24) | F(28) | F(48) | F(56) | F(60) },
	/* ID_AA64PFR1_EL1 (D17.2): BT, SSBS, RAS_frac, CSV2_frac (not MTE 11:8, SME 27:24). */
	{ A64_SYSREG(3, 0, 0, 4, 1), F(0) | F(4) | F(12) | F(32) },
	/* ID_AA64ZFR0_EL1, ID_AA64SMFR0_EL1: SVE and SME are hidden. */
	{ A64_SYSREG(3, 0, 0, 4, 4), 0 },
	{ A64_SYSREG(3, 0, 0, 4, 5), 0 },
	/* ID_AA64DFR0_EL1 (D17.2): DebugVer, BRPs, WRPs, CTX_CMPs, DoubleLock. */
	{ A64_SYSREG(3, 0, 0, 5, 0), F(0) | F(12) | F(20) | F(28) | F(36) },
	/* ID_AA64ISAR0_EL1 (D17.2): instructions only (AES ... RNDR): all. */
	{ A64_SYSREG(3, 0, 0, 6, 0), ~0ULL },
	/* ID_AA64ISAR1_EL1 (D17.2): all but LS64 (63:60); APA, API, GPA, GPI kept. */
	{ A64_SYSREG(3, 0, 0, 6, 1), ~F(60) },
	/* ID_AA64ISAR2_EL1 (D17.2): RPRES, GPA3, APA3, BC, PAC_frac, CLRBHB, CSSC. */
	{ A64_SYSREG(3, 0, 0, 6, 2), F(4) | F(8) | F(12) | F(20) | F(24) | F(28) | F(52) },
	/* ID_AA64MMFR0_EL1 (D17.2): all but FGT (59:56), an EL2 feature. */
	{ A64_SYSREG(3, 0, 0, 7, 0), ~F(56) },
	/* ID_AA64MMFR1_EL1 (D17.2): all but VH (11:8), TWED (35:32), HCX (43:40). */
	{ A64_SYSREG(3, 0, 0, 7, 1), ~(F(8) | F(32) | F(40)) },
	/* ID_AA64MMFR2_EL1 (D17.2): all but NV (27:24). */
	{ A64_SYSREG(3, 0, 0, 7, 2), ~F(24) },
};

uint64_t a64_id_sanitise(uint32_t id, uint64_t hw)
{
	if (A64_SYSREG_CRM(id) <= 3)
		return hw; /* AArch32 ID registers (ID_PFR0_EL1 ... MVFR2_EL1): AArch32 EL0 as the CPU has it */
	for (size_t i = 0; i < ARRAY_SIZE(id_fields); i++)
		if (id_fields[i].id == id)
			return hw & id_fields[i].keep;
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

/*
 * The OS lock (ARM ARM D2.5 "The OS Lock" and D17.3.22-24): writing 1 to
 * OSLAR_EL1.OSLK locks, 0 unlocks; OSLSR_EL1 reports OSLK in bit 1 and
 * OSLM = 0b10 (bits 3 and 0) "OS lock implemented"; OSDLR_EL1.DLK is bit 0.
 * The ID registers: the CPU's value (put in sysreg.value by the HAL) with
 * only the features cvisor gives guests.
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
	switch (e->sysreg.id) {
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
