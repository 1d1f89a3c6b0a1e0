/* SPDX-License-Identifier: MIT */
/*
 * Interrupts and secondary vCPUs of AArch64 (cvisor/arch.h): the GICv3
 * CPU interface's system registers (ICC_*_EL1) in front of the model in
 * src/core/gicv3.c, what wakes a vCPU from WFI, and the state PSCI CPU_ON
 * starts a vCPU in. The generic timer is in timer.c.
 *
 * On hardware the guest's ICC_* accesses reach the GIC's virtual CPU
 * interface without a trap; with ICH_HCR_EL2.TALL1 and TC set (IHI 0069
 * 12.4.7) and ICC_SRE_EL2.Enable clear, every one cvisor emulates traps to
 * EL2 as EC 0x18, which is how the simulator presents them.
 */
#include <arch/irq.h>
#include <arch/sysreg.h>

#include <cvisor/arch.h>
#include <cvisor/gicv3.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

/* Encodings of the CPU interface registers (IHI 0069 12.2, ARM ARM D17.7). */
static const struct {
	uint32_t id;
	enum gicv3_icc reg;
} icc_regs[] = {
	{ A64_SYSREG(3, 0, 12, 12, 5), ICC_SRE },    { A64_SYSREG(3, 0, 4, 6, 0), ICC_PMR },
	{ A64_SYSREG(3, 0, 12, 12, 0), ICC_IAR1 },   { A64_SYSREG(3, 0, 12, 12, 1), ICC_EOIR1 },
	{ A64_SYSREG(3, 0, 12, 11, 1), ICC_DIR },    { A64_SYSREG(3, 0, 12, 12, 2), ICC_HPPIR1 },
	{ A64_SYSREG(3, 0, 12, 12, 3), ICC_BPR1 },   { A64_SYSREG(3, 0, 12, 12, 4), ICC_CTLR },
	{ A64_SYSREG(3, 0, 12, 12, 7), ICC_IGRPEN1 }, { A64_SYSREG(3, 0, 12, 11, 3), ICC_RPR },
	{ A64_SYSREG(3, 0, 12, 11, 5), ICC_SGI1R },  { A64_SYSREG(3, 0, 12, 9, 0), ICC_AP1R0 },
	{ A64_SYSREG(3, 0, 12, 8, 4), ICC_AP0R0 },   { A64_SYSREG(3, 0, 12, 8, 3), ICC_BPR0 },
	{ A64_SYSREG(3, 0, 12, 12, 6), ICC_IGRPEN0 },
};

int a64_icc_of(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(icc_regs); i++)
		if (icc_regs[i].id == id)
			return (int)icc_regs[i].reg;
	return -1;
}

/*
 * A trapped ICC_* access. A VM whose config replaced the GIC has no CPU
 * interface behind the registers: they read as 0 (ICC_SRE_EL1.SRE 0: no
 * system register interface) and ignore writes.
 */
void a64_icc_access(struct vcpu *vcpu, struct vcpu_exit *e)
{
	struct gicv3 *gic = gicv3_of(vcpu->vm);
	enum gicv3_icc reg = (enum gicv3_icc)a64_icc_of(e->sysreg.id);

	if (!e->sysreg.write)
		e->sysreg.value = gic ? gicv3_icc_read(gic, vcpu->id, reg) : 0;
	else if (gic)
		gicv3_icc_write(gic, vcpu->id, reg, e->sysreg.value);
}

bool a64_irq_signalled(const struct vcpu *vcpu)
{
	struct gicv3 *gic = gicv3_of(vcpu->vm);
	return gic && gicv3_signalled(gic, vcpu->id);
}

/*
 * PSCI CPU_ON's entry state (Arm DEN0022 6.4 "Implementation
 * responsibilities", CPU_ON): PC = entry, x0 = context_id, the other
 * registers as at reset, EL1h with D, A, I and F masked, the MMU and the
 * caches off (SCTLR_EL1 at its reset value), the vCPU's own MPIDR_EL1.
 * Its redistributor keeps its state (the GIC is not reset by CPU_ON).
 */
void vcpu_arch_start(struct vcpu *vcpu, gpa_t entry, uint64_t context)
{
	vcpu_arch_reset(vcpu, entry, GPA_INVALID);
	vcpu->arch.x[0] = context;
}

/*
 * WFI completes when the CPU interface asserts an IRQ, masked by
 * PSTATE.I or not (ARM ARM D1.6.2 "Wait for Interrupt"): the same
 * condition as the one that raises HCR_EL2.VI.
 */
bool vcpu_arch_irq_wakes(const struct vcpu *vcpu)
{
	return a64_irq_signalled(vcpu);
}

/*
 * A PPI or an SPI enabled for the vCPU (with group 1 on at the
 * distributor). SGIs do not count: the core asks only when the vCPU is
 * the only one on, and nobody else could send one. A timer that is armed
 * is seen by the core through vcpu_arch_timers()' deadline.
 */
bool vcpu_arch_irq_possible(const struct vcpu *vcpu)
{
	struct gicv3 *gic = gicv3_of(vcpu->vm);
	return gic && gicv3_enabled_any(gic, vcpu->id);
}

/* A device's line is an SPI (IHI 0069 2.2.1: INTIDs 32-1019); SGIs and PPIs belong to the CPUs. */
void vm_arch_irq_set(struct vm *vm, unsigned irq, bool level)
{
	struct gicv3 *gic = gicv3_of(vm);

	if (gic && irq >= GICV3_SPI_BASE)
		gicv3_set_level(gic, 0, irq, level);
}
