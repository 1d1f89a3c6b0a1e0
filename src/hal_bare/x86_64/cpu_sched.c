/* SPDX-License-Identifier: MIT */
/**
 * @file cpu_sched.c
 * @brief What the scheduler (../sched.c) asks of an x86 CPU: a new
 *        thread's first frame, the kick, the idle wait, and the
 *        interrupts it takes.
 *
 * cvisor runs with RFLAGS.IF = 0 and takes two interrupts of its own,
 * both from its local APIC (lapic.c, timer.c):
 *  - VECTOR_TIMER, the APIC timer: cvisor's timer;
 *  - VECTOR_KICK, a fixed IPI from another CPU: the kick.
 * Their handlers (gdt_idt.c) only set c->timer_fired or c->kicked and end
 * the interrupt (EOI); cpu_irqs_ack() takes the flags. An interrupt that
 * arrives while cvisor runs stays pending in the APIC (in its IRR) until
 * cvisor lets it in: in cpu_idle()'s HLT, or in cpu_irqs_ack()'s window.
 * While a guest runs, an interrupt is a VM exit instead (the VMCS's
 * "external-interrupt exiting", vcpu.c) and, with the VM-exit control
 * "acknowledge interrupt on exit" off, stays pending the same way (SDM
 * Vol. 3C 25.2, 27.2.2): the exit's handling calls sched_irqs(), whose
 * cpu_irqs_ack() lets it in.
 */
#include <string.h>

#include "../hal_bare.h"
#include "hal_arch.h"

/*
 * The frame bare_switch() pops (switch.S): r15, r14, r13, r12, rbp, rbx,
 * then the return address; two zero words above it, so that RSP is
 * 16-byte aligned at bare_thread_start's call (the System V ABI, 3.2.2).
 */
enum { FRAME_R13 = 2, FRAME_R12 = 3, FRAME_RET = 6, FRAME_WORDS = 9 };

void thread_frame_init(struct thread *t, void (*fn)(void *), void *arg)
{
	uint64_t *frame =
	    (uint64_t *)((char *)t->stack + THREAD_STACK_PAGES * PAGE_SIZE) - FRAME_WORDS;
	memset(frame, 0, FRAME_WORDS * sizeof(*frame));
	frame[FRAME_RET] = (uint64_t)(uintptr_t)bare_thread_start;
	frame[FRAME_R12] = (uint64_t)(uintptr_t)fn;
	frame[FRAME_R13] = (uint64_t)(uintptr_t)arg;
	t->sp = (uint64_t)(uintptr_t)frame;
}

void cpu_kick(const struct pcpu *c)
{
	lapic_host_send_ipi(c->apic_id, VECTOR_KICK);
}

/*
 * Waits for an interrupt: STI, HLT, CLI. An interrupt cannot slip in
 * between the caller's last look and the HLT, and be missed: STI delays
 * interrupts until after the instruction that follows it (the "interrupt
 * shadow", SDM Vol. 2B, STI), so one already pending, or arriving just
 * then, is taken at HLT, which it ends; the handler returns after the
 * HLT, and CLI masks them again.
 */
void cpu_idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/*
 * Takes the interrupts pending on this CPU: opens a one-instruction window
 * (STI; NOP; CLI, the NOP being where the shadow ends) so that one a VM
 * exit left pending in the APIC reaches its handler, then takes the flags
 * the handlers set. The timer fired: its deadline has passed, it is off
 * until the next arm.
 */
void cpu_irqs_ack(struct pcpu *c)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
	if (c->timer_fired) {
		c->timer_fired = false;
		timer_stop();
	}
	c->kicked = false; /* the scheduler looks at its threads next, kicked or not */
}
