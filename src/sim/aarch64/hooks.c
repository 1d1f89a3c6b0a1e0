/* SPDX-License-Identifier: MIT */
/*
 * The simulated AArch64 virtualization hardware: what the guest does, as
 * Unicorn's hooks and stops report it, becomes the exit an EL2 hypervisor
 * would see.
 *
 *   guest does                  Unicorn reports            cvisor sees
 *   load/store to a device      MMIO callback              ESR_EL2 data abort (EC 0x24)
 *   load/store to no RAM        catch-all MMIO callback    ESR_EL2 data abort (EC 0x24)
 *   fetch from no RAM           UC_ERR_FETCH_*             ESR_EL2 instruction abort (EC 0x20)
 *   HVC / SMC                   interrupt hook 11 / 13     ESR_EL2 EC 0x16 / 0x17
 *   MRS/MSR of a trapped reg    instruction hook           ESR_EL2 EC 0x18
 *   WFI / WFE                   uc_emu_start returns       ESR_EL2 EC 0x01
 *   SVC, BRK, UDF, own aborts   interrupt hook             (the guest's own: sent to VBAR_EL1)
 *   IRQs unmasked, vGIC IRQ     nothing (HCR_EL2.VI set)   (the guest's own: Unicorn takes it)
 *   IC IALLU(IS) / IC IVAU      instruction hook           (other vCPUs drop translated code)
 *
 * The syndromes are built exactly as the hardware would, then decoded by
 * the same a64_decode_trap() that hal_bare uses. Exits from a callback
 * are taken there, in the middle of the instruction (sim_cpu_exit_now());
 * exits that stop the CPU are described when uc_emu_start() returns
 * (sim_arch_stopped()): docs/simulator.md, "Two paths of an exit".
 *
 * Unicorn's address space is the VM's guest-physical space: RAM is mapped
 * as stage 2 maps it (found by walking the stage-2 tables), each device
 * window is an MMIO region, and every other address up to the top of the
 * address space is a catch-all MMIO region whose callback is the stage-2
 * fault path (src/sim/uc_map.c).
 *
 * The top file of src/sim/aarch64/: calls exc.c, mmu.c and switch.c.
 */
#include <stdlib.h>
#include <string.h>

#include <arch/hypercall.h>
#include <arch/trap.h>
#include <arch/insn.h>
#include <arch/irq.h>
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include <cvisor/walk.h>

#include "cpu.h"

/* Guest-physical addresses the simulator covers (48-bit PA). */
#define PA_LIMIT 0xfffffffffffff000ULL
#define INSN_WFI 0xd503207fu
#define INSN_WFE 0xd503205fu


/* ---- Finding the instruction behind an access -------------------------- */

/* DC ZVA's block in bytes: DCZID_EL0.BS is its log2 in 4-byte words (ARM ARM D17.2.33). */
static unsigned zva_block(struct sim_a64 *s)
{
	uc_arm64_cp_reg r = { .crn = 0, .crm = 0, .op0 = 3, .op1 = 3, .op2 = 7 };

	if (uc_reg_read(s->c.uc, UC_ARM64_REG_CP_REG, &r) != UC_ERR_OK)
		return 64;
	return 4u << (r.val & 0xf);
}

/*
 * Inside a memory callback the guest registers are those the accessing
 * instruction sees (TCG writes them back before every load/store helper);
 * pc is that instruction (access_pc()). Decodes it into *ld and its
 * effective address *ea. Returns false if it is not a data access in that
 * direction.
 */
static bool decode_insn(struct sim_a64 *s, uint64_t pc, bool write, const uint64_t x[31],
			uint64_t sp, struct a64_ldst *ld, uint64_t *ea)
{
	if (!a64_decode_access(sim_a64_fetch(s, pc), zva_block(s), ld) || ld->is_load == write)
		return false;
	*ea = a64_ldst_address(ld, pc, x, sp);
	return true;
}

/*
 * Is the callback's piece [gpa, gpa + size) part of the access [ea, ea +
 * ld->bytes)? Unicorn cuts an access into aligned pieces of at most 4
 * bytes of the 8-byte words that hold it, which may start before the
 * access, and an access that crosses a
 * page into one run per page: the piece lies in the page of the access's
 * first byte or of its last. Returns true with *va and *fault_gpa the
 * access's first byte in the piece's page: the address the hardware
 * reports (FAR_EL2, HPFAR_EL2) for a fault on that page.
 */
static bool piece_of_access(const struct a64_ldst *ld, uint64_t ea, gpa_t gpa, unsigned size,
			    uint64_t *va, gpa_t *fault_gpa)
{
	uint64_t last = ea + ld->bytes - 1;
	uint64_t pages[2] = { ea & ~0xfffULL, last & ~0xfffULL };

	/* An unaligned access is read as the aligned 8-byte words that hold it. */
	for (int i = 0; i < 2; i++) {
		uint64_t piece = pages[i] | (gpa & 0xfff);
		if (piece <= (last | 7) && piece + size > (ea & ~7ULL)) {
			*va = ea > pages[i] ? ea : pages[i];
			*fault_gpa = (gpa & ~0xfffULL) | (*va & 0xfff);
			return true;
		}
	}
	return false;
}

/*
 * Is a read callback for gpa really an instruction fetch? Unicorn fetches
 * code from an executable window through its read callback
 * (sim_map_exec_windows()) while PC is the start of the block being
 * translated: the fetch is in PC's page or the next one, and there is no
 * RAM there to hold a load instruction.
 */
static bool is_fetch(struct sim_a64 *s, uint64_t pc, gpa_t gpa)
{
	gpa_t code = pc;
	if (sim_a64_mmu_on(s)) {
		struct s1_result res;
		if (sim_a64_s1_walk(s, pc, ACCESS_FETCH, &res, "instruction fetch") < 0)
			return false;
		code = res.gpa;
	}
	gpa_t page = code & ~0xfffULL;
	return (gpa & ~0xfffULL) - page <= 0x1000 && addrspace_read(&s->c.vcpu->vm->as, code,
								      &(uint32_t){ 0 }, 4) < 0;
}

/* The fault status code (DFSC/IFSC, ARM ARM D17.2.40) of a walk's fault at level. */
static unsigned fsc_of(enum walk_fault fault, int level)
{
	level = level < 0 ? 0 : level;
	switch (fault) {
	case FAULT_PERMISSION:
		return FSC_PERM(level);
	case FAULT_ACCESS_FLAG:
		return FSC_ACCESS(level);
	case FAULT_ADDR_SIZE:
		return FSC_ADDR_SIZE(level);
	default:
		return FSC_TRANS(level);
	}
}

/* DFSC for an access to gpa, from where the stage-2 walk stops. */
static unsigned stage2_fsc(struct sim_a64 *s, gpa_t gpa, enum access_kind access)
{
	struct s2_result res;
	if (stage2_translate(&s->c.vcpu->vm->as.s2, gpa, access, &res, NULL, NULL) == 0)
		return FSC_PERM(3); /* mapped: Unicorn refused it for its permissions */
	return fsc_of(res.fault, res.level);
}

/*
 * Reads len bytes of code at guest virtual address va, all in one page,
 * through the guest's stage 1 walked without a trace (the scan below
 * reads whole pages; the instruction it finds is then read as before,
 * traced). False if they are not in RAM.
 */
static bool read_code(struct sim_a64 *s, uint64_t va, void *buf, unsigned len)
{
	const struct addrspace *as = &s->c.vcpu->vm->as;
	gpa_t gpa = va;
	if (sim_a64_mmu_on(s)) {
		struct a64_s1_regs r;
		struct s1_result res;
		sim_a64_s1_regs(s, &r);
		if (a64_s1_translate(as, &r, va, ACCESS_FETCH, &res, NULL, NULL) < 0)
			return false;
		gpa = res.gpa;
	}
	return addrspace_read(as, gpa, buf, len) == 0;
}

static uint64_t piece_value(uint64_t data, gpa_t base, gpa_t gpa, unsigned size);

/* The access a candidate instruction would make now, and the device piece to explain. */
struct piece {
	gpa_t gpa;          /* the piece Unicorn hands over: [gpa, gpa + size) */
	unsigned size;
	bool write;
	uint64_t value;     /* a write's bytes */
	bool mmu_on;
	struct a64_s1_regs s1; /* the guest's stage-1 registers, when mmu_on */
	const uint64_t *x;  /* the guest's registers, as the access sees them */
	uint64_t sp;
	unsigned zva;       /* DC ZVA's block in bytes */
};

/* The bytes of a write's piece at gpa, if the single register store ld at ea made it. */
static bool store_value_matches(const struct a64_ldst *ld, uint64_t ea, const struct piece *p)
{
	if (ld->is_pair || ld->simd || ld->zva || ((ea ^ (ea + ld->bytes - 1)) & ~0xfffULL))
		return true; /* not checked: several registers, or the access crosses a page */
	uint64_t data = ld->rt == 31 ? 0 : p->x[ld->rt]; /* Rt 31 is XZR */
	if (ld->size < 8)
		data &= (1ULL << (8 * ld->size)) - 1;
	uint64_t mask = p->size >= 8 ? ~0ULL : (1ULL << (8 * p->size)) - 1;
	gpa_t base = (p->gpa & ~0xfffULL) | (ea & 0xfff);
	return (p->value & mask) == piece_value(data, base, p->gpa, p->size);
}

/*
 * Could the instruction insn at pc have made the access p: a data access
 * in its direction whose effective address, from the registers now, covers
 * the piece (through the guest's stage 1 when it is on), with the piece's
 * bytes for a store? With the MMU on, also when the guest's walk for that
 * address reads a table descriptor at the piece (walk: the access of
 * s1_outcome()'s S1PTW case).
 */
static bool may_explain(struct sim_a64 *s, uint32_t insn, uint64_t pc, const struct piece *p,
			bool walk)
{
	const struct addrspace *as = &s->c.vcpu->vm->as;
	enum access_kind access = p->write ? ACCESS_WRITE : ACCESS_READ;
	struct a64_ldst ld;
	struct s1_result res;
	uint64_t va;
	gpa_t fgpa;

	if (!a64_decode_access(insn, p->zva, &ld) || ld.is_load == p->write)
		return false;
	uint64_t ea = a64_ldst_address(&ld, pc, p->x, p->sp);
	if (walk)
		return p->mmu_on &&
		       a64_s1_translate(as, &p->s1, ea, access, &res, NULL, NULL) < 0 &&
		       res.fault == FAULT_TABLE_NOT_RAM && p->gpa - res.gpa < 8;
	if (!piece_of_access(&ld, ea, p->gpa, p->size, &va, &fgpa) ||
	    (p->write && !store_value_matches(&ld, ea, p)))
		return false;
	if (!p->mmu_on)
		return !((va ^ p->gpa) & ~0xfffULL);
	return a64_s1_translate(as, &p->s1, va, access, &res, NULL, NULL) == 0 &&
	       !((res.gpa ^ p->gpa) & ~0xfffULL);
}

#define PAGE_INSNS 1024
#define MAX_CANDIDATES 8

/*
 * The candidates for p in the code page at page, in the order of their
 * distance forward from pc (wrapping around the page): up to
 * MAX_CANDIDATES into cand[]. Returns how many.
 */
static unsigned scan_page(struct sim_a64 *s, uint64_t page, uint64_t pc, const struct piece *p,
			  bool walk, uint64_t cand[MAX_CANDIDATES])
{
	uint32_t code[PAGE_INSNS];
	unsigned n = 0;

	if (!read_code(s, page, code, sizeof(code)))
		return 0;
	unsigned first = (unsigned)((pc - page) & 0xfff) / 4;
	for (unsigned k = 0; k < PAGE_INSNS && n < MAX_CANDIDATES; k++) {
		unsigned i = (first + k) % PAGE_INSNS;
		if (may_explain(s, code[i], page + 4 * i, p, walk))
			cand[n++] = page + 4 * i;
	}
	return n;
}

/*
 * The instruction that made the access p. Without a memory hook Unicorn's
 * PC is stale in a device callback: the start of the running block, or
 * of an earlier block chained to it in the same page (../shared/notes,
 * "Memory-bound guests"). A known site whose code hook ran in this block
 * is the instruction if it explains the access; else the code page of
 * the running block's start (then the next page, into which a block may
 * run on) is scanned for the loads and stores that explain it. Each one
 * found becomes a site (sim_cpu_site_add()), so the next access it makes
 * is known at once; of several, the first forward from the block's start
 * is taken, or from the instruction
 * of an earlier access in this block (two alike: `strb w0, [x19]` twice,
 * w0 changed between them, the second is explained by both with the
 * registers as they are then). Returns the PC itself
 * when nothing explains the access (an instruction fetch from a window, a
 * guest that changed its code).
 */
static uint64_t access_pc(struct sim_a64 *s, const struct piece *p)
{
	uint64_t pc, site, cand[MAX_CANDIDATES];
	uint32_t insn;
	unsigned n = 0;

	uc_reg_read(s->c.uc, UC_ARM64_REG_PC, &pc);
	if (sim_cpu_site_take(&s->c, &site) && read_code(s, site, &insn, 4) &&
	    (may_explain(s, insn, site, p, false) || may_explain(s, insn, site, p, true))) {
		sim_cpu_site_made(&s->c, site);
		return site;
	}
	/* After an earlier access of this block, the first candidate after its instruction. */
	uint64_t from = sim_cpu_block_start(&s->c);
	if (sim_cpu_site_made_before(&s->c, &site))
		from = site + 4;
	uint64_t page = from & ~0xfffULL;
	for (int walk = 0; walk < (p->mmu_on ? 2 : 1) && n == 0; walk++) {
		n = scan_page(s, page, from, p, walk, cand);
		if (n == 0)
			n = scan_page(s, page + 0x1000, page + 0x1000, p, walk, cand);
	}
	for (unsigned i = 0; i < n; i++)
		sim_cpu_site_add(&s->c, cand[i]);
	if (n == 0)
		return pc;
	sim_cpu_site_made(&s->c, cand[0]);
	return cand[0];
}

/* ---- Data aborts: devices, catch-all, protection ------------------------ */

/*
 * Takes a decoded exit now, with the register file up to date (the first
 * path of an exit). Returns true if the core made it an abort for the
 * guest, taken at once (the access does not complete).
 */
static bool dispatch(struct sim_a64 *s, struct vcpu_exit *exit, const uint64_t x[31], uint64_t pc)
{
	if (x != s->c.vcpu->arch.x) /* a hypercall reads its registers into the file itself */
		memcpy(s->c.vcpu->arch.x, x, sizeof(s->c.vcpu->arch.x));
	s->c.vcpu->arch.pc = pc;
	sim_cpu_exit_now(&s->c, exit);
	if (!sim_a64_take_injected(s))
		return false;
	s->aborted = true;
	uc_reg_read(s->c.uc, UC_ARM64_REG_PC, &s->abort_pc);
	return true;
}

/*
 * The same for an exit of an instruction fetch (or of the walk made for
 * one), taken while Unicorn translates the block there: an abort the core
 * injects for it is taken at the next entry (switch.c), with the CPU
 * stopped now, so that the block, translated from no memory, never runs.
 */
static void dispatch_fetch(struct sim_a64 *s, struct vcpu_exit *exit, const uint64_t x[31],
			   uint64_t pc)
{
	memcpy(s->c.vcpu->arch.x, x, sizeof(s->c.vcpu->arch.x));
	s->c.vcpu->arch.pc = pc;
	sim_cpu_exit_now(&s->c, exit);
	if (s->c.vcpu->arch.inject.pending) {
		s->c.block_stop = true; /* an EXIT_NONE (sim_arch_stopped()) */
		s->c.stop_pc = pc;      /* where the abort is taken from */
		uc_emu_stop(s->c.uc);
	}
}

/* Builds the exit for an instruction fetch at va from a GPA RAM does not serve. */
static void fetch_abort(struct sim_a64 *s, uint64_t va, gpa_t gpa, struct vcpu_exit *exit)
{
	struct a64_trap t = {
		.esr = ((uint64_t)EC_IABT_LOW << ESR_EC_SHIFT) | ESR_IL |
		       stage2_fsc(s, gpa, ACCESS_FETCH),
		.far = va,
		.hpfar = a64_hpfar_from_gpa(gpa),
		.pc = va,
	};
	a64_decode_trap(&t, exit);
	exit->s2fault.size = 4;
}

/* ---- A device access happens once ---------------------------------------- */

/* The bytes of the device's value for the piece [gpa, gpa + size) of an access at base. */
static uint64_t piece_value(uint64_t data, gpa_t base, gpa_t gpa, unsigned size)
{
	uint64_t v = 0;
	if (gpa >= base && gpa - base < 8)
		v = data >> (8 * (gpa - base));
	else if (gpa < base && base - gpa < 8)
		v = data << (8 * (base - gpa));
	return size >= 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

/*
 * A piece of the device access s->mmio already performed: answered from
 * it (*val for a read; a write's data went to the device in full with its
 * first piece). Once every byte of the access has been given out, the
 * record ends, unless the CPU was stopped inside the access: Unicorn then
 * runs the instruction again from its translation block's start (notes,
 * "Memory-bound guests"), and that second execution is answered from the
 * record too, so a read with a side effect (a receive FIFO) happens once.
 */
static bool mmio_done_serves(struct sim_a64 *s, uint64_t pc, gpa_t gpa, unsigned size, bool write,
			     uint64_t *val)
{
	struct mmio_done *d = &s->mmio;

	if (!d->valid || d->pc != pc || d->write != write || gpa >= d->gpa + d->size ||
	    gpa + size <= d->gpa) {
		d->valid = false;
		return false;
	}
	*val = write ? 0 : piece_value(d->data, d->gpa, gpa, size);
	for (gpa_t b = gpa; b < gpa + size; b++)
		if (b >= d->gpa && b < d->gpa + d->size)
			d->left &= ~(1u << (b - d->gpa));
	if (d->left == 0) {
		d->valid = d->replay;
		d->replay = false;
		d->left = (1u << d->size) - 1;
	}
	return true;
}

/*
 * Is the CPU about to leave the guest: the VM stopped, a kick (a stage-2
 * change, the time limit, another thread), an exit waiting to be reported?
 */
static bool cpu_leaving(struct sim_a64 *s)
{
	return !vm_running(s->c.vcpu->vm) || s->c.kicked || s->c.have_pending;
}

/* Records the device access exit just performed for the piece [gpa, gpa + size). */
static void mmio_done_record(struct sim_a64 *s, uint64_t pc, const struct vcpu_exit *exit,
			     gpa_t gpa, unsigned size)
{
	uint64_t ignored;

	s->mmio = (struct mmio_done){
		.valid = true, .pc = pc, .gpa = exit->mmio.gpa, .size = exit->mmio.size,
		.write = exit->mmio.write, .data = exit->mmio.data,
		.left = (1u << exit->mmio.size) - 1, .replay = cpu_leaving(s),
	};
	mmio_done_serves(s, pc, gpa, size, exit->mmio.write, &ignored);
}

/* ---- Faults the guest takes itself, seen from a device callback ---------- */

static unsigned pa_bits(struct sim_a64 *s);
static void walk_abort(struct sim_a64 *s, uint64_t pc, uint64_t va, gpa_t desc, bool data);

/*
 * Output address bits of the guest's stage 1: TCR_EL1.IPS (bits [34:32]),
 * at most the CPU's physical range (ARM ARM D8.2.7 "Output address size").
 */
static unsigned ips_bits(struct sim_a64 *s)
{
	static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52, 52 };
	struct a64_s1_regs r;

	sim_a64_s1_regs(s, &r);
	unsigned ips = bits[(r.tcr >> 32) & 7], pa = pa_bits(s);
	return ips < pa ? ips : pa;
}

/*
 * With the guest's MMU on, an access reaches a device or catch-all window
 * by its physical address, which Unicorn's own walk found. Two outcomes of
 * that walk are not the stage-2 fault they look like:
 * - the window was read by the walk itself (a table descriptor that is
 *   not RAM): a stage-2 fault on the stage-1 walk (S1PTW);
 * - the output address is wider than TCR_EL1.IPS: the guest's own address
 *   size fault at the leaf's level, which Unicorn's walker does not check
 *   (ARM ARM D8.2.7, D17.2.40 DFSC 0b0000LL).
 * Returns true if it took one of them (the guest's fault is delivered).
 */
static bool s1_outcome(struct sim_a64 *s, uint64_t pc, uint64_t va, bool write, bool data_piece)
{
	struct s1_result res;
	enum access_kind access = write ? ACCESS_WRITE : ACCESS_READ;
	int rc = sim_a64_s1_walk(s, va, access, &res, write ? "mmio write" : "mmio read");

	if (rc < 0 && res.fault == FAULT_TABLE_NOT_RAM) {
		walk_abort(s, pc, va, res.gpa, true);
		return true;
	}
	if (rc < 0 || !data_piece || !(res.gpa >> ips_bits(s)))
		return false;
	sim_a64_deliver_sync(s, ((uint64_t)EC_DABT_CUR << ESR_EC_SHIFT) | ESR_IL |
				     (write ? ISS_DA_WNR : 0) | FSC_ADDR_SIZE(res.level),
			     pc, va);
	return true;
}

/* ---- The stage-2 data abort ------------------------------------------------- */

/*
 * The abort for an access the instruction explains: the first byte of the
 * access in the piece's page is FAR/HPFAR, the syndrome is the
 * instruction's (ISV for a single general-purpose register), and an
 * abort without ISV carries the whole access's size.
 */
static void known_access(struct sim_a64 *s, const struct a64_ldst *ld, uint64_t pc, uint64_t va,
			 gpa_t gpa, bool write, const uint64_t x[31], struct vcpu_exit *exit)
{
	struct a64_trap t = {
		.esr = a64_dabt_esr(ld, stage2_fsc(s, gpa, write ? ACCESS_WRITE : ACCESS_READ)),
		.far = va,
		.hpfar = a64_hpfar_from_gpa(gpa),
		.pc = pc,
	};
	a64_decode_trap(&t, exit);
	a64_exit_fill_operands(exit, x);
	if (exit->reason == EXIT_STAGE2_FAULT && exit->s2fault.size == 0)
		exit->s2fault.size = (uint8_t)(ld->bytes < 255 ? ld->bytes : 255);
}

/*
 * A guest load or store to gpa that RAM does not serve (one piece of it,
 * as Unicorn cuts it, with a write's bytes in value): build the stage-2
 * data abort the hardware would report for the whole access, decode it,
 * let the core handle it, at the access's first piece; answer the other
 * pieces from what it did. Returns the value a read gets.
 */
static uint64_t data_abort(struct sim_a64 *s, gpa_t gpa, unsigned size, bool write, uint64_t value)
{
	uint64_t x[31], sp, pc, va = 0, ea = 0, val;
	gpa_t fgpa = gpa;
	struct a64_ldst ld;
	struct vcpu_exit exit;
	struct mmio_done *d = &s->mmio;

	if (!vm_running(s->c.vcpu->vm))
		return 0; /* the rest of a block after the VM stopped: ignore */
	uc_reg_read(s->c.uc, UC_ARM64_REG_PC, &pc);
	if ((s->aborted && pc == s->abort_pc) || s->c.vcpu->arch.inject.pending)
		return 0; /* a piece of an access that took an abort, or will (dispatch(), walk_abort()) */
	s->aborted = false;
	/* The next piece of the access just performed: its instruction is known. */
	if (d->valid && d->left != (1u << d->size) - 1 &&
	    mmio_done_serves(s, d->pc, gpa, size, write, &val))
		return val;
	sim_a64_read_gprs(s->c.uc, x, &sp);
	uint32_t word;
	if (!write && !read_code(s, pc, &word, 4)) {
		/*
		 * Unicorn translates a block whose code RAM does not hold: the
		 * read is its instruction fetch, or the walk for it, never a
		 * load (which a scan of the code that jumped there might take
		 * it for): an instruction abort.
		 */
		struct s1_result res;
		if (is_fetch(s, pc, gpa)) {
			fetch_abort(s, pc, gpa, &exit);
			dispatch_fetch(s, &exit, x, exit.pc);
			return 0;
		}
		if (sim_a64_mmu_on(s) &&
		    sim_a64_s1_walk(s, pc, ACCESS_FETCH, &res, "instruction fetch") < 0 &&
		    res.fault == FAULT_TABLE_NOT_RAM && !((gpa ^ res.gpa) & ~0xfffULL)) {
			walk_abort(s, pc, pc, res.gpa, false);
			return 0;
		}
	}
	struct piece p = { .gpa = gpa, .size = size, .write = write, .value = value,
			   .mmu_on = sim_a64_mmu_on(s), .x = x, .sp = sp, .zva = zva_block(s) };
	if (p.mmu_on)
		sim_a64_s1_regs(s, &p.s1);
	pc = access_pc(s, &p);
	if (mmio_done_serves(s, pc, gpa, size, write, &val))
		return val;

	bool known = decode_insn(s, pc, write, x, sp, &ld, &ea);
	bool piece = known && piece_of_access(&ld, ea, gpa, size, &va, &fgpa);
	if (!piece && !write && is_fetch(s, pc, gpa)) {
		/* Code at a GPA that is not RAM: an instruction abort, never a load. */
		fetch_abort(s, pc, gpa, &exit);
		dispatch_fetch(s, &exit, x, exit.pc);
		return 0;
	}
	if (sim_a64_mmu_on(s)) {
		struct s1_result res;
		if (!known && !write && sim_a64_s1_walk(s, pc, ACCESS_FETCH, &res, "instruction fetch") < 0 &&
		    res.fault == FAULT_TABLE_NOT_RAM) {
			walk_abort(s, pc, pc, res.gpa, false); /* the walk for a fetch read no RAM */
			return 0;
		}
		if (known && s1_outcome(s, pc, piece ? va : ea, write, piece)) {
			if (s->c.vcpu->arch.inject.pending)
				return 0; /* the walk's descriptor: invalid (walk_abort()) */
			return ld.rt < 31 && !write ? x[ld.rt] : 0; /* the register keeps its value */
		}
	}
	if (piece) {
		known_access(s, &ld, pc, va, fgpa, write, x, &exit);
	} else {
		/* Not found: report what is known, without a valid instruction syndrome. */
		struct a64_trap t = {
			.esr = ((uint64_t)EC_DABT_LOW << ESR_EC_SHIFT) | ESR_IL | (write ? ISS_DA_WNR : 0) |
			       stage2_fsc(s, gpa, write ? ACCESS_WRITE : ACCESS_READ),
			.far = gpa, .hpfar = a64_hpfar_from_gpa(gpa), .pc = pc,
		};
		log_warn("%s: the instruction at PC 0x%llx does not explain a %u-byte %s at GPA 0x%llx",
			 s->c.vcpu->vm->name, (unsigned long long)pc, size, write ? "write" : "read",
			 (unsigned long long)gpa);
		a64_decode_trap(&t, &exit);
		exit.s2fault.size = (uint8_t)size;
	}
	if (dispatch(s, &exit, x, pc))
		return known && ld.rt < 31 && !write ? x[ld.rt] : 0; /* the register keeps its value */
	if (exit.reason != EXIT_MMIO)
		return 0;
	mmio_done_record(s, pc, &exit, gpa, size);
	return write ? 0 : piece_value(exit.mmio.data, exit.mmio.gpa, gpa, size);
}

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	struct sim_window *w = user;
	(void)uc;
	return data_abort(w->owner, w->base + offset, size, false, 0);
}

static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	struct sim_window *w = user;
	(void)uc;
	/* value only helps find the store: the exit's data comes from its register, whole */
	data_abort(w->owner, w->base + offset, size, true, value);
}

/* RAM that stage 2 maps without write (or read) permission. */
static bool on_prot(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		    void *user)
{
	struct sim_a64 *s = user;
	(void)uc;
	bool write = type == UC_MEM_WRITE_PROT;
	enum access_kind access = write ? ACCESS_WRITE : ACCESS_READ;
	gpa_t gpa = addr;

	if (type == UC_MEM_FETCH_PROT)
		return false; /* reported when uc_emu_start returns, with a precise PC */
	if (sim_a64_mmu_on(s)) {
		/*
		 * Unicorn checked the region of the virtual address (see
		 * sim_map_exec_windows()): stage 1 says which GPA is accessed. A
		 * fault of the guest's own is left to Unicorn's MMU to raise.
		 */
		struct s1_result res;
		if (sim_a64_s1_walk(s, addr, access, &res, "permission check") < 0)
			return true;
		gpa = res.gpa;
	}
	if (sim_map_access_goes_on(&s->c.vcpu->vm->as, gpa, access))
		return true;
	data_abort(s, gpa, (unsigned)size, write, (uint64_t)value);
	return false;
}

/* ---- Hypercalls, system registers, guest exceptions ----------------------- */

/* HVC or SMC: decode, hand to the core, write the results back to x0..x3. */
static void hypercall(struct sim_a64 *s, uint64_t esr, uint64_t elr, uint64_t pc_after)
{
	uint64_t *x = s->c.vcpu->arch.x;
	struct vcpu_exit exit;
	struct a64_trap t = { .esr = esr, .pc = elr };

	/*
	 * The SMCCC passes everything in x0..x7: only those are read, straight
	 * into the register file (the other registers reach it when the run
	 * ends, switch.c), in one call.
	 */
	sim_a64_read_args(s->c.uc, x);
	a64_decode_trap(&t, &exit);
	a64_exit_fill_operands(&exit, x);
	/*
	 * PSCI CPU_OFF (which cvisor never refuses) turns the vCPU off while
	 * it is handled here; by the time it returns, another vCPU may have
	 * started it again (CPU_ON), so its state says nothing: the function
	 * ID does.
	 */
	bool cpu_off = (uint32_t)x[0] == PSCI_CPU_OFF;
	dispatch(s, &exit, x, pc_after);
	if (!vm_running(s->c.vcpu->vm))
		return;
	if (cpu_off) {
		/* Nothing after the call runs; the run loop waits for a CPU_ON. */
		s->powered_off = true;
		s->c.kicked = true;
		uc_emu_stop(s->c.uc);
		return;
	}
	int ids[4];
	void *vals[4];
	for (int i = 0; i < 4; i++) {
		ids[i] = UC_ARM64_REG_X0 + i;
		vals[i] = &exit.hypercall.ret[i];
	}
	uc_reg_write_batch(s->c.uc, ids, vals, 4);
}

/* Unicorn's register id of Xn for an instruction hook. */
static unsigned gpr_index(uc_arm64_reg reg)
{
	if (reg == UC_ARM64_REG_X29)
		return 29;
	if (reg == UC_ARM64_REG_X30)
		return 30;
	if (reg >= UC_ARM64_REG_X0 && reg <= UC_ARM64_REG_X28)
		return (unsigned)(reg - UC_ARM64_REG_X0);
	return 31;
}

/*
 * MRS/MSR, in the order the architecture checks them (ARM ARM D1.12.2):
 * an UNDEFINED access (a64_sysreg_undefined(): wrong direction, EL too
 * low) is the guest's own exception with EC 0x00, never a trap; an access
 * cvisor traps makes the EC 0x18 exit; anything else the CPU executes
 * (return 0). A trapped access cvisor does not emulate is an UNDEF too.
 *
 * Returning 1 ("skip") jumps over Unicorn's code for the access, but when
 * Unicorn itself refuses the access (a register it lacks, the wrong
 * direction) that code ends the block with the PC still at the
 * instruction, and the hook would run again forever. So every path that
 * skips also writes the PC: past the instruction once it is emulated, the
 * guest's vector table for an UNDEF.
 */
static uint32_t sysreg_access(struct sim_a64 *s, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
			      bool is_read)
{
	uint32_t id = A64_SYSREG(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
	uint64_t x[31], sp, pc, pstate = 0;
	struct vcpu_exit exit;

	if (!vm_running(s->c.vcpu->vm))
		return 0;
	uc_reg_read(s->c.uc, UC_ARM64_REG_PC, &pc); /* precise: Unicorn syncs it for this hook */
	uc_reg_read(s->c.uc, UC_ARM64_REG_PSTATE, &pstate);
	unsigned el = (unsigned)(pstate >> 2) & 3; /* PSTATE.EL */
	const uint64_t undef = ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL;
	if (a64_sysreg_undefined(id, !is_read, el)) {
		sim_a64_deliver_sync(s, undef, pc, ~0ULL);
		return 1;
	}
	if (el == 0 || !a64_sysreg_trapped(id, !is_read))
		return 0; /* not trapped: the CPU executes it */
	unsigned rt = gpr_index(reg);
	struct a64_trap t = {
		.esr = ((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL | a64_sysreg_iss(id, rt, is_read),
		.pc = pc,
	};
	a64_decode_trap(&t, &exit);
	if (!is_read)
		exit.sysreg.value = cp->val;
	uc_arm64_cp_reg own = *cp;
	if (is_read && a64_sysreg_is_id(id)) /* the CPU's own value, which cvisor sanitises */
		exit.sysreg.value = uc_reg_read(s->c.uc, UC_ARM64_REG_CP_REG, &own) == UC_ERR_OK ? own.val : 0;
	sim_a64_read_gprs(s->c.uc, x, &sp);
	dispatch(s, &exit, x, pc);
	if (!vm_running(s->c.vcpu->vm))
		return 1;
	/*
	 * Not emulated: an UNDEF. A debug or PMU register Unicorn has would
	 * go on with the rest of the block after a PC written here; its own
	 * MDCR_EL2 traps (set_el3_state()) make it raise the exception
	 * instead, which on_interrupt() delivers at this PC.
	 */
	if (!a64_sysreg_emulated(id, !is_read)) {
		if (A64_SYSREG_OP0(id) == 2 || A64_SYSREG_CRN(id) == 9 || A64_SYSREG_CRN(id) == 14)
			return 0;
		sim_a64_deliver_sync(s, undef, pc, ~0ULL);
		return 1;
	}
	if (is_read && rt < 31)
		uc_reg_write(s->c.uc, reg, &exit.sysreg.value);
	/*
	 * The generic timer's registers are Unicorn's own: its code for them
	 * goes on with the next instruction of the block once the hook says
	 * "skip". Writing the PC or the IRQ line (HCR_EL2) from the hook is a
	 * stop request to Unicorn, which would stop after the next load or
	 * store of the block and run it again from there (a `ldr x1, [x1]`
	 * twice): so nothing is written, and a change of the timer's
	 * interrupt reaches the guest through the notification
	 * (hal_vcpu_notify(), timer.c) at the next block, unless it falls.
	 * The GIC's ICC_*
	 * registers, which Unicorn lacks, end the block at the instruction:
	 * there the PC must be written and the IRQ line may change at once.
	 */
	if (a64_timer_sysreg(id)) {
		/*
		 * Lowering the line is no stop request (QEMU only clears the
		 * interrupt request): done at once, so that a timer the guest
		 * disables is not taken after its handler returns.
		 */
		if (s->vi && !a64_irq_signalled(s->c.vcpu))
			sim_a64_set_vi(s, false);
		return 1;
	}
	pc += 4;
	uc_reg_write(s->c.uc, UC_ARM64_REG_PC, &pc);
	sim_a64_update_vi(s); /* an ICC_* access may have changed the guest's IRQ: at once */
	return 1;
}

static uint32_t on_mrs(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *user)
{
	(void)uc;
	return sysreg_access(user, reg, cp, true);
}

static uint32_t on_msr(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *user)
{
	(void)uc;
	return sysreg_access(user, reg, cp, false);
}

/*
 * SYS instructions run as the CPU has them; an instruction cache
 * invalidation to the point of unification (IC IALLUIS, IC IALLU, IC IVAU:
 * ARM ARM C5.3.9-11) also tells the other vCPUs that code changed. IC
 * IVAU names a virtual address, which this vCPU's stage 1 translates
 * (as the hardware does): the others drop that guest-physical page. One
 * that does not translate drops all.
 */
static uint32_t on_sys(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *user)
{
	struct sim_a64 *s = user;

	(void)uc;
	(void)reg;
	if (cp->crn != 7 || !vm_running(s->c.vcpu->vm))
		return 0;
	if (cp->op1 == 3 && cp->crm == 5 && cp->op2 == 1) { /* IC IVAU, Xt */
		gpa_t pa = cp->val;
		if (sim_a64_mmu_on(s)) {
			struct s1_result res;
			pa = sim_a64_s1_walk(s, cp->val, ACCESS_READ, &res,
					     "instruction cache invalidation") < 0
				 ? GPA_INVALID
				 : res.gpa;
		}
		sim_a64_code_written(s, pa == GPA_INVALID ? GPA_INVALID : pa & ~0xfffULL);
	} else if (cp->op1 == 0 && (cp->crm == 1 || cp->crm == 5) && cp->op2 == 0) {
		sim_a64_code_written(s, GPA_INVALID); /* IC IALLUIS, IC IALLU */
	}
	return 0;
}

/* Physical address bits of the simulated CPU (ID_AA64MMFR0_EL1.PARange, ARM ARM D17.2.64). */
static unsigned pa_bits(struct sim_a64 *s)
{
	static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	uc_arm64_cp_reg r = { .crn = 0, .crm = 7, .op0 = 3, .op1 = 0, .op2 = 0 };

	if (uc_reg_read(s->c.uc, UC_ARM64_REG_CP_REG, &r) != UC_ERR_OK || (r.val & 0xf) > 6)
		return 48;
	return bits[r.val & 0xf];
}

/*
 * The fault status of the guest's own abort on addr with its MMU off: an
 * address beyond the CPU's physical range is an address size fault at
 * level 0, and any other fault is an unaligned access to Device memory
 * (ARM ARM B2.5.2): an alignment fault.
 */
static unsigned flat_fsc(struct sim_a64 *s, uint64_t addr)
{
	return addr >> pa_bits(s) ? FSC_ADDR_SIZE(0) : 0x21;
}

/*
 * The guest's own table walk read a descriptor at a GPA that is not RAM:
 * on hardware a stage-2 fault on the stage-1 walk (S1PTW), taken to EL2
 * with HPFAR_EL2 naming the descriptor's GPA (ARM ARM D17.2.37, ISS.S1PTW).
 * An abort the core injects for it is taken where the CPU reports the
 * walk's failure (the descriptor reads as 0, invalid): in on_interrupt(),
 * with a precise PC, once the callback returns; at once when called from
 * there (own_abort()).
 */
static void walk_abort(struct sim_a64 *s, uint64_t pc, uint64_t va, gpa_t desc, bool data)
{
	uint64_t x[31], sp;
	struct vcpu_exit exit;
	struct a64_trap t = {
		.esr = ((uint64_t)(data ? EC_DABT_LOW : EC_IABT_LOW) << ESR_EC_SHIFT) | ESR_IL |
		       ISS_DA_S1PTW | stage2_fsc(s, desc, ACCESS_READ),
		.far = va,
		.hpfar = a64_hpfar_from_gpa(desc),
		.pc = pc,
	};
	a64_decode_trap(&t, &exit);
	exit.s2fault.size = 8;
	sim_a64_read_gprs(s->c.uc, x, &sp);
	memcpy(s->c.vcpu->arch.x, x, sizeof(s->c.vcpu->arch.x));
	s->c.vcpu->arch.pc = pc;
	sim_cpu_exit_now(&s->c, &exit);
}

/*
 * The guest's own data or instruction abort: Unicorn reports it with a
 * precise PC but hides the syndrome and the fault address, so the
 * simulator works them out: the address from the instruction (data) or
 * the PC (fetch), the fault status from a walk of the guest's own tables
 * in project code. ESR_EL1 and FAR_EL1 are then what the CPU would give.
 */
static void own_abort(struct sim_a64 *s, uint64_t pc, bool data)
{
	uint64_t x[31], sp, far = pc, esr;
	enum access_kind access = ACCESS_FETCH;
	struct a64_ldst ld;
	struct s1_result res;
	unsigned fsc;

	if (data) {
		far = 0;
		access = ACCESS_READ;
		/* Any data access: SIMD&FP loads and stores (memcpy's LDP/STP of Q registers) and DC ZVA too. */
		if (a64_decode_access(sim_a64_fetch(s, pc), zva_block(s), &ld)) {
			sim_a64_read_gprs(s->c.uc, x, &sp);
			far = a64_ldst_address(&ld, pc, x, sp);
			access = ld.is_load ? ACCESS_READ : ACCESS_WRITE;
		}
	}
	if (!sim_a64_mmu_on(s)) {
		fsc = flat_fsc(s, far);
	} else {
		const char *why = data ? "guest data abort" : "guest instruction abort";
		int rc = sim_a64_s1_walk(s, far, access, &res, why);
		if (rc == 0 && data && (far & 0xfff) + (uint64_t)ld.bytes > 0x1000) {
			/* The access crosses into the next page: the fault may be there. */
			uint64_t next = (far | 0xfff) + 1;
			if ((rc = sim_a64_s1_walk(s, next, access, &res, why)) < 0)
				far = next;
		}
		if (rc < 0 && res.fault == FAULT_TABLE_NOT_RAM) {
			walk_abort(s, pc, far, res.gpa, data);
			sim_a64_take_injected(s);
			return;
		}
		if (rc == 0 && !data) {
			/* Stage 1 is fine: the code's GPA is not RAM, a stage-2 fault. */
			struct vcpu_exit exit;
			fetch_abort(s, pc, res.gpa, &exit);
			sim_cpu_set_pending(&s->c, &exit);
			return;
		}
		fsc = rc == 0 ? 0x21 : fsc_of(res.fault, res.level); /* walk fine: an alignment fault */
	}
	if (!data)
		esr = ((uint64_t)EC_IABT_CUR << ESR_EC_SHIFT) | ESR_IL | fsc;
	else
		esr = ((uint64_t)EC_DABT_CUR << ESR_EC_SHIFT) | ESR_IL | fsc |
		      (access == ACCESS_WRITE ? ISS_DA_WNR : 0);
	sim_a64_deliver_sync(s, esr, pc, far);
}

/*
 * Unicorn keeps the block it translated from a fetch callback (the code
 * of a GPA with no RAM: zeros, UDF #0) once the fetch's exit is handled,
 * and runs it when the guest comes back there (after an abort injected
 * for the fetch, its own vector at such a GPA). An UDF at a PC whose GPA
 * is not RAM is that fetch again: the same instruction abort exit.
 * Returns true if it was one.
 */
static bool fetched_from_nothing(struct sim_a64 *s, uint64_t pc)
{
	uint64_t x[31], sp;
	struct vcpu_exit exit;
	struct s1_result res = { .gpa = pc };

	if (pc & 3)
		return false;
	if (sim_a64_mmu_on(s) && sim_a64_s1_walk(s, pc, ACCESS_FETCH, &res, "instruction fetch") < 0)
		return false;
	if (addrspace_read(&s->c.vcpu->vm->as, res.gpa, &(uint32_t){ 0 }, 4) == 0)
		return false;
	fetch_abort(s, pc, res.gpa, &exit);
	sim_a64_read_gprs(s->c.uc, x, &sp);
	dispatch_fetch(s, &exit, x, pc);
	return true;
}

/*
 * Unicorn's exception numbers are QEMU's (target/arm/cpu.h EXCP_*).
 * PCs: SVC, HVC, SMC report the next instruction; UDEF, BKPT and aborts
 * the instruction itself.
 */
static void on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
	struct sim_a64 *s = user;
	uint64_t pc;
	uint32_t insn;

	if (!vm_running(s->c.vcpu->vm)) {
		uc_emu_stop(uc); /* the rest of a block after the VM stopped: deliver nothing */
		return;
	}
	uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
	switch (intno) {
	case 1: /* EXCP_UDEF */
		if (fetched_from_nothing(s, pc))
			break;
		if (pc & 3)
			sim_a64_deliver_sync(s, ((uint64_t)EC_PC_ALIGN << ESR_EC_SHIFT) | ESR_IL, pc, pc);
		else
			sim_a64_deliver_sync(s, ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, pc, ~0ULL);
		break;
	case 2: /* EXCP_SWI: SVC #imm16 */
		insn = sim_a64_fetch(s, pc - 4);
		sim_a64_deliver_sync(s, ((uint64_t)EC_SVC64 << ESR_EC_SHIFT) | ESR_IL |
					     ((insn >> 5) & 0xffff), pc, ~0ULL);
		break;
	case 3: /* EXCP_PREFETCH_ABORT */
	case 4: /* EXCP_DATA_ABORT */
		/* A walk that read no memory, with the abort the core injected (walk_abort()). */
		if (!sim_a64_take_injected(s))
			own_abort(s, pc, intno == 4);
		break;
	case 7: /* EXCP_BKPT: BRK #imm16 */
		insn = sim_a64_fetch(s, pc);
		sim_a64_deliver_sync(s, ((uint64_t)EC_BRK64 << ESR_EC_SHIFT) | ESR_IL |
					     ((insn >> 5) & 0xffff), pc, ~0ULL);
		break;
	case 11: /* EXCP_HVC */
		insn = sim_a64_fetch(s, pc - 4);
		hypercall(s, ((uint64_t)EC_HVC64 << ESR_EC_SHIFT) | ESR_IL | ((insn >> 5) & 0xffff),
			  pc, pc);
		break;
	case 13: /* EXCP_SMC: trapped as HCR_EL2.TSC would; ELR_EL2 is the SMC itself */
		insn = sim_a64_fetch(s, pc - 4);
		hypercall(s, ((uint64_t)EC_SMC64 << ESR_EC_SHIFT) | ESR_IL | ((insn >> 5) & 0xffff),
			  pc - 4, pc);
		break;
	default:
		sim_cpu_set_fatal(&s->c, pc, "unexpected CPU exception %u in the simulator", intno);
		break;
	}
}

/* ---- The CPU stopped: uc_emu_start() returned -------------------------------- */

/* A fetch Unicorn refused at PC: its GPA is not RAM (a stage-2 instruction abort). */
static void fetch_stopped(struct sim_a64 *s, struct vcpu_exit *exit)
{
	uint64_t pc = s->c.vcpu->arch.pc;
	struct s1_result res = { .gpa = pc };

	if (sim_a64_mmu_on(s) && sim_a64_s1_walk(s, pc, ACCESS_FETCH, &res, "instruction abort") < 0) {
		/* Unicorn's walk let the fetch through where cvisor's faults: say so. */
		sim_exit_fetch_disagrees(exit, pc, &res);
		return;
	}
	fetch_abort(s, pc, res.gpa, exit);
}

/* Why did uc_emu_start return? The register file is saved (switch.c). */
void sim_arch_stopped(struct sim_cpu *c, uc_err err, struct vcpu_exit *exit)
{
	struct sim_a64 *s = (struct sim_a64 *)c;
	struct vcpu_arch *a = &c->vcpu->arch;

	if (c->block_stop)
		a->pc = c->stop_pc; /* Unicorn's PC may be stale there (cpu.c, on_block()) */
	if (sim_cpu_take_pending(c, exit)) {
		if (exit->reason == EXIT_FATAL || exit->reason == EXIT_STAGE2_FAULT)
			a->pc = exit->pc;
		return;
	}
	if (sim_a64_finish_entry(s, exit))
		return; /* an exception taken at EL0, now entered at EL1 */
	if (!vm_running(c->vcpu->vm) || c->kicked)
		return; /* EXIT_NONE */
	if (err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT) {
		fetch_stopped(s, exit);
		return;
	}
	if (err != UC_ERR_OK) {
		sim_exit_fatal(exit, a->pc, "simulated CPU stopped: %s", uc_strerror(err));
		return;
	}
	/*
	 * Stopped at the start of a block to look at the interrupts and
	 * timers: EXIT_NONE. Not a WFI, even if the word before the block is
	 * one (the return from an interrupt taken in WFI lands after it): a
	 * WFI ends the run before any later block starts.
	 */
	if (c->block_stop)
		return;
	uint32_t insn = sim_a64_fetch(s, a->pc - 4);
	if (insn == INSN_WFE) {
		/*
		 * WFE may complete at any time (ARM ARM D1.6.1 "Wait for Event"):
		 * a spinning guest (a lock) goes on. cvisor does not trap it on
		 * hardware either (HCR_EL2.TWE clear).
		 */
		return; /* EXIT_NONE: resume after it */
	}
	if (insn == INSN_WFI) {
		/* WFI traps with ELR_EL2 at the instruction (HCR_EL2.TWI). */
		struct a64_trap t = {
			.esr = ((uint64_t)EC_WFX << ESR_EC_SHIFT) | ESR_IL,
			.pc = a->pc - 4,
		};
		a64_decode_trap(&t, exit);
		a->pc -= 4;
		return;
	}
	sim_exit_fatal(exit, a->pc, "simulated CPU stopped for no known reason");
}

/* ---- Creating the CPU ------------------------------------------------------ */

static int add_hooks(struct sim_a64 *s)
{
	uc_hook h;
	/*
	 * No memory hook: one on any address sends every load and store to
	 * Unicorn's slow path (3x on a load-bound loop). Device accesses find
	 * their instruction by access_pc() instead.
	 */
	uc_err e = uc_hook_add(s->c.uc, &h, UC_HOOK_INTR, (void *)on_interrupt, s, 1, 0);
	if (!e)
		e = uc_hook_add(s->c.uc, &h, UC_HOOK_INSN, (void *)on_mrs, s, 1, 0, UC_ARM64_INS_MRS);
	if (!e)
		e = uc_hook_add(s->c.uc, &h, UC_HOOK_INSN, (void *)on_msr, s, 1, 0, UC_ARM64_INS_MSR);
	if (!e)
		e = uc_hook_add(s->c.uc, &h, UC_HOOK_INSN, (void *)on_sys, s, 1, 0, UC_ARM64_INS_SYS);
	if (!e)
		e = uc_hook_add(s->c.uc, &h,
				UC_HOOK_MEM_READ_PROT | UC_HOOK_MEM_WRITE_PROT | UC_HOOK_MEM_FETCH_PROT,
				(void *)on_prot, s, 1, 0);
	return e ? -CV_EINVAL : 0;
}

/*
 * The state above EL1 that the simulated CPU needs, as an EL3 firmware and
 * an EL2 hypervisor would leave it (ARM ARM D17.2):
 *   SCR_EL3 = RW | HCE | NS: EL1 is AArch64 (so Unicorn's MMU walks the
 *     guest's tables in the AArch64 format), HVC is enabled (it arrives as
 *     EXCP_HVC, not as an undefined instruction), and the guest runs in
 *     Non-secure state, where EL2's controls apply to it;
 *   HCR_EL2 = RW | IMO: EL1 is AArch64 under EL2, and virtual IRQs are
 *     EL2's to raise (VI: the virtual GIC's interrupts, switch.c; exc.c
 *     enters EL1 from EL0 with one);
 *   MDCR_EL2 = TPMCR | TPM | TDA | TDOSA | TDRA, as on the bare build:
 *     an access to a debug or PMU register Unicorn has and cvisor does
 *     not emulate (breakpoint 2, PMCR_EL0) raises its exception there;
 *   CNTHCTL_EL2 = EL1PCEN | EL1PCTEN: what Unicorn itself checks when
 *     the guest's EL0 reads a counter (it runs natively: not trapped).
 *     EL1's accesses to the timers and counters never reach Unicorn: the
 *     instruction hook takes them first (a64_sysreg_trapped(), which
 *     stands for CNTHCTL_EL2 with those bits clear and FEAT_ECV's traps
 *     of the virtual timer), so that they count the VM clock.
 */
#define SCR_NS (1ULL << 0)
#define SCR_HCE (1ULL << 8)
#define SCR_RW (1ULL << 10)
#define SIM_MDCR_EL2 ((1ULL << 5) | (1ULL << 6) | (1ULL << 9) | (1ULL << 10) | (1ULL << 11))
#define CNTHCTL_EL1PCTEN (1ULL << 0)
#define CNTHCTL_EL1PCEN (1ULL << 1)

static int set_el3_state(uc_engine *uc)
{
	uc_arm64_cp_reg scr = { .crn = 1, .crm = 1, .op0 = 3, .op1 = 6, .op2 = 0,
				.val = SCR_RW | SCR_HCE | SCR_NS };
	uc_arm64_cp_reg hcr = { .crn = 1, .crm = 1, .op0 = 3, .op1 = 4, .op2 = 0,
				.val = SIM_HCR_EL2 };
	uc_arm64_cp_reg cnthctl = { .crn = 14, .crm = 1, .op0 = 3, .op1 = 4, .op2 = 0,
				    .val = CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN };
	uc_arm64_cp_reg mdcr = { .crn = 1, .crm = 1, .op0 = 3, .op1 = 4, .op2 = 1, .val = SIM_MDCR_EL2 };
	return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &scr) == UC_ERR_OK &&
			       uc_reg_write(uc, UC_ARM64_REG_CP_REG, &hcr) == UC_ERR_OK &&
			       uc_reg_write(uc, UC_ARM64_REG_CP_REG, &cnthctl) == UC_ERR_OK &&
			       uc_reg_write(uc, UC_ARM64_REG_CP_REG, &mdcr) == UC_ERR_OK
		       ? 0
		       : -CV_EINVAL;
}

/*
 * The MPIDR_EL1 the guest reads at EL1 is VMPIDR_EL2 (ARM ARM D17.2.101,
 * D17.2.180): the vCPU's affinity from its register file, set by
 * vcpu_arch_reset() before the CPU is made. QEMU returns it to EL1 as the
 * hardware does, without a trap.
 */
static int set_vmpidr(uc_engine *uc, const struct vcpu *vcpu)
{
	uc_arm64_cp_reg vmpidr = { .crn = 0, .crm = 0, .op0 = 3, .op1 = 4, .op2 = 5,
				   .val = vcpu->arch.mpidr_el1 };
	return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &vmpidr) == UC_ERR_OK ? 0 : -CV_EINVAL;
}

struct sim_cpu *sim_arch_alloc(void)
{
	struct sim_a64 *s = calloc(1, sizeof(*s));
	return s ? &s->c : NULL;
}

/* Nothing besides the engine: the state is all in struct sim_a64. */
void sim_arch_destroy(struct sim_cpu *c)
{
	(void)c;
}

/*
 * The last page of the 64-bit address space, above the catch-all windows
 * (PA_LIMIT): without it Unicorn refuses an access there before any
 * translation (UC_ERR_*_UNMAPPED, notes "Unicorn issue 1718"). Mapped, it
 * reaches the CPU's own translation, which gives the guest what the
 * hardware does: an address size fault with the MMU off, its own
 * translation fault with it on (ARM ARM D8.2.7). No physical address is
 * there, so its callbacks never run for data.
 */
static int map_top_page(struct sim_a64 *s)
{
	s->top = (struct sim_window){ .owner = s, .base = PA_LIMIT };
	if (uc_mmio_map(s->c.uc, PA_LIMIT, 0x1000, on_mmio_read, &s->top, on_mmio_write,
			&s->top) != UC_ERR_OK ||
	    uc_mem_protect(s->c.uc, PA_LIMIT, 0x1000, UC_PROT_ALL) != UC_ERR_OK)
		return -CV_EINVAL;
	return 0;
}

int sim_arch_init(struct sim_cpu *c)
{
	struct sim_a64 *s = (struct sim_a64 *)c;
	int rc;

	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &c->uc) != UC_ERR_OK)
		return -CV_EINVAL;
	uc_ctl_set_cpu_model(c->uc, UC_CPU_ARM64_A72);
	if ((rc = set_el3_state(c->uc)) < 0 || (rc = set_vmpidr(c->uc, c->vcpu)) < 0 ||
	    (rc = sim_map_build(c->uc, &c->vcpu->vm->as, &c->map, s, PA_LIMIT, on_mmio_read,
				on_mmio_write)) < 0 ||
	    (rc = add_hooks(s)) < 0 || (rc = map_top_page(s)) < 0)
		return rc;
	return sim_map_exec_windows(c->uc, &c->map);
}

int sim_arch_stage2_changed(struct sim_cpu *c, gpa_t gpa, uint64_t size)
{
	return sim_map_refresh(c->uc, &c->map, gpa, size);
}
