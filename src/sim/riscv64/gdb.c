/* SPDX-License-Identifier: MIT */
/*
 * The debugger's view of the simulated RISC-V hart: gdb's target
 * description, its register numbering, and the guest's stage-1 walk as
 * the paused vCPU sees it.
 *
 * gdb's own numbering (riscv-tdep.h: x0..x31, pc, f0..f31, then CSR n at
 * 65 + n, then the virtual "priv"); the g packet carries 0..64, the
 * contiguous part, and the CSRs are read and written one by one (p, P):
 *
 *   0..31      zero ra sp gp tp t0-t2 fp s1 a0-a7 s2-s11 t3-t6   8 bytes  vcpu->arch.x[]
 *   32         pc                                             8 bytes  vcpu->arch.pc
 *   33..64     ft0..ft11 etc. (f0..f31, D: 64 bits)           8 bytes  Unicorn
 *   66, 67, 68 fflags, frm, fcsr (CSRs 0x001..0x003)          4 bytes  Unicorn
 *   321        sstatus (0x100)   325 sie (0x104)   326 stvec (0x105)
 *   385        sscratch (0x140)  386 sepc (0x141)  387 scause (0x142)
 *   388        stval (0x143)     389 sip (0x144)   449 satp (0x180)   8 bytes  Unicorn
 *   4161       priv: the mode the hart runs in, 0 U, 1 S (3 M: only before the
 *              guest was entered, in the simulator's trampoline)  8 bytes  read-only
 *
 * While the vCPU is paused the register file (struct vcpu_arch) holds
 * x1..x31 and PC, which sim_arch_enter() writes into Unicorn before the
 * next run (before the first, t1 carries the entry point to the
 * simulator's trampoline, which zeroes t0 and t1: a debugger's write of
 * t0 or t1 before the first run is lost). The F/D registers and every CSR are
 * only in Unicorn (the register file's sie and sip are copies, refreshed
 * here after a write). Unicorn 2.0.1's API refuses S-mode CSRs while the
 * hart is in U-mode, and a refused read gives garbage (qstate.c): CSRs
 * are reached from M-mode, the hart put back in its mode after each
 * access (qstate.c), and fflags/frm/fcsr with mstatus.FS made non-zero
 * meanwhile (riscv_csrrw()'s fs predicate refuses them while the guest
 * has the FPU off), then FS put back. The hart has F and D (MISA
 * 0x800000000014112d: IMAFDCSU).
 *
 * Writes go where the next run reads them; one to an F register or an
 * FP CSR makes mstatus.FS Dirty if the guest has the FPU on. Caveats:
 * sip.SSIP, STIP and SEIP are made what the hypervisor asserts again at
 * the next entry (irq.c); a satp write does not drop translations QEMU cached under the
 * same ASID (the guest's own write would not either, without SFENCE.VMA);
 * priv is read-only.
 */
#include <string.h>

#include <arch/stage1.h>

#include <cvisor/lib.h>
#include <cvisor/walk.h>

#include "cpu.h"

#define REG_PC 32
#define REG_F0 33
#define CSR_BASE 65 /* gdb's regnum of CSR 0 */
#define REG_FFLAGS (CSR_BASE + 0x001)
#define REG_FRM (CSR_BASE + 0x002)
#define REG_FCSR (CSR_BASE + 0x003)
#define REG_PRIV (CSR_BASE + 4096)
#define NREGS 65 /* x0..x31, pc, f0..f31: the g packet */
#define MSTATUS_FS (3ULL << 13)

static const char target_xml[] = "<?xml version=\"1.0\"?>\n"
				 "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
				 "<target version=\"1.0\">\n"
				 "  <architecture>riscv:rv64</architecture>\n"
				 "  <xi:include href=\"riscv-64bit-cpu.xml\"/>\n"
				 "  <xi:include href=\"riscv-64bit-fpu.xml\"/>\n"
				 "  <xi:include href=\"riscv-64bit-csr.xml\"/>\n"
				 "  <xi:include href=\"riscv-64bit-virtual.xml\"/>\n"
				 "</target>\n";

/* The integer registers by their ABI names (RISC-V psABI, "Integer Register Convention"). */
static const char cpu_xml[] = "<?xml version=\"1.0\"?>\n"
			      "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
			      "<feature name=\"org.gnu.gdb.riscv.cpu\">\n"
			      "  <reg name=\"zero\" bitsize=\"64\" type=\"int\" regnum=\"0\"/>\n"
			      "  <reg name=\"ra\" bitsize=\"64\" type=\"code_ptr\"/>\n"
			      "  <reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
			      "  <reg name=\"gp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
			      "  <reg name=\"tp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
			      "  <reg name=\"t0\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"t1\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"t2\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"fp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
			      "  <reg name=\"s1\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"a0\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"a1\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"a2\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"a3\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"a4\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"a5\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"a6\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"a7\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s2\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s3\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s4\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s5\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s6\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s7\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s8\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s9\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s10\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"s11\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"t3\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"t4\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"t5\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"t6\" bitsize=\"64\" type=\"int\"/>\n"
			      "  <reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n"
			      "</feature>\n";

/* D-extension registers hold a double or a NaN-boxed single (ISA manual, "NaN Boxing"). */
static const char fpu_xml[] = "<?xml version=\"1.0\"?>\n"
			      "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
			      "<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
			      "  <union id=\"freg\">\n"
			      "    <field name=\"float\" type=\"ieee_single\"/>\n"
			      "    <field name=\"double\" type=\"ieee_double\"/>\n"
			      "  </union>\n"
			      "  <reg name=\"ft0\" bitsize=\"64\" type=\"freg\" regnum=\"33\"/>\n"
			      "  <reg name=\"ft1\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft2\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft3\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft4\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft5\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft6\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft7\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs0\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs1\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fa0\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fa1\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fa2\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fa3\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fa4\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fa5\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fa6\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fa7\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs2\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs3\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs4\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs5\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs6\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs7\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs8\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs9\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs10\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fs11\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft8\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft9\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft10\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"ft11\" bitsize=\"64\" type=\"freg\"/>\n"
			      "  <reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"66\"/>\n"
			      "  <reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"67\"/>\n"
			      "  <reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"68\"/>\n"
			      "</feature>\n";

/* The supervisor CSRs a guest kernel owns (Privileged Architecture v1.12, chapter 4). */
static const char csr_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
    "<feature name=\"org.gnu.gdb.riscv.csr\">\n"
    "  <reg name=\"sstatus\" bitsize=\"64\" type=\"int\" group=\"system\" regnum=\"321\"/>\n"
    "  <reg name=\"sie\" bitsize=\"64\" type=\"int\" group=\"system\" regnum=\"325\"/>\n"
    "  <reg name=\"stvec\" bitsize=\"64\" type=\"code_ptr\" group=\"system\" regnum=\"326\"/>\n"
    "  <reg name=\"sscratch\" bitsize=\"64\" type=\"int\" group=\"system\" regnum=\"385\"/>\n"
    "  <reg name=\"sepc\" bitsize=\"64\" type=\"code_ptr\" group=\"system\" regnum=\"386\"/>\n"
    "  <reg name=\"scause\" bitsize=\"64\" type=\"int\" group=\"system\" regnum=\"387\"/>\n"
    "  <reg name=\"stval\" bitsize=\"64\" type=\"int\" group=\"system\" regnum=\"388\"/>\n"
    "  <reg name=\"sip\" bitsize=\"64\" type=\"int\" group=\"system\" regnum=\"389\"/>\n"
    "  <reg name=\"satp\" bitsize=\"64\" type=\"int\" group=\"system\" regnum=\"449\"/>\n"
    "</feature>\n";

static const char virtual_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
    "<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
    "  <reg name=\"priv\" bitsize=\"64\" type=\"int\" group=\"system\" regnum=\"4161\"/>\n"
    "</feature>\n";

const char *sim_gdb_xml(const char *annex)
{
	static const struct sim_gdb_doc docs[] = {
	    {"target.xml", target_xml},
	    {"riscv-64bit-cpu.xml", cpu_xml},
	    {"riscv-64bit-fpu.xml", fpu_xml},
	    {"riscv-64bit-csr.xml", csr_xml},
	    {"riscv-64bit-virtual.xml", virtual_xml},
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

/* The supervisor CSRs of the description: gdb's regnum and Unicorn's id. */
static const struct {
	unsigned regno;
	int id;
} csrs[] = {
    {CSR_BASE + 0x100, UC_RISCV_REG_SSTATUS}, {CSR_BASE + 0x104, UC_RISCV_REG_SIE},
    {CSR_BASE + 0x105, UC_RISCV_REG_STVEC},   {CSR_BASE + 0x140, UC_RISCV_REG_SSCRATCH},
    {CSR_BASE + 0x141, UC_RISCV_REG_SEPC},    {CSR_BASE + 0x142, UC_RISCV_REG_SCAUSE},
    {CSR_BASE + 0x143, UC_RISCV_REG_STVAL},   {CSR_BASE + 0x144, UC_RISCV_REG_SIP},
    {CSR_BASE + 0x180, UC_RISCV_REG_SATP},
};

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
 * A CSR through the API, whatever mode the hart is in (qstate.c; the API
 * directly if QEMU's state is unknown: right in S-mode, where the guest
 * runs but for its user programs).
 */
static bool csr_access(struct sim_rv *s, int id, uint64_t *v, bool write)
{
	if (sim_rv_qstate_csr(s, id, v, write))
		return true;
	if (sim_rv_qstate_priv(s) >= 0)
		return false; /* known, and refused */
	return (write ? uc_reg_write(s->c.uc, id, v) : uc_reg_read(s->c.uc, id, v)) == UC_ERR_OK;
}

/*
 * fflags, frm or fcsr: QEMU refuses them while mstatus.FS is Off (a read
 * then gives garbage, measured), so FS is made Dirty for the access and
 * put back (a write of fcsr leaves it Dirty in QEMU, as a guest's own
 * write does on hardware, which the restore then undoes to what the
 * guest had).
 */
static bool fp_csr(struct sim_rv *s, int id, uint64_t *v, bool write)
{
	uint64_t mstatus = 0, on;

	if (!csr_access(s, UC_RISCV_REG_MSTATUS, &mstatus, false))
		return false;
	on = mstatus | MSTATUS_FS;
	if (!(mstatus & MSTATUS_FS) && !csr_access(s, UC_RISCV_REG_MSTATUS, &on, true))
		return false;
	bool ok = csr_access(s, id, v, write);
	if (!(mstatus & MSTATUS_FS))
		csr_access(s, UC_RISCV_REG_MSTATUS, &mstatus, true);
	return ok;
}

/*
 * The F registers changed: with the FPU on, mstatus.FS becomes Dirty, as
 * an instruction's write makes it (Privileged Architecture v1.12,
 * 3.1.6.6), so the guest's kernel saves them; with it Off it stays Off.
 */
static void fp_dirty(struct sim_rv *s)
{
	uint64_t mstatus = 0;

	if (csr_access(s, UC_RISCV_REG_MSTATUS, &mstatus, false) && (mstatus & MSTATUS_FS) &&
	    (mstatus & MSTATUS_FS) != MSTATUS_FS) {
		mstatus |= MSTATUS_FS;
		csr_access(s, UC_RISCV_REG_MSTATUS, &mstatus, true);
	}
}

/*
 * Reads or writes register regno of the paused hart (the numbering
 * above): the register file for x1..x31 and PC, Unicorn for the rest.
 * Returns the size in bytes, or -CV_EINVAL (no such register, a refused
 * access, a change of priv).
 */
int sim_gdb_reg(struct sim_cpu *c, unsigned regno, uint8_t *buf, bool write)
{
	struct sim_rv *s = (struct sim_rv *)c;
	struct vcpu_arch *a = &c->vcpu->arch;
	uint64_t v = 0;

	if (regno == 0) { /* x0 is hard-wired to zero: a write is ignored, as the ISA does */
		uint64_t zero = 0;
		return write ? 8 : xfer(&zero, buf, 8, false);
	}
	if (regno < 32)
		return xfer(&a->x[regno], buf, 8, write);
	if (regno == REG_PC)
		return xfer(&a->pc, buf, 8, write);
	if (regno >= REG_F0 && regno < REG_F0 + 32) {
		int id = UC_RISCV_REG_F0 + (int)(regno - REG_F0);
		if (write) {
			memcpy(&v, buf, 8);
			if (uc_reg_write(c->uc, id, &v) != UC_ERR_OK)
				return -CV_EINVAL;
			fp_dirty(s);
			return 8;
		}
		if (uc_reg_read(c->uc, id, &v) != UC_ERR_OK)
			return -CV_EINVAL;
		return xfer(&v, buf, 8, false);
	}
	if (regno >= REG_FFLAGS && regno <= REG_FCSR) {
		static const int ids[3] = {UC_RISCV_REG_FFLAGS, UC_RISCV_REG_FRM,
					   UC_RISCV_REG_FCSR};
		if (write)
			memcpy(&v, buf, 4);
		if (!fp_csr(s, ids[regno - REG_FFLAGS], &v, write))
			return -CV_EINVAL;
		uint32_t w = (uint32_t)v;
		return write ? 4 : xfer(&w, buf, 4, false);
	}
	if (regno == REG_PRIV) {
		int priv = sim_rv_qstate_priv(s);
		if (priv < 0)
			return -CV_EINVAL; /* unknown: nothing truthful to say */
		v = (uint64_t)priv;
		if (!write)
			return xfer(&v, buf, 8, false);
		uint64_t want;
		memcpy(&want, buf, 8);
		return want == v ? 8 : -CV_EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(csrs); i++) {
		if (csrs[i].regno != regno)
			continue;
		if (write)
			memcpy(&v, buf, 8);
		if (!csr_access(s, csrs[i].id, &v, write))
			return -CV_EINVAL;
		if (!write)
			return xfer(&v, buf, 8, false);
		sim_rv_irq_read(s);    /* the register file's copies of sie and sip */
		sim_rv_forget_code(s); /* mmu.c's view of satp and sstatus */
		return 8;
	}
	return -CV_EINVAL;
}

/*
 * The guest's stage 1 for va, as the paused hart would translate it now:
 * satp, sstatus.SUM/MXR and the mode from QEMU's state, read afresh (a
 * debugger's write may have changed them since mmu.c last looked); the
 * API if that state is unknown, the hart taken to be in S-mode. satp.MODE
 * Bare, or M-mode (only the simulator's trampoline runs there): the VA is
 * the physical address (Privileged Architecture v1.12, 4.1.11), with
 * every permission. A fault of any kind is -CV_EFAULT, res->fault saying
 * which.
 */
int sim_arch_s1_walk(struct sim_cpu *c, uint64_t va, enum access_kind access, struct s1_result *res,
		     walk_cb cb, void *ctx)
{
	struct sim_rv *s = (struct sim_rv *)c;
	struct rv_s1_regs r = {.priv = RV_PRIV_S};

	memset(res, 0, sizeof(*res));
	if (!sim_rv_qstate_read(s, &r)) {
		uc_reg_read(c->uc, UC_RISCV_REG_SATP, &r.satp);
		uc_reg_read(c->uc, UC_RISCV_REG_SSTATUS, &r.sstatus);
		r.sstatus &= RV_SSTATUS_SUM | RV_SSTATUS_MXR;
		r.priv = RV_PRIV_S;
	}
	if (r.satp >> 60 == RV_SATP_MODE_BARE || sim_rv_qstate_priv(s) == 3) {
		res->gpa = va;
		res->perm = PERM_RWX;
		return 0;
	}
	int rc = rv_s1_translate(&c->vcpu->vm->as, &r, va, access, res, cb, ctx);
	if (rc == -CV_EINVAL)
		res->fault = FAULT_OTHER; /* a satp MODE the walker does not know */
	return rc < 0 ? -CV_EFAULT : rc;
}
