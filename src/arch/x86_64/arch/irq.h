/* SPDX-License-Identifier: MIT */
/**
 * @file irq.h
 * @brief What the x86 interrupt code (irq.c, ioapic.c) offers the rest of
 *        the architecture and the HALs: the local APIC's register accesses,
 *        the interrupt a vCPU's APIC presents, and its acknowledgement.
 */
#ifndef ARCH_X86_64_IRQ_H
#define ARCH_X86_64_IRQ_H

#include <cvisor/exit.h>
#include <cvisor/types.h>

struct vcpu;
struct vm;

/** The I/O APIC's window on the MMIO bus (82093AA datasheet, 3.0; QEMU's q35). */
#define IOAPIC_BASE 0xfec00000ULL
#define IOAPIC_SIZE 0x20ULL
#define IOAPIC_PINS 24

/**
 * An access to the local APIC's page (an EXIT_SYSREG whose id is
 * X86_SYSREG_APIC(offset)): a read returns the register in exit->sysreg.value.
 */
void x86_apic_access(struct vcpu *vcpu, struct vcpu_exit *exit);
/** RDMSR / WRMSR of IA32_APIC_BASE. */
void x86_apic_base_msr(struct vcpu *vcpu, struct vcpu_exit *exit);
/**
 * The vector the vCPU's local APIC presents to the processor (IRR above
 * PPR), -1 if none. Whether the processor takes it (RFLAGS.IF, an
 * interrupt shadow) is the HAL's to check.
 */
int x86_irq_pending(const struct vcpu *vcpu);
/** The processor takes the vector it is presented (INTA: IRR -> ISR). Returns it, or -1. */
int x86_irq_ack(struct vcpu *vcpu);
/**
 * Sends a fixed interrupt of vector to the local APICs that destination
 * (an APIC ID, or with logical a flat logical mask) names, as an I/O APIC
 * message or IPI would; level sets TMR. Each target is notified.
 */
void x86_irq_send_fixed(struct vm *vm, uint8_t vector, uint8_t dest, bool logical, bool level);

/** @name The I/O APIC (ioapic.c) @{ */
/** Creates the VM's I/O APIC device (the platform's "ioapic" model). */
struct device *ioapic_create(struct vm *vm, gpa_t base, uint64_t size);
/** Input pin `pin` of vm's I/O APIC goes to level (a device's interrupt line). */
void ioapic_set_irq(struct vm *vm, unsigned pin, bool level);
/** A local APIC ended level-triggered vector with an EOI: remote IRR is cleared (3.2.4). */
void ioapic_eoi(struct vm *vm, uint8_t vector);
/** True if an unmasked redirection entry of vm's I/O APIC names APIC ID apic_id. */
bool ioapic_routes_to(const struct vm *vm, uint32_t apic_id);
/** @} */

#endif
