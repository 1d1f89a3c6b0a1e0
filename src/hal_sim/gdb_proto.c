/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote serial protocol against a struct gdb_target (gdb_proto.h):
 * framing and the answer to each packet. Nothing here blocks, allocates or
 * touches a socket, so every byte sequence can be fed to it (the fuzz
 * target tests/fuzz/gdb_packet.c does).
 *
 * What gdb sends, and what it gets (GDB manual, appendix E):
 *
 *   qSupported:...          PacketSize=4000;qXfer:features:read+;vContSupported+;...
 *   qXfer:features:read:target.xml:0,ffb   l<?xml ...   (the target description)
 *   ?                       T05thread:01;       (why the target is stopped)
 *   Hg2 / qC / T2           OK / QC01 / OK      (threads are vCPUs, from 1)
 *   g / p20 / P20=...       register values, hex, target byte order
 *   m40080000,4 / M / X     guest-virtual memory; E14 for an unmapped address
 *   Z0,40080010,4 / z0      breakpoint; Z2..Z4 watchpoints (write, read, access)
 *   vCont;s:1;c / c / s     resume; the stop reply comes when the target stops
 *   qRcmd,77616c6b...       `monitor walk ...`: O<hex> output packets, then OK
 *   D / k                   detach / kill
 */
#include <stdio.h>
#include <string.h>

#include <cvisor/lib.h>

#include "gdb_proto.h"

/* ---- Framing ---------------------------------------------------------------- */

/*
 * A packet is '$', its data, '#' and two hex digits of the data's sum
 * modulo 256. Between packets gdb sends '+' / '-' (acknowledgements) and
 * 0x03 (Ctrl-C); anything else there is line noise and ignored. A '$'
 * inside a packet starts a new one (the old one was cut short).
 */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t b)
{
	switch (rx->state) {
	case GDB_RX_IDLE:
		if (b == '$') {
			rx->state = GDB_RX_DATA;
			rx->len = 0;
			rx->sum = 0;
			rx->overflow = false;
		}
		return b == 0x03 ? GDB_RX_INTERRUPT : b == '+' ? GDB_RX_ACK : b == '-' ? GDB_RX_NAK
									   : GDB_RX_NONE;
	case GDB_RX_DATA:
		if (b == '#') {
			rx->state = GDB_RX_SUM1;
		} else if (b == '$') {
			rx->len = 0;
			rx->sum = 0;
			rx->overflow = false;
		} else {
			rx->sum = (uint8_t)(rx->sum + b);
			if (rx->len < GDB_PACKET_MAX)
				rx->buf[rx->len++] = (char)b;
			else
				rx->overflow = true;
		}
		return GDB_RX_NONE;
	case GDB_RX_SUM1:
		if (cv_hex_digit(b) < 0) {
			rx->state = GDB_RX_IDLE;
			return GDB_RX_BAD_CHECKSUM;
		}
		rx->sent_sum = (uint8_t)cv_hex_digit(b);
		rx->state = GDB_RX_SUM2;
		return GDB_RX_NONE;
	case GDB_RX_SUM2:
		rx->state = GDB_RX_IDLE;
		if (cv_hex_digit(b) < 0 || (uint8_t)(rx->sent_sum << 4 | cv_hex_digit(b)) != rx->sum)
			return GDB_RX_BAD_CHECKSUM;
		if (rx->overflow)
			return GDB_RX_TOO_LONG;
		rx->buf[rx->len] = '\0';
		return GDB_RX_PACKET;
	}
	rx->state = GDB_RX_IDLE;
	return GDB_RX_NONE;
}

size_t gdb_frame(const char *data, size_t len, char *out, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	uint8_t sum = 0;

	if (max < 4)
		return 0;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)data[i];
		bool esc = c == '$' || c == '#' || c == '}' || c == '*';
		if (n + (esc ? 2 : 1) + 3 > max)
			return 0;
		if (esc) {
			out[n++] = '}';
			sum = (uint8_t)(sum + '}');
			c ^= 0x20;
		}
		out[n++] = (char)c;
		sum = (uint8_t)(sum + c);
	}
	out[n++] = '#';
	out[n++] = hex[sum >> 4];
	out[n++] = hex[sum & 15];
	return n;
}

/* ---- Encodings ---------------------------------------------------------------- */

void gdb_hex_encode(const uint8_t *bytes, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
}

bool gdb_hex_decode(const char *hex, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi = cv_hex_digit((unsigned char)hex[2 * i]);
		int lo = hi < 0 ? -1 : cv_hex_digit((unsigned char)hex[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool gdb_parse_hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int n = 0;

	while (cv_hex_digit((unsigned char)s[n]) >= 0) {
		if (n == 16)
			return false;
		x = x << 4 | (uint64_t)cv_hex_digit((unsigned char)s[n]);
		n++;
	}
	if (n == 0)
		return false;
	*p = s + n;
	*v = x;
	return true;
}

long gdb_unescape(const char *in, size_t len, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)in[i];
		if (c == '}') {
			if (++i == len)
				return -1;
			c = (uint8_t)in[i] ^ 0x20;
		}
		if (n == max)
			return -1;
		out[n++] = c;
	}
	return (long)n;
}

/* ---- Answers ---------------------------------------------------------------- */

/* The reply being built: data and length, never past GDB_PACKET_MAX. */
struct reply {
	char *buf;
	size_t len;
};

static void put(struct reply *r, const char *s)
{
	size_t n = strlen(s);

	if (r->len + n > GDB_PACKET_MAX)
		n = GDB_PACKET_MAX - r->len;
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	r->buf[r->len] = '\0';
}

static void putf(struct reply *r, const char *fmt, unsigned long long v)
{
	char tmp[40];

	snprintf(tmp, sizeof(tmp), fmt, v);
	put(r, tmp);
}

/* Error replies: "Enn", nn an errno-like number, as gdbserver sends them. */
#define E_INVAL "E16"  /* a malformed packet */
#define E_FAULT "E14"  /* an address that cannot be read or written */
#define E_NOENT "E02"  /* no such thread or register */
#define E_NOSPC "E1c"  /* no room for another breakpoint */

static bool thread_ok(const struct gdb_session *s, uint64_t t)
{
	return t >= 1 && t <= s->t->nthreads(s->t->ctx);
}

/*
 * A thread id as gdb writes it without the multiprocess extension: hex,
 * or -1 (all), or 0 (any). Returns false if malformed.
 */
static bool parse_thread(const char **p, long long *t)
{
	uint64_t v;

	if ((*p)[0] == '-' && (*p)[1] == '1') {
		*p += 2;
		*t = -1;
		return true;
	}
	if (!gdb_parse_hex(p, &v) || v > GDB_MAX_THREADS)
		return false;
	*t = (long long)v;
	return true;
}

static void reply_regs(struct gdb_session *s, struct reply *r)
{
	uint8_t val[64];
	char hex[2 * sizeof(val) + 1];
	unsigned n = s->t->nregs(s->t->ctx);

	for (unsigned i = 0; i < n; i++) {
		int size = s->t->reg(s->t->ctx, s->g_thread, i, val, false);
		if (size <= 0 || (size_t)size > sizeof(val) || r->len + 2 * (size_t)size > GDB_PACKET_MAX)
			break;
		gdb_hex_encode(val, (size_t)size, hex);
		hex[2 * size] = '\0';
		put(r, hex);
	}
}

static void write_regs(struct gdb_session *s, const char *p, size_t len, struct reply *r)
{
	uint8_t val[64];
	unsigned n = s->t->nregs(s->t->ctx);
	size_t off = 0;

	if (len % 2) {
		put(r, E_INVAL);
		return;
	}
	for (unsigned i = 0; i < n && off < len; i++) {
		int size = s->t->reg(s->t->ctx, s->g_thread, i, val, false);
		if (size <= 0 || (size_t)size > sizeof(val) || off + 2 * (size_t)size > len)
			break;
		if (!gdb_hex_decode(p + off, (size_t)size, val)) {
			put(r, E_INVAL);
			return;
		}
		s->t->reg(s->t->ctx, s->g_thread, i, val, true);
		off += 2 * (size_t)size;
	}
	put(r, "OK");
}

static void one_reg(struct gdb_session *s, const char *p, bool write, struct reply *r)
{
	uint8_t val[64];
	uint64_t regno;
	char hex[2 * sizeof(val) + 1];

	/* Register numbers may be sparse (RISC-V CSRs are 65 + their number): the target decides. */
	if (!gdb_parse_hex(&p, &regno) || regno > 0xffff) {
		put(r, write ? E_NOENT : "E00");
		return;
	}
	int size = s->t->reg(s->t->ctx, s->g_thread, (unsigned)regno, val, false);
	if (size <= 0 || (size_t)size > sizeof(val)) {
		put(r, write ? E_NOENT : "E00");
		return;
	}
	if (!write) {
		gdb_hex_encode(val, (size_t)size, hex);
		hex[2 * size] = '\0';
		put(r, hex);
		return;
	}
	if (*p != '=' || strlen(p + 1) != 2 * (size_t)size || !gdb_hex_decode(p + 1, (size_t)size, val)) {
		put(r, E_INVAL);
		return;
	}
	put(r, s->t->reg(s->t->ctx, s->g_thread, (unsigned)regno, val, true) > 0 ? "OK" : E_NOENT);
}

/* "ADDR,LEN" followed by want (':' or '\0'); *p moves past want. */
static bool parse_addr_len(const char **p, uint64_t *addr, uint64_t *len, char want)
{
	if (!gdb_parse_hex(p, addr) || **p != ',')
		return false;
	(*p)++;
	if (!gdb_parse_hex(p, len) || **p != want)
		return false;
	if (want)
		(*p)++;
	return true;
}

static void read_mem(struct gdb_session *s, const char *p, struct reply *r)
{
	uint64_t addr, len;
	uint8_t buf[GDB_PACKET_MAX / 2];

	if (!parse_addr_len(&p, &addr, &len, '\0')) {
		put(r, E_INVAL);
		return;
	}
	if (len > sizeof(buf))
		len = sizeof(buf); /* gdb takes fewer bytes than it asked for */
	if (len == 0) {
		put(r, "");
		return;
	}
	long n = s->t->mem(s->t->ctx, s->g_thread, addr, buf, len, false);
	if (n <= 0) {
		put(r, E_FAULT);
		return;
	}
	gdb_hex_encode(buf, (size_t)n, r->buf + r->len);
	r->len += 2 * (size_t)n;
	r->buf[r->len] = '\0';
}

static void write_mem(struct gdb_session *s, const char *p, size_t plen, bool binary,
		      struct reply *r)
{
	const char *start = p;
	uint64_t addr, len;
	uint8_t buf[GDB_PACKET_MAX];

	if (!parse_addr_len(&p, &addr, &len, ':') || len > sizeof(buf)) {
		put(r, E_INVAL);
		return;
	}
	size_t rest = plen - (size_t)(p - start);
	if (binary) {
		if (gdb_unescape(p, rest, buf, sizeof(buf)) != (long)len) {
			put(r, E_INVAL);
			return;
		}
	} else if (rest != 2 * len || !gdb_hex_decode(p, len, buf)) {
		put(r, E_INVAL);
		return;
	}
	if (len == 0) { /* X with no data: gdb asks whether X is supported */
		put(r, "OK");
		return;
	}
	long n = s->t->mem(s->t->ctx, s->g_thread, addr, buf, len, true);
	put(r, n == (long)len ? "OK" : E_FAULT);
}

static void point(struct gdb_session *s, const char *p, bool insert, struct reply *r)
{
	uint64_t type, addr, kind;

	if (!gdb_parse_hex(&p, &type) || type > 4 || *p++ != ',' || !gdb_parse_hex(&p, &addr) ||
	    *p++ != ',' || !gdb_parse_hex(&p, &kind)) {
		put(r, E_INVAL);
		return;
	}
	/* Conditions and commands after ';' (gdb's agent expressions) are not supported. */
	if (*p && *p != ';') {
		put(r, E_INVAL);
		return;
	}
	if (*p == ';') {
		put(r, ""); /* not supported: gdb then evaluates conditions itself */
		return;
	}
	int rc = s->t->point(s->t->ctx, (unsigned)type, addr, kind, insert);
	put(r, rc == 0 ? "OK" : rc == -1 ? "" : rc == -2 ? E_NOSPC : E_INVAL);
}

/* ---- Queries ---------------------------------------------------------------- */

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
static void xfer_features(struct gdb_session *s, const char *p, struct reply *r)
{
	char annex[64];
	const char *colon = strchr(p, ':');
	uint64_t off, len;

	if (!colon || (size_t)(colon - p) >= sizeof(annex)) {
		put(r, "E00");
		return;
	}
	memcpy(annex, p, (size_t)(colon - p));
	annex[colon - p] = '\0';
	p = colon + 1;
	if (!parse_addr_len(&p, &off, &len, '\0')) {
		put(r, E_INVAL);
		return;
	}
	const char *doc = s->t->xml(s->t->ctx, annex);
	if (!doc) {
		put(r, "E00");
		return;
	}
	size_t size = strlen(doc);
	if (off >= size) {
		put(r, "l");
		return;
	}
	/* Room for the escapes gdb_frame() adds: at most half the packet of data. */
	size_t n = size - off;
	if (len > GDB_PACKET_MAX / 2 - 1)
		len = GDB_PACKET_MAX / 2 - 1;
	if (n > len)
		n = len;
	put(r, off + n < size ? "m" : "l");
	memcpy(r->buf + r->len, doc + off, n);
	r->len += n;
	r->buf[r->len] = '\0';
}

/* Monitor output: each piece is one "O<hex>" packet, sent at once. */
static void monitor_out(const char *text, void *ctx)
{
	struct gdb_session *s = ctx;
	char pkt[GDB_PACKET_MAX + 1];
	size_t len = strlen(text);

	while (len > 0 && s->send) {
		size_t n = len < (GDB_PACKET_MAX - 2) / 2 ? len : (GDB_PACKET_MAX - 2) / 2;
		pkt[0] = 'O';
		gdb_hex_encode((const uint8_t *)text, n, pkt + 1);
		s->send(pkt, 1 + 2 * n, s->send_ctx);
		text += n;
		len -= n;
	}
}

static void monitor(struct gdb_session *s, const char *hex, struct reply *r)
{
	char cmd[512];
	size_t n = strlen(hex);

	if (n % 2 || n / 2 >= sizeof(cmd) || !gdb_hex_decode(hex, n / 2, (uint8_t *)cmd)) {
		put(r, E_INVAL);
		return;
	}
	cmd[n / 2] = '\0';
	if (memchr(cmd, '\0', n / 2)) {
		put(r, E_INVAL);
		return;
	}
	int rc = s->t->monitor(s->t->ctx, s->g_thread, cmd, monitor_out, s);
	put(r, rc == 0 ? "OK" : "E01");
}

static void thread_list(struct gdb_session *s, struct reply *r)
{
	unsigned n = s->t->nthreads(s->t->ctx);

	put(r, "m");
	for (unsigned i = 1; i <= n; i++)
		putf(r, i == 1 ? "%llx" : ",%llx", i);
}

static void thread_extra(struct gdb_session *s, const char *p, struct reply *r)
{
	long long t;
	char text[128];

	if (!parse_thread(&p, &t) || !thread_ok(s, (uint64_t)t)) {
		put(r, E_NOENT);
		return;
	}
	s->t->thread_info(s->t->ctx, (unsigned)t, text, sizeof(text));
	gdb_hex_encode((const uint8_t *)text, strlen(text), r->buf + r->len);
	r->len += 2 * strlen(text);
	r->buf[r->len] = '\0';
}

static void query(struct gdb_session *s, const char *p, struct reply *r)
{
	if (strncmp(p, "qSupported", 10) == 0)
		put(r, "PacketSize=4000;qXfer:features:read+;vContSupported+;swbreak+;hwbreak+;"
		       "QStartNoAckMode+");
	else if (strncmp(p, "qXfer:features:read:", 20) == 0)
		xfer_features(s, p + 20, r);
	else if (strcmp(p, "qAttached") == 0)
		put(r, "1");
	else if (strcmp(p, "qC") == 0)
		putf(r, "QC%llx", s->g_thread);
	else if (strcmp(p, "qfThreadInfo") == 0)
		thread_list(s, r);
	else if (strcmp(p, "qsThreadInfo") == 0)
		put(r, "l");
	else if (strncmp(p, "qThreadExtraInfo,", 17) == 0)
		thread_extra(s, p + 17, r);
	else if (strncmp(p, "qRcmd,", 6) == 0)
		monitor(s, p + 6, r);
	else if (strncmp(p, "qSymbol", 7) == 0)
		put(r, "OK");
	else
		put(r, ""); /* unknown query: not supported */
}

/* ---- Resuming ---------------------------------------------------------------- */

/*
 * vCont;ACTION[:THREAD];... : each thread takes the first action that
 * names it or names no thread; threads no action names stay stopped.
 * Actions: c, s, C sig, S sig (the signal is ignored: a guest has none),
 * t (stay stopped). Returns false if malformed.
 */
static bool parse_vcont(struct gdb_session *s, const char *p, enum gdb_action *act)
{
	unsigned n = s->t->nthreads(s->t->ctx);
	bool set[GDB_MAX_THREADS] = { false };

	for (unsigned i = 0; i < n; i++)
		act[i] = GDB_ACT_STOP;
	while (*p == ';') {
		p++;
		char a = *p++;
		enum gdb_action what;
		uint64_t sig;
		if (a == 'c' || a == 'C')
			what = GDB_ACT_CONTINUE;
		else if (a == 's' || a == 'S')
			what = GDB_ACT_STEP;
		else if (a == 't')
			what = GDB_ACT_STOP;
		else
			return false;
		if ((a == 'C' || a == 'S') && !gdb_parse_hex(&p, &sig))
			return false;
		long long t = -1;
		if (*p == ':') {
			p++;
			if (!parse_thread(&p, &t))
				return false;
			if (t > 0 && !thread_ok(s, (uint64_t)t))
				return false;
		}
		if (*p && *p != ';')
			return false;
		for (unsigned i = 0; i < n; i++)
			if (!set[i] && (t <= 0 || (unsigned)t == i + 1)) {
				act[i] = what;
				set[i] = true;
			}
	}
	return *p == '\0';
}

/* c [ADDR], s [ADDR], C sig[;ADDR], S sig[;ADDR]: the Hc thread steps, all others continue. */
static bool parse_cs(struct gdb_session *s, const char *p, enum gdb_action *act)
{
	char a = *p++;
	uint64_t v;
	unsigned n = s->t->nthreads(s->t->ctx);
	unsigned self = s->c_thread ? s->c_thread : s->g_thread;

	if (a == 'C' || a == 'S') {
		if (!gdb_parse_hex(&p, &v))
			return false;
		if (*p == ';')
			p++;
		else if (*p)
			return false;
	}
	if (*p) {
		if (!gdb_parse_hex(&p, &v) || *p || s->t->set_pc(s->t->ctx, self, v) < 0)
			return false;
	}
	bool step = a == 's' || a == 'S';
	for (unsigned i = 0; i < n; i++)
		act[i] = GDB_ACT_CONTINUE;
	if (step)
		act[self - 1] = GDB_ACT_STEP;
	return true;
}

static enum gdb_outcome resume(struct gdb_session *s, const char *p, bool vcont, struct reply *r)
{
	enum gdb_action act[GDB_MAX_THREADS];

	if (!(vcont ? parse_vcont(s, p, act) : parse_cs(s, p, act))) {
		put(r, E_INVAL);
		return GDB_REPLY;
	}
	s->t->resume(s->t->ctx, act);
	return GDB_RESUMED;
}

static void set_thread(struct gdb_session *s, const char *p, struct reply *r)
{
	char which = *p++;
	long long t;

	if ((which != 'g' && which != 'c') || !parse_thread(&p, &t) || *p ||
	    (t > 0 && !thread_ok(s, (uint64_t)t))) {
		put(r, E_NOENT);
		return;
	}
	if (which == 'g')
		s->g_thread = t > 0 ? (unsigned)t : s->g_thread;
	else
		s->c_thread = t > 0 ? (unsigned)t : 0;
	put(r, "OK");
}

/* ---- One packet ---------------------------------------------------------------- */

void gdb_session_init(struct gdb_session *s, const struct gdb_target *t,
		      void (*send)(const char *data, size_t len, void *send_ctx), void *send_ctx)
{
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->g_thread = 1;
	s->send = send;
	s->send_ctx = send_ctx;
	s->last = (struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .thread = 1, .signal = 5 };
}

size_t gdb_stop_reply(struct gdb_session *s, const struct gdb_stop *st, char *reply)
{
	static const char *const watch[] = { "", "", "watch", "rwatch", "awatch" };
	struct reply r = { reply, 0 };

	reply[0] = '\0';
	if (st->kind == GDB_STOP_EXITED) {
		putf(&r, "W%02llx", (unsigned)st->status & 0xff);
		return r.len;
	}
	putf(&r, "T%02llx", st->kind == GDB_STOP_SIGNAL ? (unsigned)st->signal : 5);
	if (st->kind == GDB_STOP_BREAK)
		put(&r, "swbreak:;");
	if (st->kind == GDB_STOP_WATCH && st->watch >= 2 && st->watch <= 4) {
		put(&r, watch[st->watch]);
		putf(&r, ":%llx;", st->addr);
	}
	putf(&r, "thread:%llx;", st->thread);
	s->last = *st;
	/* The thread that stopped is the one gdb looks at next. */
	s->g_thread = st->thread;
	return r.len;
}

enum gdb_outcome gdb_handle(struct gdb_session *s, const char *pkt, size_t len, char *reply,
			    size_t *reply_len)
{
	struct reply r = { reply, 0 };
	enum gdb_outcome out = GDB_REPLY;

	reply[0] = '\0';
	/* Only X carries binary data; a NUL elsewhere is a malformed packet. */
	if (len == 0 || (pkt[0] != 'X' && memchr(pkt, '\0', len))) {
		*reply_len = 0;
		return GDB_REPLY;
	}
	switch (pkt[0]) {
	case '?':
		r.len = gdb_stop_reply(s, &s->last, reply);
		break;
	case 'g':
		reply_regs(s, &r);
		break;
	case 'G':
		write_regs(s, pkt + 1, len - 1, &r);
		break;
	case 'p':
		one_reg(s, pkt + 1, false, &r);
		break;
	case 'P':
		one_reg(s, pkt + 1, true, &r);
		break;
	case 'm':
		read_mem(s, pkt + 1, &r);
		break;
	case 'M':
		write_mem(s, pkt + 1, len - 1, false, &r);
		break;
	case 'X':
		write_mem(s, pkt + 1, len - 1, true, &r);
		break;
	case 'Z':
	case 'z':
		point(s, pkt + 1, pkt[0] == 'Z', &r);
		break;
	case 'H':
		set_thread(s, pkt + 1, &r);
		break;
	case 'T': {
		const char *p = pkt + 1;
		long long t;
		put(&r, parse_thread(&p, &t) && !*p && thread_ok(s, (uint64_t)t) ? "OK" : E_NOENT);
		break;
	}
	case 'c':
	case 'C':
	case 's':
	case 'S':
		out = resume(s, pkt, false, &r);
		break;
	case 'v':
		if (strcmp(pkt, "vCont?") == 0)
			put(&r, "vCont;c;C;s;S;t");
		else if (strncmp(pkt, "vCont;", 6) == 0)
			out = resume(s, pkt + 5, true, &r);
		else
			put(&r, ""); /* vMustReplyEmpty, vRun, vAttach... */
		break;
	case 'q':
		query(s, pkt, &r);
		break;
	case 'Q':
		if (strcmp(pkt, "QStartNoAckMode") == 0) {
			put(&r, "OK");
			s->no_ack = true;
		}
		break;
	case 'D':
		s->t->detach(s->t->ctx);
		put(&r, "OK");
		out = GDB_DETACHED;
		break;
	case 'k':
		s->t->kill(s->t->ctx);
		out = GDB_KILLED;
		break;
	default:
		break; /* not supported: the empty reply */
	}
	*reply_len = r.len;
	return out;
}
