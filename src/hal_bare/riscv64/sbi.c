/* SPDX-License-Identifier: MIT */
/**
 * @file sbi.c
 * @brief Calls to the SBI implementation below cvisor (OpenSBI in M-mode).
 *
 * RISC-V Supervisor Binary Interface spec v2.0 (v1.0 for everything used
 * here), chapter 3: an `ecall` from S-mode traps to M-mode with the
 * extension ID in a7, the function ID in a6 and the arguments in a0..a5;
 * the SBI implementation returns an error code in a0 (0, SBI_SUCCESS, or
 * negative) and a value in a1. The extensions cvisor uses:
 *
 *   Base  0x10          probe_extension (FID 3): is an extension there? (ch. 4)
 *   TIME  0x5449_4D45   set_timer (FID 0): STIP at a `time` value (ch. 6)
 *   sPI   0x73_5049     send_ipi (FID 0): SSIP on the harts of a mask (ch. 7)
 *   HSM   0x48_534D     hart_start (FID 0): another hart into S-mode (ch. 9)
 *   SRST  0x5352_5354   system_reset (FID 0): shutdown (ch. 10)
 *
 * OpenSBI has them all. The legacy extensions of SBI v0.1 (chapter 5:
 * set_timer 0x00, send_ipi 0x04, shutdown 0x08; the result in a0 only)
 * are used only when probe_extension says the newer one is absent.
 */
#include <cvisor/types.h>

#include "hal_arch.h"

#define SBI_EXT_BASE 0x10
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_SRST 0x53525354
#define SBI_LEGACY_SET_TIMER 0x00
#define SBI_LEGACY_SEND_IPI 0x04
#define SBI_LEGACY_SHUTDOWN 0x08

#define SRST_SHUTDOWN 0
#define SRST_REASON_NONE 0
#define SRST_REASON_FAILURE 1

struct sbiret sbi_call(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
		       uint64_t a3, uint64_t a4, uint64_t a5)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register uint64_t r4 __asm__("a4") = a4;
	register uint64_t r5 __asm__("a5") = a5;
	register uint64_t r6 __asm__("a6") = fid;
	register uint64_t r7 __asm__("a7") = eid;
	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){.error = (long)r0, .value = (long)r1};
}

/* A legacy (v0.1) call: a7 = eid, one argument; returns a0. */
static long sbi_legacy_call(uint64_t eid, uint64_t arg)
{
	register uint64_t r0 __asm__("a0") = arg;
	register uint64_t r7 __asm__("a7") = eid;
	__asm__ volatile("ecall" : "+r"(r0) : "r"(r7) : "a1", "memory");
	return (long)r0;
}

bool sbi_has(uint64_t eid)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, eid, 0, 0, 0, 0, 0);
	return r.error == 0 && r.value != 0;
}

/*
 * What probe_extension said about the extensions with a legacy fallback,
 * asked once: set_timer is called at every timer change. Harts that ask
 * at the same time find the same answers.
 */
static struct {
	bool time, ipi, srst;
} sbi_ext;
static bool sbi_probed;

static void sbi_probe(void)
{
	if (__atomic_load_n(&sbi_probed, __ATOMIC_ACQUIRE))
		return;
	sbi_ext.time = sbi_has(SBI_EXT_TIME);
	sbi_ext.ipi = sbi_has(SBI_EXT_IPI);
	sbi_ext.srst = sbi_has(SBI_EXT_SRST);
	__atomic_store_n(&sbi_probed, true, __ATOMIC_RELEASE);
}

/* The TIME extension (SBI 6.1) also clears a pending STIP until stime is reached. */
void sbi_set_timer(uint64_t stime)
{
	sbi_probe();
	if (sbi_ext.time)
		sbi_call(SBI_EXT_TIME, 0, stime, 0, 0, 0, 0, 0);
	else
		sbi_legacy_call(SBI_LEGACY_SET_TIMER, stime);
}

/*
 * sPI send_ipi (SBI 7.1): the mask's bit i is hart hart_mask_base + i.
 * The legacy call takes the address of a mask whose bit i is hart i.
 */
void sbi_send_ipi_to(uint64_t hartid)
{
	sbi_probe();
	if (sbi_ext.ipi) {
		sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0, 0, 0, 0);
	} else if (hartid < 64) {
		uint64_t mask = 1ULL << hartid;
		sbi_legacy_call(SBI_LEGACY_SEND_IPI, (uint64_t)(uintptr_t)&mask);
	}
}

/* HSM hart_start (SBI 9.1); v0.1 has no way to start a hart. */
long sbi_hart_start(uint64_t hartid, uint64_t start, uint64_t opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start, opaque, 0, 0, 0).error;
}

/* SRST system_reset (SBI 10.1): returns only if the machine could not be switched off. */
void sbi_shutdown(bool failure)
{
	sbi_probe();
	if (sbi_ext.srst)
		sbi_call(SBI_EXT_SRST, 0, SRST_SHUTDOWN, failure ? SRST_REASON_FAILURE : SRST_REASON_NONE,
			 0, 0, 0, 0);
	else
		sbi_legacy_call(SBI_LEGACY_SHUTDOWN, 0);
}
