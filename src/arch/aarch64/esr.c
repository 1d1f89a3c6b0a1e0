/* SPDX-License-Identifier: MIT */
/**
 * @file esr.c
 * @brief Decoding of AArch64 traps to EL2 (ESR_EL2, FAR_EL2, HPFAR_EL2)
 *        into the architecture-neutral exit record.
 *
 * Reference: ARM ARM (DDI 0487) D17.2.37 "ESR_EL2", in particular the ISS
 * encodings for Data Aborts, for HVC/SMC, for MSR/MRS/System instructions
 * and for WFI/WFE, and D17.2.70 "HPFAR_EL2". Pure functions: the bare HAL
 * feeds them the registers the hardware wrote, the simulator feeds them
 * the values it computed for the same event.
 */
#include <arch/esr.h>
#include <cvisor/lib.h>

gpa_t a64_fault_gpa(uint64_t hpfar, uint64_t far)
{
	/* HPFAR_EL2.FIPA[43:4] holds IPA[51:12]; the page offset comes from FAR. */
	return (((hpfar >> 4) & ((1ULL << 40) - 1)) << 12) | (far & 0xfff);
}

uint64_t a64_hpfar_from_gpa(gpa_t gpa)
{
	return ((gpa >> 12) & ((1ULL << 40) - 1)) << 4;
}

const char *a64_ec_name(unsigned ec)
{
	/* ARM ARM D17.2.37, table "ESR_EL2.EC". */
	switch (ec) {
	case 0x00: return "UNKNOWN";
	case 0x01: return "WFX";
	case 0x03: return "CP15_32";
	case 0x04: return "CP15_64";
	case 0x05: return "CP14_MR";
	case 0x06: return "CP14_LS";
	case 0x07: return "FP_ASIMD";
	case 0x08: return "CP10_ID";
	case 0x09: return "PAC";
	case 0x0a: return "LS64";
	case 0x0c: return "CP14_64";
	case 0x0d: return "BTI";
	case 0x0e: return "ILL";
	case 0x11: return "SVC32";
	case 0x12: return "HVC32";
	case 0x13: return "SMC32";
	case 0x15: return "SVC64";
	case 0x16: return "HVC64";
	case 0x17: return "SMC64";
	case 0x18: return "SYS64";
	case 0x19: return "SVE";
	case 0x1a: return "ERET";
	case 0x1c: return "FPAC";
	case 0x1d: return "SME";
	case 0x1f: return "IMP_DEF";
	case 0x20: return "IABT_LOW";
	case 0x21: return "IABT_CUR";
	case 0x22: return "PC_ALIGN";
	case 0x24: return "DABT_LOW";
	case 0x25: return "DABT_CUR";
	case 0x26: return "SP_ALIGN";
	case 0x27: return "MOPS";
	case 0x28: return "FP_EXC32";
	case 0x2c: return "FP_EXC64";
	case 0x2f: return "SERROR";
	case 0x30: return "BREAKPT_LOW";
	case 0x31: return "BREAKPT_CUR";
	case 0x32: return "SOFTSTP_LOW";
	case 0x33: return "SOFTSTP_CUR";
	case 0x34: return "WATCHPT_LOW";
	case 0x35: return "WATCHPT_CUR";
	case 0x38: return "BKPT32";
	case 0x3a: return "VECTOR32";
	case 0x3c: return "BRK64";
	}
	return "?";
}

/* The kind and level of a stage-2 fault from a DFSC/IFSC. */
static void fault_status(unsigned fsc, enum s2_fault_kind *kind, int *level)
{
	*level = (int)(fsc & 3);
	switch (fsc & 0x3c) {
	case FSC_ADDR_SIZE(0):
		*kind = S2F_ADDR_SIZE;
		return;
	case FSC_TRANS(0):
		*kind = S2F_TRANSLATION;
		return;
	case FSC_ACCESS(0):
		*kind = S2F_ACCESS_FLAG;
		return;
	case FSC_PERM(0):
		*kind = S2F_PERMISSION;
		return;
	}
	*kind = S2F_OTHER;
	*level = -1;
}

static bool is_stage2_fsc(unsigned fsc)
{
	unsigned c = fsc & 0x3c;
	return c == FSC_TRANS(0) || c == FSC_ACCESS(0) || c == FSC_PERM(0);
}

static void decode_dabt(const struct a64_trap *t, uint32_t iss, struct vcpu_exit *e)
{
	unsigned fsc = iss & 0x3f;
	gpa_t gpa = a64_fault_gpa(t->hpfar, t->far);

	/*
	 * With a valid instruction syndrome, a stage-2 fault on a data access
	 * can be emulated: that is an MMIO exit. A fault on the stage-1 walk
	 * itself (S1PTW), an external abort or a missing syndrome cannot.
	 */
	if ((iss & ISS_DA_ISV) && !(iss & ISS_DA_S1PTW) && is_stage2_fsc(fsc)) {
		e->reason = EXIT_MMIO;
		e->mmio.gpa = gpa;
		e->mmio.size = (uint8_t)(1u << ((iss >> ISS_DA_SAS_SHIFT) & 3));
		e->mmio.write = iss & ISS_DA_WNR;
		e->mmio.sign_extend = iss & ISS_DA_SSE;
		e->mmio.reg = (uint8_t)((iss >> ISS_DA_SRT_SHIFT) & 31);
		e->mmio.reg_is_64 = iss & ISS_DA_SF;
		return;
	}
	e->reason = EXIT_STAGE2_FAULT;
	e->s2fault.gpa = gpa;
	e->s2fault.gva = t->far;
	e->s2fault.gva_valid = !(iss & ISS_DA_FNV);
	e->s2fault.access = (iss & ISS_DA_WNR) && !(iss & ISS_DA_S1PTW) ? ACCESS_WRITE : ACCESS_READ;
	e->s2fault.size = (iss & ISS_DA_ISV) ? (uint8_t)(1u << ((iss >> ISS_DA_SAS_SHIFT) & 3)) : 0;
	fault_status(fsc, &e->s2fault.kind, &e->s2fault.level);
}

static void decode_iabt(const struct a64_trap *t, uint32_t iss, struct vcpu_exit *e)
{
	e->reason = EXIT_STAGE2_FAULT;
	e->s2fault.gpa = a64_fault_gpa(t->hpfar, t->far);
	e->s2fault.gva = t->far;
	e->s2fault.gva_valid = !(iss & ISS_DA_FNV);
	e->s2fault.access = ACCESS_EXEC;
	e->s2fault.size = 4;
	fault_status(iss & 0x3f, &e->s2fault.kind, &e->s2fault.level);
}

static void decode_sysreg(uint32_t iss, struct vcpu_exit *e)
{
	/* Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Direction[0]. */
	e->reason = EXIT_SYSREG;
	e->sysreg.id = A64_SYSREG((iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 15,
				  (iss >> 1) & 15, (iss >> 17) & 7);
	e->sysreg.write = !(iss & 1);
	e->sysreg.reg = (uint8_t)((iss >> 5) & 31);
}

void a64_decode_trap(const struct a64_trap *t, struct vcpu_exit *e)
{
	unsigned ec = (unsigned)ESR_EC(t->esr);
	uint32_t iss = (uint32_t)ESR_ISS(t->esr);

	memset(e, 0, sizeof(*e));
	e->pc = t->pc;
	e->syndrome = t->esr;
	switch (ec) {
	case EC_DABT_LOW:
		decode_dabt(t, iss, e);
		return;
	case EC_IABT_LOW:
		decode_iabt(t, iss, e);
		return;
	case EC_HVC64:
	case EC_SMC64:
		e->reason = EXIT_HYPERCALL;
		e->hypercall.conduit = ec == EC_HVC64 ? CONDUIT_HVC : CONDUIT_SMC;
		e->hypercall.imm = (uint16_t)(iss & 0xffff);
		return;
	case EC_SYS64:
		decode_sysreg(iss, e);
		return;
	case EC_WFX:
		/* ISS[1:0] TI: 0b00 WFI, 0b01 WFE (both wait for an event to the hypervisor). */
		e->reason = EXIT_HALT;
		return;
	}
	e->reason = EXIT_FATAL;
	cv_snprintf(e->fatal.msg, sizeof(e->fatal.msg),
		    "unexpected trap to EL2: EC 0x%02x (%s), ESR 0x%llx", ec, a64_ec_name(ec),
		    (unsigned long long)t->esr);
}

void a64_exit_fill_operands(struct vcpu_exit *e, const uint64_t x[31])
{
	switch (e->reason) {
	case EXIT_MMIO:
		if (e->mmio.write) {
			uint64_t v = e->mmio.reg == 31 ? 0 : x[e->mmio.reg];
			e->mmio.data = e->mmio.size == 8 ? v : v & ((1ULL << (8 * e->mmio.size)) - 1);
		}
		break;
	case EXIT_HYPERCALL:
		for (unsigned i = 0; i < 6; i++)
			e->hypercall.args[i] = x[i];
		break;
	case EXIT_SYSREG:
		if (e->sysreg.write)
			e->sysreg.value = e->sysreg.reg == 31 ? 0 : x[e->sysreg.reg];
		break;
	default:
		break;
	}
}

uint32_t a64_sysreg_iss(uint32_t id, unsigned rt, bool is_read)
{
	uint32_t op0 = (id >> 14) & 3, op1 = (id >> 11) & 7, crn = (id >> 7) & 15;
	uint32_t crm = (id >> 3) & 15, op2 = id & 7;

	return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | (rt & 31) << 5 | crm << 1 |
	       (is_read ? 1 : 0);
}

static const struct {
	uint32_t id;
	const char *name;
} sysreg_names[] = {
	{ SYSREG_OSLAR_EL1, "OSLAR_EL1" },
	{ SYSREG_OSLSR_EL1, "OSLSR_EL1" },
	{ SYSREG_OSDLR_EL1, "OSDLR_EL1" },
	{ SYSREG_CNTP_TVAL_EL0, "CNTP_TVAL_EL0" },
	{ SYSREG_CNTP_CTL_EL0, "CNTP_CTL_EL0" },
	{ SYSREG_CNTP_CVAL_EL0, "CNTP_CVAL_EL0" },
	{ SYSREG_CNTPCT_EL0, "CNTPCT_EL0" },
	{ A64_SYSREG(3, 3, 14, 0, 2), "CNTVCT_EL0" },
	{ A64_SYSREG(3, 3, 14, 0, 0), "CNTFRQ_EL0" },
	{ A64_SYSREG(3, 3, 14, 3, 0), "CNTV_TVAL_EL0" },
	{ A64_SYSREG(3, 3, 14, 3, 1), "CNTV_CTL_EL0" },
	{ A64_SYSREG(3, 3, 14, 3, 2), "CNTV_CVAL_EL0" },
	{ A64_SYSREG(3, 0, 0, 0, 0), "MIDR_EL1" },
	{ A64_SYSREG(3, 0, 0, 0, 5), "MPIDR_EL1" },
	{ A64_SYSREG(3, 0, 1, 0, 0), "SCTLR_EL1" },
	{ A64_SYSREG(3, 0, 2, 0, 0), "TTBR0_EL1" },
	{ A64_SYSREG(3, 0, 2, 0, 1), "TTBR1_EL1" },
	{ A64_SYSREG(3, 0, 2, 0, 2), "TCR_EL1" },
	{ A64_SYSREG(3, 0, 5, 2, 0), "ESR_EL1" },
	{ A64_SYSREG(3, 0, 6, 0, 0), "FAR_EL1" },
	{ A64_SYSREG(3, 0, 10, 2, 0), "MAIR_EL1" },
	{ A64_SYSREG(3, 0, 12, 0, 0), "VBAR_EL1" },
	{ A64_SYSREG(3, 0, 13, 0, 4), "TPIDR_EL1" },
	{ A64_SYSREG(3, 0, 4, 0, 0), "SPSR_EL1" },
	{ A64_SYSREG(3, 0, 4, 0, 1), "ELR_EL1" },
};

const char *a64_sysreg_name(uint32_t id, char *buf, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(sysreg_names); i++)
		if (sysreg_names[i].id == id)
			return sysreg_names[i].name;
	cv_snprintf(buf, size, "S%u_%u_C%u_C%u_%u", (id >> 14) & 3, (id >> 11) & 7, (id >> 7) & 15,
		    (id >> 3) & 15, id & 7);
	return buf;
}
