/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target "rv_trap": the RISC-V decoder of traps from VS-mode to
 * HS-mode (src/arch/riscv64/trap.c), on trap states no hart could
 * produce as well as real ones.
 *
 * Feeds: scause, stval, htval, htinst, sepc (8 bytes each), then 8 bytes
 *        from which x1..x31 are made.
 * Runs:  rv_decode_trap(), rv_exit_fill_operands(), rv_cause_name(),
 *        exit_format_operands().
 * Checks, beyond no crash (Privileged 1.12: 4.1.8 scause, 8.6.3 htval and
 * htinst, 8.6.1 virtual-instruction exceptions):
 *  - the exit record invariants of fuzz_check_exit(), before and after the
 *    operands are filled;
 *  - pc is sepc and syndrome scause;
 *  - a guest-page fault is an MMIO exit (never for a fetch; a write exactly
 *    for a store fault; instruction length 2 or 4) or a stage-2 fault of
 *    the same direction, both at htval << 2 | stval[1:0];
 *  - an ecall from VS-mode is a hypercall whose arguments are a0..a7;
 *  - a virtual-instruction exception is a halt exactly for WFI, a CSR
 *    access names a CSR number below 4096 and a source register below 32
 *    or an immediate below 32.
 */
#include <string.h>

#include <arch/trap.h>

#include "fuzz.h"

#define INSN_WFI 0x10500073u

static void check_guest_page_fault(const struct rv_trap *t, const struct vcpu_exit *e)
{
	gpa_t gpa = t->htval << 2 | (t->stval & 3);

	if (e->reason == EXIT_MMIO) {
		FUZZ_CHECK(t->scause != RV_CAUSE_FETCH_GUEST_PAGE_FAULT, "a fetch fault is MMIO");
		FUZZ_CHECK(e->mmio.write == (t->scause == RV_CAUSE_STORE_GUEST_PAGE_FAULT),
			   "MMIO direction for scause %llu", (unsigned long long)t->scause);
		FUZZ_CHECK(e->insn_len == 2 || e->insn_len == 4, "MMIO instruction length %u",
			   e->insn_len);
		FUZZ_CHECK(e->mmio.gpa == gpa, "MMIO at 0x%llx", (unsigned long long)e->mmio.gpa);
		return;
	}
	enum access_kind want = t->scause == RV_CAUSE_FETCH_GUEST_PAGE_FAULT  ? ACCESS_FETCH
				: t->scause == RV_CAUSE_LOAD_GUEST_PAGE_FAULT ? ACCESS_READ
									      : ACCESS_WRITE;
	FUZZ_CHECK(e->reason == EXIT_STAGE2_FAULT, "a guest-page fault is exit %s",
		   exit_reason_name(e->reason));
	FUZZ_CHECK(e->s2fault.access == want && e->s2fault.gpa == gpa,
		   "stage-2 fault %s at 0x%llx", access_kind_name(e->s2fault.access),
		   (unsigned long long)e->s2fault.gpa);
}

static void check_virtual_insn(const struct rv_trap *t, const struct vcpu_exit *e)
{
	if ((uint32_t)t->stval == INSN_WFI) {
		FUZZ_CHECK(e->reason == EXIT_HALT, "WFI is exit %s", exit_reason_name(e->reason));
		return;
	}
	FUZZ_CHECK(e->reason == EXIT_SYSREG || e->reason == EXIT_FATAL,
		   "a virtual instruction is exit %s", exit_reason_name(e->reason));
	if (e->reason != EXIT_SYSREG)
		return;
	FUZZ_CHECK(e->sysreg.id < 4096 && e->sysreg.reg < 32, "CSR 0x%x rd %u", e->sysreg.id,
		   e->sysreg.reg);
	FUZZ_CHECK(e->sysreg.src == SYSREG_SRC_IMM ? e->sysreg.value < 32 : e->sysreg.src < 32,
		   "CSR operand src %u value 0x%llx", e->sysreg.src,
		   (unsigned long long)e->sysreg.value);
	FUZZ_CHECK(e->sysreg.op <= SYSREG_OP_CLEAR, "CSR op %u", e->sysreg.op);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct rv_trap t;
	struct vcpu_exit e;
	uint64_t x[32];

	t.scause = fuzz_u64(&in);
	t.stval = fuzz_u64(&in);
	t.htval = fuzz_u64(&in);
	t.htinst = fuzz_u64(&in);
	t.sepc = fuzz_u64(&in);
	uint64_t seed = fuzz_u64(&in);
	x[0] = 0;
	for (unsigned i = 1; i < 32; i++)
		x[i] = seed ^ (0x9e3779b97f4a7c15ULL * i);

	rv_decode_trap(&t, &e);
	fuzz_check_exit(&e);
	FUZZ_CHECK(e.pc == t.sepc && e.syndrome == t.scause, "pc or syndrome");
	FUZZ_CHECK(rv_cause_name(t.scause) != NULL, "no name for scause 0x%llx",
		   (unsigned long long)t.scause);
	switch (t.scause) {
	case RV_CAUSE_FETCH_GUEST_PAGE_FAULT:
	case RV_CAUSE_LOAD_GUEST_PAGE_FAULT:
	case RV_CAUSE_STORE_GUEST_PAGE_FAULT:
		check_guest_page_fault(&t, &e);
		break;
	case RV_CAUSE_VS_ECALL:
		FUZZ_CHECK(e.reason == EXIT_HYPERCALL, "ecall is exit %s", exit_reason_name(e.reason));
		break;
	case RV_CAUSE_VIRTUAL_INSN:
		check_virtual_insn(&t, &e);
		break;
	}
	rv_exit_fill_operands(&e, x);
	fuzz_check_exit(&e);
	if (e.reason == EXIT_HYPERCALL)
		for (unsigned i = 0; i < 8; i++)
			FUZZ_CHECK(e.hypercall.args[i] == x[10 + i], "hypercall argument %u", i);
	return 0;
}
