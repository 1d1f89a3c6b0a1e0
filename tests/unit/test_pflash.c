/* SPDX-License-Identifier: MIT */
/*
 * The CFI flash's command state machine (Intel/Sharp command set, JESD68
 * query table), through the device bus as a guest's loads and stores
 * reach it: two 64 MiB banks of one x32 device each, as on QEMU virt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/devbus.h>
#include <cvisor/hal.h>
#include <cvisor/pflash.h>
#include <cvisor/stage2.h>
#include <cvisor/vm.h>

#include "hal_stub.h"

#define BASE 0x0ULL
#define BANK1 PFLASH_BANK_SIZE
#define BLOCK PFLASH_BLOCK_SIZE
static struct devbus bus;

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	return devbus_add(&bus, pflash_create(NULL, BASE, 2 * PFLASH_BANK_SIZE));
}

static int teardown(void **state)
{
	(void)state;
	devbus_destroy(&bus);
	return 0;
}

static uint64_t rd(uint64_t off, unsigned size)
{
	uint64_t v = 0xdead;
	assert_int_equal(devbus_access(&bus, BASE + off, size, false, &v), 0);
	return v;
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	assert_int_equal(devbus_access(&bus, BASE + off, size, true, &v), 0);
}

/* A command (or a count) as U-Boot writes it to a 32-bit port: one word. */
static void cmd(uint64_t off, uint32_t c)
{
	wr(off, 4, c);
}

static void test_erased_array(void **state)
{
	(void)state;
	assert_int_equal(pflash_banks(devbus_find(&bus, BASE)), 2);
	assert_int_equal(rd(0, 1), 0xff);
	assert_int_equal(rd(0x40, 4), 0xffffffff);
	assert_int_equal(rd(BANK1 + 4, 8), 0xffffffffffffffffULL);
	/* An access across the two banks, and the window's last byte. */
	assert_int_equal(rd(BANK1 - 4, 8), 0xffffffffffffffffULL);
	assert_int_equal(rd(2 * PFLASH_BANK_SIZE - 1, 1), 0xff);
}

/* JESD68 tables 1-5 and the Intel primary extended table, words 0x10-0x3e. */
static const uint8_t query[] = {
	'Q',  'R',  'Y',  0x01, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x27, 0x36, 0x00, 0x00,
	0x06, 0x09, 0x0a, 0x00, 0x02, 0x02, 0x02, 0x00, 0x1a, 0x03, 0x00, 0x0b, 0x00, 0x01, 0xff,
	0x00, 0x00, 0x04, 'P',  'R',  'I',  '1',  '0',  0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x33, 0x00,
};

static void test_cfi_query(void **state)
{
	(void)state;
	cmd(0x55 * 4, 0x98);
	for (unsigned i = 0; i < sizeof(query); i++)
		assert_int_equal(rd(4 * (0x10 + i), 1), query[i]);
	/* One byte per 32-bit word, on lane 0; the other lanes read zero. */
	assert_int_equal(rd(0x40, 4), 0x51);
	assert_int_equal(rd(0x40, 2), 0x51);
	assert_int_equal(rd(0x41, 1), 0);
	assert_int_equal(rd(0x42, 2), 0);
	assert_int_equal(rd(0x40, 8), 0x5200000051ULL);
	/* Past the table: zero. */
	assert_int_equal(rd(4 * 0x3f, 4), 0);
	assert_int_equal(rd(4 * 0x1000, 4), 0);
	/* The other bank is a device of its own, still in read array. */
	assert_int_equal(rd(BANK1 + 0x40, 4), 0xffffffff);
	cmd(0, 0xff);
	assert_int_equal(rd(0x40, 4), 0xffffffff);
}

static void test_identifier(void **state)
{
	(void)state;
	cmd(5 * BLOCK, 0x90);
	assert_int_equal(rd(0, 4), 0x89);          /* Intel */
	assert_int_equal(rd(4, 4), 0x18);          /* device code */
	assert_int_equal(rd(5 * BLOCK + 8, 4), 0); /* block 5 unlocked */
	assert_int_equal(rd(5 * BLOCK, 4), 0x89);  /* in every block */
	assert_int_equal(rd(12, 4), 0);
	cmd(0, 0xff);
	assert_int_equal(rd(0, 4), 0xffffffff);
}

static void test_word_program(void **state)
{
	(void)state;
	cmd(0x100, 0x40);
	assert_int_equal(rd(0x100, 4), 0x80); /* status: ready */
	wr(0x100, 4, 0x12345678);
	assert_int_equal(rd(0x100, 4), 0x80);  /* status until read array */
	assert_int_equal(rd(0x4000, 1), 0x80); /* at any address */
	cmd(0, 0xff);
	assert_int_equal(rd(0x100, 4), 0x12345678);
	assert_int_equal(rd(0x104, 4), 0xffffffff);
	/* Programming only clears bits: 0x12345678 & 0xffff0f0f. */
	cmd(0x100, 0x10);
	wr(0x100, 4, 0xffff0f0f);
	cmd(0, 0xff);
	assert_int_equal(rd(0x100, 4), 0x12340608);
	/* A byte and a halfword, as a 16-bit or 8-bit driver writes them. */
	cmd(0x200, 0x40);
	wr(0x201, 1, 0xa5);
	cmd(0x200, 0x40);
	wr(0x206, 2, 0x1234);
	cmd(0x200, 0xff);
	assert_int_equal(rd(0x200, 8), 0x1234ffffffffa5ffULL);
	/* In bank 1. */
	cmd(BANK1 + 8, 0x40);
	wr(BANK1 + 8, 4, 0);
	cmd(BANK1, 0xff);
	assert_int_equal(rd(BANK1 + 8, 4), 0);
	assert_int_equal(rd(8, 4), 0xffffffff);
}

static void test_block_erase(void **state)
{
	(void)state;
	cmd(BLOCK, 0x40);
	wr(BLOCK + 0x10, 4, 0x11111111);
	cmd(2 * BLOCK, 0x40);
	wr(2 * BLOCK, 4, 0x22222222);
	/* Setup at one address, confirm at another in the block: it erases. */
	cmd(BLOCK + 0x40, 0x20);
	assert_int_equal(rd(BLOCK, 4), 0x80);
	cmd(BLOCK + 0x3fffc, 0xd0);
	assert_int_equal(rd(BLOCK, 4), 0x80);
	cmd(0, 0xff);
	assert_int_equal(rd(BLOCK + 0x10, 4), 0xffffffff);
	assert_int_equal(rd(2 * BLOCK, 4), 0x22222222);
	/* Erasing a block never written. */
	cmd(7 * BLOCK, 0x20);
	cmd(7 * BLOCK, 0xd0);
	assert_int_equal(rd(0, 4), 0x80);
	cmd(0, 0xff);
	assert_int_equal(rd(7 * BLOCK, 4), 0xffffffff);
}

static void test_buffered_program(void **state)
{
	(void)state;
	uint64_t at = 3 * BLOCK + 0x800;

	/* 0xe8, count - 1, the words, 0xd0 (U-Boot's write_buff on a 32-bit port). */
	cmd(3 * BLOCK, 0xe8);
	assert_int_equal(rd(3 * BLOCK, 4), 0x80); /* a buffer is free */
	cmd(3 * BLOCK, 3);
	wr(at, 4, 0x03020100);
	wr(at + 4, 4, 0x07060504);
	wr(at + 8, 4, 0x0b0a0908);
	wr(at + 12, 4, 0x0f0e0d0c);
	assert_int_equal(rd(3 * BLOCK, 4), 0x80);
	/* Anything but the confirm: a command sequence error, nothing programmed. */
	cmd(3 * BLOCK, 0xff);
	assert_int_equal(rd(3 * BLOCK, 4), 0xb0);
	cmd(3 * BLOCK, 0x50);
	cmd(3 * BLOCK, 0xff);
	assert_int_equal(rd(at, 8), 0xffffffffffffffffULL);
	cmd(3 * BLOCK, 0xe8);
	cmd(3 * BLOCK, 3);
	wr(at, 4, 0x03020100);
	wr(at + 4, 4, 0x07060504);
	wr(at + 8, 4, 0x0b0a0908);
	wr(at + 12, 4, 0x0f0e0d0c);
	cmd(3 * BLOCK, 0xd0);
	assert_int_equal(rd(3 * BLOCK, 4), 0x80);
	cmd(3 * BLOCK, 0xff);
	assert_int_equal(rd(at, 8), 0x0706050403020100ULL);
	assert_int_equal(rd(at + 8, 8), 0x0f0e0d0c0b0a0908ULL);
	assert_int_equal(rd(at + 16, 4), 0xffffffff);
	assert_int_equal(rd(at - 4, 4), 0xffffffff);
	/* Two halfwords, as a driver that sees a 16-bit port writes them. */
	cmd(3 * BLOCK, 0xe8);
	wr(3 * BLOCK, 2, 1);
	wr(at + 0x20, 2, 0xbeef);
	wr(at + 0x22, 2, 0xdead);
	wr(3 * BLOCK, 2, 0xd0);
	cmd(3 * BLOCK, 0xff);
	assert_int_equal(rd(at + 0x20, 4), 0xdeadbeef);
	/* A whole 2 KiB buffer. */
	cmd(4 * BLOCK, 0xe8);
	cmd(4 * BLOCK, 511);
	for (unsigned i = 0; i < 512; i++)
		wr(4 * BLOCK + 4 * i, 4, i);
	cmd(4 * BLOCK, 0xd0);
	assert_int_equal(rd(4 * BLOCK, 4), 0x80);
	cmd(4 * BLOCK, 0xff);
	assert_int_equal(rd(4 * BLOCK + 4 * 511, 4), 511);
	assert_int_equal(rd(4 * BLOCK + 4 * 512, 4), 0xffffffff);
}

static void test_sequence_errors(void **state)
{
	(void)state;
	/* An erase not confirmed: SR.5 and SR.4 (command sequence error). */
	cmd(0, 0x40);
	wr(0, 4, 0x5a5a5a5a);
	cmd(0, 0x20);
	cmd(0, 0xff);
	assert_int_equal(rd(0, 4), 0xb0);
	/* The errors stay until cleared, in every mode that shows status. */
	cmd(0, 0x70);
	assert_int_equal(rd(0, 4), 0xb0);
	cmd(0, 0x50);
	assert_int_equal(rd(0, 4), 0x80);
	cmd(0, 0xff);
	assert_int_equal(rd(0, 4), 0x5a5a5a5a);
	/* A count larger than the buffer. */
	cmd(0, 0xe8);
	cmd(0, 0x800);
	assert_int_equal(rd(0, 4), 0xb0);
	cmd(0, 0x50);
	/* Data outside the buffer's window, then outside the block. */
	cmd(0, 0xe8);
	cmd(0, 1);
	wr(0x100, 4, 0);
	wr(0x100 + 2048, 4, 0);
	assert_int_equal(rd(0, 4), 0xb0);
	cmd(0, 0x50);
	cmd(0, 0xe8);
	cmd(0, 0);
	wr(BLOCK, 4, 0);
	assert_int_equal(rd(0, 4), 0xb0);
	cmd(0, 0x50);
	/* A buffer not confirmed programs nothing. */
	cmd(0, 0xe8);
	cmd(0, 0);
	wr(0x200, 4, 0);
	cmd(0, 0xff);
	assert_int_equal(rd(0, 4), 0xb0);
	cmd(0, 0x50);
	cmd(0, 0xff);
	assert_int_equal(rd(0x100, 4), 0xffffffff);
	assert_int_equal(rd(0x200, 4), 0xffffffff);
	/* A word program across two blocks. */
	cmd(0, 0x40);
	wr(BLOCK - 2, 4, 0);
	assert_int_equal(rd(0, 4), 0xb0);
	cmd(0, 0x50);
	cmd(0, 0xff);
	assert_int_equal(rd(BLOCK - 4, 8), 0xffffffffffffffffULL);
}

static void test_lock_bits(void **state)
{
	(void)state;
	cmd(6 * BLOCK, 0x40);
	wr(6 * BLOCK, 4, 0x600d600d);
	cmd(6 * BLOCK, 0x60);
	cmd(6 * BLOCK + 0x100, 0x01);
	cmd(0, 0x90);
	assert_int_equal(rd(6 * BLOCK + 8, 4), 1);
	assert_int_equal(rd(7 * BLOCK + 8, 4), 0);
	/* Erase and program refused: SR.5 or SR.4, with SR.1 (block locked). */
	cmd(6 * BLOCK, 0x20);
	cmd(6 * BLOCK, 0xd0);
	assert_int_equal(rd(0, 4), 0xa2);
	cmd(0, 0x50);
	cmd(6 * BLOCK, 0x40);
	wr(6 * BLOCK + 4, 4, 0);
	assert_int_equal(rd(0, 4), 0x92);
	cmd(0, 0x50);
	cmd(0, 0xff);
	assert_int_equal(rd(6 * BLOCK, 8), 0xffffffff600d600dULL);
	/* Cleared: the erase goes through. */
	cmd(6 * BLOCK, 0x60);
	cmd(6 * BLOCK, 0xd0);
	cmd(6 * BLOCK, 0x20);
	cmd(6 * BLOCK, 0xd0);
	assert_int_equal(rd(0, 4), 0x80);
	cmd(0, 0x90);
	assert_int_equal(rd(6 * BLOCK + 8, 4), 0);
	cmd(0, 0xff);
	assert_int_equal(rd(6 * BLOCK, 4), 0xffffffff);
	/* Neither 0x01 nor 0xd0 after 0x60. */
	cmd(0, 0x60);
	cmd(0, 0x77);
	assert_int_equal(rd(0, 4), 0xb0);
}

static void test_unknown_commands(void **state)
{
	(void)state;
	/* AMD's reset (0xf0), as U-Boot's probe sends it: back to read array. */
	cmd(0, 0x98);
	cmd(0, 0xf0);
	assert_int_equal(rd(0x40, 4), 0xffffffff);
	/* A byte off lane 0 carries no command: 0x98 at 0x55 is not a query. */
	cmd(0, 0x70);
	wr(0x55, 1, 0x98);
	assert_int_equal(rd(0x40, 4), 0xffffffff);
	/* Suspend and resume: nothing to suspend, reads show the status. */
	cmd(0, 0xb0);
	assert_int_equal(rd(0, 4), 0x80);
	cmd(0, 0xd0);
	assert_int_equal(rd(0, 4), 0x80);
}

/* A window of one bank and a page: the page reads zero and ignores writes. */
static void test_window_past_the_banks(void **state)
{
	(void)state;
	struct devbus small = { .ndevs = 0 };

	assert_null(pflash_create(NULL, 0, PFLASH_BANK_SIZE - 1));
	assert_int_equal(devbus_add(&small, pflash_create(NULL, 0, PFLASH_BANK_SIZE + 0x1000)), 0);
	assert_int_equal(pflash_banks(devbus_find(&small, 0)), 1);
	uint64_t v = 0x98;
	assert_int_equal(devbus_access(&small, PFLASH_BANK_SIZE, 4, true, &v), 0);
	assert_int_equal(devbus_access(&small, PFLASH_BANK_SIZE, 4, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(devbus_access(&small, PFLASH_BANK_SIZE - 4, 8, false, &v), 0);
	assert_int_equal(v, 0xffffffffULL);
	assert_int_equal(devbus_access(&small, 0x40, 4, false, &v), 0);
	assert_int_equal(v, 0xffffffff);
	devbus_destroy(&small);
}

/* Reads a 32-bit word through the VM's stage 2, as the guest reads it once mapped; ~0 when unmapped. */
static uint64_t s2_word(const struct vm *vm, gpa_t gpa)
{
	struct s2_result res;
	if (stage2_translate(&vm->as.s2, gpa, ACCESS_READ, &res, NULL, NULL) < 0)
		return ~0ULL;
	assert_int_equal(res.perm, PERM_READ);
	return *(const uint32_t *)(uintptr_t)res.hpa;
}

/*
 * pflash_map_read(): the block read is mapped read-only while its bank
 * reads its array (the page of 0xff for a block never written, the block's
 * memory once programmed); the next write to the bank unmaps it.
 */
static void test_map_read(void **state)
{
	static struct vm vm;
	struct devbus b = {0};
	struct device *dev;
	(void)state;

	memset(&vm, 0, sizeof(vm));
	assert_int_equal(stage2_init(&vm.as.s2), 0);
	dev = pflash_create(&vm, BASE, 2 * PFLASH_BANK_SIZE);
	assert_non_null(dev);
	assert_int_equal(devbus_add(&b, dev), 0);

	assert_int_equal(s2_word(&vm, BASE + BANK1 + 3 * BLOCK), ~0ULL); /* nothing mapped yet */
	pflash_map_read(dev, BANK1 + 3 * BLOCK + 8);
	assert_int_equal(s2_word(&vm, BASE + BANK1 + 3 * BLOCK), 0xffffffffULL);
	assert_int_equal(s2_word(&vm, BASE + BANK1 + 4 * BLOCK - 4), 0xffffffffULL);
	assert_int_equal(s2_word(&vm, BASE + BANK1 + 4 * BLOCK), ~0ULL); /* the next block: not */
	assert_int_equal(s2_word(&vm, BASE + 3 * BLOCK), ~0ULL);          /* bank 0: not */

	/* A word program: unmapped at the command, status mode after it: nothing mapped. */
	uint64_t v = 0x40;
	assert_int_equal(devbus_access(&b, BASE + BANK1 + 3 * BLOCK, 4, true, &v), 0);
	assert_int_equal(s2_word(&vm, BASE + BANK1 + 3 * BLOCK), ~0ULL);
	v = 0x12345678;
	assert_int_equal(devbus_access(&b, BASE + BANK1 + 3 * BLOCK + 4, 4, true, &v), 0);
	pflash_map_read(dev, BANK1 + 3 * BLOCK + 4);
	assert_int_equal(s2_word(&vm, BASE + BANK1 + 3 * BLOCK), ~0ULL);
	/* Read array again: the block's own memory is mapped. */
	v = 0xff;
	assert_int_equal(devbus_access(&b, BASE + BANK1 + 3 * BLOCK, 4, true, &v), 0);
	pflash_map_read(dev, BANK1 + 3 * BLOCK + 4);
	assert_int_equal(s2_word(&vm, BASE + BANK1 + 3 * BLOCK + 4), 0x12345678ULL);
	assert_int_equal(s2_word(&vm, BASE + BANK1 + 3 * BLOCK), 0xffffffffULL);
	/* An erase unmaps it before the block's memory goes. */
	v = 0x20;
	assert_int_equal(devbus_access(&b, BASE + BANK1 + 3 * BLOCK, 4, true, &v), 0);
	assert_int_equal(s2_word(&vm, BASE + BANK1 + 3 * BLOCK + 4), ~0ULL);
	v = 0xd0;
	assert_int_equal(devbus_access(&b, BASE + BANK1 + 3 * BLOCK, 4, true, &v), 0);
	v = 0xff;
	assert_int_equal(devbus_access(&b, BASE + BANK1 + 3 * BLOCK, 4, true, &v), 0);
	pflash_map_read(dev, BANK1 + 3 * BLOCK);
	assert_int_equal(s2_word(&vm, BASE + BANK1 + 3 * BLOCK + 4), 0xffffffffULL);

	/* Past the last bank, and another device: nothing. */
	pflash_map_read(dev, 2 * PFLASH_BANK_SIZE);
	devbus_destroy(&b);
	stage2_destroy(&vm.as.s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_erased_array, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfi_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identifier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_word_program, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffered_program, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequence_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_commands, setup, teardown),
		cmocka_unit_test(test_window_past_the_banks),
		cmocka_unit_test(test_map_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
