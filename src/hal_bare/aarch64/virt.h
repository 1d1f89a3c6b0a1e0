/* SPDX-License-Identifier: MIT */
/**
 * @file virt.h
 * @brief Where things are on QEMU's virt machine, as cvisor uses them
 *        (xv6's memlayout.h).
 *
 *   0x0800_0000  GICv3 distributor (GICD)
 *   0x080a_0000  GICv3 redistributor of CPU 0 (GICR: RD_base, then SGI_base)
 *   0x0900_0000  PL011 UART: the host console
 *   0x4000_0000  RAM; QEMU puts its device tree here for a bare ELF image
 *   0x4020_0000  cvisor's image (link.ld), then free RAM
 *
 * The RAM's size comes from the device tree (page_alloc.c). Everything
 * below 1 GiB is mapped as Device memory at EL2 (mmu.c).
 */
#ifndef HAL_BARE_AARCH64_VIRT_H
#define HAL_BARE_AARCH64_VIRT_H

#define VIRT_GICD 0x08000000UL
#define VIRT_GICR 0x080a0000UL
#define VIRT_UART 0x09000000UL
/** The host device tree, at the start of RAM. */
#define VIRT_HOST_DTB 0x40000000UL
/** RAM assumed when the device tree has no /memory node. */
#define VIRT_RAM_BASE 0x40000000ULL
#define VIRT_RAM_SIZE 0x8000000ULL /* 128 MiB, QEMU's default */
/** The EL2 physical timer's interrupt (CNTHP): PPI 26 on virt (as SBSA recommends). */
#define VIRT_INTID_HYP_TIMER 26
/** The EL1 virtual timer's interrupt (CNTV): PPI 27. */
#define VIRT_INTID_VTIMER 27
/** The GIC's virtual interface maintenance interrupt: PPI 25 (QEMU virt's ARCH_GIC_MAINT_IRQ). */
#define VIRT_INTID_MAINT 25

#endif
