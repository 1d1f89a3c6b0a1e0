/* SPDX-License-Identifier: MIT */
/**
 * @file lapic.c
 * @brief The host's local APIC in xAPIC mode: enabling it, the end of an
 *        interrupt, and IPIs (xv6's lapic.c).
 *
 * Intel SDM Vol. 3A chapter 10. Each CPU's local APIC is a page of 32-bit
 * registers, 16-byte aligned, at the physical address in IA32_APIC_BASE
 * (MSR 0x1b, bits 12 and up; 0xfee0_0000 at reset; 10.4.4), which every
 * CPU sees as its own APIC. mmu.c maps the default range uncached. Bit 11 of the
 * MSR enables the APIC globally; bit 10 (EXTD) would put it in x2APIC
 * mode, where the page is gone and the registers are MSRs: cvisor uses
 * the page, so it refuses to run in x2APIC mode (no firmware that boots
 * GRUB through the BIOS enables it).
 *
 * The registers cvisor uses (10.4.1, table 10-1):
 *   0x020 ID       bits 31:24: this APIC's ID
 *   0x080 TPR      task priority: 0, every vector gets through
 *   0x0b0 EOI      written (0) at the end of each interrupt but the spurious one
 *   0x0f0 SVR      bit 8 enables the APIC (software), bits 7:0 the spurious vector
 *   0x300 ICR low  an IPI's vector and mode; writing it sends (10.6.1)
 *   0x310 ICR high bits 31:24: the destination's APIC ID
 *   0x320 LVT timer, 0x350 LINT0, 0x360 LINT1, 0x370 LVT error: bit 16 masks each
 *   0x380 timer initial count, 0x390 current count, 0x3e0 divide (timer.c)
 */
#include <cvisor/hal.h>

#include "hal_arch.h"
#include "lapic_regs.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_ENABLE (1ULL << 11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ULL

#define SVR_ENABLE (1u << 8)
#define ICR_DELIVS (1u << 12)   /* delivery status: the last IPI not yet sent */
#define ICR_ASSERT (1u << 14)   /* level: assert (fixed IPIs are edge, assert) */
#define ICR_MAX_POLLS 10000000ul

/* The 8259A PICs' data ports: their mask registers (OCW1). */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

static volatile uint32_t *lapic;

uint32_t host_lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

void host_lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
	(void)lapic[LAPIC_ID / 4]; /* the write has reached the APIC before the next access */
}

/*
 * Enables this CPU's local APIC with the spurious vector, masks LINT0,
 * LINT1, the error and timer LVTs, and lets every priority through. The
 * legacy 8259A PICs are masked too: in the PC's "virtual wire" set-up
 * their interrupts (at vectors the BIOS chose, which overlap the
 * exceptions') would reach the CPU through LINT0.
 */
void lapic_host_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (base & APIC_BASE_EXTD)
		hal_panic("the local APIC is in x2APIC mode (IA32_APIC_BASE 0x%llx): cvisor drives "
			  "it in xAPIC mode",
			  (unsigned long long)base);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	host_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	host_lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	host_lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	host_lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	host_lapic_write(LAPIC_TPR, 0);
	host_lapic_write(LAPIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
	host_lapic_write(LAPIC_EOI, 0); /* anything the firmware left in service */
}

/* This CPU's APIC ID (10.4.6). */
uint32_t lapic_host_id(void)
{
	return host_lapic_read(LAPIC_ID) >> 24;
}

void lapic_host_eoi(void)
{
	lapic[LAPIC_EOI / 4] = 0;
}

/*
 * A fixed IPI, physical destination apic_id (10.6.1); waits until the APIC
 * has sent the last one (the delivery status bit), a panic if it never does.
 */
void lapic_host_send_ipi(uint32_t apic_id, uint8_t vector)
{
	for (unsigned long polls = 0; host_lapic_read(LAPIC_ICR_LO) & ICR_DELIVS; polls++) {
		if (polls == ICR_MAX_POLLS)
			hal_panic("the local APIC never sent the IPI before (ICR 0x%x)",
				  host_lapic_read(LAPIC_ICR_LO));
		cpu_relax();
	}
	host_lapic_write(LAPIC_ICR_HI, apic_id << 24);
	host_lapic_write(LAPIC_ICR_LO, ICR_ASSERT | vector); /* fixed, physical, no shorthand */
}
