/* SPDX-License-Identifier: MIT */
/*
 * Interrupts of the simulated RISC-V hart: what the hypervisor asserts
 * (arch/irq.h, as hvip would on hardware: Privileged Architecture v1.12,
 * 8.2.3) becomes the CPU's own pending bits, and the CPU takes them.
 *
 *   the hypervisor asserts     the CPU holds          the guest sees
 *   VSSIP (an SBI IPI)         mip.SSIP               sip.SSIP, clears it itself
 *   VSTIP (the SBI timer)      mip.STIP               sip.STIP
 *   VSEIP (the PLIC)           mip.SEIP               sip.SEIP
 *
 * mideleg delegates the three to S-mode (hooks.c, at creation), so the
 * guest's sie and sip work natively, and QEMU's own interrupt logic,
 * which Unicorn 2.0.1 runs (riscv_cpu_exec_interrupt(), measured), takes
 * a pending one to stvec exactly as the privileged spec says (3.1.6.1,
 * 4.1.1): at the next translation block once it is pending, sie allows
 * it and sstatus.SIE is set or the hart is in U-mode; scause = interrupt
 * bit | code, sepc = the next instruction to run, SPP, SPIE, SIE = 0,
 * vectored stvec honoured. A CSR write that unmasks (csrs sstatus, SIE),
 * sret and wfi end the translation block, so a pending interrupt is taken
 * before the next instruction. WFI stops the CPU only when nothing
 * enabled in sie is pending (QEMU's riscv_cpu_has_work()), as 3.3.3 has it.
 *
 * QEMU takes them without a hook; while one may be pending, the block
 * hook (src/sim/cpu.c, through c.arch_block) asks sim_rv_irq_taken()
 * whether the block starting is the handler's entry, so that each
 * interrupt taken is counted and traced as the guest's exceptions are.
 *
 * The bits are written here, on the vCPU's own thread: before each entry
 * (switch.c), and after each exit taken inside a hook (hooks.c), so that
 * sbi_set_timer, a PLIC claim or an IPI to itself has changed them before
 * the guest's next instruction. Other threads (an IPI, a PLIC line)
 * notify the vCPU, which leaves the guest and enters again.
 *
 * Calls qstate.c.
 */
#include <arch/irq.h>
#include <arch/trap.h>

#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>

#include "cpu.h"

static void irq_block(struct sim_cpu *c, uint64_t addr)
{
	sim_rv_irq_taken((struct sim_rv *)c, addr);
}

void sim_rv_irq_read(struct sim_rv *s)
{
	struct vcpu_arch *a = &s->c.vcpu->arch;
	uint64_t sie, sip;

	if (sim_rv_qstate_irqs(s, &sie, &sip)) {
		a->sie = sie;
		a->sip = sip;
	}
	/*
	 * While an interrupt may be pending, the block hook looks for its
	 * entry; only then: a call per block costs (src/sim/cpu.h).
	 */
	s->c.arch_block = (a->sip & RV_IRQ_ALL) != 0 ? irq_block : NULL;
}

void sim_rv_irq_taken(struct sim_rv *s, uint64_t block)
{
	uint64_t stvec, scause = 0, sepc = 0;

	/* The same entry again: the CPU stopped at its start, and runs it now. */
	if (block == s->irq_entry)
		return;
	s->irq_entry = 0; /* another block ran: an entry at the vector is a new interrupt */
	if (!sim_rv_qstate_stvec(s, &stvec))
		return;
	uint64_t base = stvec & ~3ULL;
	if (block != base && block - base > 4 * RV_IRQ_CAUSE_EXTERNAL)
		return;
	/* At the vector, the hart is in S-mode: the API reads its CSRs. */
	uc_reg_read(s->c.uc, UC_RISCV_REG_SCAUSE, &scause);
	uint64_t code = scause & ~RV_CAUSE_INTERRUPT;
	uint64_t entry = (stvec & 3) == 1 ? base + 4 * code : base;
	if (!(scause & RV_CAUSE_INTERRUPT) || block != entry)
		return;
	uc_reg_read(s->c.uc, UC_RISCV_REG_SEPC, &sepc);
	s->irq_entry = block;
	s->c.vcpu->guest_exceptions++;
	sim_trace_guest_exception(&s->c, "%s scause=0x%llx sepc=0x%llx -> 0x%llx",
				  rv_cause_name(scause), (unsigned long long)scause,
				  (unsigned long long)sepc, (unsigned long long)block);
}

/* Under --trace=exits: the interrupts the hart now has pending from the hypervisor. */
static void trace(const struct sim_rv *s, uint64_t lines, bool ipi)
{
	char line[160];

	if (!hal_trace_wants(s->c.vcpu->vm, TRACE_IRQ))
		return;
	cv_snprintf(line, sizeof(line), "irq: vm=%u vcpu=%u lines=0x%llx%s", s->c.vcpu->vm->id,
		    s->c.vcpu->id, (unsigned long long)lines, ipi ? " ipi" : "");
	hal_trace_write(line);
}

/* Interrupts cannot be raised in this Unicorn: say so once. */
static void cannot(struct sim_rv *s)
{
	if (s->irq_warned)
		return;
	s->irq_warned = true;
	log_warn("%s: hart %u: cvisor cannot raise interrupts in this simulated CPU (its state "
		 "is not laid out as Unicorn 2.0.1's)",
		 s->c.vcpu->vm->name, s->c.vcpu->id);
}

void sim_rv_irq_sync(struct sim_rv *s)
{
	struct vcpu *vcpu = s->c.vcpu;

	if (vcpu->arch.csr_reset) {
		vcpu->arch.csr_reset = false;
		if (!sim_rv_qstate_start(s))
			cannot(s);
		s->lines = ~0ULL; /* write them all again */
	}
	/* A debugger's step runs with interrupts held back, as QEMU's gdbstub steps. */
	uint64_t lines = s->c.dbg.step ? 0 : rv_irq_lines(vcpu);
	bool ipi = !s->c.dbg.step && rv_irq_take_ipi(vcpu);
	if (lines == s->lines && !ipi)
		return;
	uint64_t mask = RV_IRQ_STIP | RV_IRQ_SEIP | (ipi ? RV_IRQ_SSIP : 0);
	if (!sim_rv_qstate_set_mip(s, mask, lines | (ipi ? RV_IRQ_SSIP : 0)))
		cannot(s);
	s->lines = lines;
	s->irq_entry = 0; /* what is raised now is a new interrupt, wherever the CPU is */
	trace(s, lines, ipi);
	sim_rv_irq_read(s);
}
