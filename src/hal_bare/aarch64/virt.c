/* SPDX-License-Identifier: MIT */
/**
 * @file virt.c
 * @brief Bringing up QEMU's virt machine at EL2: the order in which the
 *        bare HAL's pieces start (the addresses are in virt.h).
 */
#include "../hal_bare.h"
#include "hal_arch.h"
#include "virt.h"

const char bare_privilege[] = "at EL2";

void bare_platform_init(void)
{
	el2_mmu_on();                                 /* cvisor's identity map at EL2 (mmu.c) */
	smp_init((const void *)VIRT_HOST_DTB);        /* the CPUs of /cpus; this one is pcpus[0] */
	page_alloc_init((const void *)VIRT_HOST_DTB, VIRT_RAM_BASE, VIRT_RAM_SIZE); /* free RAM */
	bare_heap_init();                             /* hal_zalloc() on those pages */
	guest_traps_init();                           /* what EL2 traps of every guest (vcpu.c) */
	gic_dist_init();                              /* the GICv3's distributor, once */
	gic_cpu_init(&pcpus[0]);                      /* this CPU's timer and kick SGI reach EL2 */
	smp_start_secondaries();                      /* PSCI CPU_ON; each joins its scheduler */
	bare_state.ncpus = npcpus;
}
