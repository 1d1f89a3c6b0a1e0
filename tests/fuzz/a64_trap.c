/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target "a64_trap": the AArch64 decoder of traps to EL2
 * (src/arch/aarch64/trap.c), on syndromes no guest could produce as well
 * as real ones.
 *
 * Feeds: ESR_EL2, FAR_EL2, HPFAR_EL2, ELR_EL2 (8 bytes each), then 8
 * bytes from which the guest's x0..x30 are made.
 * Runs:  a64_decode_trap(), a64_exit_fill_operands(), the names reports
 *        use (a64_ec_name, a64_sysreg_name), exit_format_operands().
 * Checks, beyond no crash (ARM ARM D17.2.37 "ESR_EL2", D17.2.70 "HPFAR_EL2"):
 *  - the exit record invariants of fuzz_check_exit(), before and after the
 *    operands are filled;
 *  - pc is ELR_EL2, 4 bytes back for an HVC; syndrome is ESR_EL2;
 *  - a data abort with ISV, not on a stage-1 walk, with a translation
 *    fault status is an MMIO exit of 1 << SAS bytes to register SRT at
 *    HPFAR.FIPA:FAR[11:0], and the written data is x[SRT] (0 for XZR)
 *    cut to that size;
 *  - a trapped MSR/MRS decodes to a register id, Rt and direction that
 *    a64_sysreg_iss() encodes back to the same ISS;
 *  - a64_fault_gpa() of a64_hpfar_from_gpa(gpa) gives gpa back (52 bits).
 */
#include <string.h>

#include <arch/sysreg.h>
#include <arch/trap.h>

#include "fuzz.h"

static void check_mmio(const struct a64_trap *t, const struct vcpu_exit *e, const uint64_t x[31])
{
	uint32_t iss = (uint32_t)ESR_ISS(t->esr);
	unsigned size = 1u << ((iss >> ISS_DA_SAS_SHIFT) & 3), srt = (iss >> ISS_DA_SRT_SHIFT) & 31;
	gpa_t gpa = ((t->hpfar >> 4) & ((1ULL << 40) - 1)) << 12 | (t->far & 0xfff);

	FUZZ_CHECK(e->reason == EXIT_MMIO, "a data abort with ISV on a translation fault is exit %s",
		   exit_reason_name(e->reason));
	FUZZ_CHECK(e->mmio.size == size && e->mmio.reg == srt &&
			   e->mmio.write == !!(iss & ISS_DA_WNR) &&
			   e->mmio.sign_extend == !!(iss & ISS_DA_SSE) &&
			   e->mmio.reg_is_64 == !!(iss & ISS_DA_SF),
		   "MMIO operands of ISS 0x%x", iss);
	FUZZ_CHECK(e->mmio.gpa == gpa, "MMIO at 0x%llx, not 0x%llx", (unsigned long long)e->mmio.gpa,
		   (unsigned long long)gpa);
	if (e->mmio.write) {
		uint64_t v = srt == 31 ? 0 : x[srt];
		if (size < 8)
			v &= (1ULL << (8 * size)) - 1;
		FUZZ_CHECK(e->mmio.data == v, "MMIO write data 0x%llx, not 0x%llx",
			   (unsigned long long)e->mmio.data, (unsigned long long)v);
	}
}

static void check_sysreg(const struct a64_trap *t, const struct vcpu_exit *e)
{
	char buf[40];
	uint32_t iss = (uint32_t)ESR_ISS(t->esr);

	FUZZ_CHECK(e->reason == EXIT_SYSREG, "EC 0x18 is exit %s", exit_reason_name(e->reason));
	FUZZ_CHECK(a64_sysreg_iss(e->sysreg.id, e->sysreg.reg, !e->sysreg.write) == (iss & 0x3fffff),
		   "ISS 0x%x decodes to id 0x%x Rt %u, which encode to 0x%x", iss, e->sysreg.id,
		   e->sysreg.reg, a64_sysreg_iss(e->sysreg.id, e->sysreg.reg, !e->sysreg.write));
	const char *name = a64_sysreg_name(e->sysreg.id, buf, sizeof(buf));
	FUZZ_CHECK(name && name[0] && strnlen(name, 64) < 64, "no name for sysreg 0x%x", e->sysreg.id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct a64_trap t;
	struct vcpu_exit e;
	uint64_t x[31];

	t.esr = fuzz_u64(&in);
	t.far = fuzz_u64(&in);
	t.hpfar = fuzz_u64(&in);
	t.pc = fuzz_u64(&in);
	uint64_t seed = fuzz_u64(&in);
	for (unsigned i = 0; i < 31; i++)
		x[i] = seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));

	a64_decode_trap(&t, &e);
	fuzz_check_exit(&e);
	unsigned ec = (unsigned)ESR_EC(t.esr);
	uint32_t iss = (uint32_t)ESR_ISS(t.esr);
	FUZZ_CHECK(e.syndrome == t.esr, "syndrome 0x%llx", (unsigned long long)e.syndrome);
	FUZZ_CHECK(e.pc == (ec == EC_HVC64 ? t.pc - 4 : t.pc), "pc 0x%llx for ELR 0x%llx",
		   (unsigned long long)e.pc, (unsigned long long)t.pc);
	FUZZ_CHECK(a64_ec_name(ec) != NULL, "no name for EC 0x%x", ec);

	a64_exit_fill_operands(&e, x);
	fuzz_check_exit(&e);
	if (ec == EC_DABT_LOW && (iss & ISS_DA_ISV) && !(iss & ISS_DA_S1PTW) &&
	    (iss & 0x3f) >= FSC_TRANS(0) && (iss & 0x3f) <= FSC_TRANS(3))
		check_mmio(&t, &e, x);
	if (ec == EC_SYS64)
		check_sysreg(&t, &e);

	gpa_t gpa = t.far & ((1ULL << 52) - 1);
	FUZZ_CHECK(a64_fault_gpa(a64_hpfar_from_gpa(gpa), gpa) == gpa,
		   "HPFAR round trip of 0x%llx", (unsigned long long)gpa);
	return 0;
}
