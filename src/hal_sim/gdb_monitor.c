/* SPDX-License-Identifier: MIT */
/*
 * gdb's `monitor` commands (qRcmd) for the VM the stub holds: what a
 * student asks the hypervisor about a paused guest.
 *
 *   (gdb) monitor walk 0xffff000040080000
 *   walk: vm=0 vcpu=0 stage-1 va=0xffff000040080000 read (gdb)
 *   walk:   L0 table=0x40100000 [0] = 0x0000000040101003 table -> 0x40101000
 *   ...
 *   walk:   -> gpa=0x40080000
 *   walk: vm=0 vcpu=0 stage-2 gpa=0x0000000040080000 read (gdb)
 *   ...
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cvisor/arch.h>
#include <cvisor/lib.h>
#include <cvisor/stage2.h>
#include <cvisor/vm.h>
#include <cvisor/walk.h>

#include "../sim/sim.h"
#include "hal_sim.h"

/* Where the output goes, line by line. */
struct out {
	void (*fn)(const char *text, void *ctx);
	void *ctx;
};

static void say(const struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(const struct out *o, const char *fmt, ...)
{
	char line[300];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n] = '\n';
	line[n + 1] = '\0';
	o->fn(line, o->ctx);
}

static void walk_line(const char *line, void *ctx)
{
	say(ctx, "%s", line);
}

/* walk ADDR [read|write|fetch]: both stages, level by level, as --trace=walks prints them. */
static int cmd_walk(struct vm *vm, unsigned vi, const char *args, const struct out *o)
{
	struct vcpu *v = vm->vcpus[vi];
	char *end;
	enum access_kind access = ACCESS_READ;

	unsigned long long va = strtoull(args, &end, 0);
	if (end == args) {
		say(o, "usage: monitor walk ADDR [read|write|fetch]  (a guest-virtual address)");
		return -1;
	}
	while (*end == ' ')
		end++;
	if (strcmp(end, "write") == 0)
		access = ACCESS_WRITE;
	else if (strcmp(end, "fetch") == 0)
		access = ACCESS_FETCH;
	else if (*end && strcmp(end, "read") != 0) {
		say(o, "monitor walk: '%s' is not read, write or fetch", end);
		return -1;
	}
	struct walk_trace t;
	struct s1_result res = { 0 };
	walk_cb cb = walk_trace_begin_to(&t, v, 1, va, access, "gdb", walk_line, (void *)o);
	int rc = sim_cpu_s1_walk(v->hal, va, access, &res, cb, &t);
	if (rc == 0 && res.leaf_size == 0) /* no leaf: no walk was made */
		say(o, "walk:   the guest's MMU is off: gpa = va");
	else
		walk_trace_end(&t, rc, res.gpa, res.fault, res.level);
	if (rc < 0 && res.fault != FAULT_PERMISSION)
		return 0;
	walk_trace_stage2_to(&t, res.gpa, access, "gdb");
	return 0;
}

/*
 * exits: one line per vCPU, the exits it handled so far by reason (the
 * counters --stats prints at the end), its exceptions taken inside the
 * guest, and the total of the exits.
 */
static int cmd_exits(struct vm *vm, const struct out *o)
{
	// LAB 7 BEGIN: the monitor command exits in cmd_exits()
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		char line[400];
		size_t n = (size_t)snprintf(line, sizeof(line), "vcpu %u:", v->id);
		uint64_t total = 0;
		for (int r = EXIT_MMIO; r < EXIT_REASON_COUNT && n < sizeof(line); r++) {
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%llu", exit_reason_name(r),
					      (unsigned long long)v->exits[r]);
			total += v->exits[r];
		}
		say(o, "%s guest-exceptions=%llu total=%llu", line,
		    (unsigned long long)v->guest_exceptions, (unsigned long long)total);
	}
	return 0;
	// LAB 7 STUB
	// (void)vm;
	// (void)o;
	// LAB_TODO(7, "the monitor command exits in cmd_exits() (labs/7-debugging/README.md)");
	// return -1;
	// LAB 7 END
}

static int cmd_vm(struct vm *vm, const struct out *o)
{
	char p[4];

	say(o, "vm %u (%s): %s, %s, %u vCPU%s, entry 0x%llx", vm->id, vm->name,
	    vm_state_name(vm->state), cv_arch_name(vm_arch_platform.arch), vm->nvcpus,
	    vm->nvcpus == 1 ? "" : "s", (unsigned long long)vm->entry);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		say(o, "  vcpu %u: %s, pc 0x%llx", v->id, vcpu_state_name(v->state),
		    (unsigned long long)vcpu_arch_pc(v));
	}
	say(o, "memory:");
	for (unsigned i = 0; i < vm->as.nregions; i++) {
		const struct as_region *r = &vm->as.regions[i];
		say(o, "  0x%09llx-0x%09llx %s %s %s", (unsigned long long)r->base,
		    (unsigned long long)(r->base + r->size - 1), r->kind == REGION_RAM ? "ram " : "mmio",
		    r->kind == REGION_RAM ? perm_text(r->perm, p) : "   ", r->name);
	}
	say(o, "devices:");
	for (unsigned i = 0; i < vm->bus.ndevs; i++) {
		const struct device *d = vm->bus.devs[i];
		say(o, "  %-10s mmio 0x%09llx-0x%09llx", d->name, (unsigned long long)d->base,
		    (unsigned long long)(d->base + d->size - 1));
	}
	for (unsigned i = 0; i < vm->ports.ndevs; i++) {
		const struct device *d = vm->ports.devs[i];
		say(o, "  %-10s port 0x%llx-0x%llx", d->name, (unsigned long long)d->base,
		    (unsigned long long)(d->base + d->size - 1));
	}
	return 0;
}

/*
 * s2: the stage-2 mappings of each region, as runs of pages that map
 * contiguously with the same permissions and memory type (read from the
 * tables themselves, as the hardware would).
 */
static int cmd_s2(struct vm *vm, const struct out *o)
{
	char p[4];

	say(o, "stage 2 of vm %u (%s), root register 0x%llx:", vm->id, vm->name,
	    (unsigned long long)stage2_root_register(&vm->as.s2, (uint16_t)vm->id));
	for (unsigned i = 0; i < vm->as.nregions; i++) {
		const struct as_region *r = &vm->as.regions[i];
		gpa_t gpa = r->base, end = r->base + r->size;
		while (gpa < end) {
			struct s2_result a, b;
			if (stage2_translate(&vm->as.s2, gpa, ACCESS_READ, &a, NULL, NULL) < 0) {
				gpa_t from = gpa;
				while (gpa < end && stage2_translate(&vm->as.s2, gpa, ACCESS_READ, &b, NULL, NULL) < 0)
					gpa += PAGE_SIZE;
				say(o, "  gpa 0x%09llx-0x%09llx unmapped (%s: %s)", (unsigned long long)from,
				    (unsigned long long)(gpa - 1), r->name,
				    r->kind == REGION_RAM ? "ram" : "device: every access exits");
				continue;
			}
			gpa_t from = gpa;
			hpa_t hpa = a.hpa;
			uint64_t step = a.leaf_size - (gpa & (a.leaf_size - 1));
			gpa += step;
			while (gpa < end && stage2_translate(&vm->as.s2, gpa, ACCESS_READ, &b, NULL, NULL) == 0 &&
			       b.hpa == hpa + (gpa - from) && b.perm == a.perm && b.memtype == a.memtype)
				gpa += b.leaf_size - (gpa & (b.leaf_size - 1));
			if (gpa > end)
				gpa = end;
			say(o, "  gpa 0x%09llx-0x%09llx -> hpa 0x%llx %s%s (%s)", (unsigned long long)from,
			    (unsigned long long)(gpa - 1), (unsigned long long)hpa, perm_text(a.perm, p),
			    a.memtype == S2_MEM_DEVICE ? " device" : "", r->name);
		}
	}
	return 0;
}

/* s2 dot FILE: the stage-2 tables as a Graphviz graph (tabledot.c). */
static int cmd_s2_dot(struct vm *vm, const char *args, const struct out *o)
{
	char err[300];

	if (strncmp(args, "dot ", 4) != 0 || !args[4]) {
		say(o, "usage: monitor s2 dot FILE");
		return -1;
	}
	if (hal_sim_s2_dot(vm, args + 4, err, sizeof(err)) < 0) {
		say(o, "monitor s2 dot: %s", err);
		return -1;
	}
	say(o, "stage-2 tables of vm %u written to %s (dot -Tsvg %s -o s2.svg)", vm->id, args + 4, args + 4);
	return 0;
}

/* s1 dot FILE: the guest's stage-1 tables, seen by the selected vCPU, as a Graphviz graph. */
static int cmd_s1_dot(struct vm *vm, unsigned vi, const char *args, const struct out *o)
{
	char err[300];

	if (strncmp(args, "dot ", 4) != 0 || !args[4]) {
		say(o, "usage: monitor s1 dot FILE");
		return -1;
	}
	if (hal_sim_s1_dot(vm->vcpus[vi], args + 4, err, sizeof(err)) < 0) {
		say(o, "monitor s1 dot: %s", err);
		return -1;
	}
	say(o, "stage-1 tables of vm %u vcpu %u written to %s (dot -Tsvg %s -o s1.svg)", vm->id, vi,
	    args + 4, args + 4);
	return 0;
}

/* trace on|off [exits|walks]: the VM's traces, from now on (both when not named). */
static int cmd_trace(struct vm *vm, const char *args, const struct out *o)
{
	// LAB 7 BEGIN: the monitor command trace in cmd_trace()
	char what[16] = "", which[16] = "";
	unsigned bits = TRACE_EXITS | TRACE_WALKS;

	if (sscanf(args, "%15s %15s", what, which) < 1 ||
	    (strcmp(what, "on") != 0 && strcmp(what, "off") != 0)) {
		say(o, "usage: monitor trace on|off [exits|walks]");
		return -1;
	}
	if (strcmp(which, "exits") == 0)
		bits = TRACE_EXITS;
	else if (strcmp(which, "walks") == 0)
		bits = TRACE_WALKS;
	else if (which[0]) {
		say(o, "monitor trace: '%s' is not exits or walks", which);
		return -1;
	}
	if (what[1] == 'n')
		vm->trace |= bits;
	else
		vm->trace &= ~bits;
	say(o, "trace of vm %u: exits %s, walks %s (on cvisor's stderr)", vm->id,
	    (vm->trace & TRACE_EXITS) ? "on" : "off", (vm->trace & TRACE_WALKS) ? "on" : "off");
	return 0;
	// LAB 7 STUB
	// (void)vm;
	// (void)args;
	// (void)o;
	// LAB_TODO(7, "the monitor command trace in cmd_trace() (labs/7-debugging/README.md)");
	// return -1;
	// LAB 7 END
}

static void help(const struct out *o)
{
	say(o, "cvisor's monitor commands (the selected thread is the vCPU they look through):");
	say(o, "  walk ADDR [read|write|fetch]  the guest's stage-1 walk of ADDR, then stage 2");
	say(o, "  exits                         exits handled so far, per vCPU and reason");
	say(o, "  vm                            the VM: vCPUs, memory regions, devices");
	say(o, "  s2                            the stage-2 mappings, GPA -> HPA");
	say(o, "  s2 dot FILE                   the stage-2 tables as a Graphviz graph, to FILE");
	say(o, "  s1 dot FILE                   the guest's stage-1 tables (lower half), the same way");
	say(o, "  trace on|off [exits|walks]    cvisor's traces of this VM, on its stderr");
}

int hal_sim_gdb_monitor(struct vm *vm, unsigned vcpu, const char *cmd,
			void (*fn)(const char *text, void *out_ctx), void *out_ctx)
{
	const struct out o = { fn, out_ctx };
	char word[16] = "";
	int n = 0;

	while (*cmd == ' ')
		cmd++;
	sscanf(cmd, "%15s%n", word, &n);
	const char *args = cmd + n;
	while (*args == ' ')
		args++;
	if (strcmp(word, "walk") == 0)
		return cmd_walk(vm, vcpu, args, &o);
	if (strcmp(word, "exits") == 0)
		return cmd_exits(vm, &o);
	if (strcmp(word, "vm") == 0)
		return cmd_vm(vm, &o);
	if (strcmp(word, "s2") == 0)
		return *args ? cmd_s2_dot(vm, args, &o) : cmd_s2(vm, &o);
	if (strcmp(word, "s1") == 0)
		return cmd_s1_dot(vm, vcpu, args, &o);
	if (strcmp(word, "trace") == 0)
		return cmd_trace(vm, args, &o);
	if (strcmp(word, "help") == 0 || word[0] == '\0') {
		help(&o);
		return 0;
	}
	say(&o, "unknown monitor command '%s'", word);
	help(&o);
	return -1;
}
