/* SPDX-License-Identifier: MIT */
/*
 * The instructions the simulated x86 CPU intercepts although Unicorn would
 * run them (or run them wrongly) itself, and how they are found:
 *
 *   guest runs           Unicorn alone would             here
 *   MOV to CR0/CR3/CR4   change its own CR, miss the      the shadow's CRs (mmu.c), its
 *                        shadow's flush                   translations dropped
 *   MOV to CR2           write the CR2 its walk of the    the guest's CR2 (mmu.c)
 *                        shadow tables overwrites
 *   MOV from CR0/CR3     read its own: CR0 with WP, CR3   the guest's CR0 and CR3
 *                        the shadow tables'
 *   INVLPG m             flush its own TLB only           that page dropped from the shadow
 *   RDMSR / WRMSR        emulate any MSR, never fault     exit reasons 31 / 32 (SDM Vol. 3C, 26.1.3)
 *   INS / OUTS           one OUT hook per byte            exit reason 30 with the string and REP
 *                                                         bits (table 28-5), which the decoder refuses
 *   RDTSC                read the host's TSC              exit reason 16 ("RDTSC exiting", 25.6.2):
 *                                                         the VM clock, so --clock=virtual repeats
 *
 * Unicorn has no hook for them, so each gets a code hook on its own
 * address. They are found when Unicorn translates a block: the
 * UC_HOOK_EDGE_GENERATED callback gives each new block's address and
 * size, Capstone splits the block into the instructions QEMU decoded
 * (never data: a block holds only instructions), and a block that holds
 * one not yet hooked is stopped before it runs (its first instruction
 * checks for a stop request), dropped from the translation cache, and
 * translated again with the hook. The hooks are a table of at most
 * INSN_MAX_HOOKS addresses; when it is full, every hook and translation
 * is dropped and the table fills again from the blocks that run, like a
 * TLB: no guest can exhaust it.
 *
 * A hook only stops the CPU at its instruction (nothing writes RIP inside
 * a hook, so a stop request is never dropped, see docs/simulator.md); the
 * instruction is emulated, or its exit built, between runs.
 *
 * Outside long mode (a start-up IPI's real-mode trampoline and its 32-bit
 * step) the hook covers every address instead: translation reports are
 * not dependable there (measured: the first blocks after the real-mode
 * entry were not reported, and a block translated again after a CR4 write
 * kept its old translation), and such code is a few dozen instructions.
 * Addresses are linear then, CS.base + RIP (qstate.c), and Capstone
 * decodes with the code size QEMU translates with. In long mode the code
 * is taken as 64-bit (compatibility mode is not told apart).
 *
 * Calls exc.c (the CPL), mmu.c (CRs, INVLPG), qstate.c (the code size and
 * CS base outside long mode) and switch.c.
 */
#include <stdlib.h>
#include <string.h>

#include <arch/sysreg.h>
#include <arch/stage1.h>
#include <arch/trap.h>

#include <cvisor/lib.h>

#include "cpu.h"

/* CR4.TSD: RDTSC only at CPL 0 (SDM Vol. 3A, 2.5). */
#define X86_CR4_TSD (1ULL << 2)
/* Real mode reaches linear addresses below 0x10fff0 (FFFF:FFFF). */
#define REAL_MODE_END 0x110000ULL
/* Longest x86 instruction (SDM Vol. 2, 2.3.11). */
#define INSN_MAX_LEN 15
/* A translation block covers at most two pages. */
#define TB_MAX_BYTES 8192
/* Where the first block runs (see prime()): not canonical, so no guest address. */
#define PRIME_PAGE 0x0000800000000000ULL

/* The intercepted instruction in bytes b (after legacy and REX prefixes); *rep: a REP prefix. */
static enum insn_kind classify(const uint8_t *b, size_t n, bool *rep)
{
	size_t i = 0;
	unsigned rex = 0;

	*rep = false;
	for (; i < n; i++) {
		uint8_t p = b[i];
		if (p == 0xf3 || p == 0xf2)
			*rep = true;
		else if (p != 0xf0 && p != 0x2e && p != 0x36 && p != 0x3e && p != 0x26 && p != 0x64 &&
			 p != 0x65 && p != 0x66 && p != 0x67)
			break;
	}
	if (i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i >= n)
		return INSN_NONE;
	if (b[i] >= 0x6c && b[i] <= 0x6f)
		return INSN_STRING_IO;
	if (b[i] != 0x0f || i + 1 >= n)
		return INSN_NONE;
	uint8_t op = b[i + 1], modrm = i + 2 < n ? b[i + 2] : 0;
	unsigned reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
	switch (op) {
	case 0x22: /* MOV CRn, r64: the mod bits are ignored (SDM Vol. 2, "MOV to/from CR") */
		return i + 2 < n && (reg == 0 || reg == 2 || reg == 3 || reg == 4) ? INSN_MOV_TO_CR
										    : INSN_NONE;
	case 0x20:
		return i + 2 < n && (reg == 0 || reg == 3) ? INSN_MOV_FROM_CR : INSN_NONE;
	case 0x01: /* 0F 01 /7 with a memory operand; mod 3 is SWAPGS, RDTSCP */
		return i + 2 < n && (modrm >> 6) != 3 && ((modrm >> 3) & 7) == 7 ? INSN_INVLPG : INSN_NONE;
	case 0x30:
		return INSN_WRMSR;
	case 0x31:
		return INSN_RDTSC;
	case 0x32:
		return INSN_RDMSR;
	default:
		return INSN_NONE;
	}
}

/*
 * The code size the CPU runs now (16, 32, 64; the register file's EFER.LMA
 * spares a look at QEMU's state in long mode), and CS's base in *cs_base.
 */
static int code_bits(struct sim_x86 *s, uint64_t *cs_base)
{
	*cs_base = 0;
	if (s->c.vcpu->arch.efer & X86_EFER_LMA)
		return 64;
	return sim_x86_qstate_code_bits(s, cs_base);
}

/* Capstone decodes with that size. */
static void decode_as(struct sim_x86 *s, int bits)
{
	cs_mode mode = bits == 16 ? CS_MODE_16 : bits == 32 ? CS_MODE_32 : CS_MODE_64;

	if (mode != s->in.mode && cs_option(s->in.cs, CS_OPT_MODE, mode) == CS_ERR_OK)
		s->in.mode = mode;
}

/* ---- The table of hooked addresses ----------------------------------------- */

/* Index of addr in the sorted table, or where it would go. */
static unsigned find(const struct insn_hooks *in, uint64_t addr)
{
	unsigned lo = 0, hi = in->n;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (in->addr[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void on_hooked(uc_engine *uc, uint64_t address, uint32_t size, void *user);

/* Hooks addr if it is not yet; true if a hook was added. Sets flush when the table is full. */
static bool hook_at(struct sim_x86 *s, uint64_t addr)
{
	struct insn_hooks *in = &s->in;
	unsigned i = find(in, addr);
	uc_hook h;

	if (i < in->n && in->addr[i] == addr)
		return false;
	if (in->n == INSN_MAX_HOOKS) {
		in->flush = true;
		return true;
	}
	if (uc_hook_add(s->c.uc, &h, UC_HOOK_CODE, (void *)on_hooked, s, addr, addr) != UC_ERR_OK)
		return false;
	memmove(&in->addr[i + 1], &in->addr[i], (in->n - i) * sizeof(in->addr[0]));
	memmove(&in->hook[i + 1], &in->hook[i], (in->n - i) * sizeof(in->hook[0]));
	in->addr[i] = addr;
	in->hook[i] = h;
	in->n++;
	in->found++;
	return true;
}

/*
 * A block was just translated, before it runs: hooks the intercepted
 * instructions it holds. If it holds one without a hook, the block was
 * translated without it: stop before it runs and translate it again.
 */
static void on_translated(uc_engine *uc, uc_tb *tb, uc_tb *prev, void *user)
{
	struct sim_x86 *s = user;
	uint8_t code[TB_MAX_BYTES];
	size_t size = MIN((size_t)tb->size, sizeof(code));
	bool added = false, rep;
	uint64_t cs_base;

	(void)prev;
	decode_as(s, code_bits(s, &cs_base));
	if (uc_mem_read(uc, tb->pc, code, size) != UC_ERR_OK) {
		size = MIN(size, PAGE_SIZE - (tb->pc & (PAGE_SIZE - 1)));
		if (uc_mem_read(uc, tb->pc, code, size) != UC_ERR_OK)
			return;
	}
	cs_insn *insn = cs_malloc(s->in.cs);
	const uint8_t *p = code;
	uint64_t addr = tb->pc;
	if (!insn)
		return;
	while (cs_disasm_iter(s->in.cs, &p, &size, &addr, insn))
		if (classify(insn->bytes, insn->size, &rep) != INSN_NONE)
			added |= hook_at(s, insn->address);
	cs_free(insn, 1);
	if (!added)
		return;
	s->in.retranslate_lo = tb->pc;
	s->in.retranslate_hi = tb->pc + tb->size;
	uc_emu_stop(uc);
}

/*
 * A hooked instruction is about to run. If it is still one cvisor
 * intercepts and the CPL lets it run (else Unicorn raises the #GP itself:
 * MOV CR, INVLPG, RDMSR, WRMSR at CPL > 0; INS/OUTS at CPL > IOPL without
 * the TSS's permission), stop the CPU before it: it is emulated between
 * runs. A kicked CPU or a stopped VM just stops; RIP stays at it.
 */
static void on_hooked(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	struct sim_x86 *s = user;
	uint8_t b[INSN_MAX_LEN];
	uint64_t rflags = 0;
	bool rep;

	if (!vm_running(s->c.vcpu->vm) || s->c.kicked) {
		s->in.stopped_at = address; /* EIP is linear here: sim_x86_insn_kicked() */
		uc_emu_stop(uc);
		return;
	}
	size = MIN(size, (uint32_t)sizeof(b));
	if (uc_mem_read(uc, address, b, size) != UC_ERR_OK)
		return;
	enum insn_kind kind = classify(b, size, &rep);
	unsigned cpl = sim_x86_cpl(s);
	uc_reg_read(uc, UC_X86_REG_RFLAGS, &rflags);
	/* RDTSC runs at any CPL unless CR4.TSD (SDM Vol. 2B, "RDTSC"). */
	bool rdtsc_ok = cpl == 0 || !(s->c.vcpu->arch.cr4 & X86_CR4_TSD);
	if (kind == INSN_NONE || (kind == INSN_RDTSC && !rdtsc_ok) ||
	    (kind != INSN_STRING_IO && kind != INSN_RDTSC && cpl != 0) ||
	    (kind == INSN_STRING_IO && cpl > ((rflags >> 12) & 3)))
		return;
	s->in.stopped = kind;
	s->in.stopped_at = address;
	uc_emu_stop(uc);
}

/* ---- Outside long mode --------------------------------------------------------- */

void sim_x86_insn_legacy(struct sim_x86 *s, bool on)
{
	if (on == s->in.legacy)
		return;
	if (on && uc_hook_add(s->c.uc, &s->in.legacy_hook, UC_HOOK_CODE, (void *)on_hooked, s, 1, 0) !=
			  UC_ERR_OK)
		return;
	if (!on)
		uc_hook_del(s->c.uc, s->in.legacy_hook);
	s->in.legacy = on;
	/*
	 * Code hooks are compiled into translations: what real mode can reach
	 * is translated again. (Not a whole flush: UC_CTL_TB_FLUSH took 0.1 to
	 * 6 s here with several CPUs running.) Translations made with the hook
	 * call it harmlessly once it is gone.
	 */
	if (on)
		uc_ctl_remove_cache(s->c.uc, 0, REAL_MODE_END);
}

/* ---- Between runs ------------------------------------------------------------ */

bool sim_x86_insn_between_runs(struct sim_x86 *s)
{
	struct insn_hooks *in = &s->in;
	bool asked = in->flush || in->retranslate_hi;

	if (in->flush) {
		for (unsigned i = 0; i < in->n; i++)
			uc_hook_del(s->c.uc, in->hook[i]);
		in->n = 0;
		in->flush = false;
		in->flushes++;
		in->retranslate_hi = in->retranslate_lo = 0;
		uc_ctl(s->c.uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
	}
	if (in->retranslate_hi) {
		uc_ctl_remove_cache(s->c.uc, in->retranslate_lo, in->retranslate_hi);
		in->retranslate_hi = in->retranslate_lo = 0;
	}
	return asked;
}

static uint64_t reg(const struct sim_x86 *s, unsigned n)
{
	return s->c.vcpu->arch.gpr[n & 15];
}

/*
 * The linear address of INVLPG's memory operand (SDM Vol. 2, 2.1.5 and
 * 2.2.1.6, ModRM and SIB in 64-bit mode). b points at ModRM, end is the
 * instruction's end (RIP-relative operands are relative to it).
 */
static uint64_t modrm_address(const struct sim_x86 *s, const uint8_t *b, unsigned rex, uint64_t end)
{
	unsigned mod = b[0] >> 6, rm = b[0] & 7, n = 1;
	uint64_t addr = 0;
	int32_t d;

	if (rm == 4) {
		uint8_t sib = b[n++];
		unsigned idx = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0), base = (sib & 7) | (rex & 1 ? 8 : 0);
		if (idx != 4)
			addr = reg(s, idx) << (sib >> 6);
		if ((sib & 7) == 5 && mod == 0) {
			memcpy(&d, b + n, 4);
			return addr + (uint64_t)(int64_t)d;
		}
		addr += reg(s, base);
	} else if (rm == 5 && mod == 0) {
		memcpy(&d, b + n, 4);
		return end + (uint64_t)(int64_t)d;
	} else {
		addr = reg(s, rm | (rex & 1 ? 8 : 0));
	}
	if (mod == 1)
		addr += (uint64_t)(int64_t)(int8_t)b[n];
	else if (mod == 2) {
		memcpy(&d, b + n, 4);
		addr += (uint64_t)(int64_t)d;
	}
	return addr;
}

/* INS/OUTS: the I/O exit with the string bit (4) and REP (5), port in DX (table 28-5). */
static void string_io_exit(struct sim_x86 *s, const uint8_t *b, unsigned len, unsigned op,
			   bool rep, struct vcpu_exit *exit)
{
	const struct vcpu_arch *a = &s->c.vcpu->arch;
	bool opsize16 = memchr(b, 0x66, len - 1) != NULL;
	unsigned size_code = !(op & 1) ? 0 : opsize16 ? 1 : 3;
	struct vmx_exit_info info = {
		.reason = VMX_EXIT_IO,
		.qualification = (a->gpr[X86_RDX] & 0xffff) << 16 | (rep ? 1u << 5 : 0) | 1u << 4 |
				 (op <= 0x6d ? 1u << 3 : 0) | size_code,
		.insn_len = len,
		.rip = a->rip,
	};
	vmx_decode_exit(&info, exit);
}

/*
 * Unicorn syncs EIP with the *linear* address before a code hook
 * (measured: EIP 0x800b at 0800:000b): back to CS-relative, if the CPU
 * stopped in on_hooked() at stopped_at.
 */
static void rip_from_hook(struct sim_x86 *s, uint64_t cs_base)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;

	if (cs_base && a->rip == s->in.stopped_at)
		a->rip -= cs_base;
}

void sim_x86_insn_kicked(struct sim_x86 *s)
{
	uint64_t cs_base;

	s->in.stopped = INSN_NONE;
	code_bits(s, &cs_base);
	rip_from_hook(s, cs_base);
}

bool sim_x86_insn_stopped(struct sim_x86 *s, struct vcpu_exit *exit)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	enum insn_kind kind = s->in.stopped;
	uint8_t b[INSN_MAX_LEN];
	bool rep;

	uint64_t cs_base;
	s->in.stopped = INSN_NONE;
	if (kind == INSN_NONE)
		return false;
	decode_as(s, code_bits(s, &cs_base));
	rip_from_hook(s, cs_base);
	if (cs_base + a->rip != s->in.stopped_at ||
	    sim_x86_read_gva(s, cs_base + a->rip, b, sizeof(b)) < 0)
		return false;
	unsigned p = 0, rex = 0;
	while (p < INSN_MAX_LEN - 3 && (b[p] == 0xf3 || b[p] == 0xf2 || b[p] == 0x66 || b[p] == 0x67 ||
					b[p] == 0xf0 || b[p] == 0x2e || b[p] == 0x36 || b[p] == 0x3e ||
					b[p] == 0x26 || b[p] == 0x64 || b[p] == 0x65))
		p++;
	if ((b[p] & 0xf0) == 0x40)
		rex = b[p++];
	cs_insn *insn = cs_malloc(s->in.cs);
	const uint8_t *code = b;
	size_t left = sizeof(b);
	uint64_t addr = cs_base + a->rip;
	unsigned len = insn && cs_disasm_iter(s->in.cs, &code, &left, &addr, insn) ? insn->size : 0;
	if (insn)
		cs_free(insn, 1);
	if (!len || classify(b, len, &rep) != kind)
		return false;
	uint8_t modrm = b[p + 2];
	unsigned reg_n = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0), rm = (modrm & 7) | (rex & 1 ? 8 : 0);
	switch (kind) {
	case INSN_MOV_TO_CR:
		sim_x86_shadow_write_cr(s, reg_n, a->gpr[rm]);
		break;
	case INSN_MOV_FROM_CR:
		a->gpr[rm] = reg_n == 3 ? a->cr3 : a->cr0;
		break;
	case INSN_INVLPG:
		sim_x86_shadow_invlpg(s, modrm_address(s, b + p + 2, rex, a->rip + len));
		break;
	case INSN_RDMSR:
	case INSN_WRMSR: {
		struct vmx_exit_info info = { .reason = kind == INSN_RDMSR ? VMX_EXIT_RDMSR : VMX_EXIT_WRMSR,
					      .insn_len = len, .rip = a->rip };
		vmx_decode_exit(&info, exit);
		vmx_exit_fill_operands(exit, a->gpr);
		return true;
	}
	case INSN_STRING_IO:
		string_io_exit(s, b, len, b[p], rep, exit);
		return true;
	case INSN_RDTSC: {
		struct vmx_exit_info info = { .reason = VMX_EXIT_RDTSC, .insn_len = len, .rip = a->rip };
		vmx_decode_exit(&info, exit);
		return true;
	}
	default:
		return false;
	}
	a->rip += len;
	return true;
}

/* ---- Creating ------------------------------------------------------------------ */

/*
 * Unicorn reports a new block only once a block has run before
 * (uc->last_tb): runs one HLT on a page of its own, which no guest
 * address can reach, so the guest's first block is reported too.
 */
static int prime(struct sim_x86 *s)
{
	static const uint8_t hlt = 0xf4;
	uc_engine *uc = s->c.uc;

	if (uc_mem_map(uc, PRIME_PAGE, PAGE_SIZE, UC_PROT_ALL) != UC_ERR_OK)
		return -CV_EINVAL;
	uc_err e = uc_mem_write(uc, PRIME_PAGE, &hlt, 1);
	if (!e)
		e = uc_emu_start(uc, PRIME_PAGE, PRIME_PAGE + PAGE_SIZE, 0, 0);
	uc_mem_unmap(uc, PRIME_PAGE, PAGE_SIZE);
	return e ? -CV_EINVAL : 0;
}

int sim_x86_insn_init(struct sim_x86 *s)
{
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &s->in.cs) != CS_ERR_OK)
		return -CV_EINVAL;
	s->in.mode = CS_MODE_64;
	if (uc_hook_add(s->c.uc, &s->in.edge, UC_HOOK_EDGE_GENERATED, (void *)on_translated, s, 1, 0) !=
	    UC_ERR_OK)
		return -CV_EINVAL;
	return prime(s);
}

void sim_x86_insn_free(struct sim_x86 *s)
{
	if (s->in.cs)
		cs_close(&s->in.cs);
}
