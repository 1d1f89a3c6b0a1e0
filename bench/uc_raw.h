/* SPDX-License-Identifier: MIT */
/*
 * What the minimal Unicorn programs of bench/ share: a clock and reading
 * the guest image named on the command line.
 */
#ifndef BENCH_UC_RAW_H
#define BENCH_UC_RAW_H

#include <stdio.h>
#include <time.h>

static inline double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads argv[1] into buf. Returns its length, or -1 with a message (usage or I/O). */
static inline long read_image(int argc, char **argv, char *buf, size_t size)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s IMAGE.bin\n", argv[0]);
		return -1;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return -1;
	}
	size_t len = fread(buf, 1, size, f);
	fclose(f);
	return (long)len;
}

#endif
