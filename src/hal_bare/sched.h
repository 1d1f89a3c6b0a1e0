/* SPDX-License-Identifier: MIT */
/**
 * @file sched.h
 * @brief cvisor's threads and each physical CPU's scheduler (sched.c), and
 *        what each architecture gives the scheduler (<arch>/hal_arch.h).
 *
 * Every architecture's struct pcpu (its hal_arch.h) has these fields,
 * which sched.c uses by name: index (0 for the boot CPU), lock, threads,
 * nthreads, current, sched_sp, preempt, slice_end, next_tick. Each
 * architecture also gives this_cpu(), pcpus[] and npcpus.
 */
#ifndef HAL_BARE_SCHED_H
#define HAL_BARE_SCHED_H

#include <cvisor/types.h>

struct pcpu;

/**
 * A thread of cvisor: a hypervisor stack of its own and, while another
 * thread runs on its physical CPU, the SP at which its callee-saved
 * registers wait (<arch>/switch.S). Every vCPU is one (its body is the
 * core's run loop); each physical CPU's scheduler runs on the CPU's boot
 * stack, not as a thread. A thread stays on the physical CPU it was given.
 */
enum thread_state {
	THREAD_RUNNABLE, /**< waits for its CPU */
	THREAD_RUNNING,  /**< is its CPU's current thread */
	THREAD_BLOCKED,  /**< waits for sched_wake() or its clock to reach wake_at */
	THREAD_EXITING,  /**< its body returned; it switches away for the last time */
	THREAD_DEAD,     /**< off its CPU for good: its stack may be freed */
};
struct thread {
	uint64_t sp;                      /**< its saved SP while it is not running */
	volatile enum thread_state state; /**< changed under cpu->lock */
	bool notified;       /**< sched_wake() since it last looked (under cpu->lock) */
	uint64_t wake_at;    /**< BLOCKED: when its deadline is (CLOCK_NEVER: none) */
	struct pcpu *cpu;    /**< its physical CPU, for good (NULL before sched_spawn) */
	struct thread *next; /**< the next thread of cpu: a ring */
	void *stack;         /**< THREAD_STACK_PAGES pages */
};
#define THREAD_STACK_PAGES 8

/** How often the watchdog looks at the running vCPU (and the boot CPU at time limits). */
#define TICK_HZ 100
#define TICK_NS (1000000000ULL / TICK_HZ)
/** A time slice: how long a vCPU runs before another of its CPU gets the CPU. */
#define SLICE_NS 4000000ULL

/** @name The scheduler (sched.c) @{ */
/** Gives t (its stack from the caller) to the least loaded CPU; it starts with fn(arg). */
void sched_spawn(struct thread *t, void (*fn)(void *), void *arg);
/** The scheduler of this CPU: runs its threads until stop() returns true (NULL: for ever). */
void sched_loop(bool (*stop)(void));
/** The running thread gives its CPU to another if its slice is over or one woke up. */
void sched_yield_if_due(void);
/** The running thread t waits until sched_wake(t) or the clock reaches wake_at. */
void sched_block(struct thread *t, uint64_t wake_at);
/** Makes t look again: wakes it if blocked, takes it out of a guest if running. Any CPU. */
void sched_wake(struct thread *t);
/** Ends the running thread. */
__attribute__((noreturn)) void sched_exit(void);
/** Arms this CPU's timer for the earliest of deadline and what its scheduler needs. */
void sched_timer_arm(uint64_t deadline);
/** Handles the physical interrupts pending on this CPU; returns true if a tick was due. */
bool sched_irqs(void);
/** @} */

/** @name What each architecture gives the scheduler @{ */
/** <arch>/switch.S: saves the callee-saved registers and SP in *save_sp, continues at new_sp's. */
void bare_switch(uint64_t *save_sp, uint64_t new_sp);
/** Lays out t's first frame on its stack so that bare_switch() to t->sp calls fn(arg). */
void thread_frame_init(struct thread *t, void (*fn)(void *), void *arg);
/** Makes CPU c (not this one) leave its guest or its idle wait and look at its threads. */
void cpu_kick(const struct pcpu *c);
/** Waits for an interrupt with interrupts masked: returns when one is pending. */
void cpu_idle(void);
/** Takes and ends this CPU's pending physical interrupts (the kick, cvisor's timer...). */
void cpu_irqs_ack(struct pcpu *c);
/** Makes cvisor's timer interrupt this CPU when hal_time_ns() reaches at_ns. */
void timer_arm_at(uint64_t at_ns);
/** Turns cvisor's timer off on this CPU (until the next timer_arm_at). */
void timer_stop(void);
/** @} */

#endif
