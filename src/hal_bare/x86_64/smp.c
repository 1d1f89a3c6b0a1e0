/* SPDX-License-Identifier: MIT */
/**
 * @file smp.c
 * @brief The physical CPUs: for now the boot CPU alone.
 *
 * cvisor runs on the CPU GRUB started it on. Finding the others would
 * take the ACPI MADT (its processor local APIC entries) and starting them
 * the INIT-SIPI-SIPI sequence (SDM Vol. 3A 8.4.4) into a real-mode
 * trampoline below 1 MiB; cvisor does neither yet, so npcpus is 1 and the
 * vCPUs of every VM share the boot CPU in time slices (../sched.c), as on
 * the other architectures with one CPU.
 *
 * GS's base (IA32_GS_BASE, MSR 0xc000_0101; SDM Vol. 3A 3.4.4) points at
 * the CPU's struct pcpu, whose first field points at itself, so that
 * this_cpu() is one load: `mov %gs:0, reg`.
 */
#include <cvisor/hal.h>

#include "hal_arch.h"

#define MSR_GS_BASE 0xc0000101

struct pcpu pcpus[MAX_PCPUS];
unsigned npcpus;

_Static_assert(__builtin_offsetof(struct pcpu, self) == 0, "this_cpu() reads %gs:0");

/* This CPU's initial APIC ID: CPUID.01H:EBX[31:24] (SDM Vol. 2A, CPUID). */
static uint32_t initial_apic_id(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	return b >> 24;
}

/* Makes the boot CPU pcpus[0] and points its GS base at it. After cpu_tables_init(). */
void smp_init(void)
{
	struct pcpu *c = &pcpus[0];

	c->self = c;
	c->index = 0;
	c->apic_id = initial_apic_id();
	c->online = true;
	npcpus = 1;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
}
