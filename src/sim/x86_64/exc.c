/* SPDX-License-Identifier: MIT */
/*
 * Exceptions that belong to an x86_64 guest, delivered through its IDT in
 * software, as the hardware does when the VMX exception bitmap leaves them
 * to the guest (SDM Vol. 3A, 6.14 "Exception and Interrupt Handling in
 * 64-bit Mode"):
 *
 *   1. the 16-byte gate at IDTR.base + 16 * vector gives the handler's RIP,
 *      its CS, its type (0xE interrupt gate: IF cleared; 0xF trap gate),
 *      its DPL and an IST index;
 *   2. INT n and INT3 from a CPL above the gate's DPL: #GP(vector * 8 + 2)
 *      instead (6.12.1.1);
 *   3. the handler runs at the CPL of its code segment's DPL. A change of
 *      CPL (from 3 to 0) loads RSP from the TSS's RSP0 and SS with a null
 *      selector; an IST index loads RSP from the TSS's IST slot whatever
 *      the CPL (6.14.4, 6.14.5; the 64-bit TSS, figure 7-11);
 *   4. RSP is aligned down to 16 bytes and SS, RSP, RFLAGS, CS, RIP and,
 *      for some vectors, an error code are pushed, all old values (6.14.2);
 *   5. TF, NT and RF are cleared, and IF for an interrupt gate (6.12.1.3).
 *
 * External interrupts (the local APIC's, switch.c) take the same path
 * (6.14, 6.8.1), without an error code and with RIP at the next
 * instruction; they are not counted as the guest's exceptions.
 *
 * IRETQ back to CPL 3 is Unicorn's own (helper_iret_protected). In
 * 64-bit mode Unicorn's API writes only a segment register's selector,
 * never QEMU's CPL, so step 3 loads CS, SS and the CPL into QEMU's state
 * the way its do_interrupt64 would (qstate.c), and reads the CPL back.
 *
 * Calls qstate.c, mmu.c (the IDT, GDT, TSS and stack are guest-virtual)
 * and switch.c.
 */
#include "cpu.h"

#define GATE_TYPE_INTERRUPT 0xe
#define GATE_TYPE_TRAP 0xf
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_NT (1ULL << 14)
#define RFLAGS_RF (1ULL << 16)
#define CR0_PE 1ULL
/* 64-bit TSS (SDM Vol. 3A, 8.7, figure 8-11): RSP0 at 4, IST1..IST7 from 0x24. */
#define TSS_RSP0 4
#define TSS_IST(n) (0x24 + 8 * ((n) - 1))
/* Bytes after a handler's entry inside which a new exception counts toward a storm. */
#define HANDLER_SPAN 256

/* A 64-bit IDT gate, decoded (SDM Vol. 3A, figure 6-8). */
struct gate {
	uint64_t handler;
	uint16_t cs;
	unsigned type, dpl, ist;
	bool present;
};

bool sim_x86_vector_has_error(unsigned vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

unsigned sim_x86_cpl(struct sim_x86 *s)
{
	int cpl = sim_x86_qstate_cpl(s);
	uint64_t cs = 0;

	if (cpl >= 0)
		return (unsigned)cpl;
	uc_reg_read(s->c.uc, UC_X86_REG_CS, &cs);
	return (unsigned)(cs & 3);
}

/* The guest keeps faulting inside its own handler: stops it. */
static bool storm(struct sim_x86 *s, uint64_t handler, uint64_t rip, unsigned vector)
{
	if (!sim_cpu_storm(&s->c, rip - handler < HANDLER_SPAN))
		return false;
	sim_cpu_set_fatal(&s->c, rip,
			  "exception storm: %u exceptions in a row taken inside the guest's own "
			  "handler (0x%llx); last vector %u",
			  s->c.storm_count, (unsigned long long)handler, vector);
	return true;
}

static void stop(struct sim_x86 *s, uint64_t rip, const char *why, unsigned vector)
{
	sim_cpu_set_fatal(&s->c, rip, "guest exception %u: %s", vector, why);
}

/* Reads gate vector of the guest's IDT; false if the IDT does not hold it. */
static bool read_gate(struct sim_x86 *s, unsigned vector, struct gate *g)
{
	uc_x86_mmr idtr = { 0 };
	uint8_t b[16];

	uc_reg_read(s->c.uc, UC_X86_REG_IDTR, &idtr);
	if (idtr.limit < vector * 16 + 15 ||
	    sim_x86_read_gva(s, idtr.base + vector * 16ULL, b, sizeof(b)) < 0)
		return false;
	g->handler = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[6] << 16 |
		     (uint64_t)b[7] << 24 | (uint64_t)b[8] << 32 | (uint64_t)b[9] << 40 |
		     (uint64_t)b[10] << 48 | (uint64_t)b[11] << 56;
	g->cs = (uint16_t)(b[2] | b[3] << 8);
	g->ist = b[4] & 7;
	g->type = b[5] & 0xf;
	g->dpl = (b[5] >> 5) & 3;
	g->present = b[5] & 0x80;
	return g->present && (g->type == GATE_TYPE_INTERRUPT || g->type == GATE_TYPE_TRAP);
}

/* The high dword of the descriptor selector cs names in the GDT (SDM Vol. 3A, 3.4.5); 0 if unreadable. */
static uint32_t descriptor_flags(struct sim_x86 *s, uint16_t cs)
{
	uc_x86_mmr gdtr = { 0 };
	uint32_t hi;

	uc_reg_read(s->c.uc, UC_X86_REG_GDTR, &gdtr);
	if ((cs & ~7u) + 7u > gdtr.limit || sim_x86_read_gva(s, gdtr.base + (cs & ~7u) + 4, &hi, 4) < 0)
		return 0;
	return hi;
}

/* RSP0 or IST slot n of the guest's TSS (TR's base); false if unreadable. */
static bool tss_stack(struct sim_x86 *s, unsigned ist, uint64_t *rsp)
{
	uc_x86_mmr tr = { 0 };

	uc_reg_read(s->c.uc, UC_X86_REG_TR, &tr);
	return sim_x86_read_gva(s, tr.base + (ist ? TSS_IST(ist) : TSS_RSP0), rsp, 8) == 0;
}

/* Makes the CPU run at CPL 0 on code segment cs, with SS null (6.14.4); false if it did not follow. */
static bool enter_cpl0(struct sim_x86 *s, uint16_t cs, uint32_t flags)
{
	uint64_t back = 0;

	if (!sim_x86_qstate_enter_cpl0(s, cs, flags))
		return false;
	uc_reg_read(s->c.uc, UC_X86_REG_CS, &back);
	return back == (cs & ~3u) && sim_x86_cpl(s) == 0;
}

/* Pushes n 8-byte values (the last one lowest) below *top; false if the stack is not writable RAM. */
static bool push_frame(struct sim_x86 *s, uint64_t *top, const uint64_t *frame, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		*top -= 8;
		if (sim_x86_write_gva(s, *top, &frame[i], 8) < 0)
			return false;
	}
	return true;
}

/*
 * INT n / INT3 through a gate of lower privilege: #GP with the gate's IDT
 * index (6.12.1.1, 6.13), a fault: its frame points at the INT.
 */
static bool gate_refuses(struct sim_x86 *s, const struct x86_event *ev, const struct gate *g,
			 struct x86_event *gp)
{
	if (!ev->soft || g->dpl >= sim_x86_cpl(s))
		return false;
	*gp = (struct x86_event){ .vector = 13, .has_error = true, .error = ev->vector * 8 + 2 };
	return true;
}

/* Bytes of the INT3 (CC) or INT n (CD ib) that ends just before rip. */
static uint64_t soft_int_len(struct sim_x86 *s, unsigned vector, uint64_t rip)
{
	uint8_t b = 0;

	return vector == 3 && sim_x86_read_gva(s, rip - 1, &b, 1) == 0 && b == 0xcc ? 1 : 2;
}

bool sim_x86_deliver(struct sim_x86 *s, const struct x86_event *ev, uint64_t rip)
{
	uc_engine *uc = s->c.uc;
	struct gate g;
	struct x86_event gp;
	uint64_t rsp, rflags, cs = 0, ss = 0, top;

	if (!read_gate(s, ev->vector, &g)) {
		/* No usable gate: on hardware a #GP, then a #DF, then a triple fault. */
		stop(s, rip, "no IDT gate for it (the guest has not loaded an IDT): triple fault",
		     ev->vector);
		return false;
	}
	if (gate_refuses(s, ev, &g, &gp))
		return sim_x86_deliver(s, &gp, rip - soft_int_len(s, ev->vector, rip));
	/* An interrupt is no fault of the handler it arrives in: neither counted nor a storm. */
	if (!ev->external && storm(s, g.handler, rip, ev->vector))
		return false;
	if (!ev->external)
		s->c.vcpu->guest_exceptions++;

	uint32_t cs_flags = descriptor_flags(s, g.cs);
	unsigned cpl = sim_x86_cpl(s), new_cpl = (cs_flags >> 13) & 3;
	uc_reg_read(uc, UC_X86_REG_RSP, &rsp);
	uc_reg_read(uc, UC_X86_REG_RFLAGS, &rflags);
	uc_reg_read(uc, UC_X86_REG_CS, &cs);
	uc_reg_read(uc, UC_X86_REG_SS, &ss);
	top = rsp;
	if ((g.ist || new_cpl < cpl) && !tss_stack(s, g.ist, &top)) {
		stop(s, rip, "its TSS (TR) is not readable for the new stack", ev->vector);
		return false;
	}
	top &= ~15ULL;
	uint64_t frame[6] = { ss, rsp, rflags, cs, rip, ev->error };
	if (!push_frame(s, &top, frame, ev->has_error ? 6 : 5)) {
		stop(s, rip, "its stack is not in RAM", ev->vector);
		return false;
	}
	if (new_cpl < cpl && !enter_cpl0(s, g.cs, cs_flags)) {
		stop(s, rip, "the simulated CPU did not move to CPL 0", ev->vector);
		return false;
	}
	rflags &= ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF);
	if (g.type == GATE_TYPE_INTERRUPT)
		rflags &= ~RFLAGS_IF;
	uc_reg_write(uc, UC_X86_REG_RSP, &top);
	uc_reg_write(uc, UC_X86_REG_RFLAGS, &rflags);
	uc_reg_write(uc, UC_X86_REG_RIP, &g.handler);
	sim_trace_guest_exception(&s->c, "%svector %u rip=0x%llx -> 0x%llx",
				  ev->external ? "interrupt " : "", ev->vector, (unsigned long long)rip,
				  (unsigned long long)g.handler);
	return true;
}
