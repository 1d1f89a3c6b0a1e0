/* SPDX-License-Identifier: MIT */
/*
 * The walk trace (--trace=walks): one line per level of every walk project
 * code performs for a vCPU, stage 1 (the guest's tables, GVA -> GPA) and
 * stage 2 (cvisor's tables, GPA -> HPA):
 *
 *   walk: vm=0 vcpu=0 stage-1 va=0x0000000080000000 write (mmio)
 *   walk:   L1 table=0x40100000 [2] = 0x0000000040101003 table -> 0x40101000
 *   walk:   L2 table=0x40101000 [0] = 0x0000000040102003 table -> 0x40102000
 *   walk:   L3 table=0x40102000 [0] = 0x0060000009000743 page -> 0x9000000 rw-
 *   walk:   -> gpa=0x9000000
 *
 * Stage-1 table addresses are GPAs; stage-2 table addresses are HPAs.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>
#include <cvisor/walk.h>

static const char *access_word(enum access_kind a)
{
	return a == ACCESS_WRITE ? "write" : a == ACCESS_FETCH ? "fetch" : "read";
}

const char *perm_text(unsigned perm, char buf[4])
{
	buf[0] = (perm & PERM_READ) ? 'r' : '-';
	buf[1] = (perm & PERM_WRITE) ? 'w' : '-';
	buf[2] = (perm & PERM_EXEC) ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

int s1_walk_follow(const struct walk_step *step, unsigned shift, gva_t va, uint64_t *table,
		   struct s1_result *res)
{
	if (step->info.kind == WALK_INVALID) {
		res->fault = FAULT_TRANSLATION;
		return -CV_EFAULT;
	}
	if (step->info.kind == WALK_TABLE) {
		*table = step->info.addr;
		return 1;
	}
	uint64_t size = 1ULL << shift;
	res->leaf_size = size;
	res->perm = step->info.perm;
	res->gpa = (step->info.addr & ~(size - 1)) | (va & (size - 1));
	return 0;
}

/* One line of a walk, to where the walk's lines go. */
static void emit(const struct walk_trace *t, const char *line)
{
	if (t->out)
		t->out(line, t->out_arg);
	else
		hal_trace_write(line);
}

/* Whether the walk t is being printed. */
static bool traced(const struct walk_trace *t)
{
	return t->vcpu && (t->out || (t->vcpu->vm->trace & TRACE_WALKS));
}

walk_cb walk_trace_begin_to(struct walk_trace *t, const struct vcpu *vcpu, int stage, uint64_t addr,
			    enum access_kind access, const char *why,
			    void (*out)(const char *line, void *out_arg), void *out_arg)
{
	char line[200];

	t->vcpu = vcpu;
	t->stage = stage;
	t->out = out;
	t->out_arg = out_arg;
	if (!traced(t))
		return NULL;
	cv_snprintf(line, sizeof(line), "walk: vm=%u vcpu=%u stage-%d %s=0x%016llx %s (%s)",
		    vcpu->vm->id, vcpu->id, stage, stage == 1 ? "va" : "gpa",
		    (unsigned long long)addr, access_word(access), why);
	emit(t, line);
	return walk_trace_step;
}

walk_cb walk_trace_begin(struct walk_trace *t, const struct vcpu *vcpu, int stage, uint64_t addr,
			    enum access_kind access, const char *why)
{
	return walk_trace_begin_to(t, vcpu, stage, addr, access, why, NULL, NULL);
}

void walk_trace_step(const struct walk_step *step, void *ctx)
{
	const struct walk_trace *t = ctx;
	const struct walk_desc *i = &step->info;
	char line[200], what[80], p[4];

	switch (i->kind) {
	case WALK_TABLE:
		cv_snprintf(what, sizeof(what), "table -> 0x%llx", (unsigned long long)i->addr);
		break;
	case WALK_LEAF:
		cv_snprintf(what, sizeof(what), "%s -> 0x%llx %s%s%s",
			    step->level == 3 ? "page" : "block", (unsigned long long)i->addr,
			    perm_text(i->perm, p), i->memtype == S2_MEM_DEVICE ? " device" : "",
			    i->access_flag ? "" : " no-access-flag");
		break;
	default:
		cv_snprintf(what, sizeof(what), "invalid");
		break;
	}
	cv_snprintf(line, sizeof(line), "walk:   L%d table=0x%llx [%u] = 0x%016llx %s", step->level,
		    (unsigned long long)step->table, step->index, (unsigned long long)step->desc,
		    what);
	emit(t, line);
}

void walk_trace_end(const struct walk_trace *t, int rc, uint64_t out, enum walk_fault fault,
		    int level)
{
	char line[160];

	if (!traced(t))
		return;
	if (rc == 0)
		cv_snprintf(line, sizeof(line), "walk:   -> %s=0x%llx", t->stage == 1 ? "gpa" : "hpa",
			    (unsigned long long)out);
	else
		cv_snprintf(line, sizeof(line), "walk:   -> %s fault at level %d", walk_fault_name(fault),
			    level);
	emit(t, line);
}

void walk_trace_stage2(const struct vcpu *vcpu, gpa_t gpa, enum access_kind access,
		       const char *why)
{
	struct walk_trace t;
	struct s2_result res;

	walk_cb cb = walk_trace_begin(&t, vcpu, 2, gpa, access, why);
	if (!cb)
		return;
	int rc = stage2_translate(&vcpu->vm->as.s2, gpa, access, &res, cb, &t);
	walk_trace_end(&t, rc, res.hpa, res.fault, res.level);
}

void walk_trace_stage2_to(struct walk_trace *t, gpa_t gpa, enum access_kind access, const char *why)
{
	struct s2_result res;

	walk_cb cb = walk_trace_begin_to(t, t->vcpu, 2, gpa, access, why, t->out, t->out_arg);
	if (!cb)
		return;
	int rc = stage2_translate(&t->vcpu->vm->as.s2, gpa, access, &res, cb, t);
	walk_trace_end(t, rc, res.hpa, res.fault, res.level);
}
