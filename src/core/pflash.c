/* SPDX-License-Identifier: MIT */
/**
 * @file pflash.c
 * @brief Emulation of a parallel NOR flash with the Intel/Sharp command
 *        set, as on QEMU's virt machine: two 64 MiB banks of 256 KiB
 *        blocks, each bank one device with a 32-bit data bus.
 *
 * References: JEDEC JESD68.01 "Common Flash Interface (CFI)" (the query
 * table), JEP137 (command set and interface codes), Intel application
 * note 646 "Common Flash Interface (CFI) and Command Sets" and the Intel
 * StrataFlash Embedded Memory (J3) datasheet, "Device Operations" (the
 * commands, the status register, the write-to-buffer sequence).
 *
 * A bank is a state machine driven by writes. A write is either a command
 * (its byte on the device's data lines 7:0, i.e. byte lane 0 of a 32-bit
 * word) or the data a previous command asked for:
 *
 *   0xff            read array: reads return the contents
 *   0x70            read status register
 *   0x50            clear status register (the error bits)
 *   0x90            read identifier: word 0 manufacturer, 1 device, 2 block lock status
 *   0x98            CFI query: reads return the query table, one byte per word
 *   0x20, 0xd0      block erase of the block the confirm is written to
 *   0x40 or 0x10, D word program: D is ANDed into the array (bits go 1 -> 0)
 *   0xe8, N-1, D1..DN, 0xd0     write to buffer: N data writes programmed at once
 *   0x60, 0x01/0xd0 set / clear the lock bit of a block
 *
 * Every operation completes at once: the status register's ready bit
 * (SR.7) is always set, and after erase, program or lock commands reads
 * return the status register until a read-array command, as on the parts.
 * An unknown command returns the bank to read array.
 *
 * Blocks never written take no host memory (they read as 0xff). A HAL
 * whose guests access memory through the VM's stage 2 itself (the bare
 * build) may ask, after a read exit, for the block read to be mapped
 * read-only into stage 2 while its bank is in read-array mode
 * (pflash_map_read()): its own memory, or one page of 0xff repeated for
 * a block never written. Further reads of it then take no exit; writes
 * still fault to the model, and the first write to a bank unmaps all its
 * blocks before it acts (unmap_bank()), so that every read in another
 * mode, and every read after a program or erase, comes back to the model.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/pflash.h>
#include <cvisor/vm.h>
#include <arch/stage2.h>

#define BLOCKS_PER_BANK ((unsigned)(PFLASH_BANK_SIZE / PFLASH_BLOCK_SIZE))
/* Write-buffer size in bytes (the query table's 2^N at 0x2a). */
#define BUFFER_BYTES 2048u

/* Commands (J3 datasheet, table "Command Bus Operations"). */
enum {
	CMD_PROGRAM_ALT = 0x10,
	CMD_ERASE = 0x20,
	CMD_PROGRAM = 0x40,
	CMD_CLEAR_STATUS = 0x50,
	CMD_LOCK_SETUP = 0x60,
	CMD_READ_STATUS = 0x70,
	CMD_READ_ID = 0x90,
	CMD_QUERY = 0x98,
	CMD_SUSPEND = 0xb0,
	CMD_CONFIRM = 0xd0, /* also erase resume, and clear lock after 0x60 */
	CMD_WRITE_BUFFER = 0xe8,
	CMD_READ_ARRAY = 0xff,
	CMD_LOCK_SET = 0x01,
	CMD_LOCK_DOWN = 0x2f,
};

/* Status register bits (J3 datasheet, "Status Register Definition"). */
#define SR_READY 0x80       /* SR.7 write state machine ready */
#define SR_ERASE_ERR 0x20   /* SR.5 erase or clear-lock error */
#define SR_PROGRAM_ERR 0x10 /* SR.4 program or set-lock error */
#define SR_LOCKED 0x02      /* SR.1 the operation hit a locked block */
/* SR.4 and SR.5 together: an improper command sequence. */
#define SR_SEQUENCE_ERR (SR_ERASE_ERR | SR_PROGRAM_ERR)

/* Identifier codes: Intel (0x89), and the device code QEMU's virt flash reports. */
#define ID_MANUFACTURER 0x89
#define ID_DEVICE 0x18

/* What reads return. */
enum read_mode { READ_ARRAY, READ_STATUS, READ_ID, READ_QUERY };

/* What the next write is, when not a command. */
enum step {
	STEP_COMMAND, /* a command */
	STEP_ERASE,   /* the erase confirm (0xd0) */
	STEP_PROGRAM, /* the data of a word program */
	STEP_COUNT,   /* the count of a write to buffer */
	STEP_DATA,    /* its data */
	STEP_CONFIRM, /* its confirm (0xd0) */
	STEP_LOCK,    /* set or clear a lock bit */
};

struct bank {
	uint8_t *blocks[BLOCKS_PER_BANK]; /* contents; NULL for an erased block */
	bool locked[BLOCKS_PER_BANK];     /* block lock bits */
	enum read_mode mode;
	enum step step;
	uint8_t status; /* the status register */
	/* Write to buffer: its block, the data writes still to come, where
	 * the first one went, and how far from there the buffer is filled. */
	uint64_t buf_block;
	uint32_t buf_writes;
	uint64_t buf_start;
	uint32_t buf_filled;
	uint8_t buf[BUFFER_BYTES];
	uint64_t mapped[BLOCKS_PER_BANK / 64]; /* blocks mapped in stage 2 (read-array mode) */
	unsigned nmapped;
};

struct pflash {
	unsigned nbanks;
	struct bank *banks[PFLASH_MAX_BANKS];
	gpa_t base;      /* the guest address of bank 0 */
	uint8_t *erased; /* one page of 0xff: what stage 2 maps for a block never written */
	bool busy;       /* the lock: vCPUs of one VM may access the flash at once */
};

/*
 * One access at a time: a guest whose vCPUs erase and program a block
 * together must not make the model free the memory it writes to.
 */
static void lock(struct pflash *f)
{
	while (__atomic_test_and_set(&f->busy, __ATOMIC_ACQUIRE))
		;
}

static void unlock(struct pflash *f)
{
	__atomic_clear(&f->busy, __ATOMIC_RELEASE);
}

/*
 * The CFI query table (JESD68.01 tables 1-5, Intel AN 646 for the primary
 * extended table at 0x31), by word address. One x32 device per bank, so
 * a guest reads entry i at byte offset 4 * i; U-Boot's probe finds it as
 * "32 x 32".
 */
/* clang-format off */
static const uint8_t cfi_query[] = {
	[0x10] = 'Q', [0x11] = 'R', [0x12] = 'Y',
	[0x13] = 0x01, [0x14] = 0x00, /* primary command set 0x0001: Intel/Sharp extended */
	[0x15] = 0x31, [0x16] = 0x00, /* its extended table at 0x31 */
	[0x17] = 0x00, [0x18] = 0x00, /* no alternate command set */
	[0x19] = 0x00, [0x1a] = 0x00,
	[0x1b] = 0x27, [0x1c] = 0x36, /* Vcc 2.7 V to 3.6 V */
	[0x1d] = 0x00, [0x1e] = 0x00, /* no Vpp pin */
	[0x1f] = 0x06,                /* typical word program 2^6 us */
	[0x20] = 0x09,                /* typical buffer program 2^9 us */
	[0x21] = 0x0a,                /* typical block erase 2^10 ms */
	[0x22] = 0x00,                /* no chip erase */
	[0x23] = 0x02, [0x24] = 0x02, [0x25] = 0x02, /* maxima: 2^2 times typical */
	[0x26] = 0x00,
	[0x27] = 0x1a,                /* device size 2^26 bytes (64 MiB) */
	[0x28] = 0x03, [0x29] = 0x00, /* interface: x32 asynchronous */
	[0x2a] = 0x0b, [0x2b] = 0x00, /* write buffer 2^11 bytes */
	[0x2c] = 0x01,                /* one erase block region: */
	[0x2d] = 0xff, [0x2e] = 0x00, /*   256 blocks (the field is blocks - 1) */
	[0x2f] = 0x00, [0x30] = 0x04, /*   of 0x400 * 256 bytes (256 KiB) */
	[0x31] = 'P', [0x32] = 'R', [0x33] = 'I',
	[0x34] = '1', [0x35] = '0',                 /* extended table version 1.0 */
	[0x36] = 0x00, [0x37] = 0x00, [0x38] = 0x00, [0x39] = 0x00, /* no optional features */
	[0x3a] = 0x00,                /* nothing after suspend */
	[0x3b] = 0x01, [0x3c] = 0x00, /* block status register: bit 0 lock */
	[0x3d] = 0x33,                /* Vcc optimum 3.3 V */
	[0x3e] = 0x00,                /* no Vpp */
};
/* clang-format on */

static const char *vm_name(const struct device *dev)
{
	return dev->vm ? dev->vm->name : "?";
}

/* The array byte at offset off of bank b. */
static uint8_t array_byte(const struct bank *b, uint64_t off)
{
	const uint8_t *blk = b->blocks[off / PFLASH_BLOCK_SIZE];
	return blk ? blk[off % PFLASH_BLOCK_SIZE] : 0xff;
}

/* The byte a read at offset off of bank b returns in its current mode. */
static uint8_t read_byte(const struct bank *b, uint64_t off)
{
	if (b->mode == READ_ARRAY)
		return array_byte(b, off);
	/* Status, identifier and query answer on data lines 7:0 (lane 0). */
	if (off % PFLASH_WIDTH)
		return 0;
	uint64_t word = off / PFLASH_WIDTH;
	switch (b->mode) {
	case READ_STATUS:
		return b->status;
	case READ_ID: {
		uint64_t in_block = (off % PFLASH_BLOCK_SIZE) / PFLASH_WIDTH;
		if (in_block == 0)
			return ID_MANUFACTURER;
		if (in_block == 1)
			return ID_DEVICE;
		if (in_block == 2)
			return b->locked[off / PFLASH_BLOCK_SIZE] ? 1 : 0;
		return 0;
	}
	case READ_QUERY:
		return word < sizeof(cfi_query) ? cfi_query[word] : 0;
	case READ_ARRAY:
		break;
	}
	return 0;
}

/*
 * ANDs len bytes of data into bank b at off (programming clears bits, only
 * an erase sets them). The caller has checked the range is in one block.
 * Returns false if the block's memory could not be allocated.
 */
static bool program(struct bank *b, uint64_t off, const uint8_t *data, uint64_t len)
{
	uint8_t **blk = &b->blocks[off / PFLASH_BLOCK_SIZE];

	if (!*blk) {
		*blk = hal_page_alloc(PFLASH_BLOCK_SIZE / PAGE_SIZE);
		if (!*blk)
			return false;
		memset(*blk, 0xff, PFLASH_BLOCK_SIZE);
	}
	for (uint64_t i = 0; i < len; i++)
		(*blk)[(off + i) % PFLASH_BLOCK_SIZE] &= data[i];
	return true;
}

/* Programs len bytes at off of bank b, as the status register reports it. */
static void program_checked(struct device *dev, struct bank *b, uint64_t off, const uint8_t *data,
			    uint64_t len)
{
	if (b->locked[off / PFLASH_BLOCK_SIZE]) {
		b->status |= SR_PROGRAM_ERR | SR_LOCKED;
	} else if (!program(b, off, data, len)) {
		log_warn("%s: flash: out of host memory for block 0x%llx", vm_name(dev),
			 (unsigned long long)(off / PFLASH_BLOCK_SIZE));
		b->status |= SR_PROGRAM_ERR;
	}
}

/* Block erase of the block holding off (J3 datasheet, "Block Erase"). */
static void erase(struct bank *b, uint64_t off)
{
	unsigned i = (unsigned)(off / PFLASH_BLOCK_SIZE);

	if (b->locked[i]) {
		b->status |= SR_ERASE_ERR | SR_LOCKED;
		return;
	}
	if (b->blocks[i])
		hal_page_free(b->blocks[i], PFLASH_BLOCK_SIZE / PAGE_SIZE);
	b->blocks[i] = NULL;
}

/* An improper command sequence: SR.4 and SR.5, the bank waits for a new command. */
static void sequence_error(struct bank *b)
{
	b->status |= SR_SEQUENCE_ERR;
	b->step = STEP_COMMAND;
	b->mode = READ_STATUS;
}

/* A command written to bank b at off. */
static void command(struct device *dev, struct bank *b, uint64_t off, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_ARRAY:
		b->mode = READ_ARRAY;
		return;
	case CMD_READ_STATUS:
		b->mode = READ_STATUS;
		return;
	case CMD_CLEAR_STATUS:
		b->status = SR_READY;
		return;
	case CMD_READ_ID:
		b->mode = READ_ID;
		return;
	case CMD_QUERY:
		b->mode = READ_QUERY;
		return;
	case CMD_ERASE:
		b->step = STEP_ERASE;
		b->mode = READ_STATUS;
		return;
	case CMD_PROGRAM:
	case CMD_PROGRAM_ALT:
		b->step = STEP_PROGRAM;
		b->mode = READ_STATUS;
		return;
	case CMD_WRITE_BUFFER:
		/* Reads now return the extended status: SR.7 set, a buffer is free. */
		b->step = STEP_COUNT;
		b->buf_block = off / PFLASH_BLOCK_SIZE;
		b->mode = READ_STATUS;
		return;
	case CMD_LOCK_SETUP:
		b->step = STEP_LOCK;
		b->mode = READ_STATUS;
		return;
	case CMD_SUSPEND:
	case CMD_CONFIRM:
		/* Suspend or resume: nothing is ever in progress to suspend. */
		b->mode = READ_STATUS;
		return;
	}
	log_debug("%s: flash: unknown command 0x%02x at offset 0x%llx, back to read array",
		  vm_name(dev), cmd, (unsigned long long)off);
	b->mode = READ_ARRAY;
}

/*
 * The count after 0xe8: N-1, then N data writes follow. N counts the
 * guest's data writes (bus cycles), whatever their width: a driver that
 * sees the bank as a 16-bit port writes halfwords, one that sees a 32-bit
 * port words. Together they must fit the buffer.
 */
static void buffer_count(struct bank *b, uint64_t off, uint64_t val)
{
	uint64_t writes = (val & 0xffff) + 1;

	if (off % PFLASH_WIDTH || off / PFLASH_BLOCK_SIZE != b->buf_block ||
	    writes > BUFFER_BYTES) {
		sequence_error(b);
		return;
	}
	b->buf_writes = (uint32_t)writes;
	b->buf_filled = 0;
	memset(b->buf, 0xff, sizeof(b->buf));
	b->step = STEP_DATA;
}

/*
 * A data write of the write-to-buffer sequence: into the buffer, whose
 * window starts at the first one's word and must stay in the block.
 */
static void buffer_data(struct bank *b, uint64_t off, const uint8_t *data, unsigned size)
{
	if (b->buf_filled == 0)
		b->buf_start = off - off % PFLASH_WIDTH;
	uint64_t end = b->buf_start + BUFFER_BYTES;
	if (off < b->buf_start || off + size > end || off / PFLASH_BLOCK_SIZE != b->buf_block ||
	    (off + size - 1) / PFLASH_BLOCK_SIZE != b->buf_block) {
		sequence_error(b);
		return;
	}
	memcpy(b->buf + (off - b->buf_start), data, size);
	if (off + size - b->buf_start > b->buf_filled)
		b->buf_filled = (uint32_t)(off + size - b->buf_start);
	if (--b->buf_writes == 0)
		b->step = STEP_CONFIRM;
}

/* The write after 0x60: set (0x01, 0x2f) or clear (0xd0) the lock bit of the block at off. */
static void lock_bit(struct bank *b, uint64_t off, uint8_t cmd)
{
	b->step = STEP_COMMAND;
	if (cmd == CMD_LOCK_SET || cmd == CMD_LOCK_DOWN)
		b->locked[off / PFLASH_BLOCK_SIZE] = true;
	else if (cmd == CMD_CONFIRM)
		b->locked[off / PFLASH_BLOCK_SIZE] = false;
	else
		sequence_error(b);
}

/*
 * A write of size bytes (data, little-endian) at offset off of bank b,
 * all inside the bank. The command byte is lane 0's: a write that does
 * not cover lane 0 of its word carries none (0x00, an unknown command).
 */
static void bank_write(struct device *dev, struct bank *b, uint64_t off, const uint8_t *data,
		       unsigned size, uint64_t val)
{
	uint8_t cmd = off % PFLASH_WIDTH == 0 ? data[0] : 0x00;

	switch (b->step) {
	case STEP_COMMAND:
		command(dev, b, off, cmd);
		return;
	case STEP_ERASE:
		b->step = STEP_COMMAND;
		if (cmd == CMD_CONFIRM)
			erase(b, off);
		else
			sequence_error(b);
		return;
	case STEP_PROGRAM:
		b->step = STEP_COMMAND;
		if (off / PFLASH_BLOCK_SIZE != (off + size - 1) / PFLASH_BLOCK_SIZE)
			sequence_error(b);
		else
			program_checked(dev, b, off, data, size);
		return;
	case STEP_COUNT:
		buffer_count(b, off, val);
		return;
	case STEP_DATA:
		buffer_data(b, off, data, size);
		return;
	case STEP_CONFIRM:
		b->step = STEP_COMMAND;
		if (cmd == CMD_CONFIRM)
			program_checked(dev, b, b->buf_start, b->buf, b->buf_filled);
		else
			sequence_error(b);
		return;
	case STEP_LOCK:
		lock_bit(b, off, cmd);
		return;
	}
}

/*
 * Maps block i of bank n read-only into stage 2, if the bank reads its
 * array: the block's memory, or the page of 0xff at each of its pages.
 * Best effort: a block that cannot be mapped is read through exits.
 */
static void map_block(struct device *dev, struct pflash *f, unsigned n, unsigned i)
{
	struct bank *b = f->banks[n];
	struct vm *vm = dev->vm;
	gpa_t gpa = f->base + n * PFLASH_BANK_SIZE + (gpa_t)i * PFLASH_BLOCK_SIZE;
	int rc = 0;

	if (!vm || !f->erased || b->mode != READ_ARRAY || (b->mapped[i / 64] >> (i % 64)) & 1)
		return;
	if (b->blocks[i]) {
		rc = stage2_map(&vm->as.s2, gpa, hal_hva_to_hpa(b->blocks[i]), PFLASH_BLOCK_SIZE,
				PERM_READ, S2_MEM_NORMAL);
	} else {
		for (uint64_t p = 0; p < PFLASH_BLOCK_SIZE && rc == 0; p += PAGE_SIZE)
			rc = stage2_map(&vm->as.s2, gpa + p, hal_hva_to_hpa(f->erased), PAGE_SIZE,
					PERM_READ, S2_MEM_NORMAL);
	}
	if (rc < 0) {
		log_debug("%s: flash: block 0x%x of bank %u not mapped (%s)", vm_name(dev), i, n,
			  cv_strerror(rc));
		stage2_unmap(&vm->as.s2, gpa, PFLASH_BLOCK_SIZE);
		hal_vm_stage2_changed(vm, gpa, PFLASH_BLOCK_SIZE);
		return;
	}
	b->mapped[i / 64] |= 1ULL << (i % 64);
	b->nmapped++;
	hal_vm_stage2_changed(vm, gpa, PFLASH_BLOCK_SIZE);
}

/* Unmaps every block of bank n from stage 2: what the guest reads next comes to the model. */
static void unmap_bank(struct device *dev, struct pflash *f, unsigned n)
{
	struct bank *b = f->banks[n];
	gpa_t bank_gpa = f->base + n * PFLASH_BANK_SIZE;

	if (!b->nmapped)
		return;
	for (unsigned i = 0; i < BLOCKS_PER_BANK; i++)
		if ((b->mapped[i / 64] >> (i % 64)) & 1)
			stage2_unmap(&dev->vm->as.s2, bank_gpa + (gpa_t)i * PFLASH_BLOCK_SIZE,
				     PFLASH_BLOCK_SIZE);
	memset(b->mapped, 0, sizeof(b->mapped));
	b->nmapped = 0;
	hal_vm_stage2_changed(dev->vm, bank_gpa, PFLASH_BANK_SIZE);
}

/* Reads byte by byte: an access may straddle the two banks or the end of the last. */
static int pflash_read(struct device *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct pflash *f = dev->priv;
	uint64_t v = 0;

	lock(f);
	for (unsigned i = 0; i < size && i < 8; i++) {
		uint64_t off = offset + i;
		unsigned bank = (unsigned)(off / PFLASH_BANK_SIZE);
		if (bank < f->nbanks)
			v |= (uint64_t)read_byte(f->banks[bank], off % PFLASH_BANK_SIZE) << (8 * i);
	}
	unlock(f);
	*val = v;
	return 0;
}

/* A write goes to the bank of its first byte; bytes past that bank's end are dropped. */
static int pflash_write(struct device *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct pflash *f = dev->priv;
	unsigned bank = (unsigned)(offset / PFLASH_BANK_SIZE);
	uint64_t off = offset % PFLASH_BANK_SIZE;
	uint8_t data[8];

	if (size == 0 || size > 8)
		return -CV_EINVAL;
	if (bank >= f->nbanks) {
		log_debug("%s: flash: write past the last bank at offset 0x%llx ignored",
			  vm_name(dev), (unsigned long long)offset);
		return 0;
	}
	if (off + size > PFLASH_BANK_SIZE)
		size = (unsigned)(PFLASH_BANK_SIZE - off);
	for (unsigned i = 0; i < size; i++)
		data[i] = (uint8_t)(val >> (8 * i));
	lock(f);
	unmap_bank(dev, f, bank);
	bank_write(dev, f->banks[bank], off, data, size, val);
	unlock(f);
	return 0;
}

static void pflash_destroy(struct device *dev)
{
	struct pflash *f = dev->priv;

	for (unsigned i = 0; f && i < f->nbanks; i++) {
		struct bank *b = f->banks[i];
		for (unsigned j = 0; b && j < BLOCKS_PER_BANK; j++)
			if (b->blocks[j])
				hal_page_free(b->blocks[j], PFLASH_BLOCK_SIZE / PAGE_SIZE);
		hal_free(b);
	}
	if (f && f->erased)
		hal_page_free(f->erased, 1);
	hal_free(f);
	dev->priv = NULL;
}

static const struct device_ops pflash_ops = {
	.read = pflash_read,
	.write = pflash_write,
	.destroy = pflash_destroy,
};

struct device *pflash_create(struct vm *vm, gpa_t base, uint64_t size)
{
	struct device *dev = hal_zalloc(sizeof(*dev));
	struct pflash *f = hal_zalloc(sizeof(*f));

	if (size < PFLASH_BANK_SIZE || !dev || !f) {
		hal_free(dev);
		hal_free(f);
		return NULL;
	}
	cv_strlcpy(dev->name, "flash", sizeof(dev->name));
	dev->base = base;
	dev->size = size;
	dev->ops = &pflash_ops;
	dev->priv = f;
	dev->vm = vm;
	dev->own_reg = true;
	f->base = base;
	f->erased = hal_page_alloc(1); /* without it, every read is an exit */
	if (f->erased)
		memset(f->erased, 0xff, PAGE_SIZE);
	f->nbanks = PFLASH_MAX_BANKS;
	if (size / PFLASH_BANK_SIZE < PFLASH_MAX_BANKS)
		f->nbanks = (unsigned)(size / PFLASH_BANK_SIZE);
	for (unsigned i = 0; i < f->nbanks; i++) {
		struct bank *b = hal_zalloc(sizeof(*b));
		if (!b) {
			pflash_destroy(dev);
			hal_free(dev);
			return NULL;
		}
		b->mode = READ_ARRAY;
		b->step = STEP_COMMAND;
		b->status = SR_READY;
		f->banks[i] = b;
	}
	return dev;
}

void pflash_map_read(struct device *dev, uint64_t offset)
{
	struct pflash *f = dev->priv;
	unsigned bank = (unsigned)(offset / PFLASH_BANK_SIZE);

	if (dev->ops != &pflash_ops || !f || bank >= f->nbanks)
		return;
	lock(f);
	map_block(dev, f, bank, (unsigned)(offset % PFLASH_BANK_SIZE / PFLASH_BLOCK_SIZE));
	unlock(f);
}

unsigned pflash_banks(const struct device *dev)
{
	const struct pflash *f = dev->priv;
	return f->nbanks;
}
