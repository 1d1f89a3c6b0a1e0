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

# Stage 2 changed one page at a time (3072 MEM_PROTECT calls, each a TLB
# invalidation here), then a store to read-only page 1023: a stage-2
# permission fault naming that page, as in tests/sim/stage2_cost.sh.
T=$(mktemp -d)
sed -e "s|^kernel_path = \"../../build/|kernel_path = \"$PWD/$BUILD/|" \
	-e "s|^cmdline = .*|cmdline = \"s2page=1023\"|" $CFG/hostile_protect.toml >"$T/hostile_protect.toml"
run_bare protect "" max "$T/hostile_protect.toml" $CFG/hello.toml MAX_SECONDS=60
rm -rf "$T"
expect_rc 1
expect_out "[hostile_protect] hostile_protect: every other page read-only (1024 calls)"
expect_out "[hostile_protect] hostile_protect: even pages written, odd pages read"
expect_out "[hostile_protect] hostile_protect: all writable again, every page written (1024 calls)"
expect_no_out "the store completed"
expect_no_out "FAIL"
expect_stage2_fault hostile_protect write 8 "$(printf '%x' $((0x$(sym hostile_protect pages) + 1023 * 0x1000)))" \
	"RAM without this permission" "$(sym hostile_protect hostile_store)"
expect_neighbour

# Accesses outside RAM and devices (tests/sim/unmapped.sh): the same guest
# output under each [devices] unmapped_access, in one image. The fetch and
# the guest's own walks are aborts in all three; "stop" ends its VM at the
# load, "abort" runs to the end, "raz_wi" reads 0 and stops at the load pair.
run_bare unmapped "" cortex-a57 $CFG/unmapped_stop.toml $CFG/unmapped_abort.toml \
	$CFG/unmapped_raz_wi.toml MAX_SECONDS=30
expect_rc 1
for vm in unmapped_stop unmapped_abort unmapped_raz_wi; do
	expect_out "[$vm] unmapped: abort ESR_EL1=0x0000000086000010 FAR_EL1=0x0000000010000000"
	expect_out "[$vm] unmapped: abort ESR_EL1=0x0000000096000010 FAR_EL1=0x0000000080000000"
	expect_out "[$vm] unmapped: abort ESR_EL1=0x0000000086000010 FAR_EL1=0x0000000080001000"
	expect_out "[$vm] unmapped: abort ESR_EL1=0x0000000082000010 FAR_EL1=0x0000000010002000"
	expect_out "[$vm] unmapped: load from 0x7000_0000"
done
expect_no_out "FAIL"
expect_no_out "[unmapped_stop] unmapped: w2"
expect_stage2_fault unmapped_stop read 4 70000000 "neither RAM nor a device" "$(sym unmapped data_load)"
expect_out "[unmapped_abort] unmapped: abort ESR_EL1=0x0000000096000010 FAR_EL1=0x0000000070000000"
expect_out "[unmapped_abort] unmapped: w2 = 0x0000000000000055"
expect_out "[unmapped_abort] unmapped: abort ESR_EL1=0x0000000096000050 FAR_EL1=0x0000000070000008"
expect_out "[unmapped_abort] unmapped: x2 = 0x0000000000000066 x3 = 0x0000000000000077"
expect_out "[unmapped_abort] unmapped: all done"
expect_count '^cvisor: vm [0-9]+ \(unmapped_abort\)' -eq 0
expect_out "[unmapped_raz_wi] unmapped: w2 = 0x0000000000000000"
expect_out "[unmapped_raz_wi] unmapped: load pair from 0x7000_0000"
expect_no_out "[unmapped_raz_wi] unmapped: all done"
expect_stage2_fault unmapped_raz_wi read 16 70000000 \
	"neither RAM nor a device; unmapped_access = \"raz_wi\" cannot complete an access whose syndrome names no register" \
	"$(sym unmapped data_pair)"
expect_out "cvisor: 1 of 3 VMs powered off"

finish
