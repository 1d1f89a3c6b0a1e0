/* SPDX-License-Identifier: MIT */
/*
 * Disk images for the simulator: a handle is a host file descriptor, and
 * every access is one pread()/pwrite() at the offset the device asks for,
 * so a device's requests never move a shared file position. libc only:
 * the unit tests link this file too.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cvisor/hal.h>

int hal_disk_open(const char *path, bool writable, uint64_t *size)
{
	struct stat st;
	int fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? -CV_ENOENT : errno == EACCES || errno == EROFS ? -CV_EPERM : -CV_EIO;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -CV_EINVAL;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

int hal_disk_read(int disk, uint64_t offset, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = pread(disk, p, len, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -CV_EIO;
		p += n;
		offset += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int hal_disk_write(int disk, uint64_t offset, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(disk, p, len, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -CV_EIO;
		p += n;
		offset += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int hal_disk_flush(int disk)
{
	return fsync(disk) == 0 ? 0 : -CV_EIO;
}

void hal_disk_close(int disk)
{
	close(disk);
}
