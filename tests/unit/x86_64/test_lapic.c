/* SPDX-License-Identifier: MIT */
/*
 * The local APIC model (src/arch/x86_64/lapic.c) as pure functions:
 * priorities (IRR, ISR, TPR, PPR, vector classes), EOI, error status,
 * the ICR's decoding, the timer against a clock given by the test; then
 * INIT and start-up IPIs and fixed IPIs between the vCPUs of a VM
 * without a CPU (irq.c, through APIC-access exits as the HAL makes them),
 * and the I/O APIC's redirection of edge and level inputs (ioapic.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arch/irq.h>
#include <arch/lapic.h>
#include <arch/sysreg.h>
#include <arch/trap.h>
#include <cvisor/arch.h>
#include <cvisor/devbus.h>
#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "../fixture.h"

#define NEVER UINT64_MAX

static struct lapic l;
static struct lapic_ipi ipi;
static uint8_t eoi_vector;

static int wr(unsigned offset, uint32_t val, uint64_t now)
{
	return lapic_write(&l, offset, val, now, &ipi, &eoi_vector);
}

static uint32_t rd(unsigned offset, uint64_t now)
{
	uint32_t v = 0xdeadbeef;
	assert_int_equal(lapic_read(&l, offset, now, &v), 0);
	return v;
}

static int setup(void **state)
{
	(void)state;
	lapic_reset(&l, 2);
	return 0;
}

static void enable(void)
{
	assert_int_equal(wr(LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff, 0), LAPIC_CHANGED);
}

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(rd(LAPIC_ID, 0), 2u << 24);
	assert_int_equal(rd(LAPIC_VERSION, 0), 0x00060014);
	assert_int_equal(rd(LAPIC_SVR, 0), 0xff); /* software-disabled */
	assert_int_equal(rd(LAPIC_DFR, 0), 0xffffffffu);
	assert_int_equal(rd(LAPIC_LVT_TIMER, 0), LAPIC_LVT_MASKED);
	assert_int_equal(rd(LAPIC_LVT_LINT0, 0), LAPIC_LVT_MASKED);
	assert_int_equal(rd(LAPIC_LVT_ERROR, 0), LAPIC_LVT_MASKED);
	assert_int_equal(rd(LAPIC_TIMER_CURRENT, 0), 0);
	assert_int_equal(lapic_pending(&l), -1);
	/* An offset that is no register: an error, and ESR records it once written. */
	uint32_t v;
	assert_int_equal(lapic_read(&l, 0x3f0, 0, &v), -1);
	assert_int_equal(wr(0x3f0, 1, 0), -1);
	wr(LAPIC_ESR, 0, 0);
	assert_int_equal(rd(LAPIC_ESR, 0), LAPIC_ESR_ILLEGAL_REG);
	/* The ID register is read-only here. */
	wr(LAPIC_ID, 7u << 24, 0);
	assert_int_equal(rd(LAPIC_ID, 0), 2u << 24);
}

/* A software-disabled APIC takes no fixed interrupt (SDM 11.4.7.2). */
static void test_disabled_refuses(void **state)
{
	(void)state;
	assert_false(lapic_accept(&l, 0x40, false));
	assert_int_equal(rd(LAPIC_IRR + 0x20, 0), 0);
	enable();
	assert_true(lapic_accept(&l, 0x40, false));
	assert_int_equal(rd(LAPIC_IRR + 0x20, 0), 1);
	assert_int_equal(lapic_pending(&l), 0x40);
	/* Disabling masks every LVT entry, and they stay masked. */
	wr(LAPIC_LVT_TIMER, 0x30, 0);
	assert_int_equal(rd(LAPIC_LVT_TIMER, 0), 0x30);
	wr(LAPIC_SVR, 0xff, 0);
	assert_int_equal(rd(LAPIC_LVT_TIMER, 0), LAPIC_LVT_MASKED | 0x30);
	wr(LAPIC_LVT_TIMER, 0x30, 0);
	assert_int_equal(rd(LAPIC_LVT_TIMER, 0), LAPIC_LVT_MASKED | 0x30);
	assert_int_equal(lapic_pending(&l), -1);
}

/* IRR vs ISR vs TPR (11.8.3, 11.8.4): only a class above PPR's is presented. */
static void test_priority(void **state)
{
	(void)state;
	enable();
	lapic_accept(&l, 0x31, false);
	lapic_accept(&l, 0x35, false);
	assert_int_equal(lapic_pending(&l), 0x35); /* the highest IRR bit */
	assert_int_equal(lapic_ack(&l), 0x35);
	assert_int_equal(rd(LAPIC_ISR + 0x10, 0), 1u << (0x35 - 32));
	assert_int_equal(rd(LAPIC_IRR + 0x10, 0), 1u << (0x31 - 32));
	assert_int_equal(lapic_ppr(&l), 0x30);
	/* 0x31 is in the class being served: held. */
	assert_int_equal(lapic_pending(&l), -1);
	assert_int_equal(lapic_ack(&l), -1);
	/* A higher class nests. */
	lapic_accept(&l, 0x45, false);
	assert_int_equal(lapic_pending(&l), 0x45);
	assert_int_equal(lapic_ack(&l), 0x45);
	assert_int_equal(rd(LAPIC_PPR, 0), 0x40);
	/* EOI ends the highest in service (11.8.5): 0x45, then 0x35. */
	assert_int_equal(wr(LAPIC_EOI, 0, 0), LAPIC_CHANGED);
	assert_int_equal(rd(LAPIC_ISR + 0x20, 0), 0);
	assert_int_equal(rd(LAPIC_ISR + 0x10, 0), 1u << (0x35 - 32));
	assert_int_equal(lapic_pending(&l), -1);
	wr(LAPIC_EOI, 0, 0);
	assert_int_equal(rd(LAPIC_ISR + 0x10, 0), 0);
	assert_int_equal(lapic_pending(&l), 0x31);
	/* TPR: class 3 is not above TPR 0x30; PPR is TPR when nothing is in service. */
	wr(LAPIC_TPR, 0x30, 0);
	assert_int_equal(rd(LAPIC_PPR, 0), 0x30);
	assert_int_equal(lapic_pending(&l), -1);
	wr(LAPIC_TPR, 0x2f, 0);
	assert_int_equal(rd(LAPIC_PPR, 0), 0x2f);
	assert_int_equal(lapic_pending(&l), 0x31);
	/* PPR takes the ISR class when it is above TPR's. */
	assert_int_equal(lapic_ack(&l), 0x31);
	assert_int_equal(rd(LAPIC_PPR, 0), 0x30);
	/* An EOI with nothing in service changes nothing. */
	wr(LAPIC_EOI, 0, 0);
	assert_int_equal(wr(LAPIC_EOI, 0, 0), 0);
}

/* Vectors 0-15 are illegal (11.5.3): refused, and ESR says so after a write. */
static void test_illegal_vectors(void **state)
{
	(void)state;
	enable();
	assert_false(lapic_accept(&l, 5, false));
	assert_int_equal(lapic_pending(&l), -1);
	assert_int_equal(rd(LAPIC_ESR, 0), 0); /* not before a write */
	wr(LAPIC_ESR, 0, 0);
	assert_int_equal(rd(LAPIC_ESR, 0), LAPIC_ESR_RECV_ILLEGAL);
	assert_int_equal(wr(LAPIC_ICR_LO, 0x3, 0), 0); /* fixed, vector 3: not sent */
	wr(LAPIC_ESR, 0, 0);
	assert_int_equal(rd(LAPIC_ESR, 0), LAPIC_ESR_SEND_ILLEGAL);
	wr(LAPIC_ESR, 0, 0);
	assert_int_equal(rd(LAPIC_ESR, 0), 0);
}

/* The ICR (figure 11-12): what a write of its low half asks to send. */
static void test_icr(void **state)
{
	(void)state;
	wr(LAPIC_ICR_HI, 0x02ffffff, 0);
	assert_int_equal(rd(LAPIC_ICR_HI, 0), 0x02000000);
	assert_int_equal(wr(LAPIC_ICR_LO, 0x000c4500, 0), LAPIC_SEND); /* the SDM's INIT */
	assert_int_equal(ipi.mode, LAPIC_DM_INIT);
	assert_int_equal(ipi.shorthand, LAPIC_SH_OTHERS);
	assert_true(ipi.level_assert);
	assert_int_equal(wr(LAPIC_ICR_LO, 0x00004608, 0),
			 LAPIC_SEND); /* start-up, vector 8, to ID 2 */
	assert_int_equal(ipi.mode, LAPIC_DM_STARTUP);
	assert_int_equal(ipi.vector, 8);
	assert_int_equal(ipi.shorthand, LAPIC_SH_NONE);
	assert_false(ipi.logical);
	assert_int_equal(ipi.dest, 2);
	assert_int_equal(wr(LAPIC_ICR_LO, 0x00040850, 0),
			 LAPIC_SEND); /* fixed 0x50, logical, self */
	assert_int_equal(ipi.mode, LAPIC_DM_FIXED);
	assert_int_equal(ipi.vector, 0x50);
	assert_true(ipi.logical);
	assert_int_equal(ipi.shorthand, LAPIC_SH_SELF);
	/* Delivery status reads idle: the IPI went at once. */
	assert_int_equal(rd(LAPIC_ICR_LO, 0) & LAPIC_LVT_PENDING, 0);
}

/* One-shot (11.5.4): counts down at 100 MHz / divide, raises its vector once at 0. */
static void test_timer_one_shot(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TIMER_DIVIDE, 0xb, 0); /* divide by 1: 10 ns a tick */
	wr(LAPIC_LVT_TIMER, 0x30, 0);
	assert_int_equal(wr(LAPIC_TIMER_INITIAL, 1000, 1000), LAPIC_TIMER);
	assert_int_equal(lapic_timer(&l, 1000), 11000);
	assert_int_equal(rd(LAPIC_TIMER_CURRENT, 6000), 500);
	assert_int_equal(lapic_timer(&l, 10999), 11000);
	assert_int_equal(lapic_pending(&l), -1);
	assert_int_equal(lapic_timer(&l, 11000), NEVER);
	assert_int_equal(lapic_pending(&l), 0x30);
	assert_int_equal(rd(LAPIC_TIMER_CURRENT, 12000), 0);
	assert_int_equal(lapic_timer(&l, 100000), NEVER);
	assert_int_equal(l.ticks, 1);
	/* Initial count 0 stops it. */
	wr(LAPIC_TIMER_INITIAL, 5, 200000);
	wr(LAPIC_TIMER_INITIAL, 0, 200010);
	assert_int_equal(lapic_timer(&l, 300000), NEVER);
	assert_int_equal(l.ticks, 1);
}

/* Periodic: reloads; missed periods raise one interrupt; masked counts on silently. */
static void test_timer_periodic(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TIMER_DIVIDE, 0x3, 0); /* divide by 16: 160 ns a tick */
	wr(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | 0x31, 0);
	wr(LAPIC_TIMER_INITIAL, 100, 0); /* 16 us */
	assert_int_equal(lapic_timer(&l, 16000), 32000);
	assert_int_equal(lapic_ack(&l), 0x31);
	wr(LAPIC_EOI, 0, 16000);
	assert_int_equal(rd(LAPIC_TIMER_CURRENT, 16000 + 160 * 25), 75);
	/* Three periods late: one interrupt, the next expiry on the same grid. */
	assert_int_equal(lapic_timer(&l, 70000), 80000);
	assert_int_equal(l.ticks, 2);
	assert_int_equal(lapic_pending(&l), 0x31);
	/* Masked: no interrupt, the count goes on. */
	wr(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_PERIODIC | 0x31, 70000);
	assert_int_equal(lapic_timer(&l, 80000), 96000);
	assert_int_equal(l.ticks, 2);
	/* A new divide keeps the current count: 50 ticks left at 160 ns, then at 20 ns (divide 2).
	 */
	assert_int_equal(rd(LAPIC_TIMER_CURRENT, 88000), 50);
	wr(LAPIC_TIMER_DIVIDE, 0x0, 88000);
	assert_int_equal(rd(LAPIC_TIMER_CURRENT, 88000), 50);
	assert_int_equal(lapic_timer(&l, 88000), 89000);
}

/* A level-triggered vector's EOI is reported, for the I/O APIC's remote IRR. */
static void test_level_eoi(void **state)
{
	(void)state;
	enable();
	lapic_accept(&l, 0x60, true);
	assert_int_equal(rd(LAPIC_TMR + 0x30, 0), 1);
	assert_int_equal(lapic_ack(&l), 0x60);
	eoi_vector = 0;
	assert_int_equal(wr(LAPIC_EOI, 0, 0), LAPIC_CHANGED | LAPIC_EOI_LEVEL);
	assert_int_equal(eoi_vector, 0x60);
	lapic_accept(&l, 0x60, false); /* edge again: TMR clear */
	assert_int_equal(rd(LAPIC_TMR + 0x30, 0), 0);
}

/* ---- Through a VM without a CPU: APIC-access exits and INIT-SIPI ------------------- */

static struct vm *vm;

static int vm_setup(void **state)
{
	static const char text[] =
	    "[base]\nid = 4\nname = \"mp\"\narch = \"x86_64\"\ncpu_num = 3\n"
	    "[kernel]\nkernel_path = \"k.bin\"\nkernel_load_addr = 0x10_0000\n"
	    "memory_regions = [[0, 0x100_0000, 7, 0]]\n";
	static const uint8_t kernel[2] = {0xf4, 0xf4};

	(void)state;
	return fixture_vm_boot(text, "mp.toml", kernel, sizeof(kernel), &vm);
}

static int vm_teardown(void **state)
{
	(void)state;
	vm_destroy(vm);
	return 0;
}

/* An access of vCPU v's APIC page, as the HAL reports it (exit reason 44). */
static uint32_t apic(unsigned v, unsigned offset, bool write, uint32_t val)
{
	struct vmx_exit_info info = {.reason = VMX_EXIT_APIC_ACCESS,
				     .qualification = offset | (write ? 1u << 12 : 0)};
	struct vcpu_exit e;

	vmx_decode_exit(&info, &e);
	assert_int_equal(e.reason, EXIT_SYSREG);
	assert_int_equal(e.sysreg.id, X86_SYSREG_APIC(offset));
	e.sysreg.value = val;
	vcpu_handle_exit(vm->vcpus[v], &e);
	return (uint32_t)e.sysreg.value;
}

static void test_init_sipi(void **state)
{
	(void)state;
	struct vcpu *bsp = vm->vcpus[0], *ap = vm->vcpus[1];

	assert_int_equal(bsp->arch.apic_base, 0xfee00900);
	assert_int_equal(ap->arch.apic_base, 0xfee00800);
	assert_int_equal(apic(2, LAPIC_ID, false, 0), 2u << 24);
	/* A start-up IPI without INIT first: ignored. */
	apic(0, LAPIC_ICR_HI, true, 1u << 24);
	apic(0, LAPIC_ICR_LO, true, 0x4608);
	assert_int_equal(ap->state, VCPU_OFF);
	/* INIT to all excluding self, then start-up vector 0x08 to APIC ID 1 only. */
	apic(0, LAPIC_ICR_LO, true, 0xc4500);
	assert_true(ap->arch.wait_sipi);
	assert_true(vm->vcpus[2]->arch.wait_sipi);
	apic(0, LAPIC_ICR_LO, true, 0x4608);
	assert_int_equal(ap->state, VCPU_RUNNABLE);
	assert_int_equal(vm->vcpus[2]->state, VCPU_OFF);
	/* Real mode at 0800:0000 (SDM Vol. 3A, table 9-1). */
	assert_true(ap->arch.real_mode_start);
	assert_int_equal(ap->arch.start_cs, 0x0800);
	assert_int_equal(ap->arch.rip, 0);
	assert_int_equal(ap->arch.cr0, 0x60000010);
	assert_int_equal(ap->arch.efer, 0);
	assert_int_equal(ap->arch.gpr[X86_RDX], 0x000606a6);
	/* The second SIPI finds it running: nothing changes. */
	ap->arch.rip = 0x1234;
	apic(0, LAPIC_ICR_LO, true, 0x4608);
	assert_int_equal(ap->arch.rip, 0x1234);
}

static void test_fixed_ipis(void **state)
{
	(void)state;
	/* An IPI to a software-disabled APIC is dropped. */
	apic(0, LAPIC_ICR_HI, true, 1u << 24);
	apic(0, LAPIC_ICR_LO, true, 0x50);
	assert_int_equal(x86_irq_pending(vm->vcpus[1]), -1);
	for (unsigned v = 0; v < 3; v++)
		apic(v, LAPIC_SVR, true, 0x1ff);
	apic(0, LAPIC_ICR_LO, true, 0x50);
	assert_int_equal(x86_irq_pending(vm->vcpus[1]), 0x50);
	assert_int_equal(x86_irq_pending(vm->vcpus[2]), -1);
	assert_int_equal(x86_irq_ack(vm->vcpus[1]), 0x50);
	apic(1, LAPIC_EOI, true, 0);
	assert_int_equal(x86_irq_pending(vm->vcpus[1]), -1);
	/* All including self, and self alone. */
	apic(2, LAPIC_ICR_LO, true, 0x80061);
	for (unsigned v = 0; v < 3; v++)
		assert_int_equal(x86_irq_pending(vm->vcpus[v]), 0x61);
	apic(1, LAPIC_ICR_LO, true, 0x40071);
	assert_int_equal(x86_irq_pending(vm->vcpus[1]), 0x71);
	assert_int_equal(x86_irq_pending(vm->vcpus[0]), 0x61);
	/* Flat logical: LDR bits 31:24 against the destination mask. */
	apic(2, LAPIC_LDR, true, 0x04000000);
	apic(0, LAPIC_ICR_HI, true, 0x06000000);
	apic(0, LAPIC_ICR_LO, true, 0x881);
	assert_int_equal(x86_irq_pending(vm->vcpus[2]), 0x81);
	assert_int_equal(x86_irq_pending(vm->vcpus[1]), 0x71);
	/* Physical broadcast 0xff. */
	apic(0, LAPIC_ICR_HI, true, 0xff000000);
	apic(0, LAPIC_ICR_LO, true, 0x91);
	for (unsigned v = 0; v < 3; v++)
		assert_int_equal(x86_irq_pending(vm->vcpus[v]), 0x91);
	/* HLT wakes only with IF = 1 (vcpu_arch_irq_wakes). */
	vm->vcpus[0]->arch.rflags = 0x2;
	assert_false(vcpu_arch_irq_wakes(vm->vcpus[0]));
	vm->vcpus[0]->arch.rflags = 0x202;
	assert_true(vcpu_arch_irq_wakes(vm->vcpus[0]));
}

/* IA32_APIC_BASE: EN may be cleared and set; another base is a #GP. */
static void test_apic_base_msr(void **state)
{
	(void)state;
	struct vcpu *v = vm->vcpus[0];
	struct vcpu_exit e = {.reason = EXIT_SYSREG};

	e.sysreg.id = X86_MSR_APIC_BASE;
	e.sysreg.write = true;
	e.sysreg.value = 0xfed00900;
	vcpu_handle_exit(v, &e);
	assert_true(v->arch.inject.valid);
	assert_int_equal(v->arch.inject.vector, 13);
	v->arch.inject.valid = false;
	e.sysreg.value = 0xfee00100; /* EN clear */
	vcpu_handle_exit(v, &e);
	assert_false(v->arch.inject.valid);
	assert_int_equal(apic(0, LAPIC_VERSION, false, 0), 0); /* disabled: reads 0 */
	e.sysreg.write = false;
	vcpu_handle_exit(v, &e);
	assert_int_equal(v->arch.gpr[X86_RAX], 0xfee00100);
}

/*
 * What ends HLT (an interrupt presented with IF = 1) and what could ever
 * (IF = 1 and an enabled APIC with an armed unmasked timer, a vector held
 * back, or an I/O APIC entry routed to it); the timer's deadline.
 */
static void test_wake_conditions(void **state)
{
	(void)state;
	struct vcpu *v = vm->vcpus[0];

	v->arch.rflags = 0x202;
	assert_false(vcpu_arch_irq_possible(v)); /* software-disabled */
	apic(0, LAPIC_SVR, true, 0x1ff);
	assert_false(vcpu_arch_irq_possible(v)); /* nothing armed, nothing routed */
	assert_int_equal(vcpu_arch_timers(v, 0), CLOCK_NEVER);
	apic(0, LAPIC_TIMER_DIVIDE, true, 0xb);
	apic(0, LAPIC_LVT_TIMER, true, 0x30);
	apic(0, LAPIC_TIMER_INITIAL, true, 100); /* the unit tests' clock stands at 0: 1 us */
	assert_int_equal(vcpu_arch_timers(v, 0), 1000);
	assert_true(vcpu_arch_irq_possible(v));
	v->arch.rflags = 0x2;
	assert_false(vcpu_arch_irq_possible(v)); /* IF = 0: only NMI, INIT, SMI could */
	v->arch.rflags = 0x202;
	apic(0, LAPIC_LVT_TIMER, true, LAPIC_LVT_MASKED | 0x30);
	assert_false(vcpu_arch_irq_possible(v));
	/* The expiry: presented, it wakes HLT; the one-shot timer is done. */
	assert_int_equal(vcpu_arch_timers(v, 1000), CLOCK_NEVER);
	assert_false(vcpu_arch_irq_wakes(v)); /* masked: nothing raised */
	apic(0, LAPIC_LVT_TIMER, true, 0x30);
	apic(0, LAPIC_TIMER_INITIAL, true, 100);
	assert_int_equal(vcpu_arch_timers(v, 1000), CLOCK_NEVER);
	assert_true(vcpu_arch_irq_wakes(v));
	/* Held back by TPR: it does not wake HLT, but it could once TPR is lowered. */
	apic(0, LAPIC_TPR, true, 0x30);
	assert_false(vcpu_arch_irq_wakes(v));
	assert_true(vcpu_arch_irq_possible(v));
}

/* ---- The I/O APIC (82093AA datasheet), on the VM's MMIO bus -------------------- */

static uint32_t ioapic_reg(unsigned index, bool write, uint32_t val)
{
	uint64_t v = index;

	assert_int_equal(devbus_access(&vm->bus, IOAPIC_BASE, 4, true, &v), 0);
	v = val;
	assert_int_equal(devbus_access(&vm->bus, IOAPIC_BASE + 0x10, 4, write, &v), 0);
	return (uint32_t)v;
}

static void test_ioapic(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 3; v++)
		apic(v, LAPIC_SVR, true, 0x1ff);
	assert_int_equal(ioapic_reg(0x01, false, 0), 0x00170011); /* 24 entries, version 0x11 */
	assert_int_equal(ioapic_reg(0x10 + 2 * 4, false, 0), 0x10000); /* masked at reset */
	assert_false(ioapic_routes_to(vm, 1));
	/* Pin 4, edge, vector 0x34 to APIC ID 1. */
	ioapic_reg(0x10 + 2 * 4 + 1, true, 1u << 24);
	ioapic_reg(0x10 + 2 * 4, true, 0x34);
	assert_int_equal(ioapic_reg(0x10 + 2 * 4, false, 0), 0x34);
	assert_true(ioapic_routes_to(vm, 1));
	assert_false(ioapic_routes_to(vm, 2));
	vm_irq_set(vm, 4, true); /* a device's line: I/O APIC pin 4 */
	assert_int_equal(x86_irq_pending(vm->vcpus[1]), 0x34);
	assert_int_equal(x86_irq_pending(vm->vcpus[0]), -1);
	assert_int_equal(x86_irq_ack(vm->vcpus[1]), 0x34);
	apic(1, LAPIC_EOI, true, 0);
	ioapic_set_irq(vm, 4, true); /* still high: no new edge */
	assert_int_equal(x86_irq_pending(vm->vcpus[1]), -1);
	ioapic_set_irq(vm, 4, false);
	ioapic_set_irq(vm, 4, true);
	assert_int_equal(x86_irq_pending(vm->vcpus[1]), 0x34);
	/* Pin 5, level, vector 0x45 to APIC ID 0: remote IRR until the EOI. */
	ioapic_reg(0x10 + 2 * 5, true, 0x8045);
	ioapic_set_irq(vm, 5, true);
	assert_int_equal(ioapic_reg(0x10 + 2 * 5, false, 0), 0xc045); /* remote IRR (bit 14) */
	assert_int_equal(x86_irq_ack(vm->vcpus[0]), 0x45);
	assert_int_equal(apic(0, LAPIC_TMR + 0x20, false, 0), 1u << (0x45 - 64));
	apic(0, LAPIC_EOI, true, 0);
	/* Still asserted: sent again, remote IRR set again. */
	assert_int_equal(x86_irq_pending(vm->vcpus[0]), 0x45);
	assert_int_equal(ioapic_reg(0x10 + 2 * 5, false, 0), 0xc045);
	ioapic_set_irq(vm, 5, false);
	assert_int_equal(x86_irq_ack(vm->vcpus[0]), 0x45);
	apic(0, LAPIC_EOI, true, 0);
	assert_int_equal(ioapic_reg(0x10 + 2 * 5, false, 0), 0x8045);
	assert_int_equal(x86_irq_pending(vm->vcpus[0]), -1);
	/* Masked: nothing is sent; unmasking a line still high sends it. */
	ioapic_reg(0x10 + 2 * 5, true, 0x18045);
	ioapic_set_irq(vm, 5, true);
	assert_int_equal(x86_irq_pending(vm->vcpus[0]), -1);
	ioapic_reg(0x10 + 2 * 5, true, 0x8045);
	assert_int_equal(x86_irq_pending(vm->vcpus[0]), 0x45);
	/* Sizes other than 4 bytes are refused. */
	uint64_t v = 0;
	assert_int_not_equal(devbus_access(&vm->bus, IOAPIC_BASE, 1, false, &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_reset_state, setup),
	    cmocka_unit_test_setup(test_disabled_refuses, setup),
	    cmocka_unit_test_setup(test_priority, setup),
	    cmocka_unit_test_setup(test_illegal_vectors, setup),
	    cmocka_unit_test_setup(test_icr, setup),
	    cmocka_unit_test_setup(test_timer_one_shot, setup),
	    cmocka_unit_test_setup(test_timer_periodic, setup),
	    cmocka_unit_test_setup(test_level_eoi, setup),
	    cmocka_unit_test_setup_teardown(test_init_sipi, vm_setup, vm_teardown),
	    cmocka_unit_test_setup_teardown(test_fixed_ipis, vm_setup, vm_teardown),
	    cmocka_unit_test_setup_teardown(test_apic_base_msr, vm_setup, vm_teardown),
	    cmocka_unit_test_setup_teardown(test_wake_conditions, vm_setup, vm_teardown),
	    cmocka_unit_test_setup_teardown(test_ioapic, vm_setup, vm_teardown),
	};
	return cmocka_run_group_tests_name("x86_64 local APIC", tests, NULL, NULL);
}
