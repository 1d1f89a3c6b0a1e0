/* SPDX-License-Identifier: MIT */
/*
 * What Unicorn 2.0.1's x86 CPU keeps of an exception and of its privilege
 * level but its API does not show: QEMU's CPUX86State, reached through
 * uc_context_save() / uc_context_restore() (a copy of the state up to its
 * `retaddr` field).
 *
 *   field (target/i386/cpu.h)  why the simulator needs it
 *   hflags & 3                 the CPL QEMU translates with, and segs[] (CS, SS): a
 *                              change of CPL, which the API cannot make in 64-bit mode
 *                              (it writes a segment register's selector only)
 *   error_code                 the error code of a #GP, #TS, #NP, #SS it raises
 *   exception_is_int           INT n / INT3: no error code, and the gate's DPL is checked
 *   old_exception              "exception in flight": QEMU resets it to -1 only when it
 *                              delivers an exception itself, which Unicorn never does, so
 *                              the second #DE or #GP becomes a #DF (check_exception()).
 *                              Reset after each exception, as a delivery would.
 *   hflags & HF_INHIBIT_IRQ    the STI / MOV SS interrupt shadow (SDM Vol. 3A, 6.8.3)
 *   segs[CS].base              linear = CS.base + RIP outside long mode
 *   efer, hflags, segs[]       a start-up IPI's real mode and the way to long mode: the API
 *                              writes only selectors in 64-bit mode, its CR0 write sets
 *                              cr[0] alone (not HF_PE, measured: a far jump after setting
 *                              PE loaded CS as in real mode), and WRMSR cannot change
 *                              EFER.LMA (QEMU's helper_wrmsr keeps it)
 *
 * The offsets are found when the CPU is created, by writing marker values
 * through the API and looking for them in a saved context: RIP gives eip
 * (hflags is 48 bytes after it), DR0..DR7 give dr[] (the exception fields
 * sit around it). Each is checked against what it must hold at reset
 * (CPL 0 in long mode, old_exception -1); if that fails the state is
 * "unknown", and the callers fall back to what the API shows. CR3 gives
 * cr[] (efer follows it: cr[5], a20_mask, bnd_regs[4], bndcs_regs,
 * msr_bndcfgs), checked against CR0 and EFER = LME | LMA at reset.
 *
 * Calls nothing else of src/sim/x86_64/.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu.h"

#define HF_CPL_MASK 3u
#define HF_INHIBIT_IRQ_MASK (1u << 3)
#define HF_CS32_MASK (1u << 4)
#define HF_SS32_MASK (1u << 5)
#define HF_ADDSEG_MASK (1u << 6)
#define HF_PE_MASK (1u << 7)
#define HF_LMA_MASK (1u << 14)
#define HF_CS64_MASK (1u << 15)
#define EFER_LMA (1ULL << 10)
#define EFER_LME (1ULL << 8)
/* Segment descriptor flags as QEMU keeps them (SegmentCache.flags: the descriptor's high dword). */
#define DESC_A (1u << 8)
#define DESC_RW (1u << 9)
#define DESC_CS (1u << 11)
#define DESC_S (1u << 12)
#define DESC_P (1u << 15)
#define SEG_ES 0
#define SEG_DS 3
#define SEG_FS 4
#define SEG_GS 5
/* From cr[3] to cr[0], and to efer: cr[3], cr[4], a20_mask (+4 pad), bnd_regs (64), bndcs_regs (16), msr_bndcfgs. */
#define CR0_BEFORE_CR3 24
#define EFER_AFTER_CR3 112
/* eip, eflags, cc_dst, cc_src, cc_src2 (8 bytes each), cc_op, df (4 each), then hflags. */
#define HFLAGS_AFTER_EIP 48
/* hflags, hflags2, then segs[6]: { selector (4), pad, base (8), limit (4), flags (4) }. */
#define SEGS_AFTER_HFLAGS 8
#define SEG_SIZE 24
#define SEG_CS 1
#define SEG_SS 2
/* error_code (int), exception_is_int (int), exception_next_eip (8), then dr[8]. */
#define ERROR_CODE_BEFORE_DR 16
#define IS_INT_BEFORE_DR 12
/* dr[8] (64 bytes), then a union of four pointers (32 bytes), then old_exception. */
#define OLD_EXCEPTION_AFTER_DR 96
#define MARKER 0x5a17c0de00000000ULL

static int32_t ctx_i32(const struct sim_x86 *s, size_t off)
{
	int32_t v;
	sim_ctx_get(&s->q.saved, off, &v, sizeof(v));
	return v;
}

/* Segment register seg's selector in the saved context is the one the API reads (id). */
static bool selector_matches(struct sim_x86 *s, unsigned seg, int id)
{
	uint64_t v = 0;
	uc_reg_read(s->c.uc, id, &v);
	return (uint32_t)ctx_i32(s, s->q.segs + seg * SEG_SIZE) == (uint16_t)v;
}

static uint64_t ctx_u64(const struct sim_x86 *s, size_t off)
{
	uint64_t v;
	sim_ctx_get(&s->q.saved, off, &v, sizeof(v));
	return v;
}

/* Finds cr[] and efer by a marker in CR3, checked against CR0 and EFER at reset. */
static void find_efer(struct sim_x86 *s)
{
	uc_engine *uc = s->c.uc;
	uint64_t cr3 = 0, cr0 = 0, marker = MARKER | 0xc3000;

	uc_reg_read(uc, UC_X86_REG_CR3, &cr3);
	uc_reg_read(uc, UC_X86_REG_CR0, &cr0);
	uc_reg_write(uc, UC_X86_REG_CR3, &marker);
	uc_context_save(uc, s->q.saved.buf);
	size_t off = sim_ctx_find(&s->q.saved, &marker, 1);
	uc_reg_write(uc, UC_X86_REG_CR3, &cr3);
	if (off < CR0_BEFORE_CR3 || off + EFER_AFTER_CR3 + 8 > s->q.saved.size ||
	    ctx_u64(s, off - CR0_BEFORE_CR3) != cr0 ||
	    ctx_u64(s, off + EFER_AFTER_CR3) != (EFER_LME | EFER_LMA))
		return;
	s->q.efer = off + EFER_AFTER_CR3;
}

int sim_x86_qstate_init(struct sim_x86 *s)
{
	uc_engine *uc = s->c.uc;
	uint64_t dr[8], zero = 0, rip = MARKER | 0xe1;

	if (sim_ctx_alloc(&s->q.saved, uc) < 0)
		return -CV_ENOMEM;
	for (int i = 0; i < 8; i++) {
		dr[i] = MARKER | (uint64_t)(0xd0 + i);
		uc_reg_write(uc, UC_X86_REG_DR0 + i, &dr[i]);
	}
	uc_reg_write(uc, UC_X86_REG_RIP, &rip);
	uc_context_save(uc, s->q.saved.buf);
	size_t dr_off = sim_ctx_find(&s->q.saved, dr, 8), eip_off = sim_ctx_find(&s->q.saved, &rip, 1);
	for (int i = 0; i < 8; i++)
		uc_reg_write(uc, UC_X86_REG_DR0 + i, &zero);
	uc_reg_write(uc, UC_X86_REG_RIP, &zero);
	if (dr_off < ERROR_CODE_BEFORE_DR || eip_off == 0)
		return 0;
	s->q.hflags = eip_off + HFLAGS_AFTER_EIP;
	s->q.error_code = dr_off - ERROR_CODE_BEFORE_DR;
	s->q.is_int = dr_off - IS_INT_BEFORE_DR;
	s->q.old_exception = dr_off + OLD_EXCEPTION_AFTER_DR;
	s->q.segs = s->q.hflags + SEGS_AFTER_HFLAGS;
	s->q.known = s->q.old_exception + 4 <= s->q.saved.size && ctx_i32(s, s->q.old_exception) == -1 &&
		     ((uint32_t)ctx_i32(s, s->q.hflags) & (HF_CPL_MASK | HF_LMA_MASK)) == HF_LMA_MASK &&
		     selector_matches(s, SEG_CS, UC_X86_REG_CS) && selector_matches(s, SEG_SS, UC_X86_REG_SS);
	if (s->q.known)
		find_efer(s);
	return 0;
}

void sim_x86_qstate_free(struct sim_x86 *s)
{
	sim_ctx_free(&s->q.saved);
}

bool sim_x86_qstate_take_exception(struct sim_x86 *s, uint32_t *error, bool *soft)
{
	int32_t none = -1;

	if (!s->q.known)
		return false;
	uc_context_save(s->c.uc, s->q.saved.buf);
	*error = (uint32_t)ctx_i32(s, s->q.error_code);
	*soft = ctx_i32(s, s->q.is_int) != 0;
	sim_ctx_put(&s->q.saved, s->q.old_exception, &none, sizeof(none));
	uc_context_restore(s->c.uc, s->q.saved.buf);
	return true;
}

static void put_seg(struct sim_x86 *s, unsigned seg, uint32_t sel, uint32_t limit, uint32_t flags)
{
	size_t off = s->q.segs + seg * SEG_SIZE;
	uint64_t base = 0;

	sim_ctx_put(&s->q.saved, off, &sel, 4);
	sim_ctx_put(&s->q.saved, off + 8, &base, 8);
	sim_ctx_put(&s->q.saved, off + 16, &limit, 4);
	sim_ctx_put(&s->q.saved, off + 20, &flags, 4);
}

bool sim_x86_qstate_enter_cpl0(struct sim_x86 *s, uint16_t cs, uint32_t cs_flags)
{
	if (!s->q.known)
		return false;
	uc_context_save(s->c.uc, s->q.saved.buf);
	uint32_t hflags = (uint32_t)ctx_i32(s, s->q.hflags) & ~HF_CPL_MASK;
	sim_ctx_put(&s->q.saved, s->q.hflags, &hflags, 4);
	put_seg(s, SEG_CS, cs & ~3u, 0xffffffff, cs_flags);
	put_seg(s, SEG_SS, 0, 0, 0);
	uc_context_restore(s->c.uc, s->q.saved.buf);
	return true;
}

int sim_x86_qstate_cpl(struct sim_x86 *s)
{
	if (!s->q.known)
		return -1;
	uc_context_save(s->c.uc, s->q.saved.buf);
	return (int)((uint32_t)ctx_i32(s, s->q.hflags) & HF_CPL_MASK);
}

bool sim_x86_qstate_irq_shadow(struct sim_x86 *s)
{
	if (!s->q.known)
		return false;
	uc_context_save(s->c.uc, s->q.saved.buf);
	return (uint32_t)ctx_i32(s, s->q.hflags) & HF_INHIBIT_IRQ_MASK;
}

int sim_x86_qstate_code_bits(struct sim_x86 *s, uint64_t *cs_base)
{
	*cs_base = 0;
	if (!s->q.known)
		return 64;
	uc_context_save(s->c.uc, s->q.saved.buf);
	uint32_t hflags = (uint32_t)ctx_i32(s, s->q.hflags);
	*cs_base = ctx_u64(s, s->q.segs + SEG_CS * SEG_SIZE + 8);
	return hflags & HF_CS64_MASK ? 64 : hflags & HF_CS32_MASK ? 32 : 16;
}

bool sim_x86_qstate_real_mode(struct sim_x86 *s, uint16_t cs)
{
	const uint32_t data = DESC_P | DESC_S | DESC_RW | DESC_A;
	uint64_t efer = 0, base = (uint64_t)cs << 4;

	if (!s->q.known || !s->q.efer)
		return false;
	uc_context_save(s->c.uc, s->q.saved.buf);
	uint32_t hflags = (uint32_t)ctx_i32(s, s->q.hflags);
	hflags &= ~(HF_CPL_MASK | HF_INHIBIT_IRQ_MASK | HF_CS32_MASK | HF_SS32_MASK | HF_PE_MASK |
		    HF_LMA_MASK | HF_CS64_MASK);
	hflags |= HF_ADDSEG_MASK;
	sim_ctx_put(&s->q.saved, s->q.hflags, &hflags, 4);
	sim_ctx_put(&s->q.saved, s->q.efer, &efer, 8);
	put_seg(s, SEG_CS, cs, 0xffff, DESC_P | DESC_S | DESC_CS | DESC_RW | DESC_A);
	sim_ctx_put(&s->q.saved, s->q.segs + SEG_CS * SEG_SIZE + 8, &base, 8);
	static const unsigned others[5] = { SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS };
	for (unsigned i = 0; i < 5; i++)
		put_seg(s, others[i], 0, 0xffff, data);
	uc_context_restore(s->c.uc, s->q.saved.buf);
	return true;
}

bool sim_x86_qstate_cr0(struct sim_x86 *s, bool pe, bool lma)
{
	if (!s->q.known || !s->q.efer)
		return false;
	uc_context_save(s->c.uc, s->q.saved.buf);
	uint64_t efer = ctx_u64(s, s->q.efer);
	uint32_t hflags = (uint32_t)ctx_i32(s, s->q.hflags) & ~(HF_PE_MASK | HF_LMA_MASK);
	efer = lma ? efer | EFER_LMA : efer & ~EFER_LMA;
	hflags |= (pe ? HF_PE_MASK : HF_ADDSEG_MASK) | (lma ? HF_LMA_MASK : 0);
	sim_ctx_put(&s->q.saved, s->q.efer, &efer, 8);
	sim_ctx_put(&s->q.saved, s->q.hflags, &hflags, 4);
	uc_context_restore(s->c.uc, s->q.saved.buf);
	return true;
}
