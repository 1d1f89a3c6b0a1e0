/* SPDX-License-Identifier: MIT */
/**
 * @file vswitch.c
 * @brief A learning Ethernet switch between the virtio-net devices of one
 *        run (vswitch.h, docs/virtio.md).
 *
 * An Ethernet frame as the switch sees it (IEEE 802.3 without preamble
 * and FCS, as virtio-net carries it, 5.1.6):
 *
 *   bytes 0..5   destination address   bit 0 of byte 0 set: a group address
 *                                      (multicast; ff:ff:ff:ff:ff:ff broadcast)
 *   bytes 6..11  source address        where the switch learns the sender
 *   bytes 12..13 EtherType or length
 *   bytes 14..   payload, up to 1500 bytes
 *
 * The switch, for a frame from port P to destination D:
 *   D is a group address, or not learned  every port but P  (flooding)
 *   D was last seen as a source on Q != P  Q only
 *   D was last seen as a source on P       nobody (it is on the sender's side)
 *
 * One spin lock guards the ports, their mailboxes and the table of
 * addresses. Wake callbacks run after it is released; a port being
 * removed waits until the senders that chose it have woken it.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vswitch.h>

struct frame {
	uint16_t len;
	uint8_t data[VSWITCH_FRAME_MAX];
};

struct vswitch_port {
	uint8_t mac[VSWITCH_MAC_LEN]; /* its device's address (unique among the ports) */
	void (*wake)(void *ctx);
	void *ctx;
	unsigned waking;             /* senders that chose it and have not yet woken it */
	unsigned head;               /* the oldest frame of box */
	unsigned count;              /* frames in box */
	struct vswitch_stats stats;
	struct frame box[VSWITCH_MAILBOX];
};

/* A learned address: frames for mac go to port. */
struct learned {
	uint8_t mac[VSWITCH_MAC_LEN];
	struct vswitch_port *port;
};

static struct {
	bool busy; /* the switch's lock */
	struct vswitch_port *ports[VSWITCH_MAX_PORTS];
	struct learned macs[VSWITCH_MAX_MACS];
	unsigned nmacs; /* entries of macs used */
	unsigned next;  /* the entry a new address replaces once macs is full */
} sw;

static void sw_lock(void)
{
	while (__atomic_test_and_set(&sw.busy, __ATOMIC_ACQUIRE))
		;
}

static void sw_unlock(void)
{
	__atomic_clear(&sw.busy, __ATOMIC_RELEASE);
}

/* A group (multicast or broadcast) address: the I/G bit, bit 0 of the first byte. */
static bool group_address(const uint8_t *mac)
{
	return mac[0] & 1;
}

static bool same_mac(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, VSWITCH_MAC_LEN) == 0;
}

/* The entry of macs for mac, or NULL. The lock is held. */
static struct learned *find_mac(const uint8_t *mac)
{
	for (unsigned i = 0; i < sw.nmacs; i++)
		if (same_mac(sw.macs[i].mac, mac))
			return &sw.macs[i];
	return NULL;
}

/*
 * Learns that mac is reached through port p: a new entry, or one that
 * moves (a device seen on another port). A group address is never a
 * sender's. The lock is held.
 */
static void learn(struct vswitch_port *p, const uint8_t *mac)
{
	if (group_address(mac))
		return;
	struct learned *l = find_mac(mac);
	if (!l) {
		if (sw.nmacs < VSWITCH_MAX_MACS) {
			l = &sw.macs[sw.nmacs++];
		} else {
			l = &sw.macs[sw.next];
			sw.next = (sw.next + 1) % VSWITCH_MAX_MACS;
		}
		memcpy(l->mac, mac, VSWITCH_MAC_LEN);
	}
	l->port = p;
}

struct vswitch_port *vswitch_port_add(const uint8_t mac[VSWITCH_MAC_LEN], void (*wake)(void *ctx),
				      void *ctx)
{
	struct vswitch_port *p = hal_zalloc(sizeof(*p));
	unsigned slot = VSWITCH_MAX_PORTS;

	if (!p)
		return NULL;
	memcpy(p->mac, mac, VSWITCH_MAC_LEN);
	p->wake = wake;
	p->ctx = ctx;
	sw_lock();
	for (unsigned i = 0; i < VSWITCH_MAX_PORTS; i++) {
		if (sw.ports[i] && same_mac(sw.ports[i]->mac, mac)) {
			slot = VSWITCH_MAX_PORTS + 1;
			break;
		}
		if (!sw.ports[i] && slot == VSWITCH_MAX_PORTS)
			slot = i;
	}
	if (slot < VSWITCH_MAX_PORTS)
		sw.ports[slot] = p;
	sw_unlock();
	if (slot >= VSWITCH_MAX_PORTS) {
		log_error("virtual switch: %s %02x:%02x:%02x:%02x:%02x:%02x",
			  slot == VSWITCH_MAX_PORTS ? "no free port (16 at most) for"
						    : "another device already has the address",
			  mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		hal_free(p);
		return NULL;
	}
	return p;
}

void vswitch_port_remove(struct vswitch_port *p)
{
	if (!p)
		return;
	sw_lock();
	for (unsigned i = 0; i < VSWITCH_MAX_PORTS; i++)
		if (sw.ports[i] == p)
			sw.ports[i] = NULL;
	/* Forget its addresses: keep the others, in order. */
	unsigned kept = 0;
	for (unsigned i = 0; i < sw.nmacs; i++)
		if (sw.macs[i].port != p)
			sw.macs[kept++] = sw.macs[i];
	sw.nmacs = kept;
	sw.next = 0;
	sw_unlock();
	/* Nobody chooses it now; those who did are about to wake it. */
	while (__atomic_load_n(&p->waking, __ATOMIC_ACQUIRE))
		;
	hal_free(p);
}

/* Puts the frame in q's mailbox, or counts it dropped. Returns true if queued. The lock is held. */
static bool enqueue(struct vswitch_port *q, const uint8_t *frame, size_t len)
{
	if (q->count == VSWITCH_MAILBOX) {
		q->stats.dropped++;
		return false;
	}
	struct frame *f = &q->box[(q->head + q->count) % VSWITCH_MAILBOX];
	f->len = (uint16_t)len;
	memcpy(f->data, frame, len);
	q->count++;
	return true;
}

void vswitch_send(struct vswitch_port *p, const uint8_t *frame, size_t len)
{
	struct vswitch_port *woken[VSWITCH_MAX_PORTS];
	unsigned nwoken = 0;

	/* The device checked the length: another is cvisor's bug. */
	if (len < VSWITCH_FRAME_MIN || len > VSWITCH_FRAME_MAX)
		hal_panic("vswitch_send: a frame of %llu bytes", (unsigned long long)len);
	sw_lock();
	p->stats.sent++;
	learn(p, frame + VSWITCH_MAC_LEN);
	const struct learned *to = group_address(frame) ? NULL : find_mac(frame);
	for (unsigned i = 0; i < VSWITCH_MAX_PORTS; i++) {
		struct vswitch_port *q = sw.ports[i];
		if (!q || q == p || (to && to->port != q))
			continue;
		if (enqueue(q, frame, len)) {
			__atomic_add_fetch(&q->waking, 1, __ATOMIC_RELAXED);
			woken[nwoken++] = q;
		}
	}
	sw_unlock();
	for (unsigned i = 0; i < nwoken; i++) {
		woken[i]->wake(woken[i]->ctx);
		__atomic_sub_fetch(&woken[i]->waking, 1, __ATOMIC_RELEASE);
	}
}

size_t vswitch_peek(struct vswitch_port *p, uint8_t *buf)
{
	size_t len = 0;

	sw_lock();
	if (p->count) {
		const struct frame *f = &p->box[p->head];
		len = f->len;
		memcpy(buf, f->data, len);
	}
	sw_unlock();
	return len;
}

void vswitch_consume(struct vswitch_port *p, bool delivered)
{
	sw_lock();
	if (p->count) {
		p->head = (p->head + 1) % VSWITCH_MAILBOX;
		p->count--;
		if (delivered)
			p->stats.delivered++;
		else
			p->stats.dropped++;
	}
	sw_unlock();
}

struct vswitch_stats vswitch_port_stats(struct vswitch_port *p)
{
	sw_lock();
	struct vswitch_stats s = p->stats;
	sw_unlock();
	return s;
}

unsigned vswitch_pending(struct vswitch_port *p)
{
	sw_lock();
	unsigned n = p->count;
	sw_unlock();
	return n;
}

void vswitch_reset(void)
{
	sw_lock();
	memset(sw.ports, 0, sizeof(sw.ports));
	sw.nmacs = sw.next = 0;
	sw_unlock();
}
