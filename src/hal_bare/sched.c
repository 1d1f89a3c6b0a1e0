/* SPDX-License-Identifier: MIT */
/**
 * @file sched.c
 * @brief Running every vCPU of every VM: cvisor's threads on each
 *        physical CPU, round robin in time slices (xv6's proc.c
 *        scheduler, with Bao's one-vCPU-per-CPU as the case of enough CPUs).
 *
 * A vCPU is a thread (struct thread, sched.h) whose body is the
 * core's run loop, with a hypervisor stack of its own. sched_spawn() gives it,
 * for good, to the physical CPU with the fewest threads: with as many
 * CPUs as vCPUs, each vCPU has a CPU to itself. Each CPU's scheduler runs
 * on the CPU's boot stack (sched_loop()): it picks the next thread of its
 * ring that can run, switches to it (<arch>/switch.S), and gets the CPU back
 * when the thread
 *  - blocks (sched_block(): a vCPU waiting for an interrupt, or off),
 *  - yields between two guest exits because its slice of SLICE_NS is over
 *    and another thread can run, or because a thread of this CPU woke up
 *    (sched_yield_if_due()),
 *  - or ends (sched_exit()).
 * With nothing to run, the scheduler waits for an interrupt (cpu_idle(): WFI).
 *
 * Interrupts: cvisor runs with interrupts masked (AArch64 PSTATE.I set,
 * RISC-V sstatus.SIE clear); a physical interrupt is taken only while a
 * guest runs, as an exit, or ends a WFI. Either way sched_irqs() takes
 * them (cpu_irqs_ack(): the GIC on AArch64, sip on RISC-V). Two matter
 * to the scheduler:
 *  - cvisor's own timer (AArch64: CNTHP, the EL2 physical timer; RISC-V:
 *    the supervisor timer through SBI): armed before each guest entry and
 *    each WFI for the earliest of the vCPU's deadline, the slice end
 *    (when another thread could run), the wake-up time of a blocked
 *    thread and the watchdog's tick (sched_timer_arm());
 *  - the kick from another CPU (cpu_kick(), from sched_wake(): an SGI on
 *    AArch64, an SBI IPI on RISC-V): a thread of this CPU was made
 *    runnable, or the running vCPU must leave the guest and look at its
 *    interrupts again.
 * The others only take the guest out, so that the model looks again
 * (<arch>/vcpu.c).
 *
 * Locking: each CPU's lock guards its ring and its threads' state,
 * notified and wake_at. A thread's saved SP is only touched by its own
 * CPU. No code holds two locks at once.
 */
#include <cvisor/hal.h>

#include "hal_bare.h"
#include "hal_arch.h"

void sched_spawn(struct thread *t, void (*fn)(void *), void *arg)
{
	struct pcpu *c = &pcpus[0];

	for (unsigned i = 1; i < npcpus; i++)
		if (__atomic_load_n(&pcpus[i].nthreads, __ATOMIC_RELAXED) <
		    __atomic_load_n(&c->nthreads, __ATOMIC_RELAXED))
			c = &pcpus[i];
	thread_frame_init(t, fn, arg);
	t->wake_at = CLOCK_NEVER;

	spin_lock(&c->lock);
	t->cpu = c;
	t->state = THREAD_RUNNABLE;
	if (c->threads) {
		t->next = c->threads->next;
		c->threads->next = t;
	} else {
		t->next = t;
		c->threads = t;
	}
	c->nthreads++;
	spin_unlock(&c->lock);
	if (c != this_cpu())
		cpu_kick(c);
}

/*
 * Under c->lock: makes the blocked threads whose time has come runnable;
 * returns whether a thread other than except can run now.
 */
static bool wake_expired(struct pcpu *c, uint64_t now, const struct thread *except)
{
	struct thread *t = c->threads;
	bool other = false;

	if (!t)
		return false;
	do {
		if (t->state == THREAD_BLOCKED && t->wake_at <= now) {
			t->state = THREAD_RUNNABLE;
			c->preempt = true;
		}
		if (t->state == THREAD_RUNNABLE && t != except)
			other = true;
		t = t->next;
	} while (t != c->threads);
	return other;
}

/*
 * Under c->lock: the next thread that can run, round robin: the ring's
 * head moves past the thread picked, so the others come first next time.
 */
static struct thread *pick(struct pcpu *c, uint64_t now)
{
	struct thread *t = c->threads;

	wake_expired(c, now, NULL);
	if (!t)
		return NULL;
	do {
		if (t->state == THREAD_RUNNABLE) {
			c->threads = t->next;
			return t;
		}
		t = t->next;
	} while (t != c->threads);
	return NULL;
}

/* Under c->lock: takes the thread t out of c's ring. */
static void unlink(struct pcpu *c, struct thread *t)
{
	struct thread *p = c->threads;

	if (t->next == t) {
		c->threads = NULL;
	} else {
		while (p->next != t)
			p = p->next;
		p->next = t->next;
		if (c->threads == t)
			c->threads = t->next;
	}
	c->nthreads--;
}

/* Runs thread t on this CPU c until it gives the CPU back. */
static void run_thread(struct pcpu *c, struct thread *t, uint64_t now)
{
	t->state = THREAD_RUNNING;
	c->current = t;
	c->preempt = false;
	c->slice_end = now + SLICE_NS;
	spin_unlock(&c->lock);
	bare_switch(&c->sched_sp, t->sp);

	spin_lock(&c->lock);
	c->current = NULL;
	bool ended = t->state == THREAD_EXITING;
	if (ended) {
		unlink(c, t);
		__atomic_store_n(&t->state, THREAD_DEAD, __ATOMIC_RELEASE);
	}
	spin_unlock(&c->lock);
	/* The boot CPU's scheduler is main.c's: it waits for threads to end. */
	if (ended && c != &pcpus[0])
		cpu_kick(&pcpus[0]);
}

void sched_loop(bool (*stop)(void))
{
	struct pcpu *c = this_cpu();

	c->next_tick = hal_time_ns() + TICK_NS;
	for (;;) {
		sched_irqs(); /* before looking: a kick after this still ends the WFI */
		if (stop && stop())
			return;
		uint64_t now = hal_time_ns();
		spin_lock(&c->lock);
		struct thread *t = pick(c, now);
		if (t) {
			run_thread(c, t, now); /* unlocks */
			continue;
		}
		spin_unlock(&c->lock);
		sched_timer_arm(CLOCK_NEVER);
		cpu_idle();
	}
}

/* The running thread t of c, c->lock held: gives the CPU back to the scheduler. */
static void switch_out(struct pcpu *c, struct thread *t, enum thread_state state)
{
	t->state = state;
	spin_unlock(&c->lock);
	bare_switch(&t->sp, c->sched_sp);
}

void sched_yield_if_due(void)
{
	struct pcpu *c = this_cpu();
	struct thread *t = c->current;
	uint64_t now = hal_time_ns();

	if (!__atomic_load_n(&c->preempt, __ATOMIC_RELAXED) && now < c->slice_end)
		return;
	spin_lock(&c->lock);
	c->preempt = false;
	if (!wake_expired(c, now, t)) {
		c->slice_end = now + SLICE_NS; /* alone: a new slice */
		spin_unlock(&c->lock);
		return;
	}
	switch_out(c, t, THREAD_RUNNABLE);
}

void sched_block(struct thread *t, uint64_t wake_at)
{
	struct pcpu *c = t->cpu;

	spin_lock(&c->lock);
	if (!t->notified) {
		t->wake_at = wake_at;
		switch_out(c, t, THREAD_BLOCKED);
		spin_lock(&c->lock);
	}
	t->notified = false;
	spin_unlock(&c->lock);
}

void sched_wake(struct thread *t)
{
	struct pcpu *c = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
	bool kick = false;

	if (!c)
		return; /* not started yet: it looks when it starts */
	spin_lock(&c->lock);
	t->notified = true;
	if (t->state == THREAD_BLOCKED) {
		t->state = THREAD_RUNNABLE;
		c->preempt = true;
		kick = true;
	} else if (t->state == THREAD_RUNNING) {
		kick = true;
	}
	spin_unlock(&c->lock);
	if (kick && c != this_cpu())
		cpu_kick(c);
}

void sched_exit(void)
{
	struct pcpu *c = this_cpu();

	spin_lock(&c->lock);
	switch_out(c, c->current, THREAD_EXITING);
	hal_panic("an ended thread ran again");
}

/*
 * The earliest of deadline, the end of the running thread's slice if
 * another thread could run, the wake-up time of the blocked threads, and
 * the next tick: the watchdog's while a vCPU runs, the time limits' on
 * the boot CPU. An idle secondary CPU has no tick: only a wake-up time or
 * the kick ends its WFI. The running thread's notification is
 * cleared: it is about to look (it enters the guest, which a kick sent
 * after this takes straight back out).
 */
void sched_timer_arm(uint64_t deadline)
{
	struct pcpu *c = this_cpu();
	uint64_t at = deadline;
	struct thread *t;

	if ((c->current || c->index == 0) && c->next_tick < at)
		at = c->next_tick;

	spin_lock(&c->lock);
	if (c->current)
		c->current->notified = false;
	if ((t = c->threads)) {
		do {
			if (t->state == THREAD_BLOCKED && t->wake_at < at)
				at = t->wake_at;
			if (t->state == THREAD_RUNNABLE && c->slice_end < at)
				at = c->slice_end;
			t = t->next;
		} while (t != c->threads);
	}
	spin_unlock(&c->lock);
	if (at == CLOCK_NEVER)
		timer_stop();
	else
		timer_arm_at(at);
}

bool sched_irqs(void)
{
	struct pcpu *c = this_cpu();
	bool tick = false;

	cpu_irqs_ack(c);
	uint64_t now = hal_time_ns();
	if (now >= c->next_tick) {
		c->next_tick = now + TICK_NS;
		tick = true;
		if (c->index == 0)
			bare_time_limits();
	}
	spin_lock(&c->lock);
	wake_expired(c, now, NULL);
	spin_unlock(&c->lock);
	return tick;
}

void bare_schedule(bool (*stop)(void))
{
	sched_loop(stop);
}
