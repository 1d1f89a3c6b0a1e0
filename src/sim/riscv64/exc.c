/* SPDX-License-Identifier: MIT */
/*
 * Exceptions that belong to a RISC-V guest, delivered to its stvec in
 * software, as hedeleg would have the hardware deliver them to VS-mode
 * (Privileged Architecture v1.12, 4.1.1 "sstatus", 4.1.2 "stvec", 3.1.6.1
 * and 3.3.1 trap entry; 8.6.4 for the VS-level CSRs a guest sees as its own):
 *   sepc <- the instruction, scause <- cause, stval <- address or bits,
 *   sstatus.SPP <- the mode the trap came from (0 U, 1 S),
 *   sstatus.SPIE <- sstatus.SIE, sstatus.SIE <- 0,
 *   the hart <- S-mode, PC <- stvec.BASE (synchronous exceptions never
 *   use vectored mode).
 * Unicorn 2.0.1's API has no register for the mode, and from U-mode it
 * refuses every S-mode CSR: a trap taken in U-mode first moves the hart to
 * S-mode in QEMU's own state (qstate.c), as QEMU's riscv_cpu_do_interrupt()
 * would, then writes the CSRs through the API like any other. The return
 * is the guest's own sret, which QEMU executes (SPP back to U, SIE <- SPIE,
 * SPIE <- 1). This runs in a hook, where Unicorn reads and writes S-mode
 * CSRs correctly.
 *
 * Calls mmu.c (the mode) and qstate.c.
 */
#include <arch/trap.h>

#include <cvisor/log.h>

#include "cpu.h"

#define SSTATUS_SIE (1ULL << 1)
#define SSTATUS_SPIE (1ULL << 5)
#define SSTATUS_SPP (1ULL << 8)
/* Bytes after stvec inside which an exception counts toward a storm. */
#define HANDLER_SPAN 256

/*
 * An exception storm: the guest keeps faulting inside its own trap handler
 * (an unusable stvec, a handler that faults). Stops the VM after
 * storm_limit exceptions in a row there.
 */
static bool storm(struct sim_rv *s, uint64_t base, uint64_t epc, uint64_t cause)
{
	if (!sim_cpu_storm(&s->c, epc - base < HANDLER_SPAN))
		return false;
	sim_cpu_set_fatal(&s->c, epc,
			  "exception storm: %u exceptions in a row taken inside the guest's own trap "
			  "handler (stvec 0x%llx); last scause %llu (%s)",
			  s->c.storm_count, (unsigned long long)base, (unsigned long long)cause,
			  rv_cause_name(cause));
	return true;
}

/*
 * Takes the hart from U-mode to S-mode for a trap (3.1.6.1: a trap into
 * S-mode sets the mode to S). False, with the VM stopped, when that is
 * impossible: the handler would otherwise run in U-mode, and its first
 * CSR access would be an illegal instruction of its own.
 */
static bool enter_s_mode(struct sim_rv *s, uint64_t cause, uint64_t epc)
{
	if (sim_rv_qstate_enter_s(s))
		return true;
	sim_cpu_set_fatal(&s->c, epc,
			  "the simulated CPU cannot enter S-mode for a %s (scause %llu) taken in U-mode: "
			  "this Unicorn does not show its privilege level as 2.0.1 does",
			  rv_cause_name(cause), (unsigned long long)cause);
	return false;
}

bool sim_rv_take_injected(struct sim_rv *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;

	if (!a->inject.pending)
		return false;
	a->inject.pending = false;
	sim_rv_deliver(s, a->inject.cause, a->pc, a->inject.tval);
	return true;
}

bool sim_rv_deliver(struct sim_rv *s, uint64_t cause, uint64_t epc, uint64_t tval)
{
	uc_engine *uc = s->c.uc;
	uint64_t stvec = 0, sstatus = 0;
	bool from_u = sim_rv_priv(s) == RV_PRIV_U;

	if (from_u && !enter_s_mode(s, cause, epc))
		return false;
	sim_rv_forget_code(s); /* the mode changed, and the CSRs will */
	uc_reg_read(uc, UC_RISCV_REG_STVEC, &stvec);
	uint64_t base = stvec & ~3ULL;
	if (storm(s, base, epc, cause))
		return false;
	s->c.vcpu->guest_exceptions++;
	if (base == 0)
		log_warn("%s: hart %u takes a %s exception at PC 0x%llx, but stvec is 0: the guest "
			 "has not installed a trap handler",
			 s->c.vcpu->vm->name, s->c.vcpu->id, rv_cause_name(cause), (unsigned long long)epc);

	uc_reg_read(uc, UC_RISCV_REG_SSTATUS, &sstatus);
	sstatus = (sstatus & ~(SSTATUS_SPIE | SSTATUS_SIE | SSTATUS_SPP)) |
		  (from_u ? 0 : SSTATUS_SPP) | ((sstatus & SSTATUS_SIE) ? SSTATUS_SPIE : 0);
	uc_reg_write(uc, UC_RISCV_REG_SEPC, &epc);
	uc_reg_write(uc, UC_RISCV_REG_SCAUSE, &cause);
	uc_reg_write(uc, UC_RISCV_REG_STVAL, &tval);
	uc_reg_write(uc, UC_RISCV_REG_SSTATUS, &sstatus);
	uc_reg_write(uc, UC_RISCV_REG_PC, &base);
	sim_trace_guest_exception(&s->c, "%s scause=%llu sepc=0x%llx stval=0x%llx from %s-mode -> 0x%llx",
				  rv_cause_name(cause), (unsigned long long)cause, (unsigned long long)epc,
				  (unsigned long long)tval, from_u ? "U" : "S", (unsigned long long)base);
	return true;
}
