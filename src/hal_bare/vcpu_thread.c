/* SPDX-License-Identifier: MIT */
/**
 * @file vcpu_thread.c
 * @brief What a vCPU is to the scheduler, the same on every architecture:
 *        a thread (sched.c) with its stack, the deadline of its next
 *        guest entry, and the HAL calls the core makes to start it, wake
 *        it, let it wait and read its clock.
 *
 * Each architecture's per-vCPU state (vcpu->hal, <arch>/vcpu.c) begins
 * with a struct bare_vcpu_base; the registers, the world switch and the
 * exits are the architecture's.
 */
#include <cvisor/hal.h>
#include <cvisor/vm.h>

#include "hal_bare.h"

int bare_vcpu_base_init(struct bare_vcpu_base *b)
{
	b->thread.stack = hal_page_alloc(THREAD_STACK_PAGES);
	if (!b->thread.stack)
		return -CV_ENOMEM;
	b->deadline = CLOCK_NEVER;
	return 0;
}

void bare_vcpu_base_free(struct bare_vcpu_base *b, const struct vcpu *vcpu)
{
	if (b->thread.cpu && b->thread.state != THREAD_DEAD)
		hal_panic("vCPU %u of %s destroyed while its thread runs", vcpu->id, vcpu->vm->name);
	hal_page_free(b->thread.stack, THREAD_STACK_PAGES);
	b->thread.stack = NULL;
}

void bare_vcpu_start(struct vcpu *vcpu, void (*body)(void *))
{
	struct bare_vcpu_base *b = vcpu->hal;
	sched_spawn(&b->thread, body, vcpu);
}

bool bare_vcpu_gone(const struct vcpu *vcpu)
{
	const struct bare_vcpu_base *b = vcpu->hal;
	return !b || !b->thread.cpu ||
	       __atomic_load_n(&b->thread.state, __ATOMIC_ACQUIRE) == THREAD_DEAD;
}

/* A stop: the vCPU leaves the guest, or stops waiting, and its run loop sees the VM stopped. */
void hal_vcpu_kick(struct vcpu *vcpu)
{
	hal_vcpu_notify(vcpu);
}

/*
 * The VM clock is the host's: AArch64 guests read the CPU's own counter
 * (CNTVOFF_EL2 0); RISC-V `time` and x86 RDTSC exit and read this.
 */
uint64_t hal_vcpu_clock_ns(const struct vcpu *vcpu)
{
	(void)vcpu;
	return hal_time_ns();
}

/* Kept for the next guest entry, which arms cvisor's timer for it (sched_timer_arm()). */
void hal_vcpu_set_deadline(struct vcpu *vcpu, uint64_t deadline)
{
	struct bare_vcpu_base *b = vcpu->hal;
	b->deadline = deadline;
}

/*
 * Wakes the vCPU's thread if it waits, or, if it runs in the guest on
 * another CPU, takes it out with a kick to that CPU (sched_wake()).
 */
void hal_vcpu_notify(struct vcpu *vcpu)
{
	struct bare_vcpu_base *b = vcpu->hal;
	if (b)
		sched_wake(&b->thread);
}

/* Gives the physical CPU to other vCPUs until a notification or the deadline. */
void hal_vcpu_wait(struct vcpu *vcpu, uint64_t deadline)
{
	struct bare_vcpu_base *b = vcpu->hal;

	if (!vm_running(vcpu->vm) || (deadline != CLOCK_NEVER && hal_time_ns() >= deadline))
		return;
	sched_block(&b->thread, deadline);
}
