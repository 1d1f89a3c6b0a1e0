/* SPDX-License-Identifier: MIT */
/**
 * @file hal_stub.h
 * @brief What the unit tests' HAL (hal_stub.c) lets a test see and steer:
 *        the guest console's output and input, and the stage-2 changes
 *        reported to the HAL.
 */
#ifndef TESTS_UNIT_HAL_STUB_H
#define TESTS_UNIT_HAL_STUB_H

/** Everything written to a guest console since the last reset, as a string. */
const char *hal_stub_console_output(void);
/** Forgets the console output and any input not yet read. */
void hal_stub_console_reset(void);
/** Queues s as console input, for hal_console_getc(). */
void hal_stub_console_input(const char *s);
/** How many times hal_vm_stage2_changed() was called. */
unsigned hal_stub_stage2_changes(void);

#endif
