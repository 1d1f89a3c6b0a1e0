#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile AArch64 guests in the simulator: each one misbehaves on purpose
# next to a well-behaved neighbour VM (hello), which must still finish, and
# the misbehaving VM must end with its one-line report however it loops.
#   tests/sim/aarch64_hostile.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "build/cvisor is the $ARCH simulator; these are AArch64 guests (ARCH=aarch64)"

# expect_neighbour: the hello VM of the same run printed its output and
# powered itself off (no report line of its own).
expect_neighbour() {
	expect_out "[hello] Hello from cvisor guest (aarch64)!"
	expect_out "[hello] dtb ok"
	expect_count '^cvisor: vm 1 \(hello\)' -eq 0
}

# expect_limit VM WHY GUEST SYMBOL...: VM's report gives WHY and names where
# vCPU 0 was: one of the instructions of GUEST's loop (its SYMBOLs, or
# SYMBOL+OFFSET such as the vector vectors+0x200), up to the line's end.
expect_limit() {
	vm=$1
	why=$2
	guest=$3
	shift 3
	pcs=
	for s in "$@"; do
		a=$(sym "$guest" "${s%+*}")
		case $s in *+*) a=$(printf '%x' $((0x$a + ${s#*+}))) ;; esac
		pcs="$pcs${pcs:+|}$(hex "$a")"
	done
	expect_stopped "$vm" "$why; vCPU 0 was at PC ($pcs)\$"
}

# An exception handler that returns to the UDF that trapped: the guest takes
# the same exception forever without one exit. The time limit must still win
# (Unicorn forgets a stop request when PC is written inside a hook, which is
# how the simulator enters the guest's handler).
run_cvisor udf_loop run --max-seconds 1 $CFG/hostile_udf_loop.toml $CFG/hello.toml
expect_rc 1
expect_out "[hostile_udf_loop] hostile_udf_loop: looping on UDF"
expect_limit hostile_udf_loop "still running after the time limit of 1 s \\(--max-seconds\\)" \
	hostile_udf_loop udf_insn vectors+0x200 sync_handler
expect_neighbour

# SVC in a loop, each taken by the guest's handler.
run_cvisor svc_loop run --max-seconds 1 $CFG/hostile_svc_loop.toml $CFG/hello.toml
expect_rc 1
expect_out "[hostile_svc_loop] hostile_svc_loop: looping on SVC"
expect_limit hostile_svc_loop "still running after the time limit of 1 s \\(--max-seconds\\)" \
	hostile_svc_loop svc_loop svc_next vectors+0x200 sync_handler
expect_neighbour

# EL1 -> EL0 -> EL1 3000 times, with every kind of synchronous exception the
# guest can take at EL0 and at EL1 (t and h), its MMU off and on, the guest
# checking PSTATE, the banked stack pointers, SPSR, ELR, ESR, FAR and the
# vector on each entry. Unicorn does not rebuild its cached exception level
# when PSTATE is written through its API: the handler's `mrs x1, sp_el0`
# used to be UNDEFINED; and aborts at EL0 were reported with EL1's
# permissions and exception class.
run_cvisor el0 run --stats --max-seconds 30 $CFG/hostile_el0.toml $CFG/hello.toml
expect_rc 0
expect_out "[hostile_el0] hostile_el0: EL0 and EL1, MMU off: ok"
expect_out "[hostile_el0] hostile_el0: EL0 and EL1, MMU on: ok"
expect_out "[hostile_el0] hostile_el0: all ok"
expect_no_out "FAIL"
expect_stat guest-exceptions -eq 26000
expect_neighbour

# Ctrl-C and SIGTERM stop every VM, each with its report, and cvisor exits 1.
run_cvisor_signal sigint INT "looping on SVC" run $CFG/hostile_svc_loop.toml $CFG/spin.toml
expect_rc 1
expect_limit hostile_svc_loop "interrupted \\(SIGINT, Ctrl-C\\)" hostile_svc_loop svc_loop svc_next vectors+0x200 sync_handler
expect_stopped spin "interrupted \\(SIGINT, Ctrl-C\\); vCPU 0 was at PC 0x[0-9a-f]+\$"
run_cvisor_signal sigterm TERM "looping on UDF" run $CFG/hostile_udf_loop.toml
expect_rc 1
expect_limit hostile_udf_loop "terminated \\(SIGTERM\\)" hostile_udf_loop udf_insn vectors+0x200 sync_handler

finish
