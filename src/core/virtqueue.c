/* SPDX-License-Identifier: MIT */
/**
 * @file virtqueue.c
 * @brief Split virtqueues (virtio 1.2, 2.7), device side.
 *
 * The rings are guest memory that the driver may change at any time, and
 * may fill with anything: each value is read once, through the
 * address-space API, and checked before it is used (virtqueue.h). The
 * rings are little-endian (2.7: "le16", "le32", "le64"); values are
 * assembled from bytes so the host's byte order does not matter.
 */
#include <cvisor/lib.h>
#include <cvisor/virtqueue.h>

/* Offsets in the rings (2.7.5, 2.7.6, 2.7.8). */
#define DESC_SIZE 16
#define AVAIL_IDX 2
#define AVAIL_RING 4
#define USED_IDX 2
#define USED_RING 4
#define USED_ELEM 8

const char *virtq_error_name(enum virtq_error e)
{
	static const char *const names[] = {
		"no error",
		"a ring is not in RAM",
		"the available index is more than the queue size ahead",
		"a descriptor index is not below the queue size",
		"a chain longer than the queue (a descriptor loop)",
		"an indirect descriptor not offered, nested, chained or of a wrong length",
		"a buffer outside RAM or in a device window",
		"a device-readable buffer after a device-writable one",
	};
	return (unsigned)e < ARRAY_SIZE(names) ? names[e] : "?";
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* True if [gpa, gpa+len) lies in one RAM region: not a device, not outside the VM. */
static bool in_ram(const struct addrspace *as, gpa_t gpa, uint64_t len)
{
	const struct as_region *r = addrspace_find(as, gpa);

	return r && r->kind == REGION_RAM && len <= r->size - (gpa - r->base);
}

/* 2.7 "Virtqueue Alignment" and sizes, for queue size N. */
enum virtq_error virtq_check_rings(const struct addrspace *as, const struct virtq *q)
{
	uint64_t n = q->num;

	if ((q->desc & 15) || !in_ram(as, q->desc, DESC_SIZE * n))
		return VIRTQ_E_RING;
	if ((q->avail & 1) || !in_ram(as, q->avail, 6 + 2 * n))
		return VIRTQ_E_RING;
	if ((q->used & 3) || !in_ram(as, q->used, 6 + USED_ELEM * n))
		return VIRTQ_E_RING;
	return VIRTQ_OK;
}

/* Reads a ring field of n bytes; the rings were checked at QueueReady. */
static int ring_read(const struct addrspace *as, gpa_t gpa, unsigned n, uint64_t *v)
{
	uint8_t b[8];
	int rc = addrspace_read(as, gpa, b, n);

	*v = rc == 0 ? le(b, n) : 0;
	return rc;
}

bool virtq_no_interrupt(const struct addrspace *as, const struct virtq *q)
{
	uint64_t flags;

	return ring_read(as, q->avail, 2, &flags) == 0 && (flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* Adds descriptor buffer [addr, addr+len) to c, readable or writable. */
static enum virtq_error add_buf(const struct addrspace *as, struct virtq_chain *c, uint64_t addr,
				uint32_t len, bool writable)
{
	if (!in_ram(as, addr, len))
		return VIRTQ_E_BUFFER;
	if (writable) {
		c->in[c->nin++] = (struct virtq_buf){ addr, len };
		c->in_len += len;
	} else {
		if (c->nin)
			return VIRTQ_E_ORDER;
		c->out[c->nout++] = (struct virtq_buf){ addr, len };
		c->out_len += len;
	}
	return VIRTQ_OK;
}

/*
 * Follows the chain at head (2.7.5), through at most one indirect table
 * (2.7.5.3) if q allows them: an indirect descriptor ends the chain of
 * the ring's table (it may not have NEXT) and holds the rest, indexed
 * within itself, with no indirect descriptor of its own. Each index must
 * be below its table's size; a chain of more than q->num buffers (2.7.5.3.1:
 * no longer than the queue size) is refused, which also ends a loop.
 */
static enum virtq_error walk_chain(const struct addrspace *as, const struct virtq *q,
				   uint16_t head, struct virtq_chain *c)
{
	gpa_t table = q->desc;      /* the table being followed */
	uint64_t size = q->num;     /* its descriptors */
	bool indirect = false;      /* it is an indirect table */
	uint64_t i = head;

	c->head = head;
	c->nout = c->nin = 0;
	c->out_len = c->in_len = 0;
	for (unsigned count = 0;; count++) {
		uint8_t d[DESC_SIZE];
		if (i >= size)
			return VIRTQ_E_INDEX;
		if (count == q->num + (indirect ? 1u : 0u))
			return VIRTQ_E_LOOP;
		if (addrspace_read(as, table + (uint64_t)DESC_SIZE * i, d, sizeof(d)) < 0)
			return VIRTQ_E_RING;
		uint64_t addr = le(d, 8);
		uint32_t len = (uint32_t)le(d + 8, 4);
		uint16_t flags = (uint16_t)le(d + 12, 2);
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			if (!q->indirect || indirect || (flags & VIRTQ_DESC_F_NEXT) || len == 0 ||
			    len % DESC_SIZE)
				return VIRTQ_E_INDIRECT;
			if (!in_ram(as, addr, len))
				return VIRTQ_E_BUFFER;
			table = addr;
			size = len / DESC_SIZE;
			indirect = true;
			i = 0;
			continue;
		}
		enum virtq_error e = add_buf(as, c, addr, len, flags & VIRTQ_DESC_F_WRITE);
		if (e != VIRTQ_OK)
			return e;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return VIRTQ_OK;
		i = le(d + 14, 2);
	}
}

int virtq_pop(const struct addrspace *as, struct virtq *q, struct virtq_chain *c)
{
	uint64_t idx, head;

	if (ring_read(as, q->avail + AVAIL_IDX, 2, &idx) < 0)
		return -VIRTQ_E_RING;
	uint16_t pending = (uint16_t)(idx - q->last_avail);
	if (pending == 0)
		return 0;
	if (pending > q->num)
		return -VIRTQ_E_AVAIL_IDX;
	/* The ring entry and the descriptors are read after idx (2.7.13.3.1's barrier, device side). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	gpa_t slot = q->avail + AVAIL_RING + 2u * (q->last_avail & (q->num - 1u));
	if (ring_read(as, slot, 2, &head) < 0)
		return -VIRTQ_E_RING;
	enum virtq_error e = walk_chain(as, q, (uint16_t)head, c);
	if (e != VIRTQ_OK)
		return -(int)e;
	q->last_avail++;
	return 1;
}

int virtq_push(struct addrspace *as, struct virtq *q, uint16_t head, uint32_t written)
{
	uint8_t elem[USED_ELEM], idx[2];
	gpa_t slot = q->used + USED_RING + (uint64_t)USED_ELEM * (q->used_idx & (q->num - 1u));

	put_le(elem, head, 4);
	put_le(elem + 4, written, 4);
	if (addrspace_write(as, slot, elem, sizeof(elem)) < 0)
		return -CV_EFAULT;
	/* The element before the index that publishes it (2.7.8.2). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->used_idx++;
	put_le(idx, q->used_idx, 2);
	return addrspace_write(as, q->used + USED_IDX, idx, sizeof(idx)) < 0 ? -CV_EFAULT : 0;
}

/* Copies between buf and the run of bytes the buffers bufs[0..n) make, from offset. */
static int chain_copy(struct addrspace *as, const struct virtq_buf *bufs, unsigned n,
		      uint64_t offset, uint8_t *buf, uint64_t len, bool to_guest)
{
	for (unsigned i = 0; i < n && len > 0; i++) {
		if (offset >= bufs[i].len) {
			offset -= bufs[i].len;
			continue;
		}
		uint64_t k = MIN(len, bufs[i].len - offset);
		int rc = to_guest ? addrspace_write(as, bufs[i].addr + offset, buf, k)
				  : addrspace_read(as, bufs[i].addr + offset, buf, k);
		if (rc < 0)
			return rc;
		buf += k;
		len -= k;
		offset = 0;
	}
	return len ? -CV_ERANGE : 0;
}

int virtq_chain_read(const struct addrspace *as, const struct virtq_chain *c, uint64_t offset,
		     void *buf, uint64_t len)
{
	return chain_copy((struct addrspace *)as, c->out, c->nout, offset, buf, len, false);
}

int virtq_chain_write(struct addrspace *as, const struct virtq_chain *c, uint64_t offset,
		      const void *buf, uint64_t len)
{
	return chain_copy(as, c->in, c->nin, offset, (uint8_t *)buf, len, true);
}
