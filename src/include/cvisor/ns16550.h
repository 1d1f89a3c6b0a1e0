/* SPDX-License-Identifier: MIT */
/**
 * @file ns16550.h
 * @brief Emulation of the 16550A UART (the "ns16550a" of QEMU's RISC-V
 *        virt machine, and COM1 at I/O port 0x3f8 on a PC).
 */
#ifndef CVISOR_NS16550_H
#define CVISOR_NS16550_H

#include "devbus.h"

/** Size of the register window on the MMIO bus (QEMU virt maps 0x100). */
#define NS16550_SIZE 0x100

/**
 * Creates a 16550A for vm in the window [base, base+size) (registers one
 * byte apart, 8 of them; the rest of a larger window reads as zero).
 * Its output goes to hal_console_write().
 */
struct device *ns16550_create(struct vm *vm, gpa_t base, uint64_t size);

#endif
