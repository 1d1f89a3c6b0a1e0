/* SPDX-License-Identifier: MIT */
/*
 * uc_raw_stop: what Unicorn 2.0.1 does with a stop asked for by another
 * thread, and what it costs to give translated code a block hook later.
 * The facts behind the simulator's block hook (docs/simulator.md,
 * "Stopping a CPU between two instructions").
 *
 *   uc_raw_stop
 *
 * An AArch64 loop `ldr x1, [x0]; add x1, x1, #1; str x1, [x0];
 * add x2, x2, #1; b loop` (one translated block) keeps the word at x0
 * equal to x2 at every block start. It is stopped many times, each run
 * resumed at the PC Unicorn reports; a stop after which the word and x2
 * differ made the store run twice (the PC went back to the block's start
 * after the block's store). Three ways of stopping:
 *   async       uc_emu_stop() from another thread (what uc_emu_start()'s
 *               own timeout does, from its own thread)
 *   async+code  as async, with a code hook on a range that never runs
 *   block hook  another thread sets a flag, a block hook calls uc_emu_stop()
 * Then a block hook added after the loop was translated: how many calls it
 * gets, and after dropping the loop's page or all translated code.
 */
#include <pthread.h>
#include <stdio.h>
#include <unicorn/unicorn.h>
#include <unistd.h>

#include "uc_raw.h"

#define RAM 0x40000000ULL
#define WORD (RAM + 0x1000)
#define STOPS 5000

enum way { ASYNC, ASYNC_CODE, BLOCK_HOOK };

static uc_engine *uc;
static enum way way;
static int done, want;
static unsigned long calls;

static void *stopper(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&done, __ATOMIC_SEQ_CST)) {
		usleep(50);
		if (way == BLOCK_HOOK)
			__atomic_store_n(&want, 1, __ATOMIC_SEQ_CST);
		else
			uc_emu_stop(uc);
	}
	return NULL;
}

static void on_block(uc_engine *u, uint64_t addr, uint32_t size, void *user)
{
	(void)addr;
	(void)size;
	(void)user;
	calls++;
	if (way == BLOCK_HOOK && __atomic_exchange_n(&want, 0, __ATOMIC_SEQ_CST))
		uc_emu_stop(u);
}

static uc_engine *open_cpu(const uint32_t *code, size_t size)
{
	uc_engine *u;
	uint64_t pstate = 0x3c5, x0 = WORD;

	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &u) != UC_ERR_OK ||
	    uc_mem_map(u, RAM, 0x10000, UC_PROT_ALL) != UC_ERR_OK ||
	    uc_mem_write(u, RAM, code, size) != UC_ERR_OK ||
	    uc_reg_write(u, UC_ARM64_REG_PSTATE, &pstate) != UC_ERR_OK ||
	    uc_reg_write(u, UC_ARM64_REG_X0, &x0) != UC_ERR_OK) {
		fprintf(stderr, "uc_raw_stop: setting up the CPU failed\n");
		return NULL;
	}
	return u;
}

/* Stops the loop STOPS times the given way; prints how many ran the store twice. */
static int stops(enum way w, const char *name)
{
	static const uint32_t loop[] = {0xf9400001, 0x91000421, 0xf9000001, 0x91000442, 0x17fffffc};
	uint64_t pc = RAM, x2 = 0, word;
	long twice = 0, moved = 0;
	uc_hook h;
	pthread_t t;

	if (!(uc = open_cpu(loop, sizeof(loop))))
		return 1;
	way = w;
	done = 0;
	if (w == BLOCK_HOOK)
		uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)on_block, NULL, 1, 0);
	if (w == ASYNC_CODE)
		uc_hook_add(uc, &h, UC_HOOK_CODE, (void *)on_block, NULL, RAM + 0x8000,
			    RAM + 0x8004);
	pthread_create(&t, NULL, stopper, NULL);
	for (int i = 0; i < STOPS; i++) {
		uc_emu_start(uc, pc, 0, 0, 0);
		uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
		uc_reg_read(uc, UC_ARM64_REG_X2, &x2);
		uc_mem_read(uc, WORD, &word, sizeof(word));
		moved += pc != RAM;
		if (word != x2) {
			twice++;
			uc_mem_write(uc, WORD, &x2, sizeof(x2)); /* count the next stops afresh */
		}
	}
	__atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	printf("  %-11s %5d stops, %5ld ran the store twice, %ld not at the block's start (%llu "
	       "iterations)\n",
	       name, STOPS, twice, moved, (unsigned long long)x2);
	uc_close(uc);
	return 0;
}

/* 1 M iterations of `add x2, x2, #1; subs x3, x3, #1; b.ne`, to the address after it. */
static void million(void)
{
	uint64_t x3 = 1000000;

	calls = 0;
	uc_reg_write(uc, UC_ARM64_REG_X3, &x3);
	uc_emu_start(uc, RAM, RAM + 12, 0, 0);
}

static int late_hook(void)
{
	static const uint32_t loop[] = {0x91000442, 0xf1000463, 0x54ffffc1, 0xd503201f};
	uc_hook h;

	if (!(uc = open_cpu(loop, sizeof(loop))))
		return 1;
	way = ASYNC; /* on_block only counts */
	million();
	uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)on_block, NULL, 1, 0);
	million();
	printf("  block hook added after translation, the next run: %lu calls in 1 M iterations\n",
	       calls);
	double t0 = now();
	uc_ctl_remove_cache(uc, RAM, RAM + 0x1000);
	double t1 = now();
	million();
	printf("  after dropping the loop's page (uc_ctl_remove_cache, %.1f us): %lu calls\n",
	       (t1 - t0) * 1e6, calls);
	uc_hook_del(uc, h);
	t0 = now();
	uc_ctl_flush_tlb(uc); /* UC_CTL_TB_FLUSH: all translated code */
	t1 = now();
	million();
	printf("  hook deleted, all code dropped (UC_CTL_TB_FLUSH, %.3f s): %lu calls\n", t1 - t0,
	       calls);
	uc_close(uc);
	return 0;
}

int main(void)
{
	printf("  AArch64 `ldr; add; str; add; b` loop, one block, stopped %d times each way:\n",
	       STOPS);
	if (stops(ASYNC, "async") || stops(ASYNC_CODE, "async+code") ||
	    stops(BLOCK_HOOK, "block hook"))
		return 1;
	return late_hook();
}
