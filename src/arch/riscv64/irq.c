/* SPDX-License-Identifier: MIT */
/*
 * A RISC-V hart's interrupts, timer and start (cvisor/arch.h, arch/irq.h).
 *
 * The hypervisor asserts three VS-level interrupts, as it would through
 * hvip on hardware (Privileged Architecture v1.12, 8.2.3): VSSIP for an
 * SBI IPI, VSTIP for the SBI timer, VSEIP for the PLIC. The guest sees
 * them as its own sip.SSIP, STIP and SEIP. The SBI timer compares the
 * `time` CSR, which counts the VM clock (hal_vcpu_clock_ns()) at
 * RV_TIMEBASE_HZ, with the value of the last sbi_set_timer (SBI 2.0,
 * chapter 6).
 */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <arch/trap.h>
#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/plic.h>
#include <cvisor/vm.h>

#define NS_PER_TICK (1000000000ULL / RV_TIMEBASE_HZ)

uint64_t rv_ns_to_time(uint64_t ns)
{
	return ns / NS_PER_TICK;
}

uint64_t rv_time_to_ns(uint64_t ticks)
{
	return ticks >= CLOCK_NEVER / NS_PER_TICK ? CLOCK_NEVER : ticks * NS_PER_TICK;
}

/* The VM's PLIC, or NULL if its config replaced it with something else. */
static struct plic *vm_plic(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->bus.ndevs; i++) {
		struct plic *p = plic_of(vm->bus.devs[i]);
		if (p)
			return p;
	}
	return NULL;
}

uint64_t rv_irq_lines(const struct vcpu *vcpu)
{
	uint64_t lines = vcpu->arch.vstip ? RV_IRQ_STIP : 0;

	if (plic_context_pending(vm_plic(vcpu->vm), RV_PLIC_S_CONTEXT(vcpu->arch.hartid)))
		lines |= RV_IRQ_SEIP;
	return lines;
}

bool rv_irq_take_ipi(struct vcpu *vcpu)
{
	return __atomic_exchange_n(&vcpu->arch.ipi, false, __ATOMIC_ACQ_REL);
}

void rv_irq_send_ipi(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->arch.ipi, true, __ATOMIC_RELEASE);
	hal_vcpu_notify(vcpu);
}

void rv_irq_set_timer(struct vcpu *vcpu, uint64_t cmp)
{
	vcpu->arch.timer_cmp = cmp;
	vcpu->arch.vstip = false;
	/* The run loop reads the new deadline (and raises STIP if cmp has passed). */
	hal_vcpu_notify(vcpu);
}

/*
 * SBI hart_start (SBI 2.0, 9.1): the hart starts in S-mode (VS-mode) at
 * entry with a0 = its hart id, a1 = opaque, satp = 0 and sstatus.SIE = 0;
 * its timer is disarmed and nothing is pending. The HAL resets the CPU's
 * own supervisor CSRs when it sees csr_reset.
 */
void vcpu_arch_start(struct vcpu *vcpu, gpa_t entry, uint64_t context)
{
	vcpu_arch_reset(vcpu, entry, GPA_INVALID);
	vcpu->arch.x[11] = context;
	vcpu->arch.csr_reset = true;
}

/*
 * The SBI timer: pending (VSTIP) from the moment `time` reaches the
 * compare value until the next sbi_set_timer. Returns the clock value at
 * which it fires, or CLOCK_NEVER when it has fired or is not armed.
 */
uint64_t vcpu_arch_timers(struct vcpu *vcpu, uint64_t now)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint64_t at = rv_time_to_ns(a->timer_cmp);

	if (a->vstip || at == CLOCK_NEVER)
		return CLOCK_NEVER;
	if (now >= at) {
		a->vstip = true;
		return CLOCK_NEVER;
	}
	return at;
}

/* What the hart has pending now: the lines, sip.SSIP as the CPU holds it, an IPI not yet there. */
static uint64_t pending(const struct vcpu *vcpu)
{
	uint64_t p = rv_irq_lines(vcpu) | (vcpu->arch.sip & RV_IRQ_SSIP);

	if (__atomic_load_n(&vcpu->arch.ipi, __ATOMIC_ACQUIRE))
		p |= RV_IRQ_SSIP;
	return p;
}

/* WFI ends when an interrupt is pending and enabled in sie, whatever sstatus.SIE (3.3.3). */
bool vcpu_arch_irq_wakes(const struct vcpu *vcpu)
{
	return (pending(vcpu) & vcpu->arch.sie & RV_IRQ_ALL) != 0;
}

/*
 * Could anything ever wake the hart? An enabled timer interrupt with the
 * timer armed, an enabled software interrupt (another hart may send an
 * IPI), an enabled external interrupt with a PLIC source enabled for the
 * hart's context above its threshold, or one already pending.
 */
bool vcpu_arch_irq_possible(const struct vcpu *vcpu)
{
	const struct vcpu_arch *a = &vcpu->arch;

	if (vcpu_arch_irq_wakes(vcpu))
		return true;
	if ((a->sie & RV_IRQ_STIP) && a->timer_cmp != RV_TIMER_OFF)
		return true;
	if ((a->sie & RV_IRQ_SSIP) && vcpu->vm->nvcpus > 1)
		return true;
	return (a->sie & RV_IRQ_SEIP) &&
	       plic_context_possible(vm_plic(vcpu->vm), RV_PLIC_S_CONTEXT(a->hartid));
}

/* A device's line is a PLIC interrupt source (the PLIC refuses source 0 and those it lacks). */
void vm_arch_irq_set(struct vm *vm, unsigned irq, bool level)
{
	struct plic *p = vm_plic(vm);

	if (p)
		plic_set_level(p, irq, level);
}
