#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile AArch64 guests on bare-metal cvisor (EL2 under QEMU), each next to
# a well-behaved neighbour (hello) that must still finish, with the same
# console output as in the simulator (tests/sim/aarch64_sysreg.sh,
# tests/sim/aarch64_hostile.sh); where cvisor stops a VM, the bare build's
# report (its time limit is MAX_SECONDS, built into the image).
#   tests/bare/aarch64_hostile.sh BUILD ARCH
set -u
BUILD=${1:-build}
ARCH=${2:-aarch64}
. tests/sim/lib.sh
guests_of aarch64
[ "$ARCH" = aarch64 ] || skip_suite "the bare-metal build is for aarch64 (ARCH=$ARCH)"
command -v qemu-system-aarch64 >/dev/null 2>&1 ||
	skip_suite "qemu-system-aarch64 not found (make test installs it: qemu-system-arm)"

expect_neighbour() {
	expect_out "[hello] Hello from cvisor guest (aarch64)!"
	expect_out "[hello] dtb ok"
	expect_count '^cvisor: vm 1 \(hello\)' -eq 0
}

# System register accesses that are UNDEFINED, or trapped and not emulated:
# each an UNDEF the guest handles (it checks ESR_EL1 and ELR_EL1 itself).
# -cpu max has pointer authentication, SVE, SME and MTE; cortex-a57 none.
for cpu in max cortex-a57; do
	run_bare "sysreg-$cpu" "" "$cpu" $CFG/hostile_sysreg.toml $CFG/hello.toml MAX_SECONDS=30
	expect_rc 0
	for line in "undefined accesses at EL1" "EL1 registers at EL0" "all ok"; do
		expect_out "[hostile_sysreg] hostile_sysreg: $line"
	done
	expect_no_out "FAIL"
	expect_neighbour
	expect_out "cvisor: 2 of 2 VMs powered off"
done

# The ID registers and the CPU agree: SVE, SME and MTE hidden (an SVE
# instruction is an UNDEF), pointer authentication given to the guest where
# the CPU has it (its keys its own, starting at 0 in each VM: the second
# VM must not see the first one's), UNDEFINED where it has not.
run_bare pauth-max "" max $CFG/hostile_pauth.toml $CFG/hostile_pauth2.toml $CFG/hello.toml MAX_SECONDS=30
expect_rc 0
expect_out "[hostile_pauth] hostile_pauth: SVE, SME and MTE absent"
expect_out "[hostile_pauth] hostile_pauth: pointer authentication present: keys kept, PACIA/AUTIA ok"
expect_out "[hostile_pauth2] hostile_pauth: pointer authentication present: keys kept, PACIA/AUTIA ok"
expect_no_out "FAIL"
expect_neighbour
expect_out "cvisor: 3 of 3 VMs powered off"
run_bare pauth-cortex-a57 "" cortex-a57 $CFG/hostile_pauth.toml $CFG/hello.toml MAX_SECONDS=30
expect_rc 0
expect_out "[hostile_pauth] hostile_pauth: SVE, SME and MTE absent"
expect_out "[hostile_pauth] hostile_pauth: pointer authentication absent: keys and PACIA undefined"
expect_no_out "FAIL"
expect_neighbour

# The other hostile guests, as in tests/sim/aarch64_hostile.sh. On hardware a
# guest's own exceptions never reach EL2: cvisor's tick enforces the limit.
run_bare udf-svc-loops "" max $CFG/hostile_udf_loop.toml $CFG/hostile_svc_loop.toml $CFG/hello.toml MAX_SECONDS=1
expect_rc 1
expect_out "[hostile_udf_loop] hostile_udf_loop: looping on UDF"
expect_out "[hostile_svc_loop] hostile_svc_loop: looping on SVC"
expect_stopped hostile_udf_loop "still running after the time limit of 1 s \(MAX_SECONDS\)\$"
expect_stopped hostile_svc_loop "still running after the time limit of 1 s \(MAX_SECONDS\)\$"
expect_neighbour

run_bare el0 "" max $CFG/hostile_el0.toml $CFG/hello.toml MAX_SECONDS=60
expect_rc 0
expect_out "[hostile_el0] hostile_el0: EL0 and EL1, MMU off: ok"
expect_out "[hostile_el0] hostile_el0: EL0 and EL1, MMU on: ok"
expect_out "[hostile_el0] hostile_el0: all ok"
expect_no_out "FAIL"
expect_neighbour

finish
