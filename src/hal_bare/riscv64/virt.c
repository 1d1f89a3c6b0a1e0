/* SPDX-License-Identifier: MIT */
/**
 * @file virt.c
 * @brief Bringing up QEMU's riscv virt machine in HS-mode: the order in
 *        which the bare HAL's pieces start (the addresses are in virt.h).
 */
#include "../hal_bare.h"
#include "hal_arch.h"
#include "virt.h"

const char bare_privilege[] = "in HS-mode";

void bare_platform_init(void)
{
	hs_mmu_on();                   /* cvisor's identity map, Sv39 (mmu.c) */
	smp_init(bare_host_dtb);       /* the harts of /cpus; this one is pcpus[0] */
	timer_init(bare_host_dtb);     /* the timebase of the `time` CSR */
	page_alloc_init(bare_host_dtb, VIRT_RAM_BASE, VIRT_RAM_SIZE); /* free RAM */
	bare_heap_init();              /* hal_zalloc() on those pages */
	guest_traps_init();            /* delegation, counters, cvisor's interrupts (vcpu.c) */
	smp_start_secondaries();       /* SBI HSM hart_start; each joins its scheduler */
	bare_state.ncpus = npcpus;
}
