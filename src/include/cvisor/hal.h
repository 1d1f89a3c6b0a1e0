/* SPDX-License-Identifier: MIT */
/**
 * @file hal.h
 * @brief The contract between the core and a hardware abstraction layer.
 *
 * Two HALs implement it: hal_sim (a Linux process; vCPUs are Unicorn CPUs)
 * and hal_bare (the hypervisor runs on the machine and uses the CPU's
 * virtualization extensions). The build links exactly one; there is no
 * table of function pointers.
 */
#ifndef CVISOR_HAL_H
#define CVISOR_HAL_H

#include "exit.h"
#include "types.h"

struct vcpu;
struct vm;

/** @name Host memory */
/** @{ */
/** Allocates npages zeroed, naturally aligned 4 KiB pages of host memory for
 *  guest RAM or page tables. Returns their host virtual address, or NULL. */
void *hal_page_alloc(size_t npages);
/** Frees pages returned by hal_page_alloc(). */
void hal_page_free(void *p, size_t npages);
/** Allocates size bytes of zeroed hypervisor heap, or returns NULL. */
void *hal_zalloc(size_t size);
/** Frees memory from hal_zalloc(); NULL is allowed. */
void hal_free(void *p);
/** Host physical address of a host pointer from hal_page_alloc(). */
hpa_t hal_hva_to_hpa(const void *p);
/** Host pointer of a host physical address inside hal_page_alloc() memory. */
void *hal_hpa_to_hva(hpa_t pa);
/** @} */

/** @name Time */
/** @{ */
/** Monotonic time in nanoseconds since an arbitrary start. */
uint64_t hal_time_ns(void);
/** @} */

/** @name Console and log */
/** @{ */
/** Writes guest console output of VM vm (bytes, not lines). */
void hal_console_write(const struct vm *vm, const char *buf, size_t len);
/** Returns the next byte of console input for VM vm, or -1 if none is waiting. */
int hal_console_getc(const struct vm *vm);
/** Writes one formatted log line (without newline) of the hypervisor itself. */
void hal_log_write(const char *line);
/** Stops the hypervisor after a broken invariant. Never returns. */
_Noreturn void hal_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** @} */

/** @name Disk images (the backing files of virtio-blk devices, docs/virtio.md) */
/** @{ */
/**
 * Opens the disk image at path, for reading and, if writable, writing.
 * Returns a handle (0 or more) and the image's size in bytes in *size, or
 * a negative cv_err: -CV_ENOENT (no such file), -CV_EPERM (not readable, or
 * not writable when asked), -CV_ENOTSUP (this HAL has no disk images).
 */
int hal_disk_open(const char *path, bool writable, uint64_t *size);
/** Reads len bytes at offset of disk into buf. Returns 0 or -CV_EIO (short read too). */
int hal_disk_read(int disk, uint64_t offset, void *buf, size_t len);
/** Writes len bytes of buf at offset of disk. Returns 0 or -CV_EIO. */
int hal_disk_write(int disk, uint64_t offset, const void *buf, size_t len);
/** Makes the writes to disk durable (fsync). Returns 0 or -CV_EIO. */
int hal_disk_flush(int disk);
/** Closes a handle from hal_disk_open(). */
void hal_disk_close(int disk);
/** @} */

/** @name Random bytes (the source of virtio-rng devices, docs/virtio.md) */
/** @{ */
/**
 * Fills buf with len random bytes. The simulator's come from the host's
 * kernel (getrandom(2)); the bare build's from a generator seeded with the
 * time, NOT fit for cryptography. Returns 0 or -CV_EIO.
 */
int hal_random(void *buf, size_t len);
/** @} */

/** @name Traces (--trace=exits, docs/simulator.md "Traces") */
/** @{ */
/** What a line of the exit trace is about when it is not an exit (enum exit_reason). */
enum trace_event {
	TRACE_GUEST_EXCEPTION = EXIT_REASON_COUNT, /**< an exception delivered to the guest itself */
	TRACE_IRQ,                                 /**< the interrupts the hypervisor made pending */
	TRACE_EVENT_COUNT
};
/**
 * Whether the exit trace of vm shows lines about ev (an enum exit_reason
 * or an enum trace_event): the VM traces exits and the trace's filter of
 * reasons, if it has one, names ev.
 */
bool hal_trace_wants(const struct vm *vm, unsigned ev);
/**
 * Writes one trace line ("exit: ...", "walk: ...", "guest-exception: ...",
 * without newline) where traces go: a file of their own if one was asked
 * for, else with the hypervisor's log.
 */
void hal_trace_write(const char *line);
/**
 * The instruction that made exit, at guest-virtual address exit->pc,
 * disassembled into buf ("str w1, [x0]") as vcpu sees its memory now.
 * Called on the vCPU's own thread. Returns the text's length, or 0 with
 * buf "" when the HAL cannot tell (no disassembler, memory not readable,
 * a PC that is not the instruction's).
 */
int hal_exit_insn_text(const struct vcpu *vcpu, const struct vcpu_exit *exit, char *buf,
		       size_t size);
/**
 * The core has handled exit (the end of vcpu_handle_exit()), on the
 * vCPU's own thread: where the simulator's --timeline ends the exit.
 */
void hal_exit_handled(const struct vcpu *vcpu, const struct vcpu_exit *exit);
/** @} */

/** @name vCPU execution */
/** @{ */
/** Prepares the HAL's state for a vCPU (a Unicorn CPU, a VMCS, ...).
 *  Called after the vCPU's register file holds its boot state. */
int hal_vcpu_init(struct vcpu *vcpu);
/** Releases what hal_vcpu_init() made. */
void hal_vcpu_destroy(struct vcpu *vcpu);
/**
 * Runs the guest on this vCPU until the next exit that the core must see,
 * and describes it in *exit. On entry *exit holds this vCPU's previous exit
 * as the core handled it (EXIT_NONE on the first call): the HAL first completes it
 * (loads MMIO data into the target register, hypercall results, PC
 * advance) through vcpu_arch_complete_exit(). Returns 0, or a negative
 * cv_err if the vCPU could not run at all.
 */
int hal_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit);
/** Asks a vCPU running on another thread to return from hal_vcpu_run() soon. */
void hal_vcpu_kick(struct vcpu *vcpu);
/** Called when the VM's stage-2 mapping changed (map, unmap, protect). */
void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size);
/** @} */

/** @name A vCPU's clock, interrupts and waiting (docs/interrupts.md) */
/** @{ */
/** No deadline: a clock value never reached. */
#define CLOCK_NEVER UINT64_MAX
/**
 * The clock of vcpu's VM in nanoseconds, which the guest's counters and
 * timers count: host time by default; with the simulator's
 * --clock=virtual, a clock of the vCPU's own that advances with the
 * instructions it executes (and jumps to the next deadline when the vCPU
 * waits), so that a run repeats exactly.
 */
uint64_t hal_vcpu_clock_ns(const struct vcpu *vcpu);
/**
 * Tells the HAL when vcpu's timers next need the core (a clock value,
 * CLOCK_NEVER for none): once the clock reaches it the vCPU leaves the
 * guest (an EXIT_NONE run) or stops waiting. Called on the vCPU's own
 * thread before each run; replaces the previous deadline.
 */
void hal_vcpu_set_deadline(struct vcpu *vcpu, uint64_t deadline);
/**
 * Makes vcpu look at its interrupts again, after an interrupt controller
 * changed what is pending for it or another vCPU started it: a vCPU in
 * the guest leaves it between two instructions (never in the middle of
 * one, so nothing is executed twice), a waiting one wakes. Any thread,
 * also the vCPU's own (it then leaves the guest after the current
 * instruction).
 */
void hal_vcpu_notify(struct vcpu *vcpu);
/**
 * Blocks the calling vCPU (its own thread) until hal_vcpu_notify(),
 * hal_vcpu_kick(), the VM stopping, or its clock reaching deadline
 * (CLOCK_NEVER: no deadline). May return early; the caller checks again.
 */
void hal_vcpu_wait(struct vcpu *vcpu, uint64_t deadline);
/** @} */

#endif
