/* SPDX-License-Identifier: MIT */
/*
 * Interrupts, timers and secondary vCPUs on x86_64 (cvisor/arch.h): each
 * vCPU's local APIC (lapic.c) connected to the VM clock, to the other
 * vCPUs and to the I/O APIC (ioapic.c).
 *
 *   guest does                          here
 *   load/store in the APIC page         x86_apic_access(): lapic_read()/lapic_write()
 *   writes ICR low                      send(): fixed IPIs into the targets' IRR,
 *                                       INIT and start-up (SIPI) to start the APs
 *   programs the timer                  vcpu_arch_timers() brings it to the VM clock
 *                                       (hal_vcpu_clock_ns()) and gives the next expiry
 *   HLT                                 vcpu_arch_irq_wakes(): a vector above PPR, IF = 1
 *
 * Delivery itself (RFLAGS.IF, the STI and MOV SS shadow, the IDT) is the
 * HAL's, as it is the processor's on hardware: it asks x86_irq_pending()
 * and, when it takes the vector, x86_irq_ack().
 *
 * MP start (SDM Vol. 3A, 8.4.4 "MP Initialization Example"): the BSP sends
 * INIT, then two start-up IPIs with vector VV. INIT leaves an AP that is
 * off waiting for a start-up IPI; the first SIPI turns it on through
 * vcpu_power_on() in real mode at VV00:0000 (physical 0xVV000, 9.1.1 and
 * table 9-1); the second finds it running and is ignored, as on hardware.
 */
#include <arch/irq.h>
#include <arch/lapic.h>
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#define RFLAGS_IF (1ULL << 9)
/* CR0 after INIT (table 9-1): CD, NW, ET. */
#define CR0_AFTER_INIT 0x60000010ULL
/* EDX after INIT: the processor signature, as CPUID.1:EAX (table 9-1). */
#define INIT_EDX 0x000606a6ULL

/* ---- Secondary vCPUs: INIT and start-up IPIs ------------------------------- */

/*
 * The state after INIT and a start-up IPI (table 9-1): real mode,
 * CS = VV00 with base 0xVV000, IP = 0, the other segments 0, CR0 =
 * 0x60000010, IF = 0. The local APIC keeps what INIT left. The HAL loads
 * the segments (real_mode_start).
 */
void vcpu_arch_start(struct vcpu *vcpu, gpa_t entry, uint64_t context)
{
	struct vcpu_arch *a = &vcpu->arch;

	(void)context;
	memset(a->gpr, 0, sizeof(a->gpr));
	a->gpr[X86_RDX] = INIT_EDX;
	a->rip = 0;
	a->rflags = 0x2;
	a->cr0 = CR0_AFTER_INIT;
	a->cr2 = a->cr3 = a->cr4 = a->efer = 0;
	a->idtr_base = a->gdtr_base = 0;
	a->idtr_limit = a->gdtr_limit = 0xffff;
	a->inject.valid = false;
	a->start_cs = (uint16_t)(entry >> 4);
	a->real_mode_start = true;
}

/* INIT (8.4.2): an AP that is off waits for a start-up IPI, its APIC reset (11.4.7.3). */
static void init_ipi(struct vcpu *t)
{
	if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != VCPU_OFF) {
		log_warn("%s: INIT to vCPU %u, which runs: not modelled (it goes on running)",
			 t->vm->name, t->id);
		return;
	}
	lapic_reset(&t->arch.apic, t->arch.apic.id);
	__atomic_store_n(&t->arch.wait_sipi, true, __ATOMIC_RELEASE);
}

/* Start-up (8.4.3): only an AP waiting for it starts, at vector << 12. */
static void startup_ipi(struct vcpu *t, uint8_t vector)
{
	if (!__atomic_exchange_n(&t->arch.wait_sipi, false, __ATOMIC_ACQ_REL))
		return;
	if (vcpu_power_on(t, (gpa_t)vector << 12, vector) < 0)
		__atomic_store_n(&t->arch.wait_sipi, true, __ATOMIC_RELEASE);
}

/* ---- Fixed interrupts and IPIs ----------------------------------------------- */

/* Does target t match the destination (11.6.2): an APIC ID (0xff: all), or a flat logical mask? */
static bool is_destination(const struct vcpu *t, uint8_t dest, bool logical)
{
	if (logical)
		return (t->arch.apic.ldr >> 24) & dest;
	return dest == 0xff || t->arch.apic.id == dest;
}

static void accept(struct vcpu *t, uint8_t vector, bool level)
{
	if (lapic_accept(&t->arch.apic, vector, level))
		hal_vcpu_notify(t);
}

void x86_irq_send_fixed(struct vm *vm, uint8_t vector, uint8_t dest, bool logical, bool level)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (is_destination(vm->vcpus[i], dest, logical))
			accept(vm->vcpus[i], vector, level);
}

/* Does the IPI go to t: its shorthand, else its destination (11.6.1, table 11-4)? */
static bool is_target(const struct vcpu *t, const struct vcpu *src, const struct lapic_ipi *ipi)
{
	switch (ipi->shorthand) {
	case LAPIC_SH_SELF:
		return t == src;
	case LAPIC_SH_ALL:
		return true;
	case LAPIC_SH_OTHERS:
		return t != src;
	default:
		return is_destination(t, ipi->dest, ipi->logical);
	}
}

/*
 * Carries out the IPI a write of ICR low asked for (11.6.1): to the
 * vCPUs the shorthand or the destination names. Lowest priority goes to
 * the first of them (no arbitration is modelled); NMI and SMI are not
 * modelled and are dropped.
 */
static void send(struct vcpu *src, const struct lapic_ipi *ipi)
{
	struct vm *vm = src->vm;

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpus[i];
		bool self = t == src;
		if (!is_target(t, src, ipi))
			continue;
		switch (ipi->mode) {
		case LAPIC_DM_FIXED:
			accept(t, ipi->vector, false);
			break;
		case LAPIC_DM_LOWEST:
			accept(t, ipi->vector, false);
			return;
		case LAPIC_DM_INIT:
			/* An INIT level de-assert only synchronises arbitration IDs. */
			if (ipi->level_assert && !self)
				init_ipi(t);
			break;
		case LAPIC_DM_STARTUP:
			if (!self)
				startup_ipi(t, ipi->vector);
			break;
		default:
			log_debug("%s: vCPU %u: IPI delivery mode %u not modelled", vm->name,
				  src->id, ipi->mode);
			break;
		}
	}
}

/* ---- Register accesses --------------------------------------------------------- */

void x86_apic_access(struct vcpu *vcpu, struct vcpu_exit *e)
{
	struct vcpu_arch *a = &vcpu->arch;
	unsigned off = e->sysreg.id - X86_SYSREG_APIC(0);
	uint64_t now = hal_vcpu_clock_ns(vcpu);

	/*
	 * The timer first catches up with the clock, so that an expiry that
	 * is due is in IRR before the guest reads or reprograms anything.
	 * Registers are 32 bits at 16-byte boundaries (11.4.1); other accesses,
	 * and any while IA32_APIC_BASE.EN is clear, read 0 and write nothing.
	 */
	uint64_t expiry = a->apic.timer_expiry;
	if (lapic_timer(&a->apic, now) != expiry)
		hal_vcpu_notify(vcpu); /* an expiry: deliver it, and a new deadline */
	if (!e->sysreg.write) {
		uint32_t v = 0;
		if ((a->apic_base & X86_APIC_BASE_EN) && !(off & 0xf))
			lapic_read(&a->apic, off, now, &v);
		e->sysreg.value = v;
		return;
	}
	if (!(a->apic_base & X86_APIC_BASE_EN) || (off & 0xf))
		return;
	struct lapic_ipi ipi;
	uint8_t eoi_vector = 0;
	int r = lapic_write(&a->apic, off, (uint32_t)e->sysreg.value, now, &ipi, &eoi_vector);
	if (r < 0)
		return;
	if (r & LAPIC_SEND)
		send(vcpu, &ipi);
	if (r & LAPIC_EOI_LEVEL)
		ioapic_eoi(vcpu->vm, eoi_vector);
	/* The run loop reads the timer's deadline again; the HAL looks at what is pending. */
	if (r & (LAPIC_CHANGED | LAPIC_TIMER))
		hal_vcpu_notify(vcpu);
}

/*
 * IA32_APIC_BASE (11.4.4): reads the base, EN and BSP. A write may clear
 * or set EN (clearing it resets the APIC, 11.4.3); moving the base or
 * setting x2APIC mode (bit 10, not enumerated) is a #GP(0).
 */
void x86_apic_base_msr(struct vcpu *vcpu, struct vcpu_exit *e)
{
	struct vcpu_arch *a = &vcpu->arch;

	if (!e->sysreg.write) {
		a->gpr[X86_RAX] = (uint32_t)a->apic_base;
		a->gpr[X86_RDX] = a->apic_base >> 32;
		return;
	}
	uint64_t fixed = LAPIC_DEFAULT_BASE | (a->apic_base & X86_APIC_BASE_BSP);
	if ((e->sysreg.value & ~X86_APIC_BASE_EN) != fixed) {
		a->inject = (struct x86_inject){.valid = true, .vector = 13, .has_error = true};
		return;
	}
	if (!(e->sysreg.value & X86_APIC_BASE_EN))
		lapic_reset(&a->apic, a->apic.id);
	a->apic_base = e->sysreg.value;
	hal_vcpu_notify(vcpu);
}

/* ---- What the core and the HAL ask ----------------------------------------------- */

int x86_irq_pending(const struct vcpu *vcpu)
{
	return vcpu->arch.apic_base & X86_APIC_BASE_EN ? lapic_pending(&vcpu->arch.apic) : -1;
}

int x86_irq_ack(struct vcpu *vcpu)
{
	return lapic_ack(&vcpu->arch.apic);
}

uint64_t vcpu_arch_timers(struct vcpu *vcpu, uint64_t now)
{
	uint64_t next = lapic_timer(&vcpu->arch.apic, now);
	return next == UINT64_MAX ? CLOCK_NEVER : next;
}

/* HLT ends on an interrupt the processor would take (SDM Vol. 2A, "HLT"): presented, IF = 1. */
bool vcpu_arch_irq_wakes(const struct vcpu *vcpu)
{
	return (vcpu->arch.rflags & RFLAGS_IF) && x86_irq_pending(vcpu) >= 0;
}

/*
 * Something could still wake it: IF = 1 and a software-enabled APIC with
 * its timer armed and unmasked, an interrupt waiting behind a higher
 * priority, or an I/O APIC entry routed to it. With IF = 0 only NMI, INIT
 * or SMI could, which nothing of a VM alone raises.
 */
bool vcpu_arch_irq_possible(const struct vcpu *vcpu)
{
	const struct lapic *l = &vcpu->arch.apic;

	if (!(vcpu->arch.rflags & RFLAGS_IF) || !(vcpu->arch.apic_base & X86_APIC_BASE_EN) ||
	    !lapic_enabled(l))
		return false;
	for (unsigned i = 0; i < 8; i++)
		if (__atomic_load_n(&l->irr[i], __ATOMIC_ACQUIRE))
			return true;
	return (l->timer_expiry != UINT64_MAX && !(l->lvt_timer & LAPIC_LVT_MASKED)) ||
	       ioapic_routes_to(vcpu->vm, l->id);
}

/* A device's line is an I/O APIC pin (ISA IRQ n on pin n, as the MP table has it for COM1's 4). */
void vm_arch_irq_set(struct vm *vm, unsigned irq, bool level)
{
	ioapic_set_irq(vm, irq, level);
}
