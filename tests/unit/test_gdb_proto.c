/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote serial protocol layer (src/hal_sim/gdb_proto.c) against a
 * fake target: framing of the byte stream, the escapes and checksum of a
 * framed reply, and the exact reply to each packet gdb sends, good or bad
 * (GDB manual, appendix E "GDB Remote Serial Protocol": "Overview",
 * "Packets", "Stop Reply Packets", "General Query Packets").
 *
 * The fake target has 4 threads of 5 registers (four of 8 bytes, one of 4,
 * as AArch64's x registers and cpsr), 4 pages of memory at 0x40000000 of
 * which the third is a hole, and records what the protocol asks of it:
 * breakpoints, resume actions, PC writes, monitor commands, kill, detach.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/hal_sim/gdb_proto.h"

/* ---- The fake target ---------------------------------------------------------- */

#define NTHREADS 4
#define NREGS 5
#define MEM_BASE 0x40000000ULL
#define PAGE 0x1000
#define NPAGES 4
#define HOLE_PAGE 2 /* 0x40002000..0x40002fff is not mapped */
#define MAX_POINTS 16
#define MAX_SENT 8

static const int reg_size[NREGS] = { 8, 8, 8, 8, 4 };

/* Target descriptions: a short one (53 bytes), and one longer than a reply (0x3000 bytes). */
static const char small_xml[] = "<target><architecture>aarch64</architecture></target>";
static char big_xml[0x3000 + 1];

struct point_call {
	unsigned type;
	uint64_t addr, kind;
	bool insert;
};

static struct fake {
	uint8_t regs[NTHREADS][NREGS][8];
	uint8_t mem[NPAGES * PAGE];
	unsigned reg_thread; /* the thread of the last reg() */
	unsigned mem_thread;
	size_t mem_len; /* the length of the last mem() */
	unsigned mem_calls;
	struct point_call points[MAX_POINTS];
	unsigned npoints;
	int point_rc;
	enum gdb_action act[GDB_MAX_THREADS];
	unsigned resumes;
	unsigned pc_thread;
	uint64_t pc;
	unsigned set_pcs;
	char monitor_cmd[600];
	unsigned monitor_thread;
	unsigned kills, detaches;
	char sent[MAX_SENT][GDB_PACKET_MAX + 1]; /* the O packets, in order */
	size_t sent_len[MAX_SENT];
	unsigned nsent;
} F;

static struct gdb_session S;
static char reply[GDB_PACKET_MAX + 1];
static size_t reply_len;

static void check_thread(unsigned thread)
{
	assert_in_range(thread, 1, NTHREADS);
}

static unsigned f_nthreads(void *ctx)
{
	assert_ptr_equal(ctx, &F);
	return NTHREADS;
}

static void f_thread_info(void *ctx, unsigned thread, char *buf, size_t size)
{
	(void)ctx;
	check_thread(thread);
	snprintf(buf, size, "vCPU %u, runnable", thread - 1);
}

static const char *f_xml(void *ctx, const char *annex)
{
	(void)ctx;
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
	check_thread(thread);
	F.reg_thread = thread;
	if (regno >= NREGS)
		return -1;
	if (write)
		memcpy(F.regs[thread - 1][regno], buf, (size_t)reg_size[regno]);
	else
		memcpy(buf, F.regs[thread - 1][regno], (size_t)reg_size[regno]);
	return reg_size[regno];
}

/* Page by page from addr, up to the first page that is not mapped, as gdbstub.c's t_mem(). */
static long f_mem(void *ctx, unsigned thread, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
	size_t done = 0;

	(void)ctx;
	check_thread(thread);
	F.mem_thread = thread;
	F.mem_len = len;
	F.mem_calls++;
	while (done < len) {
		uint64_t off = addr + done - MEM_BASE;
		if (addr + done < MEM_BASE || off >= sizeof(F.mem) || off / PAGE == HOLE_PAGE)
			break;
		size_t n = len - done < PAGE - off % PAGE ? len - done : PAGE - off % PAGE;
		if (write)
			memcpy(F.mem + off, buf + done, n);
		else
			memcpy(buf + done, F.mem + off, n);
		done += n;
	}
	return done > 0 ? (long)done : -1;
}

static int f_point(void *ctx, unsigned type, uint64_t addr, uint64_t kind, bool insert)
{
	(void)ctx;
	assert_true(F.npoints < MAX_POINTS);
	F.points[F.npoints++] = (struct point_call){ type, addr, kind, insert };
	return F.point_rc;
}

static int f_set_pc(void *ctx, unsigned thread, uint64_t pc)
{
	(void)ctx;
	check_thread(thread);
	F.pc_thread = thread;
	F.pc = pc;
	F.set_pcs++;
	return pc == 0xbad ? -1 : 0;
}

static void f_resume(void *ctx, const enum gdb_action *act)
{
	(void)ctx;
	memcpy(F.act, act, NTHREADS * sizeof(*act));
	F.resumes++;
}

/* Echoes the command; "fail" fails, "big" prints 0x2000 'x' (two O packets). */
static int f_monitor(void *ctx, unsigned thread, const char *cmd,
		     void (*out)(const char *text, void *out_ctx), void *out_ctx)
{
	(void)ctx;
	check_thread(thread);
	F.monitor_thread = thread;
	snprintf(F.monitor_cmd, sizeof(F.monitor_cmd), "%s", cmd);
	if (strcmp(cmd, "fail") == 0)
		return -1;
	if (strcmp(cmd, "big") == 0) {
		static char text[0x2000 + 1];
		memset(text, 'x', 0x2000);
		out(text, out_ctx);
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
	.ctx = &F,
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

static void f_send(const char *data, size_t len, void *send_ctx)
{
	assert_ptr_equal(send_ctx, &F);
	assert_true(F.nsent < MAX_SENT);
	assert_true(len <= GDB_PACKET_MAX);
	memcpy(F.sent[F.nsent], data, len);
	F.sent[F.nsent][len] = '\0';
	F.sent_len[F.nsent++] = len;
}

/*
 * Register r of thread t holds 0x11223344556677xy, x = t (1-based) and
 * y = r, little-endian: "xy77665544332211" in a g reply (the 4-byte one
 * "xy776655").
 */
static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	for (unsigned t = 0; t < NTHREADS; t++)
		for (unsigned r = 0; r < NREGS; r++) {
			uint64_t v = 0x1122334455667700ULL | (t + 1) << 4 | r;
			for (unsigned i = 0; i < 8; i++)
				F.regs[t][r][i] = (uint8_t)(v >> (8 * i));
		}
	for (size_t i = 0; i < sizeof(F.mem); i++)
		F.mem[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(big_xml) - 1; i++)
		big_xml[i] = (char)('a' + i % 26);
	gdb_session_init(&S, &target, f_send, &F);
	return 0;
}

/* ---- Helpers ---------------------------------------------------------------- */

/* Answers pkt[0..len), copied NUL-terminated as gdb_rx gives it; checks the outcome. */
static const char *ask_bin(const char *pkt, size_t len, enum gdb_outcome want)
{
	static char buf[GDB_PACKET_MAX + 1];

	assert_true(len <= GDB_PACKET_MAX);
	memcpy(buf, pkt, len);
	buf[len] = '\0';
	memset(reply, 0x55, sizeof(reply));
	assert_int_equal(gdb_handle(&S, buf, len, reply, &reply_len), want);
	assert_true(reply_len <= GDB_PACKET_MAX);
	assert_int_equal(reply[reply_len], '\0');
	assert_int_equal(strlen(reply), reply_len);
	return reply;
}

/* The reply to a text packet that is answered (not a resume, detach or kill). */
static const char *ask(const char *pkt)
{
	return ask_bin(pkt, strlen(pkt), GDB_REPLY);
}

/* Feeds n bytes; every one but the last must complete nothing. Returns the last one's event. */
static enum gdb_rx_event feed(struct gdb_rx *rx, const char *bytes, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		assert_int_equal(gdb_rx_byte(rx, (uint8_t)bytes[i]), GDB_RX_NONE);
	return gdb_rx_byte(rx, (uint8_t)bytes[n - 1]);
}

static enum gdb_rx_event feeds(struct gdb_rx *rx, const char *bytes)
{
	return feed(rx, bytes, strlen(bytes));
}

static void assert_point(unsigned i, unsigned type, uint64_t addr, uint64_t kind, bool insert)
{
	assert_true(i < F.npoints);
	assert_int_equal(F.points[i].type, type);
	assert_int_equal(F.points[i].addr, addr);
	assert_int_equal(F.points[i].kind, kind);
	assert_int_equal(F.points[i].insert, insert);
}

static void assert_acts(enum gdb_action a1, enum gdb_action a2, enum gdb_action a3,
			enum gdb_action a4)
{
	assert_int_equal(F.act[0], a1);
	assert_int_equal(F.act[1], a2);
	assert_int_equal(F.act[2], a3);
	assert_int_equal(F.act[3], a4);
}

/* ---- Framing ------------------------------------------------------------------ */

static void test_rx_good_packet(void **state)
{
	struct gdb_rx rx = { 0 };

	(void)state;
	assert_int_equal(feeds(&rx, "$g#67"), GDB_RX_PACKET);
	assert_int_equal(rx.len, 1);
	assert_string_equal(rx.buf, "g");
	assert_int_equal(feeds(&rx, "$m0,4#FD"), GDB_RX_PACKET); /* upper-case digits */
	assert_int_equal(rx.len, 4);
	assert_string_equal(rx.buf, "m0,4");
	assert_int_equal(feeds(&rx, "$#00"), GDB_RX_PACKET);
	assert_int_equal(rx.len, 0);
	assert_string_equal(rx.buf, "");
	/* Line noise between packets is ignored. */
	assert_int_equal(feeds(&rx, "xyz\n$g#67"), GDB_RX_PACKET);
	assert_string_equal(rx.buf, "g");
}

static void test_rx_bad_checksum(void **state)
{
	struct gdb_rx rx = { 0 };

	(void)state;
	assert_int_equal(feeds(&rx, "$g#68"), GDB_RX_BAD_CHECKSUM);
	assert_int_equal(feeds(&rx, "$g#6x"), GDB_RX_BAD_CHECKSUM);
	assert_int_equal(feeds(&rx, "$g#x"), GDB_RX_BAD_CHECKSUM);
	/* The receiver is between packets again: the next one is good. */
	assert_int_equal(feeds(&rx, "$g#67"), GDB_RX_PACKET);
	assert_string_equal(rx.buf, "g");
}

static void test_rx_too_long(void **state)
{
	static char pkt[GDB_PACKET_MAX + 8];
	struct gdb_rx rx = { 0 };

	(void)state;
	/* GDB_PACKET_MAX bytes of 'a': the sum 0x4000 * 0x61 is 0 modulo 256. */
	pkt[0] = '$';
	memset(pkt + 1, 'a', GDB_PACKET_MAX);
	memcpy(pkt + 1 + GDB_PACKET_MAX, "#00", 3);
	assert_int_equal(feed(&rx, pkt, GDB_PACKET_MAX + 4), GDB_RX_PACKET);
	assert_int_equal(rx.len, GDB_PACKET_MAX);
	assert_int_equal(rx.buf[GDB_PACKET_MAX], '\0');
	/* One more: 0x4001 * 0x61 is 0x61 modulo 256. */
	memset(pkt + 1, 'a', GDB_PACKET_MAX + 1);
	memcpy(pkt + 2 + GDB_PACKET_MAX, "#61", 3);
	assert_int_equal(feed(&rx, pkt, GDB_PACKET_MAX + 5), GDB_RX_TOO_LONG);
	assert_true(rx.len <= GDB_PACKET_MAX);
	assert_int_equal(feeds(&rx, "$g#67"), GDB_RX_PACKET);
	assert_string_equal(rx.buf, "g");
}

static void test_rx_interrupt_and_acks(void **state)
{
	struct gdb_rx rx = { 0 };

	(void)state;
	assert_int_equal(gdb_rx_byte(&rx, 0x03), GDB_RX_INTERRUPT);
	assert_int_equal(gdb_rx_byte(&rx, '+'), GDB_RX_ACK);
	assert_int_equal(gdb_rx_byte(&rx, '-'), GDB_RX_NAK);
	assert_int_equal(gdb_rx_byte(&rx, 'x'), GDB_RX_NONE);
	/* Inside a packet, 0x03, '+' and '-' are data. */
	assert_int_equal(feeds(&rx, "$a\x03" "b#c6"), GDB_RX_PACKET);
	assert_int_equal(rx.len, 3);
	assert_memory_equal(rx.buf, "a\x03" "b", 4);
	assert_int_equal(feeds(&rx, "$+-#58"), GDB_RX_PACKET);
	assert_string_equal(rx.buf, "+-");
}

static void test_rx_dollar_restarts(void **state)
{
	struct gdb_rx rx = { 0 };

	(void)state;
	assert_int_equal(feeds(&rx, "$m0,4$g#67"), GDB_RX_PACKET);
	assert_int_equal(rx.len, 1);
	assert_string_equal(rx.buf, "g");
}

static void test_frame(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(gdb_frame("OK", 2, out, sizeof(out)), 6);
	assert_memory_equal(out, "$OK#9a", 6);
	assert_int_equal(gdb_frame("", 0, out, sizeof(out)), 4);
	assert_memory_equal(out, "$#00", 4);
	/* '$', '#', '}' and '*' become '}' and the byte xor 0x20; the sum is of what is sent. */
	assert_int_equal(gdb_frame("a$b#c}d*e", 9, out, sizeof(out)), 17);
	assert_memory_equal(out, "$a}\x04" "b}\x03" "c}]d}\x0a" "e#51", 17);
	/* Exactly the room it needs, and one byte less. */
	assert_int_equal(gdb_frame("OK", 2, out, 6), 6);
	assert_int_equal(gdb_frame("OK", 2, out, 5), 0);
	assert_int_equal(gdb_frame("*", 1, out, 6), 6);
	assert_int_equal(gdb_frame("*", 1, out, 5), 0);
	assert_int_equal(gdb_frame("", 0, out, 3), 0);
}

static void test_encodings(void **state)
{
	uint8_t b[4];
	char hex[9] = { 0 };
	const char *p;
	uint64_t v;

	(void)state;
	gdb_hex_encode((const uint8_t *)"\x00\xab\x7f\xff", 4, hex);
	assert_string_equal(hex, "00ab7fff");
	assert_true(gdb_hex_decode("00AB7fff", 4, b));
	assert_memory_equal(b, "\x00\xab\x7f\xff", 4);
	assert_false(gdb_hex_decode("0g", 1, b));
	p = "ffffffffffffffff,";
	assert_true(gdb_parse_hex(&p, &v));
	assert_true(v == UINT64_MAX);
	assert_string_equal(p, ",");
	p = "10000000000000000"; /* 17 digits */
	assert_false(gdb_parse_hex(&p, &v));
	assert_string_equal(p, "10000000000000000");
	p = ",1";
	assert_false(gdb_parse_hex(&p, &v));
	assert_int_equal(gdb_unescape("a}]", 3, b, 4), 2);
	assert_memory_equal(b, "a}", 2);
	assert_int_equal(gdb_unescape("a}", 2, b, 4), -1);
	assert_int_equal(gdb_unescape("abcde", 5, b, 4), -1);
}

/* ---- Queries and registers -------------------------------------------------------- */

static void test_qsupported_and_status(void **state)
{
	(void)state;
	/* What gdb 13 sends. */
	ask("qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;"
	    "exec-events+;vContSupported+;QThreadEvents+;no-resumed+;memory-tagging+;"
	    "xmlRegisters=i386");
	assert_string_equal(reply, "PacketSize=4000;qXfer:features:read+;vContSupported+;"
				   "swbreak+;hwbreak+;QStartNoAckMode+");
	assert_string_equal(ask("?"), "T05thread:1;");
	assert_false(S.no_ack);
	assert_string_equal(ask("QStartNoAckMode"), "OK");
	assert_true(S.no_ack);
	assert_string_equal(ask("qAttached"), "1");
	assert_string_equal(ask("qSymbol::"), "OK");
}

static void test_g(void **state)
{
	(void)state;
	assert_string_equal(ask("g"), "1077665544332211"
				      "1177665544332211"
				      "1277665544332211"
				      "1377665544332211"
				      "14776655");
	assert_int_equal(F.reg_thread, 1);
	assert_string_equal(ask("Hg3"), "OK");
	assert_string_equal(ask("g"), "3077665544332211"
				      "3177665544332211"
				      "3277665544332211"
				      "3377665544332211"
				      "34776655");
	assert_int_equal(F.reg_thread, 3);
}

static void test_G(void **state)
{
	(void)state;
	assert_string_equal(ask("Hg2"), "OK");
	assert_string_equal(ask("G0100000000000000"
				"0200000000000000"
				"0300000000000000"
				"0400000000000000"
				"aabbccdd"),
			    "OK");
	assert_memory_equal(F.regs[1][0], "\x01\0\0\0\0\0\0\0", 8);
	assert_memory_equal(F.regs[1][3], "\x04\0\0\0\0\0\0\0", 8);
	assert_memory_equal(F.regs[1][4], "\xaa\xbb\xcc\xdd", 4);
	assert_memory_equal(F.regs[0][0], "\x10\x77", 2); /* thread 1 untouched */
	/* Fewer bytes than the registers: those it covers are written. */
	assert_string_equal(ask("Gffffffffffffffff"), "OK");
	assert_memory_equal(F.regs[1][0], "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	assert_memory_equal(F.regs[1][1], "\x02\0", 2);
	assert_string_equal(ask("G012"), "E16");
	assert_string_equal(ask("G0x00000000000000"), "E16");
}

static void test_p_and_P(void **state)
{
	(void)state;
	assert_string_equal(ask("p2"), "1277665544332211");
	assert_string_equal(ask("p4"), "14776655");
	assert_string_equal(ask("p5"), "E00");
	assert_string_equal(ask("p1c1"), "E00");  /* sparse numbers reach the target, which refuses */
	assert_string_equal(ask("p10000"), "E00"); /* beyond 0xffff: refused before the target */
	assert_string_equal(ask("pzz"), "E00");
	assert_string_equal(ask("p"), "E00");
	assert_string_equal(ask("P4=01020304"), "OK");
	assert_memory_equal(F.regs[0][4], "\x01\x02\x03\x04", 4);
	assert_string_equal(ask("p4"), "01020304");
	assert_string_equal(ask("P0=0807060504030201"), "OK");
	assert_string_equal(ask("p0"), "0807060504030201");
	assert_string_equal(ask("P5=00"), "E02");
	assert_string_equal(ask("P4=0102"), "E16");       /* 2 bytes for a 4-byte register */
	assert_string_equal(ask("P4=0102030405"), "E16"); /* 5 */
	assert_string_equal(ask("P4=0102030g"), "E16");
	assert_string_equal(ask("P4"), "E16");
	assert_memory_equal(F.regs[0][4], "\x01\x02\x03\x04", 4);
}

/* ---- Memory --------------------------------------------------------------------- */

static void test_m(void **state)
{
	(void)state;
	assert_string_equal(ask("m40000000,4"), "00010203");
	assert_string_equal(ask("m40001ffe,2"), "feff");
	/* Across into the hole: the bytes before it. */
	assert_string_equal(ask("m40001ffe,4"), "feff");
	assert_string_equal(ask("m40002000,4"), "E14");
	assert_string_equal(ask("m40002ffe,4"), "E14");
	assert_string_equal(ask("m3ffffffe,4"), "E14");
	assert_string_equal(ask("mffffffffffffffff,10"), "E14");
	assert_string_equal(ask("m40003ffe,2"), "feff");
	assert_string_equal(ask("m40003ffe,4"), "feff");
	assert_string_equal(ask("m40004000,1"), "E14");
	assert_string_equal(ask("m40000000,0"), "");
	assert_string_equal(ask("m40000000"), "E16");
	assert_string_equal(ask("m40000000,"), "E16");
	assert_string_equal(ask("mxyz,4"), "E16");
	assert_string_equal(ask("m40000000,4x"), "E16");
	assert_string_equal(ask("m10000000000000000,4"), "E16"); /* 17 digits */
	/* The thread of Hg reads. */
	assert_string_equal(ask("Hg4"), "OK");
	assert_string_equal(ask("m40000100,1"), "00");
	assert_int_equal(F.mem_thread, 4);
}

static void test_m_huge_length_clamped(void **state)
{
	(void)state;
	/* At most GDB_PACKET_MAX / 2 bytes: 0x2000, two whole pages, a full-size reply. */
	ask("m40000000,ffffffffffffffff");
	assert_int_equal(F.mem_len, GDB_PACKET_MAX / 2);
	assert_int_equal(reply_len, GDB_PACKET_MAX);
	assert_memory_equal(reply, "00010203", 8);
	assert_memory_equal(reply + 2 * 0x1000, "00010203", 8);
	assert_string_equal(reply + GDB_PACKET_MAX - 4, "feff");
	ask("m40001000,3000");
	assert_int_equal(F.mem_len, 0x2000);
	assert_int_equal(reply_len, 2 * 0x1000); /* up to the hole */
}

static void test_M(void **state)
{
	(void)state;
	assert_string_equal(ask("M40000010,2:abCD"), "OK");
	assert_memory_equal(F.mem + 0x10, "\xab\xcd\x12", 3);
	assert_string_equal(ask("m40000010,3"), "abcd12");
	assert_string_equal(ask("M40000010,2:abc"), "E16");   /* 3 digits for 2 bytes */
	assert_string_equal(ask("M40000010,2:abcdef"), "E16"); /* 6 */
	assert_string_equal(ask("M40000010,2:abcx"), "E16");
	assert_string_equal(ask("M40000010,2"), "E16");
	assert_string_equal(ask("M40000010:abcd"), "E16");
	assert_memory_equal(F.mem + 0x10, "\xab\xcd", 2);
	assert_string_equal(ask("M40002000,1:00"), "E14");
	/* Part of it at a hole: an error, though the bytes before the hole were written. */
	assert_string_equal(ask("M40001fff,2:5aa5"), "E14");
	assert_int_equal(F.mem[0x1fff], 0x5a);
	assert_string_equal(ask("M40000020,0:"), "OK");
}

static void test_X(void **state)
{
	/* '#', '}', '$', '*', NUL, 0xff: the first four escaped as gdb sends them. */
	static const char pkt[] = "X40000010,6:}\x03}]}\x04}\x0a\0\xff";

	(void)state;
	assert_string_equal(ask_bin(pkt, sizeof(pkt) - 1, GDB_REPLY), "OK");
	assert_memory_equal(F.mem + 0x10, "#}$*\0\xff\x16", 7);
	assert_int_equal(F.mem_len, 6);
	/* gdb's probe of X: no data, no write. */
	unsigned calls = F.mem_calls;
	assert_string_equal(ask("X40000010,0:"), "OK");
	assert_int_equal(F.mem_calls, calls);
	assert_string_equal(ask("X40000010,3:ab"), "E16");
	assert_string_equal(ask("X40000010,1:ab"), "E16");
	assert_string_equal(ask("X40000010,1:}"), "E16"); /* a dangling escape */
	assert_string_equal(ask("X40000010,1"), "E16");
	assert_string_equal(ask("X40000010,5000:a"), "E16"); /* longer than a packet */
	assert_int_equal(F.mem_calls, calls);
	assert_string_equal(ask("X40002000,1:a"), "E14");
	assert_string_equal(ask("X40003fff,1:a"), "OK");
	assert_int_equal(F.mem[0x3fff], 'a');
}

/* ---- Breakpoints and watchpoints -------------------------------------------------- */

static void test_points(void **state)
{
	(void)state;
	assert_string_equal(ask("Z0,40000040,4"), "OK");
	assert_string_equal(ask("z0,40000040,4"), "OK");
	assert_string_equal(ask("Z1,40000044,4"), "OK");
	assert_string_equal(ask("Z2,40000100,8"), "OK");
	assert_string_equal(ask("Z3,40000108,4"), "OK");
	assert_string_equal(ask("Z4,ffffffffffff0000,1"), "OK");
	assert_string_equal(ask("z4,ffffffffffff0000,1"), "OK");
	assert_int_equal(F.npoints, 7);
	assert_point(0, 0, 0x40000040, 4, true);
	assert_point(1, 0, 0x40000040, 4, false);
	assert_point(2, 1, 0x40000044, 4, true);
	assert_point(3, 2, 0x40000100, 8, true);
	assert_point(4, 3, 0x40000108, 4, true);
	assert_point(5, 4, 0xffffffffffff0000ULL, 1, true);
	assert_point(6, 4, 0xffffffffffff0000ULL, 1, false);
	/* Conditions and commands: not supported (empty), gdb evaluates them itself. */
	assert_string_equal(ask("Z0,40000040,4;X3,220100"), "");
	assert_string_equal(ask("Z0,40000040,4;cmds:0,X3,220100"), "");
	/* Malformed, or a type beyond 4: never reach the target. */
	assert_string_equal(ask("Z5,40000040,4"), "E16");
	assert_string_equal(ask("Z0,40000040"), "E16");
	assert_string_equal(ask("Z0,40000040,"), "E16");
	assert_string_equal(ask("Z0,40000040,4x"), "E16");
	assert_string_equal(ask("Z0;40000040,4"), "E16");
	assert_string_equal(ask("Z"), "E16");
	assert_string_equal(ask("z"), "E16");
	assert_int_equal(F.npoints, 7);
	/* What the target says: -1 not supported, -2 no room, others an error. */
	F.point_rc = -1;
	assert_string_equal(ask("Z1,40000040,4"), "");
	F.point_rc = -2;
	assert_string_equal(ask("Z2,40000040,4"), "E1c");
	F.point_rc = -3;
	assert_string_equal(ask("Z0,40000040,4"), "E16");
	assert_int_equal(F.npoints, 10);
}

/* ---- Threads ----------------------------------------------------------------------- */

static void test_threads(void **state)
{
	(void)state;
	assert_string_equal(ask("qfThreadInfo"), "m1,2,3,4");
	assert_string_equal(ask("qsThreadInfo"), "l");
	assert_string_equal(ask("qC"), "QC1");
	assert_string_equal(ask("Hg2"), "OK");
	assert_string_equal(ask("qC"), "QC2");
	assert_string_equal(ask("Hg0"), "OK"); /* any thread: the one it was */
	assert_string_equal(ask("qC"), "QC2");
	assert_string_equal(ask("Hg-1"), "OK");
	assert_string_equal(ask("qC"), "QC2");
	assert_string_equal(ask("Hg5"), "E02");
	assert_string_equal(ask("Hg41"), "E02"); /* 65: beyond GDB_MAX_THREADS */
	assert_string_equal(ask("Hgx"), "E02");
	assert_string_equal(ask("Hg2x"), "E02");
	assert_string_equal(ask("Hg"), "E02");
	assert_string_equal(ask("Hx1"), "E02");
	assert_string_equal(ask("H"), "E02");
	assert_string_equal(ask("qC"), "QC2");
	assert_int_equal(S.c_thread, 0);
	assert_string_equal(ask("Hc3"), "OK");
	assert_int_equal(S.c_thread, 3);
	assert_string_equal(ask("Hc-1"), "OK");
	assert_int_equal(S.c_thread, 0);
	assert_string_equal(ask("T1"), "OK");
	assert_string_equal(ask("T4"), "OK");
	assert_string_equal(ask("T5"), "E02");
	assert_string_equal(ask("T0"), "E02");
	assert_string_equal(ask("T-1"), "E02");
	assert_string_equal(ask("T1x"), "E02");
	assert_string_equal(ask("T"), "E02");
	/* "vCPU 1, runnable" in hex */
	assert_string_equal(ask("qThreadExtraInfo,2"), "7643505520312c2072756e6e61626c65");
	assert_string_equal(ask("qThreadExtraInfo,5"), "E02");
	assert_string_equal(ask("qThreadExtraInfo,0"), "E02");
	assert_string_equal(ask("qThreadExtraInfo,-1"), "E02");
	assert_string_equal(ask("qThreadExtraInfo,"), "E02");
}

/* ---- Resuming ----------------------------------------------------------------------- */

static void test_vcont(void **state)
{
	(void)state;
	assert_string_equal(ask("vCont?"), "vCont;c;C;s;S;t");
	assert_string_equal(ask_bin("vCont;c", 7, GDB_RESUMED), "");
	assert_int_equal(F.resumes, 1);
	assert_acts(GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE);
	/* The first action naming a thread, or naming none, is its action. */
	ask_bin("vCont;s:2;c", 11, GDB_RESUMED);
	assert_acts(GDB_ACT_CONTINUE, GDB_ACT_STEP, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE);
	ask_bin("vCont;s:2", 9, GDB_RESUMED);
	assert_acts(GDB_ACT_STOP, GDB_ACT_STEP, GDB_ACT_STOP, GDB_ACT_STOP);
	ask_bin("vCont;t:3;S05:4;C02", 19, GDB_RESUMED);
	assert_acts(GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_STOP, GDB_ACT_STEP);
	ask_bin("vCont;c;s:1", 11, GDB_RESUMED); /* c named every thread first */
	assert_acts(GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE);
	ask_bin("vCont;t", 7, GDB_RESUMED);
	assert_acts(GDB_ACT_STOP, GDB_ACT_STOP, GDB_ACT_STOP, GDB_ACT_STOP);
	ask_bin("vCont;s:-1", 10, GDB_RESUMED);
	assert_acts(GDB_ACT_STEP, GDB_ACT_STEP, GDB_ACT_STEP, GDB_ACT_STEP);
	assert_int_equal(F.resumes, 7);
	/* Malformed, or an unknown thread: an error, nothing resumed. */
	assert_string_equal(ask("vCont;x"), "E16");
	assert_string_equal(ask("vCont;c:5"), "E16");
	assert_string_equal(ask("vCont;c:41"), "E16");
	assert_string_equal(ask("vCont;c:"), "E16");
	assert_string_equal(ask("vCont;cx"), "E16");
	assert_string_equal(ask("vCont;c;"), "E16");
	assert_string_equal(ask("vCont;"), "E16");
	assert_string_equal(ask("vCont;C"), "E16");
	assert_string_equal(ask("vCont;Cxx"), "E16");
	assert_string_equal(ask("vCont;c:p1.1"), "E16"); /* multiprocess ids: not offered */
	assert_int_equal(F.resumes, 7);
	assert_int_equal(F.set_pcs, 0);
}

static void test_c_and_s(void **state)
{
	(void)state;
	ask_bin("c", 1, GDB_RESUMED);
	assert_acts(GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE);
	assert_int_equal(F.set_pcs, 0);
	ask_bin("c40000100", 9, GDB_RESUMED);
	assert_int_equal(F.set_pcs, 1);
	assert_int_equal(F.pc_thread, 1);
	assert_int_equal(F.pc, 0x40000100);
	/* s: the Hg thread steps (no Hc), the others continue. */
	ask("Hg2");
	ask_bin("s", 1, GDB_RESUMED);
	assert_acts(GDB_ACT_CONTINUE, GDB_ACT_STEP, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE);
	ask("Hc3");
	ask_bin("s40000200", 9, GDB_RESUMED);
	assert_acts(GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_STEP, GDB_ACT_CONTINUE);
	assert_int_equal(F.pc_thread, 3);
	assert_int_equal(F.pc, 0x40000200);
	ask_bin("S05;40000300", 12, GDB_RESUMED);
	assert_acts(GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_STEP, GDB_ACT_CONTINUE);
	assert_int_equal(F.pc, 0x40000300);
	ask_bin("C02", 3, GDB_RESUMED);
	assert_acts(GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE, GDB_ACT_CONTINUE);
	assert_int_equal(F.resumes, 6);
	assert_int_equal(F.set_pcs, 3);
	assert_string_equal(ask("cxyz"), "E16");
	assert_string_equal(ask("c40000100x"), "E16");
	assert_string_equal(ask("C"), "E16");
	assert_string_equal(ask("S05x"), "E16");
	assert_string_equal(ask("cbad"), "E16"); /* the target refuses the PC */
	assert_int_equal(F.resumes, 6);
}

/* ---- Target description, monitor, detach, kill -------------------------------------- */

static void test_qxfer_features(void **state)
{
	(void)state;
	assert_string_equal(ask("qXfer:features:read:target.xml:0,10"), "m<target><archite");
	assert_string_equal(ask("qXfer:features:read:target.xml:10,10"), "mcture>aarch64</a");
	assert_string_equal(ask("qXfer:features:read:target.xml:20,ffb"), "lrchitecture></target>");
	ask("qXfer:features:read:target.xml:0,ffb"); /* the whole document */
	assert_int_equal(reply[0], 'l');
	assert_string_equal(reply + 1, small_xml);
	assert_string_equal(ask("qXfer:features:read:target.xml:34,1"), "l>"); /* the last byte */
	assert_string_equal(ask("qXfer:features:read:target.xml:35,1"), "l"); /* at the end */
	assert_string_equal(ask("qXfer:features:read:target.xml:ffffffffffffffff,1"), "l");
	assert_string_equal(ask("qXfer:features:read:other.xml:0,ffb"), "E00");
	assert_string_equal(ask("qXfer:features:read:target.xml:0"), "E16");
	assert_string_equal(ask("qXfer:features:read:target.xml:,10"), "E16");
	assert_string_equal(ask("qXfer:features:read:target.xml"), "E00");
	assert_string_equal(ask("qXfer:features:read:0123456789012345678901234567890123456789"
				"012345678901234567890123.xml:0,10"),
			    "E00");
	/* A long document in pieces of at most GDB_PACKET_MAX / 2 - 1 bytes (room for escapes). */
	ask("qXfer:features:read:big.xml:0,ffff");
	assert_int_equal(reply_len, 1 + GDB_PACKET_MAX / 2 - 1);
	assert_memory_equal(reply, "mabcdefg", 8);
	ask("qXfer:features:read:big.xml:0,2000");
	assert_int_equal(reply_len, 1 + GDB_PACKET_MAX / 2 - 1);
	ask("qXfer:features:read:big.xml:2ffe,ffff");
	assert_string_equal(reply, "lop"); /* 0x2ffe % 26 == 14: 'o' */
}

static void test_qrcmd(void **state)
{
	(void)state;
	/* "echo hi": the output as O packets through send, then OK. */
	assert_string_equal(ask("qRcmd,6563686f206869"), "OK");
	assert_string_equal(F.monitor_cmd, "echo hi");
	assert_int_equal(F.monitor_thread, 1);
	assert_int_equal(F.nsent, 2);
	assert_string_equal(F.sent[0], "O6563686f206869");
	assert_string_equal(F.sent[1], "O0a");
	/* "fail" */
	F.nsent = 0;
	assert_string_equal(ask("qRcmd,6661696c"), "E01");
	assert_int_equal(F.nsent, 0);
	/* "big": 0x2000 bytes, in O packets of at most (GDB_PACKET_MAX - 2) / 2 bytes. */
	ask("Hg3");
	assert_string_equal(ask("qRcmd,626967"), "OK");
	assert_int_equal(F.monitor_thread, 3);
	assert_int_equal(F.nsent, 2);
	assert_int_equal(F.sent_len[0], 1 + 2 * 0x1fff);
	assert_memory_equal(F.sent[0], "O7878", 5);
	assert_string_equal(F.sent[1], "O78");
	/* Malformed: odd length, not hex, a NUL inside, too long. */
	strcpy(F.monitor_cmd, "-");
	assert_string_equal(ask("qRcmd,656"), "E16");
	assert_string_equal(ask("qRcmd,6x"), "E16");
	assert_string_equal(ask("qRcmd,610062"), "E16");
	static char pkt[6 + 2 * 512 + 1];
	memcpy(pkt, "qRcmd,", 6);
	memset(pkt + 6, '6', 2 * 512);
	assert_string_equal(ask(pkt), "E16");
	pkt[6 + 2 * 511] = '\0'; /* 511 bytes: fits */
	assert_string_equal(ask(pkt), "OK");
	assert_int_equal(strlen(F.monitor_cmd), 511);
	/* An empty command: monitor with nothing. */
	assert_string_equal(ask("qRcmd,"), "OK");
	assert_string_equal(F.monitor_cmd, "");
	/* With no send function, output is dropped. */
	S.send = NULL;
	F.nsent = 0;
	assert_string_equal(ask("qRcmd,6563686f206869"), "OK");
	assert_int_equal(F.nsent, 0);
}

static void test_detach_and_kill(void **state)
{
	(void)state;
	assert_string_equal(ask_bin("D", 1, GDB_DETACHED), "OK");
	assert_int_equal(F.detaches, 1);
	assert_string_equal(ask_bin("k", 1, GDB_KILLED), "");
	assert_int_equal(F.kills, 1);
	assert_int_equal(F.detaches, 1);
}

static void test_unknown_packets(void **state)
{
	(void)state;
	assert_string_equal(ask("vMustReplyEmpty"), "");
	assert_string_equal(ask("qTStatus"), "");
	assert_string_equal(ask("qOffsets"), "");
	assert_string_equal(ask("QThreadEvents:1"), "");
	assert_string_equal(ask("QStartNoAckMode:1"), "");
	assert_string_equal(ask("vRun;"), "");
	assert_string_equal(ask("!"), "");
	assert_string_equal(ask("\x7f"), "");
	assert_string_equal(ask_bin("", 0, GDB_REPLY), "");
	/* A NUL anywhere but in X's data is malformed: the empty reply, nothing done. */
	assert_string_equal(ask_bin("M40000000,1:\0", 13, GDB_REPLY), "");
	assert_string_equal(ask_bin("k\0", 2, GDB_REPLY), "");
	assert_string_equal(ask_bin("c\0", 2, GDB_REPLY), "");
	assert_int_equal(F.kills, 0);
	assert_int_equal(F.resumes, 0);
	assert_int_equal(F.mem_calls, 0);
}

/* ---- Stop replies ------------------------------------------------------------------- */

static const char *stop(struct gdb_stop st)
{
	memset(reply, 0x55, sizeof(reply));
	reply_len = gdb_stop_reply(&S, &st, reply);
	assert_int_equal(strlen(reply), reply_len);
	return reply;
}

static void test_stop_replies(void **state)
{
	(void)state;
	assert_string_equal(stop((struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .thread = 1,
						    .signal = 5 }),
			    "T05thread:1;");
	assert_string_equal(stop((struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .thread = 2,
						    .signal = 2 }),
			    "T02thread:2;");
	/* The thread that stopped is gdb's thread, and '?' says it again. */
	assert_int_equal(S.g_thread, 2);
	assert_string_equal(ask("qC"), "QC2");
	assert_string_equal(ask("?"), "T02thread:2;");
	assert_string_equal(stop((struct gdb_stop){ .kind = GDB_STOP_BREAK, .thread = 3 }),
			    "T05swbreak:;thread:3;");
	assert_string_equal(ask("?"), "T05swbreak:;thread:3;");
	assert_string_equal(stop((struct gdb_stop){ .kind = GDB_STOP_WATCH, .thread = 4, .watch = 2,
						    .addr = 0x40000100 }),
			    "T05watch:40000100;thread:4;");
	assert_string_equal(stop((struct gdb_stop){ .kind = GDB_STOP_WATCH, .thread = 1, .watch = 3,
						    .addr = 0xffffffffffffffffULL }),
			    "T05rwatch:ffffffffffffffff;thread:1;");
	assert_string_equal(stop((struct gdb_stop){ .kind = GDB_STOP_WATCH, .thread = 1, .watch = 4,
						    .addr = 0 }),
			    "T05awatch:0;thread:1;");
	assert_string_equal(stop((struct gdb_stop){ .kind = GDB_STOP_EXITED, .status = 3 }), "W03");
	assert_string_equal(stop((struct gdb_stop){ .kind = GDB_STOP_EXITED, .status = 0x1ff }),
			    "Wff");
	assert_string_equal(ask("?"), "T05awatch:0;thread:1;"); /* an exit is not a stop */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rx_good_packet, setup),
		cmocka_unit_test_setup(test_rx_bad_checksum, setup),
		cmocka_unit_test_setup(test_rx_too_long, setup),
		cmocka_unit_test_setup(test_rx_interrupt_and_acks, setup),
		cmocka_unit_test_setup(test_rx_dollar_restarts, setup),
		cmocka_unit_test_setup(test_frame, setup),
		cmocka_unit_test_setup(test_encodings, setup),
		cmocka_unit_test_setup(test_qsupported_and_status, setup),
		cmocka_unit_test_setup(test_g, setup),
		cmocka_unit_test_setup(test_G, setup),
		cmocka_unit_test_setup(test_p_and_P, setup),
		cmocka_unit_test_setup(test_m, setup),
		cmocka_unit_test_setup(test_m_huge_length_clamped, setup),
		cmocka_unit_test_setup(test_M, setup),
		cmocka_unit_test_setup(test_X, setup),
		cmocka_unit_test_setup(test_points, setup),
		cmocka_unit_test_setup(test_threads, setup),
		cmocka_unit_test_setup(test_vcont, setup),
		cmocka_unit_test_setup(test_c_and_s, setup),
		cmocka_unit_test_setup(test_qxfer_features, setup),
		cmocka_unit_test_setup(test_qrcmd, setup),
		cmocka_unit_test_setup(test_detach_and_kill, setup),
		cmocka_unit_test_setup(test_unknown_packets, setup),
		cmocka_unit_test_setup(test_stop_replies, setup),
	};
	return cmocka_run_group_tests_name("gdb_proto", tests, NULL, NULL);
}
