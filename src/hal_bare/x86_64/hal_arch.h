/* SPDX-License-Identifier: MIT */
/**
 * @file hal_arch.h
 * @brief What the x86_64 files of the bare HAL give each other (xv6's
 *        defs.h); what they share with the rest of hal_bare is in
 *        ../hal_bare.h and ../sched.h.
 *
 * cvisor runs in 64-bit long mode at CPL 0 (VMX root operation once
 * VMXON has run), booted by GRUB through multiboot2, with interrupts off
 * (RFLAGS.IF = 0) except while it waits in HLT. GS's base (IA32_GS_BASE)
 * points at the CPU's struct pcpu, whose first field points at itself.
 */
#ifndef HAL_BARE_X86_64_H
#define HAL_BARE_X86_64_H

#include <cvisor/types.h>

#include "../lock.h"
#include "../sched.h"

struct vcpu;
struct vm;

/** Physical CPUs cvisor uses at most. */
#define MAX_PCPUS 16

/** Interrupt vectors cvisor's own interrupts use (the local APIC's, SDM Vol. 3A 10.x). */
#define VECTOR_TIMER 0xf0   /**< cvisor's timer: the local APIC timer */
#define VECTOR_KICK 0xf1    /**< the kick from another CPU (an IPI) */
#define VECTOR_SPURIOUS 0xff /**< the local APIC's spurious vector */

/** One physical CPU; GS's base points at its own while cvisor runs on it. */
struct pcpu {
	struct pcpu *self;   /**< offset 0: this struct (this_cpu() reads %gs:0) */
	unsigned index;      /**< 0 for the boot CPU */
	uint32_t apic_id;    /**< its local APIC ID */
	volatile bool online;
	/* The scheduler's fields (../sched.h): */
	struct spinlock lock;
	struct thread *threads;
	unsigned nthreads;
	struct thread *current;
	uint64_t sched_sp;
	bool preempt;
	uint64_t slice_end;
	uint64_t next_tick;
	/* Interrupts taken by the IDT while cvisor waited (idt.c), handed to cpu_irqs_ack(): */
	volatile bool timer_fired, kicked;
	/* cvisor's timer (timer.c): */
	bool timer_on;       /**< armed, */
	uint64_t timer_at;   /**< for this time (ns) */
	/* VMX (vmx.c, vcpu.c): */
	void *vmxon_region;  /**< the 4 KiB VMXON region of this CPU */
	void *loaded;        /**< the vCPU whose VMCS is current on this CPU (VMPTRLD) */
};

/** The physical CPUs; pcpus[0] is the boot CPU. */
extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned npcpus;

/** The CPU this code runs on. */
static inline struct pcpu *this_cpu(void)
{
	struct pcpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/** @name Port I/O and MSRs @{ */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
/** @} */

/* boot.S: what GRUB gave (multiboot2: EAX = 0x36d76289, EBX = the information structure). */
extern uint64_t bare_mb2_info;

/* uart.c (besides bare_putc() and bare_getc()) */
/** Waits until COM1 has sent every byte it holds. */
void uart_flush(void);

/* power.c (besides bare_power_off()) */
/** Ends the run without a status line (Bochs's shutdown port), then halts for good. */
void power_shutdown(void) __attribute__((noreturn));

/* platform.c (or virt.c): the order of the pieces; memory from the multiboot2 memory map */
/** Puts the RAM the multiboot2 memory map says is available, above cvisor's image, in the page allocator. */
void mb2_memory_init(uint64_t mb2_info);

/* mmu.c */
/** cvisor's page tables: an identity map of the first 64 GiB with 1 GiB (or 2 MiB) pages. */
void x86_mmu_init(void);
/** The CR3 value of that map (host state of every VMCS). */
extern uint64_t host_cr3;

/* gdt_idt.c: cvisor's own GDT (with a TSS, which VMX's host state needs) and IDT */
/** Loads the GDT, TSS and IDT on this CPU. */
void cpu_tables_init(struct pcpu *c);
/** Selectors and bases VMX's host-state area needs (SDM Vol. 3C, 25.5). */
#define HOST_CS 0x08
#define HOST_DS 0x10
#define HOST_TR 0x18
uint64_t host_gdt_base(void);
uint64_t host_idt_base(void);
uint64_t host_tr_base(const struct pcpu *c);

/* smp.c */
/** Makes the boot CPU pcpus[0] (the only one so far) and points its GS base at it. */
void smp_init(void);

/* lapic.c: the host's local APIC (xAPIC, MMIO at IA32_APIC_BASE) */
/** Enables this CPU's local APIC (spurious vector), masks LINT0/LINT1. */
void lapic_host_init(void);
/** End of interrupt. */
void lapic_host_eoi(void);
/** Sends VECTOR_KICK to the CPU with APIC ID apic_id. */
void lapic_host_send_ipi(uint32_t apic_id, uint8_t vector);

/* timer.c: time from the TSC (its frequency measured against the PIT), cvisor's timer on the local APIC timer */
/** Measures the TSC's frequency and the local APIC timer's; sets up the timer's vector. */
void timer_init(void);
/** cvisor's time (hal_time_ns()) at a TSC value, and the first TSC value at a time
 * (rounded up; UINT64_MAX for CLOCK_NEVER): e.g. for the VMX-preemption timer. */
uint64_t tsc_to_ns(uint64_t tsc);
uint64_t ns_to_tsc(uint64_t ns);
/* timer_arm_at() and timer_stop() (../sched.h) */

/* vmx.c (VMX on each CPU) */
/** VMXON on this CPU: checks CPUID.1:ECX.VMX and IA32_FEATURE_CONTROL, fixes CR0/CR4. Panics if VMX is missing. */
void vmx_cpu_init(struct pcpu *c);

/* switch.S */
/** Where a new thread starts: calls r12(r13), then sched_exit(). */
void bare_thread_start(void);

#endif
