// SPDX-License-Identifier: MIT
// hostile_udf_loop: an exception handler that returns to the instruction
// that trapped. The guest installs a vector table whose synchronous handler
// is a bare ERET (ELR_EL1 still at the UDF), so the CPU takes the same
// undefined-instruction exception forever, millions of times a second, with
// no exit to the hypervisor in between. Only the time limit (--max-seconds)
// or a signal ends it, and it must: the VM is stopped with its one-line
// report and the other VMs of the run go on.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	adr x0, vectors
	msr vbar_el1, x0
	isb
	print "hostile_udf_loop: looping on UDF\n"
	.global udf_insn
udf_insn:
	.inst 0x00000000            // UDF #0: EC 0x00, ELR_EL1 = this instruction
	b udf_insn

	VECTORS vectors, sync_handler

sync_handler:
	eret                        // back to the UDF, which traps again
