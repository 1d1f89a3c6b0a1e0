/* SPDX-License-Identifier: MIT */
/*
 * Shadow paging for x86_64 guests.
 *
 * Unicorn 2.0.1's x86 MMU walks the guest's tables and then reads and
 * writes the data at the *virtual* address (target/i386/excp_helper.c,
 * "indentity map guest virtual address"). So Unicorn's address space is
 * the guest's *virtual* one: each guest-virtual page the guest touches is
 * backed by a Unicorn region at that address whose host memory is that of
 * the GPA the project's stage-1 walk (x86_s1_translate_ad() on the
 * guest's CR3) and stage 2 give. Which pages the guest may touch now, and
 * how, are told by shadow page tables that Unicorn's own walk reads: with
 * the guest in 4-level paging, Unicorn's CR0 has PG and its CR3 points at
 * them (follow_mode()). That is the shadow of the guest's page tables,
 * filled on demand:
 *
 *   guest touches a GVA the shadow   #PF (UC_HOOK_INTR, 14),   walk, the region kept or mapped,
 *   tables do not map (or not for    CR2 and error code from   the shadow leaf written; the
 *   this access: D clear, XD, U/S)   Unicorn's walk            access runs again (a fill), or #PF
 *   touches a GVA with no region     UC_HOOK_MEM_*_UNMAPPED    the same fill (checked before
 *                                                             the walk)
 *   MOV to CR0/CR3/CR4              code hook (insn.c)        emulated; the shadow tables emptied
 *   MOV to CR2                      code hook (insn.c)        the guest's CR2 (the walk writes
 *                                                             Unicorn's)
 *   INVLPG m                        code hook (insn.c)        emulated; that page's shadow leaf
 *                                                             cleared
 *   MOV from CR0/CR3                code hook (insn.c)        emulated: the guest's CR0 and CR3
 *   touches the local APIC's page   a fill                    an MMIO page at the GVA: each access
 *                                                             an APIC-access exit (reason 44)
 *   touches a device's page         a fill                    an MMIO page at the GVA: each access
 *                                                             an MMIO exit to the device bus
 *
 * Regions stay while they back the same memory (a fill checks it): a CR3
 * reload costs an emptied table and a TLB flush, not the unmapping of
 * every region (Unicorn flushes its TLB page by page over a region it
 * unmaps, and rebuilds its memory map at each map and unmap).
 *
 * Outside 4-level paging (a start-up trampoline in real mode or 32-bit
 * mode) Unicorn runs with paging off and the regions alone are the
 * shadow: UC_HOOK_MEM_*_UNMAPPED fills, UC_HOOK_MEM_*_PROT catches the
 * first write to a page whose D is clear, and every CR write drops them.
 *
 * The guest's CR0, CR2, CR3 and CR4 are the register file's (vcpu->arch).
 * A fill that fails leaves the guest's #PF (with CR2 and the walker's
 * error code) or an exit pending and stops the CPU exactly at the
 * instruction (measured: RIP at it, its destination not written, nothing
 * after it run); the #PF is delivered between runs.
 *
 * Unicorn has no hook for control-register writes or INVLPG: insn.c finds
 * them when Unicorn translates them and calls sim_x86_shadow_write_cr()
 * and sim_x86_shadow_invlpg(); hooks.c hands the #PFs to sim_x86_shadow_pf().
 *
 * Calls switch.c and qstate.c (a CR0 write's mode flags); the MMIO pages'
 * callbacks take their exits (sim_cpu_exit_now()). A #PF a hook leaves pending (sh.pf_*) is delivered
 * by hooks.c, through exc.c, once Unicorn has stopped.
 */
#include <string.h>

#include <arch/stage1.h>
#include <arch/sysreg.h>
#include <arch/trap.h>

#include <cvisor/addrspace.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/walk.h>

#include "cpu.h"

/* A run of pages mapped at once never crosses a 2 MiB boundary. */
#define RUN_MAX (2ULL << 20)

/* The guest's stage-1 registers: CRs and EFER from the register file, CPL from Unicorn's CS. */
static void guest_regs(struct sim_x86 *s, struct x86_s1_regs *r)
{
	const struct vcpu_arch *a = &s->c.vcpu->arch;
	uint64_t cs = 0, rflags = 0;

	uc_reg_read(s->c.uc, UC_X86_REG_CS, &cs);
	uc_reg_read(s->c.uc, UC_X86_REG_RFLAGS, &rflags);
	*r = (struct x86_s1_regs){ .cr0 = a->cr0, .cr3 = a->cr3, .cr4 = a->cr4, .efer = a->efer,
				   .rflags = rflags, .cpl = (unsigned)(cs & 3) };
}

/* ---- The shadow map: Unicorn regions at guest-virtual addresses ---------- */

static void drop_region(struct sim_x86 *s, unsigned i)
{
	uc_mem_unmap(s->c.uc, s->sh.r[i].gva, s->sh.r[i].size);
	for (unsigned m = 0; m < SHADOW_MAX_MMIO; m++)
		if (s->sh.mmio[m].s && s->sh.mmio[m].gva == s->sh.r[i].gva)
			s->sh.mmio[m].s = NULL;
	s->sh.r[i] = s->sh.r[--s->sh.n];
}

static void drop_regions(struct sim_x86 *s)
{
	while (s->sh.n)
		drop_region(s, s->sh.n - 1);
}

static int find_region(const struct sim_x86 *s, uint64_t gva)
{
	for (unsigned i = 0; i < s->sh.n; i++)
		if (gva - s->sh.r[i].gva < s->sh.r[i].size)
			return (int)i;
	return -1;
}

/* The guest-virtual pages the simulator keeps (shadow_reserved()) count as mapped. */
static bool shadow_reserved(uint64_t gva, uint64_t size);

static bool overlaps(const struct sim_x86 *s, uint64_t gva, uint64_t size)
{
	if (shadow_reserved(gva, size))
		return true;
	for (unsigned i = 0; i < s->sh.n; i++)
		if (gva < s->sh.r[i].gva + s->sh.r[i].size && s->sh.r[i].gva < gva + size)
			return true;
	return false;
}

/* ---- The shadow page tables Unicorn walks ------------------------------- */

/*
 * Where they are in Unicorn's physical space: below 2^40, since QEMU's TCG
 * CPUs have 40 physical-address bits and a table address above them is a
 * reserved-bit fault (target/i386/cpu.c, TCG_PHYS_ADDR_BITS). No guest
 * page can be mapped over them: a guest that touches these addresses is
 * stopped with a report (fill()). One page after them is the TLB flush's.
 */
#define SPT_BASE 0xffc0000000ULL
#define SPT_FLUSH (SPT_BASE + SHADOW_TABLE_PAGES * PAGE_SIZE)
/* A table entry: everything allowed, the leaf decides (4.6); A set, so the walk never writes it. */
#define SPT_TABLE (X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_A)
#define SPT_2M (2ULL << 20)

/*
 * Unicorn's TLB forgets every translation. The API has no call for it,
 * but mapping a region flushes the whole TLB (softmmu/memory.c,
 * memory_map_ptr()); the page is unmapped at once.
 */
static void uc_tlb_flush(struct sim_x86 *s)
{
	uint64_t *page = s->sh.spt + SHADOW_TABLE_PAGES * 512;

	if (uc_mem_map_ptr(s->c.uc, SPT_FLUSH, PAGE_SIZE, UC_PROT_READ, page) == UC_ERR_OK)
		uc_mem_unmap(s->c.uc, SPT_FLUSH, PAGE_SIZE);
}

static void spt_map(struct sim_x86 *s, uint64_t gva, bool big, uint32_t prot, bool user);

/*
 * Every shadow translation gone, and Unicorn's TLB flushed; but for the
 * page of the end address sim_cpu_run() gives uc_emu_start(): each start
 * drops the translated code there (uc_invalidate_tb()), which translates
 * the address, and a #PF taken there would be left pending for the run.
 * It maps no region: the walk succeeds and the page reads as unassigned.
 */
#define END_PAGE 0xfffffffffffff000ULL

/*
 * The addresses in [gva, gva + size) include ones the simulator keeps:
 * the shadow tables and the flush's page, or the end address's page (an
 * MMIO page there keeps its translation in Unicorn's TLB from one run to
 * the next; a page with nothing behind it was translated again at each
 * start, a walk of four table entries per run).
 */
static bool shadow_reserved(uint64_t gva, uint64_t size)
{
	uint64_t last = gva + size - 1;

	return last >= END_PAGE || (gva <= SPT_FLUSH + PAGE_SIZE - 1 && SPT_BASE <= last);
}

static void spt_clear(struct sim_x86 *s)
{
	memset(s->sh.spt, 0, s->sh.spt_used * PAGE_SIZE);
	s->sh.spt_used = 1;
	s->sh.last_pf_n = 0;
	spt_map(s, END_PAGE, false, UC_PROT_READ, false);
	uc_tlb_flush(s);
}

/*
 * The shadow entry that maps gva at level (2: a PDE, 1: a PTE), with the
 * tables above it made; NULL when the table pages have run out. A 2 MiB
 * leaf on the way becomes an empty table: the pages it mapped fill again.
 */
static uint64_t *spt_entry(struct sim_x86 *s, uint64_t gva, int level)
{
	uint64_t *t = s->sh.spt;

	for (int l = 4; l > level; l--) {
		uint64_t *e = &t[(gva >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & X86_PTE_P) || (*e & X86_PTE_PS)) {
			if (s->sh.spt_used == SHADOW_TABLE_PAGES)
				return NULL;
			*e = (SPT_BASE + s->sh.spt_used++ * PAGE_SIZE) | SPT_TABLE;
		}
		t = s->sh.spt + (((*e & ~(PAGE_SIZE - 1)) - SPT_BASE) / 8);
	}
	return &t[(gva >> (12 + 9 * (level - 1))) & 511];
}

/*
 * Maps the 4 KiB page (or the 2 MiB block, big) of gva in the shadow
 * tables with protection prot (UC_PROT_*) for the privilege the access
 * had (user: CPL 3). The leaf's address is never used: Unicorn reads the
 * data at the virtual address (the file comment), so it is 0. A and D are
 * set: Unicorn's walk never writes the tables; the guest's own A and D
 * are set by the project's walk.
 */
static void spt_map(struct sim_x86 *s, uint64_t gva, bool big, uint32_t prot, bool user)
{
	uint64_t *e = spt_entry(s, gva, big ? 2 : 1);
	uint64_t v = X86_PTE_P | X86_PTE_A | X86_PTE_D | (big ? X86_PTE_PS : 0);

	if (!e) {
		spt_clear(s); /* like a full TLB: start again */
		e = spt_entry(s, gva, big ? 2 : 1);
	}
	if (prot & UC_PROT_WRITE)
		v |= X86_PTE_RW;
	if (user)
		v |= X86_PTE_US;
	/* XD is a reserved bit while EFER.NXE is clear (4.6.1). */
	if (!(prot & UC_PROT_EXEC) && (s->c.vcpu->arch.efer & X86_EFER_NXE))
		v |= X86_PTE_XD;
	*e = v;
}

/* INVLPG: the shadow leaf that maps gva, if any, is cleared. */
static void spt_unmap(struct sim_x86 *s, uint64_t gva)
{
	uint64_t *t = s->sh.spt;

	for (int l = 4; l >= 1; l--) {
		uint64_t *e = &t[(gva >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & X86_PTE_P))
			return;
		if (l == 1 || (*e & X86_PTE_PS)) {
			*e = 0;
			s->sh.last_pf_n = 0;
			uc_tlb_flush(s);
			return;
		}
		t = s->sh.spt + (((*e & ~(PAGE_SIZE - 1)) - SPT_BASE) / 8);
	}
}

/*
 * The shadow follows the guest's paging mode. With 4-level paging on,
 * Unicorn's CR0 has PG (and WP: a supervisor write to a page the shadow
 * maps read-only must fault, whatever the guest's WP) and its CR3 points
 * at the shadow tables; the guest's CR0 and CR3 are the register file's.
 * Otherwise (real mode or protected mode without paging: a start-up
 * trampoline, or a paging mode the walker refuses) Unicorn runs without
 * paging, and the regions alone are the shadow. Changing mode drops them.
 */
static void follow_mode(struct sim_x86 *s)
{
	const struct vcpu_arch *a = &s->c.vcpu->arch;
	/* QEMU's exception state must be known: the #PFs' hook resets it (qstate.c). */
	bool paging = (a->cr0 & X86_CR0_PG) && (a->efer & X86_EFER_LMA) && (a->cr4 & X86_CR4_PAE) &&
		      !(a->cr4 & X86_CR4_LA57) && s->q.known;
	uint64_t cr0 = paging ? a->cr0 | X86_CR0_WP : a->cr0 & ~X86_CR0_PG;
	uint64_t cr3 = paging ? SPT_BASE : a->cr3;

	if (paging != s->sh.paging)
		drop_regions(s);
	s->sh.paging = paging;
	uc_reg_write(s->c.uc, UC_X86_REG_CR0, &cr0);
	uc_reg_write(s->c.uc, UC_X86_REG_CR3, &cr3);
}

void sim_x86_shadow_drop_all(struct sim_x86 *s)
{
	if (!s->sh.spt)
		return; /* not started yet */
	follow_mode(s);
	if (!s->sh.paging)
		drop_regions(s);
	spt_clear(s);
	s->sh.drops++;
}

void sim_x86_shadow_enter(struct sim_x86 *s)
{
	uint64_t cr2 = 0;
	uint32_t error;
	bool soft;

	if (!s->sh.paging)
		return;
	uc_reg_read(s->c.uc, UC_X86_REG_CR2, &cr2);
	if (cr2 == s->c.vcpu->arch.cr2)
		return;
	/* QEMU's exception in flight, or the run's first #PF would be a #DF (check_exception()). */
	sim_x86_qstate_take_exception(s, &error, &soft);
	uc_reg_write(s->c.uc, UC_X86_REG_CR2, &s->c.vcpu->arch.cr2);
}

void sim_x86_shadow_drop_memory(struct sim_x86 *s)
{
	drop_regions(s);
	sim_x86_shadow_drop_all(s);
}

void sim_x86_shadow_invlpg(struct sim_x86 *s, uint64_t gva)
{
	if (s->sh.paging) {
		spt_unmap(s, gva);
	} else {
		int i = find_region(s, gva);
		if (i >= 0)
			drop_region(s, (unsigned)i);
	}
	s->sh.drops++;
}

/* ---- Control registers and INVLPG (found and stopped at by insn.c) ------- */

void sim_x86_shadow_write_cr(struct sim_x86 *s, unsigned n, uint64_t v)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	uint64_t uc_v = v;

	if (n == 0) {
		/*
		 * Paging on with EFER.LME activates long mode, off deactivates it
		 * (SDM Vol. 3A, 10.8.5): Unicorn, whose CR0 write sets the register
		 * alone, would not, so EFER.LMA is set here (a start-up
		 * trampoline's way in), as is protected mode (PE) in QEMU's flags.
		 */
		bool lma = (v & X86_CR0_PG) && (a->efer & X86_EFER_LME);
		bool pe_changes = (v ^ a->cr0) & X86_CR0_PE;
		a->cr0 = v;
		uc_v = v & ~X86_CR0_PG; /* follow_mode() sets PG if the shadow tables are walked */
		uc_reg_write(s->c.uc, UC_X86_REG_CR0, &uc_v);
		if ((pe_changes || lma != !!(a->efer & X86_EFER_LMA)) &&
		    sim_x86_qstate_cr0(s, v & X86_CR0_PE, lma))
			a->efer = lma ? a->efer | X86_EFER_LMA : a->efer & ~X86_EFER_LMA;
	} else if (n == 2) {
		/* Unicorn's walk writes its CR2 at each shadow #PF: the guest's is vcpu->arch's. */
		a->cr2 = v;
		uc_reg_write(s->c.uc, UC_X86_REG_CR2, &uc_v);
		return;
	} else if (n == 3) {
		a->cr3 = v; /* Unicorn's is the shadow tables' (follow_mode()) */
	} else {
		a->cr4 = v;
		uc_reg_write(s->c.uc, UC_X86_REG_CR4, &uc_v);
	}
	/* Every translation may have changed (4.10.4.1: MOV to CR3 flushes non-global entries). */
	sim_x86_shadow_drop_all(s);
}

/* ---- Fills --------------------------------------------------------------- */

/* The access is refused: the guest takes #PF (or #GP) once Unicorn has stopped. */
static bool guest_fault(struct sim_x86 *s, unsigned vector, uint64_t addr, uint64_t code)
{
	s->sh.pf_pending = true;
	s->sh.pf_vector = vector;
	s->sh.pf_addr = addr;
	s->sh.pf_code = code;
	return false;
}

/*
 * Stage 1 is fine but the GPA is not RAM the access may use: the EPT
 * violation (SDM Vol. 3C, 28.2.1, table 28-7), with the guest-linear
 * address valid (bit 7) and the access to the final page (bit 8), or for
 * a paging-structure entry outside RAM bit 8 clear.
 */
static bool stage2_fault(struct sim_x86 *s, gpa_t gpa, uint64_t gva, unsigned size,
			 enum access_kind access, bool on_walk)
{
	struct vcpu_exit exit;
	uint64_t rip = 0;

	uc_reg_read(s->c.uc, UC_X86_REG_RIP, &rip);
	struct vmx_exit_info info = {
		.reason = VMX_EXIT_EPT_VIOLATION,
		.qualification = (access == ACCESS_WRITE ? 2u : access == ACCESS_FETCH ? 4u : 1u) |
				 (1u << 7) | (on_walk ? 0 : 1u << 8),
		.guest_phys = gpa,
		.guest_linear = gva,
		.rip = rip,
	};
	vmx_decode_exit(&info, &exit);
	exit.s2fault.size = (uint8_t)size;
	sim_cpu_set_pending(&s->c, &exit);
	return false;
}

/* UC_PROT_* for a page: what stage 1 allows (write only once D is set) and stage 2 allows. */
static uint32_t shadow_prot(const struct s1_result *res, unsigned s2_perm)
{
	unsigned perm = res->perm & s2_perm;
	uint32_t prot = 0;
	if (perm & PERM_READ)
		prot |= UC_PROT_READ;
	if ((perm & PERM_WRITE) && (res->code & X86_S1_DIRTY))
		prot |= UC_PROT_WRITE;
	if (perm & PERM_EXEC)
		prot |= UC_PROT_EXEC;
	return prot;
}

/*
 * The region that backs the page of gva with host memory host, if there
 * is one (the shadow tables' translation changed, not the memory behind a
 * guest-virtual address); a region there backed otherwise is dropped, and
 * *dropped set.
 */
static int backing(struct sim_x86 *s, uint64_t gva, const uint8_t *host, gpa_t mmio_gpa, bool apic,
		   bool *dropped)
{
	int i = find_region(s, gva);

	if (i < 0)
		return -1;
	const struct shadow_region *r = &s->sh.r[i];
	uint64_t page_gva = gva & ~(PAGE_SIZE - 1);
	if (host ? r->host && (const uint8_t *)r->host + (page_gva - r->gva) == host
		 : !r->host && r->gpa == mmio_gpa && r->apic == apic)
		return i;
	drop_region(s, (unsigned)i);
	*dropped = true;
	return -1;
}

/*
 * Maps the run of pages around gva that one leaf maps linearly, within one
 * stage-2 leaf and one 2 MiB block, not overlapping what is mapped already;
 * a single page if that is all that fits. With the shadow tables walked, a
 * region already backing the page with the same memory is kept (its
 * protection is all: the tables' decides), and a new one covers the whole
 * 2 MiB block around the page if stage 2 maps the memory it would back
 * linearly: the guest's neighbouring pages often map the neighbouring
 * memory (an identity or direct map in 4 KiB pages), and each of them then
 * fills without mapping a region. That is a guess, checked at each fill
 * (backing()); where it was wrong the block is mapped page by page. Returns
 * the region's index, or -1 if the GPA is not RAM stage 2 maps; *big: its
 * 2 MiB block can be one shadow leaf (both stages map it linearly, and the
 * region covers it).
 */
static int map_run(struct sim_x86 *s, uint64_t gva, const struct s1_result *res, uint32_t *prot,
		   bool *big)
{
	const struct addrspace *as = &s->c.vcpu->vm->as;
	uint64_t page_gva = gva & ~(PAGE_SIZE - 1);
	gpa_t page_gpa = res->gpa & ~(PAGE_SIZE - 1);
	struct s2_result s2;
	bool dropped = false;

	/* Stage 2 as it is now (MEM_PROTECT may have changed it): its permissions and leaf. */
	if (stage2_translate(&as->s2, page_gpa, ACCESS_READ, &s2, NULL, NULL) < 0)
		return -1;
	*prot = shadow_prot(res, s2.perm);
	void *page_host = addrspace_gpa_to_hva(as, page_gpa, PAGE_SIZE, ACCESS_READ);
	if (!page_host)
		return -1;
	uint64_t block_gva = gva & ~(SPT_2M - 1);
	int i = s->sh.paging ? backing(s, gva, page_host, 0, false, &dropped) : -1;
	if (i >= 0) {
		const struct shadow_region *r = &s->sh.r[i];
		*big = res->leaf_size >= SPT_2M && s2.leaf_size >= SPT_2M && r->gva <= block_gva &&
		       block_gva + SPT_2M <= r->gva + r->size;
		return i;
	}
	gpa_t leaf = page_gpa & ~(s2.leaf_size - 1);
	uint64_t block = MIN(res->leaf_size, RUN_MAX);
	uint64_t lo = MAX(gva & ~(block - 1), page_gva - (page_gpa - leaf));
	uint64_t hi = MIN((gva & ~(block - 1)) + block, page_gva + (leaf + s2.leaf_size - page_gpa));
	/* The guess: the 2 MiB block, if it stays within the stage-2 leaf. */
	if (s->sh.paging && !dropped && page_gva - block_gva <= page_gpa - leaf &&
	    block_gva + SPT_2M - page_gva <= leaf + s2.leaf_size - page_gpa) {
		lo = block_gva;
		hi = block_gva + SPT_2M;
	}
	uint64_t run = hi - lo;
	void *host = NULL;
	if (run > PAGE_SIZE && !dropped && !overlaps(s, lo, run))
		host = addrspace_gpa_to_hva(as, page_gpa - (page_gva - lo), run, ACCESS_READ);
	if (!host) {
		lo = page_gva;
		run = PAGE_SIZE;
		host = page_host;
	}
	if (s->sh.n == SHADOW_MAX_REGIONS)
		drop_regions(s); /* like a full TLB: start again */
	uint32_t uc_prot = s->sh.paging ? UC_PROT_ALL : *prot;
	if (uc_mem_map_ptr(s->c.uc, lo, run, uc_prot, host) != UC_ERR_OK)
		return -1;
	s->sh.r[s->sh.n++] = (struct shadow_region){ .gva = lo, .size = run, .prot = uc_prot,
						     .host = host };
	*big = res->leaf_size >= SPT_2M && run == SPT_2M && lo == block_gva &&
	       s2.leaf_size >= SPT_2M;
	return (int)(s->sh.n - 1);
}

/*
 * One walk of the guest's tables for an access Unicorn could not make,
 * traced when the VM traces walks. Sets A (and D for a write) as the
 * processor would (4.8). Returns the walker's result; *cpl: the access's CPL.
 */
static int walk_for(struct sim_x86 *s, uint64_t gva, enum access_kind access, struct s1_result *res,
		    unsigned *cpl)
{
	struct x86_s1_regs r;
	struct walk_trace t;

	guest_regs(s, &r);
	*cpl = r.cpl;
	walk_cb cb = walk_trace_begin(&t, s->c.vcpu, 1, gva, access, "shadow fill");
	int rc = x86_s1_translate_ad(&s->c.vcpu->vm->as, &r, gva, access, res, cb, &t);
	walk_trace_end(&t, rc, res->gpa, res->fault, res->level);
	if (rc == 0)
		walk_trace_stage2(s->c.vcpu, res->gpa, access, "shadow fill");
	return rc;
}

/* A fault of the walk itself: #GP, #PF, or an EPT violation on a table read. */
static bool walk_fault(struct sim_x86 *s, int rc, uint64_t gva, const struct s1_result *res,
		       enum access_kind access, unsigned size)
{
	if (rc == -CV_ERANGE)
		return guest_fault(s, 13, gva, 0); /* non-canonical: #GP(0) */
	if (res->fault == FAULT_TABLE_NOT_RAM)
		return stage2_fault(s, res->gpa, gva, size, ACCESS_READ, true);
	if (rc == -CV_ENOTSUP) {
		uint64_t rip = 0;
		uc_reg_read(s->c.uc, UC_X86_REG_RIP, &rip);
		sim_cpu_set_fatal(&s->c, rip, "the guest's paging mode is not 4-level paging (CR4=0x%llx)",
				  (unsigned long long)s->c.vcpu->arch.cr4);
		return false;
	}
	(void)access;
	return guest_fault(s, 14, gva, res->code);
}

/* ---- Pages of the local APIC and of devices --------------------------------- */

/* An access of the APIC page: the APIC-access exit (SDM Vol. 3C, 28.2.1, table 28-6). */
static uint64_t apic_access(struct shadow_mmio *m, uint64_t offset, unsigned size, bool write,
			    uint64_t value)
{
	struct sim_x86 *s = m->s;
	struct vcpu_exit exit;
	uint64_t rip = 0;

	uc_reg_read(s->c.uc, UC_X86_REG_RIP, &rip);
	struct vmx_exit_info info = { .reason = VMX_EXIT_APIC_ACCESS,
				      .qualification = (offset & 0xfff) | (write ? 1u << 12 : 0),
				      .rip = rip };
	vmx_decode_exit(&info, &exit);
	exit.sysreg.value = value;
	(void)size;
	sim_cpu_exit_now(&s->c, &exit);
	return exit.sysreg.value;
}

/*
 * An access of a device's page: the EPT violation the hardware gives,
 * decoded here into the MMIO exit, since the callback knows the size and
 * the data (on hardware the HAL decodes the instruction).
 */
static uint64_t device_access(struct shadow_mmio *m, uint64_t offset, unsigned size, bool write,
			      uint64_t value)
{
	struct sim_x86 *s = m->s;
	struct vcpu_exit exit;

	memset(&exit, 0, sizeof(exit));
	uc_reg_read(s->c.uc, UC_X86_REG_RIP, &exit.pc);
	exit.reason = EXIT_MMIO;
	exit.syndrome = VMX_EXIT_EPT_VIOLATION;
	exit.mmio.gpa = m->gpa + offset;
	exit.mmio.size = (uint8_t)size;
	exit.mmio.write = write;
	exit.mmio.data = value;
	sim_cpu_exit_now(&s->c, &exit);
	return exit.mmio.data;
}

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	struct shadow_mmio *m = user;

	(void)uc;
	if (!m->s || !vm_running(m->s->c.vcpu->vm))
		return 0;
	return m->apic ? apic_access(m, offset, size, false, 0) : device_access(m, offset, size, false, 0);
}

static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	struct shadow_mmio *m = user;

	(void)uc;
	if (!m->s || !vm_running(m->s->c.vcpu->vm))
		return;
	if (m->apic)
		apic_access(m, offset, size, true, value);
	else
		device_access(m, offset, size, true, value);
}

/*
 * The page of gva is the local APIC's (IA32_APIC_BASE, the CPU's own, before
 * any memory: SDM Vol. 3A, 11.4.1), a device's, or nothing's in a VM that
 * reads it as zero: maps it as an MMIO page whose accesses exit. False if
 * gpa is none of them, or nothing could be mapped.
 */
static bool map_mmio(struct sim_x86 *s, uint64_t gva, gpa_t gpa)
{
	const struct vcpu_arch *a = &s->c.vcpu->arch;
	uint64_t page_gva = gva & ~(PAGE_SIZE - 1);
	gpa_t page = gpa & ~(PAGE_SIZE - 1);
	bool apic = (a->apic_base & X86_APIC_BASE_EN) && page == (a->apic_base & ~(PAGE_SIZE - 1));
	const struct as_region *r = addrspace_find(&s->c.vcpu->vm->as, gpa);
	/* Neither RAM nor a device, read as zero ([devices] unmapped_access): the core answers. */
	bool raz_wi = !r && !devbus_find(&s->c.vcpu->vm->bus, gpa) &&
		      s->c.vcpu->vm->cfg.unmapped_access == UNMAPPED_RAZ_WI;
	bool dropped = false;

	if (!apic && !raz_wi && (!r || r->kind == REGION_RAM))
		return false;
	if (s->sh.paging && backing(s, gva, NULL, page, apic, &dropped) >= 0)
		return true;
	if (s->sh.n == SHADOW_MAX_REGIONS)
		drop_regions(s);
	struct shadow_mmio *m = NULL;
	for (unsigned i = 0; i < SHADOW_MAX_MMIO && !m; i++)
		if (!s->sh.mmio[i].s)
			m = &s->sh.mmio[i];
	if (!m) {
		drop_regions(s); /* like a full TLB: start again */
		m = &s->sh.mmio[0];
	}
	*m = (struct shadow_mmio){ .s = s, .gva = page_gva, .gpa = page, .apic = apic };
	if (uc_mmio_map(s->c.uc, page_gva, PAGE_SIZE, on_mmio_read, m, on_mmio_write, m) != UC_ERR_OK) {
		m->s = NULL;
		return false;
	}
	s->sh.r[s->sh.n++] = (struct shadow_region){ .gva = page_gva, .size = PAGE_SIZE,
						     .prot = UC_PROT_READ | UC_PROT_WRITE,
						     .gpa = page, .apic = apic };
	return true;
}

/*
 * Fills the shadow for an access the walk allowed (res, at CPL cpl): the
 * region behind the page (an MMIO page, or a run of RAM) and, with the
 * shadow tables walked, the leaf that maps it with what both stages allow
 * (write only once D is set). False: an EPT violation is left pending.
 */
static bool fill(struct sim_x86 *s, uint64_t addr, enum access_kind access, unsigned size,
		 const struct s1_result *res, unsigned cpl)
{
	struct s2_result s2;
	uint32_t prot;
	bool big = false;
	uint64_t rip = 0;

	if (shadow_reserved(addr, 1)) {
		uc_reg_read(s->c.uc, UC_X86_REG_RIP, &rip);
		sim_cpu_set_fatal(&s->c, rip,
				  "the guest touched GVA 0x%llx, which the simulator keeps for "
				  "itself", (unsigned long long)addr);
		return false;
	}
	if (access != ACCESS_FETCH && map_mmio(s, addr, res->gpa)) {
		if (s->sh.paging)
			spt_map(s, addr, false, UC_PROT_READ | UC_PROT_WRITE, cpl == 3);
		s->sh.fills++;
		return true;
	}
	if (map_run(s, addr, res, &prot, &big) < 0)
		return stage2_fault(s, res->gpa, addr, size, access, false);
	if (s->sh.paging) {
		/* Stage 1 allows the access (the walk); stage 2 must too, or an EPT violation. */
		if (access != ACCESS_READ &&
		    stage2_translate(&s->c.vcpu->vm->as.s2, res->gpa, access, &s2, NULL, NULL) < 0)
			return stage2_fault(s, res->gpa, addr, size, access, false);
		prot |= access == ACCESS_WRITE ? UC_PROT_WRITE
			: access == ACCESS_FETCH ? UC_PROT_EXEC : 0;
		spt_map(s, addr, big, prot, cpl == 3);
	}
	s->sh.fills++;
	return true;
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			void *user)
{
	struct sim_x86 *s = user;
	struct s1_result res;
	enum access_kind access = type == UC_MEM_FETCH_UNMAPPED ? ACCESS_FETCH
				  : type == UC_MEM_WRITE_UNMAPPED ? ACCESS_WRITE : ACCESS_READ;

	(void)uc;
	(void)value;
	if (!vm_running(s->c.vcpu->vm))
		return false;
	unsigned cpl;
	int rc = walk_for(s, addr, access, &res, &cpl);
	if (rc < 0)
		return walk_fault(s, rc, addr, &res, access, (unsigned)size);
	return fill(s, addr, access, (unsigned)size, &res, cpl);
}

int sim_x86_shadow_pf(struct sim_x86 *s, unsigned vector, uint32_t error)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	struct s1_result res;
	uint64_t addr = 0, rip = 0;
	unsigned cpl;

	uc_reg_read(s->c.uc, UC_X86_REG_CR2, &addr);
	/*
	 * A #DF from Unicorn's walk: a #PF QEMU took for the second of a pair,
	 * its first a walk that faulted between runs (sim_x86_shadow_enter())
	 * after the state was last reset. The state is reset now: the access
	 * runs again and takes its #PF, with its error code.
	 */
	if (vector == 8 && addr == a->cr2)
		return -1;
	uc_reg_write(s->c.uc, UC_X86_REG_CR2, &a->cr2); /* the guest's, which the walk overwrote */
	if (vector == 8)
		return 1;
	if (!vm_running(s->c.vcpu->vm))
		return 0;
	/*
	 * Without EFER.NXE and CR4.SMEP the error code does not tell a fetch
	 * (4.7): a fault in the bytes of the instruction at RIP is taken for one.
	 */
	uc_reg_read(s->c.uc, UC_X86_REG_RIP, &rip);
	enum access_kind access = (error & X86_PF_I) ? ACCESS_FETCH
				  : (error & X86_PF_W) ? ACCESS_WRITE
				  : addr - rip < 15 ? ACCESS_FETCH : ACCESS_READ;
	/*
	 * The same #PF again right after a fill means Unicorn refuses what the
	 * walk allowed: stop with a report rather than loop.
	 */
	uint64_t key = (addr & ~(PAGE_SIZE - 1)) | (error & 0x1f);
	s->sh.last_pf_n = key == s->sh.last_pf ? s->sh.last_pf_n + 1 : 0;
	s->sh.last_pf = key;
	if (s->sh.last_pf_n > 4) {
		sim_cpu_set_fatal(&s->c, rip,
				  "shadow paging: #PF at 0x%llx (error 0x%x) again after its fill",
				  (unsigned long long)addr, error);
		return 0;
	}
	int rc = walk_for(s, addr, access, &res, &cpl);
	if (rc < 0) {
		s->sh.last_pf_n = 0; /* the guest's own fault: it may take it again and again */
		return walk_fault(s, rc, addr, &res, access, 1);
	}
	return fill(s, addr, access, 1, &res, cpl);
}

/*
 * An access the page's Unicorn protection refuses: the first write to a
 * page whose D flag is clear (the walk sets D, 4.8), or the guest's own
 * protection #PF (R/W, XD, U/S, SMEP, SMAP). The walk decides.
 */
static bool on_prot(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		    void *user)
{
	struct sim_x86 *s = user;
	struct s1_result res;
	enum access_kind access = type == UC_MEM_FETCH_PROT ? ACCESS_FETCH
				  : type == UC_MEM_WRITE_PROT ? ACCESS_WRITE : ACCESS_READ;
	uint32_t need = access == ACCESS_FETCH ? UC_PROT_EXEC
			: access == ACCESS_WRITE ? UC_PROT_WRITE : UC_PROT_READ;

	(void)value;
	if (!vm_running(s->c.vcpu->vm))
		return false;
	unsigned cpl;
	int rc = walk_for(s, addr, access, &res, &cpl);
	if (rc < 0)
		return walk_fault(s, rc, addr, &res, access, (unsigned)size);
	int i = find_region(s, addr);
	struct s2_result s2;
	if (i < 0 || stage2_translate(&s->c.vcpu->vm->as.s2, res.gpa, access, &s2, NULL, NULL) < 0)
		return stage2_fault(s, res.gpa, addr, (unsigned)size, access, false);
	s->sh.r[i].prot |= need;
	uc_mem_protect(uc, s->sh.r[i].gva, s->sh.r[i].size, s->sh.r[i].prot);
	s->sh.fills++;
	return true;
}

/* ---- Guest-virtual memory for the simulator itself ----------------------- */

/* Copies between buf and guest-virtual memory, page by page through both stages; no A/D. */
static int access_gva(struct sim_x86 *s, uint64_t gva, void *buf, uint64_t len, bool write)
{
	struct x86_s1_regs r;
	struct s1_result res;
	uint8_t *b = buf;

	guest_regs(s, &r);
	r.cpl = 0;
	while (len) {
		uint64_t n = MIN(len, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
		int rc = x86_s1_translate(&s->c.vcpu->vm->as, &r, gva, write ? ACCESS_WRITE : ACCESS_READ,
					  &res, NULL, NULL);
		if (rc < 0)
			return rc;
		rc = write ? addrspace_write(&s->c.vcpu->vm->as, res.gpa, b, n)
			   : addrspace_read(&s->c.vcpu->vm->as, res.gpa, b, n);
		if (rc < 0)
			return rc;
		gva += n;
		b += n;
		len -= n;
	}
	return 0;
}

int sim_x86_read_gva(struct sim_x86 *s, uint64_t gva, void *buf, uint64_t len)
{
	return access_gva(s, gva, buf, len, false);
}

int sim_x86_write_gva(struct sim_x86 *s, uint64_t gva, const void *buf, uint64_t len)
{
	return access_gva(s, gva, (void *)buf, len, true);
}

void sim_x86_shadow_report(struct sim_x86 *s)
{
	char line[160];
	if (s->sh.reported || !s->c.vcpu->vm->trace)
		return;
	s->sh.reported = true;
	cv_snprintf(line, sizeof(line), "shadow: vm=%u vcpu=%u fills=%llu drops=%llu",
		    s->c.vcpu->vm->id, s->c.vcpu->id, (unsigned long long)s->sh.fills,
		    (unsigned long long)s->sh.drops);
	hal_trace_write(line);
}

int sim_x86_shadow_init(struct sim_x86 *s)
{
	uc_engine *uc = s->c.uc;
	uc_hook h;
	if (uc_hook_add(uc, &h, UC_HOOK_MEM_UNMAPPED, (void *)on_unmapped, s, 1, 0) != UC_ERR_OK ||
	    uc_hook_add(uc, &h, UC_HOOK_MEM_PROT, (void *)on_prot, s, 1, 0) != UC_ERR_OK)
		return -CV_EINVAL;
	return 0;
}

/* An access of the end address's page (END_PAGE): the guest's own page there is not reachable. */
static uint64_t on_end_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	struct sim_x86 *s = user;
	uint64_t rip = 0;

	(void)size;
	uc_reg_read(uc, UC_X86_REG_RIP, &rip);
	sim_cpu_set_fatal(&s->c, rip,
			  "the guest touched GVA 0x%llx, which the simulator keeps for itself",
			  (unsigned long long)(END_PAGE + offset));
	return 0;
}

static void on_end_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	(void)value;
	on_end_read(uc, offset, size, user);
}

int sim_x86_shadow_start(struct sim_x86 *s)
{
	/* The table pages and the TLB flush's page (uc_tlb_flush()). */
	s->sh.spt = hal_page_alloc(SHADOW_TABLE_PAGES + 1);
	if (!s->sh.spt)
		return -CV_ENOMEM;
	s->sh.spt_used = 1;
	if (uc_mem_map_ptr(s->c.uc, SPT_BASE, SHADOW_TABLE_PAGES * PAGE_SIZE,
			   UC_PROT_READ | UC_PROT_WRITE, s->sh.spt) != UC_ERR_OK ||
	    uc_mmio_map(s->c.uc, END_PAGE, PAGE_SIZE, on_end_read, s, on_end_write, s) != UC_ERR_OK)
		return -CV_ENOMEM;
	sim_x86_shadow_drop_all(s);
	s->sh.drops = 0;
	return 0;
}

void sim_x86_shadow_free(struct sim_x86 *s)
{
	hal_page_free(s->sh.spt, SHADOW_TABLE_PAGES + 1);
	s->sh.spt = NULL;
}
