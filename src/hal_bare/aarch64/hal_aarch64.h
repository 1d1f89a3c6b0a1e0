/* SPDX-License-Identifier: MIT */
/**
 * @file hal_aarch64.h
 * @brief What the AArch64 files of the bare HAL give each other (xv6's
 *        defs.h); what they share with the rest of hal_bare is in
 *        ../hal_bare.h.
 */
#ifndef HAL_BARE_AARCH64_H
#define HAL_BARE_AARCH64_H

#include <cvisor/types.h>

#include "../lock.h"

struct vcpu;
struct vm;

/** Physical CPUs cvisor uses at most (the first ones of the host device tree's /cpus). */
#define MAX_PCPUS 16

/**
 * A thread of cvisor: an EL2 stack of its own and, while another thread
 * runs on its physical CPU, the SP at which its callee-saved registers
 * wait (switch.S). Every vCPU is one (its body is the core's run loop);
 * each physical CPU's scheduler runs on the CPU's boot stack, not as a
 * thread. A thread stays on the physical CPU it was given.
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

/** What a secondary CPU reads with its MMU off (boot.S; offsets fixed, checked in smp.c). */
struct pcpu_boot {
	uint64_t sp, mair, tcr, ttbr0, sctlr;
};

/** One physical CPU; TPIDR_EL2 points at its own while cvisor runs on it. */
struct pcpu {
	void *guest;            /**< the guest_ctx vectors.S saves into (offset 0) */
	struct pcpu_boot boot;  /**< offset 8 */
	unsigned index;         /**< 0 for the boot CPU, then the order of /cpus */
	uint64_t mpidr;         /**< its affinity as MPIDR_EL1 gives it (Aff3 at bits 39:32) */
	uintptr_t gicr;         /**< its GICv3 redistributor (RD_base) */
	bool vtimer_on;         /**< the virtual timer's PPI enabled at its redistributor */
	volatile bool online;   /**< set by the CPU itself once it schedules */
	struct spinlock lock;   /**< its threads' states and the fields below */
	struct thread *threads; /**< a ring of its threads (NULL: none), rotated by the scheduler */
	unsigned nthreads;
	struct thread *current; /**< the thread running, NULL while the scheduler runs */
	uint64_t sched_sp;      /**< the scheduler's saved SP while a thread runs */
	bool preempt;           /**< a thread woke up: the running one yields at its next exit */
	uint64_t slice_end;     /**< when the running thread's time slice ends (ns) */
	uint64_t next_tick;     /**< when the watchdog's next tick is due (ns) */
	void *loaded;           /**< the vCPU whose EL1 state is in this CPU (vcpu.c) */
	/*
	 * What some registers of this CPU hold, so that writing the same value
	 * again is skipped: under QEMU's TCG each access to a timer or GIC
	 * system register is a slow call into the device model.
	 */
	bool timer_on;                /**< cvisor's timer (CNTHP) is armed, */
	uint64_t timer_at;            /**< for this time (ns) */
	bool ich_known;               /**< ich_vmcr and ich_ap1r0 below are what the CPU holds */
	uint64_t ich_vmcr, ich_ap1r0; /**< ICH_VMCR_EL2 and ICH_AP1R0_EL2 (vcpu.c) */
	const void *cntv_owner;       /**< the vCPU whose virtual timer cntv_* hold (NULL: none) */
	uint64_t cntv_cval, cntv_ctl; /**< its CNTV_CVAL_EL0, CNTV_CTL_EL0 (ENABLE, IMASK) */
};

/** The physical CPUs (smp.c); pcpus[0] is the boot CPU. */
extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned npcpus;

/** The CPU this code runs on. */
static inline struct pcpu *this_cpu(void)
{
	struct pcpu *c;
	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(c));
	return c;
}

/* mmu.c */
/** Turns on cvisor's own translation at EL2: an identity map. */
void el2_mmu_on(void);

/* page_alloc.c */
/** Gives the page allocator the RAM the host device tree describes, after cvisor's image. */
void page_alloc_init(const void *host_dtb);

/* smp.c */
/** Finds the physical CPUs in the host device tree and makes the boot CPU pcpus[0]. */
void smp_init(const void *host_dtb);
/** Starts the other physical CPUs (PSCI CPU_ON); each joins the scheduler. */
void smp_start_secondaries(void);

/* gic.c */
/** Sets up the GICv3's distributor, once, on the boot CPU. */
void gic_dist_init(void);
/** Sets up this CPU's redistributor and CPU interface: cvisor's timer and its kick SGI. */
void gic_cpu_init(struct pcpu *c);
/** Acknowledges the highest priority pending interrupt; returns its INTID (1020..1023: none). */
uint32_t gic_ack(void);
/** Ends the handling of interrupt intid. */
void gic_eoi(uint32_t intid);
/** Enables or disables the virtual timer's PPI at this CPU's redistributor. */
void gic_vtimer_enable(struct pcpu *c, bool on);
/** Sends SGI intid to the physical CPU c. */
void gic_send_sgi(const struct pcpu *c, unsigned intid);
/** The SGI that tells a physical CPU to look at its threads again. */
#define SGI_KICK 0

/* timer.c */
/** How often the watchdog looks at the running vCPU. */
#define TICK_HZ 100
#define TICK_NS (1000000000ULL / TICK_HZ)
/** Makes cvisor's timer (CNTHP) interrupt this CPU when hal_time_ns() reaches at_ns. */
void timer_arm_at(uint64_t at_ns);
/** Turns cvisor's timer off on this CPU (until the next timer_arm_at). */
void timer_stop(void);

/* sched.c */
/** A time slice: how long a vCPU runs before another of its CPU gets the CPU. */
#define SLICE_NS 4000000ULL
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

/* switch.S */
/** Saves the callee-saved registers and SP in *save_sp, continues at new_sp's. */
void bare_switch(uint64_t *save_sp, uint64_t new_sp);
/** Where a new thread starts: calls x19(x20), then sched_exit(). */
void bare_thread_start(void);

/* watchdog.c */
/** What cvisor's tick watches in one vCPU that may never exit. */
struct watchdog {
	unsigned storm_ticks; /**< ticks in a row that found the guest faulting in its vectors */
};
/** One tick while vcpu ran: stops its VM in an exception storm. */
void watchdog_tick(struct vcpu *vcpu, struct watchdog *w);

/* vcpu.c */
/** Sets what EL2 lets every guest do, on each CPU: counter, FP, debug traps, VTCR_EL2. */
void guest_traps_init(void);

#endif
