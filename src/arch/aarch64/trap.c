/* SPDX-License-Identifier: MIT */
/**
 * @file trap.c
 * @brief Decoding of AArch64 traps to EL2 (ESR_EL2, FAR_EL2, HPFAR_EL2)
 *        into the architecture-neutral exit record.
 *
 * Reference: ARM ARM (DDI 0487) D17.2.37 "ESR_EL2, Exception Syndrome
 * Register (EL2)": the table of exception classes and the ISS encodings
 * for Data Aborts, Instruction Aborts, HVC/SMC, MSR/MRS/System
 * instructions and WFI/WFE; D17.2.70 "HPFAR_EL2".
 *
 * Pure functions: the bare HAL feeds them the registers the hardware
 * wrote, the simulator the values it computed for the same event.
 */
#include <arch/insn.h>
#include <arch/trap.h>
#include <cvisor/lib.h>

/* ---- Fault addresses ------------------------------------------------------ */

/* HPFAR_EL2.FIPA: bits [43:4] hold IPA[51:12] (bits [39:4] without FEAT_LPA). */
#define HPFAR_FIPA_SHIFT 4
#define HPFAR_FIPA_BITS 40
#define FIPA_MASK ((1ULL << HPFAR_FIPA_BITS) - 1)

gpa_t a64_fault_gpa(uint64_t hpfar, uint64_t far)
{
	/* HPFAR only knows the page; the offset inside it comes from FAR. */
	gpa_t page = ((hpfar >> HPFAR_FIPA_SHIFT) & FIPA_MASK) << PAGE_SHIFT;
	return page | (far & (PAGE_SIZE - 1));
}

uint64_t a64_hpfar_from_gpa(gpa_t gpa)
{
	return ((gpa >> PAGE_SHIFT) & FIPA_MASK) << HPFAR_FIPA_SHIFT;
}

/* ---- Names --------------------------------------------------------------- */

/*
 * The exception classes of ESR_ELx.EC (ARM ARM D17.2.37, field EC). Some
 * come only with an optional feature (named in the comment) or only from
 * AArch32 state; cvisor runs AArch64 guests, but a name still helps a
 * report. Unallocated values have no entry.
 */
static const char *const ec_names[64] = {
	[0x00] = "UNKNOWN",
	[0x01] = "WFX",         /* WFI, WFE, WFIT, WFET */
	[0x03] = "CP15_32",     /* AArch32 MCR/MRC, coproc 0b1111 */
	[0x04] = "CP15_64",     /* AArch32 MCRR/MRRC, coproc 0b1111 */
	[0x05] = "CP14_MR",     /* AArch32 MCR/MRC, coproc 0b1110 */
	[0x06] = "CP14_LS",     /* AArch32 LDC/STC */
	[0x07] = "FP_ASIMD",    /* SVE, SIMD or FP access trapped by CPACR/CPTR */
	[0x08] = "CP10_ID",     /* AArch32 VMRS, ID group trap */
	[0x09] = "PAC",         /* pointer authentication trapped (FEAT_PAuth) */
	[0x0a] = "OTHER",       /* LD64B/ST64B* (FEAT_LS64) and other traps */
	[0x0c] = "CP14_64",     /* AArch32 MRRC, coproc 0b1110 */
	[0x0d] = "BTI",         /* branch target exception (FEAT_BTI) */
	[0x0e] = "ILL",         /* illegal execution state */
	[0x11] = "SVC32",
	[0x12] = "HVC32",
	[0x13] = "SMC32",
	[0x14] = "SYS128",      /* MSRR, MRRS, SYSP (FEAT_SYSREG128) */
	[0x15] = "SVC64",
	[0x16] = "HVC64",
	[0x17] = "SMC64",
	[0x18] = "SYS64",       /* MSR, MRS, System instructions */
	[0x19] = "SVE",
	[0x1a] = "ERET",        /* ERET/ERETAA/ERETAB trapped (FEAT_NV, FEAT_FGT) */
	[0x1b] = "TSTART",      /* FEAT_TME */
	[0x1c] = "FPAC",        /* pointer authentication failure (FEAT_FPAC) */
	[0x1d] = "SME",
	[0x1e] = "GPC",         /* granule protection check (FEAT_RME), to EL3 */
	[0x1f] = "IMP_DEF",     /* IMPLEMENTATION DEFINED, to EL3 */
	[0x20] = "IABT_LOW",
	[0x21] = "IABT_CUR",
	[0x22] = "PC_ALIGN",
	[0x24] = "DABT_LOW",
	[0x25] = "DABT_CUR",
	[0x26] = "SP_ALIGN",
	[0x27] = "MOPS",        /* memory copy/set (FEAT_MOPS) */
	[0x28] = "FP_EXC32",
	[0x2c] = "FP_EXC64",
	[0x2d] = "GCS",         /* guarded control stack (FEAT_GCS) */
	[0x2f] = "SERROR",
	[0x30] = "BREAKPT_LOW",
	[0x31] = "BREAKPT_CUR",
	[0x32] = "SOFTSTP_LOW",
	[0x33] = "SOFTSTP_CUR",
	[0x34] = "WATCHPT_LOW",
	[0x35] = "WATCHPT_CUR",
	[0x38] = "BKPT32",
	[0x3a] = "VECTOR32",    /* AArch32 vector catch */
	[0x3c] = "BRK64",
	[0x3d] = "PROFILING",   /* profiling exception (FEAT_EBEP, FEAT_SPE_EXC) */
};

const char *a64_ec_name(unsigned ec)
{
	if (ec >= ARRAY_SIZE(ec_names) || !ec_names[ec])
		return "?";
	return ec_names[ec];
}

/* ---- Trapped MSR/MRS ---------------------------------------------------- */

/* Fields of the ISS of EC 0x18 (ARM ARM D17.2.37, "ISS encoding for an
 * exception from MSR, MRS, or System instruction execution in AArch64 state"). */
#define SYS_ISS_OP0(iss) (((iss) >> 20) & 3)
#define SYS_ISS_OP2(iss) (((iss) >> 17) & 7)
#define SYS_ISS_OP1(iss) (((iss) >> 14) & 7)
#define SYS_ISS_CRN(iss) (((iss) >> 10) & 15)
#define SYS_ISS_RT(iss) (((iss) >> 5) & 31)
#define SYS_ISS_CRM(iss) (((iss) >> 1) & 15)
#define SYS_ISS_READ 1u /* Direction: 1 = read (MRS), 0 = write (MSR) */

uint32_t a64_sysreg_iss(uint32_t id, unsigned rt, bool is_read)
{
	return A64_SYSREG_OP0(id) << 20 | A64_SYSREG_OP2(id) << 17 | A64_SYSREG_OP1(id) << 14 |
	       A64_SYSREG_CRN(id) << 10 | (rt & 31) << 5 | A64_SYSREG_CRM(id) << 1 |
	       (is_read ? SYS_ISS_READ : 0);
}

/* System register id of a trapped MSR/MRS, from its ISS. */
static uint32_t sysreg_id_from_iss(uint32_t iss)
{
	return A64_SYSREG(SYS_ISS_OP0(iss), SYS_ISS_OP1(iss), SYS_ISS_CRN(iss), SYS_ISS_CRM(iss),
			  SYS_ISS_OP2(iss));
}

/* ---- Aborts -------------------------------------------------------------- */

#define FSC_MASK 0x3fu
#define FSC_SEA_WALK(l) (0x14 + (l))   /* synchronous external abort on a table walk */
#define FSC_ECC_WALK(l) (0x1c + (l))   /* parity/ECC error on a table walk */
#define FSC_ADDR_SIZE_LM1 0x29         /* address size fault, level -1 (FEAT_LPA2) */
#define FSC_TRANS_LM1 0x2b             /* translation fault, level -1 (FEAT_LPA2) */

/*
 * Kind and table level of a fault status code (DFSC/IFSC, ARM ARM D17.2.37
 * "ISS encoding for an exception from a Data Abort", field DFSC). Level -1
 * (FEAT_LPA2 with 52-bit addresses) reads as -1, like an unknown level.
 */
static void fault_status(unsigned fsc, enum walk_fault *kind, int *level)
{
	*level = (int)(fsc & 3);
	if (fsc <= FSC_ADDR_SIZE(3))
		*kind = FAULT_ADDR_SIZE;
	else if (fsc <= FSC_TRANS(3))
		*kind = FAULT_TRANSLATION;
	else if (fsc <= FSC_ACCESS(3))
		*kind = FAULT_ACCESS_FLAG;
	else if (fsc <= FSC_PERM(3))
		*kind = FAULT_PERMISSION;
	else if (fsc == FSC_ADDR_SIZE_LM1 || fsc == FSC_TRANS_LM1) {
		*kind = fsc == FSC_TRANS_LM1 ? FAULT_TRANSLATION : FAULT_ADDR_SIZE;
		*level = -1;
	} else {
		/* External aborts, ECC errors, alignment, TLB conflicts, ... */
		*kind = FAULT_OTHER;
		if (!((fsc >= FSC_SEA_WALK(0) && fsc <= FSC_SEA_WALK(3)) ||
		      (fsc >= FSC_ECC_WALK(0) && fsc <= FSC_ECC_WALK(3))))
			*level = -1;
	}
}

/* Access size in bytes from the data abort's SAS field. */
static uint8_t dabt_size(uint32_t iss)
{
	return (uint8_t)(1u << ((iss >> ISS_DA_SAS_SHIFT) & 3));
}

/* The part of a stage-2 fault record common to data and instruction aborts. */
static void s2fault(const struct a64_trap *t, uint32_t iss, struct vcpu_exit *e)
{
	e->reason = EXIT_STAGE2_FAULT;
	e->s2fault.gpa = a64_fault_gpa(t->hpfar, t->far);
	e->s2fault.gva = t->far;
	/* FnV: FAR does not hold the faulting address (external aborts only). */
	e->s2fault.gva_valid = !(iss & ISS_DA_FNV);
	fault_status(iss & FSC_MASK, &e->s2fault.kind, &e->s2fault.level);
}

/*
 * S1PTW (ISS bit 7, data and instruction aborts alike): the fault is on
 * the guest's own stage-1 table walk, a read of one 8-byte descriptor.
 * HPFAR_EL2 names the descriptor's page; FAR_EL2 is the virtual address
 * being translated, so its page offset is not the descriptor's: the
 * offset is left 0 for the HAL, which can walk the guest's tables, to
 * complete (ARM ARM D17.2.37, ISS.S1PTW; D17.2.70 HPFAR_EL2). write: WnR,
 * the walk updating the descriptor (hardware access flag or dirty state).
 */
static bool s1ptw(const struct a64_trap *t, uint32_t iss, bool write, struct vcpu_exit *e)
{
	if (!(iss & ISS_DA_S1PTW))
		return false;
	e->s2fault.s1ptw = true;
	e->s2fault.gpa = a64_fault_gpa(t->hpfar, 0);
	e->s2fault.access = write ? ACCESS_WRITE : ACCESS_READ;
	e->s2fault.size = 8;
	return true;
}

/*
 * Data abort from the guest (EC 0x24). An abort the hypervisor can emulate
 * as a device access is a stage-2 translation fault on the data access
 * itself, with a valid instruction syndrome (ISV): it says which register,
 * how wide, which direction. That is an EXIT_MMIO; the core then finds the
 * device, or stops the VM if there is none. Everything else is an
 * EXIT_STAGE2_FAULT, which the core reports and stops the VM on:
 * - ISV = 0: pairs, writeback forms, exclusives, SIMD&FP registers...
 *   cannot be emulated from the syndrome;
 * - S1PTW = 1: the guest's own stage-1 table walk hit a hole in stage 2;
 * - any other fault status: a permission, access flag or address size
 *   fault means RAM the guest may not touch that way, not a device.
 * WnR says the access was a write (for S1PTW: the hardware updating the
 * guest's descriptor).
 */
static void decode_dabt(const struct a64_trap *t, uint32_t iss, struct vcpu_exit *e)
{
	bool isv = iss & ISS_DA_ISV;
	bool write = iss & ISS_DA_WNR;
	enum walk_fault kind;
	int level;

	fault_status(iss & FSC_MASK, &kind, &level);
	if (isv && !(iss & ISS_DA_S1PTW) && kind == FAULT_TRANSLATION) {
		e->reason = EXIT_MMIO;
		e->mmio.gpa = a64_fault_gpa(t->hpfar, t->far);
		e->mmio.gva = t->far;
		e->mmio.size = dabt_size(iss);
		e->mmio.write = write;
		e->mmio.sign_extend = iss & ISS_DA_SSE;
		e->mmio.reg = (uint8_t)((iss >> ISS_DA_SRT_SHIFT) & 31);
		e->mmio.reg_is_64 = iss & ISS_DA_SF;
		return;
	}
	s2fault(t, iss, e);
	if (s1ptw(t, iss, write, e))
		return;
	e->s2fault.access = write ? ACCESS_WRITE : ACCESS_READ;
	e->s2fault.size = isv ? dabt_size(iss) : 0;
}

/* Instruction abort from the guest (EC 0x20): a fetch from an unmapped or non-executable GPA. */
static void decode_iabt(const struct a64_trap *t, uint32_t iss, struct vcpu_exit *e)
{
	s2fault(t, iss, e);
	if (s1ptw(t, iss, false, e))
		return;
	e->s2fault.access = ACCESS_FETCH;
	e->s2fault.size = 4; /* one A64 instruction */
}

/* ---- The other exits ------------------------------------------------------- */

/*
 * HVC or SMC (EC 0x16/0x17): ISS[15:0] is the instruction's immediate.
 * ELR_EL2 is past an HVC but at a trapped SMC (ARM ARM D1.10.1), so the
 * PC of the HVC itself is 4 bytes back.
 */
static void decode_hypercall(const struct a64_trap *t, unsigned ec, uint32_t iss,
			     struct vcpu_exit *e)
{
	e->reason = EXIT_HYPERCALL;
	e->hypercall.conduit = ec == EC_HVC64 ? CONDUIT_HVC : CONDUIT_SMC;
	e->hypercall.imm = (uint16_t)(iss & 0xffff);
	if (ec == EC_HVC64)
		e->pc = t->pc - 4;
}

/* MSR/MRS (EC 0x18): which register, which direction, and Rt. */
static void decode_sysreg(uint32_t iss, struct vcpu_exit *e)
{
	e->reason = EXIT_SYSREG;
	e->sysreg.id = sysreg_id_from_iss(iss);
	e->sysreg.write = !(iss & SYS_ISS_READ);
	e->sysreg.reg = (uint8_t)SYS_ISS_RT(iss);
	e->sysreg.op = SYSREG_OP_WRITE; /* MSR replaces the whole register */
	e->sysreg.src = (uint8_t)SYS_ISS_RT(iss);
}

void a64_decode_trap(const struct a64_trap *t, struct vcpu_exit *e)
{
	unsigned ec = (unsigned)ESR_EC(t->esr);
	uint32_t iss = (uint32_t)ESR_ISS(t->esr);

	memset(e, 0, sizeof(*e));
	e->pc = t->pc;
	e->syndrome = t->esr;
	/* IL: a 32-bit instruction (always, for A64; 0 is a 16-bit T32 one). */
	e->insn_len = (t->esr & ESR_IL) ? 4 : 2;
	switch (ec) {
	case EC_DABT_LOW:
		decode_dabt(t, iss, e);
		return;
	case EC_IABT_LOW:
		decode_iabt(t, iss, e);
		return;
	case EC_HVC64:
	case EC_SMC64:
		decode_hypercall(t, ec, iss, e);
		return;
	case EC_SYS64:
		decode_sysreg(iss, e);
		return;
	case EC_WFX:
		/* ISS.TI (bits [1:0]) tells WFI, WFE, WFIT, WFET apart; each waits. */
		e->reason = EXIT_HALT;
		return;
	}
	/*
	 * cvisor routes nothing else to EL2 (SVC, BRK, alignment faults and
	 * the guest's own aborts go to its EL1), so this is a hypervisor
	 * configuration the guest cannot continue from.
	 */
	e->reason = EXIT_FATAL;
	cv_snprintf(e->fatal.msg, sizeof(e->fatal.msg),
		    "unexpected trap: EC 0x%02x (%s), ESR 0x%llx", ec, a64_ec_name(ec),
		    (unsigned long long)t->esr);
}

void a64_exit_fill_operands(struct vcpu_exit *e, const uint64_t x[31])
{
	switch (e->reason) {
	case EXIT_MMIO:
		if (e->mmio.write) {
			/* SRT = 31 is the zero register: a store of WZR/XZR writes 0. */
			uint64_t v = e->mmio.reg == 31 ? 0 : x[e->mmio.reg];
			if (e->mmio.size < 8)
				v &= (1ULL << (8 * e->mmio.size)) - 1;
			e->mmio.data = v;
		}
		return;
	case EXIT_HYPERCALL:
		/* SMCCC: function id in x0, arguments in x1..x5 (x0..x5 as args[0..5]). */
		for (unsigned i = 0; i < 6; i++)
			e->hypercall.args[i] = x[i];
		return;
	case EXIT_SYSREG:
		if (e->sysreg.write)
			e->sysreg.value = e->sysreg.src == 31 ? 0 : x[e->sysreg.src];
		return;
	default:
		return;
	}
}

/*
 * A stage-2 data abort without a valid instruction syndrome (ISV = 0:
 * pairs, writeback, exclusives, SIMD&FP registers, DC ZVA) says nothing
 * of the access's size. The instruction does: its whole access (two
 * registers of a pair, the bytes of LD1/ST1, the DC ZVA block, whose
 * start is the address zeroed, ARM ARM C5.3 "DC ZVA").
 */
void a64_exit_describe_access(struct vcpu_exit *e, uint32_t insn, unsigned zva_block)
{
	struct a64_ldst ld;

	if (e->reason != EXIT_STAGE2_FAULT || e->s2fault.s1ptw || e->s2fault.access == ACCESS_FETCH ||
	    e->s2fault.size != 0 || !a64_decode_access(insn, zva_block, &ld))
		return;
	e->s2fault.size = (uint8_t)MIN(ld.bytes, 255u);
	if (ld.zva) {
		e->s2fault.gpa &= ~((uint64_t)ld.bytes - 1);
		e->s2fault.gva &= ~((uint64_t)ld.bytes - 1);
	}
}
