/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target "gdb_packet": the GDB remote serial protocol layer
 * (src/hal_sim/gdb_proto.c), fed what a hostile or broken gdb could send
 * on the stub's socket.
 *
 * Feeds: the input as the byte stream gdb sends ("+$qSupported:...#xx",
 *        0x03 for Ctrl-C), three times: as it is, against a fake target of
 *        3 threads; then with the checksum after each packet's '#' made
 *        right (so mutations reach the packet handlers, not only the
 *        checksum test), against 3 threads and against GDB_MAX_THREADS.
 * Runs:  gdb_rx_byte() on each byte; gdb_handle() on each packet;
 *        gdb_stop_reply() when the target was resumed and "stops" (at the
 *        next packet or Ctrl-C, as an all-stop target reports it);
 *        gdb_frame() on each reply and each O packet of monitor output.
 * Checks, beyond no crash (GDB manual, appendix E "Overview", "Packets"):
 *  - the receiver's packet is at most GDB_PACKET_MAX bytes, NUL-terminated;
 *  - a reply is at most GDB_PACKET_MAX bytes, NUL-terminated at its length,
 *    with no NUL inside; nothing is replied to a resume or a kill, "OK" to
 *    a detach; resume(), kill() and detach() are called exactly when the
 *    outcome says so;
 *  - a reply framed by gdb_frame() fits 2 * GDB_PACKET_MAX + 4 bytes, its
 *    data (escapes included) no longer than GDB_PACKET_MAX, escapes and
 *    checksum right; a fresh gdb_rx reads it back as one packet (keeping
 *    the '}' escapes: gdb_unescape() of it is the reply again);
 *  - the fake target sees threads 1..nthreads only, registers below
 *    nregs, memory lengths of 1..GDB_PACKET_MAX (reads at most half, their
 *    hex filling a reply), breakpoint types 0..4, resume actions it knows;
 *    its memory's guard bytes are never written;
 *  - the reply to m that is not an error is the hex of the fake memory at
 *    that address;
 *  - a stop reply is exactly "TxxREASONthread:N;" or "Wxx", shorter than
 *    the 128 bytes gdbstub.c gives it;
 *  - the session's Hg thread stays in 1..nthreads and its Hc thread in
 *    0..nthreads.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../src/hal_sim/gdb_proto.h"
#include "fuzz.h"

#define NREGS 7
#define MEM_BASE 0x40080000ULL /* where the guests are loaded */
#define PAGE 0x1000
#define NPAGES 5
#define HOLE_PAGE 3 /* three pages, a hole, a page: a read of more than a reply holds can succeed */
#define GUARD 64

/* x0..x3, cpsr, a vector register, one of the largest gdb_proto.c takes (64 bytes). */
static const int reg_size[NREGS] = { 8, 8, 8, 8, 4, 16, 64 };

/* A target description with characters gdb_frame() escapes, and one longer than a reply. */
static const char small_xml[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>aarch64</architecture><!-- $#}* --></target>";
static char big_xml[3 * GDB_PACKET_MAX / 4 + 1];

static struct fake {
	unsigned nthreads;
	uint8_t regs[GDB_MAX_THREADS][NREGS][64];
	struct {
		uint8_t lo[GUARD];
		uint8_t bytes[NPAGES * PAGE];
		uint8_t hi[GUARD];
	} mem;
	unsigned resumes, kills, detaches;
	enum gdb_action act[GDB_MAX_THREADS];
} F;

static void check_thread(unsigned thread, const char *what)
{
	FUZZ_CHECK(thread >= 1 && thread <= F.nthreads, "%s of thread %u (of %u)", what, thread,
		   F.nthreads);
}

static unsigned f_nthreads(void *ctx)
{
	(void)ctx;
	return F.nthreads;
}

static void f_thread_info(void *ctx, unsigned thread, char *buf, size_t size)
{
	(void)ctx;
	check_thread(thread, "thread_info");
	snprintf(buf, size, "vCPU %u, %s", thread - 1, thread % 2 ? "runnable" : "halted (WFI)");
}

static const char *f_xml(void *ctx, const char *annex)
{
	(void)ctx;
	FUZZ_CHECK(strlen(annex) < 64, "annex of %zu bytes", strlen(annex));
	if (strcmp(annex, "target.xml") == 0)
		return small_xml;
	if (strcmp(annex, "big.xml") == 0)
		return big_xml;
	return NULL;
}

static unsigned f_nregs(void *ctx)
{
	(void)ctx;
	return NREGS;
}

static int f_reg(void *ctx, unsigned thread, unsigned regno, uint8_t *buf, bool write)
{
	(void)ctx;
	check_thread(thread, "reg");
	/* Numbers may be sparse (RISC-V's CSRs are 65 + their number): the target refuses. */
	FUZZ_CHECK(regno <= 0xffff, "register %u", regno);
	if (regno >= NREGS)
		return -1;
	size_t n = (size_t)reg_size[regno];
	if (write)
		memcpy(F.regs[thread - 1][regno], buf, n);
	else
		memcpy(buf, F.regs[thread - 1][regno], n);
	return reg_size[regno];
}

/* The fake memory's offset of addr, or -1 where nothing is mapped. */
static long mem_offset(uint64_t addr)
{
	if (addr < MEM_BASE || addr - MEM_BASE >= sizeof(F.mem.bytes) ||
	    (addr - MEM_BASE) / PAGE == HOLE_PAGE)
		return -1;
	return (long)(addr - MEM_BASE);
}

static long f_mem(void *ctx, unsigned thread, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
	size_t done = 0;

	(void)ctx;
	check_thread(thread, "mem");
	FUZZ_CHECK(len >= 1 && len <= (write ? GDB_PACKET_MAX : GDB_PACKET_MAX / 2),
		   "%s of %zu bytes", write ? "memory write" : "memory read", len);
	while (done < len) {
		long off = mem_offset(addr + done);
		if (off < 0)
			break;
		size_t n = PAGE - (size_t)off % PAGE;
		n = n < len - done ? n : len - done;
		if (write)
			memcpy(F.mem.bytes + off, buf + done, n);
		else
			memcpy(buf + done, F.mem.bytes + off, n);
		done += n;
	}
	return done > 0 ? (long)done : -1;
}

/* Answers 0, -1 (not supported), -2 (no room) or -3 as the address's low bits say. */
static int f_point(void *ctx, unsigned type, uint64_t addr, uint64_t kind, bool insert)
{
	(void)ctx;
	(void)kind;
	(void)insert;
	FUZZ_CHECK(type <= 4, "breakpoint type %u", type);
	return -(int)(addr & 3);
}

static int f_set_pc(void *ctx, unsigned thread, uint64_t pc)
{
	(void)ctx;
	check_thread(thread, "set_pc");
	return pc & 3 ? -1 : 0;
}

static void f_resume(void *ctx, const enum gdb_action *act)
{
	(void)ctx;
	for (unsigned i = 0; i < F.nthreads; i++) {
		FUZZ_CHECK(act[i] == GDB_ACT_STOP || act[i] == GDB_ACT_CONTINUE ||
				   act[i] == GDB_ACT_STEP,
			   "action %d for thread %u", (int)act[i], i + 1);
		F.act[i] = act[i];
	}
	F.resumes++;
}

/* Echoes the command; "big" prints more than one O packet holds; "fail" fails. */
static int f_monitor(void *ctx, unsigned thread, const char *cmd,
		     void (*out)(const char *text, void *out_ctx), void *out_ctx)
{
	static char big[GDB_PACKET_MAX / 2 + 8];

	(void)ctx;
	check_thread(thread, "monitor");
	FUZZ_CHECK(strlen(cmd) < 512, "monitor command of %zu bytes", strlen(cmd));
	if (strcmp(cmd, "fail") == 0)
		return -1;
	if (strcmp(cmd, "big") == 0) {
		memset(big, '*', sizeof(big) - 1);
		out(big, out_ctx);
		return 0;
	}
	out(cmd, out_ctx);
	out("\n", out_ctx);
	return 0;
}

static void f_kill(void *ctx)
{
	(void)ctx;
	F.kills++;
}

static void f_detach(void *ctx)
{
	(void)ctx;
	F.detaches++;
}

static const struct gdb_target target = {
	.nthreads = f_nthreads,
	.thread_info = f_thread_info,
	.xml = f_xml,
	.nregs = f_nregs,
	.reg = f_reg,
	.mem = f_mem,
	.point = f_point,
	.set_pc = f_set_pc,
	.resume = f_resume,
	.monitor = f_monitor,
	.kill = f_kill,
	.detach = f_detach,
};

/* ---- The checks ---------------------------------------------------------------- */

/*
 * data[0..len) framed by gdb_frame(): '$', the data with '$', '#', '}' and
 * '*' escaped ('}', then the byte xor 0x20), '#' and the sum of what is
 * between as two hex digits, at most GDB_PACKET_MAX bytes of it (what the
 * stub's own receiver takes); checked here by hand. Then, for a reply of
 * up to 256 bytes, a fresh gdb_rx reads the frame back as one packet that
 * gdb_unescape() turns into data again (gdb_rx keeps the escapes). A longer
 * one skips that: tracing the receiver's comparisons on it byte by byte
 * took half the run and found nothing the stream itself does not reach.
 */
static void check_round_trip(const char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	static char frame[2 * GDB_PACKET_MAX + 4];
	static struct gdb_rx fresh;
	static uint8_t back[GDB_PACKET_MAX];
	uint8_t sum = 0;
	size_t j = 0;

	size_t n = gdb_frame(data, len, frame, sizeof(frame));
	FUZZ_CHECK(n >= len + 4 && n - 4 <= GDB_PACKET_MAX && frame[0] == '$' &&
			   frame[n - 3] == '#',
		   "a reply of %zu bytes framed in %zu", len, n);
	for (size_t i = 1; i < n - 3; i++, j++) {
		uint8_t c = (uint8_t)frame[i];
		FUZZ_CHECK(c != '$' && c != '#' && c != '*', "'%c' not escaped in a frame", c);
		sum = (uint8_t)(sum + c);
		if (c == '}') {
			FUZZ_CHECK(i + 1 < n - 3, "a frame ends in '}'");
			c = (uint8_t)frame[++i];
			sum = (uint8_t)(sum + c);
			c ^= 0x20;
		}
		FUZZ_CHECK(j < len && c == (uint8_t)data[j], "byte %zu of a reply framed wrong", j);
	}
	FUZZ_CHECK(j == len, "a frame of %zu bytes of %zu", j, len);
	FUZZ_CHECK(frame[n - 2] == hex[sum >> 4] && frame[n - 1] == hex[sum & 15],
		   "checksum %.2s, not %02x", frame + n - 2, sum);
	if (len > 256)
		return;

	/* Zeroed but for buf, whose 16 KiB are not worth clearing for each reply. */
	fresh.state = GDB_RX_IDLE;
	fresh.len = 0;
	fresh.overflow = false;
	fresh.sum = fresh.sent_sum = 0;
	for (size_t i = 0; i + 1 < n; i++)
		FUZZ_CHECK(gdb_rx_byte(&fresh, (uint8_t)frame[i]) == GDB_RX_NONE,
			   "byte %zu of a framed reply completes something", i);
	enum gdb_rx_event ev = gdb_rx_byte(&fresh, (uint8_t)frame[n - 1]);
	FUZZ_CHECK(ev == GDB_RX_PACKET, "a framed reply of %zu bytes reads back as event %d", n,
		   (int)ev);
	FUZZ_CHECK(fresh.len == n - 4, "a frame of %zu bytes holds %zu", n, fresh.len);
	long m = gdb_unescape(fresh.buf, fresh.len, back, sizeof(back));
	FUZZ_CHECK(m == (long)len && memcmp(back, data, len) == 0,
		   "a reply of %zu bytes reads back as %ld other bytes", len, m);
}

/* The value of a lowercase hex digit (is_hex() said it is one). */
static unsigned hex_value(char c)
{
	return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

static bool is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* An O packet of monitor output: "O" and hex, framed and read back. */
static void f_send(const char *data, size_t len, void *send_ctx)
{
	(void)send_ctx;
	FUZZ_CHECK(len >= 3 && len <= GDB_PACKET_MAX && len % 2 == 1 && data[0] == 'O' &&
			   is_hex(data + 1, len - 1),
		   "monitor output packet of %zu bytes", len);
	check_round_trip(data, len);
}

/* A non-error reply to "mADDR,LEN" is the hex of the fake memory from ADDR. */
static void check_read(const char *pkt, const char *text, size_t len)
{
	const char *p = pkt + 1;
	uint64_t addr;

	if (len == 0 || (len == 3 && text[0] == 'E'))
		return;
	FUZZ_CHECK(len % 2 == 0 && len <= GDB_PACKET_MAX && is_hex(text, len),
		   "reply to m of %zu bytes is not hex", len);
	FUZZ_CHECK(gdb_parse_hex(&p, &addr), "a read from no address answered");
	for (size_t i = 0; i < len / 2; i++) {
		uint8_t b;
		long off = mem_offset(addr + i);
		FUZZ_CHECK(off >= 0, "a read of unmapped 0x%llx answered",
			   (unsigned long long)(addr + i));
		b = (uint8_t)(hex_value(text[2 * i]) << 4 | hex_value(text[2 * i + 1]));
		FUZZ_CHECK(b == F.mem.bytes[off],
			   "byte 0x%llx read as %.2s", (unsigned long long)(addr + i),
			   text + 2 * i);
	}
}

/* The stop reply for st, computed here the way the manual's "Stop Reply Packets" put it. */
static void check_stop_reply(const struct gdb_stop *st, const char *text, size_t len)
{
	static const char *const watch[] = { "", "", "watch", "rwatch", "awatch" };
	char want[128];

	if (st->kind == GDB_STOP_EXITED)
		snprintf(want, sizeof(want), "W%02x", (unsigned)st->status & 0xff);
	else if (st->kind == GDB_STOP_WATCH)
		snprintf(want, sizeof(want), "T05%s:%llx;thread:%x;", watch[st->watch],
			 (unsigned long long)st->addr, st->thread);
	else
		snprintf(want, sizeof(want), "T%02x%sthread:%x;",
			 st->kind == GDB_STOP_BREAK ? 5 : st->signal,
			 st->kind == GDB_STOP_BREAK ? "swbreak:;" : "", st->thread);
	FUZZ_CHECK(len == strlen(text) && strcmp(text, want) == 0, "stop reply \"%s\", not \"%s\"",
		   text, want);
	FUZZ_CHECK(len < 128, "a stop reply of %zu bytes (gdbstub.c gives it 128)", len);
	check_round_trip(text, len);
}

/* ---- The session ---------------------------------------------------------------- */

static struct gdb_session S;
static struct gdb_rx rx;
static char reply[GDB_PACKET_MAX + 1];
static bool running;
static unsigned stops;

/*
 * The resumed target stops: the first thread stepping, else the first
 * continuing, else thread 1; why goes round the kinds of stop (a Ctrl-C
 * is SIGINT).
 */
static void target_stops(bool interrupt)
{
	struct gdb_stop st = { .kind = GDB_STOP_SIGNAL, .thread = 1, .signal = 5 };
	unsigned step = 0, cont = 0;

	for (unsigned i = F.nthreads; i-- > 0;) {
		if (F.act[i] == GDB_ACT_STEP)
			step = i + 1;
		if (F.act[i] == GDB_ACT_CONTINUE)
			cont = i + 1;
	}
	st.thread = step ? step : cont ? cont : 1;
	if (interrupt)
		st.signal = 2;
	else if (step == 0)
		switch (stops++ % 5) {
		case 0:
			st.kind = GDB_STOP_BREAK;
			break;
		case 1:
		case 2:
		case 3:
			st.kind = GDB_STOP_WATCH;
			st.watch = 2 + stops % 3;
			st.addr = MEM_BASE + 8 * stops;
			break;
		default:
			st.kind = GDB_STOP_EXITED;
			st.status = (int)stops;
			break;
		}
	size_t n = gdb_stop_reply(&S, &st, reply);
	check_stop_reply(&st, reply, n);
	memset(reply, 0x55, n + 1);
	running = false;
	if (st.kind == GDB_STOP_EXITED) /* gdb's inferior is gone: it connects again */
		gdb_session_init(&S, &target, f_send, NULL);
}

static void check_session(void)
{
	FUZZ_CHECK(S.g_thread >= 1 && S.g_thread <= F.nthreads, "Hg thread %u of %u", S.g_thread,
		   F.nthreads);
	FUZZ_CHECK(S.c_thread <= F.nthreads, "Hc thread %u of %u", S.c_thread, F.nthreads);
	for (unsigned i = 0; i < GUARD; i++)
		FUZZ_CHECK(F.mem.lo[i] == 0xa5 && F.mem.hi[i] == 0x5a,
			   "a guard byte of the fake memory was written");
}

static void handle_packet(void)
{
	size_t len = 0;
	unsigned resumes = F.resumes, kills = F.kills, detaches = F.detaches;

	FUZZ_CHECK(rx.len <= GDB_PACKET_MAX && rx.buf[rx.len] == '\0',
		   "a packet of %zu bytes, not terminated", rx.len);
	if (running)
		target_stops(false);
	enum gdb_outcome out = gdb_handle(&S, rx.buf, rx.len, reply, &len);
	FUZZ_CHECK(len <= GDB_PACKET_MAX && reply[len] == '\0' && strlen(reply) == len,
		   "a reply of %zu bytes, not terminated at its end", len);
	FUZZ_CHECK((F.resumes != resumes) == (out == GDB_RESUMED) && F.resumes - resumes <= 1,
		   "outcome %d after %u resumes", (int)out, F.resumes - resumes);
	FUZZ_CHECK((F.kills != kills) == (out == GDB_KILLED) && F.kills - kills <= 1,
		   "outcome %d after %u kills", (int)out, F.kills - kills);
	FUZZ_CHECK((F.detaches != detaches) == (out == GDB_DETACHED) && F.detaches - detaches <= 1,
		   "outcome %d after %u detaches", (int)out, F.detaches - detaches);
	FUZZ_CHECK(out != GDB_RESUMED || len == 0, "a resume replied \"%s\"", reply);
	FUZZ_CHECK(out != GDB_KILLED || len == 0, "a kill replied \"%s\"", reply);
	FUZZ_CHECK(out != GDB_DETACHED || strcmp(reply, "OK") == 0, "a detach replied \"%s\"",
		   reply);
	check_round_trip(reply, len);
	if (rx.len > 0 && rx.buf[0] == 'm' && out == GDB_REPLY)
		check_read(rx.buf, reply, len);
	/* The reply buffer is all 0x55 again, so an unterminated reply shows. */
	memset(reply, 0x55, len + 1);
	check_session();
	if (out == GDB_RESUMED)
		running = true;
	if (out == GDB_KILLED || out == GDB_DETACHED) { /* the connection closes; gdb comes back */
		running = false;
		gdb_session_init(&S, &target, f_send, NULL);
	}
}

/* The fake target as each run starts, and the documents, made once. */
static void make_templates(struct fake *t)
{
	for (unsigned i = 0; i < GDB_MAX_THREADS; i++)
		for (unsigned r = 0; r < NREGS; r++)
			for (unsigned j = 0; j < 64; j++)
				t->regs[i][r][j] = (uint8_t)(i * 16 + r + j);
	for (size_t i = 0; i < sizeof(t->mem.bytes); i++)
		t->mem.bytes[i] = (uint8_t)(i * 7);
	memset(t->mem.lo, 0xa5, GUARD);
	memset(t->mem.hi, 0x5a, GUARD);
	for (size_t i = 0; i < sizeof(big_xml) - 1; i++)
		big_xml[i] = "<$#}*>ab"[i % 8];
	memset(reply, 0x55, sizeof(reply));
}

/* Feeds the stream to a new session against a target of nthreads threads. */
static void run(const uint8_t *data, size_t size, unsigned nthreads)
{
	static struct fake template;
	static bool made;

	if (!made) {
		make_templates(&template);
		made = true;
	}
	F = template;
	F.nthreads = nthreads;
	rx.state = GDB_RX_IDLE;
	rx.len = 0;
	rx.overflow = false;
	rx.sum = rx.sent_sum = 0;
	running = false;
	stops = 0;
	gdb_session_init(&S, &target, f_send, NULL);

	for (size_t i = 0; i < size; i++) {
		enum gdb_rx_event ev = gdb_rx_byte(&rx, data[i]);
		FUZZ_CHECK(rx.len <= GDB_PACKET_MAX, "receiver holds %zu bytes", rx.len);
		if (ev == GDB_RX_PACKET)
			handle_packet();
		else if (ev == GDB_RX_INTERRUPT && running)
			target_stops(true);
	}
}

/*
 * The stream with each packet's checksum made right: the two bytes after
 * a packet's '#' (found as gdb_rx_byte() finds it) become the sum of its
 * data. Writes into out (size bytes).
 */
static void fix_checksums(const uint8_t *data, size_t size, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";
	bool in_packet = false;
	uint8_t sum = 0;

	memcpy(out, data, size);
	for (size_t i = 0; i < size; i++) {
		if (out[i] == '$') {
			in_packet = true;
			sum = 0;
		} else if (in_packet && out[i] == '#') {
			in_packet = false;
			if (i + 1 < size)
				out[i + 1] = (uint8_t)hex[sum >> 4];
			if (i + 2 < size)
				out[i + 2] = (uint8_t)hex[sum & 15];
			i += 2;
		} else if (in_packet) {
			sum = (uint8_t)(sum + out[i]);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t fixed[1 << 20];

	if (size > sizeof(fixed))
		return 0;
	run(data, size, 3);
	fix_checksums(data, size, fixed);
	run(fixed, size, 3);
	run(fixed, size, GDB_MAX_THREADS);
	return 0;
}
