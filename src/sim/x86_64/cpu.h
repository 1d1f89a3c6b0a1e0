/* SPDX-License-Identifier: MIT */
/*
 * The simulated x86_64 CPU: its per-vCPU state and what the files of
 * src/sim/x86_64/ offer each other. Each file calls only the ones listed
 * before it, never one after:
 *
 *   qstate.c  QEMU's CPU state the API does not show (exception in flight, CPL)
 *   switch.c  the register file into Unicorn and back (entering, leaving the guest)
 *   mmu.c     the guest's own stage 1: shadow paging, reading guest-virtual memory
 *   exc.c     delivering the guest's own exceptions through its IDT
 *   insn.c    finding the instructions cvisor intercepts when Unicorn translates them
 *   hooks.c   Unicorn's hooks and stops -> VM-exit information -> exits; creating the CPU
 */
#ifndef SIM_X86_CPU_H
#define SIM_X86_CPU_H

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include <cvisor/exit.h>
#include <cvisor/vm.h>

#include "../cpu.h"

/* Unicorn regions that back guest-virtual pages (mmu.c). */
#define SHADOW_MAX_REGIONS 256
/* Pages of shadow page tables (mmu.c); when they run out, all are cleared, like a full TLB. */
#define SHADOW_TABLE_PAGES 512
/* Guest-virtual pages mapped to the local APIC or a device at once (mmu.c). */
#define SHADOW_MAX_MMIO 16
/* One-instruction code hooks on intercepted instructions kept at once (insn.c). */
#define INSN_MAX_HOOKS 1024

struct shadow_region {
	uint64_t gva;    /* first guest-virtual byte */
	uint64_t size;
	uint32_t prot;   /* UC_PROT_* given to Unicorn */
	void *host;      /* RAM: the host memory of the first byte; NULL: an MMIO page */
	uint64_t gpa;    /* an MMIO page: the GPA it stands for */
	bool apic;       /* an MMIO page: the local APIC's */
};

/* A guest-virtual page whose accesses go to the local APIC or a device: the callbacks' user data. */
struct shadow_mmio {
	struct sim_x86 *s;   /* NULL: a free slot */
	uint64_t gva, gpa;   /* the page's first byte */
	bool apic;           /* the local APIC's page (APIC-access exits), else the device bus */
};

struct shadow {
	struct shadow_region r[SHADOW_MAX_REGIONS];
	unsigned n;
	bool paging;                       /* Unicorn walks the shadow tables (4-level paging) */
	uint64_t *spt;                     /* SHADOW_TABLE_PAGES table pages ([0]: PML4), + one */
	unsigned spt_used;                 /* table pages in use */
	uint64_t last_pf, last_pf_n;       /* the last shadow #PF (page, error) and its repeats */
	struct shadow_mmio mmio[SHADOW_MAX_MMIO];
	bool pf_pending;                   /* a hook refused an access: deliver this #PF (hooks.c) */
	uint64_t pf_addr, pf_code;
	unsigned pf_vector;                /* 14, or 13 for a non-canonical address */
	uint64_t fills, drops;
	bool reported;
};

/* Where QEMU's fields are in a saved context (qstate.c); known: found and checked. */
struct qstate {
	struct sim_ctx saved;
	size_t hflags, segs, error_code, is_int, old_exception;
	size_t efer;       /* 0: not found (no real-mode start) */
	bool known;
};

/* An exception or interrupt for the guest (SDM Vol. 3A, 6.14). */
struct x86_event {
	unsigned vector;
	bool has_error;
	uint32_t error;
	bool soft;       /* INT n / INT3: the gate's DPL is checked, no error code */
	bool external;   /* an external interrupt (the local APIC's): not an exception of the guest */
};

/* An instruction a code hook stopped the CPU at, to emulate between runs (insn.c). */
enum insn_kind { INSN_NONE, INSN_MOV_TO_CR, INSN_MOV_FROM_CR, INSN_INVLPG, INSN_RDMSR,
		 INSN_WRMSR, INSN_STRING_IO, INSN_RDTSC };

struct insn_hooks {
	csh cs;                                  /* Capstone, to find instruction boundaries */
	cs_mode mode;                            /* the code size it decodes with */
	uc_hook edge;
	uint64_t addr[INSN_MAX_HOOKS];           /* addresses with a code hook, sorted */
	uc_hook hook[INSN_MAX_HOOKS];
	unsigned n;
	bool flush;                              /* the table is full: start again between runs */
	uint64_t retranslate_lo, retranslate_hi; /* a block translated before its hooks */
	uc_hook legacy_hook;                     /* every address, outside long mode (legacy) */
	bool legacy;
	enum insn_kind stopped;                  /* the hooked instruction the CPU stopped at */
	uint64_t stopped_at;
	uint64_t found, flushes;
};

/* The simulated CPU's per-vCPU state (struct sim_cpu first). */
struct sim_x86 {
	struct sim_cpu c;
	struct shadow sh;
	struct qstate q;
	struct insn_hooks in;
	bool event_pending;     /* taken while the CPU was being stopped: deliver on entry */
	struct x86_event event;
	uint64_t event_rip;
	uc_hook window;         /* the interrupt window's block hook (switch.c), while window_open */
	bool window_open;
	bool window_stop;       /* the window's hook stopped the CPU (hooks.c: an EXIT_NONE) */
};

/* ---- qstate.c: QEMU's state behind the API ---- */
/* Finds the fields (after the boot state is set). Returns 0 or -CV_ENOMEM. */
int sim_x86_qstate_init(struct sim_x86 *s);
void sim_x86_qstate_free(struct sim_x86 *s);
/* From an interrupt hook: the exception's error code and whether it came from
 * INT n, and the exception-in-flight state reset. False if unknown. */
bool sim_x86_qstate_take_exception(struct sim_x86 *s, uint32_t *error, bool *soft);
/* The CPL QEMU's translator uses (hflags), or -1 if unknown. */
int sim_x86_qstate_cpl(struct sim_x86 *s);
/* CPL 0 on code segment cs (descriptor flags: its high dword), SS null, as
 * QEMU's do_interrupt64 loads them. False if the state is unknown. */
bool sim_x86_qstate_enter_cpl0(struct sim_x86 *s, uint16_t cs, uint32_t cs_flags);
/* True inside an STI or MOV SS interrupt shadow (QEMU's HF_INHIBIT_IRQ). */
bool sim_x86_qstate_irq_shadow(struct sim_x86 *s);
/* The code size the translator uses (16, 32, 64) and CS's base in *cs_base (64 if unknown). */
int sim_x86_qstate_code_bits(struct sim_x86 *s, uint64_t *cs_base);
/* Real mode at cs:IP (CS base cs << 4, other segments 0, EFER 0, CPL 0). False if unknown. */
bool sim_x86_qstate_real_mode(struct sim_x86 *s, uint16_t cs);
/* After a CR0 write: QEMU's HF_PE (and ADDSEG in real mode), EFER.LMA and HF_LMA. False if unknown. */
bool sim_x86_qstate_cr0(struct sim_x86 *s, bool pe, bool lma);

/* ---- switch.c: registers ---- */
/* Unicorn's ids of the general registers, in the register file's order (enum x86_gpr). */
extern const int sim_x86_gpr_ids[16];
/* The general registers, RIP and RFLAGS from Unicorn into the register file and back. */
void sim_x86_save(struct sim_x86 *s);
void sim_x86_restore(struct sim_x86 *s);

/* ---- mmu.c: shadow paging ---- */
/* Adds the shadow's hooks (unmapped and protected guest-virtual pages). */
int sim_x86_shadow_init(struct sim_x86 *s);
/* Maps the shadow page tables into Unicorn (after the boot state and
 * qstate.c's search) and follows the guest's paging mode. Returns 0 or -CV_ENOMEM. */
int sim_x86_shadow_start(struct sim_x86 *s);
/* Frees the shadow tables' memory (the CPU is being destroyed). */
void sim_x86_shadow_free(struct sim_x86 *s);
/* Forgets every shadow translation (CR3/CR0/CR4 or EFER written), and
 * follows the guest's paging mode (Unicorn's CR0, CR3: shadow tables or none). */
void sim_x86_shadow_drop_all(struct sim_x86 *s);
/* Before a run: a walk of the shadow tables that faulted between runs
 * (Unicorn translating an address to drop its code: a hook removed, a
 * retranslation) left QEMU's exception state and CR2 behind; both reset. */
void sim_x86_shadow_enter(struct sim_x86 *s);
/* Forgets the host memory behind the shadow as well (stage 2 changed). */
void sim_x86_shadow_drop_memory(struct sim_x86 *s);
/* A #PF (vector 14) Unicorn's walk of the shadow tables raised, error code
 * error, or a #DF (8) it made of one: fills the page and returns 1 (the
 * access runs again), or 0: the guest's own fault or an exit is left
 * pending, and the CPU must stop; -1: a #DF that is the guest's own. */
int sim_x86_shadow_pf(struct sim_x86 *s, unsigned vector, uint32_t error);
/* MOV to CR0, CR2, CR3 or CR4 (n) of value v (SDM Vol. 2, "MOV - Move to/from
 * Control Registers"): the register file's and Unicorn's CR, then (but for CR2)
 * every translation dropped. */
void sim_x86_shadow_write_cr(struct sim_x86 *s, unsigned n, uint64_t v);
/* INVLPG: forgets the mapping of the page holding gva (SDM Vol. 3A, 4.10.4.1). */
void sim_x86_shadow_invlpg(struct sim_x86 *s, uint64_t gva);
/* Reads or writes guest-virtual memory the way the guest would see it
 * (its stage 1, then stage 2), for exception delivery and decoding.
 * Returns 0 or a negative cv_err. */
int sim_x86_read_gva(struct sim_x86 *s, uint64_t gva, void *buf, uint64_t len);
int sim_x86_write_gva(struct sim_x86 *s, uint64_t gva, const void *buf, uint64_t len);
/* Prints the shadow's counts once, when the VM traces exits or walks. */
void sim_x86_shadow_report(struct sim_x86 *s);

/* ---- exc.c: the guest's own exceptions ---- */
/* The architectural error code of a fault (SDM Vol. 3A, table 6-1): #DF, #TS, #NP, #SS, #GP, #PF, #AC. */
bool sim_x86_vector_has_error(unsigned vector);
/* Delivers ev to the guest through its IDT, its frame returning to rip
 * (from a hook or between runs). Returns false if it stopped the VM. */
bool sim_x86_deliver(struct sim_x86 *s, const struct x86_event *ev, uint64_t rip);
/* The guest's current privilege level. */
unsigned sim_x86_cpl(struct sim_x86 *s);

/* ---- insn.c: intercepted instructions ---- */
/* Opens Capstone and adds the translation hook. Returns 0 or -CV_EINVAL. */
int sim_x86_insn_init(struct sim_x86 *s);
void sim_x86_insn_free(struct sim_x86 *s);
/* Between runs: drops the stale translations and hooks the last run stopped
 * for. True if that was a reason it stopped (then it just runs again). */
bool sim_x86_insn_between_runs(struct sim_x86 *s);
/* Between runs: a code hook on every address (on: outside long mode) or none. */
void sim_x86_insn_legacy(struct sim_x86 *s, bool on);
/* Between runs: emulates the instruction a hook stopped at, or fills *exit
 * with its exit. False if no hooked instruction stopped the CPU. */
bool sim_x86_insn_stopped(struct sim_x86 *s, struct vcpu_exit *exit);
/**
 * The CPU was kicked (or its VM stopped) at a hooked instruction, which
 * runs again at the next entry: forgets it, and makes RIP CS-relative if
 * the hook left it linear (real mode).
 */
void sim_x86_insn_kicked(struct sim_x86 *s);

#endif
