/* SPDX-License-Identifier: MIT */
/**
 * @file cpu_sched.c
 * @brief What the scheduler (../sched.c) asks of a RISC-V hart: a new
 *        thread's first frame, the kick, the idle wait, and the
 *        interrupts it takes.
 *
 * cvisor runs with sstatus.SIE clear and takes only two interrupts of
 * its own, both enabled in sie (vcpu.c's guest_traps_init()):
 *  - the supervisor timer interrupt (STIP, scause 5): cvisor's timer,
 *    through the SBI timer (timer.c); pending until the timer is set again;
 *  - the supervisor software interrupt (SSIP, scause 1): the kick from
 *    another hart (an SBI IPI); cleared by cvisor in sip.
 * While a guest runs they are taken whatever sstatus.SIE says, since
 * HS-mode is more privileged than VS-mode (Privileged Architecture 3.1.6.1
 * and 8.2: "interrupts for higher-privilege modes are always globally
 * enabled"), and leave the guest as an exit; WFI ends on one whatever
 * sstatus.SIE says (3.3.3). The guest's own interrupts (VSSIP, VSTIP,
 * VSEIP) are delegated to VS-mode (hideleg) and raised through hvip.
 */
#include <string.h>

#include "../hal_bare.h"
#include "hal_arch.h"

/* The frame bare_switch() pops: ra, s0..s11 (switch.S). */
enum { FRAME_RA, FRAME_S0, FRAME_S1, FRAME_WORDS = 14 };

void thread_frame_init(struct thread *t, void (*fn)(void *), void *arg)
{
	uint64_t *frame =
	    (uint64_t *)((char *)t->stack + THREAD_STACK_PAGES * PAGE_SIZE) - FRAME_WORDS;
	memset(frame, 0, FRAME_WORDS * sizeof(*frame));
	frame[FRAME_RA] = (uint64_t)(uintptr_t)bare_thread_start;
	frame[FRAME_S0] = (uint64_t)(uintptr_t)fn;
	frame[FRAME_S1] = (uint64_t)(uintptr_t)arg;
	t->sp = (uint64_t)(uintptr_t)frame;
}

void cpu_kick(const struct pcpu *c)
{
	sbi_send_ipi_to(c->hartid);
}

void cpu_idle(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

void cpu_irqs_ack(struct pcpu *c)
{
	uint64_t sip = READ_CSR(sip);

	(void)c;
	if (sip & SIP_SSIP)
		CLEAR_CSR(sip, SIP_SSIP); /* the kick: the scheduler looks at its threads next */
	if (sip & SIP_STIP)
		timer_stop(); /* pending until the timer is set again: the next arm sets it */
}
