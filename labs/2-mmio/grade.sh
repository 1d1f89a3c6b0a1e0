#!/bin/sh
# SPDX-License-Identifier: MIT
# Lab 2 (mmio): a guest's load from the PL011, from the data abort to the
# register: the device model answers (read_reg() in src/core/pl011.c) and
# the answer reaches the load's register, sized and extended as the load
# says (complete_mmio_read() in src/arch/aarch64/vcpu.c). The mmio guest's
# exits (--trace=exits: the GPA, size and the data the device answered)
# and its own checks (labs/2-mmio/README.md).
#   sh labs/2-mmio/grade.sh BUILD
set -u
BUILD=${1:-build}
CVISOR=$BUILD/cvisor
. labs/lib.sh
guests_of aarch64

mmio_run() { run_cvisor "$1" run --trace=exits --stats $CFG/mmio.toml; }
# mmio_read SYNDROME GPA SIZE DATA: one read exit at GPA answered DATA.
mmio_read() {
	expect_count "^exit: vm=2 vcpu=0 mmio pc=0x[0-9a-f]+ syndrome=$1 gpa=$2 size=$3 read data=$4 reg=[0-9]+\$" -ge 1
}

hello_prints() { case_hello; }

read_back() {
	mmio_run mmio-read-back
	mmio_read 0x93820005 0x9000024 4 0x2345
	mmio_read 0x93820005 0x9000028 4 0x3f
	mmio_read 0x93020005 0x900002c 1 0x70
	mmio_read 0x93420005 0x9000030 2 0x301
	mmio_read 0x93820005 0x9000038 4 0x30
}

flags() {
	mmio_run mmio-flags
	# FR: TXFE (bit 7) and RXFE (bit 4): nothing to send, nothing received.
	mmio_read 0x93820005 0x9000018 4 0x90
	# RIS: TXRIS (bit 5), the transmit FIFO at or below its level.
	mmio_read 0x93820005 0x900003c 4 0x20
}

ids() {
	mmio_run mmio-ids
	mmio_read 0x93820005 0x9000fe0 4 0x11
	mmio_read 0x93820005 0x9000fe4 4 0x10
	mmio_read 0x93820005 0x9000ff0 4 0xd
	mmio_read 0x93228005 0x9000ffc 1 0xb1
}

guest_sees() {
	mmio_run mmio
	expect_rc 0
	expect_out "mmio: start"
	expect_out "mmio: all ok"
	expect_no_out "FAIL"
	expect_stat mmio -ge 17
}

grade_check 10 "hello: stores to UARTDR still print" hello_prints
grade_check 25 "registers read back what was written (IBRD, FBRD, LCR_H byte, CR halfword, IMSC)" read_back
grade_check 15 "flags and raw interrupt status (FR, RIS)" flags
grade_check 20 "identification registers (PeriphID0/1, PCellID0, PCellID3 by byte)" ids
grade_check 30 "the mmio guest's loads get their values (widths, LDRSB, register offset)" guest_sees
grade_finish
