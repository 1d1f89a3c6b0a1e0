/* SPDX-License-Identifier: MIT */
/**
 * @file plic.h
 * @brief Emulation of the RISC-V Platform-Level Interrupt Controller
 *        (RISC-V PLIC Specification 1.0.0), in the layout of QEMU's virt
 *        machine and of Linux's "sifive,plic-1.0.0" / "riscv,plic0"
 *        driver.
 *
 * Register map (offsets from the base, all 32-bit registers):
 *
 *   0x000000 + 4*id           priority of source id (0 = never interrupts)
 *   0x001000 + 4*(id/32)      pending bits, read-only
 *   0x002000 + 0x80*c + 4*w   enable bits of context c, sources 32w..32w+31
 *   0x200000 + 0x1000*c       priority threshold of context c
 *   0x200004 + 0x1000*c       claim (read) / complete (write) of context c
 *
 * A context is one interrupt target (a hart's privilege level). Which
 * contexts exist and what each is wired to is the platform's business:
 * the PLIC tells it, through plic_config.line, when the interrupt line of
 * context c goes up or down (plic_context_pending() says where it is).
 */
#ifndef CVISOR_PLIC_H
#define CVISOR_PLIC_H

#include "devbus.h"

struct vm;
struct plic;

/** Bytes of the register window (QEMU virt's VIRT_PLIC size for 8 harts' contexts and more). */
#define PLIC_SIZE 0x600000
/**
 * Interrupt sources, counting the reserved source 0: ids 1..96, as QEMU
 * virt's (its device tree's riscv,ndev is 96).
 */
#define PLIC_NSOURCES 97
/** The highest priority a source can have (3 bits, as on QEMU virt). */
#define PLIC_MAX_PRIORITY 7
/** Contexts the register window has room for: (0x600000 - 0x200000) / 0x1000. */
#define PLIC_MAX_CONTEXTS 1024

/** What the platform decides about a PLIC. */
struct plic_config {
	unsigned ncontexts; /**< contexts 0..ncontexts-1 (at most PLIC_MAX_CONTEXTS) */
	/**
	 * Called, with the PLIC's lock held, when context ctx's interrupt
	 * line changes to level (after a source was raised or lowered, a
	 * claim, a complete, an enable, priority or threshold written). It
	 * must not call back into the PLIC. May be NULL.
	 */
	void (*line)(struct vm *vm, unsigned ctx, bool level);
};

/**
 * Creates a PLIC for vm in the window [base, base+size) with the
 * platform's choices cfg. Returns the device, or NULL when out of memory
 * or when cfg asks for more contexts than the window holds.
 */
struct device *plic_create(struct vm *vm, gpa_t base, uint64_t size, const struct plic_config *cfg);
/** The PLIC model behind a device made by plic_create(), or NULL for any other device. */
struct plic *plic_of(const struct device *dev);
/**
 * Sets the level of interrupt source id (a level-triggered wire from a
 * device, as QEMU virt's UART): a high level makes the source pending
 * unless it is claimed and not yet completed (the gateway, PLIC spec
 * "Interrupt Gateways"). Any thread.
 */
void plic_set_level(struct plic *p, unsigned id, bool level);
/**
 * True if context ctx has an interrupt to take: a source pending, not
 * claimed, enabled for ctx, with a priority above ctx's threshold (the
 * context's external interrupt line, PLIC spec "Interrupt Notifications").
 */
bool plic_context_pending(struct plic *p, unsigned ctx);
/**
 * True if some source is enabled for ctx with a priority above its
 * threshold: an interrupt could reach ctx if the source raised it.
 */
bool plic_context_possible(struct plic *p, unsigned ctx);

#endif
