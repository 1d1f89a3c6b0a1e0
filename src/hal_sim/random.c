/* SPDX-License-Identifier: MIT */
/*
 * Random bytes for the simulator's virtio-rng devices: the host kernel's
 * (getrandom(2), the same pool /dev/urandom reads). libc only: the unit
 * tests link this file too.
 */
#include <errno.h>
#include <sys/random.h>

#include <cvisor/hal.h>

int hal_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -CV_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
