#!/bin/sh
# SPDX-License-Identifier: MIT
# RISC-V exceptions between U-mode and S-mode in the simulator (issue 15):
# hostile_umode goes S -> U -> S 1000 times with its MMU off and 1000 with
# Sv39 on, taking every kind of synchronous exception it owns from both
# modes, and checks each entry (the handler runs in S-mode, SPP, SPIE, SIE,
# sepc, scause, stval) and each sret back to the mode SPP names. A
# well-behaved neighbour VM (hello) runs next to it and must still finish.
# Before, an exception taken in U-mode left the hart in U-mode: Unicorn's
# API refused every S-mode CSR there (stvec read back garbage), and the VM
# ended in an exception storm; a U-mode ecall was taken for an SBI call.
#   tests/sim/riscv64_umode.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh
guests_of riscv64
[ -x "$BUILD/riscv64/cvisor" ] || skip_suite "$BUILD/riscv64/cvisor not built"

# 1000 rounds of 9 traps (satp Bare), 1000 rounds of 13 (Sv39); the time
# limit is only a safety net (the run takes well under a second).
run_cvisor umode run --stats --max-seconds 30 "$(own_config hostile_umode)" "$(own_config hello)"
expect_rc 0
expect_out "[hostile_umode] hostile_umode: S -> U -> S, satp Bare: ok"
expect_out "[hostile_umode] hostile_umode: S -> U -> S, Sv39: ok"
expect_out "[hostile_umode] hostile_umode: all ok"
expect_no_out "FAIL"
expect_count '^stats: vm=137 vcpu=0 .* hypercall=2001 .* fatal=0 guest-exceptions=22000$' -eq 1
expect_count '^cvisor: vm 137 \(hostile_umode\)' -eq 0
# The neighbour printed its output and powered itself off (no report line of its own).
expect_out "[hello] Hello from cvisor guest (riscv64)!"
expect_out "[hello] dtb ok"
expect_count '^cvisor: vm 31 \(hello\)' -eq 0
finish
