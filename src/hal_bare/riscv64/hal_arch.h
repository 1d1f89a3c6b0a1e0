/* SPDX-License-Identifier: MIT */
/**
 * @file hal_arch.h
 * @brief What the RISC-V files of the bare HAL give each other (xv6's
 *        defs.h); what they share with the rest of hal_bare is in
 *        ../hal_bare.h and ../sched.h.
 *
 * cvisor runs in HS-mode (the H extension's supervisor mode), started by
 * OpenSBI in M-mode. While cvisor runs, `tp` holds this hart's struct pcpu
 * and sscratch holds 0; while a guest runs, sscratch holds the struct pcpu
 * and the guest has every register (vectors.S swaps them on a trap).
 */
#ifndef HAL_BARE_RISCV64_H
#define HAL_BARE_RISCV64_H

#include <cvisor/types.h>

#include "../lock.h"
#include "../sched.h"

struct vcpu;
struct vm;

/** Harts cvisor uses at most (the first ones of the host device tree's /cpus). */
#define MAX_PCPUS 16

/** One hart; `tp` points at its own while cvisor runs on it. */
struct pcpu {
	void *guest;       /**< the guest_ctx vectors.S saves into (offset 0) */
	uint64_t boot_sp;  /**< offset 8: the stack boot.S's secondary_entry takes */
	uint64_t boot_satp; /**< offset 16: the satp it loads before it touches memory */
	uint64_t scratch;  /**< offset 24: vectors.S keeps a guest register here on a trap */
	unsigned index;    /**< 0 for the boot hart, then the order of /cpus */
	uint64_t hartid;   /**< its hart ID (the /cpus node's reg, SBI's hartid) */
	volatile bool online; /**< set by the hart itself once it schedules */
	/* The scheduler's fields (../sched.h): */
	struct spinlock lock;
	struct thread *threads;
	unsigned nthreads;
	struct thread *current;
	uint64_t sched_sp;
	bool preempt;
	uint64_t slice_end;
	uint64_t next_tick;
	/* The hart's timer (timer.c): */
	bool timer_on;    /**< cvisor's timer is armed, */
	uint64_t timer_at; /**< for this time (ns) */
	void *loaded;     /**< the vCPU whose VS-level state is in this hart (vcpu.c) */
};

/** The harts (smp.c); pcpus[0] is the boot hart. */
extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned npcpus;

/** The hart this code runs on. */
static inline struct pcpu *this_cpu(void)
{
	struct pcpu *c;
	__asm__ volatile("mv %0, tp" : "=r"(c));
	return c;
}

/** CSR access by name: READ_CSR(scause) assembles to `csrr rd, scause`. */
#define READ_CSR(r)                                                                                \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("csrr %0, " #r : "=r"(v_));                                       \
		v_;                                                                                \
	})
#define WRITE_CSR(r, v) __asm__ volatile("csrw " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define SET_CSR(r, v) __asm__ volatile("csrs " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define CLEAR_CSR(r, v) __asm__ volatile("csrc " #r ", %0" ::"r"((uint64_t)(v)) : "memory")

/** sstatus / sie / sip bits cvisor uses (Privileged Architecture 4.1.1, 4.1.3). */
#define SSTATUS_SIE (1ULL << 1)
#define SSTATUS_SPIE (1ULL << 5)
#define SSTATUS_SPP (1ULL << 8)
#define SSTATUS_FS (3ULL << 13)
#define SIP_SSIP (1ULL << 1)
#define SIP_STIP (1ULL << 5)
#define SIP_SEIP (1ULL << 9)

/* boot.S */
/** The boot hart's ID and the host device tree, as OpenSBI passed them in a0, a1. */
extern uint64_t bare_boot_hartid;
extern const void *bare_host_dtb;
/** Where SBI HSM hart_start starts another hart: a0 = hartid, a1 = its struct pcpu. */
void secondary_entry(void);

/* sbi.c: calls to the SBI implementation below cvisor (SBI spec v1.0/v2.0) */
struct sbiret {
	long error; /**< SBI_SUCCESS (0) or a negative SBI error */
	long value;
};
/** ecall with a7 = eid, a6 = fid, a0..a5 = args. */
struct sbiret sbi_call(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
		       uint64_t a3, uint64_t a4, uint64_t a5);
/** True if the SBI implementation has extension eid (Base probe_extension). */
bool sbi_has(uint64_t eid);
/** The timer extension: the supervisor timer interrupt at time value `stime` (ticks). */
void sbi_set_timer(uint64_t stime);
/** The IPI extension: a supervisor software interrupt to hart hartid. */
void sbi_send_ipi_to(uint64_t hartid);
/** HSM: starts hart hartid at start (physical), a1 = opaque; returns the SBI error. */
long sbi_hart_start(uint64_t hartid, uint64_t start, uint64_t opaque);
/** SRST system_reset: shutdown (type 0) with reason 0 (none) or 1 (system failure). */
void sbi_shutdown(bool failure);

/* mmu.c */
/** Turns on cvisor's own Sv39 translation: an identity map of the first 64 GiB. */
void hs_mmu_on(void);
/** The satp value of that map (for the other harts, through pcpu->boot_satp). */
extern uint64_t hs_satp;

/* timer.c: the `time` CSR, and cvisor's timer through SBI (or Sstc) */
/** Reads /cpus/timebase-frequency from the host device tree (10 MHz when absent). */
void timer_init(const void *host_dtb);
/** Ticks of the `time` CSR per second. */
extern uint64_t timebase_hz;
/** ns <-> ticks of the time CSR. */
uint64_t time_to_ns(uint64_t ticks);
uint64_t ns_to_time(uint64_t ns);
/* timer_arm_at() and timer_stop() (../sched.h): cvisor's timer is STIP, through SBI or Sstc. */

/* smp.c */
/** Finds the harts in the host device tree and makes the boot hart pcpus[0]. */
void smp_init(const void *host_dtb);
/** Starts the other harts (SBI HSM hart_start); each joins the scheduler. */
void smp_start_secondaries(void);
/* cpu_kick() (../sched.h): an SBI IPI, the supervisor software interrupt. */

/* vcpu.c */
/** Sets the H extension's delegation and counters on this hart (hedeleg, hideleg, hcounteren). */
void guest_traps_init(void);

/* watchdog.c */
/** What cvisor's tick watches in one vCPU that may never exit. */
struct watchdog {
	unsigned storm_ticks; /**< ticks in a row that found the guest faulting in its vectors */
};
/** One tick while vcpu ran: stops its VM in an exception storm. */
void watchdog_tick(struct vcpu *vcpu, struct watchdog *w);

/* switch.S */
/** Where a new thread starts: calls s0(s1), then sched_exit(). */
void bare_thread_start(void);

#endif
