/* SPDX-License-Identifier: MIT */
/**
 * @file cpu_sched.c
 * @brief What the scheduler (../sched.c) asks of an AArch64 CPU: a new
 *        thread's first frame, the kick, the idle wait, and the physical
 *        interrupts it takes.
 *
 * The interrupts cvisor takes at EL2 (all through the GICv3, gic.c):
 *  - PPI 26, the EL2 physical timer (CNTHP): cvisor's own timer;
 *  - SGI_KICK from another CPU (cpu_kick());
 *  - PPI 27, the guest's virtual timer, which stays disabled at the
 *    redistributor until the guest's timer line is low again, and PPI 25,
 *    the virtual interface's maintenance interrupt at the guest's
 *    deactivation of a PPI or SPI: these two only take the guest out, so
 *    that the model looks again (vcpu.c).
 */
#include "../hal_bare.h"
#include "hal_arch.h"
#include "virt.h"

/* The frame bare_switch() pops: x19..x28, x29, x30 (switch.S). */
enum { FRAME_X19, FRAME_X20, FRAME_X29 = 10, FRAME_X30, FRAME_WORDS };

void thread_frame_init(struct thread *t, void (*fn)(void *), void *arg)
{
	uint64_t *frame =
	    (uint64_t *)((char *)t->stack + THREAD_STACK_PAGES * PAGE_SIZE) - FRAME_WORDS;
	frame[FRAME_X19] = (uint64_t)(uintptr_t)fn;
	frame[FRAME_X20] = (uint64_t)(uintptr_t)arg;
	frame[FRAME_X29] = 0;
	frame[FRAME_X30] = (uint64_t)(uintptr_t)bare_thread_start;
	t->sp = (uint64_t)(uintptr_t)frame;
}

void cpu_kick(const struct pcpu *c)
{
	gic_send_sgi(c, SGI_KICK);
}

void cpu_idle(void)
{
	/* An interrupt ends WFI even with PSTATE.I set (ARM ARM D1.16.2). */
	__asm__ volatile("wfi");
}

void cpu_irqs_ack(struct pcpu *c)
{
	uint32_t intid;

	while ((intid = gic_ack()) < 1020) {
		if (intid == VIRT_INTID_HYP_TIMER)
			timer_stop(); /* its condition holds until re-armed: the next arm sets it */
		if (intid == VIRT_INTID_VTIMER)
			gic_vtimer_enable(c, false); /* a level: off until the guest's line is low */
		gic_eoi(intid);
	}
}
