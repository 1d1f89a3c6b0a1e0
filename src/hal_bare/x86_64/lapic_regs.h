/* SPDX-License-Identifier: MIT */
/**
 * @file lapic_regs.h
 * @brief The local APIC's registers, for lapic.c and timer.c (Intel SDM
 *        Vol. 3A 10.4.1, table 10-1; offsets in the xAPIC page).
 */
#ifndef HAL_BARE_X86_64_LAPIC_REGS_H
#define HAL_BARE_X86_64_LAPIC_REGS_H

#include <cvisor/types.h>

#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define LVT_MASKED (1u << 16)
#define LVT_TIMER_ONESHOT (0u << 17)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)

/** Reads / writes one register of this CPU's local APIC (after lapic_host_init()). */
uint32_t host_lapic_read(unsigned reg);
void host_lapic_write(unsigned reg, uint32_t v);
/** This CPU's APIC ID. */
uint32_t lapic_host_id(void);

#endif
