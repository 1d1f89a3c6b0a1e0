/* SPDX-License-Identifier: MIT */
/*
 * Disk images on the bare build. The machine has no file system to open a
 * disk image from, so `cvisor embed` puts each VM's [kernel] disk_path
 * into the hypervisor image next to its kernel, with the path as the
 * config resolves it (struct bare_vm_entry), and hal_disk_open() finds
 * the image by that path.
 *
 * A read-only disk is read straight from the embedded bytes. A writable
 * one is copied into cvisor's memory when it is first opened, and reads
 * and writes go to the copy: its writes last while a VM has it open, and
 * are gone when the last VM closes it (like a RAM disk; nothing is
 * written back to the image file on the build machine). VMs that name the
 * same path share one copy, as processes share one file.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>

#include "hal_bare.h"
#include "lock.h"

/* Disks open at once: a handle is an index into disks[]. */
#define MAX_DISKS 16

struct disk {
	const struct bare_image *image; /* the embedded image (NULL: slot free) */
	uint8_t *copy;                  /* the writable copy, or NULL while only read */
	uint64_t size;
	unsigned opens;                 /* hal_disk_open() calls not yet closed */
};
static struct disk disks[MAX_DISKS];
/* Opens and closes come from the boot CPU's VM creation and from ending VMs' threads. */
static struct spinlock disks_lock;

/* The embedded image whose path is path, or NULL. */
static const struct bare_image *find_image(const char *path)
{
	for (uint64_t i = 0; i < bare_nvms; i++) {
		const struct bare_vm_entry *e = &bare_vms[i];
		if (e->disk_path && e->disk_path[0] && strcmp(e->disk_path, path) == 0)
			return &e->disk;
	}
	return NULL;
}

int hal_disk_open(const char *path, bool writable, uint64_t *size)
{
	const struct bare_image *image = find_image(path);
	int rc = -CV_ENOMEM;

	*size = 0;
	if (!image)
		return -CV_ENOENT; /* not built into this image */
	spin_lock(&disks_lock);
	int free_slot = -1, found = -1;
	for (int i = 0; i < MAX_DISKS; i++) {
		if (disks[i].image == image)
			found = i;
		else if (!disks[i].image && free_slot < 0)
			free_slot = i;
	}
	int d = found >= 0 ? found : free_slot;
	if (d < 0)
		goto out;
	struct disk *k = &disks[d];
	if (found < 0) {
		k->image = image;
		k->size = image->len;
		k->copy = NULL;
		k->opens = 0;
	}
	if (writable && !k->copy && k->size > 0) {
		/* The first writer: from now on every handle reads the copy. */
		k->copy = hal_zalloc(k->size);
		if (!k->copy) {
			if (k->opens == 0)
				k->image = NULL;
			goto out;
		}
		memcpy(k->copy, image->data, k->size);
	}
	k->opens++;
	*size = k->size;
	rc = d;
out:
	spin_unlock(&disks_lock);
	return rc;
}

/* The open disk of handle d, or NULL. */
static struct disk *disk_of(int d)
{
	return d >= 0 && d < MAX_DISKS && disks[d].image ? &disks[d] : NULL;
}

/* True if len bytes at offset lie inside k. */
static bool inside(const struct disk *k, uint64_t offset, size_t len)
{
	return offset <= k->size && len <= k->size - offset;
}

int hal_disk_read(int disk, uint64_t offset, void *buf, size_t len)
{
	const struct disk *k = disk_of(disk);

	if (!k || !inside(k, offset, len))
		return -CV_EIO; /* as a short read of a file */
	const uint8_t *bytes = k->copy ? k->copy : k->image->data;
	memcpy(buf, bytes + offset, len);
	return 0;
}

int hal_disk_write(int disk, uint64_t offset, const void *buf, size_t len)
{
	struct disk *k = disk_of(disk);

	/* A disk opened read-only by every VM has no copy: the device refuses its writes first. */
	if (!k || !k->copy || !inside(k, offset, len))
		return -CV_EIO;
	memcpy(k->copy + offset, buf, len);
	return 0;
}

int hal_disk_flush(int disk)
{
	return disk_of(disk) ? 0 : -CV_EIO; /* memory: nothing to wait for */
}

void hal_disk_close(int disk)
{
	spin_lock(&disks_lock);
	struct disk *k = disk_of(disk);
	if (k && --k->opens == 0) {
		hal_free(k->copy);
		k->copy = NULL;
		k->image = NULL;
	}
	spin_unlock(&disks_lock);
}
