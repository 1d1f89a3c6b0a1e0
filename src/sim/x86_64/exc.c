/* SPDX-License-Identifier: MIT */
/*
 * Exceptions that belong to an x86_64 guest, delivered through its IDT in
 * software, as the hardware does when the VMX exception bitmap leaves them
 * to the guest (SDM Vol. 3A, 6.14 "Exception and Interrupt Handling in
 * 64-bit Mode"): the 16-byte gate at IDTR.base + 16 * vector gives CS and
 * the handler's RIP; the CPU aligns RSP to 16 bytes and pushes SS, RSP,
 * RFLAGS, CS, RIP and, for some vectors, an error code; an interrupt gate
 * clears IF. The guest runs at CPL 0, so there is no stack switch (IST is
 * not used by cvisor's guests).
 *
 * Calls mmu.c (the IDT and the stack are guest-virtual) and switch.c.
 */
#include "cpu.h"

#define GATE_TYPE_INTERRUPT 0xe
#define RFLAGS_IF (1ULL << 9)
/* Bytes after a handler's entry inside which a new exception counts toward a storm. */
#define HANDLER_SPAN 256

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

bool sim_x86_deliver(struct sim_x86 *s, unsigned vector, uint64_t rip, bool has_error,
		     uint64_t error)
{
	uc_engine *uc = s->c.uc;
	uc_x86_mmr idtr = { 0 };
	uint8_t gate[16];
	uint64_t rsp, rflags, cs = 0, ss = 0;

	uc_reg_read(uc, UC_X86_REG_IDTR, &idtr);
	if (idtr.limit < vector * 16 + 15 ||
	    sim_x86_read_gva(s, idtr.base + vector * 16ULL, gate, sizeof(gate)) < 0 ||
	    !(gate[5] & 0x80)) {
		/* No usable gate: on hardware a #GP, then a #DF, then a triple fault. */
		stop(s, rip, "no IDT gate for it (the guest has not loaded an IDT): triple fault", vector);
		return false;
	}
	uint64_t handler = (uint64_t)gate[0] | (uint64_t)gate[1] << 8 | (uint64_t)gate[6] << 16 |
			   (uint64_t)gate[7] << 24 | (uint64_t)gate[8] << 32 | (uint64_t)gate[9] << 40 |
			   (uint64_t)gate[10] << 48 | (uint64_t)gate[11] << 56;
	uint64_t new_cs = (uint64_t)gate[2] | (uint64_t)gate[3] << 8;
	if (storm(s, handler, rip, vector))
		return false;
	s->c.vcpu->guest_exceptions++;

	uc_reg_read(uc, UC_X86_REG_RSP, &rsp);
	uc_reg_read(uc, UC_X86_REG_RFLAGS, &rflags);
	uc_reg_read(uc, UC_X86_REG_CS, &cs);
	uc_reg_read(uc, UC_X86_REG_SS, &ss);
	uint64_t frame[6] = { ss, rsp, rflags, cs, rip, error }, top = rsp & ~15ULL;
	unsigned n = has_error ? 6 : 5;
	for (unsigned i = 0; i < n; i++) {
		top -= 8;
		if (sim_x86_write_gva(s, top, &frame[i], 8) < 0) {
			stop(s, rip, "its stack is not in RAM", vector);
			return false;
		}
	}
	if ((gate[5] & 0xf) == GATE_TYPE_INTERRUPT)
		rflags &= ~RFLAGS_IF;
	uc_reg_write(uc, UC_X86_REG_RSP, &top);
	uc_reg_write(uc, UC_X86_REG_RFLAGS, &rflags);
	(void)new_cs; /* the guest's flat 64-bit code segment: Unicorn keeps CS as it is */
	uc_reg_write(uc, UC_X86_REG_RIP, &handler);
	sim_trace_guest_exception(&s->c, "vector %u rip=0x%llx -> 0x%llx", vector,
				  (unsigned long long)rip, (unsigned long long)handler);
	return true;
}
