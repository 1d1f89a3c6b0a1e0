#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile RISC-V guests in the simulator, each next to a well-behaved
# neighbour VM that must still finish: a misaligned load and a misaligned
# store to the UART are reported as the guest made them (size, GPA, PC),
# as the bare build's guest-page fault would give them; the 16550A sees
# neither the load's aligned pieces nor the store's bytes.
#   tests/sim/riscv64_hostile.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of riscv64
[ -x "$BUILD/riscv64/cvisor" ] || skip_suite "$BUILD/riscv64/cvisor not built"

run_cvisor misaligned-load run --max-seconds=30 --trace=exits $CFG/hello.toml "$(own_config hostile_misaligned)"
expect_rc 1
expect_out "[hello] Hello from cvisor guest (riscv64)!"
expect_out "[hostile_misaligned] hostile_misaligned: lw at UART + 1"
expect_no_out "FAIL"
expect_count 'could not find the instruction' -eq 0
# One exit for the lw, none for Unicorn's second aligned piece.
expect_count "^exit: vm=152 vcpu=0 [a-z0-9-]+ pc=$(hex "$(sym hostile_misaligned misaligned_load)") " -eq 1
expect_stopped hostile_misaligned "stage-2 fault: read of 4 bytes at GPA 0x10000001\\b \\(the ns16550a refuses this size or alignment\\) by vCPU 0 at PC $(hex "$(sym hostile_misaligned misaligned_load)")\$"

run_cvisor misaligned-store run --max-seconds=30 --trace=exits $CFG/hello.toml "$(own_config hostile_misaligned_sw)"
expect_rc 1
expect_out "[hello] Hello from cvisor guest (riscv64)!"
expect_out "[hostile_misaligned_sw] hostile_misaligned_sw: sw at UART + 1"
expect_no_out "FAIL"
# One exit for the sw, none for the bytes Unicorn stores one by one.
expect_count "^exit: vm=153 vcpu=0 [a-z0-9-]+ pc=$(hex "$(sym hostile_misaligned_sw misaligned_store)") " -eq 1
expect_stopped hostile_misaligned_sw "stage-2 fault: write of 4 bytes at GPA 0x10000001\\b \\(the ns16550a refuses this size or alignment\\) by vCPU 0 at PC $(hex "$(sym hostile_misaligned_sw misaligned_store)")\$"
finish
