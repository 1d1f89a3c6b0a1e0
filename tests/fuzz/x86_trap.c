/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target "x86_trap": the decoder of VMX exits (src/arch/x86_64/trap.c)
 * on exit-information fields no processor would write as well as real ones.
 * src/arch/x86_64 has no instruction decoder of its own (the simulator
 * uses Capstone), so this is the one x86_64 target.
 *
 * Feeds: the exit reason (4 bytes), qualification, guest-physical and
 *        guest-linear address (8 bytes each), instruction length and
 *        interruption information (4 bytes each), RIP (8 bytes), then 8
 *        bytes from which the 16 general-purpose registers are made.
 * Runs:  vmx_decode_exit(), vmx_exit_fill_operands(), vmx_exit_name(),
 *        exit_format_operands().
 * Checks, beyond no crash (Intel SDM Vol. 3C 28.2 and the qualification
 * tables 28-3, 28-5, 28-7; 25.9 the exit-information fields):
 *  - the exit record invariants of fuzz_check_exit() (a port I/O access of
 *    1, 2 or 4 bytes, ...), before and after the operands are filled;
 *  - pc is the guest RIP and syndrome the exit reason;
 *  - an I/O exit names port qualification[31:16], the direction of bit 3,
 *    and an OUT's data is RAX cut to the access size;
 *  - an EPT violation is a stage-2 fault at the guest-physical address,
 *    its access from qualification bits 0-2;
 *  - RDMSR/WRMSR take the MSR index from ECX and WRMSR's value from EDX:EAX.
 */
#include <string.h>

#include <arch/trap.h>

#include "fuzz.h"

static void check_io(const struct vmx_exit_info *info, const struct vcpu_exit *e,
		     const uint64_t gpr[16])
{
	uint64_t q = info->qualification;

	if (e->reason != EXIT_PIO)
		return; /* string I/O is refused */
	FUZZ_CHECK(e->pio.port == (uint16_t)(q >> 16) && e->pio.write == !(q & 8),
		   "I/O exit for qualification 0x%llx", (unsigned long long)q);
	if (e->pio.write) {
		uint64_t mask = e->pio.size == 4 ? 0xffffffffu : (1u << (8 * e->pio.size)) - 1;
		FUZZ_CHECK(e->pio.data == (gpr[0] & mask), "OUT data 0x%x", e->pio.data);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct vmx_exit_info info;
	struct vcpu_exit e;
	uint64_t gpr[16];

	info.reason = fuzz_u32(&in);
	info.qualification = fuzz_u64(&in);
	info.guest_phys = fuzz_u64(&in);
	info.guest_linear = fuzz_u64(&in);
	info.insn_len = fuzz_u32(&in);
	info.intr_info = fuzz_u32(&in);
	info.rip = fuzz_u64(&in);
	uint64_t seed = fuzz_u64(&in);
	for (unsigned i = 0; i < 16; i++)
		gpr[i] = seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));

	vmx_decode_exit(&info, &e);
	fuzz_check_exit(&e);
	FUZZ_CHECK(e.pc == info.rip && e.syndrome == info.reason, "pc or syndrome");
	FUZZ_CHECK(vmx_exit_name(info.reason) != NULL, "no name for reason %u", info.reason);
	vmx_exit_fill_operands(&e, gpr);
	fuzz_check_exit(&e);
	if (info.reason & VMX_EXIT_ENTRY_FAILURE) {
		FUZZ_CHECK(e.reason == EXIT_FATAL, "a failed entry is exit %s",
			   exit_reason_name(e.reason));
		return 0;
	}
	switch (info.reason & 0xffff) {
	case VMX_EXIT_IO:
		check_io(&info, &e, gpr);
		break;
	case VMX_EXIT_EPT_VIOLATION: {
		uint64_t q = info.qualification;
		enum access_kind want = (q & 4) ? ACCESS_FETCH : (q & 2) ? ACCESS_WRITE : ACCESS_READ;
		FUZZ_CHECK(e.reason == EXIT_STAGE2_FAULT && e.s2fault.gpa == info.guest_phys &&
				   e.s2fault.access == want,
			   "EPT violation with qualification 0x%llx", (unsigned long long)q);
		break;
	}
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		FUZZ_CHECK(e.reason == EXIT_SYSREG && e.sysreg.id == (uint32_t)gpr[1],
			   "MSR index 0x%x, ECX 0x%x", e.sysreg.id, (uint32_t)gpr[1]);
		if ((info.reason & 0xffff) == VMX_EXIT_WRMSR)
			FUZZ_CHECK(e.sysreg.value == (gpr[2] << 32 | (uint32_t)gpr[0]),
				   "WRMSR value 0x%llx", (unsigned long long)e.sysreg.value);
		break;
	}
	return 0;
}
