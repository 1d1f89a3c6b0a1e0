/* SPDX-License-Identifier: MIT */
/*
 * Shadow paging for x86_64 guests.
 *
 * Unicorn 2.0.1's x86 MMU walks the guest's tables and then reads and
 * writes the data at the *virtual* address (target/i386/excp_helper.c,
 * "indentity map guest virtual address"). So Unicorn runs here with paging
 * off (CR0.PG clear, still in 64-bit mode: its reset state), and its
 * address space is the guest's *virtual* one: each guest-virtual page the
 * guest touches is a Unicorn region at that address, backed by the host
 * memory of the GPA that the project's stage-1 walk (x86_s1_translate_ad()
 * on the guest's CR3) and stage 2 give. That map is the shadow of the
 * guest's page tables, filled on demand:
 *
 *   guest touches an unmapped GVA   UC_HOOK_MEM_*_UNMAPPED    walk, map the page (a fill)
 *   write to a page mapped read-only UC_HOOK_MEM_*_PROT       walk for a write: set D, or #PF
 *   fetch from a non-executable page UC_HOOK_MEM_*_PROT       walk for a fetch: #PF (XD)
 *   MOV to CR0/CR3/CR4              code hook (insn.c)        emulated; every mapping dropped
 *   INVLPG m                        code hook (insn.c)        emulated; that page dropped
 *   MOV from CR0                    code hook (insn.c)        emulated: the guest's CR0, PG set
 *   touches the local APIC's page   UC_HOOK_MEM_*_UNMAPPED    an MMIO page at the GVA: each access
 *                                                             an APIC-access exit (reason 44)
 *   touches a device's page         UC_HOOK_MEM_*_UNMAPPED    an MMIO page at the GVA: each access
 *                                                             an MMIO exit to the device bus
 *
 * The guest's CR0, CR3 and CR4 are the register file's (vcpu->arch);
 * Unicorn's CR0 is the guest's without PG. A hook that refuses an access
 * makes Unicorn stop exactly at the instruction (measured: RIP at it, its
 * destination not written, nothing after it run), and the #PF is
 * delivered between runs with CR2 and the walker's error code.
 *
 * Unicorn has no hook for control-register writes or INVLPG: insn.c finds
 * them when Unicorn translates them and calls the two functions below.
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

void sim_x86_shadow_drop_all(struct sim_x86 *s)
{
	while (s->sh.n)
		drop_region(s, s->sh.n - 1);
	s->sh.drops++;
}

void sim_x86_shadow_invlpg(struct sim_x86 *s, uint64_t gva)
{
	for (unsigned i = 0; i < s->sh.n; i++)
		if (gva - s->sh.r[i].gva < s->sh.r[i].size) {
			drop_region(s, i);
			break;
		}
	s->sh.drops++;
}

static int find_region(const struct sim_x86 *s, uint64_t gva)
{
	for (unsigned i = 0; i < s->sh.n; i++)
		if (gva - s->sh.r[i].gva < s->sh.r[i].size)
			return (int)i;
	return -1;
}

static bool overlaps(const struct sim_x86 *s, uint64_t gva, uint64_t size)
{
	for (unsigned i = 0; i < s->sh.n; i++)
		if (gva < s->sh.r[i].gva + s->sh.r[i].size && s->sh.r[i].gva < gva + size)
			return true;
	return false;
}

/* ---- Control registers and INVLPG (found and stopped at by insn.c) ------- */

void sim_x86_shadow_write_cr(struct sim_x86 *s, unsigned n, uint64_t v)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	uint64_t uc_v = v;

	if (n == 0) {
		/*
		 * Paging on with EFER.LME activates long mode, off deactivates it
		 * (SDM Vol. 3A, 10.8.5): Unicorn, whose CR0.PG stays clear, would
		 * not, so EFER.LMA is set here (a start-up trampoline's way in), as
		 * is protected mode (PE) in QEMU's flags.
		 */
		bool lma = (v & X86_CR0_PG) && (a->efer & X86_EFER_LME);
		bool pe_changes = (v ^ a->cr0) & X86_CR0_PE;
		a->cr0 = v;
		uc_v = v & ~X86_CR0_PG; /* Unicorn's own walk stays off */
		uc_reg_write(s->c.uc, UC_X86_REG_CR0, &uc_v);
		/* Unicorn's CR0 write sets the register alone: QEMU's mode flags follow here. */
		if ((pe_changes || lma != !!(a->efer & X86_EFER_LMA)) &&
		    sim_x86_qstate_cr0(s, v & X86_CR0_PE, lma))
			a->efer = lma ? a->efer | X86_EFER_LMA : a->efer & ~X86_EFER_LMA;
	} else if (n == 3) {
		a->cr3 = v;
		uc_reg_write(s->c.uc, UC_X86_REG_CR3, &uc_v);
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
 * Maps the run of pages around gva that one leaf maps linearly, within one
 * stage-2 leaf and one 2 MiB block, not overlapping what is mapped already;
 * a single page if that is all that fits. Returns false if the GPA is not
 * RAM stage 2 maps.
 */
static bool map_run(struct sim_x86 *s, uint64_t gva, const struct s1_result *res, uint32_t *prot)
{
	const struct addrspace *as = &s->c.vcpu->vm->as;
	uint64_t page_gva = gva & ~(PAGE_SIZE - 1);
	gpa_t page_gpa = res->gpa & ~(PAGE_SIZE - 1);
	struct s2_result s2;

	/* Stage 2 as it is now (MEM_PROTECT may have changed it): its permissions and leaf. */
	if (stage2_translate(&as->s2, page_gpa, ACCESS_READ, &s2, NULL, NULL) < 0)
		return false;
	*prot = shadow_prot(res, s2.perm);
	gpa_t leaf = page_gpa & ~(s2.leaf_size - 1);
	uint64_t block = MIN(res->leaf_size, RUN_MAX);
	uint64_t lo = MAX(gva & ~(block - 1), page_gva - (page_gpa - leaf));
	uint64_t hi = MIN((gva & ~(block - 1)) + block, page_gva + (leaf + s2.leaf_size - page_gpa));
	uint64_t run = hi - lo;
	void *host = NULL;
	if (run > PAGE_SIZE && !overlaps(s, lo, run))
		host = addrspace_gpa_to_hva(as, page_gpa - (page_gva - lo), run, ACCESS_READ);
	if (!host) {
		lo = page_gva;
		run = PAGE_SIZE;
		host = addrspace_gpa_to_hva(as, page_gpa, PAGE_SIZE, ACCESS_READ);
		if (!host)
			return false;
	}
	if (s->sh.n == SHADOW_MAX_REGIONS)
		sim_x86_shadow_drop_all(s); /* like a full TLB: start again */
	if (uc_mem_map_ptr(s->c.uc, lo, run, *prot, host) != UC_ERR_OK)
		return false;
	s->sh.r[s->sh.n++] = (struct shadow_region){ .gva = lo, .size = run, .prot = *prot };
	return true;
}

/*
 * One walk of the guest's tables for an access Unicorn could not make,
 * traced when the VM traces walks. Sets A (and D for a write) as the
 * processor would (4.8). Returns the walker's result.
 */
static int walk_for(struct sim_x86 *s, uint64_t gva, enum access_kind access, struct s1_result *res)
{
	struct x86_s1_regs r;
	struct walk_trace t;

	guest_regs(s, &r);
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

	if (!apic && !raz_wi && (!r || r->kind == REGION_RAM))
		return false;
	if (s->sh.n == SHADOW_MAX_REGIONS)
		sim_x86_shadow_drop_all(s);
	struct shadow_mmio *m = NULL;
	for (unsigned i = 0; i < SHADOW_MAX_MMIO && !m; i++)
		if (!s->sh.mmio[i].s)
			m = &s->sh.mmio[i];
	if (!m) {
		sim_x86_shadow_drop_all(s); /* like a full TLB: start again */
		m = &s->sh.mmio[0];
	}
	*m = (struct shadow_mmio){ .s = s, .gva = page_gva, .gpa = page, .apic = apic };
	if (uc_mmio_map(s->c.uc, page_gva, PAGE_SIZE, on_mmio_read, m, on_mmio_write, m) != UC_ERR_OK) {
		m->s = NULL;
		return false;
	}
	s->sh.r[s->sh.n++] = (struct shadow_region){ .gva = page_gva, .size = PAGE_SIZE,
						     .prot = UC_PROT_READ | UC_PROT_WRITE };
	return true;
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			void *user)
{
	struct sim_x86 *s = user;
	struct s1_result res;
	uint32_t prot;
	enum access_kind access = type == UC_MEM_FETCH_UNMAPPED ? ACCESS_FETCH
				  : type == UC_MEM_WRITE_UNMAPPED ? ACCESS_WRITE : ACCESS_READ;

	(void)uc;
	(void)value;
	if (!vm_running(s->c.vcpu->vm))
		return false;
	int rc = walk_for(s, addr, access, &res);
	if (rc < 0)
		return walk_fault(s, rc, addr, &res, access, (unsigned)size);
	if (access != ACCESS_FETCH && map_mmio(s, addr, res.gpa)) {
		s->sh.fills++;
		return true;
	}
	if (!map_run(s, addr, &res, &prot))
		return stage2_fault(s, res.gpa, addr, (unsigned)size, access, false);
	s->sh.fills++;
	return true;
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
	int rc = walk_for(s, addr, access, &res);
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
