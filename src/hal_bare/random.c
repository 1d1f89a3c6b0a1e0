/* SPDX-License-Identifier: MIT */
/*
 * Random bytes on the bare build, for virtio-rng devices: a xoshiro256**
 * generator (Blackman and Vigna, "Scrambled linear pseudorandom number
 * generators", 2018) whose state is seeded by splitmix64 from the time at
 * its first use, and stirred with the time of every later call. Cheap,
 * and different from run to run, but NOT random in the cryptographic
 * sense: whoever knows roughly when cvisor started can predict it. The
 * same on every architecture (no RDRAND, no RNDR, no Zkr: docs/virtio.md).
 */
#include <cvisor/hal.h>

#include "lock.h"

static struct spinlock random_lock;
static uint64_t state[4];
static bool seeded;

/* splitmix64: one step of a Weyl sequence, mixed; spreads a seed over the state. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, unsigned k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: the next 64 bits. */
static uint64_t next(void)
{
	uint64_t result = rotl(state[1] * 5, 7) * 9;
	uint64_t t = state[1] << 17;

	state[2] ^= state[0];
	state[3] ^= state[1];
	state[1] ^= state[2];
	state[0] ^= state[3];
	state[2] ^= t;
	state[3] = rotl(state[3], 45);
	return result;
}

/* Mixes the time into the state (seeding it the first time). */
static void stir(void)
{
	uint64_t seed = hal_time_ns();

	if (!seeded) {
		for (unsigned i = 0; i < 4; i++)
			state[i] = splitmix64(&seed);
		seeded = true;
		return;
	}
	state[0] ^= splitmix64(&seed);
}

int hal_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	spin_lock(&random_lock);
	stir();
	while (len > 0) {
		uint64_t r = next();
		for (unsigned i = 0; i < 8 && len > 0; i++, len--)
			*p++ = (unsigned char)(r >> (8 * i));
	}
	spin_unlock(&random_lock);
	return 0;
}
