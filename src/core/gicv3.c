/* SPDX-License-Identifier: MIT */
/**
 * @file gicv3.c
 * @brief A virtual GICv3: distributor, redistributors and CPU interfaces
 *        (cvisor/gicv3.h).
 *
 * Reference: "Arm Generic Interrupt Controller Architecture Specification,
 * GIC architecture version 3 and version 4" (Arm IHI 0069), chapter 4
 * "Physical Interrupt Handling and Prioritization", chapter 12 "Programmers'
 * model" (GICD_*, GICR_*, ICC_*).
 *
 * Each interrupt has the state of IHI 0069 4.1.2: inactive, pending,
 * active, active and pending. Here "pending" is computed, never stored:
 *   pending = latch || (level-sensitive && line high)
 * where the latch is set by a rising edge of an edge-triggered line, an
 * SGI, or a write to ISPENDR, and cleared by the acknowledge (ICC_IAR1_EL1)
 * or ICPENDR. A level-sensitive interrupt acknowledged while its line is
 * still high is therefore "active and pending", as the specification says.
 *
 * Priorities: 5 bits ([7:3]), so 32 group priorities and one active
 * priorities register (ICC_AP1R0_EL1, bit n = group priority n << 3
 * active: IHI 0069 12.2.2). The running priority is the lowest set bit's.
 *
 * One lock covers the whole model; after each change the model works out,
 * for every vCPU, whether its CPU interface now signals an IRQ, and
 * notifies the vCPUs for which that changed (after releasing the lock).
 */
#include <cvisor/gicv3.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

/* One interrupt's configuration and state. */
struct irq {
	uint8_t priority; /* [7:3] implemented */
	bool group1;      /* IGROUPR bit: 1 = group 1 (the only one signalled) */
	bool enabled;     /* ISENABLER / ICENABLER */
	bool edge;        /* ICFGR: 1 = edge-triggered, 0 = level-sensitive */
	bool latch;       /* pending latched (edge, SGI, ISPENDR) */
	bool line;        /* the input's level (PPIs of timers, SPIs of devices) */
	bool active;
	bool in_lr;       /* handed to a list register (gicv3_lr_pick()) */
	bool lr_latch;    /* its latch went to that list register's pending state */
};

/* A redistributor and its vCPU's CPU interface. */
struct cpu {
	struct irq priv[GICV3_SPI_BASE]; /* SGIs and PPIs */
	bool sleep;                      /* GICR_WAKER.ProcessorSleep */
	uint8_t pmr, bpr1;
	uint32_t ctlr;                   /* ICC_CTLR_EL1: EOImode (bit 1), CBPR (bit 0) */
	bool igrpen1;
	uint32_t ap1r0;
	uint32_t ap0r0;                  /* group 0's: kept, never used */
	uint8_t bpr0;
	bool igrpen0;
	bool signalled;                  /* what the vCPU was last told */
};

struct gicv3 {
	struct device dev;
	bool lock;                       /* taken with __atomic_test_and_set */
	unsigned ncpus;
	uint32_t ctlr;                   /* GICD_CTLR: EnableGrp0 (bit 0), EnableGrp1 (bit 1) */
	struct irq spi[GICV3_NR_SPI];
	/* GICD_IROUTER<n>: Aff3 [39:32], IRM [31], Aff2..0 [23:0] */
	uint64_t irouter[GICV3_NR_SPI];
	struct cpu cpu[VM_MAX_VCPUS];
};

/* ---- Registers (IHI 0069 12.9 distributor, 12.10-12.11 redistributor) ---- */
enum {
	GICD_CTLR = 0x0000, GICD_TYPER = 0x0004, GICD_IIDR = 0x0008, GICD_TYPER2 = 0x000c,
	GICD_IGROUPR = 0x0080, GICD_ISENABLER = 0x0100, GICD_ICENABLER = 0x0180,
	GICD_ISPENDR = 0x0200, GICD_ICPENDR = 0x0280, GICD_ISACTIVER = 0x0300,
	GICD_ICACTIVER = 0x0380, GICD_IPRIORITYR = 0x0400, GICD_ICFGR = 0x0c00,
	GICD_IROUTER = 0x6000,
	GICR_CTLR = 0x0000, GICR_IIDR = 0x0004, GICR_TYPER = 0x0008, GICR_WAKER = 0x0014,
	GICR_SGI_BASE = 0x10000, /* SGI_base frame, after RD_base */
	PIDR2 = 0xffe8, CIDR0 = 0xfff0,
};
/* The end of each bitmap and array block: one bit (ICFGR two) or one byte per INTID. */
#define BITS_END(reg) ((reg) + GICV3_NR_IRQ / 8)
#define GICD_CTLR_ARE (1u << 4)  /* affinity routing, always on */
#define GICD_CTLR_DS (1u << 6)   /* one security state */
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define ICC_CTLR_RW 3u           /* EOImode, CBPR */
#define ICC_CTLR_EOIMODE (1u << 1)
#define ICC_BPR1_MIN 3           /* group priority [7:3]: every implemented bit (IHI 0069 12.2.5) */
#define ICC_BPR0_MIN 2           /* the same for group 0 (12.2.4) */
/* IIDR: implementer 0x43b (Arm, JEP106), product and revision 0 (IHI 0069 12.9.17). */
#define IIDR 0x0000043bu
/* PIDR2: ArchRev 3 (GICv3) in [7:4], JEDEC bit 3, JEP106 ID [2:0] (IHI 0069 12.1.13). */
#define PIDR2_GICV3 0x3bu
static const uint8_t cidr[4] = { 0x0d, 0xf0, 0x05, 0xb1 };

const char *gicv3_icc_name(enum gicv3_icc reg)
{
	static const char *const names[ICC_NR] = {
		"ICC_SRE_EL1", "ICC_PMR_EL1", "ICC_IAR1_EL1", "ICC_EOIR1_EL1", "ICC_DIR_EL1",
		"ICC_HPPIR1_EL1", "ICC_BPR1_EL1", "ICC_CTLR_EL1", "ICC_IGRPEN1_EL1",
		"ICC_RPR_EL1", "ICC_SGI1R_EL1", "ICC_AP1R0_EL1", "ICC_AP0R0_EL1", "ICC_BPR0_EL1",
		"ICC_IGRPEN0_EL1",
	};
	return (unsigned)reg < ICC_NR ? names[reg] : "?";
}

/* ---- The lock and notifications ---------------------------------------------- */

static void lock(struct gicv3 *g)
{
	while (__atomic_test_and_set(&g->lock, __ATOMIC_ACQUIRE))
		;
}

static bool signalled_locked(struct gicv3 *g, unsigned cpu);

/*
 * Releases the lock, then notifies each vCPU whose CPU interface changed
 * its mind about signalling an IRQ (a rising one to take it or to wake
 * from WFI; a falling one so the HAL lowers it).
 */
static void unlock(struct gicv3 *g)
{
	bool changed[VM_MAX_VCPUS];

	for (unsigned c = 0; c < g->ncpus; c++) {
		bool now = signalled_locked(g, c);
		changed[c] = now != g->cpu[c].signalled;
		g->cpu[c].signalled = now;
	}
	__atomic_clear(&g->lock, __ATOMIC_RELEASE);
	struct vm *vm = g->dev.vm;
	for (unsigned c = 0; c < g->ncpus; c++)
		if (changed[c] && vm && c < vm->nvcpus && vm->vcpus[c])
			hal_vcpu_notify(vm->vcpus[c]);
}

/* Releases the lock after a look that changed nothing: no vCPU's signal can have changed. */
static void unlock_unchanged(struct gicv3 *g)
{
	__atomic_clear(&g->lock, __ATOMIC_RELEASE);
}

/* ---- Interrupt state ---------------------------------------------------------- */

/* Interrupt intid as vCPU cpu sees it (its own SGIs and PPIs), or NULL if not implemented. */
static struct irq *irq_of(struct gicv3 *g, unsigned cpu, unsigned intid)
{
	if (intid < GICV3_SPI_BASE)
		return cpu < g->ncpus ? &g->cpu[cpu].priv[intid] : NULL;
	if (intid < GICV3_NR_IRQ)
		return &g->spi[intid - GICV3_SPI_BASE];
	return NULL;
}

static bool pending(const struct irq *q)
{
	return q->latch || (!q->edge && q->line);
}

/*
 * The vCPU an SPI goes to (IHI 0069 5.1 "Affinity routing"): the one
 * whose affinity GICD_IROUTER<n> names (a vCPU's affinity is its index in
 * Aff0), or with Interrupt_Routing_Mode 1 ("any participating PE") vCPU 0.
 * -1 when no vCPU has that affinity.
 */
static int spi_target(const struct gicv3 *g, unsigned intid)
{
	uint64_t r = g->irouter[intid - GICV3_SPI_BASE];

	if (r & (1ULL << 31))
		return 0;
	if (r & 0xff0000ff00ULL || (r & 0xff) >= g->ncpus)
		return -1;
	return (int)(r & 0xff);
}

/* The group priority of priority p with binary point bpr1 (IHI 0069 4.8.4, table 4-7). */
static uint8_t group_priority(uint8_t p, uint8_t bpr1)
{
	return (uint8_t)(p & (0xffu << bpr1));
}

/* The running priority: that of the most urgent active group priority (IHI 0069 4.8.5). */
static uint8_t running_priority(const struct cpu *c)
{
	if (!c->ap1r0)
		return GICV3_PRI_IDLE;
	return (uint8_t)(__builtin_ctz(c->ap1r0) << 3);
}

/*
 * The highest-priority pending interrupt of vCPU cpu that the CPU
 * interface could signal: pending, not active, enabled, group 1, not in a
 * list register; the lowest INTID among equal priorities (IHI 0069 4.7.2
 * leaves the choice open). GICV3_SPURIOUS if none.
 */
static unsigned hppi(struct gicv3 *g, unsigned cpu)
{
	unsigned best = GICV3_SPURIOUS;
	unsigned best_pri = 0x100;

	for (unsigned id = 0; id < GICV3_NR_IRQ; id++) {
		const struct irq *q = irq_of(g, cpu, id);
		if (!pending(q) || q->active || !q->enabled || !q->group1 || q->in_lr)
			continue;
		if (id >= GICV3_SPI_BASE && spi_target(g, id) != (int)cpu)
			continue;
		if (q->priority < best_pri) {
			best = id;
			best_pri = q->priority;
		}
	}
	return best;
}

/* Group 1 is forwarded to vCPU cpu: enabled at the distributor and its CPU interface, awake. */
static bool group1_on(const struct gicv3 *g, unsigned cpu)
{
	const struct cpu *c = &g->cpu[cpu];
	return (g->ctlr & 2) && c->igrpen1 && !c->sleep;
}

/*
 * The interrupt the CPU interface of cpu signals, or GICV3_SPURIOUS: the
 * HPPI if its priority is above the priority mask and its group priority
 * above the running priority (IHI 0069 4.8 "Interrupt prioritization").
 */
static unsigned signalled_intid(struct gicv3 *g, unsigned cpu)
{
	struct cpu *c = &g->cpu[cpu];

	if (!group1_on(g, cpu))
		return GICV3_SPURIOUS;
	unsigned id = hppi(g, cpu);
	if (id == GICV3_SPURIOUS)
		return id;
	uint8_t p = irq_of(g, cpu, id)->priority;
	if (p >= c->pmr || group_priority(p, c->bpr1) >= running_priority(c))
		return GICV3_SPURIOUS;
	return id;
}

static bool signalled_locked(struct gicv3 *g, unsigned cpu)
{
	return signalled_intid(g, cpu) != GICV3_SPURIOUS;
}

bool gicv3_signalled(struct gicv3 *g, unsigned cpu)
{
	if (cpu >= g->ncpus)
		return false;
	lock(g);
	bool s = signalled_locked(g, cpu);
	unlock_unchanged(g);
	return s;
}

bool gicv3_enabled_any(struct gicv3 *g, unsigned cpu)
{
	bool any = false;

	if (cpu >= g->ncpus)
		return false;
	lock(g);
	for (unsigned id = GICV3_NR_SGI; id < GICV3_NR_IRQ && !any; id++) {
		const struct irq *q = irq_of(g, cpu, id);
		if (id >= GICV3_SPI_BASE && spi_target(g, id) != (int)cpu)
			continue;
		any = q->enabled && q->group1 && (g->ctlr & 2);
	}
	unlock_unchanged(g);
	return any;
}

void gicv3_set_level(struct gicv3 *g, unsigned cpu, unsigned intid, bool level)
{
	lock(g);
	struct irq *q = intid >= GICV3_NR_SGI ? irq_of(g, cpu, intid) : NULL;
	if (!q || q->line == level) {
		unlock_unchanged(g); /* a timer's line set again before each entry */
		return;
	}
	if (q->edge && level)
		q->latch = true; /* a rising edge */
	q->line = level;
	unlock(g);
}

/* ---- The CPU interface (IHI 0069 12.2) --------------------------------------- */

/* ICC_IAR1_EL1 (IHI 0069 12.2.13): the interrupt becomes active, its priority the running one. */
static unsigned acknowledge(struct gicv3 *g, unsigned cpu)
{
	// LAB 5 BEGIN: acknowledge an interrupt in acknowledge()
	struct cpu *c = &g->cpu[cpu];
	unsigned id = signalled_intid(g, cpu);

	if (id == GICV3_SPURIOUS)
		return id;
	struct irq *q = irq_of(g, cpu, id);
	q->active = true;
	q->latch = false;
	c->ap1r0 |= 1u << (group_priority(q->priority, c->bpr1) >> 3);
	return id;
	// LAB 5 STUB
	// (void)g;
	// (void)cpu;
	// LAB_TODO(5, "acknowledge an interrupt in acknowledge() (labs/5-interrupts/README.md)");
	// return GICV3_SPURIOUS;
	// LAB 5 END
}

/* Deactivates intid (ICC_EOIR1_EL1 with EOImode 0, ICC_DIR_EL1): IHI 0069 4.1.1. */
static void deactivate(struct gicv3 *g, unsigned cpu, unsigned intid)
{
	struct irq *q = irq_of(g, cpu, intid);
	if (q)
		q->active = false;
}

/*
 * ICC_EOIR1_EL1 (IHI 0069 12.2.9): the priority drop clears the most
 * urgent active priority (the guest EOIs in the reverse order of its
 * acknowledges, as the architecture requires); with EOImode 0 the
 * interrupt is also deactivated, with EOImode 1 ICC_DIR_EL1 does that.
 * INTIDs 1020-1023 are special: nothing to end.
 */
static void end_of_interrupt(struct gicv3 *g, unsigned cpu, unsigned intid)
{
	// LAB 5 BEGIN: the priority drop and deactivation in end_of_interrupt()
	struct cpu *c = &g->cpu[cpu];

	if (intid >= 1020 && intid <= 1023)
		return;
	if (c->ap1r0)
		c->ap1r0 &= c->ap1r0 - 1; /* clear the lowest set bit */
	if (!(c->ctlr & ICC_CTLR_EOIMODE))
		deactivate(g, cpu, intid);
	// LAB 5 STUB
	// (void)g;
	// (void)cpu;
	// (void)intid;
	// LAB_TODO(5, "the EOI in end_of_interrupt() (labs/5-interrupts/README.md)");
	// LAB 5 END
}

/*
 * ICC_SGI1R_EL1 (IHI 0069 12.2.22): INTID [27:24], TargetList [15:0] of
 * Aff0 values RS * 16 + bit, Aff1 [23:16], Aff2 [39:32], IRM [40] (all
 * PEs but the sender), RS [47:44], Aff3 [55:48]. A vCPU's affinity is
 * its index in Aff0, so Aff1..Aff3 must be 0 to reach any.
 */
static void send_sgi(struct gicv3 *g, unsigned self, uint64_t v)
{
	unsigned intid = (unsigned)(v >> 24) & 0xf;
	bool irm = (v >> 40) & 1;
	unsigned rs = (unsigned)(v >> 44) & 0xf;
	bool upper = ((v >> 16) & 0xff) || ((v >> 32) & 0xff) || ((v >> 48) & 0xff);

	for (unsigned c = 0; c < g->ncpus; c++) {
		unsigned bit = c - rs * 16; /* c's Aff0 in the target list */
		bool listed = !upper && c >= rs * 16 && bit < 16 && ((v >> bit) & 1);
		bool hit = irm ? c != self : listed;
		if (hit)
			g->cpu[c].priv[intid].latch = true;
	}
}

uint64_t gicv3_icc_read(struct gicv3 *g, unsigned cpu, enum gicv3_icc reg)
{
	uint64_t v = 0;

	if (cpu >= g->ncpus)
		return 0;
	struct cpu *c = &g->cpu[cpu];
	lock(g);
	switch (reg) {
	case ICC_SRE:
		v = 7; /* SRE, DFB, DIB: the system register interface, always */
		break;
	case ICC_PMR:
		v = c->pmr;
		break;
	case ICC_IAR1:
		v = acknowledge(g, cpu);
		break;
	case ICC_HPPIR1:
		v = group1_on(g, cpu) ? hppi(g, cpu) : GICV3_SPURIOUS;
		break;
	case ICC_BPR1:
		v = c->bpr1;
		break;
	case ICC_CTLR:
		/* PRIbits [10:8] = bits - 1; IDbits [13:11] 0: 16-bit INTIDs; no A3V, SEIS, RSS. */
		v = c->ctlr | ((GICV3_PRI_BITS - 1) << 8);
		break;
	case ICC_IGRPEN1:
		v = c->igrpen1;
		break;
	case ICC_RPR:
		v = running_priority(c);
		break;
	case ICC_AP1R0:
		v = c->ap1r0;
		break;
	case ICC_AP0R0:
		v = c->ap0r0;
		break;
	case ICC_BPR0:
		v = c->bpr0;
		break;
	case ICC_IGRPEN0:
		v = c->igrpen0;
		break;
	default: /* write-only: EOIR1, DIR, SGI1R read as 0 */
		break;
	}
	unlock(g);
	return v;
}

void gicv3_icc_write(struct gicv3 *g, unsigned cpu, enum gicv3_icc reg, uint64_t val)
{
	if (cpu >= g->ncpus)
		return;
	struct cpu *c = &g->cpu[cpu];
	lock(g);
	switch (reg) {
	case ICC_PMR:
		c->pmr = (uint8_t)(val & GICV3_PRI_MASK);
		break;
	case ICC_EOIR1:
		end_of_interrupt(g, cpu, (unsigned)(val & 0xffffff));
		break;
	case ICC_DIR:
		deactivate(g, cpu, (unsigned)(val & 0xffffff));
		break;
	case ICC_BPR1: {
		/* Below the minimum reads back as the minimum (IHI 0069 12.2.5). */
		unsigned b = (unsigned)(val & 7);
		c->bpr1 = (uint8_t)(b < ICC_BPR1_MIN ? ICC_BPR1_MIN : b);
		break;
	}
	case ICC_CTLR:
		c->ctlr = (uint32_t)val & ICC_CTLR_RW;
		break;
	case ICC_IGRPEN1:
		c->igrpen1 = val & 1;
		break;
	case ICC_SGI1R:
		send_sgi(g, cpu, val);
		break;
	case ICC_AP1R0:
		c->ap1r0 = (uint32_t)val;
		break;
	case ICC_AP0R0:
		c->ap0r0 = (uint32_t)val;
		break;
	case ICC_BPR0:
		c->bpr0 = (uint8_t)((val & 7) < ICC_BPR0_MIN ? ICC_BPR0_MIN : val & 7);
		break;
	case ICC_IGRPEN0:
		c->igrpen0 = val & 1;
		break;
	default: /* read-only: SRE (fixed), IAR1, HPPIR1, RPR */
		break;
	}
	unlock(g);
}

/* ---- Bitmaps and arrays shared by the distributor and the redistributors ---- */

enum field { F_GROUP, F_ENABLE, F_PENDING, F_ACTIVE };
enum how { SET, CLEAR, WRITE };

static bool get_field(const struct irq *q, enum field f)
{
	switch (f) {
	case F_GROUP:
		return q->group1;
	case F_ENABLE:
		return q->enabled;
	case F_PENDING:
		return pending(q);
	default:
		return q->active;
	}
}

static void put_field(struct irq *q, enum field f, bool v)
{
	switch (f) {
	case F_GROUP:
		q->group1 = v;
		break;
	case F_ENABLE:
		q->enabled = v;
		break;
	case F_PENDING:
		q->latch = v; /* a high level-sensitive line keeps it pending */
		break;
	default:
		q->active = v;
		break;
	}
}

/* Reads 32 bits of a one-bit-per-INTID register, INTIDs first .. first + 31. */
static uint32_t bits_read(struct gicv3 *g, unsigned cpu, unsigned first, enum field f)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 32; i++) {
		const struct irq *q = irq_of(g, cpu, first + i);
		if (q && get_field(q, f))
			v |= 1u << i;
	}
	return v;
}

/* Writes them: WRITE sets each bit as given, SET / CLEAR act on the bits that are 1. */
static void bits_write(struct gicv3 *g, unsigned cpu, unsigned first, enum field f, enum how how,
		       uint32_t v)
{
	for (unsigned i = 0; i < 32; i++) {
		struct irq *q = irq_of(g, cpu, first + i);
		bool bit = (v >> i) & 1;
		if (!q || (how != WRITE && !bit))
			continue;
		put_field(q, f, how == WRITE ? bit : how == SET);
	}
}

/* The field and action of a bitmap register at off (relative to GICD_IGROUPR's block). */
static bool bitmap_reg(uint64_t off, enum field *f, enum how *how, unsigned *first)
{
	static const struct {
		uint64_t base;
		enum field f;
		enum how how;
	} regs[] = {
		{ GICD_IGROUPR, F_GROUP, WRITE },     { GICD_ISENABLER, F_ENABLE, SET },
		{ GICD_ICENABLER, F_ENABLE, CLEAR },  { GICD_ISPENDR, F_PENDING, SET },
		{ GICD_ICPENDR, F_PENDING, CLEAR },   { GICD_ISACTIVER, F_ACTIVE, SET },
		{ GICD_ICACTIVER, F_ACTIVE, CLEAR },
	};
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
		if (off >= regs[i].base && off < regs[i].base + 0x80) {
			*f = regs[i].f;
			*how = regs[i].how;
			*first = (unsigned)(off - regs[i].base) * 8;
			return true;
		}
	return false;
}

/* ICFGR: two bits per INTID, bit 2k+1 = edge-triggered (IHI 0069 12.9.9). */
static uint32_t cfg_read(struct gicv3 *g, unsigned cpu, unsigned first)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 16; i++) {
		const struct irq *q = irq_of(g, cpu, first + i);
		if (q && q->edge)
			v |= 2u << (2 * i);
	}
	return v;
}

static void cfg_write(struct gicv3 *g, unsigned cpu, unsigned first, uint32_t v)
{
	for (unsigned i = 0; i < 16; i++) {
		struct irq *q = irq_of(g, cpu, first + i);
		if (q && first + i >= GICV3_NR_SGI) /* SGIs are always edge-triggered */
			q->edge = (v >> (2 * i + 1)) & 1;
	}
}

/*
 * The registers a distributor and an SGI_base frame share, at the same
 * offsets: one 32-bit access to INTIDs lo..hi-1 (the distributor's SPIs,
 * a redistributor's SGIs and PPIs). Returns false if off is none of them.
 */
static bool shared_read(struct gicv3 *g, unsigned cpu, uint64_t off, unsigned lo, unsigned hi,
			uint32_t *v)
{
	enum field f;
	enum how how;
	unsigned first;

	*v = 0;
	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR && bitmap_reg(off, &f, &how, &first)) {
		if (first >= lo && first < hi)
			*v = bits_read(g, cpu, first, f);
		return true;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
		unsigned id = (unsigned)(off - GICD_IPRIORITYR);
		for (unsigned i = 0; i < 4; i++)
			if (id + i >= lo && id + i < hi)
				*v |= (uint32_t)irq_of(g, cpu, id + i)->priority << (8 * i);
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
		unsigned first16 = (unsigned)(off - GICD_ICFGR) * 4;
		if (first16 >= lo && first16 < hi)
			*v = cfg_read(g, cpu, first16);
		return true;
	}
	return false;
}

static bool shared_write(struct gicv3 *g, unsigned cpu, uint64_t off, unsigned lo, unsigned hi,
			 uint32_t v, unsigned size)
{
	enum field f;
	enum how how;
	unsigned first;

	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR && bitmap_reg(off, &f, &how, &first)) {
		if (first >= lo && first < hi)
			bits_write(g, cpu, first, f, how, v);
		return true;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
		unsigned id = (unsigned)(off - GICD_IPRIORITYR);
		for (unsigned i = 0; i < size; i++) {
			uint8_t p = (uint8_t)((v >> (8 * i)) & GICV3_PRI_MASK);
			if (id + i >= lo && id + i < hi)
				irq_of(g, cpu, id + i)->priority = p;
		}
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
		unsigned first16 = (unsigned)(off - GICD_ICFGR) * 4;
		if (first16 >= lo && first16 < hi)
			cfg_write(g, cpu, first16, v);
		return true;
	}
	return false;
}

/* PIDR2 and CIDR0-3 of every frame (IHI 0069 12.1.13): what identifies a GICv3. */
static uint32_t id_reg(uint64_t off)
{
	if (off == PIDR2)
		return PIDR2_GICV3;
	if (off >= CIDR0 && off < CIDR0 + 16)
		return cidr[(off - CIDR0) / 4];
	return 0;
}

/* ---- The distributor (IHI 0069 12.9) ------------------------------------------ */

static uint32_t dist_read(struct gicv3 *g, uint64_t off)
{
	uint32_t v;

	switch (off) {
	case GICD_CTLR:
		return g->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
	case GICD_TYPER:
		/* ITLinesNumber [4:0]: 32 * (N + 1) INTIDs; IDbits [23:19]: 10 bits; no LPIs. */
		return (GICV3_NR_IRQ / 32 - 1) | (9u << 19);
	case GICD_IIDR:
		return IIDR;
	}
	/* SGIs and PPIs are the redistributors' with affinity routing: RAZ/WI here (12.9). */
	if (shared_read(g, 0, off, GICV3_SPI_BASE, GICV3_NR_IRQ, &v))
		return v;
	if (off >= GICD_IROUTER + 8 * GICV3_SPI_BASE && off < GICD_IROUTER + 8 * GICV3_NR_IRQ) {
		uint64_t r = g->irouter[(off - GICD_IROUTER) / 8 - GICV3_SPI_BASE];
		return (uint32_t)(off & 4 ? r >> 32 : r);
	}
	return id_reg(off);
}

static void dist_write(struct gicv3 *g, uint64_t off, uint32_t v, unsigned size)
{
	if (off == GICD_CTLR) {
		g->ctlr = v & 3;
		return;
	}
	if (shared_write(g, 0, off, GICV3_SPI_BASE, GICV3_NR_IRQ, v, size))
		return;
	if (off >= GICD_IROUTER + 8 * GICV3_SPI_BASE && off < GICD_IROUTER + 8 * GICV3_NR_IRQ) {
		uint64_t *r = &g->irouter[(off - GICD_IROUTER) / 8 - GICV3_SPI_BASE];
		if (off & 4)
			*r = (*r & 0xffffffffULL) | ((uint64_t)(v & 0xff) << 32);
		else
			*r = (*r & ~0xffffffffULL) | (v & 0x80ffffffu);
	}
	/* Anything else is read-only or not implemented: ignored. */
}

/* ---- The redistributors (IHI 0069 12.10, 12.11) ------------------------------- */

static uint32_t redist_read(struct gicv3 *g, unsigned cpu, uint64_t off)
{
	uint32_t v;

	if (off >= GICR_SGI_BASE) {
		off -= GICR_SGI_BASE;
		if (shared_read(g, cpu, off, 0, GICV3_SPI_BASE, &v))
			return v;
		return 0;
	}
	switch (off) {
	case GICR_IIDR:
		return IIDR;
	case GICR_TYPER:
		/* Processor_Number [23:8], Last [4] for the last vCPU's; no LPIs. */
		return (cpu << 8) | (cpu == g->ncpus - 1 ? 1u << 4 : 0);
	case GICR_TYPER + 4:
		return cpu; /* Affinity_Value: Aff3.Aff2.Aff1.Aff0 = 0.0.0.index */
	case GICR_WAKER:
		return g->cpu[cpu].sleep ? GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP : 0;
	}
	return id_reg(off);
}

static void redist_write(struct gicv3 *g, unsigned cpu, uint64_t off, uint32_t v, unsigned size)
{
	if (off >= GICR_SGI_BASE) {
		shared_write(g, cpu, off - GICR_SGI_BASE, 0, GICV3_SPI_BASE, v, size);
		return;
	}
	if (off == GICR_WAKER)
		g->cpu[cpu].sleep = v & GICR_WAKER_SLEEP; /* ChildrenAsleep follows at once */
}

/* ---- The device ---------------------------------------------------------------- */

#define REDIST_OFF (GICV3_REDIST_BASE - GICV3_DIST_BASE)

/*
 * One 32-bit (or, for IPRIORITYR, narrower) access at off in the window.
 * Frames of vCPUs the VM does not have and the gap between the
 * distributor and the redistributors read as 0 and ignore writes.
 */
static uint32_t window_read(struct gicv3 *g, uint64_t off)
{
	if (off < GICV3_DIST_SIZE)
		return dist_read(g, off);
	if (off >= REDIST_OFF && (off - REDIST_OFF) / GICV3_REDIST_STRIDE < g->ncpus)
		return redist_read(g, (unsigned)((off - REDIST_OFF) / GICV3_REDIST_STRIDE),
				   (off - REDIST_OFF) % GICV3_REDIST_STRIDE);
	return 0;
}

static void window_write(struct gicv3 *g, uint64_t off, uint32_t v, unsigned size)
{
	if (off < GICV3_DIST_SIZE)
		dist_write(g, off, v, size);
	else if (off >= REDIST_OFF && (off - REDIST_OFF) / GICV3_REDIST_STRIDE < g->ncpus)
		redist_write(g, (unsigned)((off - REDIST_OFF) / GICV3_REDIST_STRIDE),
			     (off - REDIST_OFF) % GICV3_REDIST_STRIDE, v, size);
}

/* True for the byte-accessible arrays: IPRIORITYR of the distributor and of an SGI_base frame. */
static bool byte_array(uint64_t off)
{
	uint64_t in_frame = off;

	if (off >= REDIST_OFF)
		in_frame = (off - REDIST_OFF) % GICV3_REDIST_STRIDE - GICR_SGI_BASE;
	return in_frame >= GICD_IPRIORITYR && in_frame < GICD_IPRIORITYR + 0x400;
}

/*
 * Registers are 32 bits wide; 64-bit ones (GICD_IROUTER<n>, GICR_TYPER)
 * and a 64-bit access to two 32-bit ones are two halves; IPRIORITYR
 * also takes bytes and halfwords (IHI 0069 12.1.3 "GIC memory-mapped
 * register access"). Other sizes or alignments are refused.
 */
static bool access_ok(uint64_t off, unsigned size)
{
	if (off & (size - 1))
		return false;
	return size == 4 || size == 8 || ((size == 1 || size == 2) && byte_array(off));
}

static int gicv3_read(struct device *dev, uint64_t off, unsigned size, uint64_t *val)
{
	struct gicv3 *g = (struct gicv3 *)dev;

	if (!access_ok(off, size))
		return -CV_EINVAL;
	lock(g);
	if (size == 8) {
		*val = window_read(g, off) | (uint64_t)window_read(g, off + 4) << 32;
	} else {
		uint32_t w = window_read(g, off & ~3ULL);
		*val = size == 4 ? w : (w >> (8 * (off & 3))) & ((1u << (8 * size)) - 1);
	}
	unlock(g);
	return 0;
}

static int gicv3_write(struct device *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct gicv3 *g = (struct gicv3 *)dev;

	if (!access_ok(off, size))
		return -CV_EINVAL;
	lock(g);
	if (size == 8) {
		window_write(g, off, (uint32_t)val, 4);
		window_write(g, off + 4, (uint32_t)(val >> 32), 4);
	} else {
		window_write(g, off, (uint32_t)val, size);
	}
	unlock(g);
	return 0;
}

static void gicv3_destroy(struct device *dev)
{
	(void)dev; /* the model is the device: freed with it */
}

static const struct device_ops gicv3_ops = {
	.read = gicv3_read,
	.write = gicv3_write,
	.destroy = gicv3_destroy,
};

/*
 * Reset values (IHI 0069 12.9, 12.11, 12.2): everything disabled, inactive,
 * group 0, priority 0; SGIs edge-triggered, PPIs and SPIs level-sensitive;
 * redistributors asleep (GICR_WAKER.ProcessorSleep); ICC_PMR_EL1 0 (masks
 * everything), ICC_BPR1_EL1 at its minimum.
 */
static void reset(struct gicv3 *g)
{
	for (unsigned c = 0; c < g->ncpus; c++) {
		struct cpu *cp = &g->cpu[c];
		for (unsigned i = 0; i < GICV3_NR_SGI; i++)
			cp->priv[i].edge = true;
		cp->sleep = true;
		cp->bpr1 = ICC_BPR1_MIN;
		cp->bpr0 = ICC_BPR0_MIN;
	}
}

struct device *gicv3_create(struct vm *vm, gpa_t base, uint64_t size)
{
	unsigned ncpus = vm ? vm->cfg.cpu_num : 1;

	if (ncpus == 0 || ncpus > VM_MAX_VCPUS || size < REDIST_OFF + ncpus * GICV3_REDIST_STRIDE)
		return NULL;
	struct gicv3 *g = hal_zalloc(sizeof(*g));
	if (!g)
		return NULL;
	g->ncpus = ncpus;
	reset(g);
	cv_strlcpy(g->dev.name, "intc", sizeof(g->dev.name));
	g->dev.base = base;
	g->dev.size = size;
	g->dev.ops = &gicv3_ops;
	g->dev.priv = g;
	g->dev.vm = vm;
	g->dev.own_reg = true;
	return &g->dev;
}

struct gicv3 *gicv3_from_device(const struct device *dev)
{
	return dev && dev->ops == &gicv3_ops ? dev->priv : NULL;
}

struct gicv3 *gicv3_of(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->bus.ndevs; i++) {
		struct gicv3 *g = gicv3_from_device(vm->bus.devs[i]);
		if (g)
			return g;
	}
	return NULL;
}

void gicv3_redist_region(const struct gicv3 *g, gpa_t *base, uint64_t *size)
{
	*base = g->dev.base + REDIST_OFF;
	*size = g->ncpus * GICV3_REDIST_STRIDE;
}

/* ---- List registers ------------------------------------------------------------ */

unsigned gicv3_lr_pick(struct gicv3 *g, unsigned cpu, struct gicv3_lr *lr, unsigned n)
{
	unsigned filled = 0;

	if (cpu >= g->ncpus)
		return 0;
	lock(g);
	while (filled < n) {
		unsigned best = GICV3_SPURIOUS, best_pri = 0x100;
		for (unsigned id = 0; id < GICV3_NR_IRQ; id++) {
			const struct irq *q = irq_of(g, cpu, id);
			/* Group 0 is kept but never signalled, here as through ICC_IAR1_EL1. */
			if (q->in_lr || !(pending(q) || q->active) || !q->enabled || !q->group1)
				continue;
			if (id >= GICV3_SPI_BASE && spi_target(g, id) != (int)cpu)
				continue;
			if (q->priority < best_pri) {
				best = id;
				best_pri = q->priority;
			}
		}
		if (best == GICV3_SPURIOUS)
			break;
		struct irq *q = irq_of(g, cpu, best);
		/*
		 * A level-sensitive interrupt that is active goes out active
		 * only: its line may fall before the guest's EOI (a timer
		 * re-armed in its handler), which the list register would not
		 * see, and an active and pending list register stays pending
		 * after the EOI (IHI 0069 4.1.2). Still high after the sync,
		 * it is pending again for the next entry.
		 */
		bool out_pending = pending(q) && (q->edge || !q->active);
		lr[filled++] = (struct gicv3_lr){ .intid = best, .priority = q->priority,
						  .group1 = q->group1, .pending = out_pending,
						  .active = q->active };
		q->in_lr = true;
		/* The list register holds the latched pending state now (not a level's line). */
		q->lr_latch = out_pending && q->latch;
		if (out_pending)
			q->latch = false;
	}
	unlock(g);
	return filled;
}

/*
 * An edge-triggered interrupt still pending in the list register (not
 * acknowledged yet) gets its latch back. A level-sensitive one is pending
 * while its line is high, as sampled now: the list register's pending
 * bit only gives back what came from its latch (GICR_ISPENDR0,
 * GICD_ISPENDR<n>), never the line's state at gicv3_lr_pick().
 */
void gicv3_lr_sync(struct gicv3 *g, unsigned cpu, const struct gicv3_lr *lr)
{
	lock(g);
	struct irq *q = irq_of(g, cpu, lr->intid);
	if (q) {
		q->in_lr = false;
		q->active = lr->active;
		if (lr->pending && (q->edge || q->lr_latch))
			q->latch = true;
		q->lr_latch = false;
	}
	unlock(g);
}

void gicv3_lr_set_ap(struct gicv3 *g, unsigned cpu, uint32_t ap1r0)
{
	if (cpu >= g->ncpus)
		return;
	lock(g);
	g->cpu[cpu].ap1r0 = ap1r0;
	unlock(g);
}
