/* SPDX-License-Identifier: MIT */
/*
 * The generic timer of each vCPU (ARM ARM D11 "The Generic Timer in
 * AArch64 state"): the counter, the EL1 physical timer (CNTP_*) and the
 * virtual timer (CNTV_*), counted from the VM clock (hal_vcpu_clock_ns()).
 *
 *   count      = clock_ns / 16                (CNTFRQ_EL0 = 62.5 MHz)
 *   CNTVCT_EL0 = CNTPCT_EL0 = count           (CNTVOFF_EL2 = 0)
 *   ISTATUS    = ENABLE && count >= CVAL      (D11.2.4 "timer condition")
 *   output     = ISTATUS && !IMASK            -> the timer's PPI, level-sensitive
 *   TVAL       = (CVAL - count)[31:0]; a write sets CVAL = count + SignExtend(TVAL)
 *
 * The output is a level: it stays high until the guest moves CVAL, sets
 * IMASK or clears ENABLE, which is what makes the interrupt pending again
 * after an EOI otherwise. A trapped write changes the level at once and
 * notifies the vCPU, so the run loop asks vcpu_arch_timers() for the new
 * deadline (docs/interrupts-aarch64.md).
 */
#include <arch/irq.h>
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/gicv3.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>

#define SYSREG_CNTVCT_EL0 A64_SYSREG(3, 3, 14, 0, 2)
#define SYSREG_CNTV_TVAL_EL0 A64_SYSREG(3, 3, 14, 3, 0)
#define SYSREG_CNTV_CTL_EL0 A64_SYSREG(3, 3, 14, 3, 1)
#define SYSREG_CNTV_CVAL_EL0 A64_SYSREG(3, 3, 14, 3, 2)

/* CNT{P,V}_CTL_EL0 (ARM ARM D17.8): ENABLE, IMASK, ISTATUS (read-only). */
#define CTL_ENABLE 1u
#define CTL_IMASK 2u
#define CTL_ISTATUS 4u

/* One timer of the register file. */
struct timer {
	uint64_t *ctl, *cval;
	unsigned ppi;
};

static struct timer timer_of(struct vcpu *vcpu, bool virt)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (virt)
		return (struct timer){ &a->cntv_ctl_el0, &a->cntv_cval_el0, A64_PPI_CNTV };
	return (struct timer){ &a->cntp_ctl_el0, &a->cntp_cval_el0, A64_PPI_CNTP };
}

uint64_t a64_counter(const struct vcpu *vcpu)
{
	return hal_vcpu_clock_ns(vcpu) / A64_NS_PER_COUNT;
}

static bool condition(const struct timer *t, uint64_t count)
{
	return (*t->ctl & CTL_ENABLE) && count >= *t->cval;
}

/* The timer's output (D11.2.4): its condition is met and IMASK does not hide it. */
static bool output(const struct timer *t, uint64_t count)
{
	// LAB 5 BEGIN: the timer's output in output()
	return condition(t, count) && !(*t->ctl & CTL_IMASK);
	// LAB 5 STUB
	// (void)t;
	// (void)count;
	// LAB_TODO(5, "the timer's output in output() (labs/5-interrupts/README.md)");
	// return false;
	// LAB 5 END
}

/*
 * The clock value at which the timer's output rises, or CLOCK_NEVER: the
 * first nanosecond whose count reaches CVAL, while it is enabled, unmasked
 * and not yet there.
 */
static uint64_t deadline(const struct timer *t, uint64_t count)
{
	// LAB 5 BEGIN: the timer's next deadline in deadline()
	if ((*t->ctl & (CTL_ENABLE | CTL_IMASK)) != CTL_ENABLE || count >= *t->cval ||
	    *t->cval > CLOCK_NEVER / A64_NS_PER_COUNT)
		return CLOCK_NEVER;
	return *t->cval * A64_NS_PER_COUNT;
	// LAB 5 STUB
	// (void)t;
	// (void)count;
	// LAB_TODO(5, "the timer's next deadline in deadline() (labs/5-interrupts/README.md)");
	// return CLOCK_NEVER;
	// LAB 5 END
}

/* Sets both timers' PPIs at clock value now; returns the next deadline. */
static uint64_t update(struct vcpu *vcpu, uint64_t now)
{
	struct gicv3 *gic = gicv3_of(vcpu->vm);
	uint64_t count = now / A64_NS_PER_COUNT, next = CLOCK_NEVER;

	for (int v = 0; v < 2; v++) {
		struct timer t = timer_of(vcpu, v);
		if (gic)
			gicv3_set_level(gic, vcpu->id, t.ppi, output(&t, count));
		uint64_t d = deadline(&t, count);
		next = d < next ? d : next;
	}
	return next;
}

uint64_t vcpu_arch_timers(struct vcpu *vcpu, uint64_t now)
{
	return update(vcpu, now);
}

bool a64_timer_sysreg(uint32_t id)
{
	return id == SYSREG_CNTPCT_EL0 || id == SYSREG_CNTVCT_EL0 ||
	       id == SYSREG_CNTP_TVAL_EL0 || id == SYSREG_CNTP_CTL_EL0 ||
	       id == SYSREG_CNTP_CVAL_EL0 || id == SYSREG_CNTV_TVAL_EL0 ||
	       id == SYSREG_CNTV_CTL_EL0 || id == SYSREG_CNTV_CVAL_EL0;
}

/*
 * MRS/MSR of a timer register (ARM ARM D17.8 CNTP_CTL_EL0 ... CNTVCT_EL0).
 * The counters are read-only (an MSR is UNDEFINED before it traps).
 */
void a64_timer_access(struct vcpu *vcpu, struct vcpu_exit *e)
{
	uint32_t id = e->sysreg.id;
	uint64_t now = hal_vcpu_clock_ns(vcpu), count = now / A64_NS_PER_COUNT;

	if (id == SYSREG_CNTPCT_EL0 || id == SYSREG_CNTVCT_EL0) {
		e->sysreg.value = count;
		return;
	}
	bool virt = id == SYSREG_CNTV_CTL_EL0 || id == SYSREG_CNTV_CVAL_EL0 ||
		    id == SYSREG_CNTV_TVAL_EL0;
	struct timer t = timer_of(vcpu, virt);
	bool ctl = id == SYSREG_CNTP_CTL_EL0 || id == SYSREG_CNTV_CTL_EL0;
	bool tval = id == SYSREG_CNTP_TVAL_EL0 || id == SYSREG_CNTV_TVAL_EL0;

	if (!e->sysreg.write) {
		if (ctl)
			e->sysreg.value = *t.ctl | (condition(&t, count) ? CTL_ISTATUS : 0);
		else if (tval)
			e->sysreg.value = (uint32_t)(*t.cval - count);
		else
			e->sysreg.value = *t.cval;
		return;
	}
	if (ctl)
		*t.ctl = e->sysreg.value & (CTL_ENABLE | CTL_IMASK);
	else if (tval)
		*t.cval = count + (uint64_t)(int64_t)(int32_t)(uint32_t)e->sysreg.value;
	else
		*t.cval = e->sysreg.value;
	/* The output may have changed now, the deadline too: the run loop reads it again. */
	update(vcpu, now);
	hal_vcpu_notify(vcpu);
}
