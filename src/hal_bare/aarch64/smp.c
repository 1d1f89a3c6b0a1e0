/* SPDX-License-Identifier: MIT */
/**
 * @file smp.c
 * @brief The physical CPUs: found in the host device tree, started with
 *        PSCI CPU_ON, each set up at EL2 as the boot CPU is, then handed
 *        to its scheduler (sched.c).
 *
 * The CPUs are the /cpus/cpu@N nodes of the device tree QEMU gives
 * (Devicetree Specification 3.7 and 3.8): `reg` is the CPU's affinity as
 * MPIDR_EL1 has it (Aff3 in the upper cell), `enable-method` is "psci".
 * The /psci node's `method` says how PSCI is called; QEMU's virt machine
 * with virtualization=on and no EL3 answers PSCI itself and names "smc":
 * cvisor at EL2 calls it with SMC #0 (SMC Calling Convention, DEN0028:
 * function ID in x0, arguments in x1..x3, result in x0).
 *
 * CPU_ON (PSCI DEN0022 5.6, function 0xC400_0003, SMC64):
 *   x1 = the target CPU's MPIDR affinity, x2 = the physical address it
 *   starts at (boot.S: secondary_entry), x3 = a context ID it finds in
 *   x0 (here its struct pcpu). It starts at the caller's EL (EL2), MMU off.
 */
#include <libfdt.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "../hal_bare.h"
#include "hal_arch.h"
#include "cpu.h"

#define PSCI_CPU_ON_64 0xC4000003ULL
#define MPIDR_AFF_MASK 0xff00ffffffULL /* Aff3 (39:32), Aff2, Aff1, Aff0 of MPIDR_EL1 */
#define BOOT_STACK_PAGES 4
/*
 * How long a CPU may take from CPU_ON to its scheduler. Real hardware
 * takes microseconds; an emulator on a busy host may leave the new
 * CPU's thread unscheduled for seconds (2 s was seen to run out).
 */
#define ONLINE_TIMEOUT_NS 20000000000ULL

struct pcpu pcpus[MAX_PCPUS];
unsigned npcpus;
static bool psci_smc; /* the host's PSCI is reached by SMC */

_Static_assert(__builtin_offsetof(struct pcpu, guest) == 0, "vectors.S reads pcpu->guest at 0");
_Static_assert(__builtin_offsetof(struct pcpu, boot) == 8, "boot.S reads pcpu->boot at 8");
_Static_assert(__builtin_offsetof(struct pcpu_boot, sctlr) == 32, "boot.S reads sctlr at 40");

void secondary_entry(void);               /* boot.S */
void bare_secondary_main(struct pcpu *c); /* from boot.S */

/* Adds the CPU with affinity mpidr, the boot CPU first. */
static void add_cpu(uint64_t mpidr)
{
	uint64_t self = READ_SYSREG(mpidr_el1) & MPIDR_AFF_MASK;

	if (mpidr == self)
		return; /* pcpus[0], already there */
	if (npcpus == MAX_PCPUS) {
		log_warn("more than %u CPUs: CPU 0x%llx left unused", MAX_PCPUS,
			 (unsigned long long)mpidr);
		return;
	}
	pcpus[npcpus].index = npcpus;
	pcpus[npcpus].mpidr = mpidr;
	npcpus++;
}

void smp_init(const void *host_dtb)
{
	int len, node, cpus;

	pcpus[0].index = 0;
	pcpus[0].mpidr = READ_SYSREG(mpidr_el1) & MPIDR_AFF_MASK;
	pcpus[0].online = true;
	npcpus = 1;
	__asm__ volatile("msr tpidr_el2, %0" ::"r"(&pcpus[0]));
	if (fdt_check_header(host_dtb) != 0 || (cpus = fdt_path_offset(host_dtb, "/cpus")) < 0)
		return;
	node = fdt_path_offset(host_dtb, "/psci");
	const char *method = node >= 0 ? fdt_getprop(host_dtb, node, "method", &len) : NULL;
	psci_smc = method && strcmp(method, "smc") == 0;
	fdt_for_each_subnode(node, host_dtb, cpus)
	{
		const char *type = fdt_getprop(host_dtb, node, "device_type", &len);
		const fdt32_t *reg = fdt_getprop(host_dtb, node, "reg", &len);
		if (!type || strcmp(type, "cpu") != 0 || !reg || (len != 4 && len != 8))
			continue;
		uint64_t mpidr = len == 8 ? (uint64_t)fdt32_ld(&reg[0]) << 32 | fdt32_ld(&reg[1])
					  : fdt32_ld(&reg[0]);
		add_cpu(mpidr & MPIDR_AFF_MASK);
	}
	if (npcpus > 1 && !psci_smc) {
		log_warn("the host's PSCI is not called by SMC (/psci method): %u CPUs left unused",
			 npcpus - 1);
		npcpus = 1;
	}
}

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
	return (int64_t)x0;
}

/* Writes [p, p + size) back to the point of coherency (DC CVAC, ARM ARM C6.2.77). */
static void clean_to_poc(const void *p, size_t size)
{
	uint64_t line = 4ULL << ((READ_SYSREG(ctr_el0) >> 16) & 0xf); /* CTR_EL0.DminLine */
	uintptr_t a = (uintptr_t)p & ~(line - 1);

	for (; a < (uintptr_t)p + size; a += line)
		__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
	DSB();
}

/*
 * Starts CPU c: its boot stack, the boot CPU's MMU settings, CPU_ON, then
 * waits until it has joined its scheduler. Returns false if it did not.
 */
static bool start_cpu(struct pcpu *c)
{
	void *stack = hal_page_alloc(BOOT_STACK_PAGES);

	if (!stack)
		return false;
	c->boot.sp = (uint64_t)(uintptr_t)stack + BOOT_STACK_PAGES * PAGE_SIZE;
	c->boot.mair = READ_SYSREG(mair_el2);
	c->boot.tcr = READ_SYSREG(tcr_el2);
	c->boot.ttbr0 = READ_SYSREG(ttbr0_el2);
	c->boot.sctlr = READ_SYSREG(sctlr_el2);
	clean_to_poc(c, sizeof(*c));
	int64_t rc = psci_call(PSCI_CPU_ON_64, c->mpidr, (uint64_t)(uintptr_t)secondary_entry,
			       (uint64_t)(uintptr_t)c);
	if (rc != 0) {
		log_warn("PSCI CPU_ON of CPU 0x%llx failed (%lld)", (unsigned long long)c->mpidr,
			 (long long)rc);
		return false;
	}
	uint64_t until = hal_time_ns() + ONLINE_TIMEOUT_NS;
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
		if (hal_time_ns() > until) {
			log_warn("CPU 0x%llx did not come up", (unsigned long long)c->mpidr);
			return false;
		}
	return true;
}

/* The first CPU that does not start, and those after it, are left unused. */
void smp_start_secondaries(void)
{
	for (unsigned i = 1; i < npcpus; i++)
		if (!start_cpu(&pcpus[i])) {
			npcpus = i;
			break;
		}
}

/* A secondary CPU in C, its MMU on (boot.S): EL2 set up as on the boot CPU, then scheduling. */
void bare_secondary_main(struct pcpu *c)
{
	guest_traps_init(); /* what EL2 traps of every guest, on this CPU */
	gic_cpu_init(c);    /* its redistributor and CPU interface */
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	sched_loop(NULL);
	hal_panic("the scheduler of CPU %u returned", c->index);
}
