#!/bin/sh
# SPDX-License-Identifier: MIT
# Exact PCs of device accesses without a memory hook (docs/simulator.md,
# "Finding the instruction behind a device access"): the mmio_pc guests
# make the same accesses three times each from the middle of a long block
# and from a block entered by a chained jump, where Unicorn's own PC is
# stale, and two stores alike in one block. Each exit names the accessing
# instruction, and each store to the UART's data register prints its
# character once.
#   tests/sim/mmio_pc.sh BUILD ARCH
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. tests/sim/lib.sh

# expect_exits VM SYMBOL N REST: exactly N exit lines of VM are mmio exits
# at SYMBOL (of mmio_pc) followed by REST (an anchored ERE), and no mmio
# exit of VM has REST at another PC.
expect_exits() {
	at="^exit: vm=$1 vcpu=0 mmio pc=$(hex "$(sym mmio_pc "$2")") $4"
	expect_count "$at" -eq "$3"
	expect_count "^exit: vm=$1 vcpu=0 mmio pc=0x[0-9a-f]+ $4" -eq "$3"
}

guests_of aarch64
run_cvisor a64-mmio-pc run --trace=exits $CFG/mmio_pc.toml
expect_rc 0
expect_out "mmio_pc: aaabbbcccdedede"
expect_exits 23 mid_store 3 'syndrome=0x93000045 gpa=0x9000000 size=1 write data=0x61 reg=0 insn="strb w0, \[x19\]"$'
expect_exits 23 mid_load 3 'syndrome=0x93830005 gpa=0x9000018 size=4 read data=0x[0-9a-f]+ reg=3 insn="ldr w3, \[x19, #0x18\]"$'
expect_exits 23 chained_store 3 'syndrome=0x93000045 gpa=0x9000000 size=1 write data=0x62 reg=0 insn="strb w0, \[x19\]"$'
expect_exits 23 offset_store 3 'syndrome=0x93000045 gpa=0x9000000 size=1 write data=0x63 reg=0 insn="strb w0, \[x19, x21\]"$'
expect_exits 23 first_of_two 3 'syndrome=0x93170045 gpa=0x9000000 size=1 write data=0x64 reg=23 insn="strb w23, \[x22\]"$'
expect_exits 23 second_of_two 3 'syndrome=0x93170045 gpa=0x9000000 size=1 write data=0x65 reg=23 insn="strb w23, \[x22\]"$'

guests_of riscv64
run_cvisor rv-mmio-pc run --trace=exits $CFG/mmio_pc.toml
expect_rc 0
expect_out "mmio_pc: aaabbbdedede"
expect_exits 47 mid_store 3 'syndrome=0x17 gpa=0x10000000 size=1 write data=0x61 reg=10 insn="sb a0,0\(s1\)"$'
expect_exits 47 mid_load 3 'syndrome=0x15 gpa=0x10000005 size=1 read data=0x[0-9a-f]+ reg=7 insn="lbu t2,5\(s1\)"$'
expect_exits 47 chained_store 3 'syndrome=0x17 gpa=0x10000000 size=1 write data=0x62 reg=10 insn="sb a0,0\(s1\)"$'
expect_exits 47 first_of_two 3 'syndrome=0x17 gpa=0x10000000 size=1 write data=0x64 reg=21 insn="sb s5,0\(s6\)"$'
expect_exits 47 second_of_two 3 'syndrome=0x17 gpa=0x10000000 size=1 write data=0x65 reg=21 insn="sb s5,0\(s6\)"$'

finish
