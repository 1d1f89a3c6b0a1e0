/* SPDX-License-Identifier: MIT */
/**
 * @file smp.c
 * @brief The harts: found in the host device tree, started with SBI HSM,
 *        each running its own scheduler (../sched.c).
 *
 * The host device tree's /cpus has one node per hart with device_type
 * "cpu", `reg` its hart ID (Devicetree Specification 3.7; the RISC-V
 * binding), and `riscv,isa`, which must name the H extension for a hart
 * to run guests. OpenSBI starts the boot hart only; the others wait in
 * SBI HSM's STOPPED state until hart_start (SBI spec 9.1), which starts
 * one in S-mode (HS-mode here) at a physical address with a0 = its hart
 * ID and a1 = an opaque value, here its struct pcpu, satp = 0 and
 * interrupts off. boot.S's secondary_entry takes its stack and cvisor's
 * page table from the pcpu, then calls bare_secondary_main().
 */
#include <libfdt.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "../hal_bare.h"
#include "hal_arch.h"

#define BOOT_STACK_PAGES 4
/*
 * How long a hart may take from hart_start to its scheduler. Real hardware
 * takes microseconds; an emulator on a busy host may leave the new
 * CPU's thread unscheduled for seconds (2 s was seen to run out).
 */
#define ONLINE_TIMEOUT_NS 20000000000ULL
#define SBI_EXT_HSM 0x48534DULL

struct pcpu pcpus[MAX_PCPUS];
unsigned npcpus;

_Static_assert(__builtin_offsetof(struct pcpu, guest) == 0, "vectors.S reads pcpu->guest at 0");
_Static_assert(__builtin_offsetof(struct pcpu, boot_sp) == 8, "boot.S reads boot_sp at 8");
_Static_assert(__builtin_offsetof(struct pcpu, boot_satp) == 16, "boot.S reads boot_satp at 16");
_Static_assert(__builtin_offsetof(struct pcpu, scratch) == 24, "vectors.S uses scratch at 24");

void bare_secondary_main(struct pcpu *c); /* from boot.S */

/* Does the riscv,isa string (e.g. "rv64imafdch_zicsr_...") name the H extension? */
static bool isa_has_h(const char *isa, int len)
{
	if (!isa || len < 5 || strncmp(isa, "rv64", 4) != 0)
		return false;
	/* Single-letter extensions up to the first '_'. */
	for (int i = 4; i < len && isa[i] && isa[i] != '_'; i++)
		if (isa[i] == 'h')
			return true;
	return false;
}

/* Adds hart hartid, unless it is the boot hart (pcpus[0]) or has no H extension. */
static void add_hart(const void *fdt, int node, uint64_t hartid)
{
	int len;
	const char *isa = fdt_getprop(fdt, node, "riscv,isa", &len);

	if (hartid == pcpus[0].hartid)
		return;
	if (!isa_has_h(isa, len)) {
		log_warn("hart %llu has no H extension (riscv,isa \"%s\"): left unused",
			 (unsigned long long)hartid, isa ? isa : "");
		return;
	}
	if (npcpus == MAX_PCPUS) {
		log_warn("more than %u harts: hart %llu left unused", MAX_PCPUS,
			 (unsigned long long)hartid);
		return;
	}
	pcpus[npcpus].index = npcpus;
	pcpus[npcpus].hartid = hartid;
	npcpus++;
}

void smp_init(const void *host_dtb)
{
	int len, node, cpus;

	pcpus[0].index = 0;
	pcpus[0].hartid = bare_boot_hartid;
	pcpus[0].online = true;
	npcpus = 1;
	__asm__ volatile("mv tp, %0" ::"r"(&pcpus[0]));
	if (fdt_check_header(host_dtb) != 0 || (cpus = fdt_path_offset(host_dtb, "/cpus")) < 0)
		return;
	fdt_for_each_subnode(node, host_dtb, cpus)
	{
		const char *type = fdt_getprop(host_dtb, node, "device_type", &len);
		const fdt32_t *reg = fdt_getprop(host_dtb, node, "reg", &len);
		const char *status = fdt_getprop(host_dtb, node, "status", NULL);
		if (!type || strcmp(type, "cpu") != 0 || !reg || (len != 4 && len != 8))
			continue;
		if (status && strcmp(status, "okay") != 0)
			continue;
		uint64_t hartid = len == 8 ? (uint64_t)fdt32_ld(&reg[0]) << 32 | fdt32_ld(&reg[1])
					   : fdt32_ld(&reg[0]);
		add_hart(host_dtb, node, hartid);
	}
	if (npcpus > 1 && !sbi_has(SBI_EXT_HSM)) {
		log_warn("the SBI has no HSM extension: %u harts left unused", npcpus - 1);
		npcpus = 1;
	}
}

/*
 * Starts hart c: its boot stack, cvisor's page table, hart_start, then
 * waits until it has joined its scheduler. Returns false if it did not.
 */
static bool start_hart(struct pcpu *c)
{
	void *stack = hal_page_alloc(BOOT_STACK_PAGES);

	if (!stack)
		return false;
	c->boot_sp = (uint64_t)(uintptr_t)stack + BOOT_STACK_PAGES * PAGE_SIZE;
	c->boot_satp = hs_satp;
	__asm__ volatile("fence rw, rw" ::: "memory"); /* the pcpu is written before the hart reads it */
	long rc = sbi_hart_start(c->hartid, (uint64_t)(uintptr_t)secondary_entry,
				 (uint64_t)(uintptr_t)c);
	if (rc != 0) {
		log_warn("SBI hart_start of hart %llu failed (%ld)", (unsigned long long)c->hartid, rc);
		hal_page_free(stack, BOOT_STACK_PAGES);
		return false;
	}
	uint64_t until = hal_time_ns() + ONLINE_TIMEOUT_NS;
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
		if (hal_time_ns() > until) {
			log_warn("hart %llu did not come up", (unsigned long long)c->hartid);
			return false;
		}
	return true;
}

/* The first hart that does not start, and those after it, are left unused. */
void smp_start_secondaries(void)
{
	for (unsigned i = 1; i < npcpus; i++)
		if (!start_hart(&pcpus[i])) {
			npcpus = i;
			break;
		}
}

/* A secondary hart in C, its MMU on (boot.S): HS-mode set up as on the boot hart, then scheduling. */
void bare_secondary_main(struct pcpu *c)
{
	guest_traps_init(); /* delegation, counters and cvisor's interrupts, on this hart */
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	sched_loop(NULL);
	hal_panic("the scheduler of hart %llu returned", (unsigned long long)c->hartid);
}
