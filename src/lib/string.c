/* SPDX-License-Identifier: MIT */
/*
 * String helpers every build has, with or without a C library: a bounded
 * copy and the names of cvisor's error codes.
 */
#include <cvisor/lib.h>

int cv_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t cv_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

const char *cv_strerror(int err)
{
	static const char *const names[] = {
		[CV_OK] = "success",
		[CV_ENOMEM] = "out of memory",
		[CV_EINVAL] = "invalid argument",
		[CV_ENOENT] = "not found",
		[CV_ERANGE] = "out of range",
		[CV_EOVERLAP] = "overlaps an existing region",
		[CV_EFAULT] = "address not mapped",
		[CV_EPERM] = "access not permitted",
		[CV_EIO] = "I/O error",
		[CV_ENOTSUP] = "not supported",
		[CV_EPARSE] = "malformed input",
		[CV_EBUSY] = "busy",
		[CV_EEXIST] = "already exists",
		[CV_ENOSYS] = "not implemented (a lab's stub)",
	};
	if (err < 0)
		err = -err;
	if ((size_t)err >= ARRAY_SIZE(names) || !names[err])
		return "unknown error";
	return names[err];
}
