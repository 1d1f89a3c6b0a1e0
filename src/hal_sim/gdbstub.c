/* SPDX-License-Identifier: MIT */
/*
 * The gdb stub (--gdb=[HOST:]PORT): gdb attaches to the first VM of a run
 * as it attaches to QEMU's -gdb. The protocol itself is gdb_proto.c; this
 * file is the VM behind it, and the socket.
 *
 * All-stop, as QEMU does it: when one vCPU stops (a breakpoint, a
 * watchpoint, the end of a step) or gdb sends Ctrl-C, every vCPU of the
 * VM is held, and gdb is told once all are. A vCPU is held only where its
 * registers are saved and nothing of it runs:
 *
 *   vCPU thread (run loop)                     stub thread
 *   hal_vcpu_run -> hal_sim_gdb_run            poll(socket, 100 ms)
 *     gate: parked while held  <------------   pause: held = true, kick all,
 *     sim_cpu_run (one instruction if             wait until every vCPU parked
 *                 stepping)                    answer packets (registers, memory,
 *     a debug event: stop_report() --------->     breakpoints) while they are parked
 *   hal_vcpu_wait -> hal_sim_gdb_wait          resume: actions per vCPU, held = false
 *     gate, wait, gate
 *
 * Other VMs of the run never wait for the stub. A time limit, SIGINT or
 * the VM's own end stops a held VM too: parked vCPUs look at vm_running()
 * at least every 100 ms.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/vm.h>
#include <cvisor/walk.h>

#include "../sim/sim.h"
#include "gdb_proto.h"
#include "hal_sim.h"

/* How often a held vCPU, and the stub, look at whether the VM still runs. */
#define GDB_POLL_MS 100

struct gdb_stub {
	struct vm *vm;
	int listen_fd;
	int conn_fd;                 /* -1 while no gdb is connected */
	pthread_t thread;
	bool thread_ok;
	volatile bool quit;          /* hal_sim_gdb_stop(): end the stub thread */
	bool killed;                 /* gdb sent k: it expects nothing more */
	char where[80];              /* "127.0.0.1:1234" */

	pthread_mutex_t lock;        /* everything below */
	pthread_cond_t cv;           /* parked vCPUs and the pausing stub wait on it */
	bool held;                   /* the debugger holds the VM (all-stop) */
	unsigned epoch;              /* counts pauses: a vCPU parked in this one has parked_in == epoch */
	enum gdb_action act[VM_MAX_VCPUS]; /* what each vCPU does while not held */
	bool parked[VM_MAX_VCPUS];
	unsigned parked_in[VM_MAX_VCPUS];
	bool step_done[VM_MAX_VCPUS];      /* a step ended in an exit: report it after the exit */
	struct gdb_stop stop;        /* why the VM was held last: what gdb is told */

	struct gdb_rx rx;
	struct gdb_target target;    /* target_ops with this stub as its ctx */
	struct gdb_session session;
	char last[GDB_PACKET_MAX * 2 + 8]; /* the last packet sent, framed (for a '-') */
	size_t last_len;
};

static struct gdb_stub *stub;

static struct sim_cpu *cpu_of(const struct gdb_stub *g, unsigned thread)
{
	return g->vm->vcpus[thread - 1]->hal;
}

/* ---- The vCPUs' side ---------------------------------------------------------- */

static void timed_wait(struct gdb_stub *g)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += GDB_POLL_MS * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&g->cv, &g->lock, &t);
}

/* Parks vCPU i while the VM is held or gdb left it stopped (lock held). */
static void gate(struct gdb_stub *g, unsigned i)
{
	while (vm_running(g->vm) && (g->held || g->act[i] == GDB_ACT_STOP)) {
		if (!g->parked[i] || g->parked_in[i] != g->epoch) {
			g->parked[i] = true;
			g->parked_in[i] = g->epoch;
			pthread_cond_broadcast(&g->cv);
		}
		timed_wait(g);
	}
	g->parked[i] = false;
}

/* Holds every vCPU: they park at their next gate (lock held). */
static void hold_all(struct gdb_stub *g)
{
	g->held = true;
	g->epoch++;
	for (unsigned j = 0; j < g->vm->nvcpus; j++)
		sim_cpu_kick(g->vm->vcpus[j]->hal);
	pthread_cond_broadcast(&g->cv);
}

/*
 * vCPU i stopped for the debugger (lock held): the first stop since gdb
 * resumed the VM is the one gdb hears of; the VM is held. A later one in
 * the same instant is dropped: a breakpoint is hit again when its vCPU
 * goes on, as on hardware.
 */
static void stop_report(struct gdb_stub *g, unsigned i, const struct sim_debug_event *ev)
{
	if (g->held)
		return;
	struct gdb_stop st = { .kind = GDB_STOP_SIGNAL, .thread = i + 1, .signal = 5 };
	if (ev->kind == SIM_DEBUG_BREAK)
		st.kind = GDB_STOP_BREAK;
	if (ev->kind == SIM_DEBUG_WATCH) {
		st.kind = GDB_STOP_WATCH;
		st.watch = ev->watch;
		st.addr = ev->data_addr;
	}
	g->stop = st;
	hold_all(g);
}

int hal_sim_gdb_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct gdb_stub *g = stub;
	struct sim_cpu *c = vcpu->hal;
	unsigned i = vcpu->id;
	struct sim_debug_event ev = { .kind = SIM_DEBUG_STEP };
	int rc = 0;

	if (!g || vcpu->vm != g->vm)
		return sim_cpu_run(c, exit);
	pthread_mutex_lock(&g->lock);
	if (g->step_done[i]) {
		/* A step that ended in an exit: the exit is handled, report the step. */
		g->step_done[i] = false;
		stop_report(g, i, &ev);
	}
	for (;;) {
		gate(g, i);
		if (!vm_running(g->vm)) {
			memset(exit, 0, sizeof(*exit));
			break;
		}
		bool step = g->act[i] == GDB_ACT_STEP;
		pthread_mutex_unlock(&g->lock);
		sim_cpu_set_step(c, step);
		rc = sim_cpu_run(c, exit);
		sim_cpu_debug_event(c, &ev);
		pthread_mutex_lock(&g->lock);
		if (ev.kind == SIM_DEBUG_NONE)
			break;
		if (ev.kind == SIM_DEBUG_STEP && exit->reason != EXIT_NONE) {
			g->step_done[i] = true;
			break;
		}
		stop_report(g, i, &ev);
		if (exit->reason != EXIT_NONE || rc < 0)
			break; /* the core handles it first; the vCPU parks at its next run */
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void hal_sim_gdb_wait(struct vcpu *vcpu, uint64_t deadline)
{
	struct gdb_stub *g = stub;

	if (!g || vcpu->vm != g->vm) {
		sim_cpu_wait(vcpu->hal, deadline);
		return;
	}
	/* Waiting (WFI, HLT, off) is a place to be held: the registers are saved. */
	pthread_mutex_lock(&g->lock);
	gate(g, vcpu->id);
	pthread_mutex_unlock(&g->lock);
	sim_cpu_wait(vcpu->hal, deadline);
	pthread_mutex_lock(&g->lock);
	gate(g, vcpu->id);
	pthread_mutex_unlock(&g->lock);
}

/* ---- The stub's side: holding and resuming the VM ------------------------------ */

/* True once every vCPU is parked in the current pause, or the VM ended (lock held). */
static bool all_parked(const struct gdb_stub *g)
{
	if (!vm_running(g->vm))
		return true;
	for (unsigned j = 0; j < g->vm->nvcpus; j++)
		if (!g->parked[j] || g->parked_in[j] != g->epoch)
			return false;
	return true;
}

/* Holds the VM and waits until every vCPU is parked (lock held). */
static void pause_vm(struct gdb_stub *g)
{
	if (!g->held)
		hold_all(g);
	while (!all_parked(g))
		timed_wait(g);
}

/* ---- The target gdb_proto.c answers for ------------------------------------------ */

static unsigned t_nthreads(void *ctx)
{
	const struct gdb_stub *g = ctx;
	return g->vm->nvcpus;
}

static void t_thread_info(void *ctx, unsigned thread, char *buf, size_t size)
{
	const struct gdb_stub *g = ctx;
	const struct vcpu *v = g->vm->vcpus[thread - 1];

	snprintf(buf, size, "vm %s, vCPU %u, %s", g->vm->name, v->id, vcpu_state_name(v->state));
}

static const char *t_xml(void *ctx, const char *annex)
{
	(void)ctx;
	return sim_gdb_xml(annex);
}

static unsigned t_nregs(void *ctx)
{
	(void)ctx;
	return sim_gdb_nregs();
}

static int t_reg(void *ctx, unsigned thread, unsigned regno, uint8_t *buf, bool write)
{
	return sim_gdb_reg(cpu_of(ctx, thread), regno, buf, write);
}

/*
 * Guest-virtual memory as the vCPU sees it: the guest's stage 1 (with its
 * permissions ignored: a debugger reads what the kernel could map), then
 * the VM's RAM. Devices are never read or written: an access has effects.
 * Page by page, as far as the first page that cannot be reached.
 */
static long t_mem(void *ctx, unsigned thread, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
	struct gdb_stub *g = ctx;
	struct sim_cpu *c = cpu_of(g, thread);
	size_t done = 0;

	while (done < len) {
		uint64_t va = addr + done;
		size_t n = MIN(len - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		struct s1_result res;
		if (sim_cpu_s1_walk(c, va, ACCESS_READ, &res, NULL, NULL) < 0)
			break;
		int rc = write ? addrspace_write(&g->vm->as, res.gpa, buf + done, n)
			       : addrspace_read(&g->vm->as, res.gpa, buf + done, n);
		if (rc < 0)
			break;
		done += n;
	}
	if (write && done > 0)
		for (unsigned j = 0; j < g->vm->nvcpus; j++)
			sim_cpu_code_written(g->vm->vcpus[j]->hal);
	return done > 0 ? (long)done : -1;
}

/* Z0..Z4 on every vCPU (gdb's breakpoints are the VM's). -1: not supported, -2: no room. */
static int t_point(void *ctx, unsigned type, uint64_t addr, uint64_t kind, bool insert)
{
	struct gdb_stub *g = ctx;
	int rc = 0;

	for (unsigned j = 0; j < g->vm->nvcpus && rc == 0; j++) {
		struct sim_cpu *c = g->vm->vcpus[j]->hal;
		if (type <= 1)
			rc = sim_cpu_breakpoint(c, addr, insert);
		else
			rc = sim_cpu_watchpoint(c, addr, kind, (enum sim_watch_kind)type, insert);
		/* One already there, or already gone, is what gdb wanted. */
		if (rc == -CV_EEXIST || rc == -CV_ENOENT)
			rc = 0;
	}
	return rc == 0 ? 0 : rc == -CV_ENOMEM ? -2 : -3;
}

static int t_set_pc(void *ctx, unsigned thread, uint64_t pc)
{
	uint8_t buf[SIM_GDB_REG_MAX];

	memcpy(buf, &pc, sizeof(pc)); /* little-endian host and guests */
	return sim_gdb_reg(cpu_of(ctx, thread), sim_gdb_pc_regno(), buf, true) == 8 ? 0 : -1;
}

static void t_resume(void *ctx, const enum gdb_action *act)
{
	struct gdb_stub *g = ctx;

	pthread_mutex_lock(&g->lock);
	for (unsigned j = 0; j < g->vm->nvcpus; j++)
		g->act[j] = act[j];
	g->held = false;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->lock);
}

static void t_kill(void *ctx)
{
	struct gdb_stub *g = ctx;

	g->killed = true;
	vm_stop(g->vm, VM_FAILED, "killed from gdb (k)");
}

static void t_detach(void *ctx)
{
	struct gdb_stub *g = ctx;
	enum gdb_action act[VM_MAX_VCPUS];

	for (unsigned j = 0; j < g->vm->nvcpus; j++) {
		sim_cpu_debug_clear(g->vm->vcpus[j]->hal);
		act[j] = GDB_ACT_CONTINUE;
	}
	t_resume(g, act);
}

static int t_monitor(void *ctx, unsigned thread, const char *cmd,
		     void (*out)(const char *text, void *out_ctx), void *out_ctx)
{
	struct gdb_stub *g = ctx;

	return hal_sim_gdb_monitor(g->vm, thread - 1, cmd, out, out_ctx);
}

static const struct gdb_target target_ops = {
	.nthreads = t_nthreads,
	.thread_info = t_thread_info,
	.xml = t_xml,
	.nregs = t_nregs,
	.reg = t_reg,
	.mem = t_mem,
	.point = t_point,
	.set_pc = t_set_pc,
	.resume = t_resume,
	.monitor = t_monitor,
	.kill = t_kill,
	.detach = t_detach,
};

/* ---- The connection ------------------------------------------------------------ */

static bool send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Sends one packet (framed), keeping it for a resend. */
static void send_packet(const char *data, size_t len, void *ctx)
{
	struct gdb_stub *g = ctx;

	g->last_len = gdb_frame(data, len, g->last, sizeof(g->last));
	if (g->conn_fd >= 0 && g->last_len && !send_all(g->conn_fd, g->last, g->last_len)) {
		close(g->conn_fd);
		g->conn_fd = -1;
	}
}

/* Tells gdb why the VM stopped (lock held: every vCPU parked). */
static void send_stop(struct gdb_stub *g, const struct gdb_stop *st)
{
	char reply[128];
	size_t n = gdb_stop_reply(&g->session, st, reply);

	send_packet(reply, n, g);
}

/* The VM ended while gdb was attached: W00 for a power-off, X09 (killed) otherwise. */
static void send_exit(struct gdb_stub *g)
{
	const char *msg = g->vm->state == VM_OFF ? "W00" : "X09";

	send_packet(msg, 3, g);
}

/* One packet from gdb; returns false when the connection ends. */
static bool on_packet(struct gdb_stub *g, bool *running)
{
	static char reply[GDB_PACKET_MAX + 1];
	size_t len;

	if (!g->session.no_ack && !send_all(g->conn_fd, "+", 1))
		return false;
	/*
	 * While the VM runs gdb sends nothing but Ctrl-C (all-stop); a packet
	 * now would touch vCPUs that run, and its answer would be taken for
	 * the stop reply: it is acknowledged and dropped.
	 */
	if (*running)
		return true;
	enum gdb_outcome out = gdb_handle(&g->session, g->rx.buf, g->rx.len, reply, &len);
	switch (out) {
	case GDB_REPLY:
	case GDB_DETACHED:
		send_packet(reply, len, g);
		return out == GDB_REPLY;
	case GDB_RESUMED:
		*running = true;
		return true;
	case GDB_KILLED:
		return false;
	}
	return false;
}

/* Bytes from gdb; returns false when the connection ends. */
static bool on_input(struct gdb_stub *g, bool *running)
{
	uint8_t buf[4096];
	ssize_t n = recv(g->conn_fd, buf, sizeof(buf), 0);

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	for (ssize_t k = 0; k < n; k++) {
		switch (gdb_rx_byte(&g->rx, buf[k])) {
		case GDB_RX_PACKET:
			if (!on_packet(g, running))
				return false;
			break;
		case GDB_RX_BAD_CHECKSUM:
			if (!g->session.no_ack && !send_all(g->conn_fd, "-", 1))
				return false;
			break;
		case GDB_RX_TOO_LONG:
			/* Acknowledged, and refused: resending it would not help. */
			if (!g->session.no_ack && !send_all(g->conn_fd, "+", 1))
				return false;
			send_packet("E16", 3, g);
			break;
		case GDB_RX_INTERRUPT:
			if (*running) {
				pthread_mutex_lock(&g->lock);
				if (!g->held) {
					g->stop = (struct gdb_stop){ .kind = GDB_STOP_SIGNAL,
								     .thread = g->session.g_thread,
								     .signal = 2 };
					hold_all(g);
				}
				pthread_mutex_unlock(&g->lock);
			}
			break;
		case GDB_RX_NAK:
			if (g->last_len && !send_all(g->conn_fd, g->last, g->last_len))
				return false;
			break;
		case GDB_RX_ACK:
		case GDB_RX_NONE:
			break;
		}
	}
	return g->conn_fd >= 0;
}

/*
 * One gdb connection: the VM is held when gdb attaches (as QEMU stops
 * the machine), answers packets while it is held, and while it runs
 * watches both gdb (Ctrl-C) and the vCPUs (a stop to report).
 */
static void serve(struct gdb_stub *g)
{
	bool running = false;

	memset(&g->rx, 0, sizeof(g->rx));
	g->killed = false;
	g->target = target_ops;
	g->target.ctx = g;
	gdb_session_init(&g->session, &g->target, send_packet, g);
	pthread_mutex_lock(&g->lock);
	pause_vm(g);
	pthread_mutex_unlock(&g->lock);
	while (!g->quit && g->conn_fd >= 0) {
		if (!vm_running(g->vm))
			break;
		if (running) {
			pthread_mutex_lock(&g->lock);
			if (g->held && all_parked(g) && vm_running(g->vm)) {
				struct gdb_stop st = g->stop;
				running = false;
				send_stop(g, &st);
			}
			pthread_mutex_unlock(&g->lock);
		}
		struct pollfd p = { .fd = g->conn_fd, .events = POLLIN };
		int rc = poll(&p, 1, running ? 10 : GDB_POLL_MS);
		if (rc > 0 && !on_input(g, &running))
			break;
	}
	if (g->conn_fd >= 0 && !vm_running(g->vm) && !g->killed)
		send_exit(g);
	if (g->conn_fd >= 0)
		close(g->conn_fd);
	g->conn_fd = -1;
	/* Gone without D (closed, killed, lost): the VM goes on without breakpoints. */
	if (vm_running(g->vm)) {
		pthread_mutex_lock(&g->lock);
		pause_vm(g);
		pthread_mutex_unlock(&g->lock);
		t_detach(g);
	}
}

static void *stub_thread(void *arg)
{
	struct gdb_stub *g = arg;
	sigset_t all;

	sigfillset(&all); /* SIGINT and SIGTERM are the watchdog's (run.c) */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!g->quit && vm_running(g->vm)) {
		struct pollfd p = { .fd = g->listen_fd, .events = POLLIN };
		if (poll(&p, 1, GDB_POLL_MS) <= 0)
			continue;
		int fd = accept(g->listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		hal_sim_console_note("cvisor: gdb attached to vm %u (%s)", g->vm->id, g->vm->name);
		g->conn_fd = fd;
		serve(g);
		hal_sim_console_note("cvisor: gdb detached from vm %u (%s)", g->vm->id, g->vm->name);
	}
	return NULL;
}

/*
 * "[HOST:]PORT" into a listening socket. HOST is a name or an IPv4/IPv6
 * address (an IPv6 one in brackets: [::1]:1234); without it, 127.0.0.1:
 * another machine reaches the stub only when asked for, since whoever
 * connects can read and write the guest's memory.
 */
static int listen_on(const char *addr, char *where, size_t size)
{
	char host[256] = "127.0.0.1";
	const char *port = addr;
	const char *colon = strrchr(addr, ':');

	if (colon) {
		size_t n = (size_t)(colon - addr);
		if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
			addr++;
			n -= 2;
		}
		if (n == 0 || n >= sizeof(host)) {
			fprintf(stderr, "cvisor: --gdb=%s: no host before ':'\n", addr);
			return -1;
		}
		memcpy(host, addr, n);
		host[n] = '\0';
		port = colon + 1;
	}
	char *end;
	long pn = strtol(port, &end, 10);
	if (!*port || *end || pn < 0 || pn > 65535) {
		fprintf(stderr, "cvisor: --gdb: '%s' is not a port number (0 to 65535; 0 picks a free one)\n",
			port);
		return -1;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "cvisor: --gdb: host '%s': %s\n", host, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	int err = 0;
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 1) < 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "cvisor: --gdb: cannot listen on %s:%s: %s\n", host, port, strerror(err));
		return -1;
	}
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char numhost[64] = "?";
	char numport[16] = "?";
	if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		getnameinfo((struct sockaddr *)&sa, len, numhost, sizeof(numhost), numport,
			    sizeof(numport), NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(where, size, strchr(numhost, ':') ? "[%s]:%s" : "%s:%s", numhost, numport);
	return fd;
}

int hal_sim_gdb_start(struct vm *vm, const char *addr, bool wait)
{
	struct gdb_stub *g = calloc(1, sizeof(*g));

	if (!g) {
		fprintf(stderr, "cvisor: --gdb: out of memory\n");
		return -1;
	}
	if (vm->nvcpus > GDB_MAX_THREADS) {
		fprintf(stderr, "cvisor: --gdb: vm %s has more vCPUs than the stub shows (%d)\n",
			vm->name, GDB_MAX_THREADS);
		free(g);
		return -1;
	}
	g->listen_fd = listen_on(addr, g->where, sizeof(g->where));
	if (g->listen_fd < 0) {
		free(g);
		return -1;
	}
	g->vm = vm;
	g->conn_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cv, NULL);
	for (unsigned j = 0; j < vm->nvcpus; j++)
		g->act[j] = GDB_ACT_CONTINUE;
	/* --gdb-wait: held before the first instruction, until gdb resumes it. */
	g->held = wait;
	fprintf(stderr, "cvisor: gdb stub for vm %u (%s) on %s%s: gdb-multiarch -ex 'target remote %s'\n",
		vm->id, vm->name, g->where, wait ? ", waiting for gdb" : "", g->where);
	stub = g;
	g->thread_ok = pthread_create(&g->thread, NULL, stub_thread, g) == 0;
	if (!g->thread_ok) {
		fprintf(stderr, "cvisor: --gdb: no thread for the stub\n");
		stub = NULL;
		close(g->listen_fd);
		free(g);
		return -1;
	}
	return 0;
}

void hal_sim_gdb_stop(void)
{
	struct gdb_stub *g = stub;

	if (!g)
		return;
	g->quit = true;
	if (g->thread_ok)
		pthread_join(g->thread, NULL);
	close(g->listen_fd);
	stub = NULL;
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
