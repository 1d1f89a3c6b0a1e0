/* SPDX-License-Identifier: MIT */
/*
 * The simulated x86_64 CPU: its per-vCPU state and what the files of
 * src/sim/x86_64/ offer each other. Each file calls only the ones listed
 * before it, never one after:
 *
 *   switch.c  the register file into Unicorn and back (entering, leaving the guest)
 *   mmu.c     the guest's own stage 1: shadow paging, reading guest-virtual memory
 *   exc.c     delivering the guest's own exceptions through its IDT
 *   hooks.c   Unicorn's hooks and stops -> VM-exit information -> exits; creating the CPU
 */
#ifndef SIM_X86_CPU_H
#define SIM_X86_CPU_H

#include <unicorn/unicorn.h>

#include <cvisor/exit.h>
#include <cvisor/vm.h>

#include "../cpu.h"

/* Unicorn regions that back guest-virtual pages (mmu.c). */
#define SHADOW_MAX_REGIONS 256
/* Code hooks on MOV to/from CRn and INVLPG (mmu.c). */
#define SHADOW_MAX_HOOKS 64

struct shadow_region {
	uint64_t gva;    /* first guest-virtual byte */
	uint64_t size;
	uint32_t prot;   /* UC_PROT_* given to Unicorn */
};

struct shadow {
	struct shadow_region r[SHADOW_MAX_REGIONS];
	unsigned n;
	uint64_t hooked[SHADOW_MAX_HOOKS]; /* addresses with a code hook */
	uc_hook hooks[SHADOW_MAX_HOOKS];
	unsigned nhooked;
	bool pf_pending;                   /* a hook refused an access: deliver this #PF (hooks.c) */
	uint64_t pf_addr, pf_code;
	unsigned pf_vector;                /* 14, or 13 for a non-canonical address */
	uint64_t fills, drops;
	bool reported;
};

/* The simulated CPU's per-vCPU state (struct sim_cpu first). */
struct sim_x86 {
	struct sim_cpu c;
	struct shadow sh;
};

/* ---- switch.c: registers ---- */
/* Unicorn's ids of the general registers, in the register file's order (enum x86_gpr). */
extern const int sim_x86_gpr_ids[16];
/* The general registers, RIP and RFLAGS from Unicorn into the register file and back. */
void sim_x86_save(struct sim_x86 *s);
void sim_x86_restore(struct sim_x86 *s);

/* ---- mmu.c: shadow paging ---- */
/* Adds the shadow's hooks (unmapped and protected guest-virtual pages). */
int sim_x86_shadow_init(struct sim_x86 *s);
/* Forgets every shadow mapping (CR3/CR0/CR4 written, stage 2 changed). */
void sim_x86_shadow_drop_all(struct sim_x86 *s);
/* Reads or writes guest-virtual memory the way the guest would see it
 * (its stage 1, then stage 2), for exception delivery and decoding.
 * Returns 0 or a negative cv_err. */
int sim_x86_read_gva(struct sim_x86 *s, uint64_t gva, void *buf, uint64_t len);
int sim_x86_write_gva(struct sim_x86 *s, uint64_t gva, const void *buf, uint64_t len);
/* Prints the shadow's counts once, when the VM traces exits or walks. */
void sim_x86_shadow_report(struct sim_x86 *s);

/* ---- exc.c: the guest's own exceptions ---- */
/* Delivers exception vector to the guest through its IDT (from a hook or
 * between runs). has_error: push error. Returns false if it stopped the VM. */
bool sim_x86_deliver(struct sim_x86 *s, unsigned vector, uint64_t rip, bool has_error,
		     uint64_t error);

#endif
