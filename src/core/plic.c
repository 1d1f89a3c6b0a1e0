/* SPDX-License-Identifier: MIT */
/**
 * @file plic.c
 * @brief Emulation of the RISC-V PLIC (RISC-V PLIC Specification 1.0.0).
 *
 * Each source has a priority and a gateway; each context (a hart's
 * privilege level) has enable bits and a priority threshold, and claims
 * and completes interrupts:
 *
 *   device raises source id     -> pending[id] (unless id is claimed and not completed)
 *   context c reads claim       -> the highest-priority source pending, enabled for c and
 *                                  above c's threshold (ties: the lowest id); it is no longer
 *                                  pending and stays claimed until c writes its id to complete
 *   context c writes complete   -> id's gateway opens again; a level still high pends it anew
 *
 * A context "sees" an interrupt (its external interrupt line, sip.SEIP
 * for a hart's S-mode) while some source is pending, enabled for it and
 * above its threshold. Sources are level-triggered, as QEMU virt's UART
 * and virtio devices are wired. Several vCPUs (threads) reach one PLIC:
 * a spinlock keeps each access whole.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/plic.h>

#define WORDS ((PLIC_NSOURCES + 31) / 32)
#define PRIORITY_BASE 0x000000
#define PENDING_BASE 0x001000
#define ENABLE_BASE 0x002000
#define ENABLE_STRIDE 0x80
#define CONTEXT_BASE 0x200000
#define CONTEXT_STRIDE 0x1000

struct plic {
	struct vm *vm;
	struct plic_config cfg;
	bool lock; /* taken with __atomic_test_and_set */
	uint32_t priority[PLIC_NSOURCES];
	uint32_t pending[WORDS];
	uint32_t claimed[WORDS];   /* claimed, not yet completed: the gateway is closed */
	uint32_t level[WORDS];     /* the wire from the device */
	uint32_t (*enable)[WORDS]; /* [ncontexts] */
	uint32_t *threshold;       /* [ncontexts] */
	bool *line;                /* [ncontexts]: each context's line as last told */
};

static void lock(struct plic *p)
{
	while (__atomic_test_and_set(&p->lock, __ATOMIC_ACQUIRE))
		;
}

static void unlock(struct plic *p)
{
	__atomic_clear(&p->lock, __ATOMIC_RELEASE);
}

static bool bit(const uint32_t *w, unsigned id)
{
	return (w[id / 32] >> (id % 32)) & 1;
}

static void set_bit(uint32_t *w, unsigned id, bool v)
{
	if (v)
		w[id / 32] |= 1u << (id % 32);
	else
		w[id / 32] &= ~(1u << (id % 32));
}

static unsigned best(const struct plic *p, unsigned ctx);

/* Tells the platform of each context's line that changed (lock held). */
static void changed(struct plic *p)
{
	for (unsigned c = 0; c < p->cfg.ncontexts; c++) {
		bool level = best(p, c) != 0;
		if (level == p->line[c])
			continue;
		p->line[c] = level;
		if (p->cfg.line)
			p->cfg.line(p->vm, c, level);
	}
}

/*
 * The source context ctx would get from a claim now: the highest priority
 * among those pending, not claimed, enabled for ctx and above its
 * threshold; the lowest id among equals (PLIC spec "Interrupt
 * Priorities"). 0 if none. Lock held.
 */
static unsigned best(const struct plic *p, unsigned ctx)
{
	unsigned id = 0, prio = p->threshold[ctx];

	/* A word at a time: every exit of a RISC-V vCPU asks, and most find none. */
	for (unsigned w = 0; w < WORDS; w++) {
		uint32_t cand = p->pending[w] & ~p->claimed[w] & p->enable[ctx][w];
		for (unsigned i = 32 * w; cand; i++, cand >>= 1)
			if ((cand & 1) && i != 0 && i < PLIC_NSOURCES && p->priority[i] > prio) {
				id = i;
				prio = p->priority[i];
			}
	}
	return id;
}

bool plic_context_pending(struct plic *p, unsigned ctx)
{
	if (!p || ctx >= p->cfg.ncontexts)
		return false;
	lock(p);
	bool r = best(p, ctx) != 0;
	unlock(p);
	return r;
}

bool plic_context_possible(struct plic *p, unsigned ctx)
{
	bool r = false;

	if (!p || ctx >= p->cfg.ncontexts)
		return false;
	lock(p);
	for (unsigned i = 1; i < PLIC_NSOURCES && !r; i++)
		r = bit(p->enable[ctx], i) && p->priority[i] > p->threshold[ctx];
	unlock(p);
	return r;
}

void plic_set_level(struct plic *p, unsigned id, bool level)
{
	if (!p || id == 0 || id >= PLIC_NSOURCES)
		return;
	lock(p);
	if (bit(p->level, id) != level) {
		set_bit(p->level, id, level);
		/* A closed gateway passes nothing on until the complete. */
		if (!bit(p->claimed, id))
			set_bit(p->pending, id, level);
		changed(p);
	}
	unlock(p);
}

/* A claim by ctx (PLIC spec "Interrupt Claim Process"). Lock held. */
static uint32_t claim(struct plic *p, unsigned ctx)
{
	unsigned id = best(p, ctx);

	if (id) {
		set_bit(p->pending, id, false);
		set_bit(p->claimed, id, true);
		changed(p);
	}
	return id;
}

/*
 * A complete by ctx: an id that is not a source enabled for ctx is
 * ignored (PLIC spec "Interrupt Completion"). The gateway opens; a level
 * still high is a new request. Lock held; the caller tells the platform.
 */
static void complete(struct plic *p, unsigned ctx, uint32_t id)
{
	if (id == 0 || id >= PLIC_NSOURCES || !bit(p->enable[ctx], id) || !bit(p->claimed, id))
		return;
	set_bit(p->claimed, id, false);
	if (bit(p->level, id))
		set_bit(p->pending, id, true);
}

/* Which register is at offset: fills *ctx and *word for per-context ones. */
enum reg { R_PRIORITY, R_PENDING, R_ENABLE, R_THRESHOLD, R_CLAIM, R_NONE };

static enum reg decode(const struct plic *p, uint64_t off, unsigned *ctx, unsigned *word)
{
	if (off < PENDING_BASE) {
		*word = (unsigned)(off / 4);
		return *word < PLIC_NSOURCES ? R_PRIORITY : R_NONE;
	}
	if (off < ENABLE_BASE) {
		*word = (unsigned)((off - PENDING_BASE) / 4);
		return *word < WORDS ? R_PENDING : R_NONE;
	}
	if (off < CONTEXT_BASE) {
		*ctx = (unsigned)((off - ENABLE_BASE) / ENABLE_STRIDE);
		*word = (unsigned)((off - ENABLE_BASE) % ENABLE_STRIDE / 4);
		return *ctx < p->cfg.ncontexts && *word < WORDS ? R_ENABLE : R_NONE;
	}
	*ctx = (unsigned)((off - CONTEXT_BASE) / CONTEXT_STRIDE);
	if (*ctx >= p->cfg.ncontexts)
		return R_NONE;
	switch ((off - CONTEXT_BASE) % CONTEXT_STRIDE) {
	case 0:
		return R_THRESHOLD;
	case 4:
		return R_CLAIM;
	default:
		return R_NONE;
	}
}

/* Registers are 32 bits wide and aligned; other accesses are refused. */
static int plic_read(struct device *dev, uint64_t off, unsigned size, uint64_t *val)
{
	struct plic *p = dev->priv;
	unsigned ctx = 0, w = 0;

	if (size != 4 || (off & 3))
		return -CV_EINVAL;
	lock(p);
	switch (decode(p, off, &ctx, &w)) {
	case R_PRIORITY:
		*val = p->priority[w];
		break;
	case R_PENDING:
		*val = p->pending[w];
		break;
	case R_ENABLE:
		*val = p->enable[ctx][w];
		break;
	case R_THRESHOLD:
		*val = p->threshold[ctx];
		break;
	case R_CLAIM:
		*val = claim(p, ctx);
		break;
	default:
		*val = 0;
		break; /* reserved: reads zero */
	}
	unlock(p);
	return 0;
}

static int plic_write(struct device *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct plic *p = dev->priv;
	unsigned ctx = 0, w = 0;
	uint32_t v = (uint32_t)val;

	if (size != 4 || (off & 3))
		return -CV_EINVAL;
	lock(p);
	switch (decode(p, off, &ctx, &w)) {
	case R_PRIORITY:
		if (w != 0) /* source 0 does not exist: its priority stays 0 */
			p->priority[w] = v > PLIC_MAX_PRIORITY ? PLIC_MAX_PRIORITY : v;
		break;
	case R_ENABLE:
		p->enable[ctx][w] = w == 0 ? v & ~1u : v; /* no source 0 */
		break;
	case R_THRESHOLD:
		p->threshold[ctx] = v > PLIC_MAX_PRIORITY ? PLIC_MAX_PRIORITY : v;
		break;
	case R_CLAIM:
		complete(p, ctx, v);
		break;
	default: /* pending bits are read-only; reserved space ignores writes */
		break;
	}
	changed(p);
	unlock(p);
	return 0;
}

static void plic_destroy(struct device *dev)
{
	struct plic *p = dev->priv;

	if (p) {
		hal_free(p->enable);
		hal_free(p->threshold);
		hal_free(p->line);
	}
	hal_free(p);
	dev->priv = NULL;
}

static const struct device_ops plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .destroy = plic_destroy,
};

struct plic *plic_of(const struct device *dev)
{
	return dev && dev->ops == &plic_ops ? dev->priv : NULL;
}

struct device *plic_create(struct vm *vm, gpa_t base, uint64_t size, const struct plic_config *cfg)
{
	if (cfg->ncontexts == 0 || cfg->ncontexts > PLIC_MAX_CONTEXTS ||
	    size < CONTEXT_BASE + (uint64_t)cfg->ncontexts * CONTEXT_STRIDE)
		return NULL;
	struct device *dev = hal_zalloc(sizeof(*dev));
	struct plic *p = hal_zalloc(sizeof(*p));
	if (!dev || !p)
		goto fail;
	p->enable = hal_zalloc(sizeof(*p->enable) * cfg->ncontexts);
	p->threshold = hal_zalloc(sizeof(*p->threshold) * cfg->ncontexts);
	p->line = hal_zalloc(sizeof(*p->line) * cfg->ncontexts);
	if (!p->enable || !p->threshold || !p->line)
		goto fail;
	p->vm = vm;
	p->cfg = *cfg;
	cv_strlcpy(dev->name, "plic", sizeof(dev->name));
	dev->base = base;
	dev->size = size;
	dev->ops = &plic_ops;
	dev->priv = p;
	dev->vm = vm;
	return dev;
fail:
	if (p) {
		hal_free(p->enable);
		hal_free(p->threshold);
		hal_free(p->line);
	}
	hal_free(p);
	hal_free(dev);
	return NULL;
}
