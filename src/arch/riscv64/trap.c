/* SPDX-License-Identifier: MIT */
/**
 * @file trap.c
 * @brief Decoding of RISC-V traps from VS-mode into exits.
 *
 * Privileged Architecture v1.12: table 4.2 (scause values), 8.6.3
 * "htval" and "htinst", 8.6.4 "Transformed instructions", 8.6.1 the
 * virtual-instruction exception, 8.5 guest-page faults.
 */
#include <arch/insn.h>
#include <arch/trap.h>
#include <cvisor/lib.h>

#define INSN_WFI 0x10500073u
#define OP_SYSTEM 0x73u

gpa_t rv_fault_gpa(const struct rv_trap *t)
{
	/* htval holds GPA >> 2; the low two bits come from stval (8.6.3). */
	return (t->htval << 2) | (t->stval & 3);
}

const char *rv_cause_name(uint64_t scause)
{
	if (scause & RV_CAUSE_INTERRUPT) {
		switch (scause & ~RV_CAUSE_INTERRUPT) {
		case 1: return "supervisor software interrupt";
		case 2: return "VS software interrupt";
		case 5: return "supervisor timer interrupt";
		case 6: return "VS timer interrupt";
		case 9: return "supervisor external interrupt";
		case 10: return "VS external interrupt";
		case 12: return "supervisor guest external interrupt";
		default: return "interrupt";
		}
	}
	switch (scause) {
	case RV_CAUSE_MISALIGNED_FETCH: return "instruction address misaligned";
	case RV_CAUSE_FETCH_ACCESS: return "instruction access fault";
	case RV_CAUSE_ILLEGAL_INSN: return "illegal instruction";
	case RV_CAUSE_BREAKPOINT: return "breakpoint";
	case RV_CAUSE_MISALIGNED_LOAD: return "load address misaligned";
	case RV_CAUSE_LOAD_ACCESS: return "load access fault";
	case RV_CAUSE_MISALIGNED_STORE: return "store/AMO address misaligned";
	case RV_CAUSE_STORE_ACCESS: return "store/AMO access fault";
	case RV_CAUSE_USER_ECALL: return "environment call from U/VU-mode";
	case RV_CAUSE_SUPERVISOR_ECALL: return "environment call from HS-mode";
	case RV_CAUSE_VS_ECALL: return "environment call from VS-mode";
	case RV_CAUSE_MACHINE_ECALL: return "environment call from M-mode";
	case RV_CAUSE_FETCH_PAGE_FAULT: return "instruction page fault";
	case RV_CAUSE_LOAD_PAGE_FAULT: return "load page fault";
	case RV_CAUSE_STORE_PAGE_FAULT: return "store/AMO page fault";
	case RV_CAUSE_FETCH_GUEST_PAGE_FAULT: return "instruction guest-page fault";
	case RV_CAUSE_LOAD_GUEST_PAGE_FAULT: return "load guest-page fault";
	case RV_CAUSE_VIRTUAL_INSN: return "virtual instruction";
	case RV_CAUSE_STORE_GUEST_PAGE_FAULT: return "store/AMO guest-page fault";
	default: return "?";
	}
}

/*
 * A transformed load/store in htinst (8.6.4): the opcode's bits [6:2] say
 * LOAD or STORE, bit 1 says whether the original was 32-bit, funct3 the
 * width and sign, rd or rs2 the register. Returns false if htinst is not one.
 */
static bool transformed_ldst(uint64_t htinst, struct rv_ldst *ld)
{
	uint32_t t = (uint32_t)htinst;
	if ((t & 1) == 0 || htinst >> 32)
		return false;
	memset(ld, 0, sizeof(*ld));
	ld->len = (t & 2) ? 4 : 2;
	unsigned funct3 = (t >> 12) & 7;
	switch ((t >> 2) & 0x1f) {
	case 0x00: /* LOAD */
		if (funct3 == 7)
			return false;
		ld->is_load = true;
		ld->size = 1u << (funct3 & 3);
		ld->sign_extend = funct3 < 3;
		ld->reg = (t >> 7) & 31;
		return true;
	case 0x08: /* STORE */
		if (funct3 > 3)
			return false;
		ld->size = 1u << funct3;
		ld->reg = (t >> 20) & 31;
		return true;
	default:
		return false;
	}
}

static void guest_page_fault(const struct rv_trap *t, struct vcpu_exit *e)
{
	struct rv_ldst ld;
	uint64_t cause = t->scause;

	if (cause != RV_CAUSE_FETCH_GUEST_PAGE_FAULT && transformed_ldst(t->htinst, &ld) &&
	    ld.is_load == (cause == RV_CAUSE_LOAD_GUEST_PAGE_FAULT)) {
		e->reason = EXIT_MMIO;
		e->mmio.gpa = rv_fault_gpa(t);
		e->mmio.gva = t->stval;
		e->mmio.size = (uint8_t)ld.size;
		e->mmio.write = !ld.is_load;
		e->mmio.sign_extend = ld.sign_extend;
		e->mmio.reg_is_64 = true;
		e->mmio.reg = (uint8_t)ld.reg;
		e->insn_len = (uint8_t)ld.len;
		return;
	}
	/* No usable instruction: the hypervisor cannot emulate the access. */
	e->reason = EXIT_STAGE2_FAULT;
	e->s2fault.gpa = rv_fault_gpa(t);
	e->s2fault.gva = t->stval;
	e->s2fault.gva_valid = true;
	e->s2fault.access = cause == RV_CAUSE_FETCH_GUEST_PAGE_FAULT ? ACCESS_FETCH
			    : cause == RV_CAUSE_LOAD_GUEST_PAGE_FAULT ? ACCESS_READ
								      : ACCESS_WRITE;
	/*
	 * An implicit access: the guest's own walk read or updated a page table
	 * entry there. Its pseudoinstructions (8.6.3, table 8.12) are 0x2000 and
	 * 0x3000 (32- and 64-bit reads), 0x2020 and 0x3020 (writes).
	 */
	e->s2fault.s1ptw = (t->htinst & ~(uint64_t)0x1020) == 0x2000;
	/* Bytes accessed: the walk's entry (bit 12 of its pseudoinstruction: 64-bit), a fetch's parcel. */
	if (e->s2fault.s1ptw)
		e->s2fault.size = (t->htinst & 0x1000) ? 8 : 4;
	else if (cause == RV_CAUSE_FETCH_GUEST_PAGE_FAULT)
		e->s2fault.size = 4;
	else if (transformed_ldst(t->htinst, &ld))
		e->s2fault.size = (uint8_t)ld.size;
	e->s2fault.kind = FAULT_TRANSLATION; /* RISC-V reports one kind of guest-page fault */
	e->s2fault.level = -1;
}

static void virtual_insn(const struct rv_trap *t, struct vcpu_exit *e)
{
	uint32_t insn = (uint32_t)t->stval;

	e->insn_len = (uint8_t)rv_insn_length((uint16_t)insn);
	if (insn == INSN_WFI) {
		e->reason = EXIT_HALT;
		return;
	}
	if ((insn & 0x7f) == OP_SYSTEM && RV_CSR_FUNCT3(insn) != 0 && RV_CSR_FUNCT3(insn) != 4) {
		/* A CSR instruction: the number, and whether it writes (8.6.1). */
		unsigned f3 = RV_CSR_FUNCT3(insn), rs1 = (insn >> 15) & 31;
		e->reason = EXIT_SYSREG;
		e->sysreg.id = RV_CSR_NUM(insn);
		e->sysreg.reg = (uint8_t)((insn >> 7) & 31); /* rd */
		/* CSRRW(I) always writes; CSRRS/C(I) only with a non-zero rs1/uimm. */
		e->sysreg.write = (f3 & 3) == 1 || rs1 != 0;
		e->sysreg.op = (f3 & 3) == 1 ? SYSREG_OP_WRITE : (f3 & 3) == 2 ? SYSREG_OP_SET
										  : SYSREG_OP_CLEAR;
		/* The operand: x[rs1], or for the immediate forms the rs1 field itself (uimm). */
		e->sysreg.src = (f3 & 4) ? SYSREG_SRC_IMM : (uint8_t)rs1;
		e->sysreg.value = (f3 & 4) ? rs1 : 0;
		return;
	}
	e->reason = EXIT_FATAL;
	cv_snprintf(e->fatal.msg, sizeof(e->fatal.msg),
		    "virtual instruction exception for instruction 0x%08x", insn);
}

void rv_decode_trap(const struct rv_trap *t, struct vcpu_exit *e)
{
	memset(e, 0, sizeof(*e));
	e->pc = t->sepc;
	e->syndrome = t->scause;
	switch (t->scause) {
	case RV_CAUSE_FETCH_GUEST_PAGE_FAULT:
	case RV_CAUSE_LOAD_GUEST_PAGE_FAULT:
	case RV_CAUSE_STORE_GUEST_PAGE_FAULT:
		guest_page_fault(t, e);
		return;
	case RV_CAUSE_VS_ECALL:
		e->reason = EXIT_HYPERCALL;
		e->hypercall.conduit = CONDUIT_ECALL;
		e->insn_len = 4;
		return;
	case RV_CAUSE_VIRTUAL_INSN:
		virtual_insn(t, e);
		return;
	}
	e->reason = EXIT_FATAL;
	cv_snprintf(e->fatal.msg, sizeof(e->fatal.msg),
		    "unexpected trap to HS-mode: scause 0x%llx (%s), stval 0x%llx",
		    (unsigned long long)t->scause, rv_cause_name(t->scause),
		    (unsigned long long)t->stval);
}

void rv_exit_fill_operands(struct vcpu_exit *e, const uint64_t x[32])
{
	switch (e->reason) {
	case EXIT_MMIO:
		if (e->mmio.write) {
			uint64_t v = x[e->mmio.reg & 31];
			e->mmio.data = e->mmio.size == 8 ? v : v & ((1ULL << (8 * e->mmio.size)) - 1);
		}
		break;
	case EXIT_HYPERCALL:
		for (unsigned i = 0; i < 8; i++)
			e->hypercall.args[i] = x[10 + i]; /* a0..a7 */
		break;
	case EXIT_SYSREG:
		if (e->sysreg.write && e->sysreg.src != SYSREG_SRC_IMM)
			e->sysreg.value = x[e->sysreg.src & 31];
		break;
	default:
		break;
	}
}
