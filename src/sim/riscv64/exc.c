/* SPDX-License-Identifier: MIT */
/*
 * Exceptions that belong to a RISC-V guest, delivered to its stvec in
 * software, as hedeleg would have the hardware deliver them to VS-mode
 * (Privileged Architecture v1.12, 4.1.1 "sstatus", 4.1.2 "stvec", 3.1.7
 * trap entry):
 *   sepc <- the instruction, scause <- cause, stval <- address or bits,
 *   sstatus.SPP <- 1 (S), sstatus.SPIE <- sstatus.SIE, sstatus.SIE <- 0,
 *   PC <- stvec.BASE (synchronous exceptions never use vectored mode).
 * Unicorn reads and writes S-mode CSRs correctly only from inside its
 * hooks: this runs in one.
 *
 * Calls no other file of src/sim/riscv64/.
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

bool sim_rv_deliver(struct sim_rv *s, uint64_t cause, uint64_t epc, uint64_t tval)
{
	uc_engine *uc = s->c.uc;
	uint64_t stvec = 0, sstatus = 0;

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
	sstatus = (sstatus & ~(SSTATUS_SPIE | SSTATUS_SIE)) | SSTATUS_SPP |
		  ((sstatus & SSTATUS_SIE) ? SSTATUS_SPIE : 0);
	uc_reg_write(uc, UC_RISCV_REG_SEPC, &epc);
	uc_reg_write(uc, UC_RISCV_REG_SCAUSE, &cause);
	uc_reg_write(uc, UC_RISCV_REG_STVAL, &tval);
	uc_reg_write(uc, UC_RISCV_REG_SSTATUS, &sstatus);
	uc_reg_write(uc, UC_RISCV_REG_PC, &base);
	sim_trace_guest_exception(&s->c, "%s scause=%llu sepc=0x%llx stval=0x%llx -> 0x%llx",
				  rv_cause_name(cause), (unsigned long long)cause, (unsigned long long)epc,
				  (unsigned long long)tval, (unsigned long long)base);
	return true;
}
