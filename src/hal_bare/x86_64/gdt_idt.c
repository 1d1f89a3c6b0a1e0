/* SPDX-License-Identifier: MIT */
/**
 * @file gdt_idt.c
 * @brief cvisor's segments and interrupt table: a GDT and a TSS per CPU,
 *        one IDT, and what cvisor does with each vector.
 *
 * Intel SDM Vol. 3A 3.4.5 (segment descriptors), 7.2.3 and 7.7 (the
 * 64-bit TSS and its 16-byte descriptor), 6.10-6.14 (the IDT and its
 * 64-bit gates). In 64-bit mode segmentation is almost gone: CS must be a
 * 64-bit code segment (L = 1), the data selectors are only checked for
 * presence, and bases come from MSRs (GS's from IA32_GS_BASE, smp.c).
 * Each CPU's GDT:
 *
 *   0x00  null
 *   0x08  64-bit code, DPL 0 (HOST_CS)
 *   0x10  data, writable, DPL 0 (HOST_DS: DS, ES, SS)
 *   0x18  this CPU's TSS (HOST_TR), 16 bytes
 *
 * VMX needs the TSS: a VM exit loads TR from the VMCS's host state, and
 * the selector must not be null (SDM Vol. 3C 27.2.3). The TSS's one use
 * is IST1, a stack of its own for the exceptions (6.14.5): every one is
 * fatal in cvisor, and on a stack of its own its message gets out even
 * when cvisor's stack overflowed into its guard page (mmu.c) or below.
 * The GDT is per CPU, so that every CPU's TR is 0x18: LTR marks the
 * descriptor busy, and one descriptor cannot serve two CPUs.
 *
 * The IDT's 256 interrupt gates (idt.S's stubs; interrupts stay off in
 * the handler) lead to x86_trap():
 *   0..31           exceptions: cvisor never causes one on purpose, so
 *                   each is a panic with the vector's name, the error
 *                   code, RIP and CR2 (the faulting address of a #PF);
 *   VECTOR_TIMER    cvisor's timer (timer.c): c->timer_fired, EOI;
 *   VECTOR_KICK     another CPU's kick (cpu_kick()): c->kicked, EOI;
 *   VECTOR_SPURIOUS the local APIC's spurious interrupt: nothing, and no
 *                   EOI (SDM Vol. 3A 10.9);
 *   any other       nothing of cvisor's uses it: a panic.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "../hal_bare.h"
#include "hal_arch.h"

/* Code and data descriptors (3.4.5): P, DPL 0, S = 1; code L = 1, execute/read; data writable. */
#define DESC_CODE64 0x00af9a000000ffffULL
#define DESC_DATA 0x00cf92000000ffffULL
#define GDT_ENTRIES 5 /* null, code, data, TSS (two entries) */
#define TSS_TYPE_AVAILABLE 0x9ULL
#define GATE_INTERRUPT 0xeU /* 64-bit interrupt gate: IF cleared on entry */
#define EXC_IST 1 /* the exceptions' stack: IST1 */
#define IST_STACK_SIZE 8192

/* The 64-bit TSS (SDM Vol. 3A figure 7-11): 104 bytes, no I/O bitmap. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "the 64-bit TSS is 104 bytes");

/* A 64-bit interrupt gate (figure 6-8). */
struct gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr; /* P, DPL, type */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

/* What idt.S pushed, from the lowest address up. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static uint64_t gdts[MAX_PCPUS][GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss tsss[MAX_PCPUS] __attribute__((aligned(16)));
static uint8_t exc_stacks[MAX_PCPUS][IST_STACK_SIZE] __attribute__((aligned(16)));
static struct gate idt[256] __attribute__((aligned(16)));
static bool idt_ready;
extern const uint64_t x86_vector_stubs[256]; /* idt.S */

void x86_trap(struct trap_frame *f); /* from idt.S */

/* The exceptions' names (SDM Vol. 3A table 6-1). */
static const char *const exception_names[32] = {
    "divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)",
    "BOUND range exceeded (#BR)", "invalid opcode (#UD)", "device not available (#NM)",
    "double fault (#DF)", "coprocessor segment overrun", "invalid TSS (#TS)",
    "segment not present (#NP)", "stack fault (#SS)", "general protection (#GP)",
    "page fault (#PF)", "reserved 15", "x87 FPU error (#MF)", "alignment check (#AC)",
    "machine check (#MC)", "SIMD floating-point (#XM)", "virtualization (#VE)",
    "control protection (#CP)", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
    "reserved 26", "reserved 27", "hypervisor injection (#HV)", "VMM communication (#VC)",
    "security (#SX)", "reserved 31"};

/* Fills the IDT once: every vector's stub, the exceptions on IST1. */
static void idt_fill(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t off = x86_vector_stubs[v];
		idt[v] = (struct gate){
		    .offset_lo = (uint16_t)off,
		    .selector = HOST_CS,
		    .ist = v < 32 ? EXC_IST : 0,
		    .type_attr = 0x80 | GATE_INTERRUPT, /* P, DPL 0 */
		    .offset_mid = (uint16_t)(off >> 16),
		    .offset_hi = (uint32_t)(off >> 32),
		};
	}
	idt_ready = true;
}

/* c's GDT with its TSS's descriptor (figure 7-4: base split over 16 bytes, limit 103). */
static void gdt_fill(struct pcpu *c)
{
	uint64_t *gdt = gdts[c->index];
	struct tss *tss = &tsss[c->index];
	uint64_t base = (uint64_t)(uintptr_t)tss, limit = sizeof(*tss) - 1;

	tss->ist[EXC_IST - 1] = (uint64_t)(uintptr_t)exc_stacks[c->index] + IST_STACK_SIZE;
	tss->iomap_base = sizeof(*tss); /* no I/O permission bitmap */
	gdt[0] = 0;
	gdt[1] = DESC_CODE64;
	gdt[2] = DESC_DATA;
	gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | TSS_TYPE_AVAILABLE << 40 |
		 1ULL << 47 /* P */ | (limit >> 16 & 0xf) << 48 | (base >> 24 & 0xff) << 56;
	gdt[4] = base >> 32;
}

/*
 * Loads c's GDT (reloading CS with a far return, then the data selectors;
 * FS and GS null: their bases are MSRs), its TSS, and the IDT. Run by
 * each CPU for itself before it sets its GS base (smp.c).
 */
void cpu_tables_init(struct pcpu *c)
{
	struct desc_ptr gdtr = {sizeof(gdts[0]) - 1, (uint64_t)(uintptr_t)gdts[c->index]};
	struct desc_ptr idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

	if (!idt_ready)
		idt_fill();
	gdt_fill(c);
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "movw %w3, %%fs\n\t"
			 "movw %w3, %%gs\n\t"
			 "ltr %w4\n\t"
			 "lidt %5"
			 :
			 : "m"(gdtr), "i"(HOST_CS), "r"(HOST_DS), "r"(0), "r"(HOST_TR), "m"(idtr)
			 : "rax", "memory");
}

uint64_t host_gdt_base(void)
{
	return (uint64_t)(uintptr_t)gdts[this_cpu()->index];
}

uint64_t host_idt_base(void)
{
	return (uint64_t)(uintptr_t)idt;
}

uint64_t host_tr_base(const struct pcpu *c)
{
	return (uint64_t)(uintptr_t)&tsss[c->index];
}

/*
 * An exception in cvisor's own code: never meant to happen, so the run
 * ends with what it was. One taken while the panic of an earlier one is
 * printed (on the same IST1 stack, from its top again) ends the run at
 * once, then without a word, so that a broken console or stack cannot
 * loop here.
 */
static void exception(const struct trap_frame *f)
{
	static unsigned depth;
	uint64_t cr2;

	if (++depth == 2)
		bare_power_off(BARE_EXIT_PANIC);
	if (depth > 2)
		power_shutdown();
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	hal_panic("%s (vector %llu) in cvisor, error code 0x%llx, at RIP 0x%llx, CR2 0x%llx, "
		  "RSP 0x%llx",
		  exception_names[f->vector], (unsigned long long)f->vector,
		  (unsigned long long)f->error, (unsigned long long)f->rip,
		  (unsigned long long)cr2, (unsigned long long)f->rsp);
}

/* Every vector's handler (idt.S): interrupts stay off while it runs. */
void x86_trap(struct trap_frame *f)
{
	struct pcpu *c;

	if (f->vector < 32)
		exception(f);
	switch (f->vector) {
	case VECTOR_TIMER:
		c = this_cpu();
		c->timer_fired = true;
		lapic_host_eoi();
		break;
	case VECTOR_KICK:
		c = this_cpu();
		c->kicked = true;
		lapic_host_eoi();
		break;
	case VECTOR_SPURIOUS:
		break; /* not an interrupt: no EOI (SDM Vol. 3A 10.9) */
	default:
		hal_panic("interrupt vector %llu: nothing of cvisor's uses it (at RIP 0x%llx)",
			  (unsigned long long)f->vector, (unsigned long long)f->rip);
	}
}
