/* SPDX-License-Identifier: MIT */
/**
 * @file pl011.h
 * @brief Emulation of the Arm PrimeCell UART (PL011), r1p5.
 */
#ifndef CVISOR_PL011_H
#define CVISOR_PL011_H

#include "devbus.h"

/** Size of the PL011 register window. */
#define PL011_SIZE 0x1000

/**
 * Creates a PL011 at base for vm. Its output goes to hal_console_write(),
 * its input comes from hal_console_getc(), its interrupt output UARTINTR
 * drives line irq of the VM's interrupt controller (vm_irq_set(); 0: not
 * connected). NULL if out of memory.
 */
struct device *pl011_create(struct vm *vm, gpa_t base, unsigned irq);

#endif
