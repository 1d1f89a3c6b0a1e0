/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote serial protocol, without sockets or vCPUs: framing of
 * the byte stream into packets, and the answer to each packet, computed
 * against a target given as a table of functions (struct gdb_target).
 * gdbstub.c gives it cvisor's simulated vCPUs and a socket; the unit
 * tests and the fuzz target give it a fake target.
 *
 * The protocol is described in the GDB manual, appendix E "GDB Remote
 * Serial Protocol" (sections "Overview", "Packets", "Stop Reply Packets",
 * "General Query Packets", "Target Descriptions").
 */
#ifndef HAL_SIM_GDB_PROTO_H
#define HAL_SIM_GDB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The largest packet either side sends (PacketSize in qSupported: 0x4000). */
#define GDB_PACKET_MAX 0x4000

/* ---- Framing: $data#cs, acknowledgements, Ctrl-C ------------------------- */

/** What one received byte completed. */
enum gdb_rx_event {
	GDB_RX_NONE,         /**< nothing yet */
	GDB_RX_PACKET,       /**< a packet with a good checksum: rx->buf, rx->len */
	GDB_RX_BAD_CHECKSUM, /**< a packet whose checksum is wrong: answer '-' */
	GDB_RX_TOO_LONG,     /**< a packet longer than GDB_PACKET_MAX: dropped */
	GDB_RX_INTERRUPT,    /**< a 0x03 byte between packets: Ctrl-C */
	GDB_RX_ACK,          /**< '+' */
	GDB_RX_NAK,          /**< '-': send the last packet again */
};

/** The receiver's state; zero it to start. */
struct gdb_rx {
	enum { GDB_RX_IDLE, GDB_RX_DATA, GDB_RX_SUM1, GDB_RX_SUM2 } state;
	char buf[GDB_PACKET_MAX + 1]; /**< the packet's data (unescaped later), NUL after it */
	size_t len;
	bool overflow;    /**< more data came than buf holds */
	uint8_t sum;      /**< the sum of the data bytes so far */
	uint8_t sent_sum; /**< the checksum's first digit, then both */
};

/** Feeds one byte from gdb into the receiver; says what it completed. */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t b);

/**
 * Frames data as "$data#cs" into out (escaping '$', '#', '}' and '*'),
 * which has room for max bytes. Returns the length, or 0 if it does not fit.
 */
size_t gdb_frame(const char *data, size_t len, char *out, size_t max);

/* ---- Encodings ------------------------------------------------------------ */

/** Writes len bytes as 2*len lowercase hex digits at out (no NUL). */
void gdb_hex_encode(const uint8_t *bytes, size_t len, char *out);
/**
 * Decodes exactly 2*len hex digits at hex into len bytes. Returns false if
 * one is not a hex digit.
 */
bool gdb_hex_decode(const char *hex, size_t len, uint8_t *out);
/**
 * Parses a hex number at *p (1 to 16 digits), moving *p past it. Returns
 * false (and leaves *p) if there is none or it is too long.
 */
bool gdb_parse_hex(const char **p, uint64_t *v);
/**
 * Undoes the binary escape of an X packet's data ('}' then the byte
 * xor 0x20), from in[0..len) into out (room for max). Returns the number
 * of bytes, or -1 for a dangling '}' or too many bytes.
 */
long gdb_unescape(const char *in, size_t len, uint8_t *out, size_t max);

/* ---- The target and the answers ------------------------------------------ */

/** What a thread does when the target resumes (vCont actions). */
enum gdb_action { GDB_ACT_STOP, GDB_ACT_CONTINUE, GDB_ACT_STEP };

/** The most threads (vCPUs) a target has. */
#define GDB_MAX_THREADS 64

/** Why the target stopped, for a stop reply (gdb_stop_reply()). */
struct gdb_stop {
	enum { GDB_STOP_SIGNAL, GDB_STOP_BREAK, GDB_STOP_WATCH, GDB_STOP_EXITED } kind;
	unsigned thread;   /**< 1-based thread id */
	int signal;        /**< GDB_STOP_SIGNAL: 5 (SIGTRAP) after a step, 2 (SIGINT) after Ctrl-C */
	unsigned watch;    /**< GDB_STOP_WATCH: 2 write, 3 read, 4 access (as in Z2..Z4) */
	uint64_t addr;     /**< GDB_STOP_WATCH: the data address */
	int status;        /**< GDB_STOP_EXITED: the exit code (W) */
};

/**
 * A target, as the protocol sees it. Threads are numbered from 1. Every
 * function is called only while the target is stopped, except resume(),
 * which starts it. Register and memory functions return a negative
 * number for an error.
 */
struct gdb_target {
	void *ctx;
	unsigned (*nthreads)(void *ctx);
	/** A short description of a thread for `info threads` ("vCPU 0, runnable"). */
	void (*thread_info)(void *ctx, unsigned thread, char *buf, size_t size);
	/** The target description document annex, or NULL. */
	const char *(*xml)(void *ctx, const char *annex);
	unsigned (*nregs)(void *ctx);
	/** Reads or writes register regno of thread into/from buf; returns its size. */
	int (*reg)(void *ctx, unsigned thread, unsigned regno, uint8_t *buf, bool write);
	/**
	 * Reads or writes len bytes at guest-virtual addr as thread sees
	 * them; returns the number of bytes done (fewer at an unmapped page),
	 * or a negative number when not even the first could be.
	 */
	long (*mem)(void *ctx, unsigned thread, uint64_t addr, uint8_t *buf, size_t len, bool write);
	/** Z/z type 0..4 at addr, kind (length) as gdb gives it; returns 0 or negative. */
	int (*point)(void *ctx, unsigned type, uint64_t addr, uint64_t kind, bool insert);
	/** Sets thread's PC (c ADDR, s ADDR); returns 0 or negative. */
	int (*set_pc)(void *ctx, unsigned thread, uint64_t pc);
	/** Resumes the target, each thread as act[thread - 1] says. */
	void (*resume)(void *ctx, const enum gdb_action *act);
	/**
	 * A monitor command (qRcmd): output goes to out(text, out_ctx), which
	 * gdb prints as it comes. Returns 0, or negative for an error ("E").
	 */
	int (*monitor)(void *ctx, unsigned thread, const char *cmd,
		       void (*out)(const char *text, void *out_ctx), void *out_ctx);
	/** k: end the target. */
	void (*kill)(void *ctx);
	/** D: remove every breakpoint and let the target run without gdb. */
	void (*detach)(void *ctx);
};

/** What the caller does after a packet was answered. */
enum gdb_outcome {
	GDB_REPLY,    /**< send reply (maybe empty: "not supported") */
	GDB_RESUMED,  /**< send nothing: the target runs; a stop reply comes when it stops */
	GDB_DETACHED, /**< send reply ("OK"), then close the connection */
	GDB_KILLED,   /**< close the connection without a reply */
};

/** A connection's protocol state. */
struct gdb_session {
	const struct gdb_target *t;
	unsigned g_thread;       /**< the thread of g, p, m... (Hg), 1-based */
	unsigned c_thread;       /**< the thread of c, s (Hc); 0 = all */
	bool no_ack;             /**< QStartNoAckMode accepted */
	struct gdb_stop last;    /**< the last stop, for '?' */
	/** Sends one packet of monitor output ("O..."), while a qRcmd runs. */
	void (*send)(const char *data, size_t len, void *send_ctx);
	void *send_ctx;
};

/** Starts a session on target t, stopped in thread 1. */
void gdb_session_init(struct gdb_session *s, const struct gdb_target *t,
		      void (*send)(const char *data, size_t len, void *send_ctx), void *send_ctx);
/**
 * Answers one packet (pkt[0..len), as gdb_rx_byte() gave it). The reply's
 * data goes to reply (room for GDB_PACKET_MAX + 1 bytes), its length to
 * *reply_len.
 */
enum gdb_outcome gdb_handle(struct gdb_session *s, const char *pkt, size_t len, char *reply,
			    size_t *reply_len);
/** Writes the stop reply for st ("T05thread:01;...", "W00") into reply; returns its length. */
size_t gdb_stop_reply(struct gdb_session *s, const struct gdb_stop *st, char *reply);

#endif
