/* SPDX-License-Identifier: MIT */
/**
 * @file virtio_blk.c
 * @brief A virtio block device (virtio 1.2, 5.2 "Block Device") over a
 *        disk image, on the virtio-mmio transport.
 *
 * One request queue. A request is one descriptor chain (5.2.6):
 *
 *   readable  struct { le32 type; le32 reserved; le64 sector; }   16 bytes
 *   readable  data to write (VIRTIO_BLK_T_OUT)           } a multiple
 *   writable  room for data read (VIRTIO_BLK_T_IN)       } of 512 bytes
 *   writable  u8 status: VIRTIO_BLK_S_OK, _IOERR, _UNSUPP
 *
 * The buffers may be split into descriptors anywhere; the device takes
 * the readable ones as one run of bytes and the writable ones as another.
 * A request the device cannot even answer (no 16-byte header, no status
 * byte) is the driver's fault: DEVICE_NEEDS_RESET. A request it can
 * answer but not do gets VIRTIO_BLK_S_IOERR: sectors past the end of the
 * disk, a length that is not whole sectors, a write to a read-only disk
 * (all three checked first: the image is not touched), or a host read or
 * write that failed (the image may then hold part of a write, as a real
 * disk may after a failed write).
 *
 * Features offered: VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_FLUSH, and
 * VIRTIO_BLK_F_RO for a read-only disk. The configuration space holds the
 * capacity (le64, in 512-byte sectors: the image's size rounded down) and
 * seg_max; its other fields read as 0 (not offered).
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/virtio_blk.h>
#include <cvisor/virtio_mmio.h>
#include <cvisor/vm.h>

/* 5.2.3 "Feature bits". */
#define VIRTIO_BLK_F_SEG_MAX (1ULL << 2)
#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)

/* 5.2.6 request types and status values. */
enum { VIRTIO_BLK_T_IN = 0, VIRTIO_BLK_T_OUT = 1, VIRTIO_BLK_T_FLUSH = 4, VIRTIO_BLK_T_GET_ID = 8 };
enum { VIRTIO_BLK_S_OK = 0, VIRTIO_BLK_S_IOERR = 1, VIRTIO_BLK_S_UNSUPP = 2 };

#define HEADER_SIZE 16
/* The ID string GET_ID returns: at most 20 bytes, not NUL-terminated if 20 long (5.2.6). */
#define ID_BYTES 20
/* seg_max: the longest chain less the header and the status. */
#define SEG_MAX (VIRTQ_MAX_SIZE - 2)
/* Bytes copied between guest RAM and the image at a time. */
#define BOUNCE_SIZE 4096

struct vblk {
	int disk;          /* hal_disk_open() handle */
	bool read_only;
	uint64_t sectors;  /* capacity */
	uint8_t bounce[BOUNCE_SIZE];
};

/*
 * 5.2.4: capacity (le64) at offset 0, seg_max (le32) at 12: the data
 * buffers of a request, all but the header's and the status's of the
 * longest chain. Other fields are not offered: 0.
 */
static void config_read(struct virtio_mmio *t, uint64_t offset, unsigned size, uint64_t *val)
{
	const struct vblk *b = t->priv;
	uint8_t space[16] = { 0 };

	for (unsigned i = 0; i < 8; i++)
		space[i] = (uint8_t)(b->sectors >> (8 * i));
	for (unsigned i = 0; i < 4; i++)
		space[12 + i] = (uint8_t)(SEG_MAX >> (8 * i));
	*val = virtio_config_bytes(space, sizeof(space), offset, size);
}

/*
 * Copies len bytes between the image at byte pos and the chain (from the
 * writable run at offset 0 for a read, the readable run at HEADER_SIZE
 * for a write), through the bounce buffer. Returns 0 or a negative cv_err.
 */
static int transfer(struct virtio_mmio *t, struct vblk *b, uint64_t pos, uint64_t len, bool write)
{
	for (uint64_t done = 0; done < len;) {
		size_t n = (size_t)MIN(len - done, (uint64_t)BOUNCE_SIZE);
		int rc;
		if (write) {
			rc = virtq_chain_read(&t->vm->as, &t->chain, HEADER_SIZE + done, b->bounce, n);
			if (rc == 0)
				rc = hal_disk_write(b->disk, pos + done, b->bounce, n);
		} else {
			rc = hal_disk_read(b->disk, pos + done, b->bounce, n);
			if (rc == 0)
				rc = virtq_chain_write(&t->vm->as, &t->chain, done, b->bounce, n);
		}
		if (rc < 0)
			return rc;
		done += n;
	}
	return 0;
}

/* True if len bytes at sector are whole sectors inside the disk. */
static bool in_disk(const struct vblk *b, uint64_t sector, uint64_t len)
{
	uint64_t n = len / VIRTIO_BLK_SECTOR;

	return len % VIRTIO_BLK_SECTOR == 0 && sector <= b->sectors && n <= b->sectors - sector;
}

/*
 * Does the request of type at sector with data of len bytes (the data part
 * of the chain). Returns its status; *written is the data bytes written
 * into the chain.
 */
static uint8_t do_request(struct virtio_mmio *t, struct vblk *b, uint32_t type, uint64_t sector,
			  uint64_t len, uint32_t *written)
{
	*written = 0;
	if (len > UINT32_MAX - 1)
		return VIRTIO_BLK_S_IOERR; /* more than the used ring's le32 len can count */
	switch (type) {
	case VIRTIO_BLK_T_IN:
		if (!in_disk(b, sector, len))
			return VIRTIO_BLK_S_IOERR;
		if (transfer(t, b, sector * VIRTIO_BLK_SECTOR, len, false) < 0)
			return VIRTIO_BLK_S_IOERR;
		*written = (uint32_t)len;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		if (b->read_only || !in_disk(b, sector, len))
			return VIRTIO_BLK_S_IOERR;
		return transfer(t, b, sector * VIRTIO_BLK_SECTOR, len, true) < 0 ? VIRTIO_BLK_S_IOERR
										 : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		if (b->read_only)
			return VIRTIO_BLK_S_OK;
		return hal_disk_flush(b->disk) < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID: {
		char id[ID_BYTES + 1];
		cv_snprintf(id, sizeof(id), "cvisor-%s", t->vm->name);
		uint64_t n = MIN(len, (uint64_t)strlen(id));
		if (virtq_chain_write(&t->vm->as, &t->chain, 0, id, n) < 0)
			return VIRTIO_BLK_S_IOERR;
		*written = (uint32_t)n;
		return VIRTIO_BLK_S_OK;
	}
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/*
 * Serves one chain: reads its header, does the request, writes the status
 * byte (the chain's last writable byte) and returns the chain in the used
 * ring. Returns false if the driver broke a rule (the device failed).
 */
static bool serve(struct virtio_mmio *t, struct virtq *q)
{
	struct vblk *b = t->priv;
	const struct virtq_chain *c = &t->chain;
	uint8_t h[HEADER_SIZE];

	if (c->out_len < HEADER_SIZE || c->in_len < 1 ||
	    virtq_chain_read(&t->vm->as, c, 0, h, sizeof(h)) < 0) {
		virtio_mmio_fail(t, "request %u: %llu readable and %llu writable bytes, not a request",
				 c->head, (unsigned long long)c->out_len, (unsigned long long)c->in_len);
		return false;
	}
	uint32_t type = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
			(uint32_t)h[3] << 24;
	uint64_t sector = 0;
	for (unsigned i = 0; i < 8; i++)
		sector |= (uint64_t)h[8 + i] << (8 * i);
	/* The data: what follows the header (OUT), or the writable bytes before the status (IN). */
	uint64_t len = type == VIRTIO_BLK_T_OUT ? c->out_len - HEADER_SIZE : c->in_len - 1;
	uint32_t written;
	uint8_t status = do_request(t, b, type, sector, len, &written);
	if (virtq_chain_write(&t->vm->as, c, c->in_len - 1, &status, 1) < 0 ||
	    virtq_push(&t->vm->as, q, c->head, written + 1) < 0) {
		virtio_mmio_fail(t, "request %u: its status or used ring could not be written", c->head);
		return false;
	}
	return true;
}

/* QueueNotify of the request queue: serves every chain the driver made available. */
static void notify(struct virtio_mmio *t, unsigned queue)
{
	virtio_mmio_serve(t, queue, serve);
}

static void destroy(struct virtio_mmio *t)
{
	struct vblk *b = t->priv;

	if (b) {
		hal_disk_close(b->disk);
		hal_free(b);
	}
}

static const struct virtio_model blk_model = {
	.name = "virtio-blk",
	.device_id = 2,
	.nqueues = 1,
	.config_read = config_read,
	.notify = notify,
	.destroy = destroy,
};

struct device *virtio_blk_create(struct vm *vm, gpa_t base, uint64_t size)
{
	const struct cfg_emu_device *e = virtio_mmio_config_entry(vm, base);
	uint64_t bytes;

	CV_UNUSED(size);
	if (!e || !vm->cfg.disk_path.set) {
		log_error("%s: virtio-blk at 0x%llx: no disk image ([kernel] disk_path)", vm->name,
			  (unsigned long long)base);
		return NULL;
	}
	if (e->ncfg > 1 || (e->ncfg == 1 && e->cfg[0] > 1)) {
		log_error("%s: virtio-blk at 0x%llx: its config list is [0] (read-write) or [1] "
			  "(read-only)", vm->name, (unsigned long long)base);
		return NULL;
	}
	struct vblk *b = hal_zalloc(sizeof(*b));
	if (!b)
		return NULL;
	b->read_only = e->ncfg == 1 && e->cfg[0] == 1;
	b->disk = hal_disk_open(vm->cfg.disk_path.path, !b->read_only, &bytes);
	if (b->disk < 0) {
		log_error("%s: virtio-blk at 0x%llx: disk image %s: %s", vm->name,
			  (unsigned long long)base, vm->cfg.disk_path.path, cv_strerror(b->disk));
		hal_free(b);
		return NULL;
	}
	b->sectors = bytes / VIRTIO_BLK_SECTOR;
	uint64_t features =
		VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_FLUSH | (b->read_only ? VIRTIO_BLK_F_RO : 0);
	struct device *dev = virtio_mmio_create(vm, base, &blk_model, features, (unsigned)e->irq, b);
	if (!dev) {
		hal_disk_close(b->disk);
		hal_free(b);
	}
	return dev;
}
