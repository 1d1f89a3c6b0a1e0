/* SPDX-License-Identifier: MIT */
/*
 * The simulated RISC-V virtualization hardware: a Unicorn RISC-V CPU
 * runs the guest in S-mode, and what the guest does, as Unicorn's hooks
 * and stops report it, becomes the trap a hypervisor in HS-mode would see
 * (Privileged Architecture v1.12, chapter 8).
 *
 *   guest does                 Unicorn reports             cvisor sees
 *   load/store to a device     MMIO callback               load/store guest-page fault (21/23)
 *   load/store to no RAM       catch-all MMIO callback     load/store guest-page fault (21/23)
 *   fetch from no RAM          UC_ERR_FETCH_*              instruction guest-page fault (20)
 *   ecall                      interrupt hook, index 8     environment call from VS-mode (10)
 *   CSR insn on an H-level CSR interrupt hook, index 2     virtual instruction (22)
 *   rdtime (read of `time`)    interrupt hook, index 2     virtual instruction (22), emulated
 *   wfi                        uc_emu_start returns        virtual instruction (22)
 *   its own page fault         interrupt hook 12/13/15     (the guest's own: stval from a walk)
 *   illegal insn, ebreak...    hook / uc_emu_start         (the guest's own: sent to stvec)
 *
 * scause, stval, htval and htinst are built as the H extension would and
 * decoded by rv_decode_trap(), the bare HAL's decoder to be. Exits from a
 * callback are taken there, in the middle of the instruction
 * (sim_cpu_exit_now()); exits that stop the CPU are described when
 * uc_emu_start() returns (sim_arch_stopped()): docs/simulator.md, "Two
 * paths of an exit".
 *
 * Unicorn's RISC-V does not store PC before loads and stores, so in an
 * MMIO callback PC is stale; the block hook (src/sim/cpu.c) records where
 * the running translation block starts, and the access is found by
 * decoding the block from there (src/arch/riscv64/insn.c). Each
 * instruction found becomes a site (a code hook on its address,
 * src/sim/cpu.c), so its next accesses are known without decoding.
 *
 * The top file of src/sim/riscv64/: calls exc.c, mmu.c, switch.c, irq.c and qstate.c.
 */
#include <stdlib.h>
#include <string.h>

#include <arch/insn.h>
#include <arch/irq.h>
#include <arch/trap.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include <cvisor/walk.h>

#include "cpu.h"

/* Instructions scanned from a block's start to find an access. */
#define MAX_BLOCK_INSNS 512
#define OPCODE_AMO 0x2f
#define INSN_WFI 0x10500073u
#define INSN_EBREAK 0x00100073u
#define INSN_C_EBREAK 0x9002u

/* Where an access to a GPA that RAM does not serve came from. */
struct origin {
	uint64_t pc;           /* the instruction */
	uint64_t va;           /* the virtual address it accessed (the GPA with satp Bare) */
	struct rv_ldst ld;
	bool implicit;         /* a read of the guest's own page table, for that access */
};

/*
 * Is a load of gpa the first piece Unicorn makes of the misaligned load ld
 * at ea: the aligned access of the same size that holds ea's first byte?
 */
static bool misaligned_first_piece(const struct rv_ldst *ld, uint64_t ea, gpa_t gpa)
{
	uint64_t mask = ld->size - 1;
	return ld->is_load && (ea & mask) && ((gpa ^ ea) & 0xfff) == (ea & mask);
}

/*
 * Does the load or store ld, with effective address ea, explain an access
 * to gpa (with a store's bytes value, size bytes)? Directly: ea (through
 * the guest's stage 1 when it is on) covers gpa, and a store's register
 * holds value at that place. Implicitly (implicit true): the guest's walk
 * for ea reads a page table entry at gpa, outside RAM. Fills o->va.
 */
static bool explains(struct sim_rv *s, const struct rv_ldst *ld, uint64_t ea, gpa_t gpa,
		     unsigned size, uint64_t value, const uint64_t x[32], bool implicit,
		     struct origin *o)
{
	struct s1_result res;
	enum access_kind access = ld->is_load ? ACCESS_READ : ACCESS_WRITE;

	if (!implicit) {
		uint64_t k = (gpa - ea) & 0xfff; /* the byte of the access that is at gpa, if any */
		gpa_t at = gpa;                  /* the GPA of that byte */
		if (misaligned_first_piece(ld, ea, gpa)) {
			k = 0; /* Unicorn's first aligned piece of a misaligned load: ea's own byte */
			at = (gpa & ~0xfffULL) | (ea & 0xfff);
		} else if (k >= ld->size) {
			return false;
		}
		if (!ld->is_load && k + size <= ld->size && size < 8 &&
		    ((x[ld->reg] >> (8 * k)) ^ value) & ((1ULL << (8 * size)) - 1))
			return false; /* the register does not hold the bytes stored */
		if (!s->mmu_on) {
			o->va = ea;
			return at - ea == k;
		}
		o->va = ea + k;
		return sim_rv_s1_probe(s, o->va, access, &res) == 0 && res.gpa == at;
	}
	o->va = ea;
	return s->mmu_on && sim_rv_s1_probe(s, ea, access, &res) < 0 && res.fault == FAULT_TABLE_NOT_RAM &&
	       gpa - res.gpa < 8;
}

/*
 * The load or store of the current block that made an access to gpa (a
 * store's bytes in value): the known site whose code hook ran in this
 * block, if it explains the access (sim_cpu_site_take()); else the first
 * one from the block's start that explains it with the registers as they
 * are now (those the access saw), failing that the first whose stage-1
 * walk reads a table entry at gpa; after an earlier access of this block,
 * the first after that one's instruction (of two alike, `sb a0, 0(s1)`
 * twice with a0 changed between them, the second is explained by both).
 * Every one that explains it becomes a site.
 */
static bool locate_access(struct sim_rv *s, gpa_t gpa, unsigned size, bool write, uint64_t value,
			  const uint64_t x[32], struct origin *o)
{
	int passes = write || !s->mmu_on ? 1 : 2;
	uint64_t site;

	if (sim_cpu_site_take(&s->c, &site)) {
		uint32_t insn = sim_rv_fetch(s, site);
		for (int pass = 0; insn && pass < passes && rv_decode_ldst(insn, &o->ld); pass++) {
			uint64_t ea = rv_ldst_address(&o->ld, x);
			if ((pass == 1 || o->ld.is_load == !write) &&
			    explains(s, &o->ld, ea, gpa, size, value, x, pass == 1, o)) {
				o->pc = site;
				o->implicit = pass == 1;
				sim_cpu_site_made(&s->c, site);
				return true;
			}
		}
	}
	/* After an earlier access of this block, the first one after its instruction. */
	uint64_t prev;
	uint64_t block = sim_cpu_block_start(&s->c);
	bool after = sim_cpu_site_made_before(&s->c, &prev) && prev >= block;
	for (int pass = 0; pass < passes; pass++) {
		struct origin first = { .pc = 0 }, any = { .pc = 0 };
		uint64_t at = block;
		for (unsigned i = 0; i < MAX_BLOCK_INSNS; i++) {
			uint32_t insn = sim_rv_fetch(s, at);
			unsigned len = rv_insn_length((uint16_t)insn);
			struct origin c = *o;
			/* Past one found: the rest of its page (walked already), not far. */
			bool enough = (any.pc && (at ^ any.pc) >> 12) ||
				      (first.pc && ((at ^ first.pc) >> 12 || at - first.pc > 256));
			if (!insn || !len || enough)
				break;
			if (rv_decode_ldst(insn, &c.ld) && (pass == 1 || c.ld.is_load == !write) &&
			    explains(s, &c.ld, rv_ldst_address(&c.ld, x), gpa, size, value, x,
				     pass == 1, &c)) {
				c.pc = at;
				c.implicit = pass == 1;
				if (!any.pc)
					any = c;
				if (!first.pc && (!after || at > prev))
					first = c;
				sim_cpu_site_add(&s->c, at);
			}
			at += len;
		}
		if (!first.pc)
			first = any; /* (a later piece of the same access) */
		if (first.pc) {
			*o = first;
			sim_cpu_site_made(&s->c, first.pc);
			return true;
		}
	}
	return false;
}

/*
 * Takes an exit now, with the register file up to date (the first path of
 * an exit). What the exit changed of the interrupts (sbi_set_timer, a PLIC
 * claim, an IPI to itself) is in the CPU before the guest's next
 * instruction. Returns true if the core made the exit an access fault
 * for the guest (the access does not complete): delivered at once, or,
 * for the guest's own walk, where the CPU reports the walk's failure (the
 * entry reads as 0, invalid: on_interrupt()).
 */
static bool dispatch(struct sim_rv *s, struct vcpu_exit *exit, const uint64_t x[32], uint64_t pc)
{
	if (x != s->c.vcpu->arch.x) /* a hypercall reads its registers into the file itself */
		memcpy(s->c.vcpu->arch.x, x, sizeof(s->c.vcpu->arch.x));
	s->c.vcpu->arch.pc = pc;
	sim_rv_irq_read(s);
	if (!sim_cpu_exit_now(&s->c, exit)) {
		s->stop_pc = pc; /* where reports say the vCPU was */
		s->stop_pc_set = true;
		return false;
	}
	bool injected = s->c.vcpu->arch.inject.pending;
	if (injected && !(exit->reason == EXIT_STAGE2_FAULT && exit->s2fault.s1ptw))
		if ((s->aborted = sim_rv_take_injected(s)))
			s->aborted_block = s->c.block;
	sim_rv_irq_sync(s);
	return injected;
}

/*
 * Is a read of gpa really an instruction fetch? Unicorn fetches code from
 * an executable window (sim_map_exec_windows()) through its read
 * callback, two bytes at a time, while translating the block at PC
 * (measured): the bytes are in PC's code page or the next one, and there
 * is no RAM there to hold a load. Then *va is their virtual address; *walk
 * is set if it was the guest's walk for PC that read a table entry at gpa.
 */
static bool is_fetch(struct sim_rv *s, gpa_t gpa, uint64_t *va, bool *walk)
{
	uint64_t pc = 0;
	struct s1_result res = { .gpa = 0 };

	uc_reg_read(s->c.uc, UC_RISCV_REG_PC, &pc);
	*walk = false;
	gpa_t code = pc;
	if (s->mmu_on) {
		if (sim_rv_s1_probe(s, pc, ACCESS_FETCH, &res) < 0) {
			*walk = res.fault == FAULT_TABLE_NOT_RAM && gpa - res.gpa < 8;
			*va = pc;
			return *walk;
		}
		code = res.gpa;
	}
	uint64_t delta = (gpa & ~0xfffULL) - (code & ~0xfffULL);
	*va = pc + (gpa - code);
	return delta <= 0x1000 && addrspace_read(&s->c.vcpu->vm->as, code, &(uint16_t){ 0 }, 2) < 0;
}

/*
 * An instruction fetch from a GPA that is not RAM: an instruction
 * guest-page fault (scause 20), stval = the instruction's virtual address,
 * htval = GPA >> 2 (Privileged 8.6.3). When the guest's walk for it read
 * a page table entry outside RAM, that entry's GPA is the one named.
 */
static void fetch_fault(struct sim_rv *s, uint64_t va, gpa_t gpa, bool walk)
{
	uint64_t x[32];
	struct vcpu_exit exit;
	struct s1_result res;
	struct rv_trap t = { .scause = RV_CAUSE_FETCH_GUEST_PAGE_FAULT, .stval = va,
			     .htval = gpa >> 2, .sepc = va };

	if (s->mmu_on)
		sim_rv_s1_walk(s, va, ACCESS_FETCH, &res, "instruction guest-page fault");
	if (walk)
		t.htinst = RV_HTINST_IMPLICIT_READ64;
	sim_rv_read_gprs(s->c.uc, x);
	rv_decode_trap(&t, &exit);
	exit.s2fault.gpa = gpa;
	exit.s2fault.size = walk ? 8 : 4;
	dispatch(s, &exit, x, va);
}

static uint64_t access_exit(struct sim_rv *s, gpa_t gpa, unsigned size, bool write, uint64_t value);

/* Bytes [off, off + n) of buf as a little-endian number. */
static uint64_t buf_get(const uint8_t *buf, unsigned off, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | buf[off + i];
	return v;
}

/*
 * The next piece of a misaligned device access Unicorn splits (s->split):
 * a load's piece gets its bytes of what the one access read; a store's
 * byte is kept, and its last one makes the exit for the whole store.
 */
static uint64_t split_piece(struct sim_rv *s, gpa_t gpa, unsigned size, bool write, uint64_t value)
{
	unsigned off = (unsigned)(gpa - s->split.base);

	s->split.next = gpa + size;
	s->split.active = s->split.next < s->split.end;
	if (!write)
		return buf_get(s->split.buf, off, size);
	s->split.buf[off] = (uint8_t)value;
	if (s->split.active)
		return 0;
	return access_exit(s, s->split.gpa, s->split.size,
			   true, buf_get(s->split.buf, 0, s->split.size));
}

/*
 * The first piece of a misaligned device load of size bytes at gpa, which
 * Unicorn makes as two aligned loads of that size (cputlb.c
 * do_unaligned_access, combined little-endian) and hands over piece bytes
 * at a time: the access was made once, for data; each piece returns its
 * bytes of it. Returns the first piece's.
 */
static uint64_t split_load(struct sim_rv *s, gpa_t gpa, unsigned size, unsigned piece, uint64_t data)
{
	gpa_t base = gpa & ~(gpa_t)(size - 1);

	memset(s->split.buf, 0, sizeof(s->split.buf));
	for (unsigned i = 0; i < size; i++)
		s->split.buf[gpa - base + i] = (uint8_t)(data >> (8 * i));
	s->split.base = base;
	s->split.end = base + 2 * size;
	s->split.next = base + piece;
	s->split.active = true;
	return buf_get(s->split.buf, 0, piece);
}

/*
 * A guest load or store that RAM does not serve, as Unicorn's callback
 * hands it over (at most 4 bytes, a misaligned device access in pieces):
 * a piece of the access being split, or a new access.
 */
static uint64_t guest_page_fault(struct sim_rv *s, gpa_t gpa, unsigned size, bool write,
				 uint64_t value)
{
	if (!vm_running(s->c.vcpu->vm))
		return 0;
	if ((s->aborted && s->c.block == s->aborted_block) || s->c.vcpu->arch.inject.pending)
		return 0; /* a piece of an access that took an access fault, or will (dispatch()) */
	if (s->split.active && gpa == s->split.next)
		return split_piece(s, gpa, size, write, value);
	s->split.active = false;
	return access_exit(s, gpa, size, write, value);
}

/*
 * A guest load or store that RAM does not serve: the guest-page fault the
 * H extension would report, with the transformed instruction in htinst,
 * stval the guest virtual address, htval the GPA >> 2 (its low two bits
 * are stval's, Privileged 8.6.3). An implicit read of a page table entry
 * (the guest's own walk reaching a GPA with no RAM) has the
 * pseudoinstruction of a 64-bit read in htinst. A misaligned access is one
 * exit for the access the guest made, whatever pieces Unicorn makes of it.
 * Returns the value a load (or its first piece) gets.
 */
static uint64_t access_exit(struct sim_rv *s, gpa_t gpa, unsigned size, bool write, uint64_t value)
{
	uint64_t x[32], va;
	struct origin o = { .pc = sim_cpu_block_start(&s->c), .va = gpa };
	struct vcpu_exit exit;
	bool walk;
	unsigned piece = size;

	sim_rv_forget_code(s);
	s->mmu_on = sim_rv_mmu_on(s);
	if (!write && is_fetch(s, gpa, &va, &walk)) {
		fetch_fault(s, va, gpa, walk);
		return 0;
	}
	sim_rv_read_gprs(s->c.uc, x);
	struct rv_trap t = {
		.scause = write ? RV_CAUSE_STORE_GUEST_PAGE_FAULT : RV_CAUSE_LOAD_GUEST_PAGE_FAULT,
	};
	bool found = locate_access(s, gpa, size, write, value, x, &o);
	if (found) {
		t.htinst = o.implicit ? RV_HTINST_IMPLICIT_READ64 : rv_transform_ldst(&o.ld);
		if (o.implicit)
			t.scause = o.ld.is_load ? RV_CAUSE_LOAD_GUEST_PAGE_FAULT
						: RV_CAUSE_STORE_GUEST_PAGE_FAULT;
		if (s->mmu_on && (s->c.vcpu->vm->trace & TRACE_WALKS)) {
			struct s1_result res;
			sim_rv_s1_walk(s, o.va, o.ld.is_load ? ACCESS_READ : ACCESS_WRITE, &res,
				       write ? "mmio write" : "mmio read");
		}
	} else {
		log_warn("%s: could not find the instruction behind a %u-byte %s at GPA 0x%llx "
			 "(block at PC 0x%llx)", s->c.vcpu->vm->name, size, write ? "write" : "read",
			 (unsigned long long)gpa, (unsigned long long)sim_cpu_block_start(&s->c));
	}
	bool misaligned = found && !o.implicit && (o.va & (o.ld.size - 1)) && size < 2 * o.ld.size;
	if (misaligned) {
		/* The access as the guest made it: its GPA (same page offset as its VA), its size. */
		gpa = (gpa & ~0xfffULL) | (o.va & 0xfff);
		if (write && size < o.ld.size) { /* a byte of a store: the exit comes with the last */
			memset(&s->split, 0, sizeof(s->split));
			s->split.active = true;
			s->split.base = s->split.gpa = gpa;
			s->split.next = gpa + size;
			s->split.end = gpa + o.ld.size;
			s->split.size = o.ld.size;
			s->split.buf[0] = (uint8_t)value;
			return 0;
		}
		size = o.ld.size;
	}
	t.htval = gpa >> 2;
	t.stval = o.va;
	t.sepc = o.pc;
	rv_decode_trap(&t, &exit);
	if (exit.reason == EXIT_MMIO) {
		/*
		 * Unicorn hands over at most 4 bytes at a time: each piece is one
		 * device access. Where no device is, the report names the guest's
		 * own access (an 8-byte load, not its first piece).
		 */
		exit.mmio.size = (uint8_t)(found && !o.implicit && o.ld.size > size &&
						   !devbus_find(&s->c.vcpu->vm->bus, gpa)
					   ? o.ld.size
					   : size);
		exit.mmio.data = write ? value : 0;
	} else if (exit.reason == EXIT_STAGE2_FAULT) {
		exit.s2fault.gpa = gpa;
		exit.s2fault.size = (uint8_t)(o.implicit ? 8 : size);
	}
	if (dispatch(s, &exit, x, o.pc)) /* a load keeps its register; a walk's entry reads invalid */
		return found && !o.implicit && !write ? x[o.ld.reg & 31] : 0;
	if (exit.reason != EXIT_MMIO || write)
		return 0;
	if (misaligned && vm_running(s->c.vcpu->vm))
		return split_load(s, gpa, size, piece, exit.mmio.data);
	return exit.mmio.data;
}

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	struct sim_window *w = user;
	(void)uc;
	return guest_page_fault(w->owner, w->base + offset, size, false, 0);
}

static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	struct sim_window *w = user;
	(void)uc;
	guest_page_fault(w->owner, w->base + offset, size, true, value);
}

/* RAM that stage 2 maps without this permission, or the trampoline page. */
static bool on_prot(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		    void *user)
{
	struct sim_rv *s = user;
	bool write = type == UC_MEM_WRITE_PROT;
	enum access_kind access = write ? ACCESS_WRITE : ACCESS_READ;
	gpa_t gpa = addr;

	(void)uc;
	if (type == UC_MEM_FETCH_PROT)
		return false; /* reported when uc_emu_start returns */
	sim_rv_forget_code(s);
	if (sim_rv_mmu_on(s)) {
		/*
		 * Unicorn checked the region of the virtual address (see
		 * sim_map_exec_windows()): stage 1 says which GPA is accessed. A
		 * page fault of the guest's own is left to Unicorn's MMU to raise.
		 */
		struct s1_result res;
		if (sim_rv_s1_walk(s, addr, access, &res, "permission check") < 0)
			return true;
		gpa = res.gpa;
	}
	if (sim_map_access_goes_on(&s->c.vcpu->vm->as, gpa, access))
		return true;
	guest_page_fault(s, gpa, (unsigned)size, write, (uint64_t)value);
	return false;
}

/*
 * ecall, which Unicorn raises as 8 whatever the mode. From the guest's
 * U-mode it is the guest's own environment call from U-mode (scause 8,
 * stval 0: Privileged 3.3.1, 4.1.9), which hedeleg leaves to VS-mode;
 * from its S-mode (VS-mode) an SBI call to the hypervisor (scause 10,
 * which hedeleg cannot delegate: 8.4.2). PC is already past the ecall.
 */
static void ecall(struct sim_rv *s, uint64_t pc_after)
{
	struct vcpu_exit exit;
	struct rv_trap t = { .scause = RV_CAUSE_VS_ECALL, .sepc = pc_after - 4 };

	if (sim_rv_priv(s) == RV_PRIV_U) {
		sim_rv_deliver(s, RV_CAUSE_USER_ECALL, pc_after - 4, 0);
		return;
	}
	/*
	 * The SBI passes everything in a0..a7: only those are read, straight
	 * into the register file (the other registers reach it when the run
	 * ends, switch.c), in one call: 31 reads cost more than the rest of
	 * the exit.
	 */
	uint64_t *x = s->c.vcpu->arch.x;
	sim_rv_read_args(s->c.uc, x);
	rv_decode_trap(&t, &exit);
	rv_exit_fill_operands(&exit, x);
	dispatch(s, &exit, x, pc_after);
	if (!vm_running(s->c.vcpu->vm))
		return;
	int ids[2] = { UC_RISCV_REG_A0, UC_RISCV_REG_A1 };
	void *vals[2] = { &exit.hypercall.ret[0], &exit.hypercall.ret[1] };
	uc_reg_write_batch(s->c.uc, ids, vals, 2);
}

/*
 * A CSR instruction on a hypervisor-level CSR (number bits 9:8 = 0b10):
 * from VS-mode the H extension raises a virtual-instruction exception to
 * HS-mode for it (Privileged 8.6.1), where an M-level CSR stays an illegal
 * instruction for the guest.
 */
static bool hypervisor_csr(uint32_t insn)
{
	return (insn & 0x7f) == 0x73 && RV_CSR_FUNCT3(insn) != 0 && RV_CSR_FUNCT3(insn) != 4 &&
	       ((RV_CSR_NUM(insn) >> 8) & 3) == 2;
}

/*
 * A read of the `time` CSR (csrrs/csrrc rd, time, x0 and their immediate
 * forms with 0; `rdtime`): Unicorn's CPU has no timer and raises an
 * illegal instruction, where the H extension with hcounteren.TM clear
 * raises a virtual-instruction exception to HS-mode (Privileged 8.2.5,
 * 8.6.1), which cvisor emulates. A write is an illegal instruction for the
 * guest either way (`time` is read-only). The guest's own scounteren.TM
 * (U-mode reads) is not consulted: the API cannot read it from U-mode, and
 * firmware and KVM leave it set.
 */
static bool time_read(uint32_t insn)
{
	unsigned f3 = RV_CSR_FUNCT3(insn), rs1 = (insn >> 15) & 31;

	return (insn & 0x7f) == 0x73 && RV_CSR_NUM(insn) == RV_CSR_TIME &&
	       ((f3 & 3) == 2 || (f3 & 3) == 3) && rs1 == 0;
}

/* The virtual-instruction trap, handled by the core like any trapped register. */
static void virtual_instruction(struct sim_rv *s, uint64_t pc, uint32_t insn)
{
	uint64_t x[32];
	struct vcpu_exit exit;
	struct rv_trap t = { .scause = RV_CAUSE_VIRTUAL_INSN, .stval = insn, .sepc = pc };

	sim_rv_read_gprs(s->c.uc, x);
	rv_decode_trap(&t, &exit);
	rv_exit_fill_operands(&exit, x);
	dispatch(s, &exit, x, pc);
	if (!vm_running(s->c.vcpu->vm))
		return;
	/* An emulated CSR: its value to rd, and on past the instruction. */
	uint64_t next = pc + exit.insn_len;
	if (exit.sysreg.reg != 0)
		uc_reg_write(s->c.uc, UC_RISCV_REG_X0 + exit.sysreg.reg, &exit.sysreg.value);
	uc_reg_write(s->c.uc, UC_RISCV_REG_PC, &next);
}

/*
 * The virtual address a load, store or AMO at pc accessed, decoded from
 * the instruction and the registers; size gets its width. False if the
 * instruction is none of those.
 */
static bool access_address(struct sim_rv *s, uint64_t pc, uint64_t *va, unsigned *size)
{
	uint32_t insn = sim_rv_fetch(s, pc);
	uint64_t x[32];
	struct rv_ldst ld;

	sim_rv_read_gprs(s->c.uc, x);
	if (rv_decode_ldst(insn, &ld)) {
		*va = rv_ldst_address(&ld, x);
		*size = ld.size;
		return true;
	}
	if ((insn & 0x7f) == OPCODE_AMO) { /* LR/SC/AMO: the address is rs1, no offset */
		*va = x[(insn >> 15) & 31];
		*size = ((insn >> 12) & 7) == 3 ? 8 : 4;
		return true;
	}
	return false;
}

/*
 * The guest's own page fault (Privileged 4.3.2: stval = the faulting
 * virtual address, 4.1.9): Unicorn raised it with a precise PC. For a
 * fetch the address is PC, or the next page when a 32-bit instruction
 * crosses into one that faults; for a load or store it is the effective
 * address, likewise moved to the next page when only that part faults.
 */
static void own_page_fault(struct sim_rv *s, uint64_t cause, uint64_t pc)
{
	enum access_kind access = cause == RV_CAUSE_FETCH_PAGE_FAULT  ? ACCESS_FETCH
				  : cause == RV_CAUSE_LOAD_PAGE_FAULT ? ACCESS_READ
								      : ACCESS_WRITE;
	const char *why = "guest page fault";
	struct s1_result res;
	uint64_t va = pc;
	unsigned size = 2;

	if (access != ACCESS_FETCH && !access_address(s, pc, &va, &size)) {
		log_warn("%s: page fault at PC 0x%llx by an instruction cvisor does not decode: "
			 "stval 0", s->c.vcpu->vm->name, (unsigned long long)pc);
		sim_rv_deliver(s, cause, pc, 0);
		return;
	}
	int rc = sim_rv_s1_walk(s, va, access, &res, why);
	uint64_t last = va + size - 1;
	if (rc == 0 && (last & ~0xfffULL) != (va & ~0xfffULL)) {
		va = last & ~0xfffULL; /* the part on the next page */
		rc = sim_rv_s1_walk(s, va, access, &res, why);
	}
	if (rc == 0)
		log_warn("%s: the simulated CPU took a %s at VA 0x%llx (PC 0x%llx), which the guest's "
			 "tables translate to GPA 0x%llx", s->c.vcpu->vm->name, rv_cause_name(cause),
			 (unsigned long long)va, (unsigned long long)pc, (unsigned long long)res.gpa);
	sim_rv_deliver(s, cause, pc, va);
}

/*
 * The instruction that raised Unicorn's exception intno, PC as the hook
 * sees it: PC is past an ecall (always 4 bytes); for an illegal
 * instruction and for page faults it is the instruction's address + 4
 * whatever its length (measured with 16- and 32-bit ones); at the
 * faulting instruction for the others.
 */
static uint64_t trapping_insn(uint32_t intno, uint64_t pc)
{
	switch (intno) {
	case RV_CAUSE_USER_ECALL:
	case RV_CAUSE_ILLEGAL_INSN:
	case RV_CAUSE_FETCH_PAGE_FAULT:
	case RV_CAUSE_LOAD_PAGE_FAULT:
	case RV_CAUSE_STORE_PAGE_FAULT:
		return pc - 4;
	default:
		return pc;
	}
}

/*
 * Is the CPU being stopped (the VM ended, a kick: a time limit, a
 * stage-2 change, an exit a hook left; a notification: an interrupt to
 * look at; its clock at the deadline)? Then the exception is not taken
 * now: writing PC from a hook would make Unicorn drop the stop request
 * and run on (docs/simulator.md, "Stopping a CPU"). The guest resumes at
 * the instruction, which raises it again at the next entry; had it resumed
 * at Unicorn's PC, past the instruction, the exception would be lost.
 */
static bool stopping(struct sim_rv *s, uint32_t intno, uint64_t pc)
{
	if (vm_running(s->c.vcpu->vm) && !s->c.kicked && !s->c.have_pending && !s->c.attention &&
	    !sim_cpu_deadline_passed(&s->c))
		return false;
	if (!s->stop_pc_set) { /* an exit that stopped the VM already said where it was */
		s->stop_pc = trapping_insn(intno, pc);
		s->stop_pc_set = true;
	}
	uc_emu_stop(s->c.uc);
	return true;
}

/*
 * Unicorn keeps the block it translated from a fetch callback (the code
 * of a GPA with no RAM: zeros, an illegal instruction) once the fetch's
 * exit is handled, and runs it when the guest comes back there. An
 * illegal instruction at a PC whose GPA is not RAM is that fetch again:
 * the same instruction guest-page fault. Returns true if it was one.
 */
static bool fetched_from_nothing(struct sim_rv *s, uint64_t pc)
{
	struct s1_result res = { .gpa = pc };

	s->mmu_on = sim_rv_mmu_on(s);
	if (s->mmu_on && sim_rv_s1_probe(s, pc, ACCESS_FETCH, &res) < 0)
		return false;
	if (addrspace_read(&s->c.vcpu->vm->as, res.gpa, &(uint16_t){ 0 }, 2) == 0)
		return false;
	fetch_fault(s, pc, res.gpa, false);
	return true;
}

/*
 * Unicorn's exception numbers are QEMU's (target/riscv/cpu_bits.h): the
 * RISC-V cause codes, ecall always as 8, PC as trapping_insn() says.
 */
static void on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
	struct sim_rv *s = user;
	uint64_t pc;

	uc_reg_read(uc, UC_RISCV_REG_PC, &pc);
	if (stopping(s, intno, pc))
		return;
	sim_rv_forget_code(s);
	switch (intno) {
	case RV_CAUSE_USER_ECALL: /* ecall, whatever the mode */
		ecall(s, pc);
		return;
	case RV_CAUSE_ILLEGAL_INSN: {
		if (fetched_from_nothing(s, pc - 4))
			return;
		uint32_t insn = sim_rv_fetch(s, pc - 4);
		if (hypervisor_csr(insn) || time_read(insn)) {
			virtual_instruction(s, pc - 4, insn);
			return;
		}
		/* stval holds the instruction's bits (Privileged 4.1.9). */
		sim_rv_deliver(s, RV_CAUSE_ILLEGAL_INSN, pc - 4, insn);
		return;
	}
	case RV_CAUSE_BREAKPOINT:
		sim_rv_deliver(s, RV_CAUSE_BREAKPOINT, pc, pc);
		return;
	case RV_CAUSE_MISALIGNED_FETCH:
	case RV_CAUSE_FETCH_ACCESS:
	case RV_CAUSE_MISALIGNED_LOAD:
	case RV_CAUSE_LOAD_ACCESS:
	case RV_CAUSE_MISALIGNED_STORE:
	case RV_CAUSE_STORE_ACCESS:
		/* The guest's own fault; QEMU keeps the address in a field the API does not show. */
		sim_rv_deliver(s, intno, pc, 0);
		return;
	case RV_CAUSE_FETCH_PAGE_FAULT:
	case RV_CAUSE_LOAD_PAGE_FAULT:
	case RV_CAUSE_STORE_PAGE_FAULT:
		/* A walk that read no memory, whose access fault the core injected (dispatch()). */
		if (sim_rv_take_injected(s))
			return;
		/*
		 * A fault of the guest's own stage 1: stval from a walk of its
		 * tables. PC is the faulting instruction + 4 whatever its length,
		 * as for an illegal instruction (measured with ld, c.ld, sd and a
		 * jump to an unmapped page).
		 */
		own_page_fault(s, intno, pc - 4);
		return;
	default:
		sim_cpu_set_fatal(&s->c, pc, "simulated CPU raised exception %u (%s)", intno,
				  rv_cause_name(intno));
		return;
	}
}

/* The one-shot code hook that delivers an exception from inside a hook (ebreak). */
static void on_deliver(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	struct sim_rv *s = user;
	(void)size;
	if (!s->deliver_pending || address != s->deliver_pc)
		return;
	if (!vm_running(s->c.vcpu->vm) || s->c.kicked) {
		uc_emu_stop(uc); /* kept armed: the ebreak stops the CPU, the next entry delivers */
		return;
	}
	s->deliver_pending = false;
	uc_hook_del(uc, s->deliver_hook);
	sim_rv_forget_code(s);
	sim_rv_deliver(s, s->deliver_cause, s->deliver_pc, s->deliver_tval);
}

/* Arms a one-shot code hook at pc that delivers the exception when the CPU
 * gets there (for what ends the emulation instead of calling a hook). */
static void deliver_at(struct sim_rv *s, uint64_t pc, uint64_t cause, uint64_t tval)
{
	if (s->deliver_pending)
		return;
	s->deliver_pending = true;
	s->deliver_pc = pc;
	s->deliver_cause = cause;
	s->deliver_tval = tval;
	uc_hook_add(s->c.uc, &s->deliver_hook, UC_HOOK_CODE, (void *)on_deliver, s, pc, pc);
	/* Hooks are compiled into translated code: retranslate the block at pc. */
	uc_ctl_remove_cache(s->c.uc, pc, pc + 4);
}

/* ---- The CPU stopped: uc_emu_start() returned -------------------------------- */

/* A fetch Unicorn refused at PC: an instruction guest-page fault (its GPA is not RAM). */
static void fetch_stopped(struct sim_rv *s, struct vcpu_exit *exit)
{
	uint64_t pc = s->c.vcpu->arch.pc;
	struct s1_result res = { .gpa = pc };

	if (sim_rv_mmu_on(s) &&
	    sim_rv_s1_walk(s, pc, ACCESS_FETCH, &res, "instruction guest-page fault") < 0) {
		/* Unicorn's walk let the fetch through where cvisor's faults: say so. */
		sim_exit_fetch_disagrees(exit, pc, &res);
		return;
	}
	struct rv_trap t = { .scause = RV_CAUSE_FETCH_GUEST_PAGE_FAULT, .stval = pc,
			     .htval = res.gpa >> 2, .sepc = pc };
	rv_decode_trap(&t, exit);
	exit->s2fault.gpa = res.gpa;
	exit->s2fault.size = 4;
}

/* Why did uc_emu_start return? The registers are saved (switch.c). */
void sim_arch_stopped(struct sim_cpu *c, uc_err err, struct vcpu_exit *exit)
{
	struct sim_rv *s = (struct sim_rv *)c;
	struct vcpu_arch *a = &c->vcpu->arch;

	if (c->block_stop && !s->stop_pc_set)
		a->pc = c->stop_pc; /* Unicorn's PC may be stale there (cpu.c, on_block()) */
	if (sim_cpu_take_pending(c, exit)) {
		if (exit->reason == EXIT_FATAL || exit->reason == EXIT_STAGE2_FAULT)
			a->pc = exit->pc;
		return;
	}
	/*
	 * Kicked, notified (an interrupt to look at: the block hook stopped the
	 * CPU at a block's start), its turn over (another hart of the VM waits
	 * for one), or its clock at the deadline: EXIT_NONE, and
	 * the run loop looks at the timers and interrupts again. A wfi that
	 * stopped the CPU at the same moment simply completes, as WFI may.
	 */
	if (!vm_running(c->vcpu->vm) || c->kicked || c->attention || c->block_stop ||
	    sim_cpu_deadline_passed(c))
		return; /* EXIT_NONE */
	sim_rv_forget_code(s);
	if (err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT) {
		fetch_stopped(s, exit);
		return;
	}
	uint32_t insn = sim_rv_fetch(s, a->pc);
	if (err == UC_ERR_INSN_INVALID && (insn == INSN_EBREAK || insn == INSN_C_EBREAK)) {
		/* ebreak only ends the emulation: deliver it from a hook on the way back. */
		deliver_at(s, a->pc, RV_CAUSE_BREAKPOINT, a->pc);
		return;
	}
	if (err != UC_ERR_OK) {
		sim_exit_fatal(exit, a->pc, "simulated CPU stopped: %s", uc_strerror(err));
		return;
	}
	if (sim_rv_fetch(s, a->pc - 4) == INSN_WFI) {
		/* wfi traps with hstatus.VTW as a virtual instruction, sepc at the wfi. */
		struct rv_trap t = { .scause = RV_CAUSE_VIRTUAL_INSN, .stval = INSN_WFI,
				     .sepc = a->pc - 4 };
		rv_decode_trap(&t, exit);
		a->pc -= 4;
		return;
	}
	sim_exit_fatal(exit, a->pc, "simulated CPU stopped for no known reason");
}

/* ---- Creating the CPU ------------------------------------------------------ */

static int add_hooks(struct sim_rv *s)
{
	uc_hook h;
	uc_err e = uc_hook_add(s->c.uc, &h, UC_HOOK_INTR, (void *)on_interrupt, s, 1, 0);
	if (!e)
		e = uc_hook_add(s->c.uc, &h,
				UC_HOOK_MEM_READ_PROT | UC_HOOK_MEM_WRITE_PROT | UC_HOOK_MEM_FETCH_PROT,
				(void *)on_prot, s, 1, 0);
	return e ? -CV_EINVAL : 0;
}

/*
 * M-mode code that drops to S-mode at the entry point (t1): mepc = t1,
 * mstatus.MPP = S (0b01 << 11), mret. Unicorn starts in M-mode and has no
 * API for the privilege level.
 */
static const uint32_t trampoline[] = {
	0x34131073, /* csrw mepc, t1 */
	0x00000313, /* li t1, 0 */
	0x000012b7, /* lui t0, 0x1 */
	0x8002829b, /* addiw t0, t0, -2048: 0x800, MPP = S */
	0x30029073, /* csrw mstatus, t0 */
	0x00000293, /* li t0, 0 */
	0x30200073, /* mret */
};

struct sim_cpu *sim_arch_alloc(void)
{
	struct sim_rv *s = calloc(1, sizeof(*s));
	return s ? &s->c : NULL;
}

int sim_arch_init(struct sim_cpu *c)
{
	struct sim_rv *s = (struct sim_rv *)c;
	int rc;

	if (uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &c->uc) != UC_ERR_OK)
		return -CV_EINVAL;
	/*
	 * The VS-level interrupts are the guest's S-level ones (irq.c): mideleg
	 * delegates SSIP, STIP and SEIP to S-mode, as the hypervisor's hideleg
	 * does to VS-mode; without it sie and sip ignore the guest's writes.
	 */
	uint64_t deleg = RV_IRQ_ALL;
	uc_reg_write(c->uc, UC_RISCV_REG_MIDELEG, &deleg);
	if ((rc = sim_rv_qstate_init(s)) < 0) /* still in M-mode, as qstate.c needs */
		return rc;
	if ((rc = sim_map_build(c->uc, &c->vcpu->vm->as, &c->map, s, TRAMPOLINE, on_mmio_read,
				on_mmio_write)) < 0)
		return rc;
	if (uc_mem_map(c->uc, TRAMPOLINE, 0x1000, UC_PROT_EXEC | UC_PROT_READ) != UC_ERR_OK ||
	    uc_mem_write(c->uc, TRAMPOLINE, trampoline, sizeof(trampoline)) != UC_ERR_OK ||
	    uc_mem_protect(c->uc, TRAMPOLINE, 0x1000, UC_PROT_EXEC) != UC_ERR_OK)
		return -CV_EINVAL;
	if ((rc = add_hooks(s)) < 0)
		return rc;
	/* Guests with their MMU on run code at virtual addresses inside the windows. */
	return sim_map_exec_windows(c->uc, &c->map);
}

void sim_arch_destroy(struct sim_cpu *c)
{
	sim_rv_qstate_free((struct sim_rv *)c);
}

int sim_arch_stage2_changed(struct sim_cpu *c, gpa_t gpa, uint64_t size)
{
	return sim_map_refresh(c->uc, &c->map, gpa, size);
}
