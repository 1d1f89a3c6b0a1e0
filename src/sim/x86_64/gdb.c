/* SPDX-License-Identifier: MIT */
/*
 * The debugger's view of the simulated x86_64 CPU: gdb's target
 * description, its register numbering, and the guest's stage-1 walk as
 * the paused vCPU sees it.
 *
 * gdb's numbering (the g packet carries 0..63 in this order):
 *
 *   0..15   rax rbx rcx rdx rsi rdi rbp rsp r8..r15   8 bytes  vcpu->arch.gpr[]
 *   16      rip                                      8 bytes  vcpu->arch.rip
 *   17      eflags                                   4 bytes  vcpu->arch.rflags
 *   18..23  cs ss ds es fs gs (selectors)            4 bytes  Unicorn; read-only
 *   24..31  st0..st7 (ST(i), not R(i))              10 bytes  Unicorn
 *   32..39  fctrl fstat ftag fiseg fioff foseg fooff fop  4 bytes  Unicorn
 *   40..55  xmm0..xmm15                             16 bytes  Unicorn
 *   56      mxcsr                                    4 bytes  Unicorn
 *   57, 58  fs_base, gs_base                         8 bytes  Unicorn
 *   59..63  cr0 cr2 cr3 cr4 efer                     8 bytes  vcpu->arch; cr2 writable,
 *                                                             the others read-only
 *
 * While the vCPU is paused the register file (struct vcpu_arch) holds the
 * general registers, RIP and RFLAGS, which sim_arch_enter() writes into
 * Unicorn before the next run, and the guest's CR0, CR2, CR3, CR4 and
 * EFER (Unicorn's CR0 and CR3 are the shadow's, mmu.c). Segments, x87,
 * SSE and the FS/GS bases are only in Unicorn.
 *
 * Read-only registers: a write of the value they hold is accepted (a G
 * packet carries every register), any other is refused with -CV_EINVAL,
 * which gdb reports to the user. Loading a selector needs a descriptor
 * from the guest's GDT and CPL checks, and a CR0/CR3/CR4/EFER change
 * needs the shadow's mappings dropped and QEMU's mode flags rebuilt
 * (mmu.c): neither is done behind the guest's back.
 *
 * Names and features are the ones gdb's amd64 support looks for
 * (org.gnu.gdb.i386.core, .sse, .segments); the control registers are a
 * feature of cvisor's own, which gdb shows as plain registers.
 */
#include <string.h>

#include <arch/stage1.h>

#include <cvisor/lib.h>
#include <cvisor/walk.h>

#include "cpu.h"

#define REG_RIP 16
#define REG_EFLAGS 17
#define REG_CS 18
#define REG_ST0 24
#define REG_FCTRL 32
#define REG_XMM0 40
#define REG_MXCSR 56
#define REG_FS_BASE 57
#define REG_GS_BASE 58
#define REG_CR0 59
#define REG_CR2 60
#define REG_CR3 61
#define REG_CR4 62
#define REG_EFER 63
#define NREGS 64

static const char target_xml[] = "<?xml version=\"1.0\"?>\n"
				 "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
				 "<target version=\"1.0\">\n"
				 "  <architecture>i386:x86-64</architecture>\n"
				 "  <xi:include href=\"x86-64-core.xml\"/>\n"
				 "  <xi:include href=\"x86-64-sse.xml\"/>\n"
				 "  <xi:include href=\"x86-64-segments.xml\"/>\n"
				 "  <xi:include href=\"x86-64-control.xml\"/>\n"
				 "</target>\n";

/* RFLAGS (SDM Vol. 1, 3.4.3) and the x87 state (8.1) gdb expects in the core feature. */
static const char core_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "  <flags id=\"rflags_bits\" size=\"4\">\n"
    "    <field name=\"CF\" start=\"0\" end=\"0\"/>\n"
    "    <field name=\"\" start=\"1\" end=\"1\"/>\n"
    "    <field name=\"PF\" start=\"2\" end=\"2\"/>\n"
    "    <field name=\"AF\" start=\"4\" end=\"4\"/>\n"
    "    <field name=\"ZF\" start=\"6\" end=\"6\"/>\n"
    "    <field name=\"SF\" start=\"7\" end=\"7\"/>\n"
    "    <field name=\"TF\" start=\"8\" end=\"8\"/>\n"
    "    <field name=\"IF\" start=\"9\" end=\"9\"/>\n"
    "    <field name=\"DF\" start=\"10\" end=\"10\"/>\n"
    "    <field name=\"OF\" start=\"11\" end=\"11\"/>\n"
    "    <field name=\"NT\" start=\"14\" end=\"14\"/>\n"
    "    <field name=\"RF\" start=\"16\" end=\"16\"/>\n"
    "    <field name=\"VM\" start=\"17\" end=\"17\"/>\n"
    "    <field name=\"AC\" start=\"18\" end=\"18\"/>\n"
    "    <field name=\"VIF\" start=\"19\" end=\"19\"/>\n"
    "    <field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
    "    <field name=\"ID\" start=\"21\" end=\"21\"/>\n"
    "  </flags>\n"
    "  <reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>\n"
    "  <reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
    "  <reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
    "  <reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>\n"
    "  <reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
    "  <reg name=\"eflags\" bitsize=\"32\" type=\"rflags_bits\"/>\n"
    "  <reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
    "  <reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
    "  <reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
    "  <reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
    "  <reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
    "  <reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
    "  <reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "  <reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "  <reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "  <reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "  <reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "  <reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "  <reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "  <reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "  <reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "  <reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "  <reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "  <reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "  <reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "  <reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "  <reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "  <reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "</feature>\n";

/* An XMM register seen as lanes of every width, and MXCSR's bits (SDM Vol. 1, 10.2.3). */
static const char sse_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
    "<feature name=\"org.gnu.gdb.i386.sse\">\n"
    "  <vector id=\"xmm_f32\" type=\"ieee_single\" count=\"4\"/>\n"
    "  <vector id=\"xmm_f64\" type=\"ieee_double\" count=\"2\"/>\n"
    "  <vector id=\"xmm_i8\" type=\"int8\" count=\"16\"/>\n"
    "  <vector id=\"xmm_i16\" type=\"int16\" count=\"8\"/>\n"
    "  <vector id=\"xmm_i32\" type=\"int32\" count=\"4\"/>\n"
    "  <vector id=\"xmm_i64\" type=\"int64\" count=\"2\"/>\n"
    "  <union id=\"vec128\">\n"
    "    <field name=\"v4_float\" type=\"xmm_f32\"/>\n"
    "    <field name=\"v2_double\" type=\"xmm_f64\"/>\n"
    "    <field name=\"v16_int8\" type=\"xmm_i8\"/>\n"
    "    <field name=\"v8_int16\" type=\"xmm_i16\"/>\n"
    "    <field name=\"v4_int32\" type=\"xmm_i32\"/>\n"
    "    <field name=\"v2_int64\" type=\"xmm_i64\"/>\n"
    "    <field name=\"uint128\" type=\"uint128\"/>\n"
    "  </union>\n"
    "  <flags id=\"mxcsr_bits\" size=\"4\">\n"
    "    <field name=\"IE\" start=\"0\" end=\"0\"/>\n"
    "    <field name=\"DE\" start=\"1\" end=\"1\"/>\n"
    "    <field name=\"ZE\" start=\"2\" end=\"2\"/>\n"
    "    <field name=\"OE\" start=\"3\" end=\"3\"/>\n"
    "    <field name=\"UE\" start=\"4\" end=\"4\"/>\n"
    "    <field name=\"PE\" start=\"5\" end=\"5\"/>\n"
    "    <field name=\"DAZ\" start=\"6\" end=\"6\"/>\n"
    "    <field name=\"IM\" start=\"7\" end=\"7\"/>\n"
    "    <field name=\"DM\" start=\"8\" end=\"8\"/>\n"
    "    <field name=\"ZM\" start=\"9\" end=\"9\"/>\n"
    "    <field name=\"OM\" start=\"10\" end=\"10\"/>\n"
    "    <field name=\"UM\" start=\"11\" end=\"11\"/>\n"
    "    <field name=\"PM\" start=\"12\" end=\"12\"/>\n"
    "    <field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
    "  </flags>\n"
    "  <reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\" regnum=\"40\"/>\n"
    "  <reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>\n"
    "  <reg name=\"mxcsr\" bitsize=\"32\" type=\"mxcsr_bits\" group=\"vector\"/>\n"
    "</feature>\n";

static const char segments_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
    "<feature name=\"org.gnu.gdb.i386.segments\">\n"
    "  <reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"57\"/>\n"
    "  <reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
    "</feature>\n";

/* The control registers and EFER (SDM Vol. 3A, 2.5 and 2.2.1), cvisor's own feature. */
static const char control_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
    "<feature name=\"org.cvisor.x86.control\">\n"
    "  <reg name=\"cr0\" bitsize=\"64\" type=\"uint64\" group=\"system\" regnum=\"59\"/>\n"
    "  <reg name=\"cr2\" bitsize=\"64\" type=\"uint64\" group=\"system\"/>\n"
    "  <reg name=\"cr3\" bitsize=\"64\" type=\"uint64\" group=\"system\"/>\n"
    "  <reg name=\"cr4\" bitsize=\"64\" type=\"uint64\" group=\"system\"/>\n"
    "  <reg name=\"efer\" bitsize=\"64\" type=\"uint64\" group=\"system\"/>\n"
    "</feature>\n";

const char *sim_gdb_xml(const char *annex)
{
	static const struct sim_gdb_doc docs[] = {
	    {"target.xml", target_xml},          {"x86-64-core.xml", core_xml},
	    {"x86-64-sse.xml", sse_xml},         {"x86-64-segments.xml", segments_xml},
	    {"x86-64-control.xml", control_xml},
	};

	return sim_gdb_find_doc(docs, ARRAY_SIZE(docs), annex);
}

unsigned sim_gdb_pc_regno(void)
{
	return REG_RIP;
}

unsigned sim_gdb_nregs(void)
{
	return NREGS;
}

/* gdb's order of the general registers, as the register file's indices (enum x86_gpr). */
static const enum x86_gpr gdb_gprs[16] = {
    X86_RAX, X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI, X86_RBP, X86_RSP,
    X86_R8,  X86_R9,  X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

static const int seg_ids[6] = {
    UC_X86_REG_CS, UC_X86_REG_SS, UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_FS, UC_X86_REG_GS,
};

/* fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop, with the bits each has. */
static const struct {
	int id;
	uint64_t mask;
} x87_ctl[8] = {
    {UC_X86_REG_FPCW, 0xffff},    {UC_X86_REG_FPSW, 0xffff},    {UC_X86_REG_FPTAG, 0xffff},
    {UC_X86_REG_FCS, 0xffff},     {UC_X86_REG_FIP, 0xffffffff}, {UC_X86_REG_FDS, 0xffff},
    {UC_X86_REG_FDP, 0xffffffff}, {UC_X86_REG_FOP, 0x7ff},
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
 * A register of size bytes that lives in Unicorn: read (zero-extended, to
 * mask's bits: Unicorn fills only the register's own width) or written
 * there, where the next run finds it.
 */
static int uc_xfer(uc_engine *uc, int id, uint64_t mask, uint8_t *buf, int size, bool write)
{
	uint64_t v[2] = {0, 0};

	if (write) {
		memcpy(v, buf, (size_t)size);
		return uc_reg_write(uc, id, v) == UC_ERR_OK ? size : -CV_EINVAL;
	}
	if (uc_reg_read(uc, id, v) != UC_ERR_OK)
		return -CV_EINVAL;
	v[0] &= mask;
	memcpy(buf, v, (size_t)size);
	return size;
}

/* A register gdb may read but not change: a write of its own value is accepted. */
static int read_only(uint64_t v, uint8_t *buf, int size, bool write)
{
	uint64_t w = 0;

	if (!write)
		return xfer(&v, buf, size, false);
	memcpy(&w, buf, (size_t)size);
	return w == v ? size : -CV_EINVAL;
}

/*
 * ST(i), the x87 stack's register i from the top (what gdb's st0..st7
 * are, as FXSAVE stores them: SDM Vol. 1, 8.1.2), is physical register
 * (TOP + i) mod 8, TOP being FSW bits 13:11; Unicorn names the physical
 * ones (FP0..FP7 = R0..R7, measured). 10 bytes: the 64-bit significand,
 * then sign and exponent.
 */
static int st_xfer(uc_engine *uc, unsigned i, uint8_t *buf, bool write)
{
	struct {
		uint64_t mantissa;
		uint16_t exponent;
		uint8_t pad[6];
	} f = {0, 0, {0}};
	uint64_t fsw = 0;

	uc_reg_read(uc, UC_X86_REG_FPSW, &fsw);
	int id = UC_X86_REG_FP0 + (int)((((fsw >> 11) & 7) + i) & 7);
	if (write) {
		memcpy(&f.mantissa, buf, 8);
		memcpy(&f.exponent, buf + 8, 2);
		return uc_reg_write(uc, id, &f) == UC_ERR_OK ? 10 : -CV_EINVAL;
	}
	if (uc_reg_read(uc, id, &f) != UC_ERR_OK)
		return -CV_EINVAL;
	memcpy(buf, &f.mantissa, 8);
	memcpy(buf + 8, &f.exponent, 2);
	return 10;
}

/*
 * Reads or writes register regno of the paused vCPU (the numbering
 * above): the register file for what sim_arch_enter() restores and the
 * guest's control registers, Unicorn for the rest. Returns the size in
 * bytes, or -CV_EINVAL (no such register, or a change refused).
 */
int sim_gdb_reg(struct sim_cpu *c, unsigned regno, uint8_t *buf, bool write)
{
	struct vcpu_arch *a = &c->vcpu->arch;

	if (regno < 16)
		return xfer(&a->gpr[gdb_gprs[regno]], buf, 8, write);
	if (regno == REG_RIP)
		return xfer(&a->rip, buf, 8, write);
	if (regno == REG_EFLAGS) {
		uint32_t v = (uint32_t)a->rflags;
		int n = xfer(&v, buf, 4, write);
		if (write) /* bits 63:32 are reserved (SDM Vol. 1, 3.4.3.4) */
			a->rflags = v;
		return n;
	}
	if (regno >= REG_CS && regno < REG_CS + 6) {
		uint64_t sel = 0;
		uc_reg_read(c->uc, seg_ids[regno - REG_CS], &sel);
		return read_only(sel & 0xffff, buf, 4, write);
	}
	if (regno >= REG_ST0 && regno < REG_ST0 + 8)
		return st_xfer(c->uc, regno - REG_ST0, buf, write);
	if (regno >= REG_FCTRL && regno < REG_FCTRL + 8)
		return uc_xfer(c->uc, x87_ctl[regno - REG_FCTRL].id,
			       x87_ctl[regno - REG_FCTRL].mask, buf, 4, write);
	if (regno >= REG_XMM0 && regno < REG_XMM0 + 16)
		return uc_xfer(c->uc, UC_X86_REG_XMM0 + (int)(regno - REG_XMM0), ~0ULL, buf, 16,
			       write);
	if (regno == REG_MXCSR)
		return uc_xfer(c->uc, UC_X86_REG_MXCSR, 0xffffffff, buf, 4, write);
	if (regno == REG_FS_BASE)
		return uc_xfer(c->uc, UC_X86_REG_FS_BASE, ~0ULL, buf, 8, write);
	if (regno == REG_GS_BASE)
		return uc_xfer(c->uc, UC_X86_REG_GS_BASE, ~0ULL, buf, 8, write);
	switch (regno) {
	case REG_CR0:
		return read_only(a->cr0, buf, 8, write);
	case REG_CR2: /* only the guest's #PF handlers read it: it changes nothing else */
		return xfer(&a->cr2, buf, 8, write);
	case REG_CR3:
		return read_only(a->cr3, buf, 8, write);
	case REG_CR4:
		return read_only(a->cr4, buf, 8, write);
	case REG_EFER:
		return read_only(a->efer, buf, 8, write);
	default:
		return -CV_EINVAL;
	}
}

/*
 * The guest's stage 1 for va, as the paused vCPU would translate it: the
 * guest's CR0, CR3, CR4 and EFER from the register file (Unicorn's CR0
 * and CR3 are the shadow's), RFLAGS.AC from the register file too
 * (current while paused), the CPL from QEMU's state (exc.c). Paging off
 * (CR0.PG clear): the linear address is the physical one (SDM Vol. 3A,
 * 4.1.1), with every permission. The walker writes no accessed or dirty
 * flag: the debugger's look changes nothing. A fault of any kind (#PF,
 * a non-canonical address's #GP, a paging mode the walker does not
 * support) is -CV_EFAULT, res->fault saying which.
 */
int sim_arch_s1_walk(struct sim_cpu *c, uint64_t va, enum access_kind access, struct s1_result *res,
		     walk_cb cb, void *ctx)
{
	const struct vcpu_arch *a = &c->vcpu->arch;
	struct x86_s1_regs r = {.cr0 = a->cr0,
				.cr3 = a->cr3,
				.cr4 = a->cr4,
				.efer = a->efer,
				.rflags = a->rflags,
				.cpl = sim_x86_cpl((struct sim_x86 *)c)};

	memset(res, 0, sizeof(*res));
	if (!(a->cr0 & X86_CR0_PG)) {
		res->gpa = va;
		res->perm = PERM_RWX;
		return 0;
	}
	int rc = x86_s1_translate(&c->vcpu->vm->as, &r, va, access, res, cb, ctx);
	if (rc == -CV_ERANGE)
		res->fault = FAULT_ADDR_SIZE; /* non-canonical: #GP */
	else if (rc == -CV_ENOTSUP)
		res->fault = FAULT_OTHER;
	return rc < 0 ? -CV_EFAULT : rc;
}
