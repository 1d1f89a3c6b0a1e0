/* SPDX-License-Identifier: MIT */
/*
 * The debugger's view of the simulated AArch64 CPU: gdb's target
 * description, its register numbering, and the guest's stage-1 walk as
 * the paused vCPU sees it.
 *
 * gdb's numbering (the g packet carries 0..67 in this order):
 *
 *   0..30   x0..x30   8 bytes   vcpu->arch.x[]
 *   31      sp        8 bytes   vcpu->arch.sp_el1 at EL1h, else sp_el0 (ARM ARM D1.6.2)
 *   32      pc        8 bytes   vcpu->arch.pc
 *   33      cpsr      4 bytes   vcpu->arch.pstate (SPSR_EL2's view of PSTATE)
 *   34..65  v0..v31  16 bytes   Unicorn (the SIMD&FP registers are not in the register file)
 *   66      fpsr      4 bytes   Unicorn
 *   67      fpcr      4 bytes   Unicorn
 *
 * While the vCPU is paused the register file (struct vcpu_arch) is where
 * x0..x30, the stack pointers, PC and PSTATE are: sim_arch_enter() writes
 * them into Unicorn before the next run. The SIMD&FP registers are only
 * in Unicorn, which is idle then. Before the first run sim_arch_enter()
 * writes x0..x30 and PC only (Unicorn's reset state is the boot state for
 * the rest): a write to SP or CPSR then goes to Unicorn too.
 *
 * The feature and register names are the ones gdb's AArch64 support looks
 * for (org.gnu.gdb.aarch64.core: x0..x30, sp, pc, cpsr; .fpu: v0..v31,
 * fpsr, fpcr); the vector types are described here.
 */
#include <string.h>

#include <cvisor/lib.h>
#include <cvisor/walk.h>

#include "cpu.h"

#define REG_SP 31
#define REG_PC 32
#define REG_CPSR 33
#define REG_V0 34
#define REG_FPSR 66
#define REG_FPCR 67
#define NREGS 68

static const char target_xml[] = "<?xml version=\"1.0\"?>\n"
				 "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
				 "<target version=\"1.0\">\n"
				 "  <architecture>aarch64</architecture>\n"
				 "  <xi:include href=\"aarch64-core.xml\"/>\n"
				 "  <xi:include href=\"aarch64-fpu.xml\"/>\n"
				 "</target>\n";

/* PSTATE as SPSR_ELx lays it out (ARM ARM C5.2.19). */
static const char core_xml[] = "<?xml version=\"1.0\"?>\n"
			       "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
			       "<feature name=\"org.gnu.gdb.aarch64.core\">\n"
			       "  <flags id=\"cpsr_flags\" size=\"4\">\n"
			       "    <field name=\"SP\" start=\"0\" end=\"0\"/>\n"
			       "    <field name=\"EL\" start=\"2\" end=\"3\"/>\n"
			       "    <field name=\"nRW\" start=\"4\" end=\"4\"/>\n"
			       "    <field name=\"F\" start=\"6\" end=\"6\"/>\n"
			       "    <field name=\"I\" start=\"7\" end=\"7\"/>\n"
			       "    <field name=\"A\" start=\"8\" end=\"8\"/>\n"
			       "    <field name=\"D\" start=\"9\" end=\"9\"/>\n"
			       "    <field name=\"SSBS\" start=\"12\" end=\"12\"/>\n"
			       "    <field name=\"IL\" start=\"20\" end=\"20\"/>\n"
			       "    <field name=\"SS\" start=\"21\" end=\"21\"/>\n"
			       "    <field name=\"PAN\" start=\"22\" end=\"22\"/>\n"
			       "    <field name=\"UAO\" start=\"23\" end=\"23\"/>\n"
			       "    <field name=\"V\" start=\"28\" end=\"28\"/>\n"
			       "    <field name=\"C\" start=\"29\" end=\"29\"/>\n"
			       "    <field name=\"Z\" start=\"30\" end=\"30\"/>\n"
			       "    <field name=\"N\" start=\"31\" end=\"31\"/>\n"
			       "  </flags>\n"
			       "  <reg name=\"x0\" bitsize=\"64\" regnum=\"0\"/>\n"
			       "  <reg name=\"x1\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x2\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x3\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x4\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x5\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x6\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x7\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x8\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x9\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x10\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x11\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x12\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x13\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x14\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x15\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x16\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x17\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x18\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x19\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x20\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x21\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x22\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x23\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x24\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x25\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x26\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x27\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x28\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x29\" bitsize=\"64\"/>\n"
			       "  <reg name=\"x30\" bitsize=\"64\"/>\n"
			       "  <reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
			       "  <reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n"
			       "  <reg name=\"cpsr\" bitsize=\"32\" type=\"cpsr_flags\"/>\n"
			       "</feature>\n";

/*
 * A 128-bit V register seen as lanes of every width (ARM ARM A1.4.2,
 * "SIMD and floating-point registers"): the union gdb shows for $v0.
 */
static const char fpu_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
    "<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
    "  <vector id=\"lanes_d_f\" type=\"ieee_double\" count=\"2\"/>\n"
    "  <vector id=\"lanes_d_u\" type=\"uint64\" count=\"2\"/>\n"
    "  <vector id=\"lanes_d_s\" type=\"int64\" count=\"2\"/>\n"
    "  <vector id=\"lanes_s_f\" type=\"ieee_single\" count=\"4\"/>\n"
    "  <vector id=\"lanes_s_u\" type=\"uint32\" count=\"4\"/>\n"
    "  <vector id=\"lanes_s_s\" type=\"int32\" count=\"4\"/>\n"
    "  <vector id=\"lanes_h_f\" type=\"ieee_half\" count=\"8\"/>\n"
    "  <vector id=\"lanes_h_u\" type=\"uint16\" count=\"8\"/>\n"
    "  <vector id=\"lanes_h_s\" type=\"int16\" count=\"8\"/>\n"
    "  <vector id=\"lanes_b_u\" type=\"uint8\" count=\"16\"/>\n"
    "  <vector id=\"lanes_b_s\" type=\"int8\" count=\"16\"/>\n"
    "  <vector id=\"lanes_q_u\" type=\"uint128\" count=\"1\"/>\n"
    "  <vector id=\"lanes_q_s\" type=\"int128\" count=\"1\"/>\n"
    "  <union id=\"vnd\">\n"
    "    <field name=\"f\" type=\"lanes_d_f\"/>\n"
    "    <field name=\"u\" type=\"lanes_d_u\"/>\n"
    "    <field name=\"s\" type=\"lanes_d_s\"/>\n"
    "  </union>\n"
    "  <union id=\"vns\">\n"
    "    <field name=\"f\" type=\"lanes_s_f\"/>\n"
    "    <field name=\"u\" type=\"lanes_s_u\"/>\n"
    "    <field name=\"s\" type=\"lanes_s_s\"/>\n"
    "  </union>\n"
    "  <union id=\"vnh\">\n"
    "    <field name=\"f\" type=\"lanes_h_f\"/>\n"
    "    <field name=\"u\" type=\"lanes_h_u\"/>\n"
    "    <field name=\"s\" type=\"lanes_h_s\"/>\n"
    "  </union>\n"
    "  <union id=\"vnb\">\n"
    "    <field name=\"u\" type=\"lanes_b_u\"/>\n"
    "    <field name=\"s\" type=\"lanes_b_s\"/>\n"
    "  </union>\n"
    "  <union id=\"vnq\">\n"
    "    <field name=\"u\" type=\"lanes_q_u\"/>\n"
    "    <field name=\"s\" type=\"lanes_q_s\"/>\n"
    "  </union>\n"
    "  <union id=\"aarch64v\">\n"
    "    <field name=\"d\" type=\"vnd\"/>\n"
    "    <field name=\"s\" type=\"vns\"/>\n"
    "    <field name=\"h\" type=\"vnh\"/>\n"
    "    <field name=\"b\" type=\"vnb\"/>\n"
    "    <field name=\"q\" type=\"vnq\"/>\n"
    "  </union>\n"
    "  <reg name=\"v0\" bitsize=\"128\" type=\"aarch64v\" regnum=\"34\"/>\n"
    "  <reg name=\"v1\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v2\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v3\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v4\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v5\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v6\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v7\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v8\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v9\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v10\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v11\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v12\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v13\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v14\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v15\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v16\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v17\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v18\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v19\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v20\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v21\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v22\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v23\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v24\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v25\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v26\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v27\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v28\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v29\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v30\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"v31\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "  <reg name=\"fpsr\" bitsize=\"32\"/>\n"
    "  <reg name=\"fpcr\" bitsize=\"32\"/>\n"
    "</feature>\n";

const char *sim_gdb_xml(const char *annex)
{
	static const struct sim_gdb_doc docs[] = {
	    {"target.xml", target_xml},
	    {"aarch64-core.xml", core_xml},
	    {"aarch64-fpu.xml", fpu_xml},
	};

	return sim_gdb_find_doc(docs, ARRAY_SIZE(docs), annex);
}

unsigned sim_gdb_pc_regno(void)
{
	return REG_PC;
}

unsigned sim_gdb_nregs(void)
{
	return NREGS;
}

/* SP_EL1 is the stack pointer at EL1h only; EL0 and EL1t use SP_EL0 (ARM ARM D1.6.2). */
static uint64_t *current_sp(struct vcpu_arch *a)
{
	return (a->pstate & 0xf) == A64_PSTATE_EL1H ? &a->sp_el1 : &a->sp_el0;
}

/* Copies a register of size bytes between v and buf, by direction. */
static int xfer(void *v, uint8_t *buf, int size, bool write)
{
	if (write)
		memcpy(v, buf, (size_t)size);
	else
		memcpy(buf, v, (size_t)size);
	return size;
}

/*
 * A register that lives in Unicorn (the V registers, FPSR, FPCR): read or
 * written there, where the next run finds it.
 */
static int uc_xfer(uc_engine *uc, int id, uint8_t *buf, int size, bool write)
{
	uint64_t v[2] = {0, 0}; /* Unicorn's 128-bit registers: low quadword first */

	if (write) {
		memcpy(v, buf, (size_t)size);
		return uc_reg_write(uc, id, v) == UC_ERR_OK ? size : -CV_EINVAL;
	}
	if (uc_reg_read(uc, id, v) != UC_ERR_OK)
		return -CV_EINVAL;
	memcpy(buf, v, (size_t)size);
	return size;
}

/*
 * Reads or writes register regno of the paused vCPU (the numbering
 * above): the register file for what sim_arch_enter() restores, Unicorn
 * for the rest. Returns the size in bytes, or -CV_EINVAL.
 */
int sim_gdb_reg(struct sim_cpu *c, unsigned regno, uint8_t *buf, bool write)
{
	struct sim_a64 *s = (struct sim_a64 *)c;
	struct vcpu_arch *a = &c->vcpu->arch;

	if (regno < 31)
		return xfer(&a->x[regno], buf, 8, write);
	if (regno == REG_SP) {
		int n = xfer(current_sp(a), buf, 8, write);
		/* The first entry does not restore it: Unicorn's is the live SP until then. */
		if (write && !s->started)
			uc_reg_write(c->uc, UC_ARM64_REG_SP, current_sp(a));
		return n;
	}
	if (regno == REG_PC)
		return xfer(&a->pc, buf, 8, write);
	if (regno == REG_CPSR) {
		uint32_t v = (uint32_t)a->pstate;
		int n = xfer(&v, buf, 4, write);
		if (write) {
			a->pstate = (a->pstate & ~0xffffffffULL) | v;
			if (!s->started)
				uc_reg_write(c->uc, UC_ARM64_REG_PSTATE, &a->pstate);
		}
		return n;
	}
	if (regno >= REG_V0 && regno < REG_V0 + 32)
		return uc_xfer(c->uc, UC_ARM64_REG_V0 + (int)(regno - REG_V0), buf, 16, write);
	if (regno == REG_FPSR)
		return uc_xfer(c->uc, UC_ARM64_REG_FPSR, buf, 4, write);
	if (regno == REG_FPCR)
		return uc_xfer(c->uc, UC_ARM64_REG_FPCR, buf, 4, write);
	return -CV_EINVAL;
}

/* A system register by its encoding (op0, op1, CRn, CRm, op2), 0 if Unicorn refuses it. */
static uint64_t cp_read(uc_engine *uc, int op0, int op1, int crn, int crm, int op2)
{
	uc_arm64_cp_reg r = {.crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2};
	return uc_reg_read(uc, UC_ARM64_REG_CP_REG, &r) == UC_ERR_OK ? r.val : 0;
}

/*
 * The guest's stage 1 for va, as the paused vCPU would translate it: the
 * translation registers the guest writes natively (SCTLR_EL1, TCR_EL1,
 * TTBR0/1_EL1) from Unicorn, where they live; the exception level from
 * the register file's PSTATE, which is current while the vCPU is paused
 * (Unicorn's may be older). SCTLR_EL1.M clear: the VA is the IPA (ARM ARM
 * D8.2.10), with every permission. A fault of any kind is -CV_EFAULT,
 * res->fault saying which.
 */
int sim_arch_s1_walk(struct sim_cpu *c, uint64_t va, enum access_kind access, struct s1_result *res,
		     walk_cb cb, void *ctx)
{
	struct a64_s1_regs r = {
	    .sctlr = cp_read(c->uc, 3, 0, 1, 0, 0),   /* SCTLR_EL1 */
	    .tcr = cp_read(c->uc, 3, 0, 2, 0, 2),     /* TCR_EL1 */
	    .ttbr0 = cp_read(c->uc, 3, 0, 2, 0, 0),   /* TTBR0_EL1 */
	    .ttbr1 = cp_read(c->uc, 3, 0, 2, 0, 1),   /* TTBR1_EL1 */
	    .el0 = (c->vcpu->arch.pstate & 0xc) == 0, /* PSTATE.EL, bits [3:2] */
	};

	memset(res, 0, sizeof(*res));
	if (!(r.sctlr & 1)) {
		res->gpa = va;
		res->perm = PERM_RWX;
		return 0;
	}
	int rc = a64_s1_translate(&c->vcpu->vm->as, &r, va, access, res, cb, ctx);
	return rc < 0 ? -CV_EFAULT : rc;
}
