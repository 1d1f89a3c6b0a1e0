/* SPDX-License-Identifier: MIT */
/*
 * What the gdb register tests of every architecture share
 * (tests/unit/<arch>/test_gdb_regs.c): the target description read back
 * from sim_gdb_xml() and checked, a simulated CPU for a booted VM, and
 * the host side of its exits.
 */
#ifndef TESTS_UNIT_GDB_TDESC_H
#define TESTS_UNIT_GDB_TDESC_H

#include <stdbool.h>
#include <stdint.h>

#include <cvisor/exit.h>
#include <cvisor/walk.h>

struct sim_cpu;
struct vm;

/** A register of the description, with the number gdb gives it (regnum= or the last + 1). */
struct tdesc_reg {
	char name[24];
	unsigned bits;
	unsigned regnum;
};

/** Registers a description holds at most, for the tests. */
#define TDESC_MAX_REGS 160

/**
 * Reads "target.xml" and every document it includes through
 * sim_gdb_xml(), failing the test unless each is well formed (one root
 * element, tags nested and closed), the architecture is arch, and every
 * include resolves. Fills regs (in document order) and returns their count.
 */
unsigned tdesc_load(const char *arch, struct tdesc_reg *regs, unsigned max);

/** The register named name in regs, or fails the test. */
const struct tdesc_reg *tdesc_find(const struct tdesc_reg *regs, unsigned n, const char *name);

/**
 * Checks the numbering against sim_gdb_nregs() and sim_gdb_reg() on c:
 * numbers strictly increase; those below nregs are exactly 0..nregs-1
 * (the g packet); every register reads with its size in bytes; every
 * other number up to the highest + 2 is -CV_EINVAL.
 */
void tdesc_check_numbering(struct sim_cpu *c, const struct tdesc_reg *regs, unsigned n);

/** Reads / writes a register of at most 8 bytes through the debugger's access (fails unless size).
 */
/** A walk_cb that counts the levels a walk visits in *(unsigned *)ctx. */
void tdesc_count_step(const struct walk_step *step, void *ctx);

uint64_t gdb_get(struct sim_cpu *c, unsigned regno, int size);
void gdb_set(struct sim_cpu *c, unsigned regno, int size, uint64_t v);

/**
 * Creates the simulated CPU of vm's vCPU 0 (virtual clock, no deadline),
 * or fails the test.
 */
struct sim_cpu *gdb_test_cpu(struct vm *vm);

/**
 * Runs c (sim_cpu_run()) until an exit other than EXIT_NONE, at most 100
 * runs; returns the exit's reason. Fails on an error.
 */
enum exit_reason gdb_test_run(struct sim_cpu *c);

/** Exits the CPU took inside a hook (sim_host_exit()) since the last call. */
unsigned gdb_test_host_exits(void);

#endif
