/* SPDX-License-Identifier: MIT */
/*
 * The exit dispatcher (axvcpu's exit handling; Linux KVM's handle_exit.c).
 *
 * Every exit, whatever the architecture or the HAL, arrives here as a
 * struct vcpu_exit. The dispatcher counts it, sends it to the code that
 * emulates what the guest wanted (device bus, hypercalls, system
 * registers), or stops the VM when the guest did something it must not.
 */
#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

/*
 * The end of an exit, for the traces: if the VM traces exits of this
 * reason (--trace=exits), one line: the exit record, then the instruction
 * that made it, disassembled, when the HAL can read it; then the HAL
 * hears that the exit is handled (the simulator's --timeline ends it there).
 */
static void trace_exit(const struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	char ops[200], insn[96], line[400];

	if (exit->reason == EXIT_NONE || !hal_trace_wants(vcpu->vm, exit->reason)) {
		hal_exit_handled(vcpu, exit);
		return;
	}
	exit_format_operands(exit, ops, sizeof(ops));
	int n = cv_snprintf(line, sizeof(line), "exit: vm=%u vcpu=%u %s pc=0x%llx syndrome=0x%llx %s",
			    vcpu->vm->id, vcpu->id, exit_reason_name(exit->reason),
			    (unsigned long long)exit->pc, (unsigned long long)exit->syndrome, ops);
	if (hal_exit_insn_text(vcpu, exit, insn, sizeof(insn)) > 0 && n > 0 &&
	    (size_t)n < sizeof(line))
		cv_snprintf(line + n, sizeof(line) - (size_t)n, " insn=\"%s\"", insn);
	hal_trace_write(line);
	hal_exit_handled(vcpu, exit);
}

/*
 * Stops the VM for an access the hypervisor cannot complete, naming it as
 * the guest made it: direction, size, GPA, why it failed, the vCPU and PC,
 * and, for a fault on the guest's own stage-1 table walk, that it was one
 * and the virtual address being translated (walk_va; NULL otherwise).
 */
static void stop_on_bad_access(struct vcpu *vcpu, gpa_t gpa, unsigned size,
			       enum access_kind access, uint64_t pc, const char *what,
			       const gva_t *walk_va)
{
	char regs[200], walk[80] = "";
	vcpu_arch_format_regs(vcpu, regs, sizeof(regs));
	if (walk_va)
		cv_snprintf(walk, sizeof(walk), ", in the stage-1 table walk for VA 0x%llx",
			    (unsigned long long)*walk_va);
	vm_stop(vcpu->vm, VM_FAILED,
		"stage-2 fault: %s of %u bytes at GPA 0x%llx (%s) by vCPU %u at PC 0x%llx%s",
		access_kind_name(access), size, (unsigned long long)gpa, what, vcpu->id,
		(unsigned long long)pc, walk);
	log_info("%s: registers: %s", vcpu->vm->name, regs);
}

/*
 * Why a device access failed (devbus_access() returned rc), for the
 * report: no device there, an access that runs past the device's end, or
 * the device's own refusal (a size or alignment its registers do not
 * take, a direction it does not implement).
 */
static const char *mmio_refusal(const struct vm *vm, gpa_t gpa, unsigned size, int rc,
				char *buf, size_t len)
{
	const struct as_region *r = addrspace_find(&vm->as, gpa);
	const struct device *d = devbus_find(&vm->bus, gpa);

	if (!r && !d)
		return "neither RAM nor a device";
	if (!d)
		return r->kind == REGION_RAM ? "RAM without this permission"
					     : "a device window with no device";
	if (size > d->size - (gpa - d->base))
		cv_snprintf(buf, len, "across the end of the %s", d->name);
	else if (rc == -CV_EPERM)
		cv_snprintf(buf, len, "the %s has no such direction", d->name);
	else
		cv_snprintf(buf, len, "the %s refuses this size or alignment", d->name);
	return buf;
}

/*
 * What the guest gets for an access at a GPA that is neither RAM nor a
 * device: no memory answers it, as a bus with nothing there. An
 * instruction fetch, or the guest's own stage-1 walk reading a
 * descriptor there, is an abort for the guest whatever the config says:
 * nothing could emulate it (Linux KVM injects the same). A load or store
 * follows [devices] unmapped_access: stop the VM (the default), an abort
 * for the guest, or read as zero / write ignored, which needs the
 * register an EXIT_MMIO names. The first such access of a VM is logged,
 * every one counted (--stats).
 * Returns NULL if the guest goes on, else why the VM must stop (for the
 * report).
 */
static const char *unmapped_access(struct vcpu *vcpu, struct vcpu_exit *exit, gpa_t gpa,
				   unsigned size, enum access_kind access, bool walk)
{
	static const char nothing[] = "neither RAM nor a device";
	struct vm *vm = vcpu->vm;
	const char *done;

	if (access == ACCESS_FETCH || walk || vm->cfg.unmapped_access == UNMAPPED_ABORT) {
		if (!vcpu_arch_inject_abort(vcpu, exit))
			return nothing;
		vcpu->unmapped_aborts++;
		done = "an abort for the guest";
	} else if (vm->cfg.unmapped_access == UNMAPPED_STOP) {
		return nothing;
	} else if (exit->reason != EXIT_MMIO) {
		return "neither RAM nor a device; unmapped_access = \"raz_wi\" cannot complete "
		       "an access whose syndrome names no register";
	} else if (access == ACCESS_READ) {
		exit->mmio.data = 0;
		vcpu->unmapped_raz++;
		done = "read as zero";
	} else {
		vcpu->unmapped_wi++;
		done = "write ignored";
	}
	if (__atomic_exchange_n(&vm->unmapped_logged, 1, __ATOMIC_RELAXED) == 0)
		log_warn("%s: %s of %u bytes at GPA 0x%llx (neither RAM nor a device%s) by vCPU %u "
			 "at PC 0x%llx: %s (the VM's later ones are counted, not logged)",
			 vm->name, access_kind_name(access), size, (unsigned long long)gpa,
			 walk ? ", the guest's stage-1 table walk" : "", vcpu->id,
			 (unsigned long long)exit->pc, done);
	return NULL;
}

/* An MMIO exit: find the device and perform the access. */
static void handle_mmio(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct vm *vm = vcpu->vm;
	uint64_t val = exit->mmio.data;
	char why[80];
	int rc = devbus_access(&vm->bus, exit->mmio.gpa, exit->mmio.size, exit->mmio.write, &val);

	if (rc == 0) {
		if (!exit->mmio.write)
			exit->mmio.data = val;
		return;
	}
	enum access_kind access = exit->mmio.write ? ACCESS_WRITE : ACCESS_READ;
	if (rc == -CV_ENOENT && !addrspace_find(&vm->as, exit->mmio.gpa) &&
	    !unmapped_access(vcpu, exit, exit->mmio.gpa, exit->mmio.size, access, false))
		return;
	stop_on_bad_access(vcpu, exit->mmio.gpa, exit->mmio.size, access, exit->pc,
			   mmio_refusal(vm, exit->mmio.gpa, exit->mmio.size, rc, why, sizeof(why)),
			   NULL);
}

/*
 * A port I/O exit (x86 IN/OUT). Ports no device claims behave as on a PC:
 * reads give all ones, writes are dropped; firmware and kernels probe them.
 */
static void handle_pio(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct vm *vm = vcpu->vm;
	uint64_t val = exit->pio.data;
	int rc = devbus_access(&vm->ports, exit->pio.port, exit->pio.size, exit->pio.write, &val);

	if (rc == -CV_ENOENT) {
		log_debug("%s: vCPU %u: %s of %u bytes at unclaimed port 0x%x", vm->name, vcpu->id,
			  exit->pio.write ? "write" : "read", exit->pio.size, exit->pio.port);
		val = ~0ULL;
	} else if (rc < 0) {
		vm_stop(vm, VM_FAILED, "port I/O: %s of %u bytes at port 0x%x refused by the device (%s) "
			"by vCPU %u at PC 0x%llx", exit->pio.write ? "write" : "read", exit->pio.size,
			exit->pio.port, cv_strerror(rc), vcpu->id, (unsigned long long)exit->pc);
		return;
	}
	if (!exit->pio.write)
		exit->pio.data = (uint32_t)(exit->pio.size == 4 ? val : val & ((1u << (8 * exit->pio.size)) - 1));
}

/*
 * A stage-2 fault the hypervisor cannot resolve: at a GPA that is neither
 * RAM nor a device, what unmapped_access() decides; anywhere else (RAM
 * the access may not use, a device reached by a fetch or without an
 * instruction syndrome) the VM stops.
 */
static void handle_stage2_fault(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	const struct as_region *r = addrspace_find(&vcpu->vm->as, exit->s2fault.gpa);
	const char *what = !r ? "neither RAM nor a device"
		: r->kind == REGION_RAM ? "RAM without this permission"
					: "a device that cannot be reached this way";
	if (!r && !devbus_find(&vcpu->vm->bus, exit->s2fault.gpa)) {
		what = unmapped_access(vcpu, exit, exit->s2fault.gpa, exit->s2fault.size,
				       exit->s2fault.access, exit->s2fault.s1ptw);
		if (!what)
			return;
	}
	stop_on_bad_access(vcpu, exit->s2fault.gpa, exit->s2fault.size, exit->s2fault.access,
			   exit->pc, what, exit->s2fault.s1ptw ? &exit->s2fault.gva : NULL);
}

/*
 * WFI / HLT: the vCPU sleeps until an interrupt is pending for it (its
 * timers are brought to the clock each time it wakes), another vCPU or a
 * device notifies it, or the VM stops. The HAL completes the exit by
 * stepping past the instruction. A vCPU alone in its VM with no interrupt
 * enabled and no timer armed would sleep forever: that is reported.
 */
static void handle_halt(struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	struct vm *vm = vcpu->vm;

	while (vm_running(vm) && vcpu->state == VCPU_RUNNABLE) {
		uint64_t next = vcpu_arch_timers(vcpu, hal_vcpu_clock_ns(vcpu));
		if (vcpu_arch_irq_wakes(vcpu))
			return;
		if (next == CLOCK_NEVER && !vcpu_arch_irq_possible(vcpu) && vm_vcpus_on(vm) == 1) {
			vm_stop(vm, VM_FAILED,
				"vCPU %u waits for an interrupt (%s) at PC 0x%llx, but no interrupt "
				"source could wake it",
				vcpu->id, vm_arch_platform.halt_insn, (unsigned long long)exit->pc);
			return;
		}
		hal_vcpu_wait(vcpu, next);
	}
}

void vcpu_handle_exit(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct vm *vm = vcpu->vm;

	if ((unsigned)exit->reason < EXIT_REASON_COUNT)
		vcpu->exits[exit->reason]++;
	switch (exit->reason) {
	case EXIT_NONE:
		break;
	case EXIT_MMIO:
		handle_mmio(vcpu, exit);
		break;
	case EXIT_HYPERCALL:
		vcpu_arch_hypercall(vcpu, exit);
		break;
	case EXIT_SYSREG:
		vcpu_arch_sysreg(vcpu, exit);
		break;
	case EXIT_HALT:
		handle_halt(vcpu, exit);
		break;
	case EXIT_STAGE2_FAULT:
		handle_stage2_fault(vcpu, exit);
		break;
	case EXIT_SHUTDOWN:
		vm_stop(vm, exit->shutdown.kind == SHUTDOWN_RESET ? VM_RESET : VM_OFF, "guest %s",
			exit->shutdown.kind == SHUTDOWN_RESET ? "asked for a reset" : "powered off");
		break;
	case EXIT_DEBUG:
		vm_stop(vm, VM_FAILED, "debug exit at PC 0x%llx with no debugger attached",
			(unsigned long long)exit->pc);
		break;
	case EXIT_FATAL:
	default:
		vm_stop(vm, VM_FAILED, "vCPU %u at PC 0x%llx: %s", vcpu->id,
			(unsigned long long)exit->pc, exit->fatal.msg);
		break;
	case EXIT_PIO:
		handle_pio(vcpu, exit);
		break;
	}
	trace_exit(vcpu, exit);
}
