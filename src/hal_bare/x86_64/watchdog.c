/* SPDX-License-Identifier: MIT */
/**
 * @file watchdog.c
 * @brief What cvisor's tick looks for in a guest that never exits.
 *
 * On x86_64 every exception a guest raises but its own page faults exits
 * (vcpu.c's exception bitmap), so an exception storm is seen exit by exit,
 * as in the simulator; the tick has nothing more to look for. (The time
 * limit, MAX_SECONDS=N, is per VM: main.c's bare_time_limits().)
 */
#include <cvisor/vm.h>

#include "../hal_bare.h"
#include "hal_arch.h"

void watchdog_tick(struct vcpu *vcpu, struct watchdog *w)
{
	(void)vcpu;
	w->storm_ticks = 0;
}
