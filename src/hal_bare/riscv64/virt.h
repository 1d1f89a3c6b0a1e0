/* SPDX-License-Identifier: MIT */
/**
 * @file virt.h
 * @brief Where things are on QEMU's riscv virt machine, as cvisor uses
 *        them (xv6's memlayout.h; QEMU's hw/riscv/virt.c memory map).
 *
 *   0x0010_0000  the test finisher (sifive,test1): a write ends QEMU (power.c)
 *   0x0200_0000  CLINT (M-mode's timer and software interrupts: OpenSBI's)
 *   0x0c00_0000  PLIC
 *   0x1000_0000  ns16550a UART: the host console
 *   0x8000_0000  RAM; OpenSBI (M-mode firmware) at its start, in a region its
 *                PMP keeps from S-mode (512 KiB with QEMU 7.2's OpenSBI 1.1,
 *                which lists it under the host device tree's /reserved-memory)
 *   0x8020_0000  cvisor's image (link.ld), OpenSBI's next stage; then free RAM
 *   0xbfe0_0000  (with -m 1G) the host device tree: QEMU puts it in the last
 *                2 MiB-aligned space of RAM below 3 GiB; OpenSBI passes its
 *                address in a1 (boot.S). Its pages (the header's totalsize:
 *                0x149e bytes with -smp 1) are not free memory.
 *
 * The RAM's size comes from the device tree's /memory node. Everything
 * below RAM is mapped without execute permission in cvisor's Sv39 map
 * (mmu.c).
 */
#ifndef HAL_BARE_RISCV64_VIRT_H
#define HAL_BARE_RISCV64_VIRT_H

#define VIRT_TEST 0x00100000UL
#define VIRT_PLIC 0x0c000000UL
#define VIRT_UART 0x10000000UL
/** RAM assumed when the device tree has no /memory node. */
#define VIRT_RAM_BASE 0x80000000ULL
#define VIRT_RAM_SIZE 0x8000000ULL /* 128 MiB, QEMU's default */
/** Where OpenSBI's fw_dynamic starts the next stage: cvisor's image. */
#define VIRT_IMAGE_BASE 0x80200000ULL
/** The `time` CSR's rate when /cpus has no timebase-frequency: virt's 10 MHz. */
#define VIRT_TIMEBASE_HZ 10000000ULL

#endif
