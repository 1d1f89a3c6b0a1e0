/* SPDX-License-Identifier: MIT */
/**
 * @file fdt.h
 * @brief The device tree cvisor generates for a guest.
 */
#ifndef CVISOR_FDT_H
#define CVISOR_FDT_H

#include "types.h"

struct vm;

/**
 * Builds the guest's flattened device tree into buf (size bytes): memory
 * nodes from the VM's RAM regions, cpus, the emulated devices, the
 * hypercall/firmware interface, /chosen (bootargs, stdout-path, initrd).
 * The architecture adds its own nodes through fdt_arch_add_nodes().
 * Returns the blob's size, or a negative cv_err.
 */
int fdt_build(const struct vm *vm, void *buf, size_t size);

/* ---- Architecture hook (src/arch/<arch>/fdt.c) ---- */
/** Adds the architecture's nodes (cpus, psci, ...) to the tree being built with libfdt's sequential-write API. */
int fdt_arch_add_nodes(const struct vm *vm, void *fdt);
/**
 * Begins /cpus as the Devicetree Specification (3.7 "/cpus Node") has it:
 * one address cell (the CPU id), no size cells. The caller adds `cpu@N`
 * nodes and ends it. For the architectures' fdt_arch_add_nodes().
 */
int fdt_begin_cpus(void *fdt);

#endif
