/* SPDX-License-Identifier: MIT */
/*
 * Disk images on the bare build: not supported yet. The bare image holds
 * only what `cvisor embed` put into it (kernels, device trees, ramdisks),
 * and no file system to open a disk image from, so a VM with a virtio-blk
 * device is refused when it is created, with this reason in the log.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>

int hal_disk_open(const char *path, bool writable, uint64_t *size)
{
	CV_UNUSED(path);
	CV_UNUSED(writable);
	*size = 0;
	return -CV_ENOTSUP;
}

int hal_disk_read(int disk, uint64_t offset, void *buf, size_t len)
{
	CV_UNUSED(disk);
	CV_UNUSED(offset);
	CV_UNUSED(buf);
	CV_UNUSED(len);
	return -CV_EIO;
}

int hal_disk_write(int disk, uint64_t offset, const void *buf, size_t len)
{
	CV_UNUSED(disk);
	CV_UNUSED(offset);
	CV_UNUSED(buf);
	CV_UNUSED(len);
	return -CV_EIO;
}

int hal_disk_flush(int disk)
{
	CV_UNUSED(disk);
	return -CV_EIO;
}

void hal_disk_close(int disk)
{
	CV_UNUSED(disk);
}
