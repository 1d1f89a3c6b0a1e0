/* SPDX-License-Identifier: MIT */
/**
 * @file fuzz.h
 * @brief What the libFuzzer targets in tests/fuzz/ share: reading typed
 *        values from the fuzzer's bytes, stopping on a broken invariant,
 *        and the checks every decoded exit record must pass.
 *
 * A target is one file with LLVMFuzzerTestOneInput(). Beyond "no crash"
 * (AddressSanitizer and UndefinedBehaviorSanitizer make any memory error
 * or undefined behaviour fatal), each checks what its code promises; a
 * broken promise is reported with FUZZ_CHECK, which aborts, so libFuzzer
 * keeps the input as a crash reproducer.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <cvisor/exit.h>

/** The entry point libFuzzer calls with each input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Prints "fuzz invariant broken: WHAT (FILE:LINE)" and aborts. */
_Noreturn void fuzz_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Aborts with a message unless cond holds. */
#define FUZZ_CHECK(cond, ...)                                         \
	do {                                                          \
		if (!(cond))                                          \
			fuzz_fail(__FILE__, __LINE__, __VA_ARGS__);   \
	} while (0)

/**
 * The fuzzer's bytes, consumed from the front. Reading past the end gives
 * zeros, so every input means something and a short input is not wasted.
 */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

/** An integer of n bytes (1..8), little-endian. */
uint64_t fuzz_uint(struct fuzz_in *in, unsigned n);
static inline uint8_t fuzz_u8(struct fuzz_in *in) { return (uint8_t)fuzz_uint(in, 1); }
static inline uint16_t fuzz_u16(struct fuzz_in *in) { return (uint16_t)fuzz_uint(in, 2); }
static inline uint32_t fuzz_u32(struct fuzz_in *in) { return (uint32_t)fuzz_uint(in, 4); }
static inline uint64_t fuzz_u64(struct fuzz_in *in) { return fuzz_uint(in, 8); }
/**
 * A string of at most max bytes into out (max + 1 bytes), NUL-terminated:
 * a length byte, then the bytes. Returns its length.
 */
size_t fuzz_string(struct fuzz_in *in, char *out, size_t max);

/**
 * Checks what every exit record a decoder returns must satisfy, whatever
 * the syndrome: a known reason; an MMIO size of 1, 2, 4, 8 or 16 bytes and
 * a register number below 32; a port I/O size of 1, 2 or 4; a stage-2
 * fault size of 0 (unknown) to 16, a known access and fault kind, a level
 * of -1..3; a fatal message that is one terminated, non-empty line. Then
 * formats the operands as the exit trace does (exit_format_operands) and
 * checks the text is terminated and fits.
 */
void fuzz_check_exit(const struct vcpu_exit *e);

/**
 * Pages of hal_page_alloc() not yet freed (tests/fuzz/hal_fuzz.c): 0 again
 * once a target has destroyed what it built.
 */
size_t hal_fuzz_pages_in_use(void);

#endif
