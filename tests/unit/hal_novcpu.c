/* SPDX-License-Identifier: MIT */
/*
 * The HAL functions every test program without a CPU shares (the unit
 * tests' hal_stub.c and the fuzz targets' hal_fuzz.c add guest pages and
 * the console): small allocations from the C library, a host pointer is
 * its own host physical address, time stands still, no vCPU ever runs,
 * and a panic aborts with its message, so a test or a fuzzer sees it as a
 * crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvisor/hal.h>

void *hal_zalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void hal_free(void *p)
{
	free(p);
}

hpa_t hal_hva_to_hpa(const void *p)
{
	return (hpa_t)(uintptr_t)p;
}

void *hal_hpa_to_hva(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}

uint64_t hal_time_ns(void)
{
	return 0;
}

void hal_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "cvisor: panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

int hal_vcpu_init(struct vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

void hal_vcpu_destroy(struct vcpu *vcpu)
{
	(void)vcpu;
}

int hal_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	(void)vcpu;
	memset(exit, 0, sizeof(*exit));
	return -CV_ENOTSUP;
}

void hal_vcpu_kick(struct vcpu *vcpu)
{
	(void)vcpu;
}

uint64_t hal_vcpu_clock_ns(const struct vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

void hal_vcpu_set_deadline(struct vcpu *vcpu, uint64_t deadline)
{
	(void)vcpu;
	(void)deadline;
}

void hal_vcpu_notify(struct vcpu *vcpu)
{
	(void)vcpu;
}

void hal_vcpu_wait(struct vcpu *vcpu, uint64_t deadline)
{
	(void)vcpu;
	(void)deadline;
}
