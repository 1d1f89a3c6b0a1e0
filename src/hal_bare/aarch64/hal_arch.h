/* SPDX-License-Identifier: MIT */
/**
 * @file hal_arch.h
 * @brief What the AArch64 files of the bare HAL give each other (xv6's
 *        defs.h); what they share with the rest of hal_bare is in
 *        ../hal_bare.h.
 */
#ifndef HAL_BARE_AARCH64_H
#define HAL_BARE_AARCH64_H

#include <cvisor/types.h>

#include "../lock.h"
#include "../sched.h"

struct vcpu;
struct vm;

/** Physical CPUs cvisor uses at most (the first ones of the host device tree's /cpus). */
#define MAX_PCPUS 16

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

/* timer.c: timer_arm_at() and timer_stop() (../sched.h) are CNTHP, the EL2 physical timer */

/* sched.c's hooks (../sched.h): cpu_kick() sends SGI_KICK, cpu_idle() is WFI, cpu_irqs_ack()
 * reads the GIC (gic.c), thread_frame_init() lays out switch.S's frame (switch.S's
 * bare_switch()). */
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
